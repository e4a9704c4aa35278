"""004 大走访: relief for ≥20 households per team, ≥200 yuan each; deeds and problems at
each point; the team summary by 5 April; zero incidents; team activities in the field phase."""

import datetime as dt
from decimal import Decimal

import pytest

from minqing.fieldwork.services import (
    activity_record,
    deed_record,
    incident_record,
    relief_pay,
    team_summary_submit,
)
from minqing.programs.models import Team

from .conftest import verdict_for, verdicts

END = dt.date(2026, 4, 8)


@pytest.fixture
def zone(scenario):
    campaign = scenario.campaign("dazoufang", start=dt.date(2026, 3, 8), end=END)
    point = scenario.point()
    leader = scenario.cadre("member")
    team = Team.objects.create(campaign=campaign, name="第一工作队", leader=leader)
    team.members.add(leader)
    team.points.add(point)
    return campaign, team, point, leader


def pay(scenario, campaign, team, cadre, count, amount):
    for _ in range(count):
        relief_pay(
            actor=scenario.office,
            campaign=campaign,
            team=team,
            cadre=cadre,
            household=scenario.household(),
            amount_yuan=amount,
            date=dt.date(2026, 3, 20),
        )


def test_twenty_households_pass_nineteen_fail(scenario, zone):
    campaign, team, _point, leader = zone
    pay(scenario, campaign, team, leader, 19, 200)
    assert verdict_for(campaign, "care_for_vulnerable", team.pk, as_of=END).status == "fail"
    assert (
        verdict_for(campaign, "care_for_vulnerable", team.pk, as_of=dt.date(2026, 3, 25)).status == "not_due"
    )
    pay(scenario, campaign, team, leader, 1, 200)
    assert verdict_for(campaign, "care_for_vulnerable", team.pk, as_of=END).status == "pass"


def test_199_yuan_does_not_count_200_does(scenario, zone):
    campaign, team, _point, leader = zone
    pay(scenario, campaign, team, leader, 19, 200)
    pay(scenario, campaign, team, leader, 1, Decimal("199.00"))
    verdict = verdict_for(campaign, "care_for_vulnerable", team.pk, as_of=END)
    assert (verdict.status, verdict.actual) == ("fail", "19")
    pay(scenario, campaign, team, leader, 1, 200)
    assert verdict_for(campaign, "care_for_vulnerable", team.pk, as_of=END).status == "pass"


def test_each_point_needs_a_deed(scenario, zone):
    campaign, _team, point, leader = zone
    assert verdict_for(campaign, "deeds_per_point", point.pk, as_of=END).status == "fail"
    deed_record(
        actor=scenario.office,
        campaign=campaign,
        cadre=leader,
        kind="labour",
        title="帮助春耕",
        beneficiary=point,
        date=dt.date(2026, 3, 15),
    )
    assert verdict_for(campaign, "deeds_per_point", point.pk, as_of=END).status == "pass"


def test_the_team_summary_is_due_on_5_april(scenario, zone):
    campaign, team, _point, _leader = zone
    assert verdict_for(campaign, "team_summary", team.pk, as_of=dt.date(2026, 4, 5)).status == "not_due"
    team_summary_submit(
        actor=scenario.office, campaign=campaign, team=team, text="总结", on=dt.date(2026, 4, 6)
    )
    assert verdict_for(campaign, "team_summary", team.pk, as_of=END).status == "fail"
    team_summary_submit(
        actor=scenario.office, campaign=campaign, team=team, text="总结", on=dt.date(2026, 4, 5)
    )
    assert verdict_for(campaign, "team_summary", team.pk, as_of=END).status == "pass"


def test_a_summary_submitted_after_the_day_asked_about_is_not_counted(scenario, zone):
    campaign, team, _point, _leader = zone
    team_summary_submit(
        actor=scenario.office, campaign=campaign, team=team, text="总结", on=dt.date(2026, 4, 3)
    )
    # On 1 April the summary of the 3rd was not there yet: not yet due, not passed.
    assert verdict_for(campaign, "team_summary", team.pk, as_of=dt.date(2026, 4, 1)).status == "not_due"
    assert verdict_for(campaign, "team_summary", team.pk, as_of=dt.date(2026, 4, 3)).status == "pass"


def test_an_incident_breaks_the_zero_target(scenario, zone):
    campaign, _team, point, _leader = zone
    assert verdict_for(campaign, "zero_targets", point.pk, as_of=END).status == "pass"
    incident_record(
        actor=scenario.office,
        campaign=campaign,
        point=point,
        kind="safety_accident",
        date=dt.date(2026, 3, 18),
        description="工地高处坠落",
    )
    failing = verdict_for(campaign, "zero_targets", point.pk, as_of=END)
    assert failing.status == "fail" and "2026年3月18日" in failing.missing[0]


def test_team_activities_count_in_the_field_phase(scenario, zone):
    campaign, team, point, leader = zone
    activity_record(
        actor=scenario.office,
        campaign=campaign,
        cadre=leader,
        team=team,
        point=point,
        kind="policy_training",
        title="政策培训",
        date=dt.date(2026, 3, 12),
        attendance=40,
    )
    one = verdict_for(campaign, "team_activities", team.pk, as_of=END)
    assert (one.status, one.actual) == ("fail", "1/2")
    activity_record(
        actor=scenario.office,
        campaign=campaign,
        cadre=leader,
        team=team,
        point=point,
        kind="shared_labour",
        title="集中劳动",
        date=dt.date(2026, 3, 25),
    )
    assert verdict_for(campaign, "team_activities", team.pk, as_of=END).status == "pass"


def test_a_point_without_solved_demands_fails_problems_solved_per_point(scenario, zone):
    campaign, _team, point, _leader = zone
    found = verdicts(campaign, "problems_per_point", as_of=END)
    assert [(v.subject_id, v.status) for v in found] == [(point.pk, "fail")]
