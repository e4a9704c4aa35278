"""The phone page /m/ says what is due this month (found by a new-user tester, F26): the
targets the campaign's monthly-visit rule still wants visited, and this week's work record."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from minqing.assessment.services import leader_record_write
from minqing.fieldwork.services import attendance_check_in, visit_record
from minqing.programs.services import pairing_create
from tests.fieldwork.test_visit_changes import FieldScenario


@pytest.fixture
def scenario(db, actor):
    return FieldScenario(actor("office"))


@pytest.fixture
def campaign(scenario):
    """A running 三服务 campaign: its 月月访 rule asks for 1 visit per household a month. Its
    五个一 (activities over the campaign, asked of every cadre taking part) is off: the tests
    of the activities are further down."""
    today = timezone.localdate()
    campaign = scenario.campaign(
        "sanfuwu", start=today - dt.timedelta(days=90), end=today + dt.timedelta(days=60)
    )
    _rule_off(campaign, "five_ones")
    return campaign


def _rule_off(campaign, key):
    for rule in campaign.config["rules"]:
        if rule["key"] == key:
            rule["disabled"] = True
    campaign.save(update_fields=["config"])


def _pair(scenario, campaign, cadre, target, kind="household_visits"):
    return pairing_create(
        actor=scenario.office, campaign=campaign, cadre=cadre, kind=kind, target=target, start=campaign.start
    )


def _visit(campaign, cadre, target, day=None, others_present=()):
    return visit_record(
        actor=cadre.account,
        campaign=campaign,
        cadre=cadre,
        date=day or timezone.localdate(),
        form="home_visit",
        target=target,
        content="走访了解情况",
        others_present=list(others_present),
    )


def _due(cadre) -> str:
    client = Client()
    client.force_login(cadre.account)
    with translation.override("en"):
        page = client.get(reverse("fieldwork:app"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return page.split('id="due"')[1].split("</section>")[0]


def test_a_household_not_visited_this_month_is_due_until_it_is_visited(scenario, campaign):
    cadre = scenario.cadre("staff")
    household = scenario.household(head="王大爷")
    _pair(scenario, campaign, cadre, household)
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    _visit(campaign, cadre, household, day=max(last_month, campaign.start))

    due = _due(cadre)
    assert "Due this month" in due and "月月访、户户到" in due
    assert "王大爷" in due and "visited 0 of 1 times this month" in due

    _visit(campaign, cadre, household)
    due = _due(cadre)
    assert "王大爷" not in due and "Nothing due this month" in due


def test_a_visit_the_cadre_joined_counts_and_another_cadre_s_alone_does_not(scenario, campaign):
    cadre, colleague = scenario.cadre("staff"), scenario.cadre("staff")
    joined, alone = scenario.household(head="赵一"), scenario.household(head="钱二")
    _pair(scenario, campaign, cadre, joined)
    _pair(scenario, campaign, cadre, alone)
    _visit(campaign, colleague, joined, others_present=[cadre])
    _visit(campaign, colleague, alone)

    due = _due(cadre)
    assert "赵一" not in due and "钱二" in due


def test_a_pairing_of_a_kind_the_rule_does_not_count_is_not_listed(scenario, campaign):
    cadre = scenario.cadre("staff")
    point = scenario.point(name="测试村联系点")
    _pair(scenario, campaign, cadre, point, kind="four_links")

    due = _due(cadre)
    assert "测试村联系点" not in due and "Nothing due this month" in due


def test_a_disabled_rule_asks_for_nothing(scenario, campaign):
    cadre = scenario.cadre("staff")
    _pair(scenario, campaign, cadre, scenario.household(head="孙三"))
    _rule_off(campaign, "monthly_visits")

    assert "孙三" not in _due(cadre)


def test_a_leader_is_reminded_of_this_week_s_record_until_it_is_submitted(scenario, campaign):
    leader = scenario.cadre("member")  # the rule asks 区领导 (principal, member) for weekly records
    due = _due(leader)
    assert "This week's work record is not submitted yet" in due
    assert reverse("assessment:leader-record-write") in due

    leader_record_write(
        actor=leader.account, cadre=leader, day=timezone.localdate(), text="走访两户。", submit=True
    )
    due = _due(leader)
    assert "work record" not in due and "Nothing due this month" in due


def test_the_page_s_queries_do_not_grow_with_the_pairings(scenario, campaign):
    cadre = scenario.cadre("staff")
    client = Client()
    client.force_login(cadre.account)

    def queries():
        client.get(reverse("fieldwork:app"))  # the session settles first
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("fieldwork:app")).status_code == 200
        return len(captured)

    first = scenario.household()
    _pair(scenario, campaign, cadre, first)
    _visit(campaign, cadre, first)
    _pair(scenario, campaign, cadre, scenario.point(), kind="four_links")
    one = queries()
    for n in range(4):
        household = scenario.household(head=f"户主{n}")
        _pair(scenario, campaign, cadre, household)
        if n % 2:  # half of them visited this month, half still due
            _visit(campaign, cadre, household, others_present=[scenario.cadre("staff")])
        _pair(scenario, campaign, cadre, scenario.point(), kind="four_links")
    assert queries() == one


def test_a_week_the_campaign_had_only_the_weekend_of_is_not_owed(scenario):
    """The reminder follows the rule: a week is owed when the campaign runs on at least 3 of
    its working days; a campaign begun on a Saturday owes nothing for that weekend."""
    from minqing.fieldwork.selectors import my_due

    leader = scenario.cadre("member")
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 5, 2), end=dt.date(2026, 12, 31))

    def owed(day):
        return my_due(
            user=leader.account, cadre=leader, targets=[], campaigns=[campaign], as_of=day
        ).weekly_record

    assert not owed(dt.date(2026, 5, 3))  # the Sunday of the campaign's first (weekend) week
    assert owed(dt.date(2026, 5, 4))  # its first full week


@pytest.mark.parametrize(("start", "owed"), [(dt.date(2026, 3, 16), True), (dt.date(2026, 3, 17), False)])
def test_a_month_the_campaign_runs_on_fewer_than_half_of_the_days_of_is_not_owed(scenario, start, owed):
    """The reminder follows the rule (rules._periods.month_due): begun on 16 March the campaign
    asks March's visit, begun on the 17th (15 of 31 days) it asks none until April."""
    from minqing.fieldwork.selectors import my_due, my_targets

    cadre = scenario.cadre("staff")
    campaign = scenario.campaign("sanfuwu", start=start, end=dt.date(2026, 12, 31))
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="household_visits",
        target=scenario.household(head="周五"),
        start=start,
    )

    def due(day):
        targets = my_targets(user=cadre.account, as_of=day)
        found = my_due(user=cadre.account, cadre=cadre, targets=targets, campaigns=[campaign], as_of=day)
        return [t.target.name for v in found.visits for t in v.targets]

    assert due(dt.date(2026, 3, 20)) == (["周五"] if owed else [])
    assert due(dt.date(2026, 4, 2)) == ["周五"]


@pytest.mark.parametrize(("paired_on", "owed"), [(dt.date(2026, 5, 16), True), (dt.date(2026, 5, 17), False)])
def test_a_target_paired_on_fewer_than_half_of_the_month_s_days_is_not_owed_that_month(
    scenario, paired_on, owed
):
    """As the rule (rules._periods.asked_span): a household paired on 16 May is owed May's
    visit, one paired on the 17th (15 of 31 days) none until June."""
    from minqing.fieldwork.selectors import my_due, my_targets

    cadre = scenario.cadre("staff")
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="household_visits",
        target=scenario.household(head="周六"),
        start=paired_on,
    )

    def due(day):
        targets = my_targets(user=cadre.account, as_of=day)
        found = my_due(user=cadre.account, cadre=cadre, targets=targets, campaigns=[campaign], as_of=day)
        return [t.target.name for v in found.visits for t in v.targets]

    assert due(dt.date(2026, 5, 20)) == (["周六"] if owed else [])
    assert due(dt.date(2026, 6, 2)) == ["周六"]


# What the other rules still ask (found by a tester: the compliance page showed a target
# visited 1 of 2 times over the campaign and a concentrated stay of 5 of 7 days while /m/ said
# nothing was due). Each item is asked as the rule asks it, evaluated on a day of 2026.


def _items(cadre, campaign, day, rule=None) -> list[str]:
    """The due items of the rules other than the monthly visits, on `day`, in English: the
    target's name (if any) and the text."""
    from minqing.fieldwork.selectors import my_due, my_targets

    targets = my_targets(user=cadre.account, as_of=day)
    with translation.override("en"):
        found = my_due(user=cadre.account, cadre=cadre, targets=targets, campaigns=[campaign], as_of=day)
        return [
            f"{line.target.name} {line.text}" if line.target else line.text
            for group in found.groups
            if rule is None or group.rule == rule
            for line in group.lines
        ]


def _days(start, count):
    return [start + dt.timedelta(days=n) for n in range(count)]


@pytest.fixture
def dundian(scenario):
    """A 蹲点服务 campaign (003) of 2026 and a leader stationed at 测试社区 from its start:
    ≥2 days a month there, a first stay by 30 April, a report by the 5th of each month."""
    campaign = scenario.campaign("dundian", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    leader = scenario.cadre("member")
    point = scenario.point(name="测试社区")
    _pair(scenario, campaign, leader, point, kind="station")
    return campaign, leader, point


def test_the_days_at_the_point_this_month_are_due_until_the_rule_s_number_is_confirmed(scenario, dundian):
    campaign, leader, point = dundian
    scenario.days_at(leader, point, dt.date(2026, 5, 4))
    assert _items(leader, campaign, dt.date(2026, 5, 20), "two_days_a_month") == [
        "This month at 测试社区: 1 of 2 days"
    ]
    # A day checked in and not yet confirmed does not count, and is said.
    attendance_check_in(actor=leader.account, cadre=leader, point=point, date=dt.date(2026, 5, 5))
    assert _items(leader, campaign, dt.date(2026, 5, 20), "two_days_a_month") == [
        "This month at 测试社区: 1 of 2 days (1 awaiting the village's confirmation)"
    ]
    scenario.days_at(leader, point, dt.date(2026, 5, 6))
    assert _items(leader, campaign, dt.date(2026, 5, 20), "two_days_a_month") == []


def test_the_days_at_the_point_are_not_asked_for_a_month_the_rule_does_not_ask(scenario):
    leader = scenario.cadre("member")
    late = scenario.campaign("dundian", start=dt.date(2026, 3, 17), end=dt.date(2026, 12, 31))
    _pair(scenario, late, leader, scenario.point(name="晚点社区"), kind="station")
    assert _items(leader, late, dt.date(2026, 3, 25), "two_days_a_month") == []  # 15 of 31 days
    assert _items(leader, late, dt.date(2026, 4, 2), "two_days_a_month") == [
        "This month at 晚点社区: 0 of 2 days"
    ]

    other = scenario.cadre("member")
    early = scenario.campaign("dundian", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    pairing_create(
        actor=scenario.office,
        campaign=early,
        cadre=other,
        kind="station",
        target=scenario.point(name="新社区"),
        start=dt.date(2026, 5, 17),
    )
    assert _items(other, early, dt.date(2026, 5, 20), "two_days_a_month") == []  # paired 15 of 31 days
    assert _items(other, early, dt.date(2026, 6, 2), "two_days_a_month") == [
        "This month at 新社区: 0 of 2 days"
    ]


def test_the_first_stay_is_due_until_done_and_not_after_its_date(scenario, dundian):
    campaign, leader, point = dundian
    assert _items(leader, campaign, dt.date(2026, 4, 10), "first_stay") == [
        "A first stay at 测试社区 by April 30, 2026"
    ]
    assert _items(leader, campaign, dt.date(2026, 5, 2), "first_stay") == []  # too late to act on
    scenario.days_at(leader, point, dt.date(2026, 4, 8))
    assert _items(leader, campaign, dt.date(2026, 4, 10), "first_stay") == []


def test_last_month_s_report_is_due_by_the_campaign_s_day_then_overdue_until_submitted(scenario, dundian):
    from minqing.fieldwork.services import monthly_report_draft, monthly_report_submit

    campaign, leader, point = dundian
    assert _items(leader, campaign, dt.date(2026, 5, 3), "monthly_report") == [
        "The report for April 2026 is due by May 5, 2026"
    ]
    assert _items(leader, campaign, dt.date(2026, 5, 6), "monthly_report") == [
        "The report for April 2026 is overdue: it was due by May 5, 2026"
    ]
    report = monthly_report_draft(
        actor=leader.account, campaign=campaign, cadre=leader, month=dt.date(2026, 4, 1)
    )
    assert (
        len(_items(leader, campaign, dt.date(2026, 5, 6), "monthly_report")) == 1
    )  # a draft is not a report
    monthly_report_submit(
        actor=leader.account,
        report=report,
        text="四月蹲点两天。",
        on=dt.date(2026, 5, 6),
        base_version=report.version,
    )
    assert _items(leader, campaign, dt.date(2026, 5, 6), "monthly_report") == []
    # March's report is not asked of a campaign begun on 17 March (15 of its 31 days).
    late = scenario.campaign("dundian", start=dt.date(2026, 3, 17), end=dt.date(2026, 12, 31))
    _pair(scenario, late, leader, scenario.point(), kind="station")
    assert _items(leader, late, dt.date(2026, 4, 3), "monthly_report") == []


@pytest.fixture
def xiajiceng(scenario):
    """A 下基层 campaign (000) of 2026: each 结对帮扶 household visited twice and given a deed,
    a concentrated stay of 7 consecutive days; a cadre paired with 王大爷's household and
    包村 at 测试村."""
    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    cadre = scenario.cadre("staff")
    household = scenario.household(head="王大爷")
    village = scenario.point(name="测试村")
    _pair(scenario, campaign, cadre, household, kind="bangfu")
    _pair(scenario, campaign, cadre, village, kind="baocun")
    return campaign, cadre, household, village


def test_a_target_short_of_the_campaign_s_visits_is_due_until_visited_enough(scenario, xiajiceng):
    campaign, cadre, household, village = xiajiceng
    _visit(campaign, cadre, household, day=dt.date(2026, 4, 2))
    assert _items(cadre, campaign, dt.date(2026, 6, 1), "visit_twice") == [
        "王大爷 visited 1 of 2 times, 1 more to go"
    ]
    _visit(campaign, cadre, household, day=dt.date(2026, 5, 2))
    assert _items(cadre, campaign, dt.date(2026, 6, 1), "visit_twice") == []


def test_a_household_without_its_deed_is_due_until_one_is_recorded(scenario, xiajiceng):
    from minqing.fieldwork.services import deed_record

    campaign, cadre, household, village = xiajiceng
    assert _items(cadre, campaign, dt.date(2026, 6, 1), "deeds_per_household") == ["王大爷 0 of 1 deeds"]
    deed_record(
        actor=cadre.account,
        campaign=campaign,
        cadre=cadre,
        kind="goods",
        title="送米面油",
        beneficiary=household,
        date=dt.date(2026, 5, 8),
    )
    assert _items(cadre, campaign, dt.date(2026, 6, 1), "deeds_per_household") == []


def test_the_concentrated_stay_is_due_until_its_consecutive_days_are_confirmed(scenario, xiajiceng):
    campaign, cadre, household, village = xiajiceng
    scenario.days_at(cadre, village, *_days(dt.date(2026, 5, 4), 5))
    assert _items(cadre, campaign, dt.date(2026, 6, 1), "concentrated_week") == [
        "A stay of 7 consecutive days at 测试村: the longest so far is 5"
    ]
    scenario.days_at(cadre, village, dt.date(2026, 5, 9), dt.date(2026, 5, 10))
    assert _items(cadre, campaign, dt.date(2026, 6, 1), "concentrated_week") == []


def test_the_tester_s_cadre_sees_on_the_phone_what_the_compliance_page_fails(scenario):
    """Today's page: a target visited 1 of 2 times and a stay of 5 of 7 days are due, with the
    campaign's end and the buttons that record a visit and check in at the village."""
    today = timezone.localdate()
    campaign = scenario.campaign(
        "xiajiceng", start=today - dt.timedelta(days=40), end=today + dt.timedelta(days=60)
    )
    cadre = scenario.cadre("staff")
    household, village = scenario.household(head="李大娘"), scenario.point(name="李家村")
    _pair(scenario, campaign, cadre, household, kind="bangfu")
    _pair(scenario, campaign, cadre, village, kind="baocun")
    _visit(campaign, cadre, household, day=today - dt.timedelta(days=20))
    scenario.days_at(cadre, village, *_days(today - dt.timedelta(days=30), 5))

    due = _due(cadre)
    assert "李大娘" in due and "visited 1 of 2 times, 1 more to go" in due
    assert "A stay of 7 consecutive days at 李家村: the longest so far is 5" in due
    assert "Nothing due" not in due
    assert 'data-do="visit"' in due and 'data-do="checkin"' in due and "Check in at 李家村 today" in due
    assert f'data-campaign="{campaign.pk}"' in due

    # The list alone for field.js, without the rest of the page.
    client = Client()
    client.force_login(cadre.account)
    part = client.get(reverse("fieldwork:app") + "?part=due").content.decode()
    assert 'id="due"' in part and 'id="targets"' not in part and "李大娘" in part


def test_the_due_list_s_queries_do_not_grow_with_the_targets(scenario, xiajiceng, dundian):
    """One query each for visits, deeds, reports and days, whatever the number of targets."""
    from minqing.fieldwork.selectors import my_due, my_targets

    campaign, cadre, household, village = xiajiceng
    station, _leader, _point = dundian
    _pair(scenario, station, cadre, scenario.point(), kind="station")
    day = dt.date(2026, 6, 3)

    def queries():
        targets = my_targets(user=cadre.account, as_of=day)
        with CaptureQueriesContext(connection) as captured:
            found = my_due(
                user=cadre.account, cadre=cadre, targets=targets, campaigns=[campaign, station], as_of=day
            )
        return len(captured), {group.rule for group in found.groups}

    one, rules = queries()
    assert rules == {
        "visit_twice",
        "deeds_per_household",
        "concentrated_week",
        "two_days_a_month",
        "monthly_report",
    }
    for n in range(4):
        more = scenario.household(head=f"户主{n}")
        _pair(scenario, campaign, cadre, more, kind="bangfu")
        _visit(campaign, cadre, more, day=dt.date(2026, 5, 2))
        point = scenario.point()
        _pair(scenario, campaign, cadre, point, kind="baocun")
        scenario.days_at(cadre, point, dt.date(2026, 5, 10 + n))
    assert queries() == (one, rules)


# Every campaign that asks things of the cadre (found by the lead: the list read only the
# campaigns of the cadre's targets, so a work team's member, or a cadre taking part with no
# target, was told nothing was due while the compliance page failed them).


def _kinds_off(campaign, *keys):
    """The rules asked of every cadre taking part, as an office may set them (no pairing kinds)."""
    for rule in campaign.config["rules"]:
        if rule["key"] in keys:
            rule.setdefault("params", {})["kinds"] = []
    campaign.save(update_fields=["config"])


def _team(scenario, campaign, name, leader=None, members=(), points=()):
    from minqing.programs.services import team_create

    return team_create(
        actor=scenario.office, campaign=campaign, name=name, leader=leader, members=members, points=points
    )


def _app_data(cadre) -> dict:
    import json

    client = Client()
    client.force_login(cadre.account)
    page = client.get(reverse("fieldwork:app")).content.decode()
    return json.loads(page.split('id="app-data" type="application/json">')[1].split("</script>")[0])


def test_a_work_team_s_member_and_leader_are_asked_the_days_and_the_report_at_its_points(scenario):
    """Neither is paired: the stay and report rules (no kinds) ask them as every cadre taking
    part, and the days at the team's point count (AttendanceDay.in_campaign)."""
    today = timezone.localdate()
    campaign = scenario.campaign(
        "dundian", start=today - dt.timedelta(days=90), end=today + dt.timedelta(days=60)
    )
    _kinds_off(campaign, "two_days_a_month", "monthly_report")
    leader, member = scenario.cadre("member"), scenario.cadre("staff")
    point = scenario.point(name="团队驻点村")
    _team(scenario, campaign, "驻村一队", leader=leader, members=[member], points=[point])

    for cadre in (leader, member):
        due = _due(cadre)
        assert "This month at 团队驻点村: 0 of 2 days" in due
        assert "The report for" in due and "Nothing due" not in due
    scenario.days_at(member, point, today)
    assert "This month at 团队驻点村: 1 of 2 days" in _due(member)
    # The forms still offer only the campaigns the cadre records in: those of its targets.
    assert _app_data(member)["campaigns"] == {}


def test_the_rules_ask_a_cadre_taking_part_with_neither_target_nor_team_and_nobody_else(scenario):
    from minqing.fieldwork.selectors import due_campaigns
    from tests.programs.conftest import verdict_for

    campaign = scenario.campaign("dundian", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    _kinds_off(campaign, "two_days_a_month")
    cadre = scenario.cadre("staff")
    stranger = FieldScenario(scenario.office).cadre("staff")  # of a unit not taking part
    day = dt.date(2026, 5, 20)

    assert campaign in due_campaigns(cadre, day) and campaign not in due_campaigns(stranger, day)
    assert _items(cadre, campaign, day, "two_days_a_month") == ["This month at the point: 0 of 2 days"]
    # The rule has him among its subjects: the month he is reminded of is the one it judges.
    with translation.override("en"):
        verdict = verdict_for(campaign, "two_days_a_month", cadre.pk, as_of=dt.date(2026, 6, 1))
    assert verdict.status == "fail" and "stayed 0 of 2 days in May 2026" in verdict.missing[-1]


def test_a_rule_of_pairing_kinds_asks_nothing_of_a_team_member_who_holds_none(scenario):
    campaign = scenario.campaign("dundian", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    member = scenario.cadre("staff")
    _team(scenario, campaign, "驻村二队", members=[member], points=[scenario.point()])
    assert _items(member, campaign, dt.date(2026, 5, 20)) == []  # every rule of dundian names "station"


def test_a_running_campaign_is_among_the_due_ones_when_the_cadre_s_unit_takes_part(scenario):
    """Not one that has ended, is still to come, or is marked ended; whatever the number of
    campaigns, three queries."""
    from minqing.fieldwork.selectors import due_campaigns
    from minqing.programs.models import Campaign

    cadre = scenario.cadre("staff")
    day = dt.date(2026, 5, 20)
    before = due_campaigns(cadre, day)  # the demo county's own, open to all of its units
    running = scenario.campaign("dundian", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    scenario.campaign("dundian", start=dt.date(2026, 6, 1), end=dt.date(2026, 12, 31))
    over = scenario.campaign("dundian", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    Campaign.objects.filter(pk=over.pk).update(end=dt.date(2026, 5, 19))
    ended = scenario.campaign("sanfuwu", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    Campaign.objects.filter(pk=ended.pk).update(status=Campaign.Status.ENDED)
    FieldScenario(scenario.office).campaign("dundian")  # another unit's
    with CaptureQueriesContext(connection) as captured:
        assert [c for c in due_campaigns(cadre, day) if c not in before] == [running]
    assert len(captured) == 3
    scenario.campaign("xiajiceng", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    scenario.campaign("sanfuwu", start=dt.date(2026, 4, 1), end=dt.date(2026, 12, 31))
    with CaptureQueriesContext(connection) as captured:
        assert len(due_campaigns(cadre, day)) == len(before) + 3
    assert len(captured) == 3


# The listed activities (五个一, 四个一, a team's): what the rule still asks in the period
# running now, counted by the rule's own helpers.


def _activity(campaign, cadre, kind, day, team=None, point=None):
    from minqing.fieldwork.services import activity_record

    return activity_record(
        actor=cadre.account,
        campaign=campaign,
        cadre=cadre,
        kind=kind,
        title=kind,
        date=day,
        team=team,
        point=point,
    )


FIVE = "参加一次村党组织会议, 开展一次走访慰问, 帮扶一名困难党员群众, 资助一名贫困学生, 办成一件实事"


def test_the_five_ones_are_due_until_the_cadre_has_held_each_as_the_rule_counts(scenario):
    from tests.programs.conftest import verdict_for

    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    other = scenario.campaign("sanfuwu", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    cadre, colleague = scenario.cadre("staff"), scenario.cadre("staff")
    day = dt.date(2026, 5, 20)
    assert _items(cadre, campaign, day, "five_ones") == [f"Still to do: {FIVE}"]

    _activity(campaign, cadre, "party_meeting", dt.date(2026, 4, 2))
    _activity(campaign, colleague, "condolence_visit", dt.date(2026, 4, 3))  # another cadre's
    _activity(other, cadre, "deed_done", dt.date(2026, 4, 4))  # another campaign's
    left = "开展一次走访慰问, 帮扶一名困难党员群众, 资助一名贫困学生, 办成一件实事"
    assert _items(cadre, campaign, day, "five_ones") == [f"Still to do: {left}"]
    with translation.override("en"):
        verdict = verdict_for(campaign, "five_ones", cadre.pk, as_of=day)
    assert verdict.missing == [f"{cadre.account}: still to do: {left}"]  # the same, in the rule's words

    for kind in ("condolence_visit", "hardship_member_helped", "poor_student_funded", "deed_done"):
        _activity(campaign, cadre, kind, dt.date(2026, 5, 6))
    assert _items(cadre, campaign, day, "five_ones") == []


def test_the_four_ones_are_due_in_their_phase_only_and_said_by_its_end(scenario):
    from minqing.fieldwork.selectors import my_due

    campaign = scenario.campaign("xiajiceng", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    cadre = scenario.cadre("staff")
    assert _items(cadre, campaign, dt.date(2026, 4, 10), "four_ones") == []  # the phase is to come
    _activity(campaign, cadre, "policy_talk", dt.date(2026, 4, 10))  # before the phase: not counted
    _activity(campaign, cadre, "home_visit_round", dt.date(2026, 4, 16))
    assert _items(cadre, campaign, dt.date(2026, 4, 20), "four_ones") == [
        "Still to do in 调查摸底（四个一）: 一次受益群众座谈, 一次集中接访, 一次政策宣讲"
    ]
    with translation.override("en"):
        found = my_due(
            user=cadre.account, cadre=cadre, targets=[], campaigns=[campaign], as_of=dt.date(2026, 4, 20)
        )
    assert [g.note for g in found.groups if g.rule == "four_ones"] == ["by April 30, 2026"]
    assert _items(cadre, campaign, dt.date(2026, 5, 2), "four_ones") == []  # the phase is over


@pytest.mark.parametrize(("start", "owed"), [(dt.date(2026, 3, 16), True), (dt.date(2026, 3, 17), False)])
def test_activities_asked_each_month_follow_the_months_the_campaign_asks(scenario, start, owed):
    """Per month, as the rule's periods (rules._periods.month_due): begun on 17 March (15 of 31
    days) the campaign asks nothing of March; an activity of March does not count for April."""
    campaign = scenario.campaign("sanfuwu", start=start, end=dt.date(2026, 12, 31))
    for rule in campaign.config["rules"]:
        if rule["key"] == "five_ones":
            rule["params"].update(per="month", activities=["party_meeting", "deed_done"])
    campaign.save(update_fields=["config"])
    cadre = scenario.cadre("staff")
    _activity(campaign, cadre, "party_meeting", dt.date(2026, 3, 20))

    march = ["Still to do this month: 办成一件实事"] if owed else []
    assert _items(cadre, campaign, dt.date(2026, 3, 25), "five_ones") == march
    assert _items(cadre, campaign, dt.date(2026, 4, 2), "five_ones") == [
        "Still to do this month: 参加一次村党组织会议, 办成一件实事"
    ]


def test_a_team_s_activities_are_due_to_its_leader_and_members_until_the_team_holds_them(scenario):
    campaign = scenario.campaign("dazoufang", start=dt.date(2026, 3, 8), end=dt.date(2026, 4, 30))
    leader, member, outsider = scenario.cadre("member"), scenario.cadre("staff"), scenario.cadre("staff")
    team = _team(scenario, campaign, "第一工作队", leader=leader, members=[member], points=[scenario.point()])
    _team(scenario, campaign, "第二工作队", members=[outsider])
    day = dt.date(2026, 3, 15)
    both = "第一工作队: still to do in 组织实施: 政策和技术培训, 集中劳动（1124劳动制度）"
    assert _items(member, campaign, day, "team_activities") == [both]
    assert _items(leader, campaign, day, "team_activities") == [both]

    _activity(campaign, leader, "policy_training", dt.date(2026, 3, 12), team=team)
    _activity(campaign, outsider, "shared_labour", dt.date(2026, 3, 12))  # not the team's
    left = "第一工作队: still to do in 组织实施: 集中劳动（1124劳动制度）"
    assert _items(member, campaign, day, "team_activities") == [left]
    assert _items(outsider, campaign, day, "team_activities") == [
        "第二工作队: still to do in 组织实施: 政策和技术培训, 集中劳动（1124劳动制度）"
    ]


def test_activities_asked_of_points_are_due_for_the_cadre_s_paired_and_team_points(scenario):
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    for rule in campaign.config["rules"]:
        if rule["key"] == "five_ones":
            rule["params"].update(subject="point", activities=["party_meeting"])
    campaign.save(update_fields=["config"])
    cadre, colleague = scenario.cadre("staff"), scenario.cadre("staff")
    paired, at_team = scenario.point(name="甲村"), scenario.point(name="乙村")
    _pair(scenario, campaign, cadre, paired, kind="four_links")
    _team(scenario, campaign, "丙队", members=[cadre], points=[at_team])
    day = dt.date(2026, 5, 20)
    assert _items(cadre, campaign, day, "five_ones") == [
        "甲村: still to do: 参加一次村党组织会议",
        "乙村: still to do: 参加一次村党组织会议",
    ]
    _activity(campaign, colleague, "party_meeting", dt.date(2026, 5, 2), point=at_team)  # anyone's, there
    assert _items(cadre, campaign, day, "five_ones") == ["甲村: still to do: 参加一次村党组织会议"]


def test_the_phone_page_says_the_missing_activities_in_chinese_and_in_english(scenario):
    today = timezone.localdate()
    campaign = scenario.campaign(
        "sanfuwu", start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=60)
    )
    cadre = scenario.cadre("staff")
    _activity(campaign, cadre, "party_meeting", today)

    left = "开展一次走访慰问, 帮扶一名困难党员群众, 资助一名贫困学生, 办成一件实事"
    english = _due(cadre)
    assert "“五个一”" in english and f"Still to do: {left}" in english
    client = Client()
    client.force_login(cadre.account)
    chinese = (
        client.get(reverse("fieldwork:app")).content.decode().split('id="due"')[1].split("</section>")[0]
    )
    assert "本月待办" in chinese and "“五个一”" in chinese
    assert left.replace(", ", "、") in chinese and "参加一次村党组织会议" not in chinese


def test_the_due_list_s_queries_do_not_grow_with_teams_points_and_activities(scenario):
    from minqing.fieldwork.selectors import due_campaigns, my_due, my_targets

    station = scenario.campaign("dundian", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    _kinds_off(station, "two_days_a_month", "monthly_report")
    five = scenario.campaign("sanfuwu", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    teams = scenario.campaign("dazoufang", start=dt.date(2026, 3, 8), end=dt.date(2026, 4, 30))
    cadre = scenario.cadre("staff")
    day = dt.date(2026, 3, 20)

    def queries():
        targets = my_targets(user=cadre.account, as_of=day)
        with CaptureQueriesContext(connection) as captured:
            found = my_due(
                user=cadre.account,
                cadre=cadre,
                targets=targets,
                campaigns=due_campaigns(cadre, day),
                as_of=day,
            )
        return len(captured), {group.rule for group in found.groups}

    _team(scenario, station, "驻村队", members=[cadre], points=[scenario.point()])
    _team(scenario, teams, "工作队", members=[cadre], points=[scenario.point()])
    one, rules = queries()
    assert {"two_days_a_month", "five_ones", "team_activities"} <= rules
    for n in range(3):
        point = scenario.point()
        _team(scenario, station, f"驻村队{n}", leader=cadre, points=[point, scenario.point()])
        _team(scenario, teams, f"工作队{n}", members=[cadre], points=[scenario.point()])
        _activity(five, cadre, "party_meeting", dt.date(2026, 3, 2 + n))
        scenario.days_at(cadre, point, dt.date(2026, 3, 2 + n), confirm=n == 0)  # 1 of 2 days
    assert queries() == (one, rules)


def test_a_pairing_keeps_its_campaigns_due_items_after_the_cadres_unit_leaves_the_campaign(
    scenario, campaign
):
    """The visits rule counts by pairing: a cadre still paired in a campaign its unit no longer
    takes part in (units changed, cadre moved) is still asked, and the phone still says so."""
    from minqing.fieldwork.selectors import due_campaigns
    from minqing.org.models import Unit

    cadre = scenario.cadre("staff")
    household = scenario.household(head="王大爷")
    _pair(scenario, campaign, cadre, household)
    assert "王大爷" in _due(cadre)
    other = Unit.objects.exclude(path__startswith=cadre.unit.path).exclude(pk=cadre.unit.parent_id).first()
    campaign.units.set([other])
    assert campaign not in due_campaigns(cadre)
    assert campaign in due_campaigns(cadre, also={campaign.pk})
    assert "王大爷" in _due(cadre)


def test_an_open_ended_campaigns_activities_are_said_without_a_last_day_that_moves_with_today(scenario):
    """Without an end the rule's windows stop at the day: the phone must not say "by" today."""
    from minqing.fieldwork.selectors import my_due, my_targets
    from minqing.programs.models import Campaign

    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31))
    Campaign.objects.filter(pk=campaign.pk).update(end=None)
    campaign.refresh_from_db()
    cadre = scenario.cadre("staff")
    for day in (dt.date(2026, 5, 20), dt.date(2026, 5, 21)):
        with translation.override("en"):
            found = my_due(
                user=cadre.account,
                cadre=cadre,
                targets=my_targets(user=cadre.account, as_of=day),
                campaigns=[campaign],
                as_of=day,
            )
        groups = [g for g in found.groups if g.rule == "five_ones"]
        assert groups and groups[0].lines, day
        assert groups[0].note == "", (day, groups[0].note)
