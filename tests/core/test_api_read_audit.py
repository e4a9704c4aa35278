"""The API's reads of cadres' and residents' records record each call as the page that shows
the same data does: one audit row per request, by the token's account on the API's channel,
with the page's action, naming what was read (campaign, round, period, filters, how many rows)
and never the data itself. Figures that name no cadre, a team's summary (counts) and a demand
without a resident's contact write nothing."""

import json

import pytest
from django.utils import timezone

from minqing.appraisal import services as appraisal_services
from minqing.assessment.services import leader_record_draft
from minqing.core.models import AuditEvent
from minqing.fieldwork.models import Deed, HelpPlan, Incident, Visit
from minqing.fieldwork.photos import photo_attach
from minqing.fieldwork.services import team_summary_submit
from minqing.org.models import Account, Cadre
from minqing.org.services import token_create
from minqing.people.models import Member
from minqing.programs.models import Pairing, Team
from minqing.tickets.models import Ticket
from tests.core.test_list_read_audit import a_help_plan
from tests.core.test_web_read_audit import (
    _a_recall,
    _appraisal_round,
    _assert_no_personal_data,
    _assessed,
    _last_id,
    _new_rows,
    a_visit_photo,
    campaign,  # noqa: F401 (a fixture)
)


def _call(client, username: str, url: str) -> tuple[str, list[AuditEvent]]:
    """GET the API with a fresh token of the account, and the rows that one call wrote."""
    token = token_create(actor=None, account=Account.objects.get(username=username))
    before = _last_id()
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, (url, response.content)
    return json.dumps(response.json(), ensure_ascii=False), _new_rows(before)


def _one(rows: list[AuditEvent], action: str, username: str) -> AuditEvent:
    assert [row.action for row in rows] == [action]
    event = rows[0]
    assert (event.username, event.channel) == (username, "api")
    assert event.user_id == Account.objects.get(username=username).pk
    return event


def test_a_rounds_results_record_each_call(client, campaign):  # noqa: F811
    appraisal_round = _appraisal_round(campaign)
    shown, rows = _call(client, "office", f"/api/v1/appraisal/rounds/{appraisal_round.pk}/results")
    event = _one(rows, "appraisal.results.view", "office")
    assert (event.object_type, event.object_id) == ("appraisal.appraisalround", str(appraisal_round.pk))
    assert event.detail["shown"] == appraisal_round.samples.values("cadre").distinct().count() > 0
    assert (event.detail["campaign"], event.detail["period"]) == (campaign.pk, "2026-11")
    _assert_no_personal_data(event, shown)


def test_the_inspections_record_each_call_with_their_filters(client, campaign):  # noqa: F811
    shown, rows = _call(client, "inspector", f"/api/v1/inspections?campaign={campaign.pk}&kind=open")
    event = _one(rows, "inspection.list", "inspector")
    assert event.detail["filters"] == {"campaign": campaign.pk, "kind": "open"}
    assert event.detail["page"] == 1 and event.detail["total"] >= event.detail["shown"] > 0
    assert "actions" in event.detail
    _assert_no_personal_data(event, shown)


def test_the_assessment_ranking_records_each_call(client, campaign):  # noqa: F811
    _assessed(campaign)
    url = f"/api/v1/assessment/campaigns/{campaign.pk}/results?period=2026"
    shown, rows = _call(client, "office", url)
    event = _one(rows, "assessment.results.view", "office")
    assert (event.object_type, event.object_id) == ("programs.campaign", str(campaign.pk))
    assert event.detail["period"] == "2026" and event.detail["shown"] > 0 and "run" in event.detail
    _assert_no_personal_data(event, shown)


def test_a_period_not_assessed_is_a_404_and_records_nothing(client, campaign):  # noqa: F811
    token = token_create(actor=None, account=Account.objects.get(username="office"))
    before = _last_id()
    url = f"/api/v1/assessment/campaigns/{campaign.pk}/results?period=2025"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
    assert _new_rows(before) == []


def test_the_cadres_at_risk_record_each_call(client, campaign):  # noqa: F811
    _assessed(campaign)
    url = f"/api/v1/assessment/campaigns/{campaign.pk}/at-risk?as_of=2026-11-20"
    shown, rows = _call(client, "office", url)
    event = _one(rows, "assessment.at_risk.view", "office")
    assert (event.object_type, event.object_id) == ("programs.campaign", str(campaign.pk))
    assert event.detail["shown"] > 0 and event.detail["as_of"] == "2026-11-20"
    _assert_no_personal_data(event, shown)


def test_the_recalls_record_each_call_with_their_filters(client, campaign):  # noqa: F811
    _a_recall(campaign)
    shown, rows = _call(client, "office", f"/api/v1/recalls?campaign={campaign.pk}&status=proposed")
    event = _one(rows, "recall.list", "office")
    assert event.detail["filters"] == {"campaign": campaign.pk, "status": "proposed"}
    assert event.detail["shown"] > 0
    _assert_no_personal_data(event, shown)


def test_the_figures_by_cadre_record_each_call(client, campaign):  # noqa: F811
    shown, rows = _call(client, "office", f"/api/v1/campaigns/{campaign.pk}/figures?period=2026&by=cadre")
    event = _one(rows, "figures.view", "office")
    assert (event.object_type, event.object_id) == ("programs.campaign", str(campaign.pk))
    assert event.detail["by"] == "cadre" and event.detail["shown"] > 0
    assert event.detail["period"] == "2026"
    _assert_no_personal_data(event, shown)


def test_one_cadres_figures_record_each_call_naming_the_cadre_by_id_only(client, campaign):  # noqa: F811
    cadre = Pairing.objects.filter(campaign=campaign).first().cadre
    url = f"/api/v1/campaigns/{campaign.pk}/figures?period=2026&cadre={cadre.pk}"
    _shown, rows = _call(client, "office", url)
    event = _one(rows, "figures.view", "office")
    assert event.detail["selection"] == f"cadre={cadre.pk}" and event.detail["shown"] == 1
    assert str(cadre.account) not in str(event.detail)


@pytest.mark.parametrize("query", ["period=2026", "period=2026&by=unit", "period=2025&by=cadre"])
def test_figures_that_name_no_cadre_record_nothing(client, campaign, query):  # noqa: F811
    """A region's or its units' figures, or a ranking of cadres over a year with no one's work."""
    shown, rows = _call(client, "office", f"/api/v1/campaigns/{campaign.pk}/figures?{query}")
    if "by=cadre" in query:
        assert json.loads(shown)["groups"] == []  # no cadre ranked
    assert rows == []


# The API's lists of what the pages show one by one ------------------------------------------


def test_the_exemplary_cases_record_each_call(client, actor, campaign):  # noqa: F811
    cadre = actor("cadre").cadre
    appraisal_services.case_nominate(
        actor=actor("leader"), campaign=campaign, title="夜访困难户", story="…", cadre=cadre
    )
    shown, rows = _call(client, "office", f"/api/v1/exemplary-cases?campaign={campaign.pk}")
    event = _one(rows, "exemplary.list", "office")
    assert event.detail["filters"] == {"campaign": campaign.pk} and event.detail["shown"] > 0
    _assert_no_personal_data(event, shown)


def test_the_leaders_records_record_each_call(client, campaign):  # noqa: F811
    leader = Cadre.objects.get(account__username="leader")
    leader_record_draft(actor=None, cadre=leader, kind="quarterly", day=campaign.start)
    shown, rows = _call(client, "office", "/api/v1/leader-records?kind=quarterly")
    event = _one(rows, "leader_record.list", "office")
    assert event.detail["filters"] == {"kind": "quarterly"} and event.detail["shown"] > 0
    _assert_no_personal_data(event, shown)


# The API's reads of residents' records and of one cadre's --------------------------------------


def _resident_names() -> set[str]:
    """Residents' names (household heads, members), beside the names `_personal` knows."""
    return {name for name in Member.objects.values_list("name", flat=True) if len(name) >= 2}


def _personal_names() -> set[str]:
    """Cadres' (and other accounts') names."""
    return set(Account.objects.exclude(full_name="").values_list("full_name", flat=True))


def _assert_names_kept_out(event: AuditEvent, shown: str, names: set[str]) -> None:
    """The call showed some of `names` (else the test proves nothing); the row's detail none."""
    named = {name for name in names if name in shown}
    assert named, "the call showed none of these names: the test proves nothing"
    detail = json.dumps(event.detail, ensure_ascii=False)
    assert not [name for name in named if name in detail], detail


def test_the_cadres_record_each_call_with_their_search(client, db):
    shown, rows = _call(client, "office", "/api/v1/cadres")
    event = _one(rows, "cadre.list", "office")
    assert event.detail["page"] == 1 and event.detail["total"] >= event.detail["shown"] > 0
    _assert_no_personal_data(event, shown)
    some = Cadre.objects.filter(account__username="cadre").select_related("account").get()
    shown, rows = _call(client, "office", f"/api/v1/cadres?q={some.account.full_name}")
    event = _one(rows, "cadre.list", "office")
    # What was typed is kept, as the page keeps it; the cadres found are not named.
    assert event.detail["filters"] == {"q": some.account.full_name} and event.detail["shown"] == 1


def test_one_cadre_records_each_call(client, db):
    some = Cadre.objects.filter(account__username="cadre").get()
    shown, rows = _call(client, "office", f"/api/v1/cadres/{some.pk}")
    event = _one(rows, "cadre.view", "office")
    assert (event.object_type, event.object_id) == ("org.cadre", str(some.pk))
    assert event.detail == {"unit": some.unit_id, "shown": 1}
    _assert_no_personal_data(event, shown)


def test_a_campaigns_pairings_record_each_call(client, campaign):  # noqa: F811
    shown, rows = _call(client, "office", f"/api/v1/campaigns/{campaign.pk}/pairings")
    event = _one(rows, "pairing.list", "office")
    assert (event.object_type, event.object_id) == ("programs.campaign", str(campaign.pk))
    assert event.detail["page"] == 1 and event.detail["total"] >= event.detail["shown"] > 0
    _assert_no_personal_data(event, shown)


def _a_help_plan():
    a_help_plan()
    return HelpPlan.objects.get(title="增收计划")


def test_the_help_plans_record_each_call(client, db):
    _a_help_plan()
    shown, rows = _call(client, "office", "/api/v1/plans")
    event = _one(rows, "help_plan.list", "office")
    assert event.detail["page"] == 1 and event.detail["total"] >= event.detail["shown"] > 0
    _assert_no_personal_data(event, shown)


def test_one_help_plan_records_each_call(client, db):
    plan = _a_help_plan()
    shown, rows = _call(client, "office", f"/api/v1/plans/{plan.pk}")
    event = _one(rows, "help_plan.view", "office")
    assert (event.object_type, event.object_id) == ("fieldwork.helpplan", str(plan.pk))
    assert event.detail == {"campaign": plan.campaign_id, "commitments": 0, "shown": 1}
    _assert_no_personal_data(event, shown)


def test_the_relief_payments_record_each_call(client, db):
    """Which household was paid how much, by which cadre: by ids, yet a household's money."""
    shown, rows = _call(client, "office", "/api/v1/relief")
    event = _one(rows, "relief.list", "office")
    assert event.detail["page"] == 1 and event.detail["total"] >= event.detail["shown"] > 0
    assert set(event.detail) == {"page", "total", "shown"}
    assert json.loads(shown)["items"]


def test_a_demand_with_a_residents_contact_records_each_call(client, db):
    ticket = Ticket.objects.exclude(contact_name="").order_by("id").first()
    shown, rows = _call(client, "office", f"/api/v1/tickets/{ticket.pk}")
    event = _one(rows, "ticket.view", "office")
    assert (event.object_type, event.object_id) == ("tickets.ticket", str(ticket.pk))
    assert event.detail == {"shown": 1}
    assert ticket.contact_name in shown and ticket.contact_name not in json.dumps(event.detail)


def test_a_demand_without_a_contact_records_nothing_as_its_page(client, db):
    """The page records a demand's read when it shows the resident's contact; so does the API."""
    ticket = Ticket.objects.exclude(contact_name="").order_by("id").first()
    Ticket.objects.filter(pk=ticket.pk).update(contact_name="", contact_phone=None)
    _shown, rows = _call(client, "office", f"/api/v1/tickets/{ticket.pk}")
    assert rows == []


def test_one_visit_records_each_call(client, campaign):  # noqa: F811
    visit = Visit.objects.filter(campaign=campaign, member__isnull=False).order_by("id").first()
    visit = visit or Visit.objects.filter(campaign=campaign).order_by("id").first()
    shown, rows = _call(client, "office", f"/api/v1/visits/{visit.uuid}")
    event = _one(rows, "visit.view", "office")
    assert (event.object_type, event.object_id) == ("fieldwork.visit", str(visit.pk))
    assert event.detail == {"campaign": campaign.pk, "shown": 1}
    assert event.object_repr == str(visit.uuid)
    # The resident visited is named in the answer, not in the trail (object_repr included).
    _assert_names_kept_out(event, shown, _resident_names() | _personal_names())
    target = json.loads(shown)["target_name"]
    assert target not in event.object_repr


def test_the_incidents_record_each_call(client, campaign):  # noqa: F811
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
    shown, rows = _call(client, "office", "/api/v1/incidents")
    event = _one(rows, "incident.list", "office")
    assert event.detail["page"] == 1 and event.detail["total"] >= event.detail["shown"] > 0
    _assert_names_kept_out(event, shown, {resident.name})


def test_a_cadres_research_draft_records_each_call(client, campaign):  # noqa: F811
    some = Cadre.objects.filter(account__username="cadre").get()
    url = f"/api/v1/research/cadres/{some.pk}?campaign={campaign.pk}"
    shown, rows = _call(client, "office", url)
    event = _one(rows, "research_report.view", "office")
    assert (event.object_type, event.object_id) == ("org.cadre", str(some.pk))
    data = json.loads(shown)
    assert event.detail == {
        "campaign": campaign.pk,
        "start": data["start"],
        "end": data["end"],
        "shown": 1,
    }
    assert data["figures"]["visit_list"]  # the residents visited, by name
    _assert_names_kept_out(event, shown, _resident_names() | _personal_names())


def _a_team(campaign_of_the_team):
    """A team led by the demo cadre, whose visits name residents."""
    leader = Cadre.objects.get(account__username="cadre")
    return Team.objects.create(campaign=campaign_of_the_team, name="联合调研组", leader=leader)


def test_a_teams_research_draft_records_each_call(client, campaign):  # noqa: F811
    team = _a_team(campaign)
    shown, rows = _call(client, "office", f"/api/v1/research/teams/{team.pk}")
    event = _one(rows, "research_report.view", "office")
    assert (event.object_type, event.object_id) == ("programs.team", str(team.pk))
    data = json.loads(shown)
    assert event.detail == {
        "campaign": campaign.pk,
        "start": data["start"],
        "end": data["end"],
        "shown": 1,
    }
    assert data["figures"]["visit_list"]
    _assert_names_kept_out(event, shown, _resident_names() | _personal_names())


def test_a_teams_summary_names_no_one_and_records_nothing(client, campaign):  # noqa: F811
    """Counts and the team's own text, as the figures of a team (which write nothing): the lists
    that name residents are kept out of it."""
    team = _a_team(campaign)
    team_summary_submit(actor=None, campaign=campaign, team=team, text="总结", on=timezone.localdate())
    shown, rows = _call(client, "office", f"/api/v1/teams/{team.pk}/summary")
    assert json.loads(shown)["figures"]["visits"] > 0
    assert not {name for name in _resident_names() if name in shown}
    assert rows == []


def _fetch_photo(client, username: str, photo) -> list[AuditEvent]:
    token = token_create(actor=None, account=Account.objects.get(username=username))
    before = _last_id()
    response = client.get(f"/api/v1/photos/{photo.uuid}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    return _new_rows(before)


def test_a_visits_photo_records_each_call_named_by_its_uuid(client, campaign, settings, tmp_path):  # noqa: F811
    """As a demand's photo (ticket.photo.view): the resident, the home, seen."""
    visit, photo = a_visit_photo(campaign, settings, tmp_path)
    event = _one(_fetch_photo(client, "office", photo), "visit.photo.view", "office")
    assert (event.object_type, event.object_id) == ("fieldwork.photo", str(photo.pk))
    assert event.object_repr == str(photo.uuid) and event.detail == {"visit": visit.pk}
    kept = event.object_repr + json.dumps(event.detail, ensure_ascii=False)
    assert not [name for name in (str(visit.cadre), str(visit.target)) if name in kept], kept


def test_a_deeds_photo_records_each_call(client, campaign, settings, tmp_path):  # noqa: F811
    """Seen by the office of the deed's area (a photo's region is its deed's), and not by an
    office of another county."""
    deed = Deed.objects.filter(cadre__account__username="cadre").select_related("cadre__account").first()
    visit_photo = a_visit_photo(campaign, settings, tmp_path)[1]  # the same picture, on a deed
    with open(tmp_path / visit_photo.path, "rb") as picture:
        photo = photo_attach(actor=None, data=picture.read(), deed=deed)
    event = _one(_fetch_photo(client, "office", photo), "deed.photo.view", "office")
    elsewhere = token_create(actor=None, account=Account.objects.get(username="office_jinan"))
    assert (
        client.get(f"/api/v1/photos/{photo.uuid}", HTTP_AUTHORIZATION=f"Bearer {elsewhere}").status_code
        == 404
    )
    assert (event.object_type, event.object_id) == ("fieldwork.photo", str(photo.pk))
    assert event.object_repr == str(photo.uuid) and event.detail == {"deed": deed.pk}
