"""000 机关干部下基层: every cadre has a target, every household in hardship has a cadre;
visits, deeds, the concentrated week and the 四个一 wait for their records."""

import datetime as dt

from django.utils import translation

from minqing.core.treecode import prefix_q
from minqing.people.models import Household
from minqing.programs.models import Pairing
from minqing.programs.services import pairing_create, pairing_end

from .conftest import verdict_for, verdicts


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


def test_record_based_rules_say_no_records_yet(scenario):
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 4, 15))
    scenario.cadre()
    for key in ("visit_twice", "deeds_per_household", "concentrated_week", "four_ones"):
        assert all(v.status == "no_records" for v in verdicts(campaign, key))
