import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from minqing.org.services import token_create
from minqing.tickets.models import Ticket


@pytest.fixture
def petition(desk):
    return desk.dispatched(
        ledger="petition",
        category="public_order",
        title='=HYPERLINK("http://x")',
        sensitive={"case_owner": "县委副书记刘强", "parties": "张某与李某", "history": "2025年多次上访"},
    )


def test_case_fields_show_only_to_the_office(client_as, petition):
    office = client_as("office").get(f"/tickets/{petition.pk}/").content.decode()
    assert "县委副书记刘强" in office and "张某与李某" in office
    for role in ("leader", "inspector", "village", "unit"):
        page = client_as(role).get(f"/tickets/{petition.pk}/")
        assert page.status_code == 200
        assert "刘强" not in page.content.decode() and "张某与李某" not in page.content.decode(), role


def test_case_fields_are_absent_from_the_api_for_other_roles(client_as, petition, actor):
    def get(role):
        token = token_create(actor=None, account=actor(role))
        return (
            client_as(None).get(f"/api/v1/tickets/{petition.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
        )

    assert get("office")["case"]["parties"] == "张某与李某"
    for role in ("leader", "unit", "village"):
        body = get(role)
        assert "case" not in body and "张某" not in str(body), role


def test_the_api_answers_409_to_a_stale_version(client_as, desk, actor):
    ticket = desk.dispatched()
    token = token_create(actor=None, account=actor("unit"))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/api/v1/tickets/{ticket.pk}/actions"
    first = client_as(None).post(
        url, {"action": "claim", "version": ticket.version}, content_type="application/json", **headers
    )
    assert first.status_code == 200 and first.json()["status"] == "accepted"
    stale = client_as(None).post(
        url, {"action": "start", "version": ticket.version}, content_type="application/json", **headers
    )
    assert stale.status_code == 409
    assert Ticket.objects.get(pk=ticket.pk).status == "accepted"


def test_the_ledger_export_masks_phones_neutralizes_formulas_and_hides_case_fields(client_as, petition):
    url = f"/tickets/ledger.xlsx?campaign={petition.campaign_id}&ledger=petition"
    for role, sees_case in (("office", True), ("leader", False)):
        response = client_as(role).get(url)
        assert response.status_code == 200 and response.streaming, "a ledger is streamed"
        book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
        rows = book.get_sheet_by_index(0).to_python()
        text = str(rows)
        assert "13812345678" not in text and "138****5678" in text
        row = next(r for r in rows if petition.code in [str(c) for c in r])
        assert any(str(c).startswith("'=HYPERLINK") for c in row)
        assert rows[2][0] == "序号" or rows[2][0]
        assert ("张某与李某" in text) is sees_case, role


def test_all_demands_of_a_campaign_come_streamed_in_the_ledger_layout_in_the_users_scope(
    client_as, petition, desk
):
    other = desk.dispatched(ledger="minqing", title="另一本台账的诉求")
    page = client_as("office").get("/tickets/").content.decode()
    url = f"/tickets/ledger.xlsx?campaign={desk.campaign.pk}"
    assert f'href="{url}"' in page.replace("&amp;", "&"), "the ticket list links the all-demands ledger"
    for role, sees_case in (("office", True), ("leader", False)):
        response = client_as(role).get(url)
        assert response.status_code == 200 and response.streaming, "all demands are streamed too"
        assert response["Content-Disposition"].endswith(f'ledger-{desk.campaign.pk}-all-{_today()}.xlsx"')
        rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
        rows = rows.get_sheet_by_index(0).to_python()
        assert rows[0][0] == f"{desk.campaign.name} · 全部诉求"
        assert rows[2][0] == "序号" and "联系点" in rows[2], "the same columns as every demand ledger"
        codes = {r[1] for r in rows[4:]}
        in_scope = set(
            Ticket.objects.filter(campaign=desk.campaign, region__code__startswith="431123").values_list(
                "code", flat=True
            )
        )
        if role == "office":
            assert codes == in_scope and {petition.code, other.code} <= codes, "every ledger's demands"
        assert codes <= in_scope
        text = str(rows)
        assert "13812345678" not in text
        assert ("张某与李某" in text) is sees_case, role


def _today() -> str:
    from django.utils import timezone

    return f"{timezone.localdate():%Y%m%d}"


def test_the_board_filters_and_flags_overdue(client_as, desk):
    from django.utils import timezone

    late = desk.dispatched(title="逾期未办的诉求")
    Ticket.objects.filter(pk=late.pk).update(deadline=timezone.now() - timezone.timedelta(days=1))
    desk.dispatched(title="按时办理的诉求")
    page = client_as("office").get("/tickets/", {"overdue": "on", "q": "诉求", "campaign": desk.campaign.pk})
    body = page.content.decode()
    assert "逾期未办的诉求" in body and "按时办理的诉求" not in body


def test_the_board_takes_a_fixed_number_of_queries(client_as, desk):
    client = client_as("office")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/tickets/", {"status": "registered"}).status_code == 200
        return len(queries)

    desk.dispatched()
    before = count()
    for _ in range(5):
        desk.dispatched()
    assert count() == before


def test_the_office_dispatches_and_the_unit_replies_through_the_pages(client_as, desk):
    ticket = desk.ticket()
    office, unit = client_as("office"), client_as("unit")
    office.post(
        f"/tickets/{ticket.pk}/act/",
        {"action": "dispatch", "version": 1, "unit": desk.unit.pk, "tier": "township"},
    )
    unit.post(f"/tickets/{ticket.pk}/act/", {"action": "claim", "version": 2})
    unit.post(f"/tickets/{ticket.pk}/act/", {"action": "reply", "version": 3, "reply": "已修复"})
    ticket.refresh_from_db()
    assert ticket.status == "replied" and ticket.owner.username == "unit"
    mine = unit.get("/tickets/mine/").content.decode()
    assert ticket.code not in mine  # replied: off the reminder list
    stale = unit.post(f"/tickets/{ticket.pk}/act/", {"action": "start", "version": 1}, follow=True)
    assert (
        "meantime" in stale.content.decode() or "其间" in stale.content.decode() or stale.status_code == 200
    )


def test_the_figures_page_shows_the_rates(client_as, desk):
    desk.replied()
    page = client_as("office").get("/tickets/figures/?by=unit")
    assert page.status_code == 200 and desk.unit.name in page.content.decode()


def test_a_tampered_unit_or_leader_id_gets_a_message_not_an_error(client_as, desk):
    ticket = desk.ticket()
    office = client_as("office")
    for unit, leader in (("x", ""), ("-1", ""), ("1.5", "abc"), ("９", "")):
        response = office.post(
            f"/tickets/{ticket.pk}/act/",
            {"action": "dispatch", "version": 1, "unit": unit, "leader": leader, "tier": "township"},
            follow=True,
        )
        assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == "registered" and ticket.unit_id is None


def test_a_tampered_campaign_id_on_the_monthly_report_form_gets_a_message(client_as, db):
    from minqing.fieldwork.models import MonthlyReport

    before = MonthlyReport.objects.count()
    response = client_as("cadre").post(
        "/fieldwork/reports/", {"campaign": "x", "month": "2026-10"}, follow=True
    )
    assert response.status_code == 200 and MonthlyReport.objects.count() == before
