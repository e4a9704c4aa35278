"""Check an uploaded file before any parser sees it, then read its first sheet.

Spreadsheets in .xlsx/.ods form are zip archives of XML: a hostile one can be a zip
bomb, hold a hundred thousand entries, declare a DTD with entities, or carry macros.
Each is refused here with a message, by looking at the archive's directory and the
first bytes of each XML part, never by expanding it."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_RATIO = 100
MAX_UNCOMPRESSED = 200 * 1024 * 1024
SUFFIXES = {".xlsx", ".xls", ".ods", ".csv"}
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# A DOCTYPE sits before the root element; 64 KB of an XML part's start is plenty to find one.
_XML_HEAD = 64 * 1024
# An .xls with macros has a "_VBA_PROJECT_CUR" storage; OLE names are UTF-16.
_OLE_VBA = "_VBA_PROJECT".encode("utf-16-le")


class FileRefused(Exception):
    """The file cannot be imported at all; the message says why."""


@dataclass
class Sheet:
    rows: list[list]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


def check_file(path: Path, name: str) -> str:
    """Refuse a file that is too big, of the wrong type, or hostile. Returns its suffix."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsm":
        raise FileRefused(_("Files with macros (.xlsm) are not accepted; save the list as .xlsx."))
    if suffix not in SUFFIXES:
        raise FileRefused(
            _("Unsupported file type “%(suffix)s”: use .xlsx, .xls, .ods or .csv.")
            % {"suffix": suffix or "-"}
        )
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise FileRefused(
            _("The file is %(size).1f MB; at most 10 MB can be imported. Split the list into several files.")
            % {"size": size / 1024 / 1024}
        )
    if size == 0:
        raise FileRefused(_("The file is empty."))
    if suffix in {".xlsx", ".ods"}:
        _check_archive(path)
    if suffix == ".xls" and _OLE_VBA in path.read_bytes():
        raise FileRefused(_("The file contains macros; save the list as a plain .xlsx and try again."))
    return suffix


def _check_archive(path: Path) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise FileRefused(
            _("The file is not a valid spreadsheet (it is damaged or of another type).")
        ) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise FileRefused(
                _("The file holds %(n)s parts, more than a spreadsheet ever needs; it is refused.")
                % {"n": len(entries)}
            )
        compressed = sum(e.compress_size for e in entries)
        uncompressed = sum(e.file_size for e in entries)
        if uncompressed > MAX_UNCOMPRESSED or uncompressed > MAX_RATIO * max(compressed, 1):
            raise FileRefused(
                _("The file would unpack to %(size)s MB (a “zip bomb”); it is refused.")
                % {"size": uncompressed // (1024 * 1024)}
            )
        for entry in entries:
            lowered = entry.filename.lower()
            if lowered.endswith("vbaproject.bin") or lowered.startswith("basic/") or "macros" in lowered:
                raise FileRefused(
                    _("The file contains macros; save the list as a plain .xlsx and try again.")
                )
            if lowered.endswith((".xml", ".rels", ".vml")):
                with archive.open(entry) as part:
                    head = part.read(_XML_HEAD)
                if _DTD.search(head):
                    raise FileRefused(
                        _(
                            "The file declares a DTD or XML entities, which spreadsheets never need; it is refused."
                        )
                    )


# The reader lays the sheet out as a grid from its first cell to its farthest one: one value
# at XFD1048576 in a 5 KB file would ask for 17 billion cells (and abort the process, which
# no exception handler survives). A list to import is far smaller than this grid.
MAX_CELLS = 10_000_000
# A cell named beyond column Z or at row 400,000 or later (26 columns of 399,999 rows are
# within MAX_CELLS) sends the check to find the far corner exactly.
_FAR_CELL = re.compile(rb'<c r="[A-Z](?:[A-Z]|\d{7}|[4-9]\d{5}")')
_UNNAMED_CELL = re.compile(rb"<c (?!r=)|<c>")
_NAMED_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>]*(?<!/)>')
_TOKEN = re.compile(rb"<row\b([^>]*?)(/?)>|<c\b([^>]*?)(/?)>")
_REF = re.compile(rb'\sr="([A-Z]*)(\d*)"')
_FIRST_SHEET = re.compile(rb'<sheet\b[^>]*?\br:id="([^"]+)"')


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _counted_extent(xml: bytes) -> tuple[int, int]:
    """(rows, columns) to the farthest cell holding something, as the reader places cells
    and rows that do not name their position (each follows the one before)."""
    row = col = max_row = max_col = 0
    for m in _TOKEN.finditer(xml):
        if m.group(1) is not None:  # <row …>
            ref = _REF.search(m.group(1))
            row = int(ref.group(2)) if ref and ref.group(2) else row + 1
            col = 0
            continue
        ref = _REF.search(m.group(3))
        if ref and ref.group(1):
            col = _column_number(ref.group(1))
            row = int(ref.group(2)) if ref.group(2) else row
        else:
            col += 1
        if m.group(4) != b"/":
            max_row, max_col = max(max_row, row), max(max_col, col)
    return max_row, max_col


def sheet_extent(xml: bytes) -> tuple[int, int] | None:
    """The (rows, columns) of the grid a worksheet's XML asks for, or None when it is plainly
    small: every cell names its position (as every spreadsheet program writes them) and none
    lies beyond column Z or row 399,999. Two scans of the text at C speed in that case; an
    exact count of the far corner otherwise (a cell holding nothing, "<c …/>", is skipped by
    the reader and does not count)."""
    if not _UNNAMED_CELL.search(xml) and not _FAR_CELL.search(xml):
        return None
    if not _UNNAMED_CELL.search(xml):
        refs = _NAMED_CELL.findall(xml)
        if not refs:
            return 0, 0
        columns = max(_column_number(letters) for letters in {letters for letters, _row in refs})
        return max(int(row) for _letters, row in refs), columns
    return _counted_extent(xml)


def _first_sheet_part(archive: zipfile.ZipFile) -> str | None:
    """The part holding the workbook's first sheet (the one imported), from workbook.xml and
    its relationships; None if they cannot be followed."""
    try:
        found = _FIRST_SHEET.search(archive.read("xl/workbook.xml"))
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    if found is None:
        return None
    rel = re.search(rb'<Relationship\b[^>]*\bId="' + re.escape(found.group(1)) + rb'"[^>]*>', rels)
    target = rel and re.search(rb'\bTarget="([^"]+)"', rel.group(0))
    if not target:
        return None
    name = target.group(1).decode("utf-8", "replace")
    return name.lstrip("/") if name.startswith("/") else f"xl/{name}"


_ODS_TOKEN = re.compile(
    rb"<table:table-row\b([^>]*?)/?>|<table:(?:covered-)?table-cell\b([^>]*?)(/?)>|</table:table>"
)
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="(\d+)"')
_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated="(\d+)"')


def ods_extent(xml: bytes) -> tuple[int, int] | None:
    """The (rows, columns) of the grid the first table of an OpenDocument sheet asks for:
    rows and cells repeated ("number-rows-repeated") count as often as repeated, up to the
    farthest cell holding something (an empty one, "<…/>", is skipped by the reader). None
    when nothing is repeated more than 100 times (the text's size then bounds the grid)."""
    if not re.search(rb'-repeated="\d{3,}"', xml):
        return None
    row = next_row = col = max_row = max_col = 0
    row_repeat = 1
    for m in _ODS_TOKEN.finditer(xml):
        if m.group(0) == b"</table:table>":
            break
        if m.group(1) is not None:  # a row (its cells follow): rows row … row + row_repeat - 1
            repeated = _ROWS_REPEATED.search(m.group(1))
            row_repeat = int(repeated.group(1)) if repeated else 1
            row, next_row, col = next_row, next_row + row_repeat, 0
            continue
        repeated = _COLUMNS_REPEATED.search(m.group(2))
        span = int(repeated.group(1)) if repeated else 1
        if m.group(3) != b"/":
            max_row, max_col = max(max_row, row + row_repeat), max(max_col, col + span)
        col += span
    return max_row, max_col


def _refuse_extent(extent: tuple[int, int] | None) -> None:
    if extent is not None and extent[0] * extent[1] > MAX_CELLS:
        rows, columns = extent
        raise FileRefused(
            _(
                "The sheet reaches row %(rows)s and column %(columns)s: %(cells)s cells, more than a "
                "list can hold (at most %(max)s). Delete what lies beyond the list (or copy the list "
                "into a new workbook) and import again."
            )
            % {"rows": rows, "columns": columns, "cells": rows * columns, "max": MAX_CELLS}
        )


def _check_extent(path: Path, suffix: str) -> None:
    """Refuse a workbook whose first sheet would be laid out as more than MAX_CELLS cells."""
    with zipfile.ZipFile(path) as archive:
        if suffix == ".ods":
            _refuse_extent(
                ods_extent(archive.read("content.xml")) if "content.xml" in archive.namelist() else None
            )
            return
        names = set(archive.namelist())
        part = _first_sheet_part(archive)
        parts = [part] if part in names else sorted(n for n in names if n.startswith("xl/worksheets/"))
        for name in parts:
            _refuse_extent(sheet_extent(archive.read(name)))


def read_sheet(path: Path, suffix: str) -> Sheet:
    if suffix == ".csv":
        return Sheet(rows=_read_csv(path.read_bytes()))
    from python_calamine import CalamineWorkbook

    if suffix in {".xlsx", ".ods"}:
        _check_extent(path, suffix)

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
        merged = list(getattr(sheet, "merged_cell_ranges", None) or [])
    except Exception as exc:  # calamine raises its own error types for broken files
        raise FileRefused(_("The spreadsheet could not be read: %(error)s") % {"error": exc}) from None
    return Sheet(rows=rows, merged=merged)


def _read_csv(raw: bytes) -> list[list]:
    # Chinese Excel saves CSV in GBK (GB18030 is its superset); others save UTF-8 with a BOM.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused(_("The file is neither UTF-8 nor GBK/GB18030 text."))
    sample = text[:4096]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        return list(csv.reader(io.StringIO(text), csv.excel))

    class Dialect(sniffed):
        # Every spreadsheet writes a quote inside a quoted cell as two: the sniffer misses
        # it when a cell starts with one ("""老屋"" 9号" would be read as "老屋"" 9号").
        doublequote = True

    return list(csv.reader(io.StringIO(text), Dialect))
