"""A refused step of a demand's workflow comes back on its page as it was sent — the
reply, the reason, the code to merge into, the follow-up — each error beside its field
and its collapsed section open, instead of a redirect that loses what was typed. A demand
changed by someone else in the meantime is still a redirect to its current state."""

import re

from minqing.tickets import services
from minqing.tickets.models import TicketEvent


def _details(page: str, section_id: str) -> str:
    """The opening tag of the <details> with this id."""
    return re.search(rf'<details id="{section_id}"[^>]*>', page).group(0)


def _unchanged(ticket, version: int, events: int) -> bool:
    ticket.refresh_from_db()
    return ticket.version == version and TicketEvent.objects.filter(ticket=ticket).count() == events


def test_a_refused_reply_keeps_what_the_unit_typed(client_as, desk):
    ticket = services.ticket_claim(actor=desk.unit_user, ticket=desk.dispatched())
    events = ticket.events.count()
    response = client_as("unit").post(
        f"/tickets/{ticket.pk}/act/", {"action": "reply", "version": ticket.version, "reply": " 修 "}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'<textarea name="reply"[^>]*aria-invalid="true"[^>]*> 修 </textarea>', page)
    assert "请填写给群众的回复。" in page
    assert _unchanged(ticket, ticket.version, events) and ticket.status == "accepted"


def test_a_refused_escalation_keeps_its_reason_with_its_section_open(client_as, desk):
    ticket = desk.dispatched()
    events = ticket.events.count()
    client = client_as("office")
    assert " open" not in _details(
        client.get(f"/tickets/{ticket.pk}/").content.decode(), "escalate-return-reopen"
    )
    response = client.post(
        f"/tickets/{ticket.pk}/act/", {"action": "escalate", "version": ticket.version, "reason": "急"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert " open" in _details(page, "escalate-return-reopen")
    assert re.search(r'<input name="reason" required value="急" aria-invalid="true">', page)
    assert "请填写理由。" in page
    assert _unchanged(ticket, ticket.version, events) and ticket.tier == "township"


def test_a_merge_into_an_unknown_code_keeps_the_code_typed(client_as, desk):
    ticket = desk.dispatched()
    events = ticket.events.count()
    response = client_as("office").post(
        f"/tickets/{ticket.pk}/act/", {"action": "merge", "version": ticket.version, "into": "MQ-2026-999999"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert " open" in _details(page, "merge")
    assert 'value="MQ-2026-999999"' in page and "您的数据范围内没有这个编号的诉求。" in page
    assert _unchanged(ticket, ticket.version, events) and ticket.merged_into_id is None


def test_a_follow_up_without_a_satisfaction_keeps_its_note_and_answer(client_as, desk):
    ticket = desk.replied()
    events = ticket.events.count()
    response = client_as("office").post(
        f"/tickets/{ticket.pk}/act/",
        {"action": "follow_up", "version": ticket.version, "resolved": "no", "note": "电话回访未接通"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert " open" in _details(page, "follow-up")
    assert 'value="电话回访未接通"' in page and "请选择满意、基本满意或不满意。" in page
    assert re.search(r'name="resolved" value="no" checked', page)
    assert _unchanged(ticket, ticket.version, events) and ticket.satisfaction == ""


def test_a_dispatch_to_a_unit_out_of_reach_keeps_the_tier_chosen(client_as, desk):
    ticket = desk.ticket()
    response = client_as("office").post(
        f"/tickets/{ticket.pk}/act/", {"action": "dispatch", "version": 1, "unit": "x", "tier": "escalated"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "请选择承办单位。" in page and re.search(r'<option value="escalated" selected>', page)
    assert _unchanged(ticket, 1, 1) and ticket.unit_id is None


def test_a_demand_changed_in_the_meantime_is_still_a_redirect_to_its_state(client_as, desk):
    ticket = desk.dispatched()
    response = client_as("office").post(
        f"/tickets/{ticket.pk}/act/", {"action": "escalate", "version": ticket.version - 1, "reason": "急"}
    )
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"
    assert _unchanged(ticket, ticket.version, ticket.events.count())
