"""The period box reads what the page writes: 2026年10月, 2026年第4季度, full-width digits."""

import datetime as dt

import pytest

from minqing.figures.periods import PeriodError, parse_period

TODAY = dt.date(2026, 11, 20)


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "code"),
    [
        ("2026年10月", "month", dt.date(2026, 10, 1), dt.date(2026, 10, 31), "2026-10"),
        ("2026年3月份", "month", dt.date(2026, 3, 1), dt.date(2026, 3, 31), "2026-03"),
        ("２０２６年１０月", "month", dt.date(2026, 10, 1), dt.date(2026, 10, 31), "2026-10"),
        (" 2026 年 10 月 ", "month", dt.date(2026, 10, 1), dt.date(2026, 10, 31), "2026-10"),
        ("２０２６－１０", "month", dt.date(2026, 10, 1), dt.date(2026, 10, 31), "2026-10"),
        ("2026年第4季度", "quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31), "2026Q4"),
        ("2026年第四季度", "quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31), "2026Q4"),
        ("2026年一季度", "quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31), "2026Q1"),
        ("２０２６年第２季度", "quarter", dt.date(2026, 4, 1), dt.date(2026, 6, 30), "2026Q2"),
        ("２０２６Ｑ４", "quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31), "2026Q4"),
        ("2026年", "year", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2026"),
        ("2026年度", "year", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2026"),
        ("２０２６", "year", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2026"),
        ("2026年第47周", "week", dt.date(2026, 11, 16), dt.date(2026, 11, 22), "2026-W47"),
        (
            "2026年10月1日至2026年10月15日",
            "custom",
            dt.date(2026, 10, 1),
            dt.date(2026, 10, 15),
            "2026-10-01..2026-10-15",
        ),
        (
            "2026-10-01至2026-10-15",
            "custom",
            dt.date(2026, 10, 1),
            dt.date(2026, 10, 15),
            "2026-10-01..2026-10-15",
        ),
        # The forms read before stay as they were.
        ("2026-10", "month", dt.date(2026, 10, 1), dt.date(2026, 10, 31), "2026-10"),
        ("2026Q4", "quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31), "2026Q4"),
        ("2026-q1", "quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31), "2026Q1"),
        ("2026", "year", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2026"),
        ("2026-W47", "week", dt.date(2026, 11, 16), dt.date(2026, 11, 22), "2026-W47"),
        (
            "2026-10-01..2026-10-15",
            "custom",
            dt.date(2026, 10, 1),
            dt.date(2026, 10, 15),
            "2026-10-01..2026-10-15",
        ),
    ],
)
def test_the_period_is_read_in_the_pages_chinese_forms_and_the_codes(text, kind, start, end, code):
    period = parse_period(text, today=TODAY)
    assert (period.kind, period.start, period.end, period.code) == (kind, start, end, code)


def test_the_month_label_the_page_shows_is_read_back_as_that_month(settings):
    from django.utils import translation

    with translation.override("zh-hans"):
        label = parse_period("2026-10", today=TODAY).label
        assert label == "2026年10月"
        assert parse_period(label, today=TODAY).code == "2026-10"


def test_half_years_in_chinese_only_when_asked():
    assert parse_period("2026年下半年", today=TODAY, halves=True).code == "2026H2"
    with pytest.raises(PeriodError):
        parse_period("2026年下半年", today=TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "2026年13月",
        "2026年第5季度",
        "2026年第五季度",
        "2026年4",
        "2026年第54周",
        "26年10月",
        "十月",
        "2026年10月32日至2026年11月1日",
    ],
)
def test_a_chinese_form_that_names_no_period_is_refused_as_typed(text):
    with pytest.raises(PeriodError) as refused:
        parse_period(text, today=TODAY)
    assert text.strip() in str(refused.value)
