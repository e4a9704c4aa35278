"""A refused form of the field-work pages comes back as it was sent, its errors beside its
fields and its collapsed section open, instead of a redirect (or a message far from the
form) that loses what was typed."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from minqing.fieldwork.models import (
    AttendanceDay,
    Commitment,
    HelpPlan,
    Incident,
    MonthlyReport,
    ReliefPayment,
)
from minqing.fieldwork.services import attendance_check_in, help_plan_create
from minqing.org.models import Account
from minqing.programs.models import Campaign, LiaisonPoint, Pairing


@pytest.fixture
def campaign(db):
    return Campaign.objects.get(program_key="xiajiceng")


@pytest.fixture
def mine(campaign):
    """A household the demo cadre is paired with in the 下基层 campaign."""
    return Pairing.objects.filter(
        cadre__account__username="cadre", campaign=campaign, household__isnull=False
    ).first()


def _details(page: str, section_id: str) -> str:
    """The opening tag of the <details> with this id."""
    return re.search(rf'<details id="{section_id}"[^>]*>', page).group(0)


def test_a_refused_rejection_of_a_day_keeps_its_reason_in_its_own_row(client_as, db):
    cadre = Account.objects.get(username="cadre").cadre
    point = LiaisonPoint.objects.filter(kind="village", region__code__startswith="431123").first()
    day = attendance_check_in(actor=None, cadre=cadre, point=point, date=dt.date(2026, 3, 2))
    client = client_as("office")
    response = client.post(f"/fieldwork/attendance/{day.pk}/decide/", {"decision": "reject", "reason": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "请填写不予确认的理由。" in page and 'aria-invalid="true"' in page
    too_long = "外出开会" * 51
    response = client.post(
        f"/fieldwork/attendance/{day.pk}/decide/", {"decision": "reject", "reason": too_long}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{too_long}"' in page and "确保该变量包含不超过 200 字符" in page
    day.refresh_from_db()
    assert day.status == AttendanceDay.Status.PENDING


def test_a_refused_monthly_report_draft_keeps_the_campaign_and_month_chosen(client_as, campaign, mine):
    before = MonthlyReport.objects.count()
    response = client_as("cadre").post("/fieldwork/reports/", {"campaign": campaign.pk, "month": "2026-13"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="2026-13"' in page and "请选择活动和月份。" in page
    assert re.search(rf'<option value="{campaign.pk}"[^>]* selected', page)
    assert MonthlyReport.objects.count() == before


def test_a_help_plan_refused_by_the_service_comes_back_open_with_its_error(client_as, campaign, mine):
    before = HelpPlan.objects.count()
    response = client_as("cadre").post(
        "/fieldwork/plans/",
        {
            "campaign": campaign.pk,
            "target": f"household:{mine.household_id}",
            "title": "三年增收计划",
            "deadline": "2027-01-01",
            "commitments": "太晚的承诺 2027-06-01",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert " open" in _details(page, "new-plan")
    assert 'value="三年增收计划"' in page and "太晚的承诺 2027-06-01" in page
    assert "承诺事项的截止日期不能晚于计划的完成时限。" in page
    assert HelpPlan.objects.count() == before


def test_a_refused_commitment_and_progress_come_back_as_typed(client_as, campaign, mine):
    plan = help_plan_create(
        actor=None,
        campaign=campaign,
        cadre=mine.cadre,
        title="p",
        target=mine.household,
        deadline=dt.date(2027, 1, 1),
        commitments=[("引进养殖项目", dt.date(2026, 12, 1))],
    )
    commitment = plan.commitments.get()
    client = client_as("cadre")
    response = client.post(
        f"/fieldwork/plans/{plan.pk}/", {"action": "add", "title": "验收", "due": "2028-01-01"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert " open" in _details(page, "add-commitment")
    assert 'value="验收"' in page and 'value="2028-01-01"' in page
    assert "承诺事项的截止日期不能晚于计划的完成时限。" in page
    assert plan.commitments.count() == 1
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        f"/fieldwork/plans/{plan.pk}/", {"id": commitment.pk, "progress": 70, "done_on": tomorrow}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="70"' in page and f'value="{tomorrow}"' in page and "日期晚于今天。" in page
    commitment.refresh_from_db()
    assert commitment.progress == 0 and Commitment.objects.filter(plan=plan).count() == 1


def test_a_relief_payment_refused_by_the_service_comes_back_open(client_as, campaign, mine):
    before = ReliefPayment.objects.count()
    response = client_as("cadre").post(
        "/fieldwork/relief/",
        {"campaign": campaign.pk, "household": mine.household_id, "amount_yuan": "0", "date": "2026-06-01"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert " open" in _details(page, "new-relief") and 'value="2026-06-01"' in page
    assert "notice-error" in page or "errorlist nonfield" in page
    assert ReliefPayment.objects.count() == before


def test_an_incident_refused_by_the_service_comes_back_open(client_as, db):
    campaign = Campaign.objects.get(program_key="dazoufang")
    point = LiaisonPoint.objects.filter(region__code__startswith=campaign.region_id[:6]).first()
    before_start = (campaign.start - dt.timedelta(days=1)).isoformat()
    response = client_as("office").post(
        "/fieldwork/incidents/",
        {
            "campaign": campaign.pk,
            "point": point.pk,
            "kind": "safety_accident",
            "date": before_start,
            "description": "工地高处坠落",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert " open" in _details(page, "new-incident")
    assert "工地高处坠落" in page and f'value="{before_start}"' in page and "日期不在活动期间内" in page
    assert not Incident.objects.filter(description="工地高处坠落").exists()


def test_the_days_to_decide_shown_again_page_through_their_own_list(client_as, db, settings):
    """After a refused decision the page stands at the form's address (POST only): its page
    links go to the list of days to decide."""
    settings.PAGE_SIZE = 1
    cadre = Account.objects.get(username="cadre").cadre
    point = LiaisonPoint.objects.filter(kind="village", region__code__startswith="431123").first()
    day = attendance_check_in(actor=None, cadre=cadre, point=point, date=dt.date(2026, 3, 2))
    attendance_check_in(actor=None, cadre=cadre, point=point, date=dt.date(2026, 3, 3))
    client = client_as("office")
    response = client.post(f"/fieldwork/attendance/{day.pk}/decide/", {"decision": "reject", "reason": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/fieldwork/attendance/?page=2"' in page
    assert client.get("/fieldwork/attendance/?page=2").status_code == 200
