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
from minqing.fieldwork.services import visit_record
from minqing.programs.services import pairing_create
from tests.fieldwork.test_visit_changes import FieldScenario


@pytest.fixture
def scenario(db, actor):
    return FieldScenario(actor("office"))


@pytest.fixture
def campaign(scenario):
    """A running 三服务 campaign: its 月月访 rule asks for 1 visit per household a month."""
    today = timezone.localdate()
    return scenario.campaign(
        "sanfuwu", start=today - dt.timedelta(days=90), end=today + dt.timedelta(days=60)
    )


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
    for rule in campaign.config["rules"]:
        if rule["key"] == "monthly_visits":
            rule["disabled"] = True
    campaign.save(update_fields=["config"])

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
