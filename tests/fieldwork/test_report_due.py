"""A monthly report is due on one day: the one the campaign's monthly-report rule checks
(Campaign.report_due_day), which the office may change per campaign; the report's pages, the
phone (the API) and the check all show it. A campaign without the rule keeps its program's
cadence day."""

import datetime as dt
import json

import pytest
from django.test import Client

from minqing.core.models import AuditEvent
from minqing.fieldwork.models import MonthlyReport
from minqing.fieldwork.services import monthly_report_draft, monthly_report_submit
from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.programs.models import Campaign
from minqing.programs.services import campaign_change, pairing_create
from tests.programs.conftest import Scenario, verdict_for


@pytest.fixture
def scenario(db, actor):
    return Scenario(actor("office"))


def test_the_due_day_the_office_sets_on_the_rule_is_the_reports_due_day_everywhere(scenario, client_as):
    campaign = scenario.campaign("dundian", start=dt.date(2026, 4, 1))
    leader = scenario.cadre("member")
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=leader,
        kind="station",
        target=scenario.point(),
        start=campaign.start,
    )
    april = monthly_report_draft(
        actor=scenario.office, campaign=campaign, cadre=leader, month=dt.date(2026, 4, 1)
    )
    assert april.due == dt.date(2026, 5, 5)

    campaign_change(
        actor=scenario.office,
        campaign=campaign,
        reason="改为次月10日前",
        params={("monthly_report", "due_day"): 10},
    )
    campaign.refresh_from_db()
    assert campaign.report_due_day == 10
    # The report already drafted moves with the rule, and the change says how many moved.
    april.refresh_from_db()
    assert april.due == dt.date(2026, 5, 10)
    change = AuditEvent.objects.filter(action="campaign.change", object_id=str(campaign.pk)).latest("id")
    assert change.detail["monthly_reports_due_moved"] == 1

    may = monthly_report_draft(
        actor=scenario.office, campaign=campaign, cadre=leader, month=dt.date(2026, 5, 1)
    )
    assert may.due == dt.date(2026, 6, 10)
    may = monthly_report_submit(
        actor=scenario.office, report=may, text=may.text, on=dt.date(2026, 6, 8), base_version=may.version
    )
    assert not may.late
    # The check agrees: May's report, filed on 8 June, is on time; April's is missing.
    verdict = verdict_for(campaign, "monthly_report", leader.pk, as_of=dt.date(2026, 6, 12))
    assert verdict.actual == "1/2" and len(verdict.missing) == 1 and "2026年4月" in verdict.missing[0]
    page = client_as("office").get(f"/fieldwork/reports/{may.pk}/").content.decode()
    assert "2026年6月10日" in page


def _api(username):
    token = token_create(actor=None, account=Account.objects.get(username=username))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def draft(campaign, month):
        response = client.post(
            "/api/v1/reports/monthly",
            json.dumps({"campaign": campaign.pk, "month": month}),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return response.json()

    return draft


def test_a_campaign_without_the_rule_keeps_its_cadence_day_and_the_phone_shows_the_rule_s_once_on(db):
    """下基层 has no monthly-report rule: its reports are due on its cadence day (a campaign
    started before the rule decided it, or a program without it). Once a rule is on, the
    phone's draft shows the rule's day; a rule switched off leaves the cadence day."""
    campaign = Campaign.objects.get(program_key="xiajiceng")
    campaign.config["cadence"]["monthly_report_due_day"] = 8
    campaign.save(update_fields=["config"])
    draft = _api("cadre")
    assert draft(campaign, "2026-06-01")["due"] == "2026-07-08"

    rule = {"key": "report", "type": "reports.monthly", "name": "每月12日前报告", "params": {"due_day": 12}}
    campaign.config["rules"].append({**rule, "disabled": True})
    campaign.save(update_fields=["config"])
    assert campaign.report_due_day == 8
    campaign.config["rules"][-1] = rule
    campaign.save(update_fields=["config"])
    # Drafted again, the draft takes the day the check uses.
    assert draft(campaign, "2026-06-01")["due"] == "2026-07-12"
    assert MonthlyReport.objects.get(
        campaign=campaign, cadre__account__username="cadre", month="2026-06-01"
    ).due == (dt.date(2026, 7, 12))
