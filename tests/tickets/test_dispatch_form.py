"""The dispatch form offers as leader in charge (包联领导) only leaders — the principal and
leadership members of a body or township, and whoever holds the leader role; never a
section's 股长 — each named with their unit's full label and post; and the flash after a
step speaks in the status's own words, the verify button in an action's."""

import re

from minqing.org.models import Cadre, Unit
from minqing.org.services import token_create
from minqing.tickets import services
from minqing.tickets.models import Ticket


def _leader_options(page: str) -> dict[int, str]:
    select = re.search(r'<select name="leader"[^>]*>(.*?)</select>', page, re.S).group(1)
    return {
        int(pk): label for pk, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select)
    }


def test_only_leaders_are_offered_labelled_with_unit_and_post(client_as, desk):
    ticket = desk.ticket()
    options = _leader_options(client_as("office").get(f"/tickets/{ticket.pk}/").content.decode())
    county = Cadre.objects.filter(unit__region__code__startswith="431123").select_related(
        "unit__parent", "account"
    )
    sections = [c for c in county if c.unit.kind == Unit.Kind.SECTION]
    assert sections and not {c.pk for c in sections} & set(options), "a section's 股长 is no leader"
    staff = [c for c in county if c.rank in (Cadre.Rank.STAFF, Cadre.Rank.SECTION_HEAD)]
    assert staff and not {c.pk for c in staff} & set(options)
    leaders = [
        c
        for c in county
        if c.rank in (Cadre.Rank.PRINCIPAL, Cadre.Rank.MEMBER) and c.unit.kind != Unit.Kind.SECTION
    ]
    assert {c.pk for c in leaders} <= set(options)
    for cadre in leaders:
        assert options[cadre.pk] == f"{cadre.account}（{cadre.unit.label} {cadre.post}）"


def test_a_holder_of_the_leader_role_is_offered_whatever_the_rank(client_as, desk):
    leader = Cadre.objects.get(account__username="leader")
    Cadre.objects.filter(pk=leader.pk).update(rank=Cadre.Rank.STAFF)
    ticket = desk.ticket()
    assert leader.pk in _leader_options(client_as("office").get(f"/tickets/{ticket.pk}/").content.decode())


def test_a_cadre_who_is_no_leader_is_refused_as_leader_in_charge(client_as, desk, actor):
    ticket = desk.ticket()
    section_head = Cadre.objects.filter(
        unit__kind=Unit.Kind.SECTION, unit__region__code__startswith="431123"
    ).first()
    response = client_as("office").post(
        f"/tickets/{ticket.pk}/act/",
        {
            "action": "dispatch",
            "version": 1,
            "unit": desk.unit.pk,
            "tier": "township",
            "leader": section_head.pk,
        },
    )
    assert response.status_code == 200
    assert '<select name="leader" aria-invalid="true"' in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.unit is None and ticket.leader is None
    token = token_create(actor=None, account=actor("office"))
    api = client_as(None).post(
        f"/api/v1/tickets/{ticket.pk}/actions",
        {"action": "dispatch", "version": 1, "unit": desk.unit.pk, "leader": section_head.pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert api.status_code == 422 and Ticket.objects.get(pk=ticket.pk).unit is None
    leader = Cadre.objects.get(account__username="leader")
    client_as("office").post(
        f"/tickets/{ticket.pk}/act/",
        {"action": "dispatch", "version": 1, "unit": desk.unit.pk, "tier": "township", "leader": leader.pk},
    )
    ticket.refresh_from_db()
    assert ticket.leader == leader and ticket.unit == desk.unit


def test_the_flash_after_a_reply_says_the_status_in_its_words(client_as, desk):
    ticket = services.ticket_claim(actor=desk.unit_user, ticket=desk.dispatched())
    response = client_as("unit").post(
        f"/tickets/{ticket.pk}/act/",
        {"action": "reply", "version": ticket.version, "reply": "已更换路灯三盏。"},
        follow=True,
    )
    ticket.refresh_from_db()
    status = str(ticket.get_status_display())  # 已答复
    page = response.content.decode()
    assert ticket.status == "replied" and f'id="ticket-status">{status}<' in page
    flash = re.search(r'<p class="notice notice-success" role="status">([^<]*)</p>', page).group(1)
    assert status in flash and "已回复" not in flash


def test_the_verify_button_names_an_action(client_as, desk):
    ticket = desk.replied()
    office = client_as("office")
    english = office.get(f"/tickets/{ticket.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<input type="hidden" name="action" value="verify">' in english
    assert re.search(r'value="verify">.*?<button type="submit">Verify</button>', english, re.S)
    assert ">Verified</button>" not in english
    chinese = office.get(f"/tickets/{ticket.pk}/").content.decode()
    assert ">已核查</button>" not in chinese
