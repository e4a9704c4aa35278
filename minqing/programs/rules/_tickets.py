"""Shared by the ticket rules: the campaign's tickets as of a date, read in one query,
and the units they are judged by (participating cadres' units and every unit that
holds a ticket of the campaign)."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from ._pending import unit_subjects

SHOWN = 5


def local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


def campaign_tickets(ctx, *fields) -> list[dict]:
    """The campaign's tickets registered by the end of `as_of` (merged duplicates left out)."""
    cache = ctx.__dict__.setdefault("_ticket_rows", {})
    key = tuple(sorted(fields))
    if key not in cache:
        from minqing.tickets.models import Status, Ticket

        cache[key] = list(
            Ticket.objects.filter(campaign=ctx.campaign, registered_at__lt=_end(ctx))
            .exclude(status=Status.MERGED)
            .order_by("id")
            .values("id", "code", "unit_id", *fields)
        )
    return cache[key]


def _end(ctx) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(ctx.as_of + dt.timedelta(days=1), dt.time()))


# The actions that give a ticket a new deadline (tickets.services): an escalation starts the
# next tier's days from its day (usually at another unit), a reopening the tier's days again.
RESTARTS = ("escalate", "reopen")


@dataclass(frozen=True)
class Assignment:
    """What a ticket is judged by as of the evaluation date: since when its deadline counts
    (registration, or its latest escalation or reopening by then), with which tier's days,
    and the reply that answered it since (None if none by the end of that date)."""

    start: dt.datetime
    tier: str
    replied: dt.datetime | None


def assignments(ctx, rows) -> dict[int, Assignment]:
    """One Assignment per ticket row (read with "tier", "registered_at" and "replied_at"), from
    one query over the campaign's ticket events: the escalations and reopenings, and the replies
    of the tickets whose replied_at was written after the date (a reply after a reopening
    overwrites it; the earlier reply is the one given by then). The ticket keeps only its
    latest deadline, which cannot be judged as of an earlier date."""
    from django.db.models import Q

    from minqing.tickets.models import TicketEvent

    end = _end(ctx)
    events: dict[int, list[tuple[str, dt.datetime, dict]]] = {}
    for ticket_id, action, at, detail in (
        TicketEvent.objects.filter(ticket__campaign=ctx.campaign, ticket__registered_at__lt=end)
        .filter(Q(action__in=RESTARTS) | Q(action="reply", ticket__replied_at__gte=end))
        .order_by("ticket_id", "at", "id")
        .values_list("ticket_id", "action", "at", "detail")
    ):
        events.setdefault(ticket_id, []).append((action, at, detail))
    found = {}
    for row in rows:
        start, tier, replied = row["registered_at"], row["tier"], row["replied_at"]
        restarted = False
        for action, at, detail in events.get(row["id"], ()):
            if at >= end:
                if action == "escalate":
                    # Escalated after the date: until then it had the tier it was escalated from.
                    tier = (detail or {}).get("from_tier") or tier
                    break
                continue
            if action in RESTARTS:
                start, restarted = at, True
        if replied is not None and (replied >= end or (restarted and replied <= start)):
            # Not (yet) an answer to this assignment; an earlier reply by the date may be.
            replied = next(
                (
                    at
                    for action, at, _detail in events.get(row["id"], ())
                    if action == "reply" and at < end and (not restarted or at > start)
                ),
                None,
            )
        found[row["id"]] = Assignment(start, tier, replied)
    return found


def extended_last_days(ctx, starts: dict[int, dt.datetime] | None = None) -> dict[int, dt.date]:
    """The last day of each of the campaign's tickets whose handling unit was granted more
    time (延期) by the end of `as_of`: the latest deadline approved, as a local date. Only
    extensions granted to the unit the ticket is judged by (its current unit) count, and, given
    `starts` (ticket → when its present deadline began), only those decided since: one granted
    before an escalation or a reopening does not move the new last day."""
    from django.db.models import F

    from minqing.tickets.models import DeadlineExtension

    rows = DeadlineExtension.objects.filter(
        ticket__campaign=ctx.campaign,
        status=DeadlineExtension.Status.APPROVED,
        decided_at__lt=_end(ctx),
        unit=F("ticket__unit"),
    ).values_list("ticket_id", "decided_at", "new_deadline")
    found: dict[int, dt.date] = {}
    for ticket_id, decided_at, new_deadline in rows:
        start = (starts or {}).get(ticket_id)
        if start is not None and decided_at <= start:
            continue
        last = local_date(new_deadline)
        if ticket_id not in found or last > found[ticket_id]:
            found[ticket_id] = last
    return found


def ticket_units(ctx, rows) -> list[tuple]:
    """(kind, pk, label, cadre_id, unit_id, team_id) for every unit judged."""
    from minqing.org.models import Unit

    subjects = {s[1]: s for s in unit_subjects(ctx)}
    missing = {r["unit_id"] for r in rows if r["unit_id"] and r["unit_id"] not in subjects}
    if missing:
        for pk, name in Unit.objects.filter(pk__in=missing).values_list("pk", "name"):
            subjects[pk] = ("unit", pk, name, None, pk, None)
    return [subjects[pk] for pk in sorted(subjects)]


def codes_text(codes: list[str]) -> str:
    shown = "、".join(codes[:SHOWN])
    if len(codes) > SHOWN:
        shown += _(" and %(n)s more") % {"n": len(codes) - SHOWN}
    return shown
