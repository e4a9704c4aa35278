"""The handling unit must call the resident: the contact phone a demand shows masked is shown
in full to the unit that handles it and to the office that dispatches it, for a reason, one
audit row per reveal; everyone else who sees the demand still sees it masked and is refused
(a denied row)."""

import io

import pytest
from django.core.management import CommandError, call_command

from minqing.core.models import AuditEvent
from minqing.org.services import token_create


def _rows(ticket, result="ok"):
    return AuditEvent.objects.filter(
        action="personal.unmask", object_type="tickets.ticket", object_id=str(ticket.pk), result=result
    )


def test_the_unit_sees_the_phone_masked_and_reveals_it_once_per_request(client_as, desk):
    ticket = desk.dispatched()
    unit = client_as("unit")
    page = unit.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert f'action="/tickets/{ticket.pk}/reveal/"' in page
    for n in (1, 2):
        response = unit.post(
            f"/tickets/{ticket.pk}/reveal/", {"reason": "电话联系群众"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200 and "13812345678" in response.content.decode()
        assert _rows(ticket).count() == n
    row = _rows(ticket).order_by("-id").first()
    assert row.username == "unit" and row.detail == {"field": "contact_phone", "reason": "电话联系群众"}
    assert "13812345678" not in str(row.detail) + row.object_repr


def test_the_office_that_dispatches_reveals_it_too(client_as, desk):
    ticket = desk.ticket()
    response = client_as("office").post(f"/tickets/{ticket.pk}/reveal/", {"reason": "核实诉求情况"})
    assert response.status_code == 200 and "13812345678" in response.content.decode()
    assert _rows(ticket).count() == 1


def test_others_who_see_the_demand_are_refused_and_recorded(client_as, desk):
    ticket = desk.dispatched()
    for role in ("leader", "inspector"):
        client = client_as(role)
        page = client.get(f"/tickets/{ticket.pk}/").content.decode()
        assert "138****5678" in page and "/reveal/" not in page, role
        response = client.post(f"/tickets/{ticket.pk}/reveal/", {"reason": "电话联系群众"})
        assert response.status_code == 403 and "13812345678" not in response.content.decode()
    assert _rows(ticket).count() == 0 and _rows(ticket, "denied").count() == 2


def test_without_a_reason_nothing_is_shown(client_as, desk):
    ticket = desk.dispatched()
    response = client_as("unit").post(f"/tickets/{ticket.pk}/reveal/", {"reason": "看"})
    assert response.status_code == 400 and "13812345678" not in response.content.decode()
    assert _rows(ticket).count() == 0


def test_the_api_reveals_to_the_unit_and_refuses_a_leader(client_as, desk, actor):
    ticket = desk.dispatched()

    def post(role):
        token = token_create(actor=None, account=actor(role))
        return client_as(None).post(
            f"/api/v1/tickets/{ticket.pk}/contact/reveal",
            {"reason": "电话联系群众"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    assert post("unit").json() == {"contact_name": "王大妈", "contact_phone": "13812345678"}
    assert post("leader").status_code == 403
    assert _rows(ticket).count() == 1 and _rows(ticket, "denied").count() == 1
    token = token_create(actor=None, account=actor("unit"))
    listed = client_as(None).get(f"/api/v1/tickets/{ticket.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert listed["contact_phone"] == "138****5678"  # still masked where not revealed


def test_the_command_line_reveals_to_the_unit_only(desk):
    ticket = desk.dispatched()
    out = io.StringIO()
    call_command("ticket", "reveal", ticket.code, "--as", "unit", "--reason", "电话联系群众", stdout=out)
    assert "13812345678" in out.getvalue()
    assert _rows(ticket).get().channel == "cli"
    with pytest.raises(CommandError):
        call_command("ticket", "reveal", ticket.code, "--as", "leader", "--reason", "电话联系群众")
