"""Excel files in the layout government offices file: a merged title row, a line saying
who exported what and when, a bold header with 序号, thin borders, CJK fonts; and no
cell that a spreadsheet would run as a formula."""

import io

import xlsxwriter
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FONT = "SimSun"


def safe_cell(value):
    """Text that starts like a formula is prefixed with ' so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


class LedgerWorkbook:
    def __init__(self):
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
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

    def sheet(self, name: str, *, title: str, columns: list[tuple[str, int]], rows, user) -> int:
        """Write one sheet; `rows` yields lists of cell values (序号 is added). Returns the row count."""
        sheet = self.book.add_worksheet(name[:31])
        width = len(columns) + 1
        sheet.merge_range(0, 0, 0, width - 1, title, self.title)
        sheet.set_row(0, 30)
        stamp = _("Exported by %(name)s (%(username)s) at %(time)s") % {
            "name": user.get_full_name() if user else "-",
            "username": getattr(user, "username", "-"),
            "time": date_format(timezone.localtime(), "DATETIME_FORMAT"),
        }
        sheet.merge_range(1, 0, 1, width - 1, stamp, self.note)
        sheet.write(2, 0, _("No."), self.header)
        sheet.set_column(0, 0, 6)
        for index, (label, col_width) in enumerate(columns, start=1):
            sheet.write(2, index, label, self.header)
            sheet.set_column(index, index, col_width)
        sheet.freeze_panes(3, 0)
        count = 0
        for count, row in enumerate(rows, start=1):
            sheet.write_number(2 + count, 0, count, self.number)
            for col, value in enumerate(row, start=1):
                value = safe_cell(value)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(2 + count, col, value, self.number)
                else:
                    sheet.write_string(2 + count, col, str(value), self.cell)
        sheet.repeat_rows(2)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        return count

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()
