"""A resident files a demand from the QR page on a phone and gets a code; the office
dispatches it; the unit takes it and replies; the resident rates it on the tracking page."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import _new_page

pytestmark = pytest.mark.browser


def test_a_demand_from_the_qr_page_to_the_residents_verdict(
    browser, phone_page, site, demo_password, screenshot, axe_check
):
    from minqing.org.models import Cadre
    from minqing.programs.models import Campaign

    campaign = Campaign.objects.get(program_key="shugen")
    unit = Cadre.objects.get(account__username="unit").unit

    resident = phone_page
    resident.goto(f"{site}/t/?c={campaign.pk}")
    expect(resident.locator("#id_id_number")).to_have_count(0)
    resident.locator("#id_name").fill("王秀兰")
    resident.locator("#id_phone").fill("13912345678")
    resident.locator("#id_village").select_option(index=1)
    resident.locator("#id_category").select_option("urban_rural")
    resident.locator("#id_text").fill("村口到小学的三盏路灯坏了\n晚上孩子放学看不见路。")
    screenshot(resident, "40-qr-intake-phone")
    axe_check(resident, "QR intake page")
    with resident.expect_navigation():
        resident.locator("main form button[type=submit]").click()
    code = resident.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"MQ-\d{4}-\d{6}", code)
    screenshot(resident, "41-qr-tracking-code")

    def signed_in(username):
        context, page = _new_page(browser, viewport={"width": 1280, "height": 900})
        page.goto(f"{site}/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(demo_password)
        with page.expect_navigation():
            page.locator("form:has(#id_password) button[type=submit]").click()
        return context, page

    office_context, office = signed_in("office")
    office.goto(f"{site}/tickets/?q={code}")
    screenshot(office, "42-dispatch-board")
    axe_check(office, "dispatch board")
    with office.expect_navigation():
        office.get_by_role("link", name=code).click()
    office.locator("select[name=unit]").select_option(str(unit.pk))
    with office.expect_navigation():
        office.locator("form:has(input[name=action][value=dispatch]) button[type=submit]").click()
    expect(office.locator("main .timeline li")).to_have_count(2)
    screenshot(office, "43-dispatched")
    axe_check(office, "demand detail")
    office_context.close()

    unit_context, handler = signed_in("unit")
    handler.goto(f"{site}/tickets/mine/")
    with handler.expect_navigation():
        handler.get_by_role("link", name=code).click()
    with handler.expect_navigation():
        handler.locator("form:has(input[name=action][value=claim]) button[type=submit]").click()
    handler.locator("textarea[name=reply]").fill("已安排电工更换三盏路灯，今晚起恢复照明。")
    with handler.expect_navigation():
        handler.locator("form:has(input[name=action][value=reply]) button[type=submit]").click()
    expect(handler.locator("#ticket-reply")).to_contain_text("更换三盏路灯")
    screenshot(handler, "44-unit-replied")
    unit_context.close()

    resident.goto(f"{site}/t/track/")
    resident.locator("#id_code").fill(code)
    resident.locator("#id_last4").fill("5678")
    with resident.expect_navigation():
        resident.locator("main form button[type=submit]").click()
    expect(resident.locator("#track-reply")).to_contain_text("更换三盏路灯")
    expect(resident.locator("#track-words")).to_contain_text("村口到小学的三盏路灯坏了")
    expect(resident.locator("#track-deadline")).not_to_be_empty()
    screenshot(resident, "45-tracking-reply")
    axe_check(resident, "tracking page")
    resident.locator("input[name=resolved][value=yes]").check()
    resident.locator("input[name=satisfaction][value=satisfied]").check()
    with resident.expect_navigation():
        resident.locator("main form button[type=submit]").click()
    expect(resident.locator("main .notice")).to_be_visible()
    screenshot(resident, "46-resident-verdict")

    from minqing.tickets.models import Ticket

    ticket = Ticket.objects.get(code=code)
    assert ticket.satisfaction == "satisfied" and ticket.resolved is True and ticket.status == "replied"
