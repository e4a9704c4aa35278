"""A month of a monthly rule is asked of a cadre when the campaign and the cadre's pairing
(clipped to the campaign) run on at least half of its days (rules._periods.asked_span): a
cadre paired on 28 April owes nothing for April. And what a rule says when no month is asked."""

import datetime as dt

import pytest
from django.utils import translation

from minqing.programs.services import pairing_create

from .conftest import verdict_for

NO_MONTH_OF_CAMPAIGN = "the campaign asks for no month (a month is asked for when the campaign runs on at least half of its days)"
NO_MONTH_OF_CADRE = (
    "no month is asked of the cadre (a month is asked for when the pairing runs on at least half of its days)"
)


def _pair(scenario, campaign, cadre, kind, target, start):
    return pairing_create(
        actor=scenario.office, campaign=campaign, cadre=cadre, kind=kind, target=target, start=start
    )


@pytest.mark.parametrize(
    ("paired_on", "asked"), [(dt.date(2026, 5, 16), True), (dt.date(2026, 5, 17), False)]
)
def test_a_pairing_asks_its_first_month_of_days_and_report_only_when_it_runs_on_half_of_it(
    scenario, paired_on, asked
):
    """Stationed on 16 May (16 of its 31 days) the cadre owes May's two days and report;
    stationed on the 17th, from June on. Two days in May, none in June."""
    campaign = scenario.campaign("dundian", start=dt.date(2026, 4, 1))
    leader, point = scenario.cadre("member"), scenario.point()
    _pair(scenario, campaign, leader, "station", point, paired_on)
    scenario.days_at(leader, point, dt.date(2026, 5, 20), dt.date(2026, 5, 21))
    stay = verdict_for(campaign, "two_days_a_month", leader.pk, as_of=dt.date(2026, 7, 10))
    report = verdict_for(campaign, "monthly_report", leader.pk, as_of=dt.date(2026, 7, 10))
    assert (stay.status, stay.actual) == ("fail", "1/2" if asked else "0/1")
    assert len(stay.missing) == 1 and "2026年6月" in stay.missing[0]
    assert (report.status, report.actual) == ("fail", "0/2" if asked else "0/1")
    assert any("2026年5月" in m for m in report.missing) == asked


@pytest.mark.parametrize(
    ("paired_on", "asked"), [(dt.date(2026, 5, 16), True), (dt.date(2026, 5, 17), False)]
)
def test_a_target_paired_late_in_a_month_is_asked_no_visit_for_it(scenario, paired_on, asked):
    """月月访: a household paired on 16 May is owed May's visit; on the 17th, June's first."""
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 3, 1))
    leader = scenario.cadre("member")
    _pair(scenario, campaign, leader, "household_visits", scenario.household(), paired_on)
    verdict = verdict_for(campaign, "monthly_visits", leader.pk, as_of=dt.date(2026, 7, 2))
    assert verdict.status == "fail"
    assert any("2026年5月" in m for m in verdict.missing) == asked
    assert "2026年6月" in verdict.missing[-1]


@pytest.mark.parametrize(
    ("start", "end", "campaign_end", "span"),
    [
        ((3, 16), None, None, ((3, 1), None)),  # 16 of March's 31 days
        ((3, 17), None, None, ((4, 1), None)),  # 15 of 31
        ((4, 16), None, None, ((4, 1), None)),  # 15 of April's 30
        ((4, 17), None, None, ((5, 1), None)),  # 14 of 30
        ((2, 15), None, None, ((2, 1), None)),  # 14 of February's 28
        ((2, 16), None, None, ((3, 1), None)),  # 13 of 28
        ((3, 1), (6, 15), None, ((3, 1), (6, 1))),  # 15 of June's 30
        ((3, 1), (6, 14), None, ((3, 1), (5, 1))),  # 14 of 30
        ((3, 1), None, (12, 15), ((3, 1), (11, 1))),  # clipped to the campaign: 15 of 31
        ((3, 1), (12, 31), (12, 16), ((3, 1), (12, 1))),  # 16 of 31
        ((12, 20), None, (12, 31), None),  # 12 days: no month at all
    ],
)
def test_the_months_a_pairing_asks_are_those_it_runs_on_half_of_the_days_of(start, end, campaign_end, span):
    from types import SimpleNamespace

    from minqing.programs.rules._periods import asked_span

    def day(md):
        return dt.date(2026, *md) if md else None

    campaign = SimpleNamespace(start=dt.date(2026, 1, 1), end=day(campaign_end))
    expected = None if span is None else (day(span[0]), day(span[1]))
    assert asked_span(day(start), day(end), campaign) == expected


def _with_monthly_rules(campaign):
    """A campaign with a stay rule and a monthly report rule besides its own."""
    campaign.config["rules"] += [
        {"key": "days", "type": "stay.days_per_month", "name": "每月2天", "params": {"min": 2}},
        {"key": "report", "type": "reports.monthly", "name": "每月5日前报告", "params": {"due_day": 5}},
    ]
    campaign.save(update_fields=["config"])
    return campaign


def test_a_campaign_that_asks_for_no_month_says_so_and_not_that_none_has_ended_yet(scenario):
    """From 25 March to 10 April the campaign runs on 7 of March's days and 10 of April's: no
    month is asked, and none will be. Once it is over the monthly rules say that, not that no
    month has ended yet (nor that no report is due yet)."""
    campaign = _with_monthly_rules(
        scenario.campaign("sanfuwu", start=dt.date(2026, 3, 25), end=dt.date(2026, 4, 10))
    )
    leader = scenario.cadre("member")
    _pair(scenario, campaign, leader, "household_visits", scenario.household(), campaign.start)
    with translation.override("en"):
        found = [
            verdict_for(campaign, key, leader.pk, as_of=dt.date(2026, 5, 10))
            for key in ("days", "report", "monthly_visits")
        ]
    assert [(v.status, v.missing) for v in found] == [("not_due", [NO_MONTH_OF_CAMPAIGN])] * 3


def test_a_pairing_that_asks_for_no_month_says_so_once_the_campaign_is_over(scenario):
    """Paired on 20 December in a campaign that ends on the 31st: nothing is asked of the
    cadre, and the rules say so, also before the end; paired on the 10th, December is asked,
    and not yet over on the 25th."""
    campaign = _with_monthly_rules(scenario.campaign("sanfuwu", start=dt.date(2026, 3, 1)))
    late, early = scenario.cadre("member"), scenario.cadre("member")
    for cadre, day in ((late, dt.date(2026, 12, 20)), (early, dt.date(2026, 12, 10))):
        _pair(scenario, campaign, cadre, "household_visits", scenario.household(), day)
    with translation.override("en"):
        stay = verdict_for(campaign, "days", late.pk, as_of=dt.date(2027, 1, 10))
        report = verdict_for(campaign, "report", late.pk, as_of=dt.date(2027, 1, 10))
        visits = verdict_for(campaign, "monthly_visits", late.pk, as_of=dt.date(2027, 1, 10))
        before = verdict_for(campaign, "days", late.pk, as_of=dt.date(2026, 12, 25))
        running = verdict_for(campaign, "days", early.pk, as_of=dt.date(2026, 12, 25))
        asked = verdict_for(campaign, "days", early.pk, as_of=dt.date(2027, 1, 10))
    assert (stay.status, stay.missing) == ("not_due", [NO_MONTH_OF_CADRE])
    assert (report.status, report.missing) == ("not_due", [NO_MONTH_OF_CADRE])
    assert (visits.status, visits.missing) == ("not_due", [NO_MONTH_OF_CADRE])
    assert (before.status, before.missing) == ("not_due", [NO_MONTH_OF_CADRE])
    assert (running.status, running.missing) == ("not_due", ["no month has ended yet"])
    assert (asked.status, asked.actual) == ("fail", "0/1")


NO_MONTH_YET = (
    "no month is asked for yet (a month is asked for when the campaign runs on at least half of its days)"
)


@pytest.mark.parametrize(
    ("start", "end", "as_of", "said"),
    [
        ((3, 25), (4, 10), (5, 10), NO_MONTH_OF_CAMPAIGN),  # 7 of March's days, 10 of April's
        ((3, 25), (12, 31), (3, 28), NO_MONTH_YET),  # April is asked, not begun
        ((4, 1), (12, 31), (3, 20), NO_MONTH_YET),  # before the campaign
    ],
)
def test_a_monthly_activities_rule_that_asks_no_month_says_why_as_the_other_monthly_rules(
    scenario, start, end, as_of, said
):
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, *start), end=dt.date(2026, *end))
    campaign.config["rules"].append(
        {
            "key": "monthly_meeting",
            "type": "activities.held",
            "name": "每月一次支部会",
            "params": {"activities": ["party_meeting"], "per": "month", "subject": "cadre"},
        }
    )
    campaign.save(update_fields=["config"])
    leader = scenario.cadre("member")
    _pair(scenario, campaign, leader, "household_visits", scenario.household(), campaign.start)
    with translation.override("en"):
        verdict = verdict_for(campaign, "monthly_meeting", leader.pk, as_of=dt.date(2026, *as_of))
    assert (verdict.status, verdict.actual, verdict.missing) == ("not_due", "0/0", [said])
