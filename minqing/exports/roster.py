"""The household roster as an Excel workbook in the usual government layout: a title
row, a line naming who exported what and when, a two-level merged header, a 序号
column. Every sheet carries the export line in the sheet and in the printed header."""

from dataclasses import dataclass

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """Text that Excel (or LibreOffice, or a CSV import) would take for a formula gets a
    leading apostrophe, so a resident's address can never run as one."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass
class RosterRow:
    code: str
    region: str
    address: str
    head_name: str
    head_id_number: str
    head_phone: str
    size: int
    economic_status: str
    hardship: str


def roster_workbook(rows, *, path: str, title: str, stamp: str, facts: list[tuple[str, str]]) -> int:
    """Write the roster to `path` and return its row count (a full export is capped, see
    EXPORT_MAX_ROWS; the merged two-row header rules out xlsxwriter's constant_memory).
    `rows`: RosterRow objects (identifiers already masked or not), any iterable; `stamp`: the
    line naming requester, approver and time; `facts`: label/value pairs for the notes sheet."""
    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
    fmt_title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    fmt_stamp = book.add_format({"font_size": 9, "align": "left", "font_color": "#9b1c1c"})
    fmt_head = book.add_format(
        {
            "bold": True,
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "bg_color": "#e8eef8",
            "text_wrap": True,
        }
    )
    fmt_cell = book.add_format({"border": 1, "valign": "vcenter"})
    fmt_num = book.add_format({"border": 1, "align": "center", "valign": "vcenter"})
    header_text = "&L&8" + stamp.replace("&", "&&")

    sheet = book.add_worksheet(_("Household roster"))
    columns = [
        (_("No."), 6),
        (_("Household number"), 16),
        (_("Region"), 16),
        (_("Address"), 28),
        (pgettext("person", "Name"), 10),
        (_("ID number"), 21),
        (_("Phone"), 14),
        (_("Family size"), 8),
        (_("Economic status"), 10),
        (_("Hardship level"), 10),
    ]
    last = len(columns) - 1
    sheet.merge_range(0, 0, 0, last, safe_cell(title), fmt_title)
    sheet.set_row(0, 30)
    sheet.merge_range(1, 0, 1, last, safe_cell(stamp), fmt_stamp)
    # Two header rows: single columns merged down, the head's three and the household's
    # three under a merged group label.
    for col in (0, 1, 2, 3):
        sheet.merge_range(2, col, 3, col, columns[col][0], fmt_head)
    sheet.merge_range(2, 4, 2, 6, _("Head of household"), fmt_head)
    sheet.merge_range(2, 7, 2, 9, _("Household"), fmt_head)
    for col in range(4, 10):
        sheet.write_string(3, col, columns[col][0], fmt_head)
    for col, (_label, width) in enumerate(columns):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(4, 0)
    sheet.set_header(header_text)
    sheet.set_footer("&C&P / &N")
    sheet.repeat_rows(2, 3)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    count = 0
    for index, row in enumerate(rows, start=1):
        r = 3 + index
        sheet.write_number(r, 0, index, fmt_num)
        for col, value in enumerate(
            (row.code, row.region, row.address, row.head_name, row.head_id_number, row.head_phone), start=1
        ):
            sheet.write_string(r, col, safe_cell(value), fmt_cell)
        sheet.write_number(r, 7, row.size, fmt_num)
        sheet.write_string(r, 8, safe_cell(row.economic_status), fmt_cell)
        sheet.write_string(r, 9, safe_cell(row.hardship), fmt_cell)
        count = index

    notes = book.add_worksheet(_("Export notes"))
    notes.set_column(0, 0, 16)
    notes.set_column(1, 1, 60)
    notes.merge_range(0, 0, 0, 1, safe_cell(stamp), fmt_stamp)
    notes.set_header(header_text)
    for r, (label, value) in enumerate([*facts, (_("Rows"), str(count))], start=2):
        notes.write_string(r, 0, safe_cell(label), fmt_head)
        notes.write_string(r, 1, safe_cell(value), fmt_cell)
    book.close()
    return count
