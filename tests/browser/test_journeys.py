"""What the county office does in a real browser: sign in, find a household by the
pinyin initials of a name, open it without seeing anyone's full ID number, switch
the language, and do the same on a phone."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .conftest import FULL_ID_NUMBER

pytestmark = pytest.mark.browser

HOUSEHOLD_LINK = re.compile(r"/people/households/\d+/$")
MASKED_ID_NUMBER = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")
MASKED_MOBILE = re.compile(r"^1\d{2}\*{4}\d{4}$")


def result_count(page) -> int:
    text = page.locator("#result-count").inner_text()
    found = re.search(r"\d[\d,]*", text)
    assert found, f"no number in the result count {text!r}"
    return int(found.group().replace(",", ""))


def household_rows(page):
    return page.locator("table tbody tr").filter(has=page.locator("a[href*='/people/households/']"))


def language_button(page, code: str):
    # Found by the language it switches to: its label is itself translated (英语 for English).
    return page.locator(f"header form.langswitch button[name=language][value='{code}']")


def search_households(page, site: str, q: str) -> None:
    page.goto(f"{site}/people/households/")
    page.get_by_role("searchbox").fill(q)
    with page.expect_navigation():
        page.get_by_role("searchbox").press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]q={q}\b"))


def office_households_matching_initials(prefix: str):
    """What the office (双牌县) should find: households with a member whose initials start with `prefix`."""
    from minqing.people.models import Household, Member

    household_ids = Member.objects.filter(name_initials__startswith=prefix).values("household_id")
    return Household.objects.filter(region__code__startswith="431123", id__in=household_ids)


def test_office_signs_in_through_the_login_form_and_lands_on_the_overview(
    page, site, demo_password, screenshot
):
    page.goto(f"{site}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("#id_username")).to_be_focused()
    page.locator("#id_username").fill("office")
    page.locator("#id_password").fill(demo_password)
    screenshot(page, "01-login")

    with page.expect_navigation():
        page.locator("#id_password").press("Enter")

    expect(page).to_have_url(f"{site}/")
    expect(page.locator("header")).to_contain_text("唐晓兰")  # the office account's cadre name
    expect(page.locator("header .mainnav a[href='/people/households/']")).to_be_visible()
    screenshot(page, "02-overview")


def test_office_finds_households_by_the_pinyin_initials_zs(page, site, sign_in, screenshot):
    sign_in(page, "office")
    search_households(page, site, "zs")

    expect(page.get_by_role("searchbox")).to_have_value("zs")
    expect(page.locator("#result-count")).to_be_visible()
    expected = office_households_matching_initials("zs")
    assert expected.exists(), "the demo (seed 7) should have someone with the initials zs"
    assert result_count(page) == expected.count()

    rows = household_rows(page)
    expect(rows.first).to_be_visible()
    assert rows.count() == min(expected.count(), settings.PAGE_SIZE)
    for href in rows.locator("td:first-child a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    ):
        assert HOUSEHOLD_LINK.search(href), href

    # Every household listed has someone called Z… S…, and on this first page at least
    # one of them is the head of the household.
    from minqing.core.text import pinyin_keys

    codes = rows.locator("td:first-child a").all_inner_texts()
    assert set(codes) <= set(expected.values_list("code", flat=True))
    heads = rows.locator("td:nth-child(2)").all_inner_texts()
    assert any(pinyin_keys(name.strip())[1].startswith("zs") for name in heads), heads
    screenshot(page, "03-search-zs")


def test_office_opens_a_household_from_the_results_and_sees_only_masked_id_numbers(
    page, site, sign_in, screenshot
):
    from minqing.people.models import Household

    sign_in(page, "office")
    search_households(page, site, "zs")
    first = household_rows(page).first.locator("td:first-child a")
    code = first.inner_text().strip()
    with page.expect_navigation():
        first.click()

    expect(page).to_have_url(HOUSEHOLD_LINK)
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    household = Household.objects.get(code=code)
    members = list(household.members.order_by("id"))
    member_rows = page.locator("table").first.locator("tbody tr")
    expect(member_rows).to_have_count(len(members))
    expect(member_rows.first).to_contain_text(members[0].name)

    id_cells = page.locator("[id^='reveal-'][id$='-id_number']").all_inner_texts()
    assert len(id_cells) == len(members)
    assert any(MASKED_ID_NUMBER.match(text.strip()) for text in id_cells), id_cells
    for text in id_cells:
        assert text.strip() == "—" or MASKED_ID_NUMBER.match(text.strip()), text
    for text in page.locator("[id^='reveal-'][id$='-phone']").all_inner_texts():
        assert text.strip() == "—" or MASKED_MOBILE.match(text.strip()), text

    body_text = page.locator("body").inner_text()
    assert not FULL_ID_NUMBER.search(body_text), FULL_ID_NUMBER.search(body_text).group()
    html = page.content()
    for member in members:
        if member.id_number:
            assert member.id_number.reveal() not in html
        if member.phone:
            assert member.phone.reveal() not in html
    screenshot(page, "04-household")


def in_chinese(text: str) -> str:
    """The interface's Simplified Chinese for `text` (itself while no catalogue translates it)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(text)


def test_office_switches_the_interface_to_english_and_back(page, site, sign_in, screenshot):
    sign_in(page, "office")
    page.goto(f"{site}/people/households/")
    html = page.locator("html")
    nav = page.locator("header .mainnav")
    expect(html).to_have_attribute("lang", "zh-Hans")
    expect(nav.get_by_role("link", name=in_chinese("Households"), exact=True)).to_be_visible()

    with page.expect_navigation():
        language_button(page, "en").click()

    expect(page).to_have_url(f"{site}/people/households/")  # the switch brings you back where you were
    expect(html).to_have_attribute("lang", "en")
    expect(nav.get_by_role("link", name="Households", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Overview", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Households")
    expect(page.locator("header").get_by_role("button", name="Sign out")).to_be_visible()
    expect(language_button(page, "en")).to_have_count(0)
    screenshot(page, "05-english")

    with page.expect_navigation():
        language_button(page, "zh-hans").click()

    expect(page).to_have_url(f"{site}/people/households/")
    expect(html).to_have_attribute("lang", "zh-Hans")
    expect(nav.get_by_role("link", name=in_chinese("Households"), exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(in_chinese("Households"))
    expect(language_button(page, "en")).to_be_visible()
    expect(language_button(page, "zh-hans")).to_have_count(0)
    screenshot(page, "06-chinese-again")


def test_office_can_use_the_household_list_on_a_phone(phone_page, site, sign_in, screenshot):
    page = phone_page
    sign_in(page, "office")
    page.goto(f"{site}/people/households/")

    def no_sideways_scrolling():
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the page is {overflow}px wider than the phone's screen"

    no_sideways_scrolling()
    searchbox = page.get_by_role("searchbox")
    expect(searchbox).to_be_visible()
    expect(page.locator("table thead")).to_be_hidden()  # the table turns into labelled cards
    first = household_rows(page).first
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, box
    screenshot(page, "07-phone-households")

    searchbox.fill("zs")
    with page.expect_navigation():
        searchbox.press("Enter")
    expect(page.locator("#result-count")).to_be_visible()
    no_sideways_scrolling()
    link = household_rows(page).first.locator("a")
    link.scroll_into_view_if_needed()
    with page.expect_navigation():
        link.tap()
    expect(page).to_have_url(HOUSEHOLD_LINK)
    no_sideways_scrolling()
    screenshot(page, "08-phone-household")


def test_anonymous_visitor_to_the_household_list_ends_on_the_login_page_and_returns_after_signing_in(
    page, site, demo_password, screenshot
):
    page.goto(f"{site}/people/households/")

    expect(page).to_have_url(re.compile(r"/login/\?next=/people/households/$"))
    expect(page.locator("#id_password")).to_be_visible()
    expect(page.locator("table")).to_have_count(0)
    expect(page.locator("header .mainnav")).to_have_count(0)
    screenshot(page, "09-anonymous-to-login")

    page.locator("#id_username").fill("office")
    page.locator("#id_password").fill(demo_password)
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")
    expect(page).to_have_url(f"{site}/people/households/")
    expect(page.locator("#result-count")).to_be_visible()


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(page, site, screenshot):
    page.goto(f"{site}/login/")
    page.locator("#id_username").fill("office")
    page.locator("#id_password").fill("not-the-password-1")
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")

    expect(page).to_have_url(f"{site}/login/")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#id_username")).to_have_value("office")
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.locator("header .mainnav")).to_have_count(0)
    screenshot(page, "10-wrong-password")
