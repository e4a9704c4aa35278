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


def test_the_team_must_serve_on_the_6th_and_7th_of_every_month(scenario):
    from minqing.programs.models import Team

    campaign = scenario.campaign("shugen")
    member = scenario.cadre("member")
    point = scenario.point()
    team = Team.objects.create(campaign=campaign, name="联村工作队", leader=member)
    team.points.add(point)
    scenario.days_at(member, point, dt.date(2026, 3, 6), dt.date(2026, 3, 7), dt.date(2026, 4, 6))
    april_end = dt.date(2026, 5, 1)
    verdict = verdict_for(campaign, "service_days", team.pk, as_of=april_end)
    assert verdict.status == "fail" and len(verdict.missing) == 1 and "2026年4月7日" in verdict.missing[0]
    scenario.days_at(member, point, dt.date(2026, 4, 7))
    assert verdict_for(campaign, "service_days", team.pk, as_of=april_end).status == "pass"


def test_a_village_needs_a_funded_project_in_the_year(scenario):
    from minqing.fieldwork.services import deed_record
    from minqing.programs.models import Team

    campaign = scenario.campaign("shugen", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    cadre = scenario.cadre("member")
    village = scenario.point(kind="village", name="民智村", region=scenario.village)
    team = Team.objects.create(campaign=campaign, name="工作队", leader=cadre)
    team.points.add(village)
    year_end = dt.date(2026, 12, 31)
    assert verdict_for(campaign, "funded_projects", village.pk, as_of=dt.date(2026, 6, 1)).status == "not_due"
    assert verdict_for(campaign, "funded_projects", village.pk, as_of=year_end).status == "fail"
    deed_record(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="project",
        title="修通组级公路",
        beneficiary=scenario.household(),
        date=dt.date(2026, 5, 20),
        value_yuan=80000,
    )
    assert verdict_for(campaign, "funded_projects", village.pk, as_of=year_end).status == "pass"


def test_a_service_day_counts_for_a_team_only_at_its_own_points(scenario):
    """The team serves at its village: its leader's or a member's day at another point, even
    one that counts for the campaign through a pairing of their own, is not the team present."""
    from minqing.programs.models import Team

    campaign = scenario.campaign("shugen")
    leader, member = scenario.cadre("member"), scenario.cadre()
    own, paired, unrelated = scenario.point(), scenario.point(), scenario.point()
    team = Team.objects.create(campaign=campaign, name="联村工作队", leader=leader)
    team.members.add(member)
    team.points.add(own)
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=member,
        kind="village_team",
        target=paired,
        start=dt.date(2026, 3, 1),
    )
    scenario.days_at(member, paired, dt.date(2026, 4, 6))  # counts for the campaign, not the team's
    scenario.days_at(leader, unrelated, dt.date(2026, 4, 7))  # counts for neither
    april_end = dt.date(2026, 5, 1)
    verdict = verdict_for(campaign, "service_days", team.pk, as_of=april_end)
    assert (verdict.status, verdict.actual) == ("fail", "0/4")
    assert [m for m in verdict.missing if "2026年4月" in m] == [
        "2026年4月6日无人在岗",
        "2026年4月7日无人在岗",
    ]
    scenario.days_at(member, own, dt.date(2026, 3, 6), dt.date(2026, 4, 6))
    scenario.days_at(leader, own, dt.date(2026, 3, 7), dt.date(2026, 4, 7))
    verdict = verdict_for(campaign, "service_days", team.pk, as_of=april_end)
    assert (verdict.status, verdict.actual) == ("pass", "4/4")


def test_without_teams_a_cadre_s_service_day_counts_where_it_counts_for_the_campaign(scenario):
    """With no team, each cadre serves: a day counts where the campaign counts it
    (AttendanceDay.in_campaign), at a point the cadre is paired with, not at any point."""
    campaign = scenario.campaign("shugen", start=dt.date(2026, 4, 1))
    cadre = scenario.cadre()
    paired, unrelated = scenario.point(), scenario.point()
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="village_team",
        target=paired,
        start=dt.date(2026, 4, 1),
    )
    scenario.days_at(cadre, unrelated, dt.date(2026, 4, 6), dt.date(2026, 4, 7))
    april_end = dt.date(2026, 5, 1)
    verdict = verdict_for(campaign, "service_days", cadre.pk, as_of=april_end)
    assert (verdict.status, verdict.actual) == ("fail", "0/2")
    scenario.days_at(cadre, paired, dt.date(2026, 4, 6), dt.date(2026, 4, 7))
    verdict = verdict_for(campaign, "service_days", cadre.pk, as_of=april_end)
    assert (verdict.status, verdict.actual) == ("pass", "2/2")
