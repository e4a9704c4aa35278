"""Shared by the ticket rules: the campaign's tickets as of a date, read in one query,
and the units they are judged by (participating cadres' units and every unit that
holds a ticket of the campaign)."""

import datetime as dt

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

        end = timezone.make_aware(dt.datetime.combine(ctx.as_of + dt.timedelta(days=1), dt.time()))
        cache[key] = list(
            Ticket.objects.filter(campaign=ctx.campaign, registered_at__lt=end)
            .exclude(status=Status.MERGED)
            .order_by("id")
            .values("id", "code", "unit_id", *fields)
        )
    return cache[key]


def extended_last_days(ctx) -> dict[int, dt.date]:
    """The last day of each of the campaign's tickets whose handling unit was granted more
    time (延期) by the end of `as_of`: the latest deadline approved, as a local date. Only
    extensions granted to the unit the ticket is judged by (its current unit) count: one
    granted before an escalation does not move the next unit's last day."""
    from django.db.models import F, Max

    from minqing.tickets.models import DeadlineExtension

    end = timezone.make_aware(dt.datetime.combine(ctx.as_of + dt.timedelta(days=1), dt.time()))
    rows = (
        DeadlineExtension.objects.filter(
            ticket__campaign=ctx.campaign,
            status=DeadlineExtension.Status.APPROVED,
            decided_at__lt=end,
            unit=F("ticket__unit"),
        )
        .values("ticket_id")
        .annotate(last=Max("new_deadline"))
        .order_by()
    )
    return {row["ticket_id"]: local_date(row["last"]) for row in rows}


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
