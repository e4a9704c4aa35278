"""The assessment's visits component counts the visits the compliance rule visits.per_target
counts (rules.visits_per_target.counted_visits): the cadre's own, those it joined (present at
another cadre's visit) and a visit to a member of a paired household."""

import datetime as dt

from minqing.assessment import selectors
from minqing.fieldwork.services import visit_record
from minqing.programs.rules import PASS
from tests.programs.conftest import verdict_for


def visits_part(campaign, start, end):
    return {
        row["cadre_id"]: row["parts"]["visits"].actual if "visits" in row["parts"] else None
        for row in selectors.compute(campaign, start, end, {"visits": 1})
    }


def joined_and_member_visits(scenario, campaign, kind, days):
    """A is paired with a household; on the first day A joins B's visit to it, on the second A
    visits the household's head (a member). Neither is A's own visit to the household."""
    a, b = scenario.cadre(), scenario.cadre()
    household = scenario.household()
    scenario.pair(campaign, a, household, kind=kind)
    visit_record(
        actor=scenario.office,
        campaign=campaign,
        cadre=b,
        date=days[0],
        form="home_visit",
        target=household,
        content="同去走访",
        others_present=[a],
    )
    scenario.visit(campaign, a, household.members.get(), days[1])
    return a


def test_visits_a_cadre_joined_and_to_a_member_count_for_the_household_as_in_the_rule(scenario):
    """下基层: each 帮扶 household visited twice in the campaign."""
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 1, 1))
    a = joined_and_member_visits(scenario, campaign, "bangfu", [dt.date(2026, 3, 2), dt.date(2026, 4, 2)])
    assert visits_part(campaign, dt.date(2026, 1, 1), dt.date(2026, 6, 30))[a.pk] == "2/2"
    assert verdict_for(campaign, "visit_twice", a.pk).actual == "1/1"


def test_monthly_visits_a_cadre_joined_and_to_a_member_count_for_their_months_as_in_the_rule(scenario):
    """三服务: every household every month; March's visit was joined, April's to a member."""
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 3, 1))
    a = joined_and_member_visits(
        scenario, campaign, "household_visits", [dt.date(2026, 3, 12), dt.date(2026, 4, 12)]
    )
    assert visits_part(campaign, dt.date(2026, 1, 1), dt.date(2026, 4, 30))[a.pk] == "2/2"
    verdict = verdict_for(campaign, "monthly_visits", a.pk, as_of=dt.date(2026, 5, 2))
    assert verdict.status == PASS and not verdict.missing
