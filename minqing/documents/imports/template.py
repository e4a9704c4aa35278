"""A downloadable template per list: the office's usual layout (title, filing line,
header) with every column this import understands, an example row (序号 示例, which no import takes as data), and the ID-number
and phone columns formatted as text so Excel keeps every digit."""

import io

import xlsxwriter
from django.utils.translation import gettext as _

from .engine import EXAMPLE_MARK, Importer


def template_xlsx(importer: Importer, *, campaign=None) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "font_name": "SimSun"})
    note = book.add_format({"font_size": 9, "font_color": "#555555", "font_name": "SimSun"})
    header = book.add_format(
        {
            "bold": True,
            "border": 1,
            "align": "center",
            "bg_color": "#E8EEF8",
            "font_name": "SimSun",
            "text_wrap": True,
        }
    )
    text = book.add_format({"num_format": "@", "border": 1, "font_name": "SimSun"})
    sheet = book.add_worksheet(str(importer.title)[:31])
    columns = list(importer.columns)
    width = len(columns)
    sheet.merge_range(0, 0, 0, width, str(importer.title), title)
    sheet.merge_range(1, 0, 1, width, "填报单位：            填报日期：    年  月  日", note)
    sheet.write(2, 0, "序号", header)
    for index, column in enumerate(columns, start=1):
        sheet.write(2, index, column.headings[0], header)
        sheet.write_comment(2, index, f"{column.label}" + (" *" if column.required else ""))
        # Every column as text: ID numbers and phones would otherwise lose digits.
        sheet.set_column(index, index, max(10, len(column.headings[0]) * 3), text)
    # The example row: 示例 in its 序号 cell, so that an import skips it as long as it is
    # left as downloaded (rows typed under it, or over it with a number, are imported).
    sample = book.add_format({"font_color": "#808080", "italic": True, "font_name": "SimSun"})
    sample_text = book.add_format(
        {"num_format": "@", "border": 1, "font_name": "SimSun", "font_color": "#808080", "italic": True}
    )
    sheet.write_string(3, 0, EXAMPLE_MARK, sample)
    sheet.write_comment(
        3,
        0,
        _(
            "The example row (序号 示例) is never imported. Type your rows under it, or over it "
            "with a number in place of 示例."
        ),
    )
    for index, column in enumerate(columns, start=1):
        example = column.example
        if column.key == "kind" and campaign is not None and importer.kind == "pairings":
            kinds = campaign.config.get("pairing_kinds", [])
            example = kinds[0]["name"] if kinds else example
        sheet.write_string(3, index, example, sample_text)
    sheet.freeze_panes(3, 0)
    help_sheet = book.add_worksheet(_("Columns")[:31])
    help_sheet.write_row(0, 0, [_("Heading"), _("Also understood"), _("Content"), _("Required")], header)
    for row, column in enumerate(columns, start=1):
        help_sheet.write_row(
            row,
            0,
            [
                column.headings[0],
                "、".join(column.headings[1:]),
                str(column.label),
                _("yes") if column.required else "",
            ],
        )
    help_sheet.set_column(0, 0, 16)
    help_sheet.set_column(1, 1, 40)
    help_sheet.set_column(2, 2, 50)
    book.close()
    return buffer.getvalue()
