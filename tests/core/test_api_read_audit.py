"""The API's reads of cadres' records record each call as the page that shows the same data
does: one audit row per request, by the token's account on the API's channel, with the
page's action, naming what was read (campaign, round, period, filters, how many rows) and
never the data itself. Figures that name no cadre write nothing."""

import json

import pytest

from minqing.appraisal import services as appraisal_services
from minqing.assessment.services import leader_record_draft
from minqing.core.models import AuditEvent
from minqing.org.models import Account, Cadre
from minqing.org.services import token_create
from minqing.programs.models import Pairing
from tests.core.test_web_read_audit import (
    _a_recall,
    _appraisal_round,
    _assert_no_personal_data,
    _assessed,
    _last_id,
    _new_rows,
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
