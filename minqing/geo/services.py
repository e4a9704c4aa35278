"""Writes to the region tree."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core.audit import audit_record

from .models import Region, level_of_code, parent_code

COLUMN_LABELS = {"code": gettext_lazy("Code"), "name": gettext_lazy("Name"), "-": "-"}
HEADERS = {"code": {"code", "代码", "区划代码", "统计用区划代码"}, "name": {"name", "名称", "区划名称"}}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": COLUMN_LABELS.get(self.column, self.column),
            "message": self.message,
        }


class ImportErrors(ValidationError):
    def __init__(self, errors: list[RowError]):
        self.row_errors = errors
        super().__init__([str(e) for e in errors])


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, title in enumerate(header):
        for key, names in HEADERS.items():
            if title.strip().lower() in names:
                found[key] = index
    return found


def regions_import(*, actor, rows: list[list[str]], is_demo: bool = False) -> int:
    """Validate every row first (code format, level, a known or listed parent, no duplicates),
    then write all or nothing. Returns the number of regions created or renamed."""
    if not rows:
        raise ImportErrors([RowError(1, "-", _("The file is empty."))])
    columns = _columns(rows[0])
    missing = [key for key in HEADERS if key not in columns]
    if missing:
        raise ImportErrors([RowError(1, key, _("The header row lacks this column.")) for key in missing])
    errors: list[RowError] = []
    parsed: dict[str, tuple[str, int, int]] = {}
    for number, row in enumerate(rows[1:], start=2):
        code = row[columns["code"]].strip() if len(row) > columns["code"] else ""
        name = row[columns["name"]].strip() if len(row) > columns["name"] else ""
        if not code and not name:
            continue
        if not code.isdigit() or len(code) not in (12, 15):
            errors.append(
                RowError(number, "code", _("A region code has 12 digits (15 for a villagers' group)."))
            )
            continue
        if not name:
            errors.append(RowError(number, "name", _("The name is empty.")))
            continue
        if code in parsed:
            errors.append(RowError(number, "code", _("This code appears twice in the file.")))
            continue
        parsed[code] = (name[:100], level_of_code(code), number)
    known = set(
        Region.objects.filter(code__in=[parent_code(c) or "" for c in parsed]).values_list("code", flat=True)
    )
    for code, (_name, _level, number) in parsed.items():
        parent = parent_code(code)
        if parent and parent not in parsed and parent not in known:
            errors.append(
                RowError(
                    number,
                    "code",
                    _("Its parent %(parent)s is neither in the file nor in the system.") % {"parent": parent},
                )
            )
    if errors:
        raise ImportErrors(errors)
    with transaction.atomic():
        existing = {r.code: r for r in Region.objects.filter(code__in=list(parsed))}
        changed = 0
        for code in sorted(parsed, key=lambda c: (parsed[c][1], c)):
            name, level, _number = parsed[code]
            region = existing.get(code)
            if region is None:
                Region.objects.create(
                    code=code, name=name, level=level, parent_id=parent_code(code), is_demo=is_demo
                )
                changed += 1
            elif region.name != name:
                region.name = name
                region.save(update_fields=["name"])
                changed += 1
        audit_record(action="region.import", user=actor, detail={"rows": len(parsed), "changed": changed})
    return changed
