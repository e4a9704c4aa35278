"""A day as people read it in a message: 2026年3月8日 in Chinese, March 8, 2026 in English; a
moment as the pages write it, 2026年3月8日 14:05 / March 8, 2026, 2:05 p.m.

The language active when the message is built decides: a page's is the reader's, the command
line's is its own (minqing.core.cli). Machine formats (JSON, the audit trail's details, file
names, form values, URLs) keep ISO dates and do not come here."""

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format


def day_text(value) -> str:
    """A date, or one kept as ISO text (2026-03-08, as campaign configurations keep theirs),
    written as people read it in the active language. Other text is returned as it is (a
    stored date that is no date of the calendar is quoted rather than hidden); None as ""."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return date_format(value, "DATE_FORMAT")
    if value is None:
        return ""
    text = str(value)
    if len(text) == 10:
        try:
            return date_format(dt.date.fromisoformat(text), "DATE_FORMAT")
        except ValueError:
            pass
    return text


def month_text(value: dt.date) -> str:
    """The month of a date as people read it in the active language: 2026年3月 / March 2026."""
    return date_format(value, "YEAR_MONTH_FORMAT")


def moment_text(value) -> str:
    """A moment as the pages write it (their DATETIME_FORMAT), in the server's time zone; None as ""."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "DATETIME_FORMAT")
