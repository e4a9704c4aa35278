"""A team's figures: counted over all its members' records once the team is in the viewer's scope,
one period for the page, the research report, the API and the stored summary; the stored summary
holds counts only (no residents' names, no visit texts); one summary per team."""

import json
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from minqing.core.scope import scoped
from minqing.fieldwork.models import TeamSummary, Visit
from minqing.fieldwork.services import team_summary_submit, visit_record
from minqing.org.models import Account
from minqing.programs.models import Campaign, Pairing, Team

from .test_records_api import api

LISTS = ("visit_list", "problem_list", "deed_list")  # name residents, quote visits
OTHERS_TEXT = "另一名队员的走访记录甲乙丙"


@pytest.fixture
def team(db):
    """A team led by the demo cadre (who sees only their own records) with another cadre as
    member, who visited a household of their own."""
    campaign = Campaign.objects.get(program_key="xiajiceng")
    leader = Account.objects.get(username="cadre").cadre
    other = (
        Pairing.objects.filter(campaign=campaign, household__isnull=False, cadre__account__isnull=False)
        .exclude(cadre=leader)
        .select_related("cadre__account", "household__head")
        .first()
    )
    team = Team.objects.create(campaign=campaign, name="联合调研组", leader=leader)
    team.members.add(other.cadre)
    start, end = _period(team)
    visit = visit_record(
        actor=other.cadre.account,
        campaign=campaign,
        cadre=other.cadre,
        date=end,  # the latest: the lists keep the last visits
        form="home_visit",
        target=other.household,
        content=OTHERS_TEXT,
        problems=["另一名队员登记的问题"],
    )
    assert start <= end
    leader_account = leader.account
    assert not scoped(Visit, leader_account, "programs.view").filter(pk=visit.pk).exists()
    return team, other


def _period(team):
    """The campaign's period, ending today at the latest (what the page has always shown)."""
    today = timezone.localdate()
    return team.campaign.start, min(team.campaign.end or today, today)


def _team_visits(team) -> int:
    start, end = _period(team)
    return Visit.objects.filter(
        campaign=team.campaign,
        cadre_id__in={team.leader_id, *team.members.values_list("pk", flat=True)},
        date__range=(start, end),
    ).count()


def _rows(page) -> dict:
    return dict(page.context["rows"])


def test_the_leader_sees_the_teams_counts_not_only_their_own(client_as, team):
    team, _other = team
    expected = _team_visits(team)
    with translation.override("zh-hans"):
        visits_label = gettext("Number of visits")
    client = client_as("cadre")
    summary_page = client.get(f"/fieldwork/teams/{team.pk}/summary/")
    assert _rows(summary_page)[visits_label] == str(expected)
    research_page = client.get(f"/fieldwork/research/teams/{team.pk}/")
    assert _rows(research_page)[visits_label] == str(expected)
    draft = api("cadre")("get", f"/api/v1/research/teams/{team.pk}")
    assert draft.status_code == 200 and draft.json()["figures"]["visits"] == expected
    # the lists name residents: only from the records the leader may see
    assert OTHERS_TEXT not in draft.json()["draft"]
    assert OTHERS_TEXT not in research_page.content.decode()
    assert OTHERS_TEXT not in json.dumps(draft.json(), ensure_ascii=False)
    # the office sees the member's records, so its draft lists them
    office = api("office")("get", f"/api/v1/research/teams/{team.pk}")
    assert office.json()["figures"]["visits"] == expected and OTHERS_TEXT in office.json()["draft"]


def test_the_stored_summary_holds_counts_only_and_the_page_period(client_as, team):
    team, other = team
    put = api("cadre")("put", f"/api/v1/teams/{team.pk}/summary", {"text": "联合调研组总结"})
    assert put.status_code == 200
    summary = TeamSummary.objects.get(team=team)
    stored = json.dumps(summary.figures, ensure_ascii=False)
    assert not set(LISTS) & set(summary.figures)
    assert OTHERS_TEXT not in stored and other.household.head.name not in stored
    assert summary.figures["visits"] == _team_visits(team)
    start, end = _period(team)
    assert (summary.figures["start"], summary.figures["end"]) == (start.isoformat(), end.isoformat())
    for username in ("cadre", "office"):
        got = api(username)("get", f"/api/v1/teams/{team.pk}/summary")
        text = json.dumps(got.json(), ensure_ascii=False)
        assert got.status_code == 200 and OTHERS_TEXT not in text and other.household.head.name not in text
        assert got.json()["figures"]["visits"] == _team_visits(team)


def test_a_team_has_one_summary_per_campaign(team):
    team, _other = team
    actor = Account.objects.get(username="cadre")
    first = team_summary_submit(
        actor=actor, campaign=team.campaign, team=team, text="第一稿", on=team.campaign.start
    )
    second = team_summary_submit(
        actor=actor, campaign=team.campaign, team=team, text="第二稿", on=team.campaign.start
    )
    assert first.pk == second.pk and TeamSummary.objects.filter(team=team).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamSummary.objects.create(campaign=team.campaign, team=team, text="重复")
    assert TeamSummary.objects.get(team=team).text == "第二稿"


def test_the_relief_labels_read_as_the_glossary_names_them():
    with translation.override("zh-hans"):
        assert "慰问金" in gettext("Relief payments")
        assert "次数" not in gettext("Relief payments")
        assert "慰问金" in gettext("Households given relief")


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite has one writer at a time by design")
def test_parallel_submits_leave_one_summary(transactional_db):
    from minqing.demo.generate import database_is_empty, generate

    if database_is_empty():
        generate(scale="village", seed=7)
    campaign = Campaign.objects.get(program_key="xiajiceng")
    actor = Account.objects.get(username="cadre")
    team = Team.objects.create(campaign=campaign, name="并发提交组", leader=actor.cadre)
    errors, lock = [], threading.Lock()

    def submit(n):
        try:
            team_summary_submit(actor=actor, campaign=campaign, team=team, text=f"总结{n}", on=campaign.start)
        except Exception as exc:  # noqa: BLE001 - any error of a submit is what the test reports
            with lock:
                errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert TeamSummary.objects.filter(campaign=campaign, team=team).count() == 1


def test_the_migration_keeps_one_summary_per_team_and_drops_the_lists(transactional_db):
    """Rows written before the constraint: duplicates and stored lists of residents' visits."""
    from django.db.migrations.executor import MigrationExecutor

    from minqing.demo.generate import database_is_empty, generate

    if database_is_empty():
        generate(scale="village", seed=7)
    before, after = (
        [("fieldwork", "0003_photo_source_digest")],
        [("fieldwork", "0005_teamsummary_one_per_team")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("fieldwork", "TeamSummary")
        team = Team.objects.select_related("campaign").first()
        lists = {
            "visit_list": [{"target": "某居民", "content": OTHERS_TEXT}],
            "problem_list": ["x"],
            "deed_list": [],
        }
        old.objects.create(
            campaign_id=team.campaign_id, team_id=team.pk, text="旧稿", figures={"visits": 1, **lists}
        )
        old.objects.create(
            campaign_id=team.campaign_id,
            team_id=team.pk,
            text="新稿",
            figures={"visits": 2, **lists},
            submitted_on=team.campaign.start,
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
    try:
        kept = TeamSummary.objects.get(team=team)
        assert kept.text == "新稿" and kept.figures == {"visits": 2}
    finally:
        # The later migrations too (0008 adds a column of the visits): the tests after this one
        # read the schema as the code has it.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes("fieldwork"))
