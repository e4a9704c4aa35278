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


def read_sheet(path: Path, suffix: str) -> Sheet:
    if suffix == ".csv":
        return Sheet(rows=_read_csv(path.read_bytes()))
    from python_calamine import CalamineWorkbook

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
