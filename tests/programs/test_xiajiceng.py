"""000 机关干部下基层: every cadre has a target, every household in hardship has a cadre;
visits, deeds, the concentrated week and the 四个一 wait for their records."""

import datetime as dt

from django.utils import translation

from minqing.core.treecode import prefix_q
from minqing.people.models import Household
from minqing.programs.models import Pairing
from minqing.programs.services import pairing_create, pairing_end

from .conftest import days, verdict_for, verdicts


def test_every_cadre_needs_a_target(scenario):
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 4, 15))
    cadre = scenario.cadre()
    assert verdict_for(campaign, "every_cadre_has_target", cadre.pk).status == "fail"
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="bangfu",
        target=scenario.household(level=1),
        start=dt.date(2026, 4, 20),
    )
    assert verdict_for(campaign, "every_cadre_has_target", cadre.pk).status == "pass"


def test_before_the_campaign_starts_nothing_fails(scenario):
    from minqing.programs import engine

    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 4, 15))
    cadre = scenario.cadre()
    # After the start the cadre without a target fails; on 10 April nothing is due yet.
    assert (
        verdict_for(campaign, "every_cadre_has_target", cadre.pk, as_of=dt.date(2026, 4, 20)).status == "fail"
    )
    before = engine.evaluate(campaign, dt.date(2026, 4, 10))
    assert before and all(v.status != "fail" for v in before)
    assert (
        verdict_for(campaign, "every_cadre_has_target", cadre.pk, as_of=dt.date(2026, 4, 10)).status
        == "not_due"
    )


def test_every_household_in_hardship_covered_but_one(scenario):
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 4, 15))
    cadre = scenario.cadre()
    hardship = list(Household.objects.filter(prefix_q("region_id", "431123"), hardship_level__gt=0))
    Pairing.objects.bulk_create(
        [
            Pairing(
                campaign=campaign,
                cadre=cadre,
                kind="bangfu",
                household=h,
                region_id=h.region_id,
                start=dt.date(2026, 4, 20),
            )
            for h in hardship[1:]
        ]
    )
    with translation.override("en"):
        results = verdicts(campaign, "every_hardship_household_covered")
        level = hardship[0].get_hardship_level_display()
    failing = [v for v in results if v.status == "fail"]
    assert len(results) == len(hardship) and [v.subject_id for v in failing] == [hardship[0].pk]
    assert failing[0].missing == [f"{level} household of {hardship[0].head.name} has no cadre"]
    pairing = pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="bangfu",
        target=hardship[0],
        start=dt.date(2026, 4, 20),
    )
    assert all(v.status == "pass" for v in verdicts(campaign, "every_hardship_household_covered"))
    pairing_end(actor=scenario.office, pairing=pairing, end=dt.date(2026, 5, 1), reason="结束")
    assert verdict_for(campaign, "every_hardship_household_covered", hardship[0].pk).status == "fail"


def test_a_household_below_the_level_is_not_a_subject(scenario):
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 4, 15))
    ordinary = scenario.household(level=0)
    assert ordinary.pk not in {v.subject_id for v in verdicts(campaign, "every_hardship_household_covered")}


def test_a_seven_day_concentrated_stay_passes_six_fails(scenario):
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 4, 15), end=dt.date(2026, 12, 31))
    seven, six = scenario.cadre(), scenario.cadre()
    point = scenario.point()
    for cadre in (seven, six):
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadre,
            kind="baocun",
            target=point,
            start=dt.date(2026, 4, 20),
        )
    scenario.days_at(seven, point, *days(dt.date(2026, 6, 1), 7))
    scenario.days_at(six, point, *days(dt.date(2026, 6, 1), 6), dt.date(2026, 6, 8))  # a gap on the 7th
    end = dt.date(2026, 12, 31)
    assert verdict_for(campaign, "concentrated_week", seven.pk, as_of=end).status == "pass"
    short = verdict_for(campaign, "concentrated_week", six.pk, as_of=end)
    assert (short.status, short.actual) == ("fail", "6")
    assert verdict_for(campaign, "concentrated_week", six.pk, as_of=dt.date(2026, 7, 1)).status == "not_due"


def test_a_concentrated_stay_counts_in_the_paired_household_s_village_not_elsewhere(scenario):
    """A cadre paired with a household (no point) stays in the household's village: those days
    count, as on the dashboard; a week at a point of another village does not."""
    from minqing.geo.models import Region

    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 4, 15), end=dt.date(2026, 12, 31))
    cadre = scenario.cadre()
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="bangfu",
        target=scenario.household(level=1),
        start=dt.date(2026, 4, 20),
    )
    other_village = (
        Region.objects.filter(code__startswith="431123", level=Region.Level.VILLAGE)
        .exclude(pk=scenario.village.pk)
        .first()
    )
    scenario.days_at(cadre, scenario.point(region=other_village), *days(dt.date(2026, 6, 1), 7))
    end = dt.date(2026, 12, 31)
    elsewhere = verdict_for(campaign, "concentrated_week", cadre.pk, as_of=end)
    assert (elsewhere.status, elsewhere.actual) == ("fail", "0")
    scenario.days_at(cadre, scenario.point(), *days(dt.date(2026, 7, 1), 7))  # the household's village
    assert verdict_for(campaign, "concentrated_week", cadre.pk, as_of=end).status == "pass"


def test_every_target_visited_twice_and_given_a_deed(scenario):
    from minqing.fieldwork.services import deed_record

    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 4, 15), end=dt.date(2026, 12, 31))
    cadre = scenario.cadre()
    household = scenario.household(level=2)
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="bangfu",
        target=household,
        start=dt.date(2026, 4, 20),
    )
    end = dt.date(2026, 12, 31)
    scenario.visit(campaign, cadre, household, dt.date(2026, 5, 2))
    once = verdict_for(campaign, "visit_twice", cadre.pk, as_of=end)
    assert once.status == "fail" and "1" in once.missing[0]
    scenario.visit(
        campaign, cadre, household.members.get(), dt.date(2026, 6, 2)
    )  # a visit to a member counts
    assert verdict_for(campaign, "visit_twice", cadre.pk, as_of=end).status == "pass"
    assert verdict_for(campaign, "deeds_per_household", cadre.pk, as_of=end).status == "fail"
    deed_record(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="funds",
        title="申请临时救助",
        beneficiary=household,
        date=dt.date(2026, 6, 2),
        value_yuan=500,
    )
    assert verdict_for(campaign, "deeds_per_household", cadre.pk, as_of=end).status == "pass"


def test_the_four_ones_must_be_held_in_the_survey_phase(scenario):
    from minqing.fieldwork.services import activity_record

    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 4, 15), end=dt.date(2026, 12, 31))
    cadre = scenario.cadre()
    for kind in ("home_visit_round", "beneficiaries_forum", "concentrated_reception"):
        activity_record(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadre,
            kind=kind,
            title=kind,
            date=dt.date(2026, 4, 20),
        )
    activity_record(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="policy_talk",
        title="宣讲",
        date=dt.date(2026, 5, 3),
    )  # after the survey phase: does not count
    may = dt.date(2026, 5, 10)
    three = verdict_for(campaign, "four_ones", cadre.pk, as_of=may)
    assert (three.status, three.actual) == ("fail", "3/4")
    assert verdict_for(campaign, "four_ones", cadre.pk, as_of=dt.date(2026, 4, 25)).status == "not_due"
    activity_record(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="policy_talk",
        title="宣讲",
        date=dt.date(2026, 4, 30),
    )
    assert verdict_for(campaign, "four_ones", cadre.pk, as_of=may).status == "pass"
