import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from minqing.core.identity import (
    id_check_char,
    mask_id_number,
    mask_phone,
    parse_id_number,
    validate_id_number,
    validate_phone,
)

VALID_IDS = ["11010519491231002X", "440524188001010014", "431123198507150014"]
INVALID_IDS = [
    "110105194912310021",  # wrong check digit
    "11010519491331002X",  # month 13
    "11010519490230002X",  # 30 February
    "11010519491231002",  # 17 characters
    "01010519491231002X",  # cannot start with 0
    "1101051949123100XX",  # X only at the end
    "",
]


def id_from(birth: dt.date, region: str, order: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + id_check_char(first17)


@pytest.mark.parametrize("number", VALID_IDS)
def test_known_valid_id_numbers_pass(number):
    validate_id_number(number)


@pytest.mark.parametrize("number", INVALID_IDS)
def test_known_invalid_id_numbers_fail(number):
    with pytest.raises(ValidationError):
        validate_id_number(number)


def test_birth_date_and_sex_come_from_the_id_number():
    facts = parse_id_number("11010519491231002X")
    assert facts.birth_date == dt.date(1949, 12, 31)
    assert facts.sex == "F"  # 17th digit 2 is even
    assert parse_id_number("440524188001010014").sex == "M"


births = st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2025, 12, 31))
regions = st.from_regex(r"[1-9]\d{5}", fullmatch=True)
orders = st.integers(min_value=0, max_value=999)


@given(births, regions, orders)
def test_any_number_with_the_right_check_digit_is_valid_and_decodes(birth, region, order):
    number = id_from(birth, region, order)
    facts = parse_id_number(number)
    assert facts.birth_date == birth
    assert facts.region_code == region
    assert facts.sex == ("M" if order % 2 else "F")


@given(births, regions, orders, st.sampled_from("0123456789X"))
def test_any_wrong_check_digit_is_refused(birth, region, order, wrong):
    number = id_from(birth, region, order)
    if wrong == number[-1]:
        return
    with pytest.raises(ValidationError):
        validate_id_number(number[:-1] + wrong)


@given(births, regions, orders, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_changing_one_digit_is_caught(birth, region, order, position, delta):
    number = id_from(birth, region, order)
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_id_number(changed)


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_every_mainland_mobile_number_is_valid_and_masks_to_3_and_4(phone):
    validate_phone(phone)
    masked = mask_phone(phone)
    assert masked == phone[:3] + "****" + phone[-4:]


@given(
    st.text(alphabet="0123456789", min_size=0, max_size=20).filter(
        lambda s: not (len(s) == 11 and s[0] == "1" and s[1] in "3456789") and not s.startswith("0")
    )
)
def test_digit_strings_that_are_not_phones_are_refused(text):
    with pytest.raises(ValidationError):
        validate_phone(text)


@pytest.mark.parametrize("phone", ["0746-7721234", "07467721234", "010-12345678", "+86 138 0013 8000"])
def test_landlines_and_formatted_mobiles_are_accepted(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["12812345678", "1381234567", "abc", "0746-0123456"])
def test_malformed_phones_are_refused(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)


def test_masks_keep_only_the_region_and_last_four():
    assert mask_id_number("431123198507150014") == "431123********0014"
    assert mask_phone("13812345678") == "138****5678"
