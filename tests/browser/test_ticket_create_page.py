"""A cadre registers a demand from the demand page on a phone: the villages of their
pairings are offered, and the ledger list offers the chosen campaign's ledgers only."""

import pytest
from playwright.sync_api import expect

from minqing.tickets.services import demand_ledgers

pytestmark = pytest.mark.browser


def test_a_cadre_registers_a_demand_and_the_ledgers_follow_the_campaign(
    phone_page, site, sign_in, screenshot, axe_check
):
    from minqing.programs.models import Campaign
    from minqing.tickets.models import Ticket

    one = Campaign.objects.get(name="2026年机关干部下基层活动")
    four = Campaign.objects.get(name="2026年“百乡千村万户”大走访")
    page = sign_in(phone_page, "cadre")
    page.goto(f"{site}/tickets/new/")
    village = page.locator("#id_region option")
    assert village.count() > 1
    expect(page.locator("#id_region")).to_have_value("")
    # Among several campaigns none is chosen for the cadre, so no ledger is offered yet.
    expect(page.locator("#id_campaign")).to_have_value("")
    ledgers = page.locator("#id_ledger option:not([value='']):not([disabled])")

    page.locator("#id_campaign").select_option(str(four.pk))
    offered = set(ledgers.evaluate_all("os => os.map(o => o.value)"))
    # Its ledgers of demands (a ledger of deeds or households takes none).
    assert offered == {item["key"] for item in demand_ledgers(four)}
    page.locator("#id_ledger").select_option("safety")
    # Another campaign: a ledger it does not keep is no longer chosen, and its own are offered.
    page.locator("#id_campaign").select_option(str(one.pk))
    expect(page.locator("#id_ledger")).to_have_value("")
    offered = set(ledgers.evaluate_all("os => os.map(o => o.value)"))
    assert offered == {item["key"] for item in demand_ledgers(one)} == {"hot_hard"}

    page.locator("#id_ledger").select_option("hot_hard")
    page.locator("#id_channel").select_option("visit")
    page.locator("#id_title").fill("饮水管破裂")
    page.locator("#id_description").fill("三组饮水管破裂两天，十几户没有水喝。")
    # The list opens on the empty "choose" line: the first village is the next one.
    page.locator("#id_region").select_option(index=1)
    page.locator("#id_priority").select_option("3")
    screenshot(page, "47-cadre-registers-demand")
    axe_check(page, "register a demand")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    ticket = Ticket.objects.get(title="饮水管破裂", created_by__username="cadre")
    assert ticket.campaign == one and ticket.ledger == "hot_hard" and ticket.priority == 3
    expect(page.locator("h1")).to_contain_text(ticket.code)


def test_the_dispatch_boards_filter_offers_every_ledger_until_a_campaign_is_chosen(page, site, sign_in):
    """On /tickets/, "any campaign" offers every campaign's ledgers and categories; choosing one
    narrows both lists to its own, and going back to "any campaign" offers all again."""
    from minqing.programs.models import Campaign

    one = Campaign.objects.get(name="2026年机关干部下基层活动")
    sign_in(page, "office")
    page.goto(f"{site}/tickets/")
    ledgers = page.locator("#id_ledger option:not([value='']):not([disabled])")
    categories = page.locator("#id_category option:not([value='']):not([disabled])")
    every = set(ledgers.evaluate_all("os => os.map(o => o.value)"))
    assert {item["key"] for item in demand_ledgers(one)} < every
    assert not every & {"deeds", "hardship"}  # no ledger of deeds or households lists demands
    page.locator("#id_campaign").select_option(str(one.pk))
    assert set(ledgers.evaluate_all("os => os.map(o => o.value)")) == {
        item["key"] for item in demand_ledgers(one)
    }
    assert set(categories.evaluate_all("os => os.map(o => o.value)")) == {
        item["key"] for item in one.config["ticket_categories"]
    }
    page.locator("#id_campaign").select_option("")
    assert set(ledgers.evaluate_all("os => os.map(o => o.value)")) == every
