"""The header in a real browser at the widths people use (found by a new-user tester, F11 and
F39): on a desktop the account area (name, language, sign out) stays on one line and the
menu keeps to tidy rows, the less used pages under "More"; on a phone the menu folds behind
"Menu", so the page itself starts near the top, and unfolds on a tap or from the keyboard."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DESKTOPS = (1366, 1280, 1024)


def in_chinese(text: str) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(text)


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box, f"{locator} is not laid out"
    return box


def _one_line_high(locator) -> bool:
    """The element is no taller than one line of its own text (with its padding)."""
    height, line = locator.evaluate(
        "e => { const s = getComputedStyle(e); return [e.getBoundingClientRect().height,"
        " parseFloat(s.lineHeight) + parseFloat(s.paddingTop) + parseFloat(s.paddingBottom)"
        " + parseFloat(s.borderTopWidth) + parseFloat(s.borderBottomWidth)]; }"
    )
    return height <= line + 2


@pytest.mark.parametrize("username", ["office", "leader", "sysadmin"])
def test_the_account_area_stays_on_one_line_and_the_menu_in_tidy_rows_on_a_desktop(
    browser, site, sign_in, screenshot, username
):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, username)
        header = page.locator("header")
        signout = header.locator("form.signout button")
        name = header.locator(".account-name")
        menu = header.locator(".mainnav")
        for width in DESKTOPS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{site}/")
            expect(signout).to_be_visible()
            expect(name).to_be_visible()
            assert _one_line_high(signout), f"{username} at {width}px: the sign-out button wraps"
            assert _one_line_high(name), f"{username} at {width}px: the name wraps"
            expect(page.locator(".menu-toggle-label")).to_be_hidden()
            # Every menu entry on one line of its own, and no row of the header out of the page.
            for link in menu.locator(":scope > li > a").all():
                assert _one_line_high(link), f"{username} at {width}px: {link.inner_text()} wraps"
            assert _box(header)["width"] <= width
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            # The menu takes no more than two rows: the page starts high enough.
            menu_box = _box(menu)
            assert menu_box["height"] < 100, (
                f"{username} at {width}px: the menu is {menu_box['height']}px high"
            )
            if width >= 1280:
                # One row: the account area beside the menu, not under it.
                assert abs(_box(signout)["y"] - menu_box["y"]) < menu_box["height"]
            screenshot(page, f"nav-{username}-{width}")
        more = menu.locator(".more details")
        if username != "sysadmin":
            # The long menus put their less used pages under "More", which opens without script.
            expect(more).to_have_count(1)
            page.set_viewport_size({"width": 1366, "height": 900})
            more.locator("summary").click()
            regions = more.get_by_role("link", name="行政区划")
            expect(regions).to_be_visible()
            screenshot(page, f"nav-{username}-1366-more")
            with page.expect_navigation():
                regions.click()
            expect(page.locator(".more summary")).to_have_class("current")
        else:
            expect(more).to_have_count(0)
    finally:
        context.close()


@pytest.mark.parametrize("username", ["office", "leader"])
def test_on_a_phone_the_menu_is_folded_and_opens_on_a_tap(phone_page, site, sign_in, screenshot, username):
    page = phone_page
    sign_in(page, username)
    page.goto(f"{site}/campaigns/")
    toggle = page.locator(".menu-toggle")
    label = page.locator(".menu-toggle-label")
    menu = page.locator("#mainnav")
    expect(label).to_be_visible()
    expect(label).to_have_text(f"☰ {in_chinese('Menu')}")
    expect(toggle).to_have_attribute("aria-controls", "mainnav")
    expect(toggle).not_to_be_checked()
    expect(menu).to_be_hidden()
    # The page itself, not the menu, fills the first screen.
    assert _box(page.locator("main"))["y"] < 150
    assert _box(page.locator("main h1"))["y"] < 200
    assert _one_line_high(page.locator("form.signout button"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"nav-{username}-phone-folded")

    label.tap()
    expect(toggle).to_be_checked()
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="住户", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"nav-{username}-phone-open")
    label.tap()
    expect(menu).to_be_hidden()

    # From the keyboard: the toggle is the first stop after the brand; Space unfolds it.
    page.locator("a.brand").focus()
    page.keyboard.press("Tab")
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    expect(menu).to_be_visible()
    with page.expect_navigation():
        menu.get_by_role("link", name="住户", exact=True).click()
    expect(page.locator("#mainnav")).to_be_hidden()  # folded again on the next page


def test_the_cadres_phone_page_starts_at_the_top_with_the_menu_folded(phone_page, site, sign_in, screenshot):
    page = phone_page
    sign_in(page, "cadre")
    page.goto(f"{site}/m/")
    expect(page.locator("#mainnav")).to_be_hidden()
    expect(page.locator("main h1")).to_be_visible()
    assert _box(page.locator("main h1"))["y"] < 200
    page.locator(".menu-toggle-label").tap()
    expect(page.locator("#mainnav").get_by_role("link", name="基层工作", exact=True)).to_be_visible()
    screenshot(page, "nav-cadre-phone-m")
