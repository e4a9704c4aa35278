"""The import's fast check of ID numbers gives what the full check gives, message included."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from minqing.core.identity import id_check_char
from minqing.documents.imports import values
from minqing.documents.imports.engine import LOST, Context, Row

CHECK_CHARS = "0123456789X"


def full_check(number):
    ctx = Context(actor=None, prefixes=None, headings={"id_number": "身份证号"})
    checked = values.id_number(ctx, Row(2, {"id_number": number}), "id_number")
    if checked is None:
        return None, [e.message for e in ctx.errors]
    found, facts = checked
    return (found, facts.birth_date, facts.sex) if facts else ("", None, ""), []


def fast_check(number, numbers=None):
    ctx = Context(actor=None, prefixes=None, headings={"id_number": "身份证号"})
    checked = (numbers or values.IdNumbers()).check(ctx, Row(2, {"id_number": number}), "id_number")
    return checked, [e.message for e in ctx.errors]


THIS_YEAR = dt.date.today().year


@settings(max_examples=400, deadline=None)
@given(
    region=st.sampled_from(["431123", "110105", "011234", "44052X"]),
    year=st.one_of(st.sampled_from([1849, 1850, THIS_YEAR, THIS_YEAR + 1]), st.integers(1840, THIS_YEAR)),
    month=st.integers(0, 13),
    day=st.integers(0, 32),
    order=st.integers(0, 999),
    check=st.one_of(st.just("right"), st.sampled_from(CHECK_CHARS)),
    lower=st.booleans(),
)
def test_the_fast_id_check_agrees_with_the_full_check(region, year, month, day, order, check, lower):
    first17 = f"{region}{year:04d}{month:02d}{day:02d}{order:03d}"
    if check == "right":
        check = id_check_char(first17) if first17.isdigit() else "0"
    number = first17 + check
    if lower:
        number = number.lower()
    assert fast_check(number) == full_check(number)


def test_the_fast_id_check_agrees_on_empty_lost_short_and_repeated_birth_dates():
    numbers = values.IdNumbers()
    valid = "431123198507150014"
    today, tomorrow = dt.date.today(), dt.date.today() + dt.timedelta(days=1)
    born = [f"431123{day:%Y%m%d}001" for day in (today, tomorrow)]
    cases = ["", LOST, valid[:17], valid + "1", valid, "431123198507150022", valid[:-1] + "X"]
    cases += [first17 + id_check_char(first17) for first17 in born]
    # Digits of other scripts, which \d and int() take too.
    cases += ["٤" + valid[1:], valid[:10] + "٠" + valid[11:], "４" + valid[1:]]
    for number in cases:
        assert fast_check(number, numbers) == full_check(number)
