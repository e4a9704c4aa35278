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
# Every spreadsheet program writes a cell as <c r="B12" …>: capital letters, a number without
# leading zeros, double quotes, "r" first. A cell written so and named beyond column Z or at
# row 400,000 or later (26 columns of 399,999 rows are within MAX_CELLS) sends the check to the
# far corner of such cells; any cell written otherwise (lower case, quotes, spaces, a prefix,
# no "r", …), which the reader accepts as well, sends it to read the sheet as XML.
_FAR_CELL = re.compile(rb'<c r="[A-Z](?:[A-Z]|\d{7}|[4-9]\d{5}")')
_ODD_CELL = re.compile(rb'<c(?=[\s/>])(?! r="[A-Z]{1,3}[1-9][0-9]{0,6}"[ />])')
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_NAMED_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>]*(?<!/)>')
_LOOSE_REF = re.compile(r"\s*([A-Za-z]*)\s*0*(\d*)\s*")


def _column_number(letters: bytes | str) -> int:
    number = 0
    for ch in letters.upper() if isinstance(letters, str) else letters:
        number = number * 26 + (ord(ch) if isinstance(ch, str) else ch) - 64
    return number


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _parsed_extent(xml: bytes) -> tuple[int, int]:
    """(rows, columns) to the farthest cell holding something, reading the sheet as XML the
    way the reader places cells: by their "r" in any case, quoting or spacing, or, without one,
    after the cell before (and rows likewise). Only for sheets not written as programs write them."""
    from defusedxml.ElementTree import iterparse

    row = col = max_row = max_col = 0
    stack = []
    for event, elem in iterparse(io.BytesIO(xml), events=("start", "end")):
        name = _local(elem.tag)
        if event == "start":
            if name not in ("row", "c"):
                continue
            ref = next((v for k, v in elem.attrib.items() if _local(k) == "r"), None)
            found = _LOOSE_REF.fullmatch(ref) if ref is not None else None
            if name == "row":
                row = int(found.group(2)) if found and found.group(2) else row + 1
                col = 0
            else:
                if found and found.group(1):
                    col = _column_number(found.group(1))
                    if found.group(2):
                        row = int(found.group(2))
                else:
                    col += 1
                stack.append((row, col))
        elif name == "c":
            cell_row, cell_col = stack.pop() if stack else (row, col)
            if len(elem) or (elem.text or "").strip():
                max_row, max_col = max(max_row, cell_row), max(max_col, cell_col)
            elem.clear()
        elif name == "row":
            elem.clear()
    return max_row, max_col


def sheet_extent(xml: bytes) -> tuple[int, int] | None:
    """The (rows, columns) of the grid a worksheet's XML asks for, or None when it is plainly
    small: every cell written as programs write them and none beyond column Z or row 399,999
    (three scans of the text at C speed). Otherwise the far corner exactly: from the cells'
    names, or, for a sheet written otherwise, by reading it as XML. A cell holding nothing
    ("<c …/>") is skipped by the reader and does not count."""
    odd = _ODD_CELL.search(xml) or _PREFIXED_CELL.search(xml)
    if not odd and not _FAR_CELL.search(xml):
        return None
    if not odd:
        refs = _NAMED_CELL.findall(xml)
        if not refs:
            return 0, 0
        columns = max(_column_number(letters) for letters in {letters for letters, _row in refs})
        return max(int(row) for _letters, row in refs), columns
    try:
        return _parsed_extent(xml)
    except Exception:  # a sheet no program writes, which a lenient reader might still lay out
        raise FileRefused(
            _(
                "The spreadsheet is damaged (its sheet is not well-formed XML): open it in Excel, save it again and import that."
            )
        ) from None


# An OpenDocument sheet's rows and cells, whatever prefix the table namespace has and however
# the attributes are quoted or spaced.
_ODS_TOKEN = re.compile(
    rb"<(?:[\w.-]+:)?table-row\b([^>]*?)/?>|<(?:[\w.-]+:)?(?:covered-)?table-cell\b([^>]*?)(/?)>"
    rb"|</(?:[\w.-]+:)?table\s*>"
)
_ROWS_REPEATED = re.compile(rb"number-rows-repeated\s*=\s*[\"']\s*(\d+)")
_COLUMNS_REPEATED = re.compile(rb"number-columns-repeated\s*=\s*[\"']\s*(\d+)")


def ods_extent(xml: bytes) -> tuple[int, int] | None:
    """The (rows, columns) of the grid the first table of an OpenDocument sheet asks for:
    rows and cells repeated ("number-rows-repeated") count as often as repeated, up to the
    farthest cell holding something (an empty one, "<…/>", is skipped by the reader). None
    when nothing is repeated more than 100 times (the text's size then bounds the grid)."""
    if not re.search(rb"-repeated\s*=\s*[\"']\s*\d{3,}", xml):
        return None
    row = next_row = col = max_row = max_col = 0
    row_repeat = 1
    for m in _ODS_TOKEN.finditer(xml):
        if m.group(0).startswith(b"</"):  # the first table ends: the one imported
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
        # Every part that holds sheet data, wherever it lies and whatever the workbook's own
        # list says: the reader follows the relationships, which a hostile file can bend.
        for info in archive.infolist():
            if info.is_dir():
                continue
            data = archive.read(info)
            if b"sheetData" in data:
                _refuse_extent(sheet_extent(data))


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
