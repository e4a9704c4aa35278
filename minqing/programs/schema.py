"""Program templates: TOML files checked against a schema, every error with its line.

A template describes a program (phases, ledgers and their extra fields, ticket
categories, visit forms, activities, pairing kinds, rules with parameters, report
cadence and ticket deadlines). Dates in a template are month-days ("04-15"); a
campaign resolves them against its own year (services.resolve_config).

A month-day must be a day of the calendar: "04-31" and "02-30" are refused, "02-29" is
allowed and falls on 28 February in a year that has no 29th (a deadline is never moved
past the end of the month it names). A phase whose end comes before its start in the
calendar ("11-15" to "02-28") crosses the new year: it ends in the year after it starts.

A template file is UTF-8, with or without a byte-order mark; one saved in GBK (GB18030)
or UTF-16 with its mark, as Windows Notepad may save it, is read too; anything else is
refused saying so.
"""

import codecs
import datetime as dt
import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

LIBRARY = Path(__file__).resolve().parent / "library"
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}\Z")
MONTHDAY_RE = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\Z")
LEAP_YEAR = 2000  # a month-day is a day of the calendar when it is one in a leap year
FIELD_TYPES = {"text", "number", "yuan", "date", "choice", "person", "yesno"}
TARGETS = {"household", "member", "point"}


@dataclass
class TemplateError:
    line: int | None
    path: str
    message: str

    def __str__(self):
        where = _("line %(line)s") % {"line": self.line} if self.line else _("file")
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


def monthday_problem(value) -> str:
    """Why a template's date is not a month-day of the calendar; "" when it is one."""
    if not isinstance(value, str) or not MONTHDAY_RE.fullmatch(value):
        return _("a date here is written MM-DD, e.g. 04-15")
    month, day = (int(part) for part in value.split("-"))
    try:
        dt.date(LEAP_YEAR, month, day)
    except ValueError:
        return _("“%(value)s” is no day of the calendar: month %(month)s has no day %(day)s") % {
            "value": value,
            "month": month,
            "day": day,
        }
    return ""


def monthday_text(value: str) -> str:
    """A month-day of the calendar (04-15) as people read it in a message: 4月15日, April 15."""
    month, day = (int(part) for part in value.split("-"))
    return date_format(dt.date(LEAP_YEAR, month, day), "MONTH_DAY_FORMAT")


# A phase across the new year is a winter's work (冬春, "11-15" to "02-28"): one lasting
# longer is most likely a start and an end typed the wrong way round.
CROSSING_MAX_DAYS = 184


def crossing_problem(first: str, last: str) -> str:
    """Why a phase from month-day `first` to `last` is refused; "" when it is fine. An end
    before the start crosses the new year, for half a year at most."""
    if last >= first:
        return ""
    start = (
        dt.date(2025, *(int(part) for part in first.split("-"))) if first != "02-29" else dt.date(2025, 2, 28)
    )
    end = dt.date(2026, *(int(part) for part in last.split("-"))) if last != "02-29" else dt.date(2026, 2, 28)
    days = (end - start).days + 1
    if days <= CROSSING_MAX_DAYS:
        return ""
    return _(
        "this phase ends before it starts in the calendar, so it would run across the new year "
        "from %(first)s to %(last)s of the next year (%(days)s days); a phase across the new year "
        "lasts half a year at most: were the start and the end swapped?"
    ) % {"first": monthday_text(first), "last": monthday_text(last), "days": days}


def is_whole_number(value, low: int | None = None, high: int | None = None) -> bool:
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def unknown_key_message(key: str, known) -> str:
    """“unknown key”, with the known key it is most likely a slip for, else the known keys."""
    near = difflib.get_close_matches(key, sorted(known), n=1)
    if near:
        return _("unknown key “%(key)s”; did you mean “%(near)s”?") % {"key": key, "near": near[0]}
    return _("unknown key “%(key)s”; the keys known here are: %(keys)s") % {
        "key": key,
        "keys": ", ".join(sorted(known)) or "-",
    }


class TemplateInvalid(Exception):
    def __init__(self, errors: list[TemplateError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class LineLocator:
    """Find the line of a key path (("rules", 2, "params", "due")) in TOML text by
    following table headers and key assignments; good enough for error messages."""

    HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"-]+)\s*\]\]?")
    ASSIGN = re.compile(r"^\s*([A-Za-z0-9_\"-]+)\s*=")

    def __init__(self, text: str):
        self.lines: dict[tuple, int] = {}
        counters: dict[tuple, int] = {}
        current: tuple = ()
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            header = self.HEADER.match(line)
            if header:
                parts = [p.strip('"') for p in header.group(2).split(".")]
                path: list = []
                for index, part in enumerate(parts):
                    path.append(part)
                    is_last = index == len(parts) - 1
                    if header.group(1) == "[[" and is_last:
                        key = tuple(path)
                        counters[key] = counters.get(key, -1) + 1
                        path.append(counters[key])
                    elif not is_last and tuple(path) in counters:
                        path.append(counters[tuple(path)])
                current = tuple(path)
                self.lines.setdefault(current, number)
                continue
            assign = self.ASSIGN.match(line)
            if assign:
                self.lines.setdefault(current + (assign.group(1).strip('"'),), number)

    def line_of(self, path: tuple) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


class Checker:
    def __init__(self, locator: LineLocator):
        self.locator = locator
        self.errors: list[TemplateError] = []

    def error(self, path: tuple, message: str) -> None:
        shown = ".".join(str(p) if isinstance(p, str) else f"[{p + 1}]" for p in path).replace(".[", "[")
        self.errors.append(TemplateError(self.locator.line_of(path), shown, message))

    def string(
        self, data: dict, path: tuple, key: str, *, required=True, pattern=None, choices=None, max_length=None
    ) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.error(path + (key,), _("this key is required"))
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(path + (key,), _("must be a non-empty text"))
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.error(path + (key,), _("“%(value)s” is not allowed here") % {"value": value})
        if choices is not None and value not in choices:
            self.error(
                path + (key,), _("must be one of: %(choices)s") % {"choices": ", ".join(sorted(choices))}
            )
        if max_length is not None and len(value) > max_length:
            self.error(path + (key,), _("at most %(n)s characters") % {"n": max_length})
        return value

    def monthday(self, data: dict, path: tuple, key: str, *, required=True) -> str | None:
        value = self.string(data, path, key, required=required)
        problem = monthday_problem(value) if value is not None else ""
        if problem:
            self.error(path + (key,), problem)
            return None
        return value

    def number(self, data: dict, path: tuple, key: str, low: int, high: int, message: str) -> None:
        """A whole number from low to high, if given; true and false are not numbers (TOML's
        booleans are Python's bool, a kind of int)."""
        value = data.get(key)
        if value is not None and not is_whole_number(value, low, high):
            self.error(path + (key,), message)

    def known_keys(self, data: dict, path: tuple, known) -> None:
        """Each key the table has that the schema does not know, with the nearest known one."""
        for key in data:
            if key not in known:
                self.error(path + (key,), unknown_key_message(key, known))

    def table_list(self, data: dict, path: tuple, key: str, *, required=False) -> list[dict]:
        value = data.get(key, [])
        if value == [] and required:
            self.error(path + (key,), _("at least one entry is required"))
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.error(path + (key,), _("must be a list of tables ([[%(key)s]])") % {"key": key})
            return []
        return value

    def unique_keys(self, items: list[dict], path: tuple) -> set[str]:
        seen: set[str] = set()
        for index, item in enumerate(items):
            key = self.string(item, path + (index,), "key", pattern=KEY_RE)
            self.string(item, path + (index,), "name")
            if key in seen:
                self.error(path + (index, "key"), _("the key “%(key)s” is used twice") % {"key": key})
            if key:
                seen.add(key)
        return seen


# What Python's TOML parser says (in English), in the user's language. A message it adds in a
# later Python version stays in English rather than being lost.
TOML_MESSAGES = {
    "Invalid statement": gettext_lazy("not a valid statement"),
    "Expected newline or end of document after a statement": gettext_lazy(
        "a statement must end with the end of its line"
    ),
    "Cannot overwrite a value": gettext_lazy("a key is given a value twice"),
    "Expected ']' at the end of a table declaration": gettext_lazy("a table header lacks its closing ]"),
    "Expected ']]' at the end of an array declaration": gettext_lazy(
        "an array-of-tables header lacks its closing ]]"
    ),
    "Expected '=' after a key in a key/value pair": gettext_lazy("a key must be followed by ="),
    "Invalid initial character for a key part": gettext_lazy(
        "a key begins with a character keys may not have"
    ),
    "Unclosed array": gettext_lazy("a list is not closed with ]"),
    "Unclosed inline table": gettext_lazy("an inline table is not closed with }"),
    "Unescaped '\\' in a string": gettext_lazy("a string holds a \\ that is not an escape"),
    "Invalid hex value": gettext_lazy("not a valid hexadecimal value"),
    "Escaped character is not a Unicode scalar value": gettext_lazy(
        "an escaped character is not a valid Unicode character"
    ),
    "Unterminated string": gettext_lazy("a string is not closed with its quote"),
    "Invalid date or datetime": gettext_lazy("not a valid date or time"),
    "Invalid value": gettext_lazy("not a valid value (a string needs quotes)"),
}
TOML_PATTERNS = [
    (re.compile(r"^Expected (?P<what>.+)$"), gettext_lazy("expected %(what)s here")),
    (
        re.compile(r"^Found invalid character (?P<what>.+)$"),
        gettext_lazy("the character %(what)s is not allowed here"),
    ),
    (
        re.compile(r"^Illegal character (?P<what>.+)$"),
        gettext_lazy("the character %(what)s is not allowed here"),
    ),
    (
        re.compile(r"^Cannot declare (?P<what>.+) twice$"),
        gettext_lazy("the table %(what)s is declared twice"),
    ),
    (
        re.compile(r"^Cannot (?:mutate immutable|redefine) namespace (?P<what>.+)$"),
        gettext_lazy("the table %(what)s is already defined"),
    ),
    (
        re.compile(r"^Duplicate inline table key (?P<what>.+)$"),
        gettext_lazy("the key %(what)s is given twice"),
    ),
]
TOML_WHERE = re.compile(
    r"^(?P<message>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$"
)


def toml_error(exc: tomllib.TOMLDecodeError) -> "TemplateError":
    """The parser's error with its line, its message and column in the user's language."""
    where = TOML_WHERE.match(str(exc))
    message = where.group("message") if where else str(exc)
    said = TOML_MESSAGES.get(message)
    if said is None:
        for pattern, text in TOML_PATTERNS:
            found = pattern.match(message)
            if found:
                what = found.group("what")
                if what.startswith("("):  # a key path as Python writes a tuple: ('rules', 'x')
                    what = ".".join(re.findall(r"'([^']*)'", what))
                said = text % {"what": what}
                break
    said = str(said) if said is not None else message
    if where and where.group("column"):
        said = _("%(message)s (column %(column)s)") % {"message": said, "column": where.group("column")}
    elif where:
        said = _("%(message)s (at the end of the file)") % {"message": said}
    line = int(where.group("line")) if where and where.group("line") else None
    return TemplateError(line, "", _("not valid TOML: %(error)s") % {"error": said})


def template_text(raw: bytes) -> str:
    """The text of a template file: UTF-8 (a byte-order mark is dropped), else UTF-16 with
    its mark, else GBK/GB18030, which Notepad on Chinese Windows saved by default (Chinese
    text in GBK is almost never also valid UTF-8, so trying UTF-8 first misreads none)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TemplateInvalid(
        [
            TemplateError(
                None,
                "",
                _(
                    "the file is not UTF-8 text (nor GBK/GB18030): save it as UTF-8 "
                    "(in Notepad: Save as, Encoding UTF-8) and try again"
                ),
            )
        ]
    )


def parse_template(text: str) -> dict:
    """Parse and check a template; raise TemplateInvalid with every error found."""
    text = text.removeprefix("\ufeff")  # a byte-order mark read as text
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateInvalid([toml_error(exc)]) from None
    except (RecursionError, ValueError, MemoryError):
        # Arrays nested thousands deep, an integer of thousands of digits: no template's.
        raise TemplateInvalid(
            [
                TemplateError(
                    None, "", _("the file is not a template: it nests too deep or holds a number too long")
                )
            ]
        ) from None
    check = Checker(LineLocator(text))
    check_template(data, check)
    if check.errors:
        check.errors.sort(key=lambda e: e.line or 0)
        raise TemplateInvalid(check.errors)
    return data


# What a ledger lists: demands (the default), deeds (实事台账) or the households in hardship
# (困难群众台账).
LEDGER_SOURCES = ("tickets", "deeds", "hardship")

KNOWN_TOP = {
    "key",
    "name",
    "seed",
    "summary",
    "phases",
    "ledgers",
    "ticket_categories",
    "visit_forms",
    "activities",
    "pairing_kinds",
    "rules",
    "cadence",
    "deadlines",
    "deed_kinds",
    "appraisal",
    "point_grades",
}
APPRAISAL_QUESTION_TYPES = {"verdict", "yesno", "text"}
# The keys each table may have: any other is a slip of the keyboard, told with the nearest.
KNOWN_PHASE = {"key", "name", "start", "end"}
KNOWN_LEDGER = {"key", "name", "source", "fields"}
KNOWN_FIELD = {"key", "label", "group", "type", "choices", "required"}
KNOWN_ITEM = {
    "ticket_categories": {"key", "name", "description"},  # the description is Open311's
    "visit_forms": {"key", "name", "targets"},
    "activities": {"key", "name"},
    "deed_kinds": {"key", "name"},
}
KNOWN_PAIRING_KIND = {"key", "name", "target", "slots"}
KNOWN_SLOT = {"key", "name", "several"}
KNOWN_RULE = {"key", "name", "type", "params", "disabled"}
CADENCE_FLAGS = {"research_report", "weekly_feedback", "monthly_rollup", "quarterly_bulletin"}
DEADLINE_KEYS = {"on_spot_days", "township_days", "escalated_days", "followup_days", "extension_max_days"}


def visit_targets() -> tuple[str, ...]:
    """What a visit form may be for: a household (and its members), a member, any point, or a
    kind of point."""
    from .models import LiaisonPoint

    return ("household", "member", "point", *LiaisonPoint.Kind.values)


def _check_visit_targets(value, path: tuple, check: Checker) -> None:
    allowed = visit_targets()
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v in allowed for v in value)
    ):
        check.error(path, _("must be a list of some of: %(choices)s") % {"choices": ", ".join(allowed)})


def _check_point_grades(value, path: tuple, check: Checker) -> None:
    """The grades the program grades its points by (分类定级): keys of the grade catalogue."""
    from .grades import GRADES

    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v in GRADES for v in value)
        or len(set(value)) != len(value)
    ):
        check.error(
            path,
            _("must be a list of different grades, each one of: %(choices)s")
            % {"choices": ", ".join(GRADES)},
        )


def check_template(data: dict, check: Checker) -> None:
    from .rules import RULE_TYPES

    check.known_keys(data, (), KNOWN_TOP)
    check.string(data, (), "key", pattern=KEY_RE)
    check.string(data, (), "name", max_length=100)  # a program's name is stored in 100
    check.string(data, (), "seed", required=False)
    check.string(data, (), "summary", required=False)

    phases = check.table_list(data, (), "phases", required=True)
    check.unique_keys(phases, ("phases",))
    for index, phase in enumerate(phases):
        check.known_keys(phase, ("phases", index), KNOWN_PHASE)
        # An end before the start in the calendar ("11-15" to "02-28") is a phase that
        # crosses the new year; resolve_config ends it in the year after it starts.
        first = check.monthday(phase, ("phases", index), "start")
        last = check.monthday(phase, ("phases", index), "end")
        if first and last:
            problem = crossing_problem(first, last)
            if problem:
                check.error(("phases", index, "end"), problem)

    ledgers = check.table_list(data, (), "ledgers")
    check.unique_keys(ledgers, ("ledgers",))
    for index, ledger in enumerate(ledgers):
        check.known_keys(ledger, ("ledgers", index), KNOWN_LEDGER)
        check.string(ledger, ("ledgers", index), "source", required=False, choices=LEDGER_SOURCES)
        _check_fields(
            check.table_list(ledger, ("ledgers", index), "fields"), ("ledgers", index, "fields"), check
        )

    category_keys: set[str] = set()
    for section in ("ticket_categories", "visit_forms", "activities", "deed_kinds"):
        items = check.table_list(data, (), section)
        for index, item in enumerate(items):
            check.known_keys(item, (section, index), KNOWN_ITEM[section])
            if section == "ticket_categories":
                check.string(item, (section, index), "description", required=False)
            if section == "visit_forms" and "targets" in item:
                _check_visit_targets(item["targets"], (section, index, "targets"), check)
        keys = check.unique_keys(items, (section,))
        if section == "ticket_categories":
            category_keys = keys

    if "point_grades" in data:
        _check_point_grades(data["point_grades"], ("point_grades",), check)

    kinds = check.table_list(data, (), "pairing_kinds")
    kind_keys = check.unique_keys(kinds, ("pairing_kinds",))
    for index, kind in enumerate(kinds):
        check.known_keys(kind, ("pairing_kinds", index), KNOWN_PAIRING_KIND)
        check.string(kind, ("pairing_kinds", index), "target", choices=TARGETS)
        slots = kind.get("slots", [])
        if not isinstance(slots, list) or not all(isinstance(s, dict) for s in slots):
            check.error(("pairing_kinds", index, "slots"), _("must be a list of tables with key and name"))
        else:
            check.unique_keys(slots, ("pairing_kinds", index, "slots"))
            for slot_index, slot in enumerate(slots):
                check.known_keys(slot, ("pairing_kinds", index, "slots", slot_index), KNOWN_SLOT)
                # several = true: a cadre may hold more than one pairing of this slot at once.
                if not isinstance(slot.get("several", False), bool):
                    check.error(
                        ("pairing_kinds", index, "slots", slot_index, "several"), _("must be true or false")
                    )

    context = {
        "pairing_kinds": kind_keys,
        "activities": {a.get("key") for a in data.get("activities", []) if isinstance(a, dict)},
        "phases": {p.get("key") for p in phases},
        "slots": {
            k.get("key"): {s.get("key") for s in k.get("slots", []) if isinstance(s, dict)}
            for k in kinds
            if isinstance(k.get("slots", []), list)
        },
    }
    rules = check.table_list(data, (), "rules", required=True)
    check.unique_keys(rules, ("rules",))
    for index, rule in enumerate(rules):
        path = ("rules", index)
        check.known_keys(rule, path, KNOWN_RULE)
        if "disabled" in rule and not isinstance(rule["disabled"], bool):
            check.error(path + ("disabled",), _("must be true or false"))
        rule_type = check.string(rule, path, "type")
        if rule_type is None:
            continue
        if rule_type not in RULE_TYPES:
            near = difflib.get_close_matches(rule_type, sorted(RULE_TYPES), n=1)
            check.error(
                path + ("type",),
                _("unknown rule type “%(type)s”; did you mean “%(near)s”?")
                % {"type": rule_type, "near": near[0]}
                if near
                else _("unknown rule type; known types are: %(types)s")
                % {"types": ", ".join(sorted(RULE_TYPES))},
            )
            continue
        params = rule.get("params", {})
        if not isinstance(params, dict):
            check.error(path + ("params",), _("must be a table of parameters"))
            continue
        RULE_TYPES[rule_type].check_params(params, path + ("params",), check, context)

    cadence = data.get("cadence", {})
    if not isinstance(cadence, dict):
        check.error(("cadence",), _("must be a table"))
    else:
        check.known_keys(
            cadence, ("cadence",), CADENCE_FLAGS | {"monthly_report_due_day", "team_summary_due"}
        )
        check.number(
            cadence,
            ("cadence",),
            "monthly_report_due_day",
            1,
            28,
            _("must be a day of the month from 1 to 28"),
        )
        if "team_summary_due" in cadence:
            check.monthday(cadence, ("cadence",), "team_summary_due")
        for key in CADENCE_FLAGS & set(cadence):
            if not isinstance(cadence[key], bool):
                check.error(("cadence", key), _("must be true or false"))
    _check_appraisal(data.get("appraisal", {}), check)
    deadlines = data.get("deadlines", {})
    if not isinstance(deadlines, dict):
        check.error(("deadlines",), _("must be a table"))
    else:
        # A ticket category may have its own days: "<category>_days" (tickets.workflow.days_for).
        known = DEADLINE_KEYS | {f"{key}_days" for key in category_keys}
        check.known_keys(deadlines, ("deadlines",), known)
        for key in known & set(deadlines):
            check.number(deadlines, ("deadlines",), key, 0, 365, _("must be a number of days from 0 to 365"))


def _check_appraisal(appraisal, check: Checker) -> None:
    """[appraisal]: households drawn per cadre and the questions residents are asked, each
    [[appraisal.questions]] with key, text and type (verdict: 满意/基本满意/不满意, yesno, text)."""
    if not isinstance(appraisal, dict):
        check.error(("appraisal",), _("must be a table"))
        return
    check.known_keys(appraisal, ("appraisal",), {"per_cadre", "questions"})
    check.number(appraisal, ("appraisal",), "per_cadre", 1, 50, _("must be a number from 1 to 50"))
    seen = set()
    path = ("appraisal", "questions")
    for index, question in enumerate(check.table_list(appraisal, ("appraisal",), "questions")):
        check.known_keys(question, path + (index,), {"key", "text", "type"})
        key = check.string(question, path + (index,), "key", pattern=KEY_RE)
        check.string(question, path + (index,), "text")
        check.string(question, path + (index,), "type", required=False, choices=APPRAISAL_QUESTION_TYPES)
        if key in seen:
            check.error(path + (index, "key"), _("the key “%(key)s” is used twice") % {"key": key})
        seen.add(key)


def _check_fields(fields: list[dict], path: tuple, check: Checker) -> None:
    seen = set()
    for index, field in enumerate(fields):
        check.known_keys(field, path + (index,), KNOWN_FIELD)
        key = check.string(field, path + (index,), "key", pattern=KEY_RE)
        check.string(field, path + (index,), "label")
        check.string(field, path + (index,), "group", required=False)
        kind = check.string(field, path + (index,), "type", choices=FIELD_TYPES)
        if kind == "choice":
            choices = field.get("choices")
            if not isinstance(choices, list) or not choices or not all(isinstance(c, str) for c in choices):
                check.error(path + (index, "choices"), _("a choice field needs a list of choices"))
        if "required" in field and not isinstance(field["required"], bool):
            check.error(path + (index, "required"), _("must be true or false"))
        if key in seen:
            check.error(path + (index, "key"), _("the key “%(key)s” is used twice") % {"key": key})
        seen.add(key)


def library_files() -> dict[str, Path]:
    return {path.stem: path for path in sorted(LIBRARY.glob("*.toml"))}
