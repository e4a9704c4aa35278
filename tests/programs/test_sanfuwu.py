"""002 三服务: a leader links one township, one village, one enterprise and one key project."""

import datetime as dt

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


def test_weekly_records_still_wait_for_their_module(scenario):
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 1, 1))
    scenario.cadre("member")
    assert all(v.status == "no_records" for v in verdicts(campaign, "leader_weekly"))


def test_tiered_deadlines_are_not_due_for_a_unit_without_demands(scenario):
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 1, 1))
    scenario.cadre("member")
    found = verdicts(campaign, "tiered_deadlines")
    assert found and all(v.status == "not_due" for v in found)
