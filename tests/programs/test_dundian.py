"""003 蹲点服务: each leadership member stationed at a community; 一联五 — one of each of
five kinds, listed by 15 April; attendance and reports wait for their records."""

import datetime as dt

from minqing.programs.services import pairing_create, pairing_end

from .conftest import verdict_for, verdicts

SLOTS = ["party_org_head", "veteran_party_member", "residents_rep", "extreme_poor", "wealth_expert"]


def station(scenario, campaign, cadre):
    return pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="station",
        target=scenario.point(),
        start=dt.date(2026, 4, 2),
    )


def link(scenario, campaign, cadre, slot, day):
    return pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="yilianwu",
        slot=slot,
        target=scenario.member(),
        start=day,
    )


def test_a_leadership_member_must_be_stationed(scenario):
    campaign = scenario.campaign("dundian", start=dt.date(2026, 4, 1))
    leader = scenario.cadre("member")
    assert verdict_for(campaign, "stationed", leader.pk).status == "fail"
    pairing = station(scenario, campaign, leader)
    assert verdict_for(campaign, "stationed", leader.pk).status == "pass"
    pairing_end(actor=scenario.office, pairing=pairing, end=dt.date(2026, 5, 1), reason="调离")
    assert verdict_for(campaign, "stationed", leader.pk).status == "fail"


def test_staff_are_not_required_to_be_stationed(scenario):
    campaign = scenario.campaign("dundian", start=dt.date(2026, 4, 1))
    staff = scenario.cadre("staff")
    assert staff.pk not in {v.subject_id for v in verdicts(campaign, "stationed")}


def test_yilianwu_needs_all_five_kinds(scenario):
    campaign = scenario.campaign("dundian", start=dt.date(2026, 4, 1))
    leader = scenario.cadre("member", "王镇长")
    station(scenario, campaign, leader)
    for slot in SLOTS[:4]:
        link(scenario, campaign, leader, slot, dt.date(2026, 4, 10))
    four = verdict_for(campaign, "yilianwu", leader.pk)
    assert (four.status, four.actual, four.required) == ("fail", "4", "5")
    assert "致富能手或岗位标兵" in four.missing[0]
    link(scenario, campaign, leader, SLOTS[4], dt.date(2026, 4, 12))
    assert verdict_for(campaign, "yilianwu", leader.pk).status == "pass"


def test_the_list_is_due_on_15_april_filed_on_the_15th_passes_on_the_16th_fails(scenario):
    campaign = scenario.campaign("dundian", start=dt.date(2026, 4, 1))
    on_time, late = scenario.cadre("member"), scenario.cadre("member")
    for cadre, last_day in ((on_time, dt.date(2026, 4, 15)), (late, dt.date(2026, 4, 16))):
        station(scenario, campaign, cadre)
        for slot in SLOTS[:4]:
            link(scenario, campaign, cadre, slot, dt.date(2026, 4, 10))
        link(scenario, campaign, cadre, SLOTS[4], last_day)
    assert verdict_for(campaign, "yilianwu", on_time.pk).status == "pass"
    late_verdict = verdict_for(campaign, "yilianwu", late.pk)
    assert late_verdict.status == "fail"
    assert "2026年4月16日" in late_verdict.missing[0]


def test_before_the_due_date_an_incomplete_list_is_not_yet_due(scenario):
    campaign = scenario.campaign("dundian", start=dt.date(2026, 4, 1))
    leader = scenario.cadre("member")
    station(scenario, campaign, leader)
    link(scenario, campaign, leader, SLOTS[0], dt.date(2026, 4, 3))
    assert verdict_for(campaign, "yilianwu", leader.pk, as_of=dt.date(2026, 4, 14)).status == "not_due"
    assert verdict_for(campaign, "yilianwu", leader.pk, as_of=dt.date(2026, 4, 16)).status == "fail"


def test_attendance_and_reports_say_no_records_yet(scenario):
    campaign = scenario.campaign("dundian", start=dt.date(2026, 4, 1))
    station(scenario, campaign, scenario.cadre("member"))
    for key in ("two_days_a_month", "first_stay", "monthly_report"):
        found = verdicts(campaign, key)
        assert found and all(v.status == "no_records" for v in found)
