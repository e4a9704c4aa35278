"""The span of years a campaign's dates may lie in.

A mistyped year (0202 for 2026, 9999) would otherwise be stored, and the calendar
arithmetic of the rules (the next month, the next year) would later run past the last
date Python knows. Campaigns, their phases and due dates and the day verdicts are taken
on all lie in this span.
"""

import datetime as dt

from django.utils.translation import gettext as _

from minqing.core.dates import day_text

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)


def out_of_span(day: dt.date, what: str) -> str:
    """A message naming `what` when the day lies outside the span, else ""."""
    if EARLIEST <= day <= LATEST:
        return ""
    return _("%(what)s (%(date)s) must lie between %(first)s and %(last)s: check the year.") % {
        "what": what,
        "date": day_text(day),
        "first": day_text(EARLIEST),
        "last": day_text(LATEST),
    }


def stored(text) -> dt.date | None:
    """A date kept as ISO text in a campaign's configuration, read leniently: campaigns
    started before years were written with four digits hold texts like "203-04-01"."""
    if not isinstance(text, str):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        return None
