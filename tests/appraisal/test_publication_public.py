"""The public publication list (公示) a resident opens from the disclosure board: its period as
people say it, each cadre's unit named with its body, and a search box over a long list."""

import pytest
from django.utils import translation

from minqing.appraisal import services
from minqing.appraisal.documents import period_text
from minqing.appraisal.models import AppraisalRound, Sample
from minqing.org.models import Account


def _round(campaign, period, seed):
    """The demo's round of the period (the demo releases one for 2026-Q2), else a new draw."""
    office = Account.objects.get(username="office")
    found = AppraisalRound.objects.filter(campaign=campaign, period=period).first()
    return found or services.round_draw(
        actor=office, campaign=campaign, period=period, per_cadre=1, seed=seed
    )


@pytest.fixture
def released(campaign):
    office = Account.objects.get(username="office")
    appraisal_round = _round(campaign, "2026-Q2", 3)
    if appraisal_round.status != AppraisalRound.Status.RELEASED:
        sample = appraisal_round.samples.exclude(cadre__account=office).first()
        services.callback_record(actor=office, sample=sample, status="answered", verdict="satisfied")
        appraisal_round = services.round_release(actor=office, appraisal_round=appraisal_round)
    return appraisal_round


def test_a_round_s_period_is_written_as_people_say_it():
    assert period_text("2026-10") == "2026年10月" and period_text("2026") == "2026年"
    assert period_text("not a period") == "not a period"
    with translation.override("en"):
        assert period_text("2026-Q2") == "the second quarter of 2026"
        assert period_text("2026-Q4") == "the fourth quarter of 2026"
        assert period_text("2026-H1") == "the first half of 2026"
        assert period_text("2026-H2") == "the second half of 2026"
        assert period_text("2026-10") == "October 2026"


def test_the_public_list_names_its_period_and_each_section_with_its_body(client_as, released):
    with translation.override("en"):
        page = client_as(None).get(f"/public/appraisal/{released.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    page = page.content.decode()
    title = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "the second quarter of 2026" in title and "2026-Q2" not in title
    sections = (
        Sample.objects.filter(round=released, cadre__unit__parent__isnull=False)
        .values_list("cadre__unit__parent__name", "cadre__unit__name")
        .distinct()
    )
    assert sections, "the demo samples a cadre of a section (办公室, 综合股 …)"
    for parent, name in sections:
        assert f'<td data-label="Unit" data-search>{parent}·{name}</td>' in page
    # The search box is made by the site's own script from the table's labels; without script
    # the whole list stays readable.
    assert (
        'data-filter="Search by name or unit"' in page and 'data-filter-count="Shown: {n} of {total}"' in page
    )
    assert page.count("<tr>") == released.samples.values("cadre").distinct().count() + 1


def test_the_chinese_public_list_shows_no_period_code(client_as, released):
    page = client_as(None).get(f"/public/appraisal/{released.pk}/").content.decode()
    assert "2026-Q2" not in page.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_the_answer_page_names_a_section_cadre_s_unit_with_its_body(campaign, client_as):
    office = Account.objects.get(username="office")
    appraisal_round = _round(campaign, "2026-07", 5)
    sample = (
        appraisal_round.samples.filter(cadre__unit__parent__isnull=False)
        .exclude(cadre__account=office)
        .select_related("cadre__unit__parent")
        .first()
    )
    token = services.link_issue(actor=office, sample=sample)
    page = client_as(None).get(f"/a/{token}/").content.decode()
    assert f"{sample.cadre.unit.parent.name}·{sample.cadre.unit.name}" in page
