"""The office reads the dashboard and drills from the county to a township, to a cadre, to the
records behind a number; the charts are drawn by the vendored ECharts under the page's CSP."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_office_drills_from_the_county_to_a_township_to_a_cadre_to_the_records(
    page, phone_page, site, sign_in, screenshot
):
    from minqing.programs.models import Campaign

    campaign = Campaign.objects.get(program_key="xiajiceng")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, "office")
    page.goto(f"{site}/dashboard/")
    with page.expect_navigation():
        page.get_by_role("link", name=campaign.name).click()
    page.goto(page.url + "?period=2026")
    expect(page.locator("h1")).to_contain_text("数据看板")
    expect(page.locator("#chart-groups canvas")).to_have_count(1)
    expect(page.locator("#compliance-summary")).to_be_visible()
    # The at-risk cadres come by their own request after the page, as a number linked to its list.
    expect(page.locator('a.number[data-tile="recall_at_risk"]')).to_have_text(re.compile(r"^\s*\d+\s*$"))
    screenshot(page, "60-dashboard-county")
    county_visits = int(page.locator('#section-visits a[data-tile="visits"]').inner_text())

    # County → township.
    township = page.locator("#by-region a.drill").first
    township_name = township.inner_text()
    with page.expect_navigation():
        township.click()
    expect(page.locator("nav.where")).to_contain_text(township_name)
    township_visits = int(page.locator('#section-visits a[data-tile="visits"]').inner_text())
    assert 0 < township_visits <= county_visits
    screenshot(page, "61-dashboard-township")

    # Township → the cadre with the most visits.
    cadre = page.locator("#by-cadre a.drill").first
    cadre_name = cadre.inner_text()
    with page.expect_navigation():
        cadre.click()
    expect(page.locator("nav.where")).to_contain_text(cadre_name)
    number = page.locator('#section-visits a[data-tile="visits"]')
    shown = int(number.inner_text())
    assert shown > 0
    screenshot(page, "62-dashboard-cadre")

    # Cadre → the visits behind the number: as many rows as the number says (one page of 50).
    with page.expect_navigation():
        number.click()
    expect(page.locator("#record-count")).to_have_text(str(shown))
    expect(page.locator("#records tbody tr")).to_have_count(min(shown, 50))
    expect(page.locator("#records tbody")).to_contain_text(cadre_name)
    screenshot(page, "63-dashboard-records")
    # And one record opens.
    with page.expect_navigation():
        page.locator("#records tbody tr a").first.click()
    expect(page).to_have_url(re.compile(r"/fieldwork/visits/"))
    screenshot(page, "64-dashboard-visit")
    assert not [e for e in errors if "Content Security Policy" in e or "echarts" in e.lower()], errors

    # On a phone.
    sign_in(phone_page, "office")
    phone_page.goto(f"{site}/campaigns/{campaign.pk}/dashboard/?period=2026")
    expect(phone_page.locator("#chart-groups canvas")).to_have_count(1)
    screenshot(phone_page, "65-dashboard-phone")
