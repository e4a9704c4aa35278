"""Phone and ID numbers a resident writes into a demand: never in its title, masked in its
text wherever it is shown (pages, API, Open311, masked exports), in full only in an
export of someone who may unmask, with a reason, audited."""

import importlib
import io

import pytest
from django.apps import apps
from django.core.cache import cache
from python_calamine import CalamineWorkbook

from minqing.core.identity import mask_text_identifiers
from minqing.core.models import AuditEvent
from minqing.ledgers.definitions import ALL_DEMANDS
from minqing.ledgers.services import ledger_export
from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.tickets import services
from minqing.tickets.models import Channel, Ticket

TEXT = "电话13907461234，身份证431123196505121234，村口路灯坏了三盏，请尽快修理"
MASKED = "电话139****1234，身份证431123********1234，村口路灯坏了三盏，请尽快修理"
SECRETS = ("13907461234", "1390746123", "431123196505121234", "96505121")


def shows_none(text: str) -> bool:
    return not any(secret in text for secret in SECRETS)


@pytest.fixture(autouse=True)
def fresh_counters(db):
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (TEXT, MASKED),
        ("+86 139-0746-1234 找王书记", "139****1234 找王书记"),
        ("座机0746-8221234", "座机0746-*****34"),
        ("（0746）8221234", "0746-*****34"),
        ("老证431123650512123", "老证431123*****2123"),
        ("身份证43112319650512123x号", "身份证431123********123X号"),
        ("手机１３９０７４６１２３４", "手机139****1234"),
        ("139074612344311231965", "139**************1965"),
        ("2024-05-01 13号楼 200元 编号20240501", "2024-05-01 13号楼 200元 编号20240501"),
    ],
)
def test_phone_and_id_numbers_in_free_text_are_masked(text, masked):
    assert mask_text_identifiers(text) == masked


def _file_from_a_card(client, desk):
    response = client.post(
        f"/t/?c={desk.campaign.pk}",
        {"name": "王大妈", "phone": "13812345678", "village": desk.village.code, "text": TEXT},
    )
    assert response.status_code == 200
    return Ticket.objects.get(code=response.context["ticket"].code)


def test_the_title_of_a_demand_from_a_card_keeps_no_number_even_cut(client, desk):
    ticket = _file_from_a_card(client, desk)
    assert ticket.title == MASKED[:40] and shows_none(ticket.title)
    assert ticket.description == TEXT  # kept whole, for an export of someone who may unmask


def test_the_handling_unit_sees_the_demand_masked_in_its_list_page_and_the_api(client, client_as, desk):
    ticket = _file_from_a_card(client, desk)
    services.ticket_dispatch(actor=desk.office, ticket=ticket, unit=desk.unit)
    unit = client_as("unit")
    mine = unit.get("/tickets/mine/").content.decode()
    assert ticket.code in mine and shows_none(mine)
    page = unit.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "139****1234" in page and "431123********1234" in page and shows_none(page)
    token = token_create(actor=None, account=desk.unit_user)
    for path in (f"/api/v1/tickets/{ticket.pk}", "/api/v1/tickets"):
        body = unit.get(path, HTTP_AUTHORIZATION=f"Bearer {token}").content.decode()
        assert ticket.code in body and shows_none(body), path
    assert (
        unit.get(f"/api/v1/tickets/{ticket.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()["description"]
        == MASKED
    )


def test_a_typed_or_edited_title_keeps_no_number(desk):
    ticket = desk.ticket(title="王大妈13907461234反映路灯")
    assert ticket.title == "王大妈139****1234反映路灯"
    services.ticket_edit(actor=desk.office, ticket=ticket, version=1, title="身份证431123196505121234")
    assert Ticket.objects.get(pk=ticket.pk).title == "身份证431123********1234"


def test_the_open311_feed_publishes_the_text_of_its_own_demands_masked(client, desk):
    account = Account.objects.get(username="office")
    token = token_create(actor=None, account=account)
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": token, "service_code": f"{desk.campaign.pk}-urban_rural", "description": TEXT},
    )
    assert response.status_code == 201
    ticket = Ticket.objects.get(code=response.json()[0]["service_request_id"])
    assert ticket.channel == Channel.OPEN311 and shows_none(ticket.title)
    feed = client.get(f"/open311/v2/requests/{ticket.code}.json")
    assert feed.json()[0]["description"] == MASKED and shows_none(feed.content.decode())
    assert shows_none(client.get(f"/open311/v2/requests/{ticket.code}.xml").content.decode())


def test_the_tracking_page_shows_the_resident_no_number(client, desk):
    ticket = _file_from_a_card(client, desk)
    page = client.post("/t/track/", {"code": ticket.code, "last4": "5678"}).content.decode()
    assert ticket.code in page and shows_none(page)


def _export(tmp_path, actor, campaign, **kwargs) -> str:
    path = str(tmp_path / "demands.xlsx")
    ledger_export(actor=actor, campaign=campaign, key=ALL_DEMANDS, path=path, **kwargs)
    with open(path, "rb") as handle:
        rows = CalamineWorkbook.from_filelike(io.BytesIO(handle.read())).get_sheet_by_index(0).to_python()
    return "\n".join(str(cell) for row in rows for cell in row)


def test_an_export_masks_the_text_unless_its_user_unmasks_with_a_reason(client, desk, tmp_path):
    _file_from_a_card(client, desk)
    masked = _export(tmp_path, desk.office, desk.campaign)
    assert MASKED in masked and shows_none(masked)
    full = _export(tmp_path, desk.office, desk.campaign, unmask=True, reason="电话回访核实")
    assert TEXT in full and "13907461234" in full
    event = AuditEvent.objects.filter(action="ledger.export", username="office").latest("id")
    assert event.detail["masked"] is False and event.detail["reason"] == "电话回访核实"


def test_the_migration_masks_the_titles_already_stored(desk):
    cut = desk.ticket(channel=Channel.QR, actor=None, title="x", description=TEXT)
    typed = desk.ticket(title="路灯")
    other = desk.ticket(title="路灯不亮")
    Ticket.objects.filter(pk=cut.pk).update(title=TEXT[:40])  # 电话1390746123…: cut, no longer a number
    Ticket.objects.filter(pk=typed.pk).update(title="王大妈13907461234反映")
    migration = importlib.import_module("minqing.tickets.migrations.0004_mask_numbers_in_titles")
    migration.mask_titles(apps, None)
    assert Ticket.objects.get(pk=cut.pk).title == MASKED[:40]
    assert Ticket.objects.get(pk=typed.pk).title == "王大妈139****1234反映"
    assert Ticket.objects.get(pk=other.pk).title == "路灯不亮"
