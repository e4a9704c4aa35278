"""Help plans, commitments, incidents, relief, team summaries and research drafts through the
API and the `minqing fieldwork` command."""

import datetime as dt
import io
import json

import docx
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from minqing.fieldwork.models import Commitment, HelpPlan, Incident, TeamSummary
from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.programs.models import Campaign, LiaisonPoint, Pairing, Team


def api(username):
    token = token_create(actor=None, account=Account.objects.get(username=username))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def call(method, path, body=None):
        if body is None:
            return getattr(client, method)(path)
        return getattr(client, method)(path, json.dumps(body), content_type="application/json")

    return call


@pytest.fixture
def campaign(db):
    return Campaign.objects.get(program_key="xiajiceng")


def test_a_plan_through_the_api_with_commitments_and_progress(campaign):
    pairing = Pairing.objects.filter(
        cadre__account__username="cadre", campaign=campaign, household__isnull=False
    ).first()
    cadre = api("cadre")
    created = cadre(
        "post",
        "/api/v1/plans",
        {
            "campaign": campaign.pk,
            "target_type": "household",
            "target_id": pairing.household_id,
            "title": "产业帮扶",
            "deadline": "2027-06-30",
            "commitments": [{"title": "购买鸡苗", "due": "2026-12-31"}],
        },
    )
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["cadre"] == pairing.cadre_id and len(plan["commitments"]) == 1
    added = cadre("post", f"/api/v1/plans/{plan['id']}/commitments", {"title": "销售", "due": "2027-05-01"})
    assert added.status_code == 201
    late = cadre("post", f"/api/v1/plans/{plan['id']}/commitments", {"title": "太晚", "due": "2027-07-01"})
    assert late.status_code == 422
    progress = cadre("put", f"/api/v1/commitments/{added.json()['id']}/progress", {"progress": 40})
    assert progress.status_code == 200 and progress.json()["progress"] == 40
    assert (
        cadre("put", f"/api/v1/commitments/{added.json()['id']}/progress", {"progress": 140}).status_code
        == 422
    )
    assert api("office_jinan")("get", f"/api/v1/plans/{plan['id']}").status_code == 404
    assert (
        api("leader")(
            "put", f"/api/v1/commitments/{added.json()['id']}/progress", {"progress": 1}
        ).status_code
        == 403
    )
    listed = api("office")("get", "/api/v1/plans").json()
    assert plan["id"] in [p["id"] for p in listed["items"]]
    others = Pairing.objects.exclude(cadre__account__username="cadre").first()
    assert (
        cadre(
            "post",
            "/api/v1/plans",
            {
                **{
                    "campaign": campaign.pk,
                    "cadre": others.cadre_id,
                    "target_type": "household",
                    "target_id": pairing.household_id,
                    "title": "x",
                    "deadline": "2027-01-01",
                }
            },
        ).status_code
        == 403
    )


def test_incidents_through_the_api(db):
    campaign = Campaign.objects.get(program_key="dazoufang")
    point = LiaisonPoint.objects.filter(region__code__startswith=campaign.region_id[:6]).first()
    body = {
        "campaign": campaign.pk,
        "point": point.pk,
        "kind": "major_case",
        "date": campaign.start.isoformat(),
        "description": "重大案件",
    }
    assert api("cadre")("post", "/api/v1/incidents", body).status_code == 403
    assert api("office")("post", "/api/v1/incidents", {**body, "kind": "nope"}).status_code == 422
    created = api("office")("post", "/api/v1/incidents", body)
    assert created.status_code == 201 and Incident.objects.filter(pk=created.json()["id"]).exists()
    assert created.json()["id"] in [
        i["id"] for i in api("leader")("get", "/api/v1/incidents").json()["items"]
    ]
    assert api("office_jinan")("get", "/api/v1/incidents").json()["count"] == 0
    assert api("office_jinan")("post", "/api/v1/incidents", body).status_code == 404


def test_team_summary_and_research_draft_through_the_api(db):
    team = Team.objects.filter(leader__isnull=False).select_related("leader__account").first()
    leader = api(team.leader.account.username)
    put = leader("put", f"/api/v1/teams/{team.pk}/summary", {"text": "本季度工作总结"})
    assert (
        put.status_code == 200
        and put.json()["text"] == "本季度工作总结"
        and "visits" in put.json()["figures"]
    )
    assert api("inspector")("put", f"/api/v1/teams/{team.pk}/summary", {"text": "x"}).status_code in (
        403,
        404,
    )
    assert api("office")("get", f"/api/v1/teams/{team.pk}/summary").json()["text"] == "本季度工作总结"
    draft = leader("get", f"/api/v1/research/teams/{team.pk}")
    assert draft.status_code == 200 and draft.json()["draft"].startswith("## ")
    cadre = Account.objects.get(username="cadre").cadre
    campaign = Campaign.objects.get(program_key="xiajiceng")
    mine = api("cadre")("get", f"/api/v1/research/cadres/{cadre.pk}?campaign={campaign.pk}")
    assert mine.status_code == 200 and mine.json()["figures"]["visits"] >= 0
    assert (
        api("office_jinan")("get", f"/api/v1/research/cadres/{cadre.pk}?campaign={campaign.pk}").status_code
        == 404
    )
    bad = api("cadre")(
        "get", f"/api/v1/research/cadres/{cadre.pk}?campaign={campaign.pk}&start=2026-09-01&end=2026-08-01"
    )
    assert bad.status_code == 422


def test_the_command_line_records_progress_summaries_and_writes_a_research_report(db, tmp_path, capsys):
    campaign = Campaign.objects.get(program_key="xiajiceng")
    point = LiaisonPoint.objects.filter(region__code__startswith=campaign.region_id[:6]).first()
    call_command(
        "fieldwork",
        "plan",
        "--campaign",
        str(campaign.pk),
        "--cadre",
        "cadre",
        "--point",
        str(point.pk),
        "--title",
        "村道硬化",
        "--deadline",
        "2027-06-30",
        "--commitment",
        "测量@2026-12-01",
    )
    plan = HelpPlan.objects.get(title="村道硬化")
    commitment = Commitment.objects.get(plan=plan)
    call_command(
        "fieldwork",
        "plan-progress",
        "--commitment",
        str(commitment.pk),
        "--progress",
        "100",
        "--done-on",
        "2026-11-01",
    )
    commitment.refresh_from_db()
    assert commitment.progress == 100 and commitment.done_on == dt.date(2026, 11, 1)
    call_command("fieldwork", "plans", "--campaign", str(campaign.pk))
    assert "\t2027年6月30日\t" in (listed := capsys.readouterr().out) and "村道硬化\t1/1" in listed
    team = Team.objects.filter(campaign=campaign).first() or Team.objects.create(
        campaign=campaign, name="测试队"
    )
    call_command(
        "fieldwork", "team-summary", "--team", str(team.pk), "--text", "命令行总结", "--on", "2026-11-02"
    )
    assert TeamSummary.objects.get(team=team).text == "命令行总结"
    out = tmp_path / "research.docx"
    call_command("fieldwork", "research", "--cadre", "cadre", "--campaign", str(campaign.pk), "-o", str(out))
    document = docx.Document(io.BytesIO(out.read_bytes()))
    assert document.tables and any(p.style.name == "Heading 2" for p in document.paragraphs)
    today = timezone.localdate()
    last = min(campaign.end or today, today)
    # The period under the title as the page's download writes it: days in words.
    assert any(
        p.text == f"{campaign.name} · {campaign.start.year}年{campaign.start.month}月{campaign.start.day}日"
        f"至{last.year}年{last.month}月{last.day}日"
        for p in document.paragraphs
    )
    out_team = tmp_path / "team.docx"
    call_command("fieldwork", "research", "--team", str(team.pk), "-o", str(out_team))
    assert docx.Document(str(out_team)).tables
