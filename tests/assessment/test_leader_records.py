"""Leaders' records (002): the weekly work record and the quarterly report to the standing
committee, drafted from the leader's own records, edited, submitted."""

import datetime as dt
import io
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from docx import Document

from minqing.assessment.documents import leader_record_docx, leader_record_pdf
from minqing.assessment.models import LeaderRecord
from minqing.assessment.services import draft_text, leader_record_draft, leader_record_save
from minqing.core.models import AuditEvent


def test_the_weekly_record_is_drafted_from_the_week_s_visits_and_then_edited_and_submitted(scenario, actor):
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 1, 1))
    leader = scenario.cadre("member", "林副区长")
    household = scenario.household()
    scenario.visit(campaign, leader, household, dt.date(2026, 5, 5))
    scenario.visit(campaign, leader, household, dt.date(2026, 5, 7))
    scenario.visit(campaign, leader, household, dt.date(2026, 5, 12))  # the next week
    record = leader_record_draft(actor=scenario.office, cadre=leader, kind="weekly", day=dt.date(2026, 5, 6))
    assert (record.start, record.end) == (dt.date(2026, 5, 4), dt.date(2026, 5, 10))
    assert record.figures["visits"] == 2 and "2" in record.text and "林副区长" in record.text
    # The visits are listed by day as people write it, in the drafting language.
    assert "· 2026年5月7日 " in record.text and "· 2026年5月5日 " in record.text
    assert "2026-05" not in record.text
    with translation.override("en"):
        english = draft_text(record.kind, leader, record.start, record.end, record.figures)
    assert "· May 7, 2026 " in english and "May 4, 2026 to May 10, 2026" in english
    quarter = leader_record_draft(
        actor=scenario.office, cadre=leader, kind="quarterly", day=dt.date(2026, 5, 6)
    )
    assert (quarter.start, quarter.end) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert quarter.figures["visits"] == 3

    with pytest.raises(ValidationError):
        leader_record_save(actor=scenario.office, record=record, text="旧版本", version=record.version - 1)
    record = leader_record_save(
        actor=scenario.office, record=record, text="本周走访两户。", version=record.version
    )
    record = leader_record_save(
        actor=scenario.office,
        record=record,
        text=record.text + "\n下周继续。",
        version=record.version,
        submit=True,
    )
    assert record.status == LeaderRecord.Status.SUBMITTED and record.submitted_on
    with pytest.raises(ValidationError):
        leader_record_save(actor=scenario.office, record=record, text="再改", version=record.version)
    with pytest.raises(ValidationError):
        leader_record_draft(actor=scenario.office, cadre=leader, kind="weekly", day=dt.date(2026, 5, 6))
    assert AuditEvent.objects.filter(action="leader_record.submit", object_id=str(record.pk)).exists()


def test_someone_else_s_record_cannot_be_written_by_a_cadre(scenario, actor):
    leader = scenario.cadre("member")
    with pytest.raises(PermissionDenied):
        leader_record_draft(actor=actor("cadre"), cadre=leader, kind="weekly", day=dt.date(2026, 5, 6))


def test_the_record_is_a_pdf_and_a_word_document(scenario, tmp_path):
    leader = scenario.cadre("member", "林副区长")
    record = leader_record_draft(
        actor=scenario.office, cadre=leader, kind="quarterly", day=dt.date(2026, 8, 1)
    )
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(leader_record_pdf(record, user=scenario.office))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "林副区长" in text and "常委会" in text
    words = "\n".join(
        p.text for p in Document(io.BytesIO(leader_record_docx(record, user=scenario.office))).paragraphs
    )
    assert "林副区长" in words and "2026年7月1日" in words


def test_the_demo_leader_drafts_edits_and_submits_a_record_in_the_pages(client_as, db):
    client = client_as("leader")
    assert client.get("/assessment/leader-records/").status_code == 200
    response = client.post("/assessment/leader-records/draft/", {"kind": "weekly", "day": "2026-06-03"})
    record = LeaderRecord.objects.get(cadre__account__username="leader", start=dt.date(2026, 6, 1))
    assert response.status_code == 302 and response["Location"].endswith(f"/{record.pk}/")
    response = client.post(
        f"/assessment/leader-records/{record.pk}/",
        {"text": "走访企业一家", "version": record.version, "submit": "1"},
    )
    record.refresh_from_db()
    assert response.status_code == 302 and record.status == "submitted" and record.text == "走访企业一家"
    assert client_as("office").get(f"/assessment/leader-records/{record.pk}/").status_code == 200
    assert client_as("office_jinan").get(f"/assessment/leader-records/{record.pk}/").status_code == 404
