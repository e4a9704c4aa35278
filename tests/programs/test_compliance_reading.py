"""The compliance page and its checklist read as a county office reads them: a rule limited
to one phase names it, counts carry their unit, a cadre's drill-down counts that cadre's
verdicts, each failure links to where it is put right, and the checklist has columns to
sort and filter by."""

import datetime as dt

from django.utils import translation

from minqing.programs import engine
from minqing.programs.models import Campaign

AS_OF = dt.date(2026, 11, 21)


def county_campaign():
    return Campaign.objects.get(program_key="xiajiceng")


def test_an_activities_rule_limited_to_one_phase_names_that_phase(db):
    campaign = county_campaign()
    phase = next(p["name"] for p in campaign.config["phases"] if p["key"] == "survey")
    with translation.override("en"):
        found = [v for v in engine.evaluate(campaign, AS_OF) if v.rule == "four_ones"]
    assert found
    assert {v.required for v in found} == {f"each of 4 listed activities held in the phase “{phase}”"}
