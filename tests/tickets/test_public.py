import json
import re

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from minqing.geo.models import Region
from minqing.tickets import services
from minqing.tickets.models import Channel, Status, Ticket


@pytest.fixture(autouse=True)
def fresh_counters(db):
    cache.clear()
    yield
    cache.clear()


def village():
    return Region.objects.filter(code__startswith="431123", level=Region.Level.VILLAGE).first()


def filing(**overrides):
    data = {
        "name": "王大妈",
        "phone": "13812345678",
        "village": village().code,
        "text": "村口路灯坏了三盏\n晚上很黑",
    }
    data.update(overrides)
    return data


def test_the_qr_page_asks_no_id_number(client, db):
    page = client.get("/t/").content.decode()
    assert 'name="phone"' in page and "id_number" not in page


def test_a_resident_files_a_demand_and_gets_a_tracking_code(client, db):
    response = client.post("/t/", filing())
    assert response.status_code == 200
    ticket = Ticket.objects.get(code=response.context["ticket"].code)
    assert ticket.channel == Channel.QR and ticket.status == Status.REGISTERED and ticket.created_by is None
    assert ticket.code in response.content.decode() and ticket.title == "村口路灯坏了三盏"
    assert "13812345678" not in response.content.decode()


def test_public_intake_without_a_csrf_token_is_refused(db):
    before = Ticket.objects.count()
    client = Client(enforce_csrf_checks=True)
    assert client.post("/t/", filing()).status_code == 403
    assert Ticket.objects.count() == before


@override_settings(INTAKE_PER_IP_PER_HOUR=3, INTAKE_PER_PHONE_PER_DAY=100)
def test_over_the_limit_per_ip_gets_429_with_retry_after(client, db):
    before = Ticket.objects.count()
    for n in range(3):
        assert client.post("/t/", filing(phone=f"1381234{n:04d}")).status_code == 200
    response = client.post("/t/", filing(phone="13900000000"))
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 3600
    assert Ticket.objects.count() == before + 3


@override_settings(INTAKE_PER_IP_PER_HOUR=100, INTAKE_PER_PHONE_PER_DAY=2)
def test_over_the_limit_per_phone_gets_429_from_any_address(db):
    for n in range(2):
        assert Client(REMOTE_ADDR=f"10.0.0.{n}").post("/t/", filing()).status_code == 200
    response = Client(REMOTE_ADDR="10.0.0.9").post("/t/", filing())
    assert response.status_code == 429 and int(response["Retry-After"]) <= 86400


def test_tracking_needs_the_code_and_the_last_four_digits(client, db):
    code = client.post("/t/", filing()).context["ticket"].code
    wrong = client.post("/t/track/", {"code": code, "last4": "0000"})
    assert wrong.context["not_found"] and "ticket" not in wrong.context
    right = client.post("/t/track/", {"code": code.lower(), "last4": "5678"})
    assert right.context["ticket"].code == code and "rate_form" not in right.context


def test_the_resident_rates_the_reply_and_dissatisfied_reopens_it(client, db, actor):
    from minqing.org.models import Cadre

    code = client.post("/t/", filing()).context["ticket"].code
    ticket = Ticket.objects.get(code=code)
    office, unit_user = actor("office"), actor("unit")
    services.ticket_dispatch(actor=office, ticket=ticket, unit=Cadre.objects.get(account=unit_user).unit)
    services.ticket_claim(actor=unit_user, ticket=ticket)
    services.ticket_reply(actor=unit_user, ticket=ticket, reply="已安排电工本周修复")
    page = client.post("/t/track/", {"code": code, "last4": "5678"})
    assert "已安排电工本周修复" in page.content.decode() and page.context["rate_form"]
    rated = client.post(
        "/t/track/",
        {"code": code, "last4": "5678", "resolved": "no", "satisfaction": "dissatisfied", "note": "没修好"},
    )
    assert rated.context["thanks"]
    ticket.refresh_from_db()
    assert (
        ticket.status == Status.REOPENED
        and ticket.satisfaction == "dissatisfied"
        and ticket.resolved is False
    )
    event = ticket.events.get(action="follow_up")
    assert event.actor is None and event.reason == "没修好"


@override_settings(TRACK_PER_IP_PER_HOUR=2)
def test_guessing_digits_is_rate_limited(client, db):
    for _ in range(2):
        client.post("/t/track/", {"code": "MQ-2026-000001", "last4": "1234"})
    response = client.post("/t/track/", {"code": "MQ-2026-000001", "last4": "1235"})
    assert response.status_code == 429 and response["Retry-After"]


def test_a_photo_is_kept_and_a_file_that_is_no_image_is_refused(client, db, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    photo = SimpleUploadedFile("lamp.png", buffer.getvalue(), content_type="image/png")
    response = client.post("/t/", {**filing(), "photo": photo})
    assert Ticket.objects.get(code=response.context["ticket"].code).photo.name.endswith(".png")
    fake = SimpleUploadedFile("lamp.png", b"<script>alert(1)</script>", content_type="image/png")
    refused = client.post("/t/", {**filing(phone="13900001111"), "photo": fake})
    assert refused.status_code == 200 and refused.context["form"].errors["photo"]


def test_a_residents_photo_loses_its_gps_position_and_file_name(client, db, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (26.0, 12.0, 30.0), 3: "E", 4: (111.0, 38.0, 5.0)}  # GPS IFD
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "blue").save(buffer, "JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(buffer.getvalue())).getexif().get_ifd(0x8825)
    photo = SimpleUploadedFile("张三家门口.jpg", buffer.getvalue(), content_type="image/jpeg")
    response = client.post("/t/", {**filing(), "photo": photo})
    ticket = Ticket.objects.get(code=response.context["ticket"].code)
    assert "张三" not in ticket.photo.name and ticket.photo.name.endswith(".jpg")
    stored = Image.open(ticket.photo.path)
    assert stored.size == (32, 24)
    assert not stored.getexif() and "exif" not in stored.info
    assert b"PhoneMaker" not in (tmp_path / ticket.photo.name).read_bytes()


def test_the_photo_is_served_only_to_who_may_see_the_demand(client_as, db, settings, tmp_path):
    import io

    from PIL import Image

    from minqing.org.models import Account
    from minqing.programs.models import Campaign
    from minqing.tickets.services import ticket_create

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "PNG")
    office = Account.objects.get(username="office")
    campaign = Campaign.objects.get(program_key="xiajiceng")
    ticket = ticket_create(
        actor=office,
        campaign=campaign,
        title="路灯不亮",
        description="村口路灯坏了",
        region=campaign.region,
        photo=buffer.getvalue(),
    )
    page = client_as("office").get(f"/tickets/{ticket.pk}/")
    assert f"/tickets/{ticket.pk}/photo/" in page.content.decode()
    served = client_as("office").get(f"/tickets/{ticket.pk}/photo/")
    assert served.status_code == 200 and served["Content-Disposition"].startswith("attachment")
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")
    assert client_as("office_jinan").get(f"/tickets/{ticket.pk}/photo/").status_code == 404


def test_the_village_list_is_grouped_by_county_and_township(client, db):
    page = client.get("/t/").content.decode()
    village_ = village()
    township, county = village_.parent, village_.parent.parent
    group = re.search(rf'<optgroup label="{county.name} · {township.name}">(.*?)</optgroup>', page, re.S)
    assert group and f'value="{village_.code}"' in group.group(1)
    # Another county's villages are in groups of their own.
    other = Region.objects.filter(level=Region.Level.VILLAGE).exclude(code__startswith="431123").first()
    assert f'<optgroup label="{other.parent.parent.name} · {other.parent.name}">' in page


def test_the_categories_are_the_campaigns_and_none_are_asked_without_one(client, db):
    from minqing.programs.models import Campaign

    assert 'name="category"' not in client.get("/t/").content.decode()
    campaign = Campaign.objects.get(program_key="shugen")
    page = client.get("/t/", {"c": campaign.pk}).content.decode()
    for item in campaign.config["ticket_categories"]:
        assert f'<option value="{item["key"]}">{item["name"]}</option>' in page
    response = client.post(f"/t/?c={campaign.pk}", filing(category="environment"))
    ticket = Ticket.objects.get(code=response.context["ticket"].code)
    assert ticket.campaign == campaign and ticket.category == "environment"


def test_a_dispatched_demand_reads_dispatched_to_the_resident(client, db, actor):
    from minqing.org.models import Cadre

    code = client.post("/t/", filing()).context["ticket"].code
    ticket = Ticket.objects.get(code=code)
    office, unit_user = actor("office"), actor("unit")
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    page = client.post("/t/track/", {"code": code, "last4": "5678"}, **english).content.decode()
    assert re.search(r'<dd id="track-status">Registered</dd>', page)
    services.ticket_dispatch(actor=office, ticket=ticket, unit=Cadre.objects.get(account=unit_user).unit)
    page = client.post("/t/track/", {"code": code, "last4": "5678"}, **english).content.decode()
    assert re.search(r'<dd id="track-status">Dispatched</dd>', page)
    services.ticket_return(actor=unit_user, ticket=ticket, reason="不属于本单位")
    page = client.post("/t/track/", {"code": code, "last4": "5678"}, **english).content.decode()
    assert re.search(r'<dd id="track-status">Being dispatched again</dd>', page)


def test_the_tracking_result_leads_to_another_demand_and_a_new_problem(client, db):
    from minqing.programs.models import Campaign

    campaign = Campaign.objects.get(program_key="shugen")
    code = client.post(f"/t/?c={campaign.pk}", filing()).context["ticket"].code
    page = client.post("/t/track/", {"code": code, "last4": "5678"}).content.decode()
    more = re.search(r'<p id="track-more">(.*?)</p>', page, re.S).group(1)
    assert 'href="/t/track/"' in more and f'href="/t/?c={campaign.pk}"' in more


def test_a_demand_filed_without_a_card_belongs_to_the_nearest_campaign_running_over_its_village(client, db):
    """Without a card (no ?c=) the demand still lands in a campaign, so that it is in a ledger,
    the figures and the Open311 feed: the one running over the village nearest to it (a
    township's before the county's), else the county's; none when no campaign runs there."""
    from django.utils import timezone

    from minqing.programs.models import Campaign

    place, today = village(), timezone.localdate()
    running = [
        c
        for c in Campaign.objects.filter(status="running").select_related("region")
        if place.code.startswith(c.region.prefix) and c.start <= today and (c.end is None or c.end >= today)
    ]
    assert len({len(c.region.prefix) for c in running}) > 1, "the demo runs campaigns at two levels here"
    nearest = max(running, key=lambda c: (len(c.region.prefix), c.start, c.pk))
    ticket = Ticket.objects.get(code=client.post("/t/", filing()).context["ticket"].code)
    assert ticket.campaign == nearest
    # That campaign ended: the next nearest takes it.
    Campaign.objects.filter(pk=nearest.pk).update(status="ended")
    second = max(
        (c for c in running if c.pk != nearest.pk), key=lambda c: (len(c.region.prefix), c.start, c.pk)
    )
    ticket = Ticket.objects.get(code=client.post("/t/", filing(phone="13812345679")).context["ticket"].code)
    assert ticket.campaign == second
    # No campaign runs there: none, as before.
    Campaign.objects.filter(pk__in=[c.pk for c in running]).update(status="ended")
    ticket = Ticket.objects.get(code=client.post("/t/", filing(phone="13812345670")).context["ticket"].code)
    assert ticket.campaign is None


def test_without_a_card_no_village_is_chosen_until_the_resident_chooses_one(client, db):
    """A resident in a hurry who leaves the list alone must not file into the county's first
    village: the list opens on an empty choice that is required, and a demand sent without
    one is refused with a clear message and writes nothing."""
    from django.utils import translation

    page = client.get("/t/").content.decode()
    select = re.search(r'<select name="village"([^>]*)>(.*?)</select>', page, re.S)
    assert select and "required" in select.group(1)
    options = select.group(2)
    assert options.lstrip().startswith('<option value="" selected>'), "the empty choice comes first"
    assert options.count("selected") == 1, "no village chosen for the resident"
    before = Ticket.objects.count()
    with translation.override("en"):
        refused = client.post("/t/", filing(village=""), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200 and "ticket" not in refused.context
    assert "Choose the village or community where the problem is." in refused.content.decode()
    assert Ticket.objects.count() == before
    # From a card, the card's point chooses the village.
    from minqing.programs.models import Pairing

    pairing = (
        Pairing.objects.filter(point__isnull=False, campaign__status="running")
        .select_related("point")
        .first()
    )
    scanned = client.get("/t/", {"c": pairing.campaign_id, "p": pairing.point_id}).content.decode()
    assert f'<option value="{pairing.point.region_id[:12]}" selected>' in scanned


def test_the_phone_box_opens_the_number_pad(client, db):
    page = client.get("/t/").content.decode()
    box = re.search(r'<input[^>]*name="phone"[^>]*>', page).group(0)
    assert 'type="tel"' in box and 'inputmode="tel"' in box and 'autocomplete="tel"' in box


def test_tracking_shows_the_residents_own_words_masked_and_the_deadline(client, db):
    """One who holds two codes tells them apart by what they wrote; an ID or phone number typed
    into it is shown masked, and the deadline the demand is to be handled by is there."""
    from django.utils import formats, timezone

    from tests.test_masking import leaks

    text = "村口路灯坏了三盏\n请打13912345678找我，身份证431123199001011234"
    code = client.post("/t/", filing(text=text)).context["ticket"].code
    ticket = Ticket.objects.get(code=code)
    page = client.post("/t/track/", {"code": code, "last4": "5678"}).content.decode()
    words = re.search(r'<dd id="track-words">(.*?)</dd>', page, re.S).group(1)
    assert "村口路灯坏了三盏<br>请打139****5678找我" in words and "431123********1234" in words
    assert not leaks(page)
    deadline = re.search(r'<dd id="track-deadline">(.*?)</dd>', page, re.S).group(1)
    assert deadline == formats.date_format(timezone.localtime(ticket.deadline), "DATETIME_FORMAT")
    other = client.post("/t/", filing(text="河边垃圾没人清", phone="13812340000")).context["ticket"].code
    page = client.post("/t/track/", {"code": other, "last4": "0000"}).content.decode()
    assert "河边垃圾没人清" in page and "路灯" not in page


def _rows_after(before: int):
    from minqing.core.models import AuditEvent

    return list(AuditEvent.objects.filter(id__gt=before, action="ticket.track").order_by("id"))


def _last_audit_id() -> int:
    from minqing.core.models import AuditEvent

    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_a_lookup_is_one_audit_row_naming_the_demand_never_the_digits(client, db):
    """The page shows the resident's words and the reply: a read, by no account, from the
    address it came from; named by the demand's id and code, not its title nor the digits."""
    code = client.post("/t/", filing()).context["ticket"].code
    ticket = Ticket.objects.get(code=code)
    before = _last_audit_id()
    page = client.post("/t/track/", {"code": code.lower(), "last4": "5678"}, REMOTE_ADDR="10.1.2.3")
    assert page.context["ticket"] == ticket
    rows = _rows_after(before)
    assert [(r.result, r.object_type, r.object_id, r.object_repr) for r in rows] == [
        ("ok", "tickets.ticket", str(ticket.pk), code)
    ]
    row = rows[0]
    assert (row.user_id, row.username, row.channel, row.ip) == (None, "", "web", "10.1.2.3")
    assert row.detail == {"shown": 1}
    assert (
        "5678" not in json.dumps([row.object_repr, row.detail, row.object_id], ensure_ascii=False)
        and ticket.title not in row.object_repr
    )


def test_a_failed_lookup_is_a_failed_row_naming_the_demand_whose_code_was_typed(client, db):
    """Guesses at one demand's digits show in the trail, each a row naming that demand (the
    digits typed are never kept); a code of no demand names none. Over the limit, no lookup
    and no row."""
    code = client.post("/t/", filing()).context["ticket"].code
    ticket = Ticket.objects.get(code=code)
    before = _last_audit_id()
    client.post("/t/track/", {"code": code, "last4": "4321"})
    client.post("/t/track/", {"code": "MQ-1999-999999", "last4": "4321"})
    rows = _rows_after(before)
    assert [(r.result, r.object_type, r.object_id, r.object_repr, r.detail) for r in rows] == [
        ("failed", "tickets.ticket", str(ticket.pk), code, {"shown": 0}),
        ("failed", "tickets.ticket", "", "", {"shown": 0}),
    ]
    assert not [r for r in rows if "4321" in json.dumps(r.detail) + r.object_repr]


@override_settings(TRACK_PER_IP_PER_HOUR=1)
def test_a_lookup_over_the_limit_writes_no_row(client, db):
    code = client.post("/t/", filing()).context["ticket"].code
    before = _last_audit_id()
    assert client.post("/t/track/", {"code": code, "last4": "0000"}).status_code == 200
    assert client.post("/t/track/", {"code": code, "last4": "5678"}).status_code == 429
    assert [r.result for r in _rows_after(before)] == ["failed"]
