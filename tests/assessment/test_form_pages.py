"""A refused form of the assessment pages — a run's period, the recall rule's numbers, a
recall's reason or handover date, a leader's record to draft — comes back as it was sent,
each error beside its field and its collapsed section open, instead of a redirect that
loses what was typed."""

import re

import pytest

from minqing.assessment.models import AssessmentRun, LeaderRecord, Recall, RecallEvent, RecallRule
from minqing.programs.models import Campaign


@pytest.fixture
def campaign(db):
    return Campaign.objects.get(program_key="xiajiceng")


def _details(page: str, section_id: str) -> str:
    """The opening tag of the <details> with this id."""
    return re.search(rf'<details id="{section_id}"[^>]*>', page).group(0)


def test_a_refused_run_keeps_the_period_typed(client_as, campaign):
    before = AssessmentRun.objects.count()
    response = client_as("office").post(f"/assessment/campaigns/{campaign.pk}/run/", {"period": "2026H3"})
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'<input name="period" value="2026H3"[^>]*aria-invalid="true"', page)
    assert "考核期请写成年度（2026）、半年（2026H1）或季度（2026Q3）。" in page
    assert AssessmentRun.objects.count() == before


def test_a_refused_recall_rule_keeps_the_numbers_typed_with_its_section_open(client_as, campaign):
    rule = RecallRule.objects.filter(campaign=campaign).first()
    before = (rule.absences_at_least, rule.composite_below) if rule else None
    client = client_as("office")
    page = client.get(f"/assessment/recalls/?campaign={campaign.pk}").content.decode()
    assert " open" not in _details(page, "recall-rule")
    response = client.post(
        f"/assessment/campaigns/{campaign.pk}/recall-rule/",
        {"resident_score_below": "60", "absences_at_least": "3", "composite_below": "150"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert " open" in _details(page, "recall-rule")
    assert 'value="60"' in page and 'value="3"' in page
    assert re.search(r'name="composite_below" value="150" aria-invalid="true"><ul class="errorlist', page)
    assert "请填写0到100之间的数字。" in page
    rule = RecallRule.objects.filter(campaign=campaign).first()
    assert ((rule.absences_at_least, rule.composite_below) if rule else None) == before


def test_a_rejection_without_a_reason_comes_back_in_its_form(client_as, campaign):
    recall = Recall.objects.get(campaign=campaign, status="proposed")
    events = RecallEvent.objects.filter(recall=recall).count()
    response = client_as("leader").post(
        f"/assessment/recalls/{recall.pk}/act/", {"action": "reject", "reason": "   "}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'<input name="reason" maxlength="500" value="   " aria-invalid="true">', page)
    assert "请填写不同意召回的理由。" in page
    recall.refresh_from_db()
    assert recall.status == "proposed" and RecallEvent.objects.filter(recall=recall).count() == events


def test_a_handover_with_a_bad_date_keeps_the_successor_date_and_reason(client_as, campaign):
    recall = Recall.objects.get(campaign=campaign, status="approved")
    client = client_as("office")
    page = client.get(f"/assessment/recalls/{recall.pk}/").content.decode()
    successor = re.search(
        r'<select name="successor" required><option value="">—</option><option value="(\d+)"', page
    )[1]
    response = client.post(
        f"/assessment/recalls/{recall.pk}/act/",
        {
            "action": "carry_out",
            "successor": successor,
            "on_date": "2026-06-31",
            "reason": "长期不在岗，换人",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<option value="{successor}" selected>' in page
    assert 'value="2026-06-31"' in page and 'value="长期不在岗，换人"' in page
    assert "请按YYYY-MM-DD填写移交日期。" in page
    recall.refresh_from_db()
    assert recall.status == "approved" and recall.successor_id is None


def test_a_refused_draft_of_a_leaders_record_keeps_the_kind_and_day(client_as, db):
    before = LeaderRecord.objects.count()
    response = client_as("leader").post(
        "/assessment/leader-records/draft/", {"kind": "quarterly", "day": "2026-02-30"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'<option value="quarterly" selected>', page) and 'value="2026-02-30"' in page
    assert "请按YYYY-MM-DD填写所在周或季度的任一天。" in page
    response = client_as("leader").post(
        "/assessment/leader-records/draft/", {"kind": "monthly", "day": "2026-06-10"}
    )
    assert response.status_code == 200
    assert "请选择每周工作记录或季度汇报。" in response.content.decode()
    assert LeaderRecord.objects.count() == before
