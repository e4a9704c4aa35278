"""The office starts a campaign from a template, records a pairing, opens the compliance
page and drills into a failing cadre."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_office_starts_a_campaign_imports_pairings_and_drills_into_a_failing_cadre(
    page, site, sign_in, screenshot, tmp_path
):
    import xlsxwriter

    from minqing.programs.models import LiaisonPoint

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

    # The office's own list of who is stationed where, imported from Excel.
    campaign_id = int(re.search(r"/campaigns/(\d+)/", page.url).group(1))
    sheet = tmp_path / "蹲点名单.xlsx"
    point = (
        LiaisonPoint.objects.filter(kind="village", region__code__startswith="431123").order_by("id").last()
    )
    book = xlsxwriter.Workbook(str(sheet))
    ws = book.add_worksheet()
    ws.merge_range(0, 0, 0, 4, "2026年蹲点服务干部名单")
    ws.write_row(1, 0, ["干部用户名", "结对类型", "联系点", "所属村", "开始日期"])
    ws.write_row(2, 0, ["leader", "蹲点社区", point.name, point.region.name, "2026-04-03"])
    book.close()
    page.goto(f"{site}/imports/pairings/?campaign={campaign_id}")
    page.locator("input[type=file]").set_input_files(str(sheet))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    expect(page.locator("#import-summary")).to_be_visible()
    screenshot(page, "23a-import-checked")
    with page.expect_navigation():
        page.locator("#import-confirm").click()
    expect(page.locator("#import-summary")).to_be_visible()
    screenshot(page, "23b-import-done")
    page.goto(f"{site}/campaigns/{campaign_id}/pairings/")
    expect(page.locator("table tbody tr")).to_have_count(2)

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
