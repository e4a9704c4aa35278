"""axe-core over the pages the office uses most: no violation of impact "critical".
Serious ones are printed, not failed on (run with -s to see them)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_login_page_has_no_critical_accessibility_violations(page, site, axe_check):
    page.goto(f"{site}/login/")
    expect(page.locator("#id_username")).to_be_visible()
    axe_check(page, "login page")


def test_household_list_and_detail_have_no_critical_accessibility_violations(page, site, sign_in, axe_check):
    sign_in(page, "office")
    page.goto(f"{site}/people/households/?q=zs")
    expect(page.locator("#result-count")).to_be_visible()
    axe_check(page, "household list")

    with page.expect_navigation():
        page.locator("table tbody a[href*='/people/households/']").first.click()
    expect(page).to_have_url(re.compile(r"/people/households/\d+/$"))
    axe_check(page, "household detail")
