"""Assessment periods: a year (2026), a half year (2026H1) or a quarter (2026Q3)."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PERIOD_RE = re.compile(r"^(\d{4})(?:([HQ])([1-4]))?$")


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    match = PERIOD_RE.match((period or "").strip().upper())
    if not match:
        raise ValidationError(
            {"period": [_("Write the period as a year (2026), half year (2026H1) or quarter (2026Q3).")]}
        )
    year, kind, n = int(match[1]), match[2], int(match[3] or 0)
    if kind is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if kind == "H" and n in (1, 2):
        return (
            (dt.date(year, 1, 1), dt.date(year, 6, 30))
            if n == 1
            else (dt.date(year, 7, 1), dt.date(year, 12, 31))
        )
    if kind == "Q":
        first = dt.date(year, 3 * n - 2, 1)
        last = dt.date(year, 12, 31) if n == 4 else dt.date(year, 3 * n + 1, 1) - dt.timedelta(days=1)
        return first, last
    raise ValidationError(
        {"period": [_("Write the period as a year (2026), half year (2026H1) or quarter (2026Q3).")]}
    )


def normalize(period: str) -> str:
    period_bounds(period)
    return period.strip().upper()


def campaign_window(campaign, period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The part of the period the campaign ran, up to today; refused when there is none."""
    first, last = period_bounds(period)
    start = max(first, campaign.start)
    end = min(last, campaign.end or last, today)
    if end < start:
        raise ValidationError(
            {"period": [_("The campaign did not run in this period (or it has not begun).")]}
        )
    return start, end


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    return period_bounds(f"{day.year}Q{(day.month - 1) // 3 + 1}")


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)
