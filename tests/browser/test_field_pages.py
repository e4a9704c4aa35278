"""The field-work pages in a real browser: a cadre reaches the hub from the navigation, makes
a help plan with a milestone, records its progress, and takes the research report away as a
Word file after editing it; the pages pass axe without critical violations."""

import io

import docx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_cadre_plans_records_progress_and_downloads_the_research_report(
    page, site, sign_in, screenshot, axe_check
):
    from minqing.fieldwork.models import HelpPlan

    sign_in(page, "cadre")
    page.locator("nav .mainnav a[href='/fieldwork/']").click()
    expect(page).to_have_url(f"{site}/fieldwork/")
    axe_check(page, "field hub")
    page.locator("main a[href='/fieldwork/plans/']").click()
    page.locator("main details summary").first.click()
    form = page.locator("#plan-form")
    form.locator("#id_campaign").select_option(index=1)
    form.locator("#id_target").select_option(index=1)
    form.locator("#id_title").fill("庭院经济增收计划")
    form.locator("#id_deadline").fill("2027-06-30")
    form.locator("#id_commitments").fill("种植黄桃 2026-12-31")
    screenshot(page, "40-help-plan-form")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("庭院经济增收计划")
    row = page.locator("tr.commitment").first
    row.locator("input[name=progress]").fill("60")
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    expect(page.locator("tr.commitment").first).to_contain_text("60%")
    screenshot(page, "41-help-plan-progress")
    assert HelpPlan.objects.get(title="庭院经济增收计划").commitments.get().progress == 60

    page.locator("nav .mainnav a[href='/fieldwork/']").click()
    page.get_by_role("link", name="我的调研报告").click()
    expect(page.locator("h1")).to_contain_text("调研报告")
    axe_check(page, "research report")
    draft = page.locator("#research-form textarea[name=text]")
    assert "## " in draft.input_value()
    draft.fill(draft.input_value() + "\n## 调研体会\n群众最关心饮水和道路。")
    screenshot(page, "42-research-draft")
    with page.expect_download() as download:
        page.locator("#research-form button[type=submit]").click()
    document = docx.Document(io.BytesIO(download.value.path().read_bytes()))
    texts = [p.text for p in document.paragraphs]
    assert "调研体会" in texts and "群众最关心饮水和道路。" in texts
    assert document.tables[0].rows[0].cells[0].text == "走访次数"
