"""The phone page's forms on a phone (390×844, found by a tester): the visit form opens as a
sheet that scrolls from its title, with margins, even once "the household's facts changed" is
opened; the deed form likewise."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844


def _scroll(dialog, where: str) -> None:
    dialog.evaluate(f"d => [d, ...d.querySelectorAll('*')].forEach(e => {{ e.scrollTop = {where}; }})")


def _sheet_scrolls_from_its_title(dialog) -> None:
    # Scrolled to its top (whichever of its boxes scrolls), the sheet shows its title and first
    # field on the screen.
    _scroll(dialog, "0")
    title = dialog.locator("h2").bounding_box()
    assert title and title["y"] >= 0, f"the title is {title} — above the screen"
    first = dialog.locator("label").first.bounding_box()
    assert first and 0 <= first["y"] < HEIGHT, f"the first field is at {first}"
    # Scrolled to its end, its buttons are on the screen.
    _scroll(dialog, "e.scrollHeight")
    save = dialog.locator("button[value=save]").bounding_box()
    assert save and 0 <= save["y"] and save["y"] + save["height"] <= HEIGHT, f"Save is at {save}"
    # Margins: no field touches either edge of the screen.
    for box in dialog.locator("input:not([type=checkbox]), select, textarea").all():
        if not box.is_visible():
            continue
        edges = box.bounding_box()
        assert edges["x"] > 0 and edges["x"] + edges["width"] < WIDTH, f"a field at {edges} touches an edge"


def test_the_visit_form_on_a_phone_scrolls_from_its_title_with_margins(phone_page, site, sign_in, screenshot):
    page = phone_page
    sign_in(page, "cadre")
    page.goto(f"{site}/m/")
    household = page.locator("li.target[data-target-type=household]").first
    household.locator("button.do-visit").click()
    dialog = page.locator("#visit-dialog")
    expect(dialog.locator("h2")).to_be_visible()
    _sheet_scrolls_from_its_title(dialog)
    screenshot(page, "phone-visit-form")

    _scroll(dialog, "0")
    dialog.locator(".found-facts summary").click()
    expect(dialog.locator("input[name=size]")).to_be_visible()
    _sheet_scrolls_from_its_title(dialog)
    screenshot(page, "phone-visit-form-facts")
    dialog.locator("button[value=cancel]").click()
    expect(dialog).to_be_hidden()

    household.locator("button.do-deed").click()
    deed = page.locator("#deed-dialog")
    expect(deed.locator("h2")).to_be_visible()
    _sheet_scrolls_from_its_title(deed)
