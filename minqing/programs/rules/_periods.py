"""Calendar helpers shared by the rules that count records in periods."""

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return next_month(day) - dt.timedelta(days=1)


def months(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months from start's month to end's month."""
    found, current = [], month_start(start)
    while current <= end:
        found.append(current)
        current = next_month(current)
    return found


def month_label(first: dt.date) -> str:
    return date_format(first, "YEAR_MONTH_FORMAT")


# A month of a monthly rule (days at the point, visits per target, the monthly report,
# activities held each month) is asked for when the campaign runs on at least half of its
# days: 16 days of a 31-day month, 15 of 30, 14 of February's 28. A campaign that starts on
# 17 or 25 March, or ends on 10 December, asks nothing for that part-month (a record of it
# may still be written, and is kept); one that starts on 16 March or ends on 15 April asks
# for the whole month's quota. Fixed service days (001) are dates, asked for whenever they
# lie in the campaign.


def month_due(first: dt.date, start: dt.date, end: dt.date | None) -> bool:
    """Whether the month beginning on `first` is asked for by a campaign from start to end:
    the campaign runs on at least half of the month's days."""
    last = month_end(first)
    days = (min(last, end or last) - max(first, start)).days + 1
    return 2 * days >= last.day


def asked_span(start: dt.date, end: dt.date | None, campaign) -> tuple[dt.date, dt.date | None] | None:
    """The first and last month (first days; None: open-ended) a pairing from start to end
    asks of its cadre in the campaign: the months the pairing, clipped to the campaign, runs on
    at least half of the days of (month_due). A pairing made on 28 April asks from May; one
    made on the 16th of a 31-day month asks that month. None: it asks no month at all. Called
    with the campaign's own dates, the months the campaign asks."""
    first_day = max(start, campaign.start)
    ends = [day for day in (end, campaign.end) if day is not None]
    last_day = min(ends) if ends else None
    if last_day is not None and last_day < first_day:
        return None
    first = month_start(first_day)
    if not month_due(first, first_day, last_day):
        first = next_month(first)
    last = None
    if last_day is not None:
        last = month_start(last_day)
        if not month_due(last, first_day, last_day):
            last = month_start(last - dt.timedelta(days=1))
        if last < first:
            return None
    return first, last


def in_spans(first: dt.date, spans) -> bool:
    """Whether the month beginning on `first` lies in one of these spans (asked_span)."""
    return any(a <= first and (b is None or first <= b) for a, b in spans)


def nothing_asked(spans, campaign_span) -> str:
    """Why a monthly rule asks a subject for no month, when it asks none and never will with
    the dates as they are: the campaign asks for none, or the subject's pairings none (`spans`,
    from asked_span; `campaign_span`, the campaign's own). "" when a month is or will be asked:
    the rule then says that none has ended, or is due, yet."""
    if campaign_span is None:
        return _(
            "the campaign asks for no month (a month is asked for when the campaign runs on at least "
            "half of its days)"
        )
    if not spans:
        return _(
            "no month is asked of the cadre (a month is asked for when the pairing runs on at least "
            "half of its days)"
        )
    return ""


def due_months(ctx) -> list[dt.date]:
    """The first days of the months of the campaign up to the evaluation date that it asks
    for (month_due), the running one included."""
    start, end = window(ctx)
    if end < start:  # evaluated before the campaign began
        return []
    return [m for m in months(start, end) if month_due(m, ctx.campaign.start, ctx.campaign.end)]


def month_over(first: dt.date, ctx) -> bool:
    """Whether a month of the campaign is over by the evaluation date: its last day, or the
    campaign's if earlier, has passed (after its end no record counts for it any more)."""
    last = month_end(first)
    if ctx.campaign.end is not None:
        last = min(last, ctx.campaign.end)
    return last < ctx.as_of


# A week of a weekly rule runs Monday to Sunday. It is asked for when the campaign ran on
# most of its working days, at least WEEK_DAYS_DUE of Monday to Friday: a campaign that
# starts on a Thursday or at the weekend, or ends on a Tuesday, asks nothing for that
# part-week (a record of it may still be written).
WEEK_DAYS_DUE = 3


def week_due(monday: dt.date, start: dt.date, end: dt.date | None) -> bool:
    """Whether the week beginning on `monday` is asked for by a campaign from start to end."""
    first = max(monday, start)
    last = monday + dt.timedelta(days=4)  # Friday
    if end is not None:
        last = min(last, end)
    return (last - first).days + 1 >= WEEK_DAYS_DUE


def due_weeks(start: dt.date, end: dt.date | None, over_before: dt.date) -> list[dt.date]:
    """The Mondays of the weeks a campaign from start to end asks for (week_due) that were
    over (their Sunday passed) before `over_before`."""
    monday = start - dt.timedelta(days=start.weekday())
    last = over_before if end is None else min(over_before, end + dt.timedelta(days=7))
    found = []
    while monday + dt.timedelta(days=6) < last:
        if week_due(monday, start, end):
            found.append(monday)
        monday += dt.timedelta(days=7)
    return found


def window(ctx) -> tuple[dt.date, dt.date]:
    """The part of the campaign up to the evaluation date."""
    end = ctx.campaign.end or ctx.as_of
    return ctx.campaign.start, min(end, ctx.as_of)


def campaign_over(ctx) -> bool:
    return ctx.campaign.end is not None and ctx.as_of >= ctx.campaign.end


def longest_run(days) -> int:
    """The longest run of consecutive dates."""
    best = run = 0
    previous = None
    for day in sorted(set(days)):
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        best = max(best, run)
        previous = day
    return best


def windows(ctx, per: str, phase_key: str = "") -> list[tuple[str, dt.date, dt.date]]:
    """(label, start, end) of each period of a campaign up to its end: the campaign, each
    phase (or one phase), each month it asks for (month_due), half year or year."""
    start, end = ctx.campaign.start, ctx.campaign.end or ctx.as_of
    if per == "campaign":
        return [(ctx.campaign.name, start, end)]
    if per == "phase":
        phases = [p for p in ctx.campaign.config.get("phases", []) if not phase_key or p["key"] == phase_key]
        return [
            (p["name"], dt.date.fromisoformat(p["start"]), dt.date.fromisoformat(p["end"])) for p in phases
        ]
    if per == "month":
        return [
            (month_label(m), max(m, start), min(month_end(m), end))
            for m in months(start, end)
            if month_due(m, ctx.campaign.start, ctx.campaign.end)
        ]
    result = []
    for year in range(start.year, end.year + 1):
        halves = [(dt.date(year, 1, 1), dt.date(year, 6, 30)), (dt.date(year, 7, 1), dt.date(year, 12, 31))]
        spans = halves if per == "half_year" else [(dt.date(year, 1, 1), dt.date(year, 12, 31))]
        for a, b in spans:
            if b >= start and a <= end:
                # Named as people read it (2026年1月–2026年6月), in the verdicts' words.
                result.append((f"{month_label(a)}–{month_label(b)}", max(a, start), min(b, end)))
    return result
