"""Read a table (CSV, .xlsx, .xls, .ods) into rows of text, whole numbers as digits:
calamine returns 7.0 for 7, and codes and ID numbers must stay text."""

import csv
import io
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(path: str | Path) -> list[list[str]]:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError(_("The file is neither UTF-8 nor GB18030 text."))
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    if suffix in {".xlsx", ".xls", ".ods", ".xlsm"}:
        from python_calamine import CalamineWorkbook

        try:
            book = CalamineWorkbook.from_path(str(path))
            sheet = book.get_sheet_by_index(0)
            return [[_cell_text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        except Exception as exc:  # calamine raises its own error types for broken files
            raise ValidationError(
                _("The spreadsheet could not be read: %(error)s") % {"error": exc}
            ) from None
    raise ValidationError(
        _("Unsupported file type %(suffix)s: use .csv, .xlsx, .xls or .ods.") % {"suffix": suffix}
    )
