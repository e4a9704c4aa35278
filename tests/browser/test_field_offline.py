"""A cadre on a phone records a visit and a deed without a signal; both arrive once when
the phone is back online."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_cadre_records_offline_and_both_records_sync_once(phone_page, site, sign_in, screenshot):
    from minqing.fieldwork.models import Deed, Visit

    page = phone_page
    visits_before, deeds_before = Visit.objects.count(), Deed.objects.count()
    sign_in(page, "cadre")
    page.goto(f"{site}/m/")
    expect(page.locator("li.target").first).to_be_visible()
    screenshot(page, "30-my-targets")

    page.context.set_offline(True)
    first = page.locator("li.target").first
    first.locator("button.do-visit").click()
    form = page.locator("#visit-form")
    form.locator("textarea[name=content]").fill("离线走访：了解春耕用工情况")
    form.locator("textarea[name=problems]").fill("村道需要修补")
    screenshot(page, "31-offline-visit-form")
    form.locator("button[value=save]").click()
    expect(page.locator("#sync-status")).to_contain_text("1")
    first.locator("button.do-deed").click()
    deed = page.locator("#deed-form")
    deed.locator("input[name=title]").fill("代办医保续费")
    deed.locator("input[name=value_yuan]").fill("380")
    deed.locator("button[value=save]").click()
    expect(page.locator("#sync-status")).to_contain_text("2")
    screenshot(page, "32-offline-waiting")
    assert Visit.objects.count() == visits_before and Deed.objects.count() == deeds_before

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#synced li")).to_have_count(2)
    expect(page.locator("#sync-status")).to_be_hidden()
    screenshot(page, "33-synced")
    assert Visit.objects.count() == visits_before + 1
    assert Deed.objects.count() == deeds_before + 1
    visit = Visit.objects.latest("id")
    assert visit.content == "离线走访：了解春耕用工情况" and visit.problems == ["村道需要修补"]

    page.reload()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#synced li")).to_have_count(2)
    assert Visit.objects.count() == visits_before + 1  # nothing sent twice
