"""Program templates: TOML files checked against a schema, every error with its line.

A template describes a program (phases, ledgers and their extra fields, ticket
categories, visit forms, activities, pairing kinds, rules with parameters, report
cadence and ticket deadlines). Dates in a template are month-days ("04-15"); a
campaign resolves them against its own year.
"""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

LIBRARY = Path(__file__).resolve().parent / "library"
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MONTHDAY_RE = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
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
        self, data: dict, path: tuple, key: str, *, required=True, pattern=None, choices=None
    ) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.error(path + (key,), _("this key is required"))
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(path + (key,), _("must be a non-empty text"))
            return None
        if pattern is not None and not pattern.match(value):
            self.error(path + (key,), _("“%(value)s” is not allowed here") % {"value": value})
        if choices is not None and value not in choices:
            self.error(
                path + (key,), _("must be one of: %(choices)s") % {"choices": ", ".join(sorted(choices))}
            )
        return value

    def monthday(self, data: dict, path: tuple, key: str, *, required=True) -> str | None:
        value = self.string(data, path, key, required=required)
        if value is not None and not MONTHDAY_RE.match(value):
            self.error(path + (key,), _("a date here is written MM-DD, e.g. 04-15"))
            return None
        return value

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


def parse_template(text: str) -> dict:
    """Parse and check a template; raise TemplateInvalid with every error found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateInvalid([toml_error(exc)]) from None
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
}
APPRAISAL_QUESTION_TYPES = {"verdict", "yesno", "text"}


def check_template(data: dict, check: Checker) -> None:
    from .rules import RULE_TYPES

    for key in data:
        if key not in KNOWN_TOP:
            check.error(
                (key,), _("unknown key; known keys are: %(keys)s") % {"keys": ", ".join(sorted(KNOWN_TOP))}
            )
    check.string(data, (), "key", pattern=KEY_RE)
    check.string(data, (), "name")
    check.string(data, (), "seed", required=False)
    check.string(data, (), "summary", required=False)

    phases = check.table_list(data, (), "phases", required=True)
    check.unique_keys(phases, ("phases",))
    for index, phase in enumerate(phases):
        start = check.monthday(phase, ("phases", index), "start")
        end = check.monthday(phase, ("phases", index), "end")
        if start and end and end < start:
            check.error(("phases", index, "end"), _("the phase ends before it starts"))

    ledgers = check.table_list(data, (), "ledgers")
    check.unique_keys(ledgers, ("ledgers",))
    for index, ledger in enumerate(ledgers):
        check.string(ledger, ("ledgers", index), "source", required=False, choices=LEDGER_SOURCES)
        _check_fields(
            check.table_list(ledger, ("ledgers", index), "fields"), ("ledgers", index, "fields"), check
        )

    for section in ("ticket_categories", "visit_forms", "activities", "deed_kinds"):
        check.unique_keys(check.table_list(data, (), section), (section,))

    kinds = check.table_list(data, (), "pairing_kinds")
    kind_keys = check.unique_keys(kinds, ("pairing_kinds",))
    for index, kind in enumerate(kinds):
        check.string(kind, ("pairing_kinds", index), "target", choices=TARGETS)
        slots = kind.get("slots", [])
        if not isinstance(slots, list) or not all(isinstance(s, dict) for s in slots):
            check.error(("pairing_kinds", index, "slots"), _("must be a list of tables with key and name"))
        else:
            check.unique_keys(slots, ("pairing_kinds", index, "slots"))
            for slot_index, slot in enumerate(slots):
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
        rule_type = check.string(rule, path, "type")
        if rule_type is None:
            continue
        if rule_type not in RULE_TYPES:
            check.error(
                path + ("type",),
                _("unknown rule type; known types are: %(types)s") % {"types": ", ".join(sorted(RULE_TYPES))},
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
        due = cadence.get("monthly_report_due_day")
        if due is not None and (not isinstance(due, int) or not 1 <= due <= 28):
            check.error(("cadence", "monthly_report_due_day"), _("must be a day of the month from 1 to 28"))
        for key in ("team_summary_due",):
            if key in cadence:
                check.monthday(cadence, ("cadence",), key)
    _check_appraisal(data.get("appraisal", {}), check)
    deadlines = data.get("deadlines", {})
    if not isinstance(deadlines, dict):
        check.error(("deadlines",), _("must be a table"))
    else:
        for key, value in deadlines.items():
            if not isinstance(value, int) or value < 0 or value > 365:
                check.error(("deadlines", key), _("must be a number of days from 0 to 365"))


def _check_appraisal(appraisal, check: Checker) -> None:
    """[appraisal]: households drawn per cadre and the questions residents are asked, each
    [[appraisal.questions]] with key, text and type (verdict: 满意/基本满意/不满意, yesno, text)."""
    if not isinstance(appraisal, dict):
        check.error(("appraisal",), _("must be a table"))
        return
    per_cadre = appraisal.get("per_cadre")
    if per_cadre is not None and (not isinstance(per_cadre, int) or not 1 <= per_cadre <= 50):
        check.error(("appraisal", "per_cadre"), _("must be a number from 1 to 50"))
    seen = set()
    path = ("appraisal", "questions")
    for index, question in enumerate(check.table_list(appraisal, ("appraisal",), "questions")):
        key = check.string(question, path + (index,), "key", pattern=KEY_RE)
        check.string(question, path + (index,), "text")
        check.string(question, path + (index,), "type", required=False, choices=APPRAISAL_QUESTION_TYPES)
        if key in seen:
            check.error(path + (index, "key"), _("the key “%(key)s” is used twice") % {"key": key})
        seen.add(key)


def _check_fields(fields: list[dict], path: tuple, check: Checker) -> None:
    seen = set()
    for index, field in enumerate(fields):
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
