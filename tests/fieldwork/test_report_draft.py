"""A cadre's monthly report: its draft is saved to be finished later (on the page and through
the API), stays a draft and is audited as an edit; a draft past its due day says by how many
days, on its page and in the list."""

import datetime as dt
import json
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone, translation

from minqing.core.models import AuditEvent
from minqing.fieldwork.models import MonthlyReport
from minqing.fieldwork.services import monthly_report_draft
from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.programs.models import Campaign, Pairing

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def october(db, monkeypatch):
    """The demo cadre's draft of October 2026 (due 5 November), opened on 23 November."""
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
    campaign = Campaign.objects.get(program_key="xiajiceng")
    cadre = Pairing.objects.filter(cadre__account__username="cadre", campaign=campaign).first().cadre
    report = monthly_report_draft(
        actor=cadre.account, campaign=campaign, cadre=cadre, month=dt.date(2026, 10, 1)
    )
    assert report.due == dt.date(2026, 11, 5)
    return report


def test_a_cadre_saves_the_draft_and_it_stays_a_draft(client_as, october):
    client = client_as("cadre")
    page = client.get(f"/fieldwork/reports/{october.pk}/").content.decode()
    assert 'value="save"' in page and 'value="submit"' in page
    response = client.post(
        f"/fieldwork/reports/{october.pk}/",
        {"text": "十月走访了三户，未写完。", "version": october.version, "action": "save"},
    )
    assert response.status_code == 302
    report = MonthlyReport.objects.get(pk=october.pk)
    assert report.status == MonthlyReport.Status.DRAFT and report.submitted_on is None
    assert report.text == "十月走访了三户，未写完。" and report.version == october.version + 1
    event = AuditEvent.objects.filter(action="monthly_report.edit", object_id=str(report.pk)).get()
    assert event.username == "cadre"
    # Coming back, the saved text is in the form, still to be submitted.
    page = client.get(f"/fieldwork/reports/{october.pk}/").content.decode()
    assert "十月走访了三户，未写完。" in page and 'value="submit"' in page


def test_saving_a_stale_draft_changes_nothing(client_as, october):
    client = client_as("cadre")
    client.post(
        f"/fieldwork/reports/{october.pk}/", {"text": "一", "version": october.version, "action": "save"}
    )
    response = client.post(
        f"/fieldwork/reports/{october.pk}/", {"text": "二", "version": october.version, "action": "save"}
    )
    assert response.status_code == 200
    assert MonthlyReport.objects.get(pk=october.pk).text == "一"


def test_a_draft_past_its_due_day_says_how_late_it_is_on_its_page_and_in_the_list(client_as, october):
    assert october.days_overdue == 18
    client = client_as("cadre")
    for path in (f"/fieldwork/reports/{october.pk}/", "/fieldwork/reports/"):
        with translation.override("en"):
            page = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Overdue by 18 days (due by Nov. 5, 2026)" in page, path
        # In Chinese (已逾期 18 天（应于2026年11月5日前报送）), the day as the pages write it.
        page = client.get(path).content.decode()
        assert '<strong class="overdue">' in page and "2026年11月5日" in page, path


def test_a_submitted_report_is_not_overdue(client_as, october):
    client = client_as("cadre")
    client.post(f"/fieldwork/reports/{october.pk}/", {"text": "十月工作。", "version": october.version})
    report = MonthlyReport.objects.get(pk=october.pk)
    assert report.status == MonthlyReport.Status.SUBMITTED and report.late and report.days_overdue == 0
    assert "已逾期" not in client.get(f"/fieldwork/reports/{october.pk}/").content.decode()


def test_the_api_saves_a_draft_without_submitting_it(october):
    token = token_create(actor=None, account=Account.objects.get(username="cadre"))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.put(
        f"/api/v1/reports/monthly/{october.pk}",
        json.dumps({"text": "草稿", "base_version": october.version, "submit": False}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "draft" and body["text"] == "草稿" and body["days_overdue"] == 18
    assert AuditEvent.objects.filter(action="monthly_report.edit", object_id=str(october.pk)).exists()
    stale = client.put(
        f"/api/v1/reports/monthly/{october.pk}",
        json.dumps({"text": "别的", "base_version": october.version, "submit": False}),
        content_type="application/json",
    )
    assert stale.status_code == 409 and MonthlyReport.objects.get(pk=october.pk).text == "草稿"
