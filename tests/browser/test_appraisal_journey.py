"""The office draws the period's sample of paired households, records two phone callbacks,
releases the publication list (公示), and the public reads it; then, when the composite
assessment is installed, the office opens an appraised cadre's assessment."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import _new_page

pytestmark = pytest.mark.browser


def test_the_office_draws_calls_twice_and_releases_the_publication_list(
    browser, page, site, sign_in, screenshot, axe_check
):
    from minqing.appraisal.models import AppraisalRound, Sample
    from minqing.programs.models import Campaign

    campaign = Campaign.objects.get(program_key="xiajiceng")
    sign_in(page, "office")
    page.goto(f"{site}/appraisal/")
    page.locator("select[name=campaign]").select_option(str(campaign.pk))
    page.locator("input[name=period]").fill("2026-11")
    page.locator("input[name=per_cadre]").fill("2")
    screenshot(page, "70-appraisal-draw")
    axe_check(page, "appraisal rounds")
    with page.expect_navigation():
        page.locator("#draw").click()
    appraisal_round = AppraisalRound.objects.get(campaign=campaign, period="2026-11")
    expect(page).to_have_url(re.compile(rf"/appraisal/{appraisal_round.pk}/$"))
    expect(page.locator("#round-status")).to_contain_text("收集评议中")

    with page.expect_navigation():
        page.locator("#samples").click()
    expect(page.locator("#samples tbody tr").first).to_be_visible()
    # Phones masked on the office's list too.
    assert not re.search(r"\b1\d{10}\b", page.locator("main").inner_text())
    screenshot(page, "71-appraisal-samples")
    axe_check(page, "sampled households")

    called = []
    for verdict, label in (("satisfied", "满意"), ("basic", "基本满意")):
        link = page.locator("#samples a.callback").first
        sample_id = int(re.search(r"/samples/(\d+)/", link.get_attribute("href")).group(1))
        with page.expect_navigation():
            link.click()
        page.locator(f"input[name=verdict][value={verdict}]").check()
        page.locator("input[name=q_visited][value=yes]").check()
        page.locator("textarea[name=comment]").fill("干部常来，问题有回音")
        if not called:
            screenshot(page, "72-appraisal-callback")
            axe_check(page, "callback form")
        with page.expect_navigation():
            page.locator("#save-callback").click()
        expect(page.locator("main")).to_contain_text("回访已登记")
        called.append(sample_id)
        assert Sample.objects.get(pk=sample_id).verdict == verdict, label

    page.goto(f"{site}/appraisal/{appraisal_round.pk}/")
    expect(page.locator("#answered")).to_contain_text("2 /")
    with page.expect_navigation():
        page.locator("#release").click()
    expect(page).to_have_url(re.compile(rf"/appraisal/{appraisal_round.pk}/publication/$"))
    expect(page.locator("#publication-status")).to_contain_text("公示")
    cadres = {s.cadre_id: str(s.cadre.account) for s in Sample.objects.filter(pk__in=called)}
    for name in cadres.values():
        expect(page.locator("#results")).to_contain_text(name)
    screenshot(page, "73-appraisal-publication")
    axe_check(page, "publication list")

    # The public reads the released list without signing in.
    context, public = _new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    public.goto(f"{site}/public/appraisal/{appraisal_round.pk}/")
    for name in cadres.values():
        expect(public.locator("#results")).to_contain_text(name)
    screenshot(public, "74-appraisal-public")
    context.close()

    # Then the office assesses the year and opens the assessment of a cadre just appraised.
    from minqing.assessment.models import AssessmentResult

    page.goto(f"{site}/assessment/campaigns/{campaign.pk}/")
    page.locator("form:has(#run-assessment) input[name=period]").fill("2026")
    with page.expect_navigation():
        page.locator("#run-assessment").click()
    expect(page.locator("#ranking")).to_be_visible()
    cadre_id, name = next(iter(cadres.items()))
    result = (
        AssessmentResult.objects.filter(run__campaign=campaign, run__period="2026", cadre_id=cadre_id)
        .order_by("-run__run_at", "-id")
        .first()
    )
    page.goto(f"{site}/assessment/results/{result.pk}/")
    expect(page.locator("main h1")).to_contain_text(name)
    expect(page.locator("#components")).to_contain_text("群众评议")
    screenshot(page, "75-cadre-assessment")
    axe_check(page, "cadre assessment")
