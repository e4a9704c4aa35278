"""Checks of single cells shared by the lists: ID numbers, phones, numbers, dates, choices."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from minqing.core.identity import ID_CHECK_CHARS, parse_id_number, validate_phone

from .engine import LOST


def id_number(ctx, row, key: str):
    """(number, facts) for a valid ID number, ("", None) for an empty cell, None after an error."""
    value = row.get(key)
    if value is LOST:
        ctx.error(
            row.number,
            key,
            _(
                "Excel stored this ID number as a number and dropped its last digits; "
                "set the column to text and type the number again."
            ),
        )
        return None
    if not value:
        return "", None
    try:
        facts = parse_id_number(value)
    except ValidationError as exc:
        ctx.error(row.number, key, exc.messages[0])
        return None
    return value, facts


class IdNumbers:
    """`id_number` for a whole file, giving (number, birth date, sex). A valid number as
    `id_cell` leaves it (nearly every cell) is checked with a few C calls and each birth
    date parsed once; anything else goes through `id_number`, whose message says why."""

    def __init__(self):
        self.today = dt.date.today()
        self.births: dict[str, dt.date | None] = {}

    def _birth(self, digits: str) -> dt.date | None:
        try:
            birth = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            return None
        return birth if birth.year >= 1850 and birth <= self.today else None

    def check(self, ctx, row, key: str):
        """(number, birth, sex) for a valid number, ("", None, "") for an empty cell,
        None after an error."""
        value = row.values.get(key, "")
        if value and value is not LOST and len(value) == 18 and value.isascii():
            # 17 ASCII digits, the first not 0, and the check character (a digit or X): what
            # ID_RE accepts, in C calls. The weights of ISO 7064 MOD 11-2 are 2^k mod 11, and
            # 13 ≡ 2 (mod 11): the digits read in base 13 give the weighted sum.
            head = value[:17]
            if head.isdigit() and head[0] != "0" and ID_CHECK_CHARS[2 * int(head, 13) % 11] == value[17]:
                digits = value[6:14]
                birth = self.births.get(digits, False)
                if birth is False:
                    birth = self.births[digits] = self._birth(digits)
                if birth is not None:
                    return value, birth, "M" if int(value[16]) % 2 else "F"
        checked = id_number(ctx, row, key)
        if checked is None:
            return None
        number, facts = checked
        return (number, facts.birth_date, facts.sex) if facts is not None else ("", None, "")


def phone(ctx, row, key: str):
    """The phone, "" when empty, None after an error."""
    value = row.get(key)
    if not value:
        return ""
    try:
        validate_phone(value)
    except ValidationError as exc:
        ctx.error(row.number, key, exc.messages[0])
        return None
    return value


def text(ctx, row, key: str, limit: int) -> str:
    """A text cell that must fit its field: a longer one is a row error (never cut silently)."""
    value = row.get(key)
    if len(value) > limit:
        ctx.error(
            row.number,
            key,
            _("At most %(n)s characters fit here; this cell has %(length)s.")
            % {"n": limit, "length": len(value)},
        )
    return value[:limit]


def whole_number(ctx, row, key: str, *, low: int = 0, high: int = 10_000):
    value = row.get(key)
    if not value:
        return None
    text = str(value).removesuffix("人").removesuffix("口")
    if not text.isdigit() or not low <= int(text) <= high:
        ctx.error(
            row.number, key, _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        )
        return False
    return int(text)


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def date(ctx, row, key: str):
    value = row.get(key)
    if not value:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE.match(str(value))
    try:
        if match:
            return dt.date(*map(int, match.groups()))
        if str(value).isdigit() and len(str(value)) == 8:
            text = str(value)
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        pass
    ctx.error(row.number, key, _("Enter a date such as 2026-04-15."))
    return False


def choice(ctx, row, key: str, table: dict[str, object], *, default=None, message: str = ""):
    """Look a cell up in `table` (Chinese labels → values); the default for an empty cell."""
    value = row.get(key)
    if not value:
        return default
    found = table.get(str(value))
    if found is None:
        ctx.error(
            row.number,
            key,
            message
            or _("“%(value)s” is not one of: %(choices)s.") % {"value": value, "choices": "、".join(table)},
        )
        return False
    return found


def yes_no(ctx, row, key: str):
    value = row.get(key)
    if not value:
        return None
    if value in {"是", "Y", "y", "yes", "1", "√", "✓", "党员", "中共党员", "预备党员"}:
        return True
    if value in {"否", "N", "n", "no", "0", "×", "群众", "非党员"}:
        return False
    ctx.error(row.number, key, _("Write 是 or 否."))
    return None
