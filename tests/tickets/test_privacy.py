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
        # Household numbers (a region code, a dash, a serial) stay as written: staff find the home by them.
        ("户编号431123101201-0012，电话13907461234", "户编号431123101201-0012，电话139****1234"),
        ("组里的户431123100200001-12", "组里的户431123100200001-12"),
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


def _replied_with_numbers(ticket, desk):
    ticket = services.ticket_dispatch(actor=desk.office, ticket=ticket, unit=desk.unit)
    services.ticket_claim(actor=desk.unit_user, ticket=ticket)
    return services.ticket_reply(actor=desk.unit_user, ticket=ticket, reply="已联系" + TEXT)


def test_the_reply_is_shown_masked_on_the_tracking_page_the_ticket_page_and_the_api(client, client_as, desk):
    ticket = _replied_with_numbers(_file_from_a_card(client, desk), desk)
    assert ticket.reply == "已联系" + TEXT  # kept whole
    track = client.post("/t/track/", {"code": ticket.code, "last4": "5678"}).content.decode()
    assert "已联系电话139****1234" in track and shows_none(track)
    office = client_as("office")
    page = office.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "已联系电话139****1234" in page and shows_none(page)
    token = token_create(actor=None, account=desk.unit_user)
    one = client.get(f"/api/v1/tickets/{ticket.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert one.json()["reply"] == "已联系" + MASKED and shows_none(one.content.decode())
    listed = client.get("/api/v1/tickets", HTTP_AUTHORIZATION=f"Bearer {token}").content.decode()
    assert ticket.code in listed and shows_none(listed)


def test_the_open311_feed_publishes_the_reply_to_its_own_demands_masked(client, desk):
    token = token_create(actor=None, account=Account.objects.get(username="office"))
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": token, "service_code": f"{desk.campaign.pk}-urban_rural", "description": "路灯坏了"},
    )
    ticket = _replied_with_numbers(Ticket.objects.get(code=response.json()[0]["service_request_id"]), desk)
    feed = client.get(f"/open311/v2/requests/{ticket.code}.json")
    assert feed.json()[0]["status_notes"] == "已联系" + MASKED and shows_none(feed.content.decode())
    assert shows_none(client.get(f"/open311/v2/requests/{ticket.code}.xml").content.decode())


def test_reasons_follow_up_notes_and_requests_for_more_time_are_shown_masked(client_as, desk):
    import datetime as dt

    from django.utils import timezone

    ticket = desk.dispatched()
    services.ticket_return(actor=desk.unit_user, ticket=ticket, reason="不归我局，请联系" + TEXT)
    ticket = services.ticket_dispatch(
        actor=desk.office, ticket=Ticket.objects.get(pk=ticket.pk), unit=desk.unit
    )
    services.ticket_claim(actor=desk.unit_user, ticket=ticket)
    services.ticket_extend(
        actor=desk.unit_user,
        ticket=Ticket.objects.get(pk=ticket.pk),
        new_deadline=timezone.localtime(Ticket.objects.get(pk=ticket.pk).deadline).date()
        + dt.timedelta(days=2),
        reason="等居民回电13907461234",
    )
    page = client_as("office").get(f"/tickets/{ticket.pk}/").content.decode()
    assert "等居民回电139****1234" in page and shows_none(page)  # the request waiting for a decision
    token = token_create(actor=None, account=desk.office)
    body = client_as("office").get(f"/api/v1/tickets/{ticket.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert body.json()["pending_extension"]["reason"] == "等居民回电139****1234"
    services.ticket_extend_refuse(
        actor=desk.office, ticket=Ticket.objects.get(pk=ticket.pk), reason="先打431123196505121234家属电话"
    )
    ticket = services.ticket_reply(
        actor=desk.unit_user, ticket=Ticket.objects.get(pk=ticket.pk), reply="已修复"
    )
    services.ticket_follow_up(
        actor=desk.office, ticket=ticket, resolved=False, satisfaction="dissatisfied", note="回访" + TEXT
    )
    for username in ("office", "unit"):
        page = client_as(username).get(f"/tickets/{ticket.pk}/").content.decode()
        assert "请联系电话139****1234" in page and "回访电话139****1234" in page, username
        assert "等居民回电139****1234" in page and "先打431123********1234" in page, username
        assert shows_none(page), username


def test_the_problems_raised_on_a_visit_are_shown_masked_on_its_page_and_in_the_api(client, client_as, actor):
    import datetime as dt

    from django.utils import timezone

    from minqing.fieldwork.services import visit_record
    from minqing.programs.models import Campaign, Pairing

    account = actor("cadre")
    campaign = Campaign.objects.get(program_key="xiajiceng")
    pairing = Pairing.objects.filter(
        campaign=campaign, cadre__account=account, household__isnull=False
    ).first()
    visit = visit_record(
        actor=account,
        campaign=campaign,
        cadre=pairing.cadre,
        date=max(campaign.start, timezone.localdate() - dt.timedelta(days=1)),
        form="home_visit",
        target=pairing.household,
        problems=[TEXT, "村口路灯不亮"],
    )
    assert visit.problems[0] == TEXT  # kept whole
    page = client_as("cadre").get(f"/fieldwork/visits/{visit.uuid}/").content.decode()
    assert MASKED in page and "村口路灯不亮" in page and shows_none(page)
    token = token_create(actor=None, account=account)
    one = client.get(f"/api/v1/visits/{visit.uuid}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert one.json()["problems"] == [MASKED, "村口路灯不亮"]
    listed = client.get("/api/v1/visits", HTTP_AUTHORIZATION=f"Bearer {token}").content.decode()
    assert str(visit.uuid) in listed and shows_none(listed)


def test_an_export_masks_the_reply_unless_its_user_unmasks(client, desk, tmp_path):
    _replied_with_numbers(_file_from_a_card(client, desk), desk)
    masked = _export(tmp_path, desk.office, desk.campaign)
    assert "已联系" + MASKED in masked and shows_none(masked)
    full = _export(tmp_path, desk.office, desk.campaign, unmask=True, reason="电话回访核实")
    assert "已联系" + TEXT in full
