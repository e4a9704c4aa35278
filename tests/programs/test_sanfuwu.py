"""002 三服务: a leader links one township, one village, one enterprise and one key project."""

import datetime as dt

import pytest
from django.utils import translation

from minqing.programs.services import pairing_create

from .conftest import verdict_for, verdicts


def test_a_leader_needs_all_four_links(scenario):
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 1, 1))
    leader = scenario.cadre("member", "林副区长")
    township = scenario.village.parent
    for kind, region in (("township", township), ("village", scenario.village), ("enterprise", township)):
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=leader,
            kind="four_links",
            target=scenario.point(kind=kind, region=region),
            start=dt.date(2026, 1, 5),
        )
    three = verdict_for(campaign, "four_links", leader.pk)
    assert (three.status, three.actual, three.required) == ("fail", "3", "4")
    assert len(three.missing) == 1
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=leader,
        kind="four_links",
        target=scenario.point(kind="key_project", region=township),
        start=dt.date(2026, 1, 5),
    )
    assert verdict_for(campaign, "four_links", leader.pk).status == "pass"


def test_staff_are_not_leaders(scenario):
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 1, 1))
    staff = scenario.cadre("staff")
    assert staff.pk not in {v.subject_id for v in verdicts(campaign, "four_links")}


def test_every_household_is_visited_every_month(scenario):
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 1, 1))
    leader = scenario.cadre("member")
    household = scenario.household()
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=leader,
        kind="household_visits",
        target=household,
        start=dt.date(2026, 1, 1),
    )
    scenario.visit(campaign, leader, household, dt.date(2026, 1, 9))
    scenario.visit(campaign, leader, household, dt.date(2026, 3, 9))
    verdict = verdict_for(campaign, "monthly_visits", leader.pk, as_of=dt.date(2026, 4, 1))
    assert verdict.status == "fail" and len(verdict.missing) == 1 and "2026年2月" in verdict.missing[0]
    scenario.visit(campaign, leader, household, dt.date(2026, 2, 27))
    assert verdict_for(campaign, "monthly_visits", leader.pk, as_of=dt.date(2026, 4, 1)).status == "pass"


def test_the_first_month_with_no_visit_is_not_yet_due_never_a_pass(scenario):
    """Monthly visits as of a day within the campaign's first month: no month has ended, so
    nothing fails, but targets not yet visited enough are still to do (未到期), not 达标."""
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 11, 1))
    leader = scenario.cadre("member")
    households = [scenario.household(), scenario.household()]
    for household in households:
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=leader,
            kind="household_visits",
            target=household,
            start=dt.date(2026, 11, 1),
        )
    as_of = dt.date(2026, 11, 23)
    verdict = verdict_for(campaign, "monthly_visits", leader.pk, as_of=as_of)
    assert (verdict.status, verdict.actual) == ("not_due", "0/2")
    assert len(verdict.missing) == 2 and all("2026年11月至今走访0次" in m for m in verdict.missing)
    for household in households:  # the template asks for one visit a month
        scenario.visit(campaign, leader, household, dt.date(2026, 11, 2))
    verdict = verdict_for(campaign, "monthly_visits", leader.pk, as_of=as_of)
    assert (verdict.status, verdict.actual) == ("pass", "2/2")
    # When November has ended short, it fails; a target paired in December is not due yet
    # and does not hold back the pass of the others.
    late = scenario.household()
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=leader,
        kind="household_visits",
        target=late,
        start=dt.date(2026, 12, 2),
    )
    verdict = verdict_for(campaign, "monthly_visits", leader.pk, as_of=dt.date(2026, 12, 3))
    assert (verdict.status, verdict.actual) == ("pass", "3/3")


def test_a_leader_without_a_submitted_record_for_a_week_fails_until_it_is_submitted(scenario):
    from minqing.assessment.services import leader_record_draft, leader_record_save

    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 5, 4))  # a Monday
    leader = scenario.cadre("member")
    staff = scenario.cadre("staff")
    as_of = dt.date(2026, 5, 18)  # two weeks over
    verdict = verdict_for(campaign, "leader_weekly", leader.pk, as_of=as_of)
    assert verdict.status == "fail" and verdict.actual == "0/2" and len(verdict.missing) == 2
    assert all(v.subject_id != staff.pk for v in verdicts(campaign, "leader_weekly", as_of=as_of))
    for day in (dt.date(2026, 5, 6), dt.date(2026, 5, 13)):
        record = leader_record_draft(actor=scenario.office, cadre=leader, kind="weekly", day=day)
        if day.day == 6:
            leader_record_save(
                actor=scenario.office, record=record, text=record.text, version=record.version, submit=True
            )
    verdict = verdict_for(campaign, "leader_weekly", leader.pk, as_of=as_of)
    assert verdict.status == "fail" and verdict.actual == "1/2" and "2026年5月11日" in verdict.missing[0]
    record.refresh_from_db()
    leader_record_save(
        actor=scenario.office, record=record, text="本周走访两次", version=record.version, submit=True
    )
    assert verdict_for(campaign, "leader_weekly", leader.pk, as_of=as_of).status == "pass"


def test_a_campaign_starting_on_a_monday_asks_for_its_first_week_one_starting_on_a_sunday_does_not(
    scenario,
):
    """The leaders' weekly record is asked for the weeks in which the campaign ran on most
    of the working days (at least 3 of Monday to Friday): not for a first week of which the
    campaign had only the Sunday."""
    leader = scenario.cadre("member")
    monday = scenario.campaign("sanfuwu", start=dt.date(2026, 5, 4))
    sunday = scenario.campaign("sanfuwu", start=dt.date(2026, 5, 3))
    # As of a day in the first week: no week is over, for either.
    for campaign in (monday, sunday):
        first_week = verdict_for(campaign, "leader_weekly", leader.pk, as_of=dt.date(2026, 5, 6))
        assert (first_week.status, first_week.actual) == ("not_due", "0/0")
    # As of the Monday after: the Monday start's week is over and missing; the Sunday start's
    # one day (26 April to 3 May) asks nothing yet.
    as_of = dt.date(2026, 5, 11)
    missed = verdict_for(monday, "leader_weekly", leader.pk, as_of=as_of)
    assert (missed.status, missed.actual) == ("fail", "0/1") and "2026年5月4日" in missed.missing[0]
    not_asked = verdict_for(sunday, "leader_weekly", leader.pk, as_of=dt.date(2026, 5, 4))
    assert (not_asked.status, not_asked.actual) == ("not_due", "0/0")
    second = verdict_for(sunday, "leader_weekly", leader.pk, as_of=as_of)
    assert (second.status, second.actual) == ("fail", "0/1")
    assert "2026年5月4日" in second.missing[0] and "2026年4月27日" not in " ".join(second.missing)


@pytest.mark.parametrize(
    ("start", "end", "asked"),
    [
        (dt.date(2026, 5, 6), None, ["2026年5月4日"]),  # from a Wednesday: 3 working days
        (dt.date(2026, 5, 7), None, []),  # from a Thursday: 2
        (dt.date(2026, 5, 2), None, ["2026年5月4日"]),  # from a Saturday: not its weekend
        (dt.date(2026, 4, 27), dt.date(2026, 5, 6), ["2026年4月27日", "2026年5月4日"]),  # to a Wednesday
        (dt.date(2026, 4, 27), dt.date(2026, 5, 5), ["2026年4月27日"]),  # to a Tuesday
    ],
)
def test_a_part_week_is_asked_for_when_the_campaign_ran_on_three_of_its_working_days(
    scenario, start, end, asked
):
    campaign = scenario.campaign("sanfuwu", start=start, end=end)
    leader = scenario.cadre("member")
    verdict = verdict_for(campaign, "leader_weekly", leader.pk, as_of=dt.date(2026, 5, 11))
    assert verdict.actual == f"0/{len(asked)}"
    assert len(verdict.missing) == len(asked) if asked else verdict.status == "not_due"
    for day, item in zip(asked, verdict.missing, strict=False):
        assert day in item


def test_five_ones_name_the_cadre_and_what_is_still_to_do_never_the_campaign(scenario):
    """五个一 over the campaign: the missing item names the cadre and lists the activities not
    yet held, in words a person acts on, as the other rules' items do."""
    from minqing.fieldwork.services import activity_record

    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    cadre = scenario.cadre("member", "李明")
    for kind in ("party_meeting", "hardship_member_helped", "poor_student_funded"):
        activity_record(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadre,
            kind=kind,
            title=kind,
            date=dt.date(2026, 3, 2),
        )
    with translation.override("en"):
        verdict = verdict_for(campaign, "five_ones", cadre.pk)
    assert (verdict.status, verdict.actual) == ("not_due", "3/5")
    assert verdict.missing == ["李明: still to do: 开展一次走访慰问, 办成一件实事"]
    verdict = verdict_for(campaign, "five_ones", cadre.pk)  # in Chinese
    assert len(verdict.missing) == 1 and campaign.name not in verdict.missing[0]
    assert verdict.missing[0].startswith("李明") and "开展一次走访慰问、办成一件实事" in verdict.missing[0]
    # Once the campaign is over what is still lacking fails, in the same words.
    end = verdict_for(campaign, "five_ones", cadre.pk, as_of=dt.date(2027, 1, 1))
    assert (end.status, end.missing) == ("fail", verdict.missing)


def test_activities_counted_per_period_name_the_period_with_what_is_still_to_do(scenario):
    from minqing.fieldwork.services import activity_record

    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    rule = next(r for r in campaign.config["rules"] if r["key"] == "five_ones")
    rule["params"]["per"] = "month"
    campaign.save(update_fields=["config"])
    cadre = scenario.cadre("member", "李明")
    for kind in ("party_meeting", "condolence_visit", "hardship_member_helped"):
        activity_record(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadre,
            kind=kind,
            title=kind,
            date=dt.date(2026, 1, 5),
        )
    with translation.override("en"):
        verdict = verdict_for(campaign, "five_ones", cadre.pk, as_of=dt.date(2026, 2, 10))
    assert (verdict.status, verdict.actual) == ("fail", "3/10")
    assert verdict.missing == [
        "李明: still to do in January 2026: 资助一名贫困学生, 办成一件实事",
        "李明: still to do in February 2026: 参加一次村党组织会议, 开展一次走访慰问, 帮扶一名困难党员群众, "
        "资助一名贫困学生, 办成一件实事",
    ]


def test_tiered_deadlines_are_not_due_for_a_unit_without_demands(scenario):
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 1, 1))
    scenario.cadre("member")
    found = verdicts(campaign, "tiered_deadlines")
    assert found and all(v.status == "not_due" for v in found)


def _paired_household(scenario, campaign, leader):
    household = scenario.household()
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=leader,
        kind="household_visits",
        target=household,
        start=campaign.start,
    )
    return household


@pytest.mark.parametrize(("start", "asked"), [(dt.date(2026, 3, 16), True), (dt.date(2026, 3, 17), False)])
def test_every_household_every_month_asks_a_first_month_only_when_the_campaign_runs_on_half_of_it(
    scenario, start, asked
):
    """月月访: begun on 16 March (16 of 31 days) March is asked for and fails unvisited; begun
    on the 17th it is not asked for, and April, a whole month, still fails unvisited."""
    campaign = scenario.campaign("sanfuwu", start=start)
    leader = scenario.cadre("member")
    _paired_household(scenario, campaign, leader)
    march = verdict_for(campaign, "monthly_visits", leader.pk, as_of=dt.date(2026, 4, 2))
    if asked:
        assert march.status == "fail" and "2026年3月走访0次" in march.missing[0]
    else:  # April is running: still to do, not failed
        assert march.status == "not_due" and "2026年4月至今走访0次" in march.missing[0]
    april = verdict_for(campaign, "monthly_visits", leader.pk, as_of=dt.date(2026, 5, 2))
    assert april.status == "fail"
    assert [m for m in april.missing if "2026年3月" in m] == ([march.missing[0]] if asked else [])
    assert "2026年4月走访0次" in april.missing[-1]


def test_a_campaign_s_part_month_asks_no_visit_and_is_never_a_pass(scenario):
    """Begun on 25 March: as of the 28th no month is asked for yet, which is not yet due (no
    4/4); once April is over with its visit, it passes, March never having been asked."""
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 3, 25))
    leader = scenario.cadre("member")
    household = _paired_household(scenario, campaign, leader)
    with translation.override("en"):
        verdict = verdict_for(campaign, "monthly_visits", leader.pk, as_of=dt.date(2026, 3, 28))
    assert (verdict.status, verdict.actual) == ("not_due", "0/1")
    assert verdict.missing == [
        "no month is asked for yet (a month is asked for when the campaign runs on at least half of its days)"
    ]
    scenario.visit(campaign, leader, household, dt.date(2026, 4, 9))
    verdict = verdict_for(campaign, "monthly_visits", leader.pk, as_of=dt.date(2026, 5, 1))
    assert (verdict.status, verdict.actual) == ("pass", "1/1")


@pytest.mark.parametrize(("start", "asked"), [(dt.date(2026, 3, 16), True), (dt.date(2026, 3, 17), False)])
def test_activities_held_each_month_ask_a_first_month_only_when_the_campaign_runs_on_half_of_it(
    scenario, start, asked
):
    from minqing.fieldwork.services import activity_record

    campaign = scenario.campaign("sanfuwu", start=start)
    rule = next(r for r in campaign.config["rules"] if r["key"] == "five_ones")
    rule["params"].update(per="month", activities=["party_meeting"])
    campaign.save(update_fields=["config"])
    cadre = scenario.cadre()
    activity_record(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="party_meeting",
        title="村党支部会议",
        date=dt.date(2026, 5, 12),
    )
    verdict = verdict_for(campaign, "five_ones", cadre.pk, as_of=dt.date(2026, 5, 31))
    assert verdict.status == "fail"
    months = ["2026年3月", "2026年4月"] if asked else ["2026年4月"]
    assert [m for m in months if any(m in item for item in verdict.missing)] == months
    assert len(verdict.missing) == len(months)
    assert verdict.actual == ("1/3" if asked else "1/2")


def test_activities_held_each_half_year_name_the_half_year_as_people_read_it(scenario):
    """2026年1月–2026年6月 in the verdict, not 2026-01–2026-06."""
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 3, 16))
    rule = next(r for r in campaign.config["rules"] if r["key"] == "five_ones")
    rule["params"].update(per="half_year", activities=["party_meeting"])
    campaign.save(update_fields=["config"])
    cadre = scenario.cadre()
    with translation.override("zh-hans"):
        missing = verdict_for(campaign, "five_ones", cadre.pk, as_of=dt.date(2026, 8, 1)).missing
    assert any("2026年1月–2026年6月" in item for item in missing), missing
    assert any("2026年7月–2026年12月" in item for item in missing), missing
    assert not any("2026-0" in item for item in missing), missing
    with translation.override("en"):
        missing = verdict_for(campaign, "five_ones", cadre.pk, as_of=dt.date(2026, 8, 1)).missing
    assert any("January 2026–June 2026" in item for item in missing), missing
