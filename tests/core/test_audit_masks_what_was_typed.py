"""What a list read's audit row keeps of what was typed: an ID number or phone only masked."""

from django.test import Client

from minqing.core.models import AuditEvent
from minqing.org.models import Account
from minqing.org.services import token_create

ID_NUMBER = "431123199003071234"
PHONE = "13812345678"


def _last_read(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-pk").first()


def test_a_ticket_search_by_id_number_or_phone_is_not_kept_in_clear(db):
    office = Account.objects.get(username="office")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=None, account=office)}"}
    client = Client()
    for typed in (ID_NUMBER, PHONE):
        assert client.get(f"/api/v1/tickets?q={typed}", **auth).status_code == 200
        row = _last_read("ticket.list")
        kept = str(row.detail)
        assert typed not in kept, f"audit row keeps what was typed in clear: {row.detail}"


def test_the_households_search_by_id_number_is_kept_masked(db):
    """For comparison: the households search (people.search) masks it."""
    office = Account.objects.get(username="office")
    client = Client()
    client.force_login(office)
    client.get(f"/people/households/?q={ID_NUMBER}")
    row = _last_read("people.search")
    assert ID_NUMBER not in str(row.detail)
