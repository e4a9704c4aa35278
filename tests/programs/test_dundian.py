"""003 蹲点服务: each leadership member stationed at a community; 一联五 — one of each of
five kinds, listed by 15 April; ≥2 days a month at the point; a first stay by the end of
April; the monthly report by the 5th."""

import datetime as dt

import pytest

from minqing.fieldwork.models import MonthlyReport
from minqing.fieldwork.services import monthly_report_draft, monthly_report_submit
from minqing.programs.services import pairing_create, pairing_end

from .conftest import verdict_for, verdicts

SLOTS = ["party_org_head", "veteran_party_member", "residents_rep", "extreme_poor", "wealth_expert"]


@pytest.fixture
def dundian(scenario):
    return scenario.campaign("dundian", start=dt.date(2026, 4, 1))


def station(scenario, campaign, cadre, point=None):
    return pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="station",
        target=point or scenario.point(),
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


def test_a_leadership_member_must_be_stationed(scenario, dundian):
    leader = scenario.cadre("member")
    assert verdict_for(dundian, "stationed", leader.pk).status == "fail"
    pairing = station(scenario, dundian, leader)
    assert verdict_for(dundian, "stationed", leader.pk).status == "pass"
    pairing_end(actor=scenario.office, pairing=pairing, end=dt.date(2026, 5, 1), reason="调离")
    assert verdict_for(dundian, "stationed", leader.pk).status == "fail"


def test_staff_are_not_required_to_be_stationed(scenario, dundian):
    staff = scenario.cadre("staff")
    assert staff.pk not in {v.subject_id for v in verdicts(dundian, "stationed")}


def test_yilianwu_needs_all_five_kinds(scenario, dundian):
    leader = scenario.cadre("member", "王镇长")
    station(scenario, dundian, leader)
    for slot in SLOTS[:4]:
        link(scenario, dundian, leader, slot, dt.date(2026, 4, 10))
    four = verdict_for(dundian, "yilianwu", leader.pk)
    assert (four.status, four.actual, four.required) == ("fail", "4", "5")
    assert "致富能手或岗位标兵" in four.missing[0]
    link(scenario, dundian, leader, SLOTS[4], dt.date(2026, 4, 12))
    assert verdict_for(dundian, "yilianwu", leader.pk).status == "pass"


def test_the_list_is_due_on_15_april_filed_on_the_15th_passes_on_the_16th_fails(scenario, dundian):
    on_time, late = scenario.cadre("member"), scenario.cadre("member")
    for cadre, last_day in ((on_time, dt.date(2026, 4, 15)), (late, dt.date(2026, 4, 16))):
        station(scenario, dundian, cadre)
        for slot in SLOTS[:4]:
            link(scenario, dundian, cadre, slot, dt.date(2026, 4, 10))
        link(scenario, dundian, cadre, SLOTS[4], last_day)
    assert verdict_for(dundian, "yilianwu", on_time.pk).status == "pass"
    late_verdict = verdict_for(dundian, "yilianwu", late.pk)
    assert late_verdict.status == "fail"
    assert "2026年4月16日" in late_verdict.missing[0]


def test_before_the_due_date_an_incomplete_list_is_not_yet_due(scenario, dundian):
    leader = scenario.cadre("member")
    station(scenario, dundian, leader)
    link(scenario, dundian, leader, SLOTS[0], dt.date(2026, 4, 3))
    assert verdict_for(dundian, "yilianwu", leader.pk, as_of=dt.date(2026, 4, 14)).status == "not_due"
    assert verdict_for(dundian, "yilianwu", leader.pk, as_of=dt.date(2026, 4, 16)).status == "fail"


def test_exactly_two_confirmed_days_in_a_month_pass_one_fails(scenario, dundian):
    two, one = scenario.cadre("member", "两天"), scenario.cadre("member", "一天")
    point = scenario.point()
    for cadre in (two, one):
        station(scenario, dundian, cadre, point)
    scenario.days_at(two, point, dt.date(2026, 4, 20), dt.date(2026, 4, 27))
    scenario.days_at(one, point, dt.date(2026, 4, 20))
    scenario.days_at(
        one, point, dt.date(2026, 4, 21), confirm=False
    )  # rejected by the village: does not count
    may = dt.date(2026, 5, 1)
    assert verdict_for(dundian, "two_days_a_month", two.pk, as_of=may).status == "pass"
    failing = verdict_for(dundian, "two_days_a_month", one.pk, as_of=may)
    assert failing.status == "fail" and "1" in failing.missing[0] and "2026年4月" in failing.missing[0]
    # April is still running on 30 April: not yet due rather than failed.
    assert verdict_for(dundian, "two_days_a_month", one.pk, as_of=dt.date(2026, 4, 30)).status == "not_due"


def test_the_first_stay_is_due_by_the_end_of_april(scenario, dundian):
    in_time, late = scenario.cadre("member"), scenario.cadre("member")
    point = scenario.point()
    for cadre in (in_time, late):
        station(scenario, dundian, cadre, point)
    scenario.days_at(in_time, point, dt.date(2026, 4, 30))
    scenario.days_at(late, point, dt.date(2026, 5, 1))
    assert verdict_for(dundian, "first_stay", in_time.pk).status == "pass"
    assert verdict_for(dundian, "first_stay", late.pk).status == "fail"
    assert verdict_for(dundian, "first_stay", late.pk, as_of=dt.date(2026, 4, 29)).status == "not_due"


def test_the_monthly_report_filed_on_the_5th_passes_on_the_6th_fails(scenario, dundian):
    prompt, tardy, not_stationed = (
        scenario.cadre("member"),
        scenario.cadre("member"),
        scenario.cadre("member"),
    )
    for cadre, day in ((prompt, dt.date(2026, 5, 5)), (tardy, dt.date(2026, 5, 6))):
        station(scenario, dundian, cadre)
        report = monthly_report_draft(
            actor=scenario.office, campaign=dundian, cadre=cadre, month=dt.date(2026, 4, 1)
        )
        assert report.due == dt.date(2026, 5, 5)
        assert report.text.startswith("2026年4月，")
        monthly_report_submit(actor=scenario.office, report=report, text=report.text, on=day, base_version=1)
    june = dt.date(2026, 6, 1)
    assert "2026年4月" not in " ".join(verdict_for(dundian, "monthly_report", prompt.pk, as_of=june).missing)
    tardy_verdict = verdict_for(dundian, "monthly_report", tardy.pk, as_of=june)
    assert tardy_verdict.status == "fail"
    assert any("2026年5月6日" in m for m in tardy_verdict.missing)
    assert MonthlyReport.objects.get(cadre=tardy).late
    assert not_stationed.pk not in {v.subject_id for v in verdicts(dundian, "monthly_report", june)}
    # On 5 May only April is due, and the prompt cadre filed it in time.
    assert verdict_for(dundian, "monthly_report", prompt.pk, as_of=dt.date(2026, 5, 6)).status == "pass"


def test_days_at_another_point_do_not_count(scenario, dundian):
    leader = scenario.cadre("member")
    stationed_at, elsewhere = scenario.point(), scenario.point()
    station(scenario, dundian, leader, stationed_at)
    scenario.days_at(leader, elsewhere, dt.date(2026, 4, 20), dt.date(2026, 4, 21))
    assert verdict_for(dundian, "two_days_a_month", leader.pk, as_of=dt.date(2026, 5, 1)).status == "fail"
    scenario.days_at(leader, stationed_at, dt.date(2026, 4, 22), dt.date(2026, 4, 23))
    assert verdict_for(dundian, "two_days_a_month", leader.pk, as_of=dt.date(2026, 5, 1)).status == "pass"


def test_a_successor_is_judged_from_the_handover_not_for_the_months_before(scenario, dundian):
    from minqing.programs.services import cadre_handover

    first, successor = scenario.cadre("member", "前任"), scenario.cadre("member", "接任")
    point = scenario.point()
    station(scenario, dundian, first, point)
    for slot in SLOTS:
        link(scenario, dundian, first, slot, dt.date(2026, 4, 10))
    for month in (4, 5, 6):
        scenario.days_at(first, point, dt.date(2026, month, 10), dt.date(2026, month, 11))
        report = monthly_report_draft(
            actor=scenario.office, campaign=dundian, cadre=first, month=dt.date(2026, month, 1)
        )
        monthly_report_submit(
            actor=scenario.office,
            report=report,
            text=report.text,
            on=dt.date(2026, month + 1, 2),
            base_version=1,
        )
    cadre_handover(
        actor=scenario.office,
        from_cadre=first,
        to_cadre=successor,
        on_date=dt.date(2026, 7, 15),
        reason="调任",
    )
    august = dt.date(2026, 8, 1)
    # July is the successor's first month: he stayed two days then and reported it; April to
    # June were his predecessor's, and the five links were listed in time by the predecessor.
    scenario.days_at(successor, point, dt.date(2026, 7, 20), dt.date(2026, 7, 21))
    assert verdict_for(dundian, "two_days_a_month", successor.pk, as_of=august).status == "pass"
    assert verdict_for(dundian, "two_days_a_month", successor.pk, as_of=august).actual == "1/1"
    assert verdict_for(dundian, "yilianwu", successor.pk, as_of=august).status == "pass"
    sept = dt.date(2026, 8, 10)
    report = monthly_report_draft(
        actor=scenario.office, campaign=dundian, cadre=successor, month=dt.date(2026, 7, 1)
    )
    monthly_report_submit(
        actor=scenario.office, report=report, text=report.text, on=dt.date(2026, 8, 3), base_version=1
    )
    monthly = verdict_for(dundian, "monthly_report", successor.pk, as_of=sept)
    assert (monthly.status, monthly.actual) == ("pass", "1/1"), monthly.missing
    # Without the handover's month he would fail April to June.
    scenario.days_at(successor, point, dt.date(2026, 8, 20))
    late = verdict_for(dundian, "two_days_a_month", successor.pk, as_of=dt.date(2026, 9, 1))
    assert late.status == "fail" and late.actual == "1/2" and "2026年8月" in late.missing[0]


def test_stay_days_are_the_days_the_dashboard_counts(scenario, dundian):
    """A day counts for the rule as it counts on the dashboard (AttendanceDay.in_campaign): at
    a point the cadre is paired with, or in the village of a paired household or member, on
    that day; a day at an unrelated point counts for neither, also for a cadre who holds no
    point pairing (whose days once counted at any point)."""
    from minqing.figures.periods import parse_period
    from minqing.figures.selectors import figures, selection_for
    from minqing.geo.models import Region

    rule = next(r for r in dundian.config["rules"] if r["key"] == "two_days_a_month")
    rule["params"]["kinds"] = []  # every cadre of the campaign, stationed or not
    dundian.save(update_fields=["config"])
    stationed, linked = scenario.cadre("member", "驻点"), scenario.cadre("member", "联户")
    paired_point = scenario.point(name="驻点社区")
    station(scenario, dundian, stationed, paired_point)  # from 2 April
    link(scenario, dundian, linked, "extreme_poor", dt.date(2026, 4, 2))  # a member of the scenario's village
    village_point = scenario.point(name="联户所在村")
    other_village = (
        Region.objects.filter(code__startswith="431123", level=Region.Level.VILLAGE)
        .exclude(pk=scenario.village.pk)
        .first()
    )
    unrelated = scenario.point(name="无关的点", region=other_village)
    for cadre in (stationed, linked):
        scenario.days_at(cadre, unrelated, dt.date(2026, 4, 20), dt.date(2026, 4, 21))
    may = dt.date(2026, 5, 1)

    def counted():
        sel = selection_for(
            user=scenario.office, campaign=dundian, period=parse_period("2026-04", today=may), today=may
        )
        dashboard = {
            g.key: g.values.get("attendance_days", 0) for g in figures(user=scenario.office, sel=sel).by_cadre
        }
        verdicts = {c: verdict_for(dundian, "two_days_a_month", c.pk, as_of=may) for c in (stationed, linked)}
        return {
            c.account.full_name: (dashboard.get(c.pk, 0), verdicts[c].status) for c in (stationed, linked)
        }

    assert counted() == {"驻点": (0, "fail"), "联户": (0, "fail")}
    scenario.days_at(stationed, paired_point, dt.date(2026, 4, 22), dt.date(2026, 4, 23))
    scenario.days_at(linked, village_point, dt.date(2026, 4, 22), dt.date(2026, 4, 23))
    assert counted() == {"驻点": (2, "pass"), "联户": (2, "pass")}


# A part-month at the campaign's start or end (rules._periods.month_due) -----------------


def _stationed(scenario, start, end=dt.date(2026, 12, 31)):
    campaign = scenario.campaign("dundian", start=start, end=end)
    leader, point = scenario.cadre("member"), scenario.point()
    pairing_create(
        actor=scenario.office, campaign=campaign, cadre=leader, kind="station", target=point, start=start
    )
    return campaign, leader, point


@pytest.mark.parametrize(("start", "asked"), [(dt.date(2026, 3, 16), True), (dt.date(2026, 3, 17), False)])
def test_a_first_month_is_asked_for_when_the_campaign_runs_on_half_of_its_days(scenario, start, asked):
    """Begun on 16 March the campaign runs on 16 of March's 31 days and asks its two days and
    its report; begun on the 17th (15 days) it asks neither for March. April, a whole month,
    fails short all the same."""
    campaign, leader, point = _stationed(scenario, start)
    scenario.days_at(leader, point, dt.date(2026, 3, 20), dt.date(2026, 4, 20))  # one day each month
    stay = verdict_for(campaign, "two_days_a_month", leader.pk, as_of=dt.date(2026, 4, 10))
    report = verdict_for(campaign, "monthly_report", leader.pk, as_of=dt.date(2026, 4, 10))
    if asked:
        assert (stay.status, stay.actual) == ("fail", "0/1") and "2026年3月" in stay.missing[0]
        assert (report.status, report.actual) == ("fail", "0/1") and "2026年3月" in report.missing[0]
    else:
        assert (stay.status, stay.missing) == ("not_due", ["尚无已结束的月份"])
        assert (report.status, report.missing) == ("not_due", ["尚无到期的报告"])
    stay = verdict_for(campaign, "two_days_a_month", leader.pk, as_of=dt.date(2026, 5, 10))
    report = verdict_for(campaign, "monthly_report", leader.pk, as_of=dt.date(2026, 5, 10))
    assert (stay.status, stay.actual) == ("fail", "0/2" if asked else "0/1")
    assert "2026年4月" in stay.missing[-1]
    assert (report.status, report.actual) == ("fail", "0/2" if asked else "0/1")
    assert "2026年4月" in report.missing[-1]


@pytest.mark.parametrize(("end", "asked"), [(dt.date(2026, 5, 16), True), (dt.date(2026, 5, 15), False)])
def test_a_last_month_is_asked_for_when_the_campaign_runs_on_half_of_its_days(scenario, end, asked):
    """Ended on 16 May the campaign ran on 16 of May's 31 days: May's two days are asked, and
    judged once the campaign is over (nothing counts for it after); ended on the 15th it asks
    none for May. The report of May is due by 5 June only when May is asked for."""
    campaign, leader, point = _stationed(scenario, dt.date(2026, 4, 1), end)
    scenario.days_at(leader, point, dt.date(2026, 4, 20), dt.date(2026, 4, 21), dt.date(2026, 5, 10))
    for month in (4, 5):
        draft = monthly_report_draft(
            actor=scenario.office, campaign=campaign, cadre=leader, month=dt.date(2026, month, 1)
        )
        if month == 4:
            monthly_report_submit(
                actor=scenario.office, report=draft, text=draft.text, on=dt.date(2026, 5, 2), base_version=1
            )
    stay = verdict_for(campaign, "two_days_a_month", leader.pk, as_of=dt.date(2026, 5, 17))
    if asked:
        assert (stay.status, stay.actual) == ("fail", "1/2") and "2026年5月" in stay.missing[0]
    else:
        assert (stay.status, stay.actual) == ("pass", "1/1")
    report = verdict_for(campaign, "monthly_report", leader.pk, as_of=dt.date(2026, 6, 10))
    if asked:
        assert (report.status, report.actual) == ("fail", "1/2") and "2026年5月" in report.missing[0]
    else:
        assert (report.status, report.actual) == ("pass", "1/1")
