"""Who records the resident's verdict (回访): the office (the dispatching level), the cadre
who raised the demand, or the resident; never the handling unit that answered it."""

import pytest
from django.core.exceptions import PermissionDenied

from minqing.core.models import AuditEvent
from minqing.org.services import token_create
from minqing.tickets import services
from minqing.tickets.models import Satisfaction, Ticket


def _follow_up(actor, ticket):
    return services.ticket_follow_up(
        actor=actor, ticket=ticket, resolved=True, satisfaction=Satisfaction.SATISFIED
    )


def _unrated(ticket) -> bool:
    ticket = Ticket.objects.get(pk=ticket.pk)
    return (
        ticket.satisfaction == ""
        and ticket.resolved is None
        and not ticket.events.filter(action="follow_up").exists()
    )


def test_the_handling_unit_is_not_offered_the_follow_up_and_its_post_is_refused(client_as, desk):
    ticket = desk.replied()
    unit = client_as("unit")
    page = unit.get(f"/tickets/{ticket.pk}/").content.decode()
    assert ticket.code in page and 'id="follow-up"' not in page and 'value="follow_up"' not in page
    response = unit.post(
        f"/tickets/{ticket.pk}/act/",
        {"action": "follow_up", "version": ticket.version, "resolved": "yes", "satisfaction": "satisfied"},
    )
    assert response.status_code == 403 and _unrated(ticket)


def test_the_handling_unit_cannot_follow_up_through_the_api(client, desk):
    ticket = desk.replied()
    token = token_create(actor=None, account=desk.unit_user)
    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/actions",
        {"action": "follow_up", "version": ticket.version, "resolved": True, "satisfaction": "satisfied"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 403 and _unrated(ticket)


@pytest.mark.parametrize("username", ["unit", "leader", "village"])
def test_who_neither_dispatches_nor_raised_the_demand_cannot_follow_up(actor, desk, username):
    ticket = desk.replied()
    with pytest.raises(PermissionDenied):
        _follow_up(actor(username), ticket)
    assert _unrated(ticket)


def test_the_office_records_the_follow_up_from_the_page(client_as, desk):
    ticket = desk.replied()
    office = client_as("office")
    assert 'id="follow-up"' in office.get(f"/tickets/{ticket.pk}/").content.decode()
    response = office.post(
        f"/tickets/{ticket.pk}/act/",
        {"action": "follow_up", "version": ticket.version, "resolved": "yes", "satisfaction": "basically"},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.satisfaction == Satisfaction.BASICALLY and ticket.resolved is True
    assert AuditEvent.objects.filter(action="ticket.follow_up", username="office").exists()


def test_the_cadre_who_raised_the_demand_records_the_follow_up(actor, desk):
    cadre = actor("cadre")
    ticket = desk.ticket(actor=cadre)
    services.ticket_dispatch(actor=desk.office, ticket=ticket, unit=desk.unit)
    services.ticket_claim(actor=desk.unit_user, ticket=ticket)
    services.ticket_reply(actor=desk.unit_user, ticket=ticket, reply="已更换路灯三盏。")
    assert services.may_follow_up(cadre, ticket)
    _follow_up(cadre, ticket)
    assert Ticket.objects.get(pk=ticket.pk).satisfaction == Satisfaction.SATISFIED


def test_an_office_account_that_answered_the_demand_itself_does_not_rate_its_answer(actor, desk):
    ticket = desk.dispatched()
    services.ticket_claim(actor=desk.office, ticket=ticket)
    services.ticket_reply(actor=desk.office, ticket=ticket, reply="已协调解决。")
    with pytest.raises(PermissionDenied):
        _follow_up(desk.office, ticket)
    assert _unrated(ticket)
    _follow_up(actor("office_jiangcun"), ticket)
    assert Ticket.objects.get(pk=ticket.pk).satisfaction == Satisfaction.SATISFIED


def test_the_resident_records_the_verdict_without_an_account(desk):
    ticket = desk.replied()
    services.ticket_rate_by_resident(ticket=ticket, resolved=False, satisfaction=Satisfaction.DISSATISFIED)
    assert Ticket.objects.get(pk=ticket.pk).satisfaction == Satisfaction.DISSATISFIED


def test_an_office_of_another_county_does_not_rate_this_countys_demand(actor, desk):
    # 晋安区's office dispatches its own demands, not 双牌县's.
    ticket = desk.replied()
    other = actor("office_jinan")
    assert not services.may_follow_up(other, ticket)
    with pytest.raises(PermissionDenied):
        _follow_up(other, ticket)
    assert _unrated(ticket)


def test_an_office_colleague_of_the_handling_unit_does_not_rate_its_units_answer(client_as, desk):
    colleague = desk.colleague()
    ticket = desk.replied()
    assert not services.may_follow_up(colleague, ticket)
    with pytest.raises(PermissionDenied):
        _follow_up(colleague, ticket)
    assert _unrated(ticket)
    page = client_as(colleague.username, verified=True).get(f"/tickets/{ticket.pk}/").content.decode()
    assert ticket.code in page and 'value="follow_up"' not in page


def test_whoever_wrote_the_reply_does_not_rate_it_once_the_ticket_changed_hands(actor, desk):
    ticket = desk.dispatched()
    services.ticket_claim(actor=desk.office, ticket=ticket)
    services.ticket_reply(actor=desk.office, ticket=ticket, reply="已协调解决。")
    Ticket.objects.filter(pk=ticket.pk).update(owner=actor("office_jiangcun"))
    ticket = Ticket.objects.get(pk=ticket.pk)
    with pytest.raises(PermissionDenied):
        _follow_up(desk.office, ticket)
    assert _unrated(ticket)
