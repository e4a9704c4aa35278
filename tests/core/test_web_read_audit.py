"""The pages that show cadres' records or residents' words by name record each view as the
command line does the same read: one audit row per request, by the signed-in account on the
web's channel, with the command's action, naming what was read (campaign, round, period, the
filters with ID numbers and phones masked, how many rows) and never the data itself. Public
pages and pages of figures that name no one write nothing."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from PIL import Image

from minqing.appraisal import services as appraisal_services
from minqing.appraisal.models import AppraisalRound, ExemplaryCase, Inspection, Sample
from minqing.assessment import services as assessment_services
from minqing.assessment.models import AssessmentResult, LeaderRecord, Recall
from minqing.assessment.selectors import cadre_results
from minqing.core.models import AuditEvent
from minqing.fieldwork.models import HelpPlan, Incident, Visit
from minqing.fieldwork.photos import photo_attach
from minqing.fieldwork.services import monthly_report_draft
from minqing.org.models import Account, Cadre
from minqing.people.models import Member
from minqing.programs.models import Campaign, Pairing, Team
from minqing.tickets.models import Ticket
from tests.core.test_list_read_audit import a_help_plan


@pytest.fixture
def campaign(db):
    return Campaign.objects.select_related("region").get(program_key="xiajiceng")


def _last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _new_rows(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=before).order_by("id"))


def _personal() -> set[str]:
    """What the pages show that names someone or tells their record: cadres' and residents'
    names, demands' titles, inspections' findings, exemplary cases' titles."""
    names = set(Account.objects.exclude(full_name="").values_list("full_name", flat=True))
    names |= set(Ticket.objects.values_list("title", flat=True))
    names |= set(Inspection.objects.values_list("findings", flat=True))
    names |= set(ExemplaryCase.objects.values_list("title", flat=True))
    return {name for name in names if len(name) >= 2}


def _assert_no_personal_data(event: AuditEvent, shown: str) -> None:
    """The page named someone (else the test proves nothing); the row names none of them."""
    named = {name for name in _personal() if name in shown}
    assert named, "the page showed no one's name: the test proves nothing"
    detail = json.dumps(event.detail, ensure_ascii=False)
    assert not [name for name in named if name in detail], detail


def _read(client, url: str) -> tuple[str, list[AuditEvent]]:
    """GET the page (once before, for the session to settle: a sign-in is audited), and the
    rows that one view wrote."""
    client.get(url)
    before = _last_id()
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), _new_rows(before)


def _one(rows: list[AuditEvent], action: str, username: str) -> AuditEvent:
    assert [row.action for row in rows] == [action]
    event = rows[0]
    assert (event.username, event.channel) == (username, "web")
    assert event.user_id == Account.objects.get(username=username).pk
    return event


# Residents' appraisal ---------------------------------------------------------------


def _appraisal_round(campaign) -> AppraisalRound:
    call_command(
        "appraisal",
        "draw",
        "--campaign",
        str(campaign.pk),
        "--period",
        "2026-11",
        "--seed",
        "5",
        stdout=io.StringIO(),
    )
    return AppraisalRound.objects.get(campaign=campaign, period="2026-11")


@pytest.mark.parametrize("page", ["", "publication/"])
def test_the_appraisal_results_record_each_view(client_as, campaign, page):
    appraisal_round = _appraisal_round(campaign)
    shown, rows = _read(client_as("office"), f"/appraisal/{appraisal_round.pk}/{page}")
    event = _one(rows, "appraisal.results.view", "office")
    assert (event.object_type, event.object_id) == ("appraisal.appraisalround", str(appraisal_round.pk))
    assert event.detail["shown"] == appraisal_round.samples.values("cadre").distinct().count() > 0
    assert (event.detail["campaign"], event.detail["period"]) == (campaign.pk, "2026-11")
    _assert_no_personal_data(event, shown)


def test_the_released_list_residents_read_without_signing_in_records_nothing(client_as, campaign):
    """Published on purpose: the public page is no read of anyone's record."""
    appraisal_round = _appraisal_round(campaign)
    answered = appraisal_round.samples.first()
    Sample.objects.filter(pk=answered.pk).update(status="answered", verdict="satisfied")
    appraisal_services.round_release(actor=None, appraisal_round=appraisal_round)
    shown, rows = _read(client_as(None), f"/public/appraisal/{appraisal_round.pk}/")
    assert {name for name in _personal() if name in shown}
    assert not [row for row in rows if row.action.endswith((".view", ".list"))]


# Inspections --------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["office", "inspector"])
def test_the_inspection_list_records_each_view_with_its_filter(client_as, username):
    shown, rows = _read(client_as(username), "/inspections/?kind=open")
    event = _one(rows, "inspection.list", username)
    assert event.detail["filters"] == {"kind": "open"}
    assert event.detail["page"] == 1 and event.detail["total"] >= event.detail["shown"] > 0
    assert "open_actions" in event.detail
    _assert_no_personal_data(event, shown)


# Assessment and recall ---------------------------------------------------------------------


def _assessed(campaign) -> None:
    """The year assessed, and a rule that flags every cadre whose composite is under 100."""
    assessment_services.recall_rule_set(actor=None, campaign=campaign, composite_below="100")
    call_command(
        "assessment", "run", "--campaign", str(campaign.pk), "--period", "2026", stdout=io.StringIO()
    )


def test_the_assessment_ranking_records_each_view(client_as, campaign):
    _assessed(campaign)
    shown, rows = _read(client_as("office"), f"/assessment/campaigns/{campaign.pk}/?period=2026")
    event = _one(rows, "assessment.results.view", "office")
    assert (event.object_type, event.object_id) == ("programs.campaign", str(campaign.pk))
    assert event.detail["period"] == "2026" and event.detail["shown"] > 0
    _assert_no_personal_data(event, shown)


def test_a_period_not_assessed_shows_no_one_and_records_nothing(client_as, campaign):
    _shown, rows = _read(client_as("office"), f"/assessment/campaigns/{campaign.pk}/?period=2025")
    assert rows == []


def test_a_cadres_assessment_records_each_view(client_as, actor, campaign):
    _assessed(campaign)
    result = AssessmentResult.objects.filter(run__campaign=campaign, run__period="2026").first()
    # The cadre's page shows the cadre's newest result in sight.
    newest = cadre_results(user=actor("office"), cadre=result.cadre).first()
    client = client_as("office")
    for url, shown_result in (
        (f"/assessment/results/{result.pk}/", result),
        (f"/assessment/cadres/{result.cadre_id}/", newest),
    ):
        shown, rows = _read(client, url)
        event = _one(rows, "assessment.result.view", "office")
        assert (event.object_type, event.object_id) == ("assessment.assessmentresult", str(shown_result.pk))
        assert event.detail["shown"] == 1 and event.detail["history"] > 0
        assert event.detail["period"] == shown_result.run.period
        _assert_no_personal_data(event, shown)


def _a_recall(campaign) -> None:
    cadre = Pairing.objects.filter(campaign=campaign, end__isnull=True).first().cadre
    assessment_services.recall_propose(
        actor=None, campaign=campaign, cadre=cadre, reasons=["多次缺勤"], note=""
    )


def test_the_recall_list_records_each_view(client_as, campaign):
    _a_recall(campaign)
    shown, rows = _read(client_as("office"), "/assessment/recalls/?status=proposed")
    event = _one(rows, "recall.list", "office")
    assert event.detail["filters"] == {"status": "proposed"} and event.detail["shown"] > 0
    _assert_no_personal_data(event, shown)


def test_the_recall_list_of_a_campaign_records_the_cadres_at_risk_as_a_read_of_its_own(client_as, campaign):
    """The page then shows two lists by name: the recalls and the cadres the rule flags, each
    recorded with the action of its command (`recall list`, `assessment at-risk`)."""
    _assessed(campaign)
    _a_recall(campaign)
    shown, rows = _read(client_as("office"), f"/assessment/recalls/?campaign={campaign.pk}")
    assert [row.action for row in rows] == ["recall.list", "assessment.at_risk.view"]
    recalls, at_risk = rows
    assert recalls.detail["filters"] == {"campaign": campaign.pk}
    assert (at_risk.object_type, at_risk.object_id) == ("programs.campaign", str(campaign.pk))
    assert at_risk.detail["shown"] > 0 and "as_of" in at_risk.detail
    for event in rows:
        assert (event.username, event.channel) == ("office", "web")
        _assert_no_personal_data(event, shown)


# The dashboard -----------------------------------------------------------------------------


def test_the_dashboards_ranking_of_cadres_records_each_view(client_as, campaign):
    shown, rows = _read(client_as("office"), f"/campaigns/{campaign.pk}/dashboard/?period=2026")
    event = _one(rows, "figures.view", "office")
    assert (event.object_type, event.object_id) == ("programs.campaign", str(campaign.pk))
    assert event.detail["by"] == "cadre" and 0 < event.detail["shown"] <= 20
    assert event.detail["period"] == "2026"
    _assert_no_personal_data(event, shown)


def test_one_cadres_dashboard_records_each_view_naming_the_cadre_by_id_only(client_as, campaign):
    cadre = Pairing.objects.filter(campaign=campaign).select_related("cadre__account").first().cadre
    url = f"/campaigns/{campaign.pk}/dashboard/?period=2026&cadre={cadre.pk}"
    shown, rows = _read(client_as("office"), url)
    event = _one(rows, "figures.view", "office")
    assert event.detail["selection"] == f"cadre={cadre.pk}" and event.detail["shown"] == 1
    assert str(cadre.account) in shown
    _assert_no_personal_data(event, shown)


def test_a_dashboard_that_names_no_cadre_records_nothing(client_as, campaign):
    """A period with no cadre's work in it: figures only, no one named."""
    shown, rows = _read(client_as("office"), f"/campaigns/{campaign.pk}/dashboard/?period=2025")
    ranking = re.search(r'<table[^>]*id="by-cadre".*?</table>', shown, re.S).group(0)
    assert 'role="alert"' not in shown and "<a " not in ranking  # the year asked for; no cadre ranked
    assert not [row for row in rows if row.action == "figures.view"]


# Demands ------------------------------------------------------------------------------------


def test_the_dispatch_board_records_each_view_with_its_filters_masked(client_as):
    client = client_as("office")
    shown, rows = _read(client, "/tickets/")
    event = _one(rows, "ticket.list", "office")
    assert event.detail["page"] == 1 and event.detail["total"] >= event.detail["shown"] > 0
    _assert_no_personal_data(event, shown)
    # A phone typed into the search is kept masked, as the other lists keep it.
    _shown, rows = _read(client, "/tickets/?q=13812345678&overdue=")
    event = _one(rows, "ticket.list", "office")
    assert event.detail["filters"] == {"q": "138****5678"}


def test_my_demands_record_each_view(client_as):
    shown, rows = _read(client_as("leader"), "/tickets/mine/")
    event = _one(rows, "ticket.list", "leader")
    assert event.detail["filters"] == {"mine": True} and event.detail["shown"] > 0
    _assert_no_personal_data(event, shown)


# One cadre's record, page by page -----------------------------------------------------------


def test_an_inspection_records_each_view(client_as, campaign):
    inspection = Inspection.objects.filter(campaign=campaign, cadre__isnull=False).first()
    shown, rows = _read(client_as("office"), f"/inspections/{inspection.pk}/")
    event = _one(rows, "inspection.view", "office")
    assert (event.object_type, event.object_id) == ("appraisal.inspection", str(inspection.pk))
    assert event.detail["shown"] == 1 and event.detail["campaign"] == campaign.pk
    assert event.detail["actions"] == inspection.actions.count()
    assert str(inspection.cadre.account) in shown
    _assert_no_personal_data(event, shown)


def test_a_recall_records_each_view(client_as, campaign):
    _a_recall(campaign)
    recall = Recall.objects.filter(campaign=campaign).select_related("cadre__account").first()
    shown, rows = _read(client_as("office"), f"/assessment/recalls/{recall.pk}/")
    event = _one(rows, "recall.view", "office")
    assert (event.object_type, event.object_id) == ("assessment.recall", str(recall.pk))
    assert (event.detail["shown"], event.detail["status"]) == (1, "proposed")
    assert event.detail["events"] == recall.events.count()
    assert str(recall.cadre.account) in shown
    _assert_no_personal_data(event, shown)


def _a_case(campaign, actor) -> ExemplaryCase:
    return appraisal_services.case_nominate(
        actor=actor("leader"), campaign=campaign, title="夜访困难户", story="…", cadre=actor("cadre").cadre
    )


def test_the_exemplary_cases_record_each_view_with_their_filter(client_as, actor, campaign):
    _a_case(campaign, actor)
    shown, rows = _read(client_as("office"), "/exemplary/?status=nominated")
    event = _one(rows, "exemplary.list", "office")
    assert event.detail["filters"] == {"status": "nominated"} and event.detail["shown"] > 0
    _assert_no_personal_data(event, shown)


def test_an_exemplary_case_records_each_view(client_as, actor, campaign):
    case = _a_case(campaign, actor)
    shown, rows = _read(client_as("office"), f"/exemplary/{case.pk}/")
    event = _one(rows, "exemplary.view", "office")
    assert (event.object_type, event.object_id) == ("appraisal.exemplarycase", str(case.pk))
    assert event.detail == {
        "campaign": campaign.pk,
        "subject": "cadre",
        "status": "nominated",
        "shown": 1,
    }
    assert str(actor("cadre")) in shown
    _assert_no_personal_data(event, shown)


def _a_leader_record(campaign) -> LeaderRecord:
    leader = Cadre.objects.get(account__username="leader")
    return assessment_services.leader_record_draft(
        actor=None, cadre=leader, kind="quarterly", day=campaign.start
    )


def test_the_leaders_records_record_each_view_with_their_filter(client_as, campaign):
    _a_leader_record(campaign)
    shown, rows = _read(client_as("office"), "/assessment/leader-records/?kind=quarterly")
    event = _one(rows, "leader_record.list", "office")
    assert event.detail["filters"] == {"kind": "quarterly"} and event.detail["shown"] > 0
    _assert_no_personal_data(event, shown)


def test_a_leaders_record_records_each_view(client_as, campaign):
    record = _a_leader_record(campaign)
    shown, rows = _read(client_as("office"), f"/assessment/leader-records/{record.pk}/")
    event = _one(rows, "leader_record.view", "office")
    assert (event.object_type, event.object_id) == ("assessment.leaderrecord", str(record.pk))
    assert event.detail == {
        "kind": "quarterly",
        "start": record.start.isoformat(),
        "status": "draft",
        "shown": 1,
    }
    assert str(record.cadre.account) in shown
    _assert_no_personal_data(event, shown)


# Residents' records and one cadre's, page by page (as the API's reads of them) ------------------


def _names_seen(shown: str) -> set[str]:
    """The cadres' and residents' names (and the other records `_personal` knows) the page shows."""
    names = _personal() | {name for name in Member.objects.values_list("name", flat=True) if len(name) >= 2}
    named = {name for name in names if name in shown}
    assert named, "the page showed no one's name: the test proves nothing"
    return named


def _assert_named_by_id_only(event: AuditEvent, shown: str, *, record_of: str = "") -> None:
    """Neither the row's detail nor its object's name holds a name the page showed; `record_of`
    is the cadre whose record the row is of, whom its object names as every row of a cadre's
    record does (recall.view, leader_record.view, the API's cadre.view)."""
    named = _names_seen(shown)
    detail = json.dumps(event.detail, ensure_ascii=False)
    assert not [name for name in named if name in detail], detail
    assert not [name for name in named - {record_of} if name in event.object_repr], event.object_repr


def test_one_cadres_page_records_each_view_as_the_api(client_as):
    some = Cadre.objects.filter(account__username="cadre").select_related("account").get()
    shown, rows = _read(client_as("office"), f"/org/cadres/{some.pk}/")
    event = _one(rows, "cadre.view", "office")
    assert (event.object_type, event.object_id) == ("org.cadre", str(some.pk))
    assert event.detail == {"unit": some.unit_id, "shown": 1}
    assert str(some.account) in shown
    _assert_named_by_id_only(event, shown, record_of=str(some.account))


def _a_visit_to_a_member(campaign) -> Visit:
    visits = Visit.objects.filter(campaign=campaign).select_related("member", "household", "point")
    return visits.filter(member__isnull=False).order_by("id").first() or visits.order_by("id").first()


def test_one_visits_page_records_each_view_named_by_its_uuid(client_as, campaign):
    visit = _a_visit_to_a_member(campaign)
    shown, rows = _read(client_as("office"), f"/fieldwork/visits/{visit.uuid}/")
    event = _one(rows, "visit.view", "office")
    assert (event.object_type, event.object_id) == ("fieldwork.visit", str(visit.pk))
    assert event.detail == {"campaign": campaign.pk, "shown": 1}
    assert event.object_repr == str(visit.uuid)
    assert str(visit.cadre) in shown  # whom the visit's own label names (and its target)
    _assert_named_by_id_only(event, shown)


def test_one_help_plans_page_records_each_view_as_the_api(client_as, db):
    a_help_plan()
    plan = HelpPlan.objects.get(title="增收计划")
    shown, rows = _read(client_as("office"), f"/fieldwork/plans/{plan.pk}/")
    event = _one(rows, "help_plan.view", "office")
    assert (event.object_type, event.object_id) == ("fieldwork.helpplan", str(plan.pk))
    assert event.detail == {"campaign": plan.campaign_id, "commitments": 0, "shown": 1}
    _assert_named_by_id_only(event, shown)


def test_the_incidents_page_records_each_view(client_as, campaign):
    """Casualties, accidents, petitions, major cases: told of people, in words."""
    resident = Member.objects.filter(household__region__code__startswith=campaign.region_id[:6]).first()
    point = Pairing.objects.filter(campaign=campaign, point__isnull=False).first().point
    Incident.objects.create(
        campaign=campaign,
        point=point,
        kind="casualty",
        date=campaign.start,
        description=f"村民{resident.name}在工地受伤",
    )
    shown, rows = _read(client_as("office"), "/fieldwork/incidents/")
    event = _one(rows, "incident.list", "office")
    assert event.detail["page"] == 1 and event.detail["total"] >= event.detail["shown"] > 0
    assert resident.name in shown
    _assert_named_by_id_only(event, shown)


def test_the_monthly_reports_page_records_each_view(client_as, campaign):
    """The office's list names each cadre whose report it shows."""
    cadre = Pairing.objects.filter(cadre__account__username="cadre", campaign=campaign).first().cadre
    monthly_report_draft(actor=cadre.account, campaign=campaign, cadre=cadre, month=dt.date(2026, 10, 1))
    shown, rows = _read(client_as("office"), "/fieldwork/reports/")
    event = _one(rows, "monthly_report.list", "office")
    assert event.detail["page"] == 1 and event.detail["total"] >= event.detail["shown"] > 0
    assert str(cadre.account) in shown
    _assert_named_by_id_only(event, shown)


def test_a_monthly_report_read_by_another_records_each_view_and_its_writer_s_reading_does_not(
    client_as, campaign
):
    cadre = Pairing.objects.filter(cadre__account__username="cadre", campaign=campaign).first().cadre
    report = monthly_report_draft(
        actor=cadre.account, campaign=campaign, cadre=cadre, month=dt.date(2026, 10, 1)
    )
    shown, rows = _read(client_as("office"), f"/fieldwork/reports/{report.pk}/")
    event = _one(rows, "monthly_report.view", "office")
    assert (event.object_type, event.object_id) == ("fieldwork.monthlyreport", str(report.pk))
    assert event.detail == {"campaign": campaign.pk, "month": "2026-10-01", "shown": 1}
    assert _read(client_as("cadre"), f"/fieldwork/reports/{report.pk}/")[1] == []


def test_a_cadres_research_page_records_each_view_as_the_api(client_as, campaign):
    some = Cadre.objects.filter(account__username="cadre").select_related("account").get()
    url = f"/fieldwork/research/cadres/{some.pk}/?campaign={campaign.pk}&start=2026-01-01&end=2026-10-31"
    shown, rows = _read(client_as("office"), url)
    event = _one(rows, "research_report.view", "office")
    assert (event.object_type, event.object_id) == ("org.cadre", str(some.pk))
    assert event.detail == {"campaign": campaign.pk, "start": "2026-01-01", "end": "2026-10-31", "shown": 1}
    _assert_named_by_id_only(event, shown, record_of=str(some.account))


def test_a_teams_research_page_records_each_view_as_the_api(client_as, campaign):
    leader = Cadre.objects.get(account__username="cadre")
    team = Team.objects.create(campaign=campaign, name="联合调研组", leader=leader)
    shown, rows = _read(client_as("office"), f"/fieldwork/research/teams/{team.pk}/?start=2026-01-01")
    event = _one(rows, "research_report.view", "office")
    assert (event.object_type, event.object_id) == ("programs.team", str(team.pk))
    assert event.detail["campaign"] == campaign.pk and event.detail["start"] == "2026-01-01"
    assert set(event.detail) == {"campaign", "start", "end", "shown"} and event.detail["shown"] == 1
    _assert_named_by_id_only(event, shown)


def a_visit_photo(campaign, settings, tmp_path):
    """A photo of a visit (to a member where the demo has one), kept under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    visit = _a_visit_to_a_member(campaign)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 60)).save(out, format="JPEG")
    return visit, photo_attach(actor=None, data=out.getvalue(), visit=visit)


def test_a_visits_photo_records_each_view_named_by_its_uuid(client_as, campaign, settings, tmp_path):
    visit, photo = a_visit_photo(campaign, settings, tmp_path)
    client = client_as("office")
    client.get("/")
    before = _last_id()
    response = client.get(f"/fieldwork/photos/{photo.uuid}/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    event = _one(_new_rows(before), "visit.photo.view", "office")
    assert (event.object_type, event.object_id) == ("fieldwork.photo", str(photo.pk))
    assert event.object_repr == str(photo.uuid) and event.detail == {"visit": visit.pk}
    # The visit's own label names the cadre and the resident: neither is in the row.
    kept = event.object_repr + json.dumps(event.detail, ensure_ascii=False)
    assert not [name for name in (str(visit.cadre), str(visit.target)) if name in kept], kept
