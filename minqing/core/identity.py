"""Validators for the personal identifiers Minqing stores: the resident ID number
(GB 11643-1999, 18 characters with an ISO 7064 MOD 11-2 check character) and
phone numbers (mainland mobile or landline)."""

import datetime as dt
import operator
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_RE = re.compile(r"^[1-9]\d{16}[\dX]$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?[1-9]\d{6,7}$")


def id_check_char(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("17 digits expected")
    return ID_CHECK_CHARS[sum(map(operator.mul, map(int, first17), ID_WEIGHTS)) % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


@dataclass(frozen=True)
class IdFacts:
    region_code: str
    birth_date: dt.date
    sex: str  # "M" or "F"


def parse_id_number(value: str) -> IdFacts:
    """Return the facts encoded in a valid ID number, or raise ValidationError."""
    number = normalize_id_number(value)
    if not ID_RE.match(number):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a final digit or X."), code="id_format"
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date inside this ID number does not exist."), code="id_birth"
        ) from None
    if birth.year < 1850 or birth > dt.date.today():
        raise ValidationError(_("The birth date inside this ID number is out of range."), code="id_birth")
    if id_check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("The check digit of this ID number is wrong; please check it again."), code="id_check"
        )
    return IdFacts(region_code=number[:6], birth_date=birth, sex="M" if int(number[16]) % 2 else "F")


def validate_id_number(value: str) -> None:
    parse_id_number(value)


def normalize_phone(value: str) -> str:
    phone = re.sub(r"[\s()]", "", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    return phone


def validate_phone(value: str) -> None:
    phone = normalize_phone(value)
    if not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
        raise ValidationError(
            _("Enter an 11-digit mobile number starting with 1, or a landline with its area code."),
            code="phone",
        )


def mask_id_number(value: str) -> str:
    number = normalize_id_number(value)
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(value: str) -> str:
    phone = normalize_phone(value)
    if MOBILE_RE.match(phone):
        return phone[:3] + "****" + phone[-4:]
    if len(phone) <= 4:
        return "*" * len(phone)
    keep = 4 if "-" not in phone else phone.index("-") + 1
    keep = min(keep, len(phone) - 4)
    return phone[:keep] + "*" * (len(phone) - keep - 2) + phone[-2:]


# Identifiers inside free text (a resident's demand): an 18- or 15-digit ID number, a
# mainland mobile (with +86 and spaces or dashes between its groups) and a landline with
# its area code, none of them part of a longer run of digits; and any other run of 11 or
# more digits (numbers written together, a bank card: masked rather than guessed at).
# Full-width digits count: the text is matched through a same-length ASCII copy.
_TEXT_ID18 = r"[1-9]\d{16}[\dXx]"
_TEXT_ID15 = r"[1-9]\d{14}"
_TEXT_MOBILE = r"(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}"
_TEXT_LANDLINE = r"\(?0\d{2,3}\)?[- ]?[1-9]\d{6,7}"
# A household number (a region code, a dash, a serial: 431123101201-0012) is none of them: an
# ID number or a long run is not taken from digits a dash joins to others.
_TEXT_IDENTIFIER_RE = re.compile(
    rf"(?<![\d-])(?P<id>{_TEXT_ID18}|{_TEXT_ID15})(?![\d-])"
    rf"|(?<!\d)(?P<mobile>{_TEXT_MOBILE})(?!\d)"
    rf"|(?<!\d)(?P<landline>{_TEXT_LANDLINE})(?!\d)"
    rf"|(?<![\d-])(?P<long>\d{{11,}})(?![\d-])"
)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ＋－（）　", "0123456789Xx+-() ")


def _masked_match(match: re.Match) -> str:
    text = match.group(0)
    if match.group("id"):
        return mask_id_number(text)
    digits = re.sub(r"\D", "", text)
    if match.group("mobile"):
        return mask_phone(digits[-11:])
    if match.group("long"):
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    area = re.match(r"\(?(0\d{2,3})\)?[- ]?", text)
    return mask_phone(f"{area.group(1)}-{digits[len(area.group(1)) :]}")


def mask_text_identifiers(text: str) -> str:
    """The text with every phone and ID number in it masked as mask_phone and
    mask_id_number mask them (139****1234, 431123********1234)."""
    if not text:
        return text or ""
    ascii_copy = text.translate(_FULL_WIDTH)
    parts, last = [], 0
    for match in _TEXT_IDENTIFIER_RE.finditer(ascii_copy):
        parts += [text[last : match.start()], _masked_match(match)]
        last = match.end()
    return "".join(parts) + text[last:] if parts else text


class AmbiguousMask(ValueError):
    """A masked number sent back stands for two different numbers of the text as written."""


def restore_masked(sent: str, written: str) -> str:
    """`sent`, an edit of mask_text_identifiers(`written`), with each masked number in it put
    back as written: a client that corrects a text it was shown masked (the API) keeps the
    resident's numbers it could not see, whatever else it changed. A masked form that stands
    for two different numbers of `written` cannot be put back: AmbiguousMask."""
    if not sent or not written:
        return sent
    ascii_copy = written.translate(_FULL_WIDTH)
    originals: dict[str, set[str]] = {}
    for match in _TEXT_IDENTIFIER_RE.finditer(ascii_copy):
        originals.setdefault(_masked_match(match), set()).add(written[match.start() : match.end()])
    for masked, found in sorted(originals.items(), key=lambda item: -len(item[0])):
        if masked not in sent or found == {masked}:
            continue
        if len(found) > 1:
            raise AmbiguousMask(masked)
        sent = sent.replace(masked, next(iter(found)))
    return sent


# A run of digits as long as an ID number (mistyped: a digit too many or too few), or a
# mobile number inside other text, typed whole or in groups (+86, spaces or dashes between
# them, as _TEXT_MOBILE). (A household number, region code and dash and serial, is not one.)
IDENTIFIERS_IN_TEXT = re.compile(
    rf"(?<![\d-])(?:(?P<id>\d{{14,}}[\dXx]?)|(?P<mobile>{_TEXT_MOBILE}))(?![\d-])"
)


def mask_identifiers_in(text: str) -> str:
    """A search query with every ID number (or a run of digits as long as one, mistyped) and
    mobile number in it masked, for the audit trail; a resident's own words are masked by
    mask_text_identifiers, which also catches landlines."""
    return IDENTIFIERS_IN_TEXT.sub(
        lambda m: (
            mask_id_number(m.group("id"))
            if m.group("id")
            else mask_phone(re.sub(r"\D", "", m.group("mobile"))[-11:])
        ),
        text,
    )
