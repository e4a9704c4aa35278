"""Short labels are never broken one character a line (found by a tester): on a phone the
breadcrumbs ("活/动", "数据看/板") stay whole, the trail scrolling sideways if it must; on a
desktop the compliance table's headings (实际, 检查结果) stay on one line."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _lines(locator) -> int:
    """How many lines the element's text takes (the distinct tops of its text's boxes): a
    table cell is as high as its row, so its height tells nothing."""
    return locator.evaluate(
        "e => { const w = document.createTreeWalker(e, NodeFilter.SHOW_TEXT), tops = new Set();"
        " while (w.nextNode()) { const r = document.createRange(); r.selectNodeContents(w.currentNode);"
        " for (const b of r.getClientRects()) { if (b.width > 0) tops.add(Math.round(b.top)); } }"
        " return tops.size; }"
    )


def _campaign():
    from minqing.programs.models import Campaign

    return Campaign.objects.order_by("-start", "pk").first()


def test_the_breadcrumbs_on_a_phone_keep_each_item_whole(phone_page, site, sign_in, screenshot):
    page = phone_page
    sign_in(page, "office")
    campaign = _campaign()
    for path in (f"/campaigns/{campaign.pk}/dashboard/", f"/campaigns/{campaign.pk}/compliance/"):
        page.goto(f"{site}{path}")
        items = page.locator("nav[aria-label=breadcrumb] li")
        expect(items.first).to_be_visible()
        for item in items.all():
            assert _lines(item) == 1, f"{path}: the breadcrumb {item.inner_text()!r} wraps"
        # The trail scrolls within itself: the page is no wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "phone-breadcrumbs")


def test_the_compliance_table_headings_stay_on_one_line_on_a_desktop(page, site, sign_in, screenshot):
    sign_in(page, "office")
    campaign = _campaign()
    for width in (1024, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{site}/campaigns/{campaign.pk}/compliance/")
        headings = page.locator("#verdicts thead th")
        expect(headings.first).to_be_visible()
        for heading in headings.all():
            assert _lines(heading) == 1, f"at {width}px the heading {heading.inner_text()!r} wraps"
        screenshot(page, f"compliance-headings-{width}")
