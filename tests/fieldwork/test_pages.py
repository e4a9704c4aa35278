"""Pages for help plans (with commitments and progress), incidents, relief payments and team
summaries: reachable from the field-work hub, scoped, audited, bad input refused."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from minqing.core.models import AuditEvent
from minqing.fieldwork.models import Commitment, HelpPlan, Incident, ReliefPayment, TeamSummary
from minqing.fieldwork.services import help_plan_create
from minqing.people.models import Household
from minqing.programs.models import Campaign, LiaisonPoint, Pairing, Team


@pytest.fixture
def campaign(db):
    return Campaign.objects.get(program_key="xiajiceng")


@pytest.fixture
def mine(campaign):
    """A household the demo cadre is paired with in the 下基层 campaign."""
    return Pairing.objects.filter(
        cadre__account__username="cadre", campaign=campaign, household__isnull=False
    ).first()


def test_the_hub_in_the_navigation_links_every_field_page(client_as):
    home = client_as("cadre").get("/").content.decode()
    assert 'href="/fieldwork/"' in home
    page = client_as("cadre").get("/fieldwork/").content.decode()
    for url in ("/fieldwork/plans/", "/fieldwork/relief/", "/fieldwork/incidents/", "/fieldwork/teams/"):
        assert f'href="{url}"' in page
    assert 'href="/fieldwork/"' not in client_as("unit").get("/").content.decode()


def test_a_cadre_makes_a_plan_for_a_paired_household_with_milestones(client_as, campaign, mine):
    client = client_as("cadre")
    response = client.post(
        "/fieldwork/plans/",
        {
            "campaign": campaign.pk,
            "target": f"household:{mine.household_id}",
            "title": "三年增收计划",
            "deadline": "2027-12-31",
            "commitments": "引进养殖项目 2026-12-31\n技能培训 2027-06-30",
        },
    )
    plan = HelpPlan.objects.get(title="三年增收计划")
    assert response.status_code == 302 and response["Location"] == f"/fieldwork/plans/{plan.pk}/"
    assert plan.cadre.account.username == "cadre" and plan.household_id == mine.household_id
    assert [c.title for c in plan.commitments.order_by("due")] == ["引进养殖项目", "技能培训"]
    assert AuditEvent.objects.filter(action="help_plan.create", object_id=str(plan.pk)).exists()
    first = plan.commitments.order_by("due").first()
    client.post(f"/fieldwork/plans/{plan.pk}/", {"id": first.pk, "progress": 100})
    first.refresh_from_db()
    assert first.progress == 100 and first.done_on is not None
    client.post(f"/fieldwork/plans/{plan.pk}/", {"action": "add", "title": "验收", "due": "2027-12-01"})
    assert plan.commitments.count() == 3
    page = client.get("/fieldwork/plans/").content.decode()
    assert "三年增收计划" in page and "33%" in page  # (100 + 0 + 0) / 3


def test_bad_plan_input_is_refused_and_changes_nothing(client_as, campaign, mine):
    before = HelpPlan.objects.count()
    with translation.override("en"):
        response = client_as("cadre").post(
            "/fieldwork/plans/",
            {
                "campaign": campaign.pk,
                "target": f"household:{mine.household_id}",
                "title": "计划",
                "deadline": "2027-01-01",
                "commitments": "没有日期的承诺",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200 and "due date" in response.content.decode()
    response = client_as("cadre").post(
        "/fieldwork/plans/",
        {
            "campaign": campaign.pk,
            "target": f"household:{mine.household_id}",
            "title": "计划",
            "deadline": "2027-01-01",
            "commitments": "太晚的承诺 2027-06-01",  # after the deadline
        },
    )
    assert response.status_code == 200 and HelpPlan.objects.count() == before
    commitment_before = Commitment.objects.count()
    plan = help_plan_create(
        actor=None,
        campaign=campaign,
        cadre=mine.cadre,
        title="p",
        target=mine.household,
        deadline=dt.date(2027, 1, 1),
    )
    client_as("cadre").post(
        f"/fieldwork/plans/{plan.pk}/", {"action": "add", "title": "x", "due": "2028-01-01"}
    )
    assert Commitment.objects.count() == commitment_before


def test_plans_are_scoped_and_only_their_cadre_or_office_edits_them(client_as, campaign, mine):
    plan = help_plan_create(
        actor=None,
        campaign=campaign,
        cadre=mine.cadre,
        title="危房改造",
        target=mine.household,
        deadline=dt.date(2027, 1, 1),
        commitments=[("拆除旧房", dt.date(2026, 12, 1))],
    )
    commitment = plan.commitments.get()
    assert client_as("office_jinan").get(f"/fieldwork/plans/{plan.pk}/").status_code == 404
    assert "危房改造" not in client_as("office_jinan").get("/fieldwork/plans/").content.decode()
    assert client_as("leader").get(f"/fieldwork/plans/{plan.pk}/").status_code == 200
    assert (
        client_as("leader")
        .post(f"/fieldwork/plans/{plan.pk}/", {"id": commitment.pk, "progress": 50})
        .status_code
        == 403
    )
    assert (
        client_as("office")
        .post(f"/fieldwork/plans/{plan.pk}/", {"id": commitment.pk, "progress": 50})
        .status_code
        == 302
    )
    commitment.refresh_from_db()
    assert commitment.progress == 50
    assert AuditEvent.objects.filter(action="commitment.progress", object_id=str(commitment.pk)).exists()


def test_the_office_records_an_incident_at_a_point_of_its_county(client_as):
    campaign = Campaign.objects.get(program_key="dazoufang")
    point = LiaisonPoint.objects.filter(region__code__startswith=campaign.region_id[:6]).first()
    data = {
        "campaign": campaign.pk,
        "point": point.pk,
        "kind": "safety_accident",
        "date": campaign.start.isoformat(),
        "description": "工地高处坠落",
    }
    assert client_as("cadre").post("/fieldwork/incidents/", data).status_code == 403
    assert client_as("office").post("/fieldwork/incidents/", data).status_code == 302
    incident = Incident.objects.get(description="工地高处坠落")
    assert AuditEvent.objects.filter(action="incident.record", object_id=str(incident.pk)).exists()
    assert "工地高处坠落" in client_as("office").get("/fieldwork/incidents/").content.decode()
    assert "工地高处坠落" not in client_as("office_jinan").get("/fieldwork/incidents/").content.decode()
    future = {**data, "date": (dt.date.today() + dt.timedelta(days=3)).isoformat(), "description": "未来"}
    client_as("office").post("/fieldwork/incidents/", future)
    assert not Incident.objects.filter(description="未来").exists()


def test_a_cadre_records_relief_for_a_paired_household(client_as, campaign, mine):
    data = {
        "campaign": campaign.pk,
        "household": mine.household_id,
        "amount_yuan": "61100",
        "date": "2026-06-01",
    }
    assert client_as("cadre").post("/fieldwork/relief/", data).status_code == 302
    payment = ReliefPayment.objects.get(
        household=mine.household, amount_yuan=Decimal("61100.00"), date=dt.date(2026, 6, 1)
    )
    assert AuditEvent.objects.filter(action="relief.pay", object_id=str(payment.pk)).exists()
    count = ReliefPayment.objects.count()
    client_as("office").post("/fieldwork/relief/", data)  # not paired with the household: refused
    assert ReliefPayment.objects.count() == count
    # Written as on the dashboard: thousands separated, the heading saying （元）.
    assert (
        '<td data-label="金额（元）">61,100.00</td>'
        in client_as("office").get("/fieldwork/relief/").content.decode()
    )
    other = Household.objects.exclude(
        pk__in=Pairing.objects.filter(cadre__account__username="cadre", household__isnull=False).values(
            "household_id"
        )
    ).first()
    client_as("cadre").post("/fieldwork/relief/", {**data, "household": other.pk})
    assert ReliefPayment.objects.count() == count


def test_the_team_leader_submits_the_summary_with_the_teams_figures(client_as, db):
    team = Team.objects.filter(leader__isnull=False).select_related("leader__account", "campaign").first()
    leader = team.leader.account
    client = client_as(leader.username)
    page = client.get(f"/fieldwork/teams/{team.pk}/summary/")
    assert page.status_code == 200
    assert client.post(f"/fieldwork/teams/{team.pk}/summary/", {"text": "  "}).status_code == 200
    assert not TeamSummary.objects.filter(team=team, text="").exists()
    assert client.post(f"/fieldwork/teams/{team.pk}/summary/", {"text": "工作队总结"}).status_code == 302
    summary = TeamSummary.objects.get(team=team)
    assert summary.text == "工作队总结" and "visits" in summary.figures
    assert AuditEvent.objects.filter(action="team_summary.submit", object_id=str(summary.pk)).exists()
    listing = client_as("office").get("/fieldwork/teams/").content.decode()
    assert team.name in listing
    if leader.username != "cadre" and not team.members.filter(account__username="cadre").exists():
        assert client_as("cadre").get(f"/fieldwork/teams/{team.pk}/summary/").status_code == 404
    assert client_as("inspector").post(f"/fieldwork/teams/{team.pk}/summary/", {"text": "x"}).status_code in (
        403,
        404,
    )


def test_deeds_and_the_monthly_report_write_amounts_as_the_dashboard_does(client_as, campaign, mine):
    """61,100.00 with 元 in the heading (the deeds list) or after the figure (the report),
    never ¥61100.00."""
    from minqing.fieldwork.services import deed_record, monthly_report_draft

    deed = deed_record(
        actor=mine.cadre.account,
        campaign=campaign,
        cadre=mine.cadre,
        kind="funds",
        title="修建便民桥",
        beneficiary=mine.household,
        date=dt.date(2026, 6, 1),
        value_yuan=Decimal("61100"),
    )
    page = client_as("cadre").get("/fieldwork/deeds/").content.decode()
    assert "61,100.00" in page and "¥" not in page
    report = monthly_report_draft(
        actor=mine.cadre.account, campaign=campaign, cadre=mine.cadre, month=deed.date
    )
    page = client_as("cadre").get(f"/fieldwork/reports/{report.pk}/").content.decode()
    assert "61,100.00元" in page and "¥" not in page
