"""The ticket rules of the compliance engine give real verdicts, tested at their boundaries."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minqing.programs.rules import FAIL, NOT_DUE, PASS, RULE_TYPES, Context
from minqing.tickets import services
from minqing.tickets.models import Ticket, TicketEvent


def at(day: dt.date, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


MAY4 = dt.date(2026, 5, 4)


def make(scenario, campaign, *, tier="township", point=None, **fields):
    ticket = services.ticket_create(
        actor=scenario.office,
        campaign=campaign,
        title="问题",
        description="描述",
        region=scenario.village,
        tier=tier,
        point=point,
    )
    Ticket.objects.filter(pk=ticket.pk).update(unit=scenario.unit, registered_at=at(MAY4), **fields)
    return Ticket.objects.get(pk=ticket.pk)


def run(campaign, rule_type, as_of, **params):
    rule = RULE_TYPES[rule_type]("k", "name", params)
    return rule.evaluate(Context(campaign, as_of))


def unit_verdict(verdicts, scenario):
    return next(v for v in verdicts if v.subject_id == scenario.unit.pk)


def test_deadlines_pass_on_the_last_allowed_day_and_fail_the_day_after(scenario):
    scenario.cadre()
    campaign = scenario.campaign("sanfuwu")
    on_time = make(scenario, campaign, replied_at=at(MAY4 + dt.timedelta(days=7), 22), status="replied")
    late = make(scenario, campaign, replied_at=at(MAY4 + dt.timedelta(days=8), 8), status="replied")
    v = unit_verdict(run(campaign, "tickets.deadlines", dt.date(2026, 6, 1), township_days=7), scenario)
    assert v.status == FAIL and late.code in " ".join(v.missing) and on_time.code not in " ".join(v.missing)
    assert v.actual == "1 of 2 on time" or "1" in v.actual
    Ticket.objects.filter(pk=late.pk).update(replied_at=at(MAY4 + dt.timedelta(days=7), 23))
    assert (
        unit_verdict(
            run(campaign, "tickets.deadlines", dt.date(2026, 6, 1), township_days=7), scenario
        ).status
        == PASS
    )


def test_an_unanswered_demand_is_not_due_on_its_last_day_and_overdue_the_next(scenario):
    scenario.cadre()
    campaign = scenario.campaign("sanfuwu")
    ticket = make(scenario, campaign, tier="on_spot", status="accepted")
    assert unit_verdict(run(campaign, "tickets.deadlines", MAY4), scenario).status == NOT_DUE
    v = unit_verdict(run(campaign, "tickets.deadlines", MAY4 + dt.timedelta(days=1)), scenario)
    assert v.status == FAIL and ticket.code in v.missing[0]


def test_a_reply_after_the_evaluation_date_does_not_count_yet(scenario):
    scenario.cadre()
    campaign = scenario.campaign("sanfuwu")
    make(scenario, campaign, status="replied", replied_at=at(dt.date(2026, 5, 20)))
    v = unit_verdict(run(campaign, "tickets.deadlines", dt.date(2026, 5, 15), township_days=7), scenario)
    assert v.status == FAIL


def happened(ticket, action, moment):
    """The services stamp their event (and a reply its replied_at) now: move the ticket's
    latest one of `action` back to `moment`, as if it had been done then."""
    event = TicketEvent.objects.filter(ticket=ticket, action=action).latest("at", "id")
    TicketEvent.objects.filter(pk=event.pk).update(at=moment)
    if action == "reply":
        Ticket.objects.filter(pk=ticket.pk).update(replied_at=moment)


def answer(scenario, ticket, moment):
    """The office, which also handles, takes the demand and replies at `moment`."""
    services.ticket_claim(actor=scenario.office, ticket=ticket)
    services.ticket_reply(actor=scenario.office, ticket=ticket, reply="已处理")
    happened(ticket, "reply", moment)


def test_a_reopened_demand_is_judged_by_the_new_deadline_from_its_reopening(scenario):
    scenario.cadre()
    campaign = scenario.campaign("sanfuwu")
    ticket = make(scenario, campaign)
    answer(scenario, ticket, at(MAY4 + dt.timedelta(days=1)))
    reopened = dt.date(2026, 5, 20)
    services.ticket_reopen(actor=scenario.office, ticket=ticket, reason="群众不满意")
    happened(ticket, "reopen", at(reopened))

    def verdict(day):
        return unit_verdict(run(campaign, "tickets.deadlines", day, township_days=7), scenario)

    # Before the reopening its first reply was in time.
    assert verdict(dt.date(2026, 5, 19)).status == PASS
    # Reopened, that reply no longer answers it: not due up to the new last day, overdue after.
    assert verdict(reopened + dt.timedelta(days=7)).status == NOT_DUE
    v = verdict(reopened + dt.timedelta(days=8))
    assert v.status == FAIL and ticket.code in " ".join(v.missing)
    # Answered again within the new deadline (long after the first one's): in time.
    answer(scenario, ticket, at(reopened + dt.timedelta(days=7), 22))
    assert verdict(dt.date(2026, 6, 30)).status == PASS
    # Judged as of a day before the reopening, the first reply still counts (the ticket's
    # replied_at now holds the second one).
    assert verdict(dt.date(2026, 5, 19)).status == PASS
    happened(ticket, "reply", at(reopened + dt.timedelta(days=8)))
    v = verdict(dt.date(2026, 6, 30))
    assert v.status == FAIL and ticket.code in " ".join(v.missing)


def test_an_escalated_demand_is_judged_by_its_new_units_deadline_from_the_escalation(scenario):
    from minqing.org.services import unit_create

    scenario.cadre()
    campaign = scenario.campaign("sanfuwu")
    ticket = make(scenario, campaign)
    other = unit_create(actor=scenario.office, name="县级协调单位", region=scenario.county)
    escalated = dt.date(2026, 5, 20)
    services.ticket_escalate(actor=scenario.office, ticket=ticket, reason="需县级协调", unit=other)
    happened(ticket, "escalate", at(escalated))

    def verdict(day):
        verdicts = run(campaign, "tickets.deadlines", day, township_days=7, escalated_days=10)
        return next(v for v in verdicts if v.subject_id == other.pk)

    # Counted from the escalation with the escalated tier's days, not from the registration.
    assert verdict(escalated + dt.timedelta(days=10)).status == NOT_DUE
    v = verdict(escalated + dt.timedelta(days=11))
    assert v.status == FAIL and ticket.code in " ".join(v.missing)
    Ticket.objects.filter(pk=ticket.pk).update(unit=other)
    answer(scenario, ticket, at(escalated + dt.timedelta(days=9)))
    assert verdict(dt.date(2026, 6, 30)).status == PASS
    # Judged as of a day before the escalation: still the township tier's days from registration.
    v = verdict(MAY4 + dt.timedelta(days=8))
    assert v.status == FAIL and ticket.code in " ".join(v.missing)
    assert verdict(MAY4 + dt.timedelta(days=7)).status == NOT_DUE


def test_the_deadlines_rule_reads_reopenings_and_escalations_in_a_fixed_number_of_queries(scenario):
    from minqing.org.services import unit_create

    scenario.cadre()
    campaign = scenario.campaign("sanfuwu")
    other = unit_create(actor=scenario.office, name="县级协调单位", region=scenario.county)

    def count(n):
        for _ in range(n):
            reopened = make(scenario, campaign)
            answer(scenario, reopened, at(MAY4 + dt.timedelta(days=1)))
            services.ticket_reopen(actor=scenario.office, ticket=reopened, reason="群众不满意")
            escalated = make(scenario, campaign)
            services.ticket_escalate(actor=scenario.office, ticket=escalated, reason="需协调", unit=other)
        ctx = Context(campaign, timezone.localdate())
        ctx.cadres  # noqa: B018 - loaded once per evaluation, shared by every rule
        with CaptureQueriesContext(connection) as queries:
            RULE_TYPES["tickets.deadlines"]("k", "n", {}).evaluate(ctx)
        return len(queries)

    assert count(1) == count(20)


def test_reply_before_close_fails_for_a_demand_closed_without_a_reply(scenario):
    scenario.cadre()
    campaign = scenario.campaign("sanfuwu")
    make(
        scenario,
        campaign,
        status="closed",
        replied_at=at(dt.date(2026, 5, 5)),
        reply="已处理",
        closed_at=at(dt.date(2026, 5, 6)),
    )
    assert (
        unit_verdict(run(campaign, "tickets.reply_before_close", dt.date(2026, 6, 1)), scenario).status
        == PASS
    )
    bad = make(scenario, campaign, status="closed", closed_at=at(dt.date(2026, 5, 6)))
    v = unit_verdict(run(campaign, "tickets.reply_before_close", dt.date(2026, 6, 1)), scenario)
    assert v.status == FAIL and bad.code in v.missing[0]
    # Closed after the evaluation date: not judged yet.
    assert (
        unit_verdict(run(campaign, "tickets.reply_before_close", dt.date(2026, 5, 5)), scenario).status
        == NOT_DUE
    )


def test_followup_within_days_passes_on_the_last_day_and_fails_after(scenario):
    scenario.cadre()
    campaign = scenario.campaign("sanfuwu")
    replied = dt.date(2026, 5, 5)
    ticket = make(
        scenario,
        campaign,
        status="replied",
        replied_at=at(replied),
        followed_up_at=at(replied + dt.timedelta(days=7), 23),
    )
    assert (
        unit_verdict(run(campaign, "tickets.followup", dt.date(2026, 6, 1), within_days=7), scenario).status
        == PASS
    )
    Ticket.objects.filter(pk=ticket.pk).update(followed_up_at=at(replied + dt.timedelta(days=8)))
    assert (
        unit_verdict(run(campaign, "tickets.followup", dt.date(2026, 6, 1), within_days=7), scenario).status
        == FAIL
    )
    Ticket.objects.filter(pk=ticket.pk).update(followed_up_at=None)
    # Not followed up yet but still within the days: not due.
    v = unit_verdict(
        run(campaign, "tickets.followup", replied + dt.timedelta(days=7), within_days=7), scenario
    )
    assert v.status == NOT_DUE
    v = unit_verdict(
        run(campaign, "tickets.followup", replied + dt.timedelta(days=8), within_days=7), scenario
    )
    assert v.status == FAIL


def test_problems_solved_per_point_counts_verified_or_closed_demands_not_found_unresolved(scenario):
    from minqing.programs.services import pairing_create

    cadre = scenario.cadre()
    campaign = scenario.campaign("dazoufang", start=dt.date(2026, 3, 8), end=dt.date(2026, 12, 31))
    point = scenario.point()
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="team_point",
        target=point,
        start=dt.date(2026, 3, 10),
    )
    as_of = dt.date(2026, 6, 1)

    def verdict(day=as_of):
        return next(
            v for v in run(campaign, "problems.solved_per_point", day, min=2) if v.subject_id == point.pk
        )

    make(scenario, campaign, point=point, status="closed", replied_at=at(MAY4), resolved=True)
    make(scenario, campaign, point=point, status="verified", replied_at=at(MAY4), resolved=False)
    make(scenario, campaign, point=point, status="replied", replied_at=at(MAY4))
    # A count over the campaign: short of it is "not yet due" while the campaign runs, a
    # failure once it is over (as deeds per point).
    assert verdict().status == NOT_DUE and verdict().actual == "1"
    assert verdict(dt.date(2026, 12, 31)).status == FAIL
    make(scenario, campaign, point=point, status="verified", replied_at=at(MAY4))
    assert verdict().status == PASS and verdict(dt.date(2026, 12, 31)).status == PASS


def test_each_ticket_rule_adds_a_fixed_number_of_queries(scenario):
    scenario.cadre()
    campaign = scenario.campaign("sanfuwu")

    def count(n):
        for _ in range(n):
            make(scenario, campaign, status="closed", replied_at=at(MAY4), reply="好", closed_at=at(MAY4))
        ctx = Context(campaign, dt.date(2026, 6, 1))
        ctx.cadres  # noqa: B018 - loaded once per evaluation, shared by every rule
        with CaptureQueriesContext(connection) as queries:
            for rule_type in ("tickets.deadlines", "tickets.reply_before_close", "tickets.followup"):
                RULE_TYPES[rule_type]("k", "n", {}).evaluate(ctx)
        return len(queries)

    assert count(1) == count(20)
