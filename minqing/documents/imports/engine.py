"""The import engine shared by every list: find the header in the layout an office keeps
(a title, a filing line, one or two header rows with merged groups, columns in any
order under the usual headings), turn the rows below into clean values, hand them to
the list's importer to validate whole, then write all or nothing in one transaction
with one audit row.

An importer (one module per list) declares its columns and implements `validate`,
which reports every bad row and returns a plan, and `write`, which executes the plan.
A dry run stops after `validate`: the counts it shows are those the write would make."""

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import collector
from minqing.core.audit import audit_record
from minqing.core.identity import ID_RE, id_check_char
from minqing.core.models import AuditEvent
from minqing.core.scope import scope_for
from minqing.core.treecode import prefix_q

from .files import FileRefused, check_file, read_sheet
from .normalize import clean_compact, clean_text, heading_key

HEADER_SCAN_ROWS = 30
SKIP_MARKS = ("合计", "小计", "总计", "共计")
_MARK_STARTS = frozenset(m[0] for m in SKIP_MARKS)
FOOTER_MARKS = (
    "填表人",
    "制表人",
    "填报人",
    "审核人",
    "负责人",
    "联系人",
    "说明",
    "注:",
    "注：",
    "备注:",
    "备注：",
)


class _Lost:
    """An ID number that Excel stored as a number: its last digits are gone."""

    def __bool__(self):
        return True

    def __str__(self):
        return "?"


LOST = _Lost()
SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")


@dataclass(frozen=True)
class Column:
    key: str
    headings: tuple[str, ...]  # usual Chinese headings; the first goes into the template
    label: Promise  # what the column holds, shown beside the template heading
    kind: str = "text"  # text, compact, id, phone, date
    required: bool = False
    block: bool = False  # a household's cell, merged (or left blank) over its member rows
    example: str = ""
    # The template's example is the campaign's own (a pairing kind): any value of it is the example's.
    example_varies: bool = False


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        if not self.column:  # about the file or its header, not one cell
            return _("row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass(slots=True)
class Row:
    number: int  # as the spreadsheet shows it (1-based)
    values: dict
    continued: bool = False  # its household cells were carried down from the row above

    def get(self, key: str, default=""):
        return self.values.get(key, default)


@dataclass
class Context:
    actor: object
    prefixes: tuple[str, ...] | None  # None: the command line, which reaches everything
    headings: dict[str, str]  # every column's heading (the file's, else the usual one), for messages
    campaign: object = None
    errors: list[RowError] = field(default_factory=list)
    filename: str = ""
    options: dict = field(default_factory=dict)  # a list's own switches (regions: is_demo)
    # Rows refused because their identifier (an ID number, a 户编号, a username) is already
    # registered outside the importer's area: counted in the import's audit row, so that a
    # file probing which numbers exist elsewhere shows in the audit trail.
    outside: set[int] = field(default_factory=set)
    # The ids a write created and changed, by the count's name ("households_created": [ids]):
    # the written import's audit row lists them, so each record traces back to its import.
    written: dict[str, list] = field(default_factory=dict)
    # The columns the file has (keys): a column it lacks changes nothing, where an empty cell
    # of one it has may say "none" (a blank 困难等级 is no hardship).
    present: frozenset[str] = frozenset()

    def wrote(self, name: str, ids) -> None:
        """Record the ids (or codes) the write gave the count `name` (e.g. "members_updated")."""
        self.written.setdefault(name, []).extend(ids)

    def error(self, row: int, key: str, message: str) -> None:
        self.errors.append(RowError(row, self.headings.get(key, key if key != "-" else ""), str(message)))

    def taken_elsewhere(self, row: int, key: str, message: str) -> None:
        """A row error for an identifier that a record outside the importer's area already
        holds. The message must not say where (nor that it is outside): the same for a
        neighbouring village the importer cannot see as for another county."""
        self.error(row, key, message)
        self.outside.add(row)

    def in_scope(self, code: str) -> bool:
        return self.prefixes is None or any(code.startswith(p) for p in self.prefixes)

    def region_q(self, field_name: str):
        """The condition selecting region codes in scope, or None for everything."""
        if self.prefixes is None:
            return None
        from django.db.models import Q

        condition = Q(pk__in=[])
        for prefix in self.prefixes:
            condition |= prefix_q(field_name, prefix)
        return condition


COUNT_LABELS = {
    "households_created": gettext_lazy("households created"),
    "households_updated": gettext_lazy("households changed"),
    "households_unchanged": gettext_lazy("households unchanged"),
    "members_created": gettext_lazy("members created"),
    "members_updated": gettext_lazy("members changed"),
    "members_unchanged": gettext_lazy("members unchanged"),
    "households_numbered": gettext_lazy("households given a 户编号 by the system"),
    "cadres_created": gettext_lazy("cadres created"),
    "cadres_updated": gettext_lazy("cadres changed"),
    "cadres_unchanged": gettext_lazy("cadres unchanged"),
    "points_created": gettext_lazy("liaison points created"),
    "points_updated": gettext_lazy("liaison points changed"),
    "points_unchanged": gettext_lazy("liaison points unchanged"),
    "pairings_created": gettext_lazy("pairings created"),
    "pairings_unchanged": gettext_lazy("pairings unchanged"),
    "regions_created": gettext_lazy("regions created"),
    "regions_updated": gettext_lazy("regions renamed"),
    "regions_unchanged": gettext_lazy("regions unchanged"),
}


@dataclass
class ImportReport:
    kind: str
    filename: str
    dry_run: bool
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    refused: str = ""
    written: bool = False
    seconds: float = 0.0
    outside: int = 0  # rows refused for an identifier registered outside the importer's area
    ids: dict[str, str] = field(default_factory=dict)  # a written import's records, as id_ranges
    # What the office should know before (dry run) or after writing that is no error: e.g. the
    # households the system numbers itself, with their rows and numbers.
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused and not self.errors

    @property
    def changed(self) -> bool:
        """Whether the import creates or changes anything (a re-import of the same file does not)."""
        return any(n for k, n in self.counts.items() if k.endswith(("_created", "_updated")))

    def count_lines(self) -> list[tuple[str, int]]:
        return [(str(COUNT_LABELS.get(k, k)), v) for k, v in self.counts.items()]

    def messages(self) -> list[str]:
        return [self.refused] if self.refused else [str(e) for e in self.errors]

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "file": self.filename,
            "dry_run": self.dry_run,
            "written": self.written,
            "rows": self.rows,
            "refused": self.refused,
            "counts": self.counts,
            "notes": self.notes,
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors],
        }


class Importer:
    kind = ""
    title: Promise = gettext_lazy("List")
    permission = ""
    columns: tuple[Column, ...] = ()
    needs_campaign = False
    allow_office = False  # regions: an office may import below its own region
    # The template's example cells taken from the downloading account's area (template.
    # scope_examples): column key → what it shows ("village", "township", "group", "address",
    # "code": a 户编号 of the village, "village_code", "name": the village's, "household": a
    # household's number, "unit"). A row marked 示例 holding these is the example too.
    example_places: dict[str, str] = {}

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def validate(self, rows: list[Row], ctx: Context):  # pragma: no cover - each list implements it
        raise NotImplementedError

    def write(self, plan, ctx: Context) -> None:  # pragma: no cover
        raise NotImplementedError

    def counts(self, plan) -> dict[str, int]:  # pragma: no cover
        raise NotImplementedError

    def notes(self, plan, ctx: Context, *, written: bool) -> list[str]:
        """Lines for the report beside the counts (a validated plan; `written`: after the write)."""
        return []


# Reading the layout ----------------------------------------------------------------


@dataclass
class Table:
    rows: list[Row]
    headings: dict[str, str]
    header_row: int
    missing: list[str]
    present: frozenset[str] = frozenset()  # the keys of the columns the file has
    no_header: bool = False  # no row among the first ones holds two known headings
    examples_skipped: int = 0  # the template's example rows, left as downloaded
    examples_changed: list[int] = field(default_factory=list)  # marked 示例, other values: rows


# The 序号 of the template's example row: left as downloaded, the row is not imported.
EXAMPLE_MARK = "示例"


def _fill_merged(rows: list[list], merged) -> None:
    """calamine gives a merged range's value in its first cell only: copy it into the rest."""
    height = len(rows)
    for (r0, c0), (r1, c1) in merged:
        if r0 >= height:
            continue
        width = len(rows[r0])
        if c0 >= width:
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, height - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if (r, c) != (r0, c0):
                    row[c] = value


def _heading_index(columns) -> dict[str, str]:
    index = {}
    for column in columns:
        for heading in column.headings:
            index.setdefault(heading_key(heading), column.key)
    return index


def _match_row(row: list, index: dict[str, str]) -> dict[int, str]:
    found = {}
    for position, cell in enumerate(row):
        if isinstance(cell, str) and cell.strip():
            key = index.get(heading_key(cell))
            if key is not None:
                found[position] = key
    return found


def _continues(upper: list, lower: list, index: dict[str, str]) -> dict[int, str]:
    """The headings `lower` adds when it is the second row of a two-row header (sub-headings
    under merged groups, single headings merged down over both rows); {} when it is data."""
    added, unknown = {}, 0
    for position, cell in enumerate(lower):
        if cell is None or cell == "":
            continue
        above = upper[position] if position < len(upper) else None
        key = index.get(heading_key(cell)) if isinstance(cell, str) else None
        if cell == above:
            continue
        if key is not None:
            added[position] = key
        else:
            unknown += 1
    return added if added and unknown <= len(added) else {}


def locate(rows: list[list], columns, *, place_examples=None) -> Table:
    """Find the header (the row among the first ones matching the most headings, and the row
    above or below it when the header has two rows); return the data rows below, cleaned.
    `place_examples`: a function giving the example cells the account's template names from
    its area (asked only when a row is marked 示例)."""
    index = _heading_index(columns)
    best, best_found = -1, {}
    for number, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = _match_row(row, index)
        if len(set(found.values())) > len(set(best_found.values())):
            best, best_found = number, found
    if best < 0 or len(set(best_found.values())) < 2:
        return Table(rows=[], headings={}, header_row=1, missing=[], no_header=True)
    top, bottom = best, best
    if best > 0 and _match_row(rows[best - 1], index) and _continues(rows[best - 1], rows[best], index):
        top = best - 1
    elif best + 1 < len(rows) and _continues(rows[best], rows[best + 1], index):
        bottom = best + 1
    # The lower row's heading wins: it names the part under a merged group.
    found_at: dict[int, tuple[str, int]] = {}
    for number in range(top, bottom + 1):
        for position, key in _match_row(rows[number], index).items():
            found_at[position] = (key, number)
    mapping: dict[str, int] = {}
    headings: dict[str, str] = {}
    for position in sorted(found_at):
        key, number = found_at[position]
        if key not in mapping:
            mapping[key] = position
            # As the file writes it (full-width brackets kept): messages name the column so.
            headings[key] = " ".join(str(rows[number][position]).split())
    for column in columns:
        headings.setdefault(column.key, column.headings[0])
    missing = [c.headings[0] for c in columns if c.required and c.key not in mapping]
    table = Table(rows=[], headings=headings, header_row=top + 1, missing=missing, present=frozenset(mapping))
    table.rows = list(_data_rows(rows, bottom + 1, mapping, columns, index, table, place_examples))
    return table


def _clean(kind: str, raw):
    if kind == "id":
        return id_cell(raw)
    if kind == "phone":
        if isinstance(raw, float) and raw.is_integer():
            return str(int(raw))
        return clean_compact(raw)
    if kind == "date":
        return raw if isinstance(raw, dt.date) else clean_compact(raw)
    if kind == "compact":
        return clean_compact(raw)
    return clean_text(raw)


def _data_rows(rows, start: int, mapping: dict[str, int], columns, index, table: Table, place_examples=None):
    """The data rows below the header as Row objects. Rows are filtered first, then each
    column is cleaned as one list (a cell's cleaning is memoised per kind: most cells
    repeat — a village, a relation, a household's cells on every member row).

    A row whose first cell is 示例 is the template's example: left as downloaded it is
    skipped (counted in `table`); with other values typed into it, it is a data row listed
    in `table.examples_changed`, so that the check asks which was meant. A cell holds the
    example when it is the column's own example or the one the account's template names
    from its area (`place_examples`)."""
    kinds = {c.key: c.kind for c in columns}
    cache: dict[str, dict] = {kind: {} for kind in kinds.values()}
    block_keys = [c.key for c in columns if c.block and c.key in mapping]
    positions = list(mapping.items())
    heading_count = len(mapping)
    first_position = min(mapping.values())
    marks = SKIP_MARKS + FOOTER_MARKS
    probes: dict[str, bool] = {}  # cell → whether it is a heading
    numbers, kept = [], []
    marked: set[int] = set()  # rows whose first cell is 示例
    for number in range(start, len(rows)):
        raw = rows[number]
        for lead in raw:
            if lead is not None and lead != "":
                break
        else:
            continue
        # Every mark starts with a Chinese character: an ASCII lead (a row number) is none.
        if isinstance(lead, str) and not lead.isascii():
            compact = clean_compact(lead)
            if compact.startswith(marks):
                continue
            if compact == EXAMPLE_MARK:
                marked.add(number)
        skip = False
        for c in raw[:4]:
            if isinstance(c, str) and c[:1] in _MARK_STARTS and clean_compact(c) in SKIP_MARKS:
                skip = True
                break
        if skip:
            continue
        # A header repeated on every printed page (checked only when its first heading recurs).
        probe = raw[first_position] if first_position < len(raw) else None
        if isinstance(probe, str):
            heading = probes.get(probe)
            if heading is None:
                heading = probes[probe] = index.get(heading_key(probe)) is not None
            if heading and len(_match_row(raw, index)) * 2 >= heading_count:
                continue
        numbers.append(number)
        kept.append(raw)
    keys = [key for key, _position in positions]
    width = min(map(len, kept), default=0)
    cleaned = [
        _clean_column(kept, width, position, kinds[key], cache[kinds[key]]) for key, position in positions
    ]
    examples = {c.key: (None if c.example_varies else {_clean(c.kind, c.example)}) for c in columns}
    places_added = place_examples is None
    previous_block: dict | None = None
    for number, cells in zip(numbers, zip(*cleaned, strict=True), strict=True):
        if not any(cells):
            continue
        values = dict(zip(keys, cells, strict=True))
        if marked and number in marked:
            if not places_added:
                places_added = True
                for key, value in place_examples().items():
                    if examples.get(key) is not None:
                        examples[key].add(_clean(kinds[key], value))
            if all(v == "" or examples[k] is None or v in examples[k] for k, v in values.items()):
                table.examples_skipped += 1
                continue
            table.examples_changed.append(number + 1)
        continued = False
        if block_keys:
            carried = previous_block is not None
            if carried:
                for k in block_keys:
                    if values[k]:
                        carried = False
                        break
            if carried:
                values.update(previous_block)
                continued = True
            else:
                previous_block = {k: values[k] for k in block_keys}
        yield Row(number + 1, values, continued)


def _clean_column(kept: list[list], width: int, position: int, kind: str, memo: dict) -> list:
    """One column's cells, cleaned ("" for an empty or missing cell); `width` is the
    shortest row's length."""
    if position < width:
        cells = [raw[position] for raw in kept]
    else:
        cells = [raw[position] if position < len(raw) else None for raw in kept]
    if kind == "id":
        return [id_cell(cell) if cell is not None and cell != "" else "" for cell in cells]

    def clean(cell):
        if cell is None:
            return ""
        found = _clean(kind, cell)
        if isinstance(cell, str) and len(memo) < 200_000:
            memo[cell] = found
        return found

    # The memo holds text cells only (no number equals a text); "" cleans to "".
    memo.setdefault("", "")
    get = memo.get
    return [found if (found := get(cell)) is not None else clean(cell) for cell in cells]


def id_cell(raw):
    """An ID number as text; LOST when Excel kept it as a number (15 significant digits
    at most, so the last of the 18 are gone). Never a guess."""
    if isinstance(raw, bool):
        return clean_compact(raw)
    if isinstance(raw, (int, float)):
        if abs(raw) >= 1e15:
            return LOST
        return str(int(raw)) if float(raw).is_integer() else str(raw)
    text = (
        raw.upper()
        if isinstance(raw, str) and raw.isascii() and raw.isalnum()
        else clean_compact(raw).upper()
    )
    if "E" in text and SCIENTIFIC.match(text):
        return LOST
    if len(text) == 18 and text.endswith("000") and ID_RE.match(text) and id_check_char(text[:17]) != "0":
        return LOST
    return text


# Running an import -----------------------------------------------------------------


def importer_for(kind: str) -> Importer:
    from . import IMPORTERS

    if kind not in IMPORTERS:
        raise KeyError(kind)
    return IMPORTERS[kind]()


def allowed(importer: Importer, actor) -> bool:
    if actor is None:
        return True
    scope = scope_for(actor)
    if scope.has(importer.permission):
        return True
    return importer.allow_office and "office" in scope.roles


def scope_prefixes(importer: Importer, actor) -> tuple[str, ...] | None:
    if actor is None:
        return None
    scope = scope_for(actor)
    prefixes = scope.region_prefixes(importer.permission)
    if importer.allow_office:
        prefixes += tuple(p for g in scope.grants if g.role == "office" for p in g.region_prefixes)
    return tuple(sorted(set(prefixes)))


def import_run(
    *,
    actor,
    kind: str,
    path: str | Path,
    filename: str = "",
    dry_run: bool = False,
    campaign=None,
    progress=None,
    options: dict | None = None,
) -> ImportReport:
    """Import one list file. `actor` None is the command line (no scope limit). Raises
    PermissionDenied without the list's permission; everything else is in the report."""
    started = time.perf_counter()
    importer = importer_for(kind)
    if not allowed(importer, actor):
        raise PermissionDenied(_("You are not allowed to import this list."))
    with collector.paused():
        return _import(
            importer, actor, kind, Path(path), filename, dry_run, campaign, progress, options, started
        )


def _import(importer, actor, kind, path, filename, dry_run, campaign, progress, options, started):
    filename = filename or path.name
    report = ImportReport(kind=kind, filename=filename, dry_run=dry_run)
    try:
        suffix = check_file(path, filename)
        sheet = read_sheet(path, suffix)
    except FileRefused as exc:
        report.refused = str(exc)
        audit_record(
            action=f"import.{kind}",
            user=actor,
            result="denied",
            detail={"kind": kind, "file": filename[:200], "dry_run": dry_run, "refused": report.refused},
        )
        return report
    if progress:
        progress("read", len(sheet.rows))
    _fill_merged(sheet.rows, sheet.merged)
    table = locate(
        sheet.rows, importer.columns, place_examples=lambda: _place_examples(importer, actor, campaign)
    )
    report.rows = len(table.rows)
    ctx = Context(
        actor=actor,
        prefixes=scope_prefixes(importer, actor),
        headings=table.headings,
        present=table.present,
        campaign=campaign,
        filename=filename,
        options=options or {},
    )
    if table.no_header:
        ctx.errors.append(
            RowError(
                1,
                "",
                _(
                    "No header row was found: one of the first rows must hold the column headings, "
                    "such as %(headings)s (the template shows them all)."
                )
                % {"headings": "、".join(c.headings[0] for c in importer.columns[:4])},
            )
        )
    elif table.missing:
        for heading in table.missing:
            ctx.errors.append(
                RowError(table.header_row, heading, _("The header lacks this column (or a usual synonym)."))
            )
    elif not table.rows and table.examples_skipped:
        ctx.errors.append(
            RowError(
                table.header_row + 1,
                "",
                _(
                    "There is only the template's example row (序号 示例), which is never imported: "
                    "add your rows under it, or in its place."
                ),
            )
        )
    elif not table.rows:
        ctx.errors.append(RowError(table.header_row, "", _("There are no data rows under the header.")))
    elif importer.needs_campaign and campaign is None:
        ctx.errors.append(RowError(table.header_row, "", _("Choose the campaign the pairings belong to.")))
    else:
        for number in table.examples_changed:
            ctx.errors.append(
                RowError(
                    number,
                    "",
                    _(
                        "This row is marked 示例 (the template's example) but holds other values: "
                        "to import it, replace 示例 with its number; otherwise delete the row."
                    ),
                )
            )
        plan = importer.validate(table.rows, ctx)
        if progress:
            progress("validated", len(table.rows))
        report.counts = importer.counts(plan) if not ctx.errors else {}
        if not ctx.errors and not dry_run:
            try:
                with transaction.atomic():
                    importer.write(plan, ctx)
                    report.ids = {f"{name}_ids": id_ranges(ids) for name, ids in ctx.written.items() if ids}
                    _audit_written(report, actor)
            except IntegrityError:
                # What the file was checked against changed before the write (another import
                # or an edit at the same moment): the database refused a row, so nothing is
                # written and the file is checked again from the start next time.
                report.written, report.counts, report.ids = False, {}, {}
                ctx.outside.clear()
                ctx.errors.append(
                    RowError(
                        table.header_row,
                        "",
                        _(
                            "Records this file matches were changed while it was being checked "
                            "(another import or an edit at the same time). Nothing was written; "
                            "import the file again."
                        ),
                    )
                )
        if not ctx.errors:
            report.notes = importer.notes(plan, ctx, written=report.written)
    report.errors = sorted(ctx.errors, key=lambda e: e.row)
    report.outside = len(ctx.outside)
    if not report.written:
        # Every run is audited, a dry run and a refused file too (the written import's row
        # is in its transaction): a file of numbers sent to learn which exist shows here.
        _audit_run(report, actor)
    if report.written and progress:
        progress("written", len(table.rows))
    report.seconds = time.perf_counter() - started
    return report


def _place_examples(importer: Importer, actor, campaign=None) -> dict[str, str]:
    """The example cells this account's template names from its area (the command line's
    template names none), and those its campaign's template names (its first day)."""
    from .template import campaign_examples, scope_examples

    found = scope_examples(importer, actor) if actor is not None else {}
    return {**found, **campaign_examples(importer, campaign)}


def _audit_detail(report: ImportReport) -> dict:
    return {
        "kind": report.kind,
        "file": report.filename[:200],
        "dry_run": report.dry_run,
        "rows": report.rows,
        "errors": len(report.errors),
        "outside": report.outside,
        **report.counts,
        **report.ids,
    }


def id_ranges(ids) -> str:
    """Ids as runs: [1, 2, 3, 7, 9, 10] → "1-3,7,9-10"; codes (strings) comma-joined, sorted."""
    values = sorted(set(ids))
    if not values or not isinstance(values[0], int):
        return ",".join(str(v) for v in values)
    runs, first, last = [], values[0], values[0]
    for value in values[1:]:
        if value != last + 1:
            runs.append(f"{first}-{last}" if last > first else str(first))
            first = value
        last = value
    runs.append(f"{first}-{last}" if last > first else str(first))
    return ",".join(runs)


def _audit_written(report: ImportReport, actor) -> None:
    """The audit row of a written import, in its transaction."""
    audit_record(action=f"import.{report.kind}", user=actor, detail=_audit_detail(report))
    report.written = True


def _audit_run(report: ImportReport, actor) -> None:
    """The audit row of a run that wrote nothing: a dry run, or a file with bad rows."""
    audit_record(
        action=f"import.{report.kind}",
        user=actor,
        result=AuditEvent.Result.FAILED if report.errors else AuditEvent.Result.OK,
        detail=_audit_detail(report),
    )
