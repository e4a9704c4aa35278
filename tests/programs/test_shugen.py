"""001 树根工作法: the principal links ≥2 households in hardship, leadership members and
section heads ≥1; fixed service days and funded projects wait for their records."""

import datetime as dt

from minqing.programs.services import pairing_create, pairing_end

from .conftest import verdict_for, verdicts


def test_the_principal_needs_two_households_in_hardship(scenario):
    campaign = scenario.campaign("shugen")
    chief = scenario.cadre("principal", "邓局长")
    first, second = scenario.household(level=2), scenario.household(level=1)
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=chief,
        kind="bangfu",
        target=first,
        start=dt.date(2026, 3, 5),
    )
    one = verdict_for(campaign, "hardship_quota", chief.pk)
    assert (one.status, one.actual, one.required) == ("fail", "1", "2")
    assert "邓局长" in one.missing[0]
    pairing = pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=chief,
        kind="bangfu",
        target=second,
        start=dt.date(2026, 3, 5),
    )
    assert verdict_for(campaign, "hardship_quota", chief.pk).status == "pass"
    pairing_end(actor=scenario.office, pairing=pairing, end=dt.date(2026, 5, 31), reason="调整")
    assert verdict_for(campaign, "hardship_quota", chief.pk).status == "fail"


def test_a_household_not_in_hardship_does_not_count(scenario):
    campaign = scenario.campaign("shugen")
    member = scenario.cadre("member")
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=member,
        kind="bangfu",
        target=scenario.household(level=0),
        start=dt.date(2026, 3, 5),
    )
    assert verdict_for(campaign, "hardship_quota", member.pk).status == "fail"
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=member,
        kind="bangfu",
        target=scenario.household(level=1),
        start=dt.date(2026, 3, 5),
    )
    assert verdict_for(campaign, "hardship_quota", member.pk).status == "pass"


def test_staff_have_no_quota_and_section_heads_need_one(scenario):
    campaign = scenario.campaign("shugen")
    staff, head = scenario.cadre("staff"), scenario.cadre("section_head")
    subjects = {v.subject_id for v in verdicts(campaign, "hardship_quota")}
    assert staff.pk not in subjects and head.pk in subjects


def test_service_days_and_funded_projects_say_no_records_yet_not_pass(scenario):
    campaign = scenario.campaign("shugen")
    scenario.cadre("principal")
    for key in ("service_days", "funded_projects"):
        found = verdicts(campaign, key)
        assert all(v.status == "no_records" for v in found)
