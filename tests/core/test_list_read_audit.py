"""Lists that show residents' personal data (names, addresses, contacts) record each read:
one audit row per request, naming the list and how many rows it showed, not one per name."""

import datetime as dt

import pytest

from minqing.core.audit import audit_list_read
from minqing.core.models import AuditEvent
from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.programs.models import Campaign, Pairing


def county_campaign():
    return Campaign.objects.get(program_key="xiajiceng")


def a_help_plan():
    """The demo has no help plan: one for a household the demo cadre is paired with."""
    from minqing.fieldwork.services import help_plan_create

    pairing = Pairing.objects.filter(cadre__account__username="cadre", household__isnull=False).first()
    help_plan_create(
        actor=pairing.cadre.account,
        campaign=pairing.campaign,
        cadre=pairing.cadre,
        title="增收计划",
        target=pairing.household,
        deadline=dt.date(2027, 6, 30),
    )


PAGES = [
    ("office", "/people/households/", "household.list"),
    ("office", "/people/households/?hardship=2", "household.list"),
    ("office", "/fieldwork/visits/", "visit.list"),
    ("office", "/fieldwork/deeds/", "deed.list"),
    ("office", "/fieldwork/plans/", "help_plan.list"),
    ("office", "/fieldwork/relief/", "relief.list"),
    ("office", "/campaigns/{campaign}/pairings/", "pairing.list"),
    ("office", "/campaigns/{campaign}/dashboard/figures/visits/?period=2026", "dashboard_tile.list"),
    ("cadre", "/m/", "target.list"),
    ("office", "/org/cadres/", "cadre.list"),
]

API_LISTS = [
    ("office", "/api/v1/households", "household.list"),
    ("office", "/api/v1/visits", "visit.list"),
    ("office", "/api/v1/tickets?status=closed", "ticket.list"),
    ("office", "/api/v1/campaigns/{campaign}/figures/visits?period=2026", "dashboard_tile.list"),
    ("cadre", "/api/v1/me/targets", "target.list"),
]


def _one_new_row(before: int) -> AuditEvent:
    """The request wrote exactly one audit row: the read."""
    rows = list(AuditEvent.objects.filter(id__gt=before))
    assert len(rows) == 1, [row.action for row in rows]
    return rows[0]


def _last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.parametrize(("username", "url", "action"), PAGES)
def test_each_list_page_records_one_read(client_as, username, url, action):
    if action == "help_plan.list":
        a_help_plan()
    client = client_as(username)
    url = url.format(campaign=county_campaign().pk)
    client.get(url)  # the session settles first (a sign-in of its own is audited)
    before = _last_id()
    assert client.get(url).status_code == 200
    event = _one_new_row(before)
    assert (event.action, event.username, event.channel) == (action, username, "web")
    assert event.detail["shown"] > 0
    if "page" in event.detail:
        assert event.detail["page"] == 1 and event.detail["total"] >= event.detail["shown"]


@pytest.mark.parametrize(("username", "url", "action"), API_LISTS)
def test_each_api_list_records_one_read(client, db, username, url, action):
    token = token_create(actor=None, account=Account.objects.get(username=username))
    before = _last_id()
    response = client.get(url.format(campaign=county_campaign().pk), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    data = response.json()
    event = _one_new_row(before)
    assert (event.action, event.username, event.channel) == (action, username, "api")
    if isinstance(data, dict):
        assert event.detail["shown"] == len(data["items"]) > 0
        assert (event.detail["page"], event.detail["total"]) == (1, data["count"])
    else:
        assert event.detail["shown"] == len(data) > 0


def test_the_household_list_records_its_filters_and_a_search_only_once(client_as):
    client = client_as("office")
    client.get("/people/households/")
    before = _last_id()
    client.get("/people/households/", {"hardship": "2", "tag": ""})
    event = _one_new_row(before)
    assert event.detail["filters"] == {"hardship": 2}
    before = _last_id()
    client.get("/people/households/", {"q": "张"})
    assert _one_new_row(before).action == "people.search"  # the search is the read's record


def test_the_shared_helper_keeps_the_filters_asked_for_and_cuts_long_ones(db):
    event = audit_list_read(
        action="household.list",
        user=Account.objects.get(username="office"),
        shown=3,
        filters={"region": "", "hardship": 0, "tag": None, "q": "长" * 100},
    )
    assert event.detail == {"filters": {"hardship": 0, "q": "长" * 40}, "shown": 3}


def test_an_id_number_or_phone_typed_into_a_filter_is_kept_masked(db):
    """The trail is read by the audit administrator, who sees no residents' data: what was typed
    stays recognisable, an ID number or phone in it only masked."""
    event = audit_list_read(
        action="pairing.list",
        user=Account.objects.get(username="office"),
        shown=1,
        filters={"q": "431123198001011234", "phone": "13812345678", "name": "张三"},
    )
    assert event.detail["filters"] == {"q": "431123********1234", "phone": "138****5678", "name": "张三"}


def test_a_demands_page_with_a_residents_contact_records_its_read(client_as, db):
    from minqing.tickets.models import Ticket

    ticket = Ticket.objects.exclude(contact_name="").filter(campaign=county_campaign()).first()
    client = client_as("office")
    client.get(f"/tickets/{ticket.pk}/")
    before = _last_id()
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 200
    event = _one_new_row(before)
    assert (event.action, event.object_id, event.detail["shown"]) == ("ticket.view", str(ticket.pk), 1)
