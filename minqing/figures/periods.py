"""Periods of the figures: a week, month, quarter, year or custom range, written as
2026-W47, 2026-10, 2026Q4, 2026 or 2026-10-01..2026-10-15, or as the Chinese pages write
them: 2026年第47周, 2026年10月, 2026年第4季度 (第四季度), 2026年, 2026年10月1日至2026年10月15日;
in full-width digits too."""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.utils.formats import date_format, get_format
from django.utils.translation import gettext as _

from minqing.programs.rules._periods import month_end

KINDS = ("week", "month", "quarter", "year", "custom")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_HALF = re.compile(r"^(\d{4})-?H([12])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_CUSTOM = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
# The Chinese forms, read after full-width characters are made half-width and spaces dropped:
# each is rewritten to the code above before it is parsed.
_ZH_WEEK = re.compile(r"^(\d{4})年第(\d{1,2})周$")
_ZH_MONTH = re.compile(r"^(\d{4})年(\d{1,2})月份?$")
_ZH_QUARTER = re.compile(r"^(\d{4})年第?([1-4一二三四])季度?$")
_ZH_HALF = re.compile(r"^(\d{4})年([上下])半年$")
_ZH_YEAR = re.compile(r"^(\d{4})年度?$")
_ZH_DAY = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_RANGE_WORDS = re.compile(r"(?<=\d)(?:至|到|~)(?=\d)")
_QUARTER_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date
    code: str

    @property
    def label(self) -> str:
        if self.kind == "month":
            return date_format(self.start, "YEAR_MONTH_FORMAT")
        if self.kind == "quarter":
            quarter = (self.start.month - 1) // 3 + 1
            return _("Q%(q)s %(year)s") % {"q": quarter, "year": self.start.year}
        if self.kind == "year":
            return _("the year %(year)s") % {"year": self.start.year}
        if self.kind == "half":
            if self.start.month == 1:
                return _("the first half of %(year)s") % {"year": self.start.year}
            return _("the second half of %(year)s") % {"year": self.start.year}
        return _("%(start)s to %(end)s") % {"start": date_format(self.start), "end": date_format(self.end)}

    @property
    def label_in_its_year(self) -> str | None:
        """The label without its year, for a text that names the year already (a campaign
        "2026年…活动"): 11月 (November), 第四季度 (Q4), "" for the whole year; None for a period
        that is no part of one calendar year or has no such name (a week, a range)."""
        if self.start.year != self.end.year:
            return None
        if self.kind == "month":
            # The locale's year-and-month format without the year and what sticks to it
            # ("Y年n月" → "n月", "F Y" → "F"): no wording of our own to translate.
            return date_format(
                self.start, re.sub(r"\s*Y[^\sA-Za-z]*", "", get_format("YEAR_MONTH_FORMAT")).strip()
            )
        if self.kind == "quarter":
            return _("Q%(q)s") % {"q": (self.start.month - 1) // 3 + 1}
        if self.kind == "year":
            return ""
        return None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class PeriodError(ValueError):
    pass


def parse_period(text: str | None, *, today: dt.date, halves: bool = False) -> Period:
    """The period written in `text`; empty: the month of `today`. With `halves`, a half
    year (2026-H2 or 2026H2, kind "half") too: the appraisal takes them, the figures do not."""
    text = (text or "").strip()
    if not text:
        return month_of(today)
    shown = text
    text = _as_code(text)
    try:
        if m := _WEEK.match(text):
            start = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return Period("week", start, start + dt.timedelta(days=6), f"{int(m[1])}-W{int(m[2]):02d}")
        if m := _MONTH.match(text):
            return month_of(dt.date(int(m[1]), int(m[2]), 1))
        if m := _QUARTER.match(text):
            year, quarter = int(m[1]), int(m[2])
            start = dt.date(year, 3 * quarter - 2, 1)
            return Period("quarter", start, month_end(dt.date(year, 3 * quarter, 1)), f"{year}Q{quarter}")
        if halves and (m := _HALF.match(text)):
            year, half = int(m[1]), int(m[2])
            start = dt.date(year, 6 * half - 5, 1)
            return Period("half", start, month_end(dt.date(year, 6 * half, 1)), f"{year}H{half}")
        if m := _YEAR.match(text):
            year = int(m[1])
            return Period("year", dt.date(year, 1, 1), dt.date(year, 12, 31), text)
        if m := _CUSTOM.match(text):
            start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
            if end < start:
                raise PeriodError(_("The period ends before it starts."))
            if (end - start).days > 3660:
                raise PeriodError(_("A period may be at most ten years long."))
            return Period("custom", start, end, text)
    except PeriodError:
        raise
    except ValueError:
        pass
    raise PeriodError(
        _(
            "“%(text)s” is not a period. Write a month (2026-10), a quarter (2026Q4), a year (2026), "
            "a week (2026-W47) or a range (2026-10-01..2026-10-15)."
        )
        % {"text": shown}
    )


def _as_code(text: str) -> str:
    """The period's code for a Chinese form (2026年10月 → 2026-10); other text as it is, with
    full-width characters made half-width (２０２６－１０ → 2026-10) and spaces dropped."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if m := _ZH_WEEK.match(text):
        return f"{m[1]}-W{m[2]}"
    if m := _ZH_MONTH.match(text):
        return f"{m[1]}-{m[2]}"
    if m := _ZH_QUARTER.match(text):
        return f"{m[1]}Q{_QUARTER_DIGITS.get(m[2], m[2])}"
    if m := _ZH_HALF.match(text):
        return f"{m[1]}H{1 if m[2] == '上' else 2}"
    if m := _ZH_YEAR.match(text):
        return m[1]
    text = _ZH_DAY.sub(lambda d: f"{d[1]}-{int(d[2]):02d}-{int(d[3]):02d}", text)
    return _RANGE_WORDS.sub("..", text)


def campaign_month(campaign, today: dt.date) -> Period:
    """The month the figures of a campaign open on: this month while the campaign runs, its
    first month before it starts, its last month after it ended (a month outside the campaign
    shows nothing). See campaign_timing for which."""
    if today < campaign.start:
        return month_of(campaign.start)
    if campaign.end and today > campaign.end:
        return month_of(campaign.end)
    return month_of(today)


def campaign_timing(campaign, today: dt.date) -> str:
    """ "not_started", "ended" or "" (running) on `today`."""
    if today < campaign.start:
        return "not_started"
    if campaign.end and today > campaign.end:
        return "ended"
    return ""


def month_of(day: dt.date) -> Period:
    start = day.replace(day=1)
    return Period("month", start, month_end(start), f"{start:%Y-%m}")


def week_of(day: dt.date) -> Period:
    year, week, _weekday = day.isocalendar()
    start = day - dt.timedelta(days=day.weekday())
    return Period("week", start, start + dt.timedelta(days=6), f"{year}-W{week:02d}")


def quarter_of(day: dt.date) -> Period:
    quarter = (day.month - 1) // 3 + 1
    return parse_period(f"{day.year}Q{quarter}", today=day)


def year_of(day: dt.date) -> Period:
    return parse_period(str(day.year), today=day)
