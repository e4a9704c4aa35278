"""The assessment asks the months and counts the days the compliance rules do: a month the
campaign, and the cadre's pairing, run on at least half of the days of (rules._periods.month_due,
asked_span), and a day at a point that counts for the campaign (AttendanceDay.in_campaign)."""

import datetime as dt

import pytest

from minqing.assessment import selectors, services
from minqing.programs.services import team_create, team_dissolve
from tests.programs.conftest import verdict_for

WEIGHTS = {"visits": 1, "attendance": 1, "reports": 1}


def parts(campaign, start, end):
    """cadre id → the components' parts of the window (as dicts: score, actual, detail)."""
    return {
        row["cadre_id"]: {key: part.__dict__ for key, part in row["parts"].items()}
        for row in selectors.compute(campaign, start, end, WEIGHTS)
    }


def stationed(scenario, start, paired_on=None, end=dt.date(2026, 12, 31)):
    """A 蹲点 campaign and a leader stationed at a point from `paired_on` (its start)."""
    campaign = scenario.campaign("dundian", start=start, end=end)
    leader, point = scenario.cadre("member"), scenario.point()
    scenario.pair(campaign, leader, point, kind="station", start=paired_on or start)
    return campaign, leader, point


@pytest.mark.parametrize(("start", "asked"), [(dt.date(2026, 3, 16), True), (dt.date(2026, 3, 17), False)])
def test_the_assessment_asks_a_campaign_s_first_month_only_when_it_runs_on_half_of_its_days(
    scenario, start, asked
):
    """Begun on 16 March (16 of 31 days) March's two days and report are due in the assessment
    as on the compliance page; begun on the 17th neither is, and the months short that feed
    the recall rule are April's alone."""
    campaign, leader, point = stationed(scenario, start)
    scenario.days_at(leader, point, dt.date(2026, 3, 20))
    found = parts(campaign, start, dt.date(2026, 4, 30))[leader.pk]
    attendance, reports = found["attendance"], found["reports"]
    if asked:
        assert attendance["actual"] == "1/4"
        assert attendance["detail"]["short_months"] == ["2026-03-01", "2026-04-01"]
        assert reports["actual"] == "0/2"
    else:
        assert attendance["actual"] == "0/2"
        assert attendance["detail"]["short_months"] == ["2026-04-01"]
        assert reports["actual"] == "0/1"
    # The compliance page says the same of the same months.
    stay = verdict_for(campaign, "two_days_a_month", leader.pk, as_of=dt.date(2026, 5, 6))
    report = verdict_for(campaign, "monthly_report", leader.pk, as_of=dt.date(2026, 5, 6))
    assert len(stay.missing) == len(attendance["detail"]["short_months"])
    assert report.actual == reports["actual"]


@pytest.mark.parametrize(("start", "asked"), [(dt.date(2026, 3, 16), True), (dt.date(2026, 3, 17), False)])
def test_monthly_visits_in_the_assessment_ask_a_first_month_only_when_the_campaign_runs_on_half_of_it(
    scenario, start, asked
):
    """月月访: visited on 20 March and not in April. Begun on the 16th, March counts and April
    is short (1/2); begun on the 17th, March is not asked and its visit makes up for no month."""
    campaign = scenario.campaign("sanfuwu", start=start)
    leader, household = scenario.cadre("member"), scenario.household()
    scenario.pair(campaign, leader, household, kind="household_visits")
    scenario.visit(campaign, leader, household, dt.date(2026, 3, 20))
    visits = parts(campaign, start, dt.date(2026, 4, 30))[leader.pk]["visits"]
    assert visits["actual"] == ("1/2" if asked else "0/1")


@pytest.mark.parametrize(
    ("paired_on", "asked"), [(dt.date(2026, 5, 16), True), (dt.date(2026, 5, 17), False)]
)
def test_a_pairing_made_late_in_a_month_owes_nothing_for_it_in_the_assessment(scenario, paired_on, asked):
    """Paired on 16 May (16 of its 31 days) the cadre owes May's visit and days; paired on the
    17th, from June on, as the rules ask."""
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 3, 1))
    leader, household = scenario.cadre("member"), scenario.household()
    scenario.pair(campaign, leader, household, kind="household_visits", start=paired_on)
    scenario.visit(campaign, leader, household, dt.date(2026, 5, 20))
    visits = parts(campaign, dt.date(2026, 1, 1), dt.date(2026, 6, 30))[leader.pk]["visits"]
    assert visits["actual"] == ("1/2" if asked else "0/1")

    campaign, leader, point = stationed(scenario, dt.date(2026, 3, 1), paired_on=paired_on)
    scenario.days_at(leader, point, dt.date(2026, 5, 20), dt.date(2026, 5, 21))
    attendance = parts(campaign, dt.date(2026, 1, 1), dt.date(2026, 6, 30))[leader.pk]["attendance"]
    assert attendance["actual"] == ("2/4" if asked else "0/2")
    assert attendance["detail"]["short_months"] == ["2026-06-01"]


def test_the_assessment_counts_only_the_days_that_count_for_the_campaign(scenario):
    """A day at a point the cadre is not paired with in the campaign (another campaign's work)
    is no day of this one; nor, after a team is dissolved, a member's day at its point."""
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 3, 1))
    cadre, point, other = scenario.cadre(), scenario.point(), scenario.point()
    scenario.pair(campaign, cadre, point, kind="baocun")
    scenario.days_at(cadre, other, dt.date(2026, 4, 1), dt.date(2026, 4, 2))
    scenario.days_at(cadre, point, dt.date(2026, 4, 3))
    member = scenario.cadre()
    team = team_create(
        actor=scenario.office, campaign=campaign, name="一组", members=[member], points=[other]
    )
    scenario.days_at(member, other, dt.date(2026, 4, 9), dt.date(2026, 4, 11))
    team_dissolve(actor=scenario.office, team=team, dissolved_on=dt.date(2026, 4, 10), reason="任务完成")
    found = parts(campaign, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert found[cadre.pk]["attendance"]["actual"] == "1/2"
    assert found[member.pk]["attendance"]["actual"] == "1/2"


def test_the_recall_rule_counts_the_months_short_the_stay_rule_names(scenario):
    """The unexcused absences of the recall rule are the months the stay rule fails: none for
    the part-month the campaign began with, none for days another campaign's work took."""
    campaign, leader, point = stationed(scenario, dt.date(2026, 3, 20), end=dt.date(2026, 6, 30))
    scenario.days_at(leader, scenario.point(), *(dt.date(2026, m, d) for m in (4, 5, 6) for d in (3, 4)))
    services.recall_rule_set(actor=scenario.office, campaign=campaign, absences_at_least=3)
    flagged = selectors.at_risk(campaign, dt.date(2026, 7, 10))
    assert [f.cadre.pk for f in flagged] == [leader.pk]
    assert "3" in flagged[0].reasons[0]
    stay = verdict_for(campaign, "two_days_a_month", leader.pk, as_of=dt.date(2026, 7, 10))
    assert stay.actual == "0/3"


@pytest.mark.parametrize(("program", "kind"), [("sanfuwu", "household_visits"), ("dundian", "station")])
def test_the_months_asked_cost_the_same_number_of_queries_for_two_cadres_as_for_six(scenario, program, kind):
    """Monthly visits (三服务) and days and reports with kinds of pairing (蹲点): the pairings
    are read once for every component, whatever the number of cadres."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    campaign = scenario.campaign(program, start=dt.date(2026, 3, 10))

    def add(n):
        for day in range(n):
            cadre = scenario.cadre("member")
            target = scenario.household() if kind == "household_visits" else scenario.point()
            scenario.pair(campaign, cadre, target, kind=kind, start=dt.date(2026, 3, 10 + 3 * day))
            if kind == "household_visits":
                scenario.visit(campaign, cadre, target, dt.date(2026, 4, 2))
            else:
                scenario.days_at(cadre, target, dt.date(2026, 4, 3))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            parts(campaign, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
        return len(captured)

    add(2)
    few = queries()
    add(4)
    assert queries() == few
