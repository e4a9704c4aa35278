"""Liaison cards and the disclosure board: real PDFs read back with pdftotext, a card page
rendered to PNG with pdftoppm (saved under artifacts/) and its QR code decoded by a real
decoder (zxing-cpp), the public board page and its limits."""

import io
import re
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from django.core.management import call_command
from PIL import Image

from minqing.cards.models import LiaisonCard
from minqing.cards.services import card_update
from minqing.org.models import Account, Grant
from minqing.programs.models import Campaign, LiaisonPoint, Pairing
from minqing.tickets.models import Ticket
from tests.artifacts import ARTIFACTS as TEST_ARTIFACTS
from tests.test_masking import leaks

ARTIFACTS = TEST_ARTIFACTS / "cards"
PUBLISHED = "13907311234"
SITE = "https://minqing.example.gov.cn"


def _pdftotext(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def _pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _png(pdf: bytes, name: str, dpi: int = 300) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", "-", str(stem)],
        input=pdf,
        check=True,
    )
    return stem.with_suffix(".png")


@pytest.fixture
def station(db):
    """A cadre of county A stationed at the demo village's point, with a published phone."""
    village = Grant.objects.get(account__username="village").regions.get()
    point = LiaisonPoint.objects.get(region=village)
    campaign = Campaign.objects.get(program_key="xiajiceng")
    pairing = (
        Pairing.objects.filter(campaign=campaign, point=point, end__isnull=True)
        .select_related("cadre__account", "cadre__unit")
        .first()
    )
    assert pairing is not None, "the demo stations a cadre at the village's point"
    office = Account.objects.get(username="office")
    card_update(
        actor=office,
        cadre=pairing.cadre,
        published_phone=PUBLISHED,
        commitment="有事找我，件件有回音",
        duty_days="每月6日、7日",
    )
    return {"campaign": campaign, "point": point, "cadre": pairing.cadre, "village": village}


def test_a_liaison_card_prints_the_cadre_and_a_qr_code_that_leads_to_the_intake_page(client_as, station):
    campaign, point, cadre = station["campaign"], station["point"], station["cadre"]
    response = client_as("office").get(f"/campaigns/{campaign.pk}/cards.pdf?cadre={cadre.pk}&layout=single")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    text = _pdftotext(pdf)
    for expected in (
        str(cadre.account),
        cadre.unit.name,
        PUBLISHED,
        "有事找我，件件有回音",
        "每月6日、7日",
        point.name,
    ):
        assert expected in text.replace(" ", ""), expected
    if cadre.post:
        assert cadre.post in text
    png = _png(pdf, "liaison-card")
    image = Image.open(png)
    # 90 × 54 mm at 300 dpi: a business card.
    assert abs(image.width - 1063) <= 3 and abs(image.height - 638) <= 3
    decoded = [r.text for r in zxingcpp.read_barcodes(image)]
    # No MINQING_SITE_URL in the tests: the code leads to where the page was asked for.
    expected_url = f"http://testserver/t/?c={campaign.pk}&p={point.pk}&k={cadre.pk}"
    assert decoded == [expected_url]


def test_an_a4_sheet_holds_ten_cards_with_cut_marks(client_as, station):
    from minqing.programs.selectors import campaign_cadres
    from minqing.programs.services import pairing_create

    campaign, point = station["campaign"], station["point"]
    office = Account.objects.get(username="office")
    stationed = set(
        Pairing.objects.filter(campaign=campaign, point__isnull=False).values_list("cadre_id", flat=True)
    )
    for cadre in campaign_cadres(campaign).exclude(pk__in=stationed)[:11]:
        pairing_create(
            actor=office,
            campaign=campaign,
            cadre=cadre,
            kind="baocun",
            target=point,
            start=campaign.start,
        )
    count = len(
        client_as("office")
        .get(f"/api/v1/campaigns/{campaign.pk}/cards", HTTP_AUTHORIZATION=_token("office"))
        .json()
    )
    assert count >= 11, "enough cards for two sheets"
    pdf = client_as("office").get(f"/campaigns/{campaign.pk}/cards.pdf").content
    assert _pages(pdf) == -(-count // 10)
    png = _png(pdf, "liaison-card-sheet", dpi=150)
    image = Image.open(png)
    assert abs(image.width - 1240) <= 3 and abs(image.height - 1754) <= 3, "A4 portrait"
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 10, "ten cards, each with its own readable code"
    assert all(c.text.startswith(f"http://testserver/t/?c={campaign.pk}&p=") for c in codes)
    # Cut marks: dark pixels in the top margin (above the first row of cards), in line with the
    # left edge of the cards (15 mm from the page's edge), and nothing between two marks.
    gray = image.convert("L")
    left_edge = round(15 / 25.4 * 150)
    assert (
        min(gray.getpixel((x, y)) for y in range(20, 60) for x in range(left_edge - 2, left_edge + 3)) < 128
    )
    assert (
        min(gray.getpixel((x, y)) for y in range(20, 60) for x in range(left_edge + 40, left_edge + 60)) > 200
    )


def _token(username):
    from minqing.org.services import token_create

    return f"Bearer {token_create(actor=None, account=Account.objects.get(username=username))}"


def test_without_a_published_phone_the_card_shows_the_work_phone_masked(client_as, station):
    campaign, cadre = station["campaign"], station["cadre"]
    card_update(
        actor=Account.objects.get(username="office"),
        cadre=cadre,
        published_phone="",
        commitment="",
        duty_days="",
    )
    text = _pdftotext(client_as("office").get(f"/campaigns/{campaign.pk}/cards.pdf?cadre={cadre.pk}").content)
    assert not leaks(text)
    if cadre.phone:
        assert cadre.phone.mask() in text


def test_cards_are_printed_only_in_the_users_scope(client_as, station):
    campaign = station["campaign"]
    assert client_as("office_jinan").get(f"/campaigns/{campaign.pk}/cards.pdf").status_code == 404
    assert client_as("unit").get(f"/campaigns/{campaign.pk}/cards.pdf").status_code == 403
    listed = client_as("cadre").get(
        f"/api/v1/campaigns/{campaign.pk}/cards", HTTP_AUTHORIZATION=_token("cadre")
    )
    mine = Account.objects.get(username="cadre").cadre.pk
    assert {item["cadre"] for item in listed.json()} <= {mine}


def test_the_disclosure_board_is_public_and_shows_no_residents_data(client, station):
    village, cadre = station["village"], station["cadre"]
    response = client.get(f"/board/{village.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert str(cadre.account) in page and cadre.unit.name in page and "每月6日、7日" in page
    assert set(leaks(page)) <= {PUBLISHED}, "only the phone the cadre published"
    for name in (
        village.households.select_related("head").exclude(head=None).values_list("head__name", flat=True)[:50]
    ):
        assert name not in page
    assert "<svg" in page, "the intake QR code is on the board"
    pdf = client.get(f"/board/{village.code}.pdf").content
    text = _pdftotext(pdf)
    assert village.name in text and str(cadre.account) in text.replace(" ", "")
    assert client.get("/board/999999999999/").status_code == 404


def test_the_board_is_rate_limited(client, station, settings):
    settings.BOARD_RATE_IP = "2/hour"
    from django.core.cache import cache

    cache.clear()
    village = station["village"]
    assert client.get(f"/board/{village.code}/").status_code == 200
    assert client.get(f"/board/{village.code}.pdf").status_code == 200
    limited = client.get(f"/board/{village.code}/")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0


def test_a_demand_filed_from_a_card_lands_at_its_point(client, station):
    campaign, point, cadre = station["campaign"], station["point"], station["cadre"]
    url = f"/t/?c={campaign.pk}&p={point.pk}&k={cadre.pk}"
    page = client.get(url).content.decode()
    assert str(cadre.account) in page and point.name in page
    response = client.post(
        url, {"name": "李四", "phone": "13711112222", "village": point.region_id[:12], "text": "水渠堵了"}
    )
    assert response.status_code == 200
    ticket = Ticket.objects.latest("id")
    assert ticket.point_id == point.pk and ticket.channel == "qr"


def test_only_the_cadre_or_the_office_sets_what_the_card_shows(client_as, station):
    cadre = station["cadre"]
    assert (
        client_as("leader").post(f"/cadres/{cadre.pk}/card/", {"published_phone": "13800000000"}).status_code
        == 403
    )
    shown = client_as("leader").get(f"/cadres/{cadre.pk}/card/").content.decode()
    assert "有事找我，件件有回音" in shown and 'name="published_phone"' not in shown
    bad = client_as("office").post(f"/cadres/{cadre.pk}/card/", {"published_phone": "12345"})
    assert bad.status_code == 200 and "11" in bad.content.decode()
    assert LiaisonCard.objects.get(cadre=cadre).published_phone.reveal() == PUBLISHED


def test_the_command_prints_cards_and_a_board(station, tmp_path):
    out = tmp_path / "cards.pdf"
    stdout = io.StringIO()
    call_command(
        "cards",
        campaign=station["campaign"].pk,
        point=station["point"].pk,
        site_url=SITE,
        output=str(out),
        stdout=stdout,
    )
    assert str(station["cadre"].account) in _pdftotext(out.read_bytes()).replace(" ", "")
    board = tmp_path / "board.pdf"
    call_command("cards", board=station["village"].code, site_url=SITE, output=str(board), stdout=stdout)
    assert station["village"].name in _pdftotext(board.read_bytes())


def test_the_cards_page_says_before_printing_how_many_cadres_published_no_phone(client_as, station):
    from minqing.cards.selectors import card_entries

    campaign, cadre = station["campaign"], station["cadre"]
    office = Account.objects.get(username="office")
    entries = card_entries(user=office, campaign=campaign, site=SITE)
    without = {e.cadre.pk for e in entries if e.phone and not e.phone_published}
    assert cadre.pk not in without  # the station's cadre published one
    page = client_as("office").get(f"/campaigns/{campaign.pk}/cards/").content.decode()
    assert without and cadre.phone, "the demo has cadres without a published phone"
    assert f"{len(without)}名干部未公开电话" in page and "群众无法拨打" in page
    card_update(actor=office, cadre=cadre, published_phone="", commitment="", duty_days="")
    page = client_as("office").get(f"/campaigns/{campaign.pk}/cards/").content.decode()
    assert f"{len(without) + 1}名干部未公开电话" in page


def test_the_board_and_the_cards_say_what_brings_each_cadre_to_the_point(client, station):
    """Each cadre's line names how they are there, in the template's words (a pairing's kind, a
    team and whether they lead it), not only the point: residents see who is 包村 and who leads a
    work team. A leader listed as a member too is named once, as the leader."""
    from minqing.programs.services import team_create

    campaign, point, cadre = station["campaign"], station["point"], station["cadre"]
    pairing = Pairing.objects.filter(campaign=campaign, point=point, cadre=cadre, end__isnull=True).first()
    kind = campaign.pairing_label(pairing.kind, pairing.slot)
    office = Account.objects.get(username="office")
    other = (
        Pairing.objects.filter(campaign=campaign)
        .exclude(cadre=cadre)
        .select_related("cadre__account")
        .first()
        .cadre
    )
    team_create(
        actor=office,
        campaign=campaign,
        name="柏利驻村工作队",
        leader=other,
        members=[other, cadre],
        points=[point],
    )
    page = client.get(f"/board/{station['village'].code}/").content.decode()
    assert f"{point.name} · {kind}、柏利驻村工作队<" in page, "the pairing's kind, then the team"
    assert f"{point.name} · 柏利驻村工作队 · 队长<" in page, "the leader named once, as the leader"
    listed = client.get(f"/api/v1/campaigns/{campaign.pk}/cards", HTTP_AUTHORIZATION=_token("office")).json()
    assert next(c for c in listed if c["cadre"] == cadre.pk)["roles"] == [kind, "柏利驻村工作队"]
    assert next(c for c in listed if c["cadre"] == other.pk)["roles"][-1].startswith("柏利驻村工作队 · ")


def _codes(pdf: bytes, name: str) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(_png(pdf, name, dpi=200)))]


def test_without_a_site_url_the_codes_lead_to_the_address_the_page_was_asked_at(client_as, station, settings):
    """A server nobody gave MINQING_SITE_URL prints codes to its own public address (the Host
    asked for, https as the trusted proxy says), never to 127.0.0.1; where it is set, it wins."""
    from django.test import Client

    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["minqing.example.gov.cn", "testserver"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    campaign, point, cadre, village = (
        station["campaign"],
        station["point"],
        station["cadre"],
        station["village"],
    )
    behind_proxy = {"HTTP_HOST": "minqing.example.gov.cn", "HTTP_X_FORWARDED_PROTO": "https"}
    wanted = f"{SITE}/t/?c={campaign.pk}&p={point.pk}&k={cadre.pk}"
    office = client_as("office")
    pdf = office.get(
        f"/campaigns/{campaign.pk}/cards.pdf?cadre={cadre.pk}&layout=single", **behind_proxy
    ).content
    assert _codes(pdf, "liaison-card-proxied") == [wanted]
    listed = office.get(
        f"/api/v1/campaigns/{campaign.pk}/cards?cadre={cadre.pk}",
        HTTP_AUTHORIZATION=_token("office"),
        **behind_proxy,
    ).json()
    assert [c["intake_url"] for c in listed] == [wanted]
    board = Client().get(f"/board/{village.code}.pdf", **behind_proxy).content
    codes = _codes(board, "board-proxied")
    assert codes and all(code.startswith(f"{SITE}/t/?c=") for code in codes)
    assert "127.0.0.1" not in Client().get(f"/board/{village.code}/", **behind_proxy).content.decode()

    settings.SITE_URL = "https://mq.county.gov.cn/"
    pdf = office.get(
        f"/campaigns/{campaign.pk}/cards.pdf?cadre={cadre.pk}&layout=single", **behind_proxy
    ).content
    assert _codes(pdf, "liaison-card-site-url") == [
        f"https://mq.county.gov.cn/t/?c={campaign.pk}&p={point.pk}&k={cadre.pk}"
    ]


def test_the_command_refuses_to_print_codes_without_a_site_url(station, tmp_path, settings):
    """The command line has no request to take the address from: without MINQING_SITE_URL or
    --site-url it says which to set and writes nothing; a --site-url that is no web address is
    refused too; given one, the codes lead there."""
    from django.core.management.base import CommandError
    from django.utils import translation

    settings.SITE_URL = ""
    campaign, point, cadre, village = (
        station["campaign"],
        station["point"],
        station["cadre"],
        station["village"],
    )
    out = tmp_path / "cards.pdf"
    for options in ({"campaign": campaign.pk}, {"board": village.code}):
        with translation.override("en"), pytest.raises(CommandError) as refused:
            call_command("cards", output=str(out), stdout=io.StringIO(), **options)
        assert "MINQING_SITE_URL" in str(refused.value) and "--site-url" in str(refused.value)
        assert not out.exists()
    for bad in ("minqing.example.gov.cn", "ftp://minqing.example.gov.cn", "https://", "http://x:port"):
        with translation.override("en"), pytest.raises(CommandError) as refused:
            call_command("cards", campaign=campaign.pk, site_url=bad, output=str(out), stdout=io.StringIO())
        assert "is no web address" in str(refused.value), bad
        assert not out.exists()
    # An intranet's host without a dot is an address.
    call_command(
        "cards",
        campaign=campaign.pk,
        cadre=cadre.pk,
        layout="single",
        site_url="http://minqing:8000/",
        output=str(out),
        stdout=io.StringIO(),
    )
    assert _codes(out.read_bytes(), "liaison-card-command") == [
        f"http://minqing:8000/t/?c={campaign.pk}&p={point.pk}&k={cadre.pk}"
    ]
    settings.SITE_URL = SITE
    call_command(
        "cards", campaign=campaign.pk, cadre=cadre.pk, layout="single", output=str(out), stdout=io.StringIO()
    )
    assert _codes(out.read_bytes(), "liaison-card-command") == [
        f"{SITE}/t/?c={campaign.pk}&p={point.pk}&k={cadre.pk}"
    ]


def test_the_board_shows_the_campaigns_fixed_service_days_where_the_card_names_none(client, db):
    """001 树根: the work team serves on the 6th and 7th of every month (the rule
    service_days.monthly's days). A cadre whose card names no duty days of its own shows
    those, as the campaign's rule has them now; the card's own words come first."""
    from minqing.programs.models import Team

    team = Team.objects.select_related("campaign", "leader__account").get(campaign__program_key="shugen")
    campaign, point = team.campaign, team.points.select_related("region").get()
    village = point.region
    LiaisonCard.objects.filter(cadre__teams=team).update(duty_days="")
    LiaisonCard.objects.filter(cadre=team.leader).update(duty_days="")

    def duty_days_of(name: str) -> list[str]:
        page = client.get(f"/board/{village.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        rows = [row for row in page.split("<tr>") if f"<b>{name}</b>" in row and campaign.name in row]
        assert rows, name
        return [re.search(r'data-label="Duty days">(.*?)</td>', row, re.S).group(1) for row in rows]

    leader = str(team.leader.account)
    assert duty_days_of(leader) == ["every month on days 6, 7"]
    rules = campaign.config["rules"]
    rule = next(r for r in rules if r["type"] == "service_days.monthly")
    rule["params"]["days"] = [15]
    campaign.save(update_fields=["config"])
    assert duty_days_of(leader) == ["every month on day 15"]
    card_update(
        actor=Account.objects.get(username="office"),
        cadre=team.leader,
        published_phone="",
        commitment="",
        duty_days="每周一上午",
    )
    assert duty_days_of(leader) == ["每周一上午"]
    LiaisonCard.objects.filter(cadre=team.leader).update(duty_days="")
    rule["disabled"] = True
    campaign.save(update_fields=["config"])
    assert duty_days_of(leader) == ["—"]


def test_check_deploy_warns_when_no_site_url_is_set(settings):
    """`minqing check --deploy` says, before the first cards go out, that without
    MINQING_SITE_URL the codes follow each request's host and the command needs --site-url;
    a plain `check` (development) does not, nor does a site with the address set."""
    from django.core.checks import WARNING, run_checks
    from django.utils import translation

    settings.SITE_URL = ""
    with translation.override("en"):
        found = [m for m in run_checks(include_deployment_checks=True) if m.id == "cards.W001"]
        assert len(found) == 1 and found[0].level == WARNING
        assert "MINQING_SITE_URL is not set" in found[0].msg and "--site-url" in found[0].msg
        assert "request" in found[0].msg and SITE in found[0].hint
        err = io.StringIO()
        # Other checks may fail in a test run (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE,
        # async.E001): only this warning is asked about.
        call_command("check", deploy=True, fail_level="CRITICAL", stdout=io.StringIO(), stderr=err)
        assert "cards.W001" in err.getvalue()
    assert not [m for m in run_checks() if m.id == "cards.W001"]
    settings.SITE_URL = "https://mq.county.gov.cn"
    assert not [m for m in run_checks(include_deployment_checks=True) if m.id == "cards.W001"]
