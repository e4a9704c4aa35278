"""Excel files in the layout government offices file: a merged title row, a line saying
who exported what and when, a bold header with 序号 (two levels, merged, where columns are
grouped), thin borders, CJK fonts; and no cell that a spreadsheet would run as a formula.

A workbook is built in memory (small sheets) or streamed to a file (`path=...`): then
xlsxwriter's constant_memory mode writes each row to disk as soon as the next one starts,
so a 100,000-row ledger needs no more memory than one row.

A day (datetime.date) or a moment (datetime.datetime) is written as Excel's own date, so
that the sheet sorts and filters it as one (by year, by month), in a number format of the
export's language: 2026年4月15日 in Chinese, 2026-04-15 otherwise."""

import datetime as dt
import io
import re
from dataclasses import dataclass

import xlsxwriter
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FONT = "SimSun"

# Excel number formats of a day and of a moment, by language (its first part: zh-hans,
# zh-hant); any other language gets the ISO-like ones.
DAY_FORMATS = {"zh": 'yyyy"年"m"月"d"日"'}
MOMENT_FORMATS = {"zh": 'yyyy"年"m"月"d"日" hh:mm'}
ISO_DAY_FORMAT = "yyyy-mm-dd"
ISO_MOMENT_FORMAT = "yyyy-mm-dd hh:mm"
# Wide enough for 2026年12月30日 (dates that do not fit show as ####).
DAY_WIDTH = 14
MOMENT_WIDTH = 20
# Excel's day 0 (its 1900 date system, counting the 29 February 1900 it believes in).
EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()


def excel_date_formats(language: str | None = None) -> tuple[str, str]:
    """(day format, moment format) for an export in `language` (default: the active one)."""
    base = (language or translation.get_language() or "").lower().split("-")[0]
    return DAY_FORMATS.get(base, ISO_DAY_FORMAT), MOMENT_FORMATS.get(base, ISO_MOMENT_FORMAT)


def excel_serial(value: dt.date) -> float:
    """A day or a moment as Excel's serial number (days since its epoch, the time as a
    fraction of a day); an aware moment in the server's time zone. Computed here rather
    than by xlsxwriter's write_datetime: a ledger writes tens of thousands of them."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return value.toordinal() - EXCEL_EPOCH + seconds / 86400
    return value.toordinal() - EXCEL_EPOCH


def safe_cell(value):
    """Text that starts like a formula is prefixed with ' so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


@dataclass(frozen=True)
class Column:
    label: str
    width: int = 12
    group: str = ""  # columns with the same group next to each other share a merged upper header


def _column(spec) -> Column:
    if isinstance(spec, Column):
        return spec
    return Column(*spec)


def export_stamp(user) -> str:
    return _("Exported by %(name)s (%(username)s) at %(time)s") % {
        "name": user.get_full_name() if user else "-",
        "username": getattr(user, "username", "-"),
        "time": date_format(timezone.localtime(), "DATETIME_FORMAT"),
    }


class LedgerWorkbook:
    def __init__(self, path: str | None = None):
        self.path = path
        self.buffer = None if path else io.BytesIO()
        options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        if path:
            options["constant_memory"] = True
        else:
            options["in_memory"] = True
        self.book = xlsxwriter.Workbook(path or self.buffer, options)
        self.title = self.book.add_format(
            {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter", "font_name": FONT}
        )
        self.note = self.book.add_format({"font_size": 9, "font_name": FONT, "font_color": "#555555"})
        self.header = self.book.add_format(
            {
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#E8EEF8",
                "font_name": FONT,
            }
        )
        self.cell = self.book.add_format({"border": 1, "valign": "top", "text_wrap": True, "font_name": FONT})
        self.number = self.book.add_format(
            {"border": 1, "align": "center", "valign": "top", "font_name": FONT}
        )
        day_format, moment_format = excel_date_formats()
        self.day = self.book.add_format(
            {"border": 1, "align": "center", "valign": "top", "font_name": FONT, "num_format": day_format}
        )
        self.moment = self.book.add_format(
            {"border": 1, "align": "center", "valign": "top", "font_name": FONT, "num_format": moment_format}
        )

    def _headers(self, sheet, columns: list[Column]) -> int:
        """Write the header row(s) from row 2 in row order (constant_memory cannot go back a
        row); returns the first data row."""
        grouped = any(c.group for c in columns)
        labels = [_("No.")] + [c.label for c in columns]
        groups = [""] + [c.group for c in columns]
        if not grouped:
            for col, label in enumerate(labels):
                sheet.write_string(2, col, safe_cell(label), self.header)
            return 3
        # Upper row: a group's label merged across its columns; an ungrouped column's own label.
        col = 0
        spans = []
        while col < len(labels):
            if not groups[col]:
                sheet.write_string(2, col, safe_cell(labels[col]), self.header)
                col += 1
                continue
            end = col
            while end + 1 < len(labels) and groups[end + 1] == groups[col]:
                end += 1
            if end > col:
                sheet.merge_range(2, col, 2, end, safe_cell(groups[col]), self.header)
            else:
                sheet.write_string(2, col, safe_cell(groups[col]), self.header)
            spans.append((col, end))
            col = end + 1
        # Lower row: the grouped columns' labels; blanks under the ungrouped ones …
        for col, label in enumerate(labels):
            if groups[col]:
                sheet.write_string(3, col, safe_cell(label), self.header)
            else:
                sheet.write_blank(3, col, None, self.header)
        # … which are then merged down over both rows. Both cells are written already, and in
        # constant_memory mode merge_range refuses a past row, so only the range is recorded
        # (xlsxwriter writes its <mergeCells> list when the sheet is closed).
        for col in range(len(labels)):
            if not groups[col]:
                sheet.merge.append([2, col, 3, col])
        return 4

    def sheet(self, name: str, *, title: str, columns, rows, user, stamp: str = "") -> int:
        """Write one sheet; `columns`: Column or (label, width[, group]); `rows` yields lists of
        cell values (序号 is added): numbers as numbers, days and moments as dates, anything
        else as text. Returns the row count."""
        columns = [_column(c) for c in columns]
        sheet = self.book.add_worksheet(re.sub(r"[\[\]:*?/\\']", "", name)[:31] or "Sheet")
        width = len(columns) + 1
        stamp = stamp or export_stamp(user)
        sheet.set_column(0, 0, 6)
        for index, column in enumerate(columns, start=1):
            sheet.set_column(index, index, column.width)
        sheet.set_row(0, 30)
        sheet.merge_range(0, 0, 0, width - 1, safe_cell(title), self.title)
        sheet.merge_range(1, 0, 1, width - 1, safe_cell(stamp), self.note)
        first = self._headers(sheet, columns)
        sheet.freeze_panes(first, 0)
        count = 0
        dated = {}  # column → the width its dates need
        for count, row in enumerate(rows, start=1):
            r = first - 1 + count
            sheet.write_number(r, 0, count, self.number)
            for col, value in enumerate(row, start=1):
                value = safe_cell(value)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(r, col, value, self.number)
                elif isinstance(value, dt.datetime):
                    sheet.write_number(r, col, excel_serial(value), self.moment)
                    dated[col] = MOMENT_WIDTH
                elif isinstance(value, dt.date):
                    sheet.write_number(r, col, excel_serial(value), self.day)
                    dated.setdefault(col, DAY_WIDTH)
                else:
                    sheet.write_string(r, col, str(value), self.cell)
        # Widened after the rows (xlsxwriter writes the column widths when the sheet is closed).
        for col, width in dated.items():
            if columns[col - 1].width < width:
                sheet.set_column(col, col, width)
        sheet.set_header("&L&8" + stamp.replace("&", "&&"))
        sheet.set_footer("&C&P / &N")
        sheet.repeat_rows(2, first - 1)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        return count

    def close(self) -> bytes | None:
        """Finish the file; in memory, its bytes."""
        self.book.close()
        return None if self.path else self.buffer.getvalue()
