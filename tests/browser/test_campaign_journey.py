"""The office starts a campaign from a template, records a pairing, opens the compliance
page and drills into a failing cadre."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_office_starts_a_campaign_and_drills_into_a_failing_cadre(page, site, sign_in, screenshot):
    sign_in(page, "office")
    page.goto(f"{site}/programs/")
    expect(page.locator("article", has_text="蹲点服务行动")).to_be_visible()
    screenshot(page, "20-programs")
    page.locator("article", has_text="蹲点服务行动").get_by_role("button").click()
    page.locator("#id_name").fill("浏览器测试蹲点服务")
    page.locator("#id_start").fill("2026-04-01")
    page.locator("#id_end").fill("2026-12-31")
    screenshot(page, "21-campaign-start")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("浏览器测试蹲点服务")
    screenshot(page, "22-campaign-detail")

    page.get_by_role("link", name=re.compile("结对|Pairings")).first.click()
    page.locator("main details").last.evaluate("details => { details.open = true; }")
    page.locator("#id_cadre").select_option(index=1)
    page.locator("#id_kind").select_option("station")
    page.locator("#id_point").select_option(index=1)
    page.locator("#id_start").fill("2026-04-02")
    with page.expect_navigation():
        page.locator("form[action$='/pairings/new/'] button[type=submit]").click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    screenshot(page, "23-pairing-recorded")

    page.get_by_role("link", name=re.compile("落实情况|Compliance")).first.click()
    page.locator("input[name=as_of]").fill("2026-06-01")
    with page.expect_navigation():
        page.locator("main form.filters button[type=submit]").click()
    expect(page.locator("#by-rule tbody tr")).to_have_count(5)
    screenshot(page, "24-compliance")
    failing = page.locator("#by-rule a.fail").first
    with page.expect_navigation():
        failing.click()
    first_subject = page.locator("#verdicts tbody tr.status-fail td a").first
    name = first_subject.inner_text()
    with page.expect_navigation():
        first_subject.click()
    expect(page.locator("main h2").last).to_contain_text(name.split("（")[0])
    expect(page.locator("#verdicts tbody tr.status-fail").first).to_be_visible()
    screenshot(page, "25-compliance-cadre")
