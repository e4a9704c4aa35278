"""The monthly attendance sheet of a point (日常考勤表) as Excel and as PDF."""

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from minqing.core.audit import audit_record
from minqing.core.spreadsheet import LedgerWorkbook

MARKS = {"confirmed": "✓", "pending": "?", "rejected": "✗"}


def _title(sheet) -> str:
    return _("Attendance sheet of %(point)s, %(month)s") % {
        "point": sheet.point.name,
        "month": date_format(sheet.month, "YEAR_MONTH_FORMAT"),
    }


def attendance_sheet_workbook(sheet, *, user) -> bytes:
    book = LedgerWorkbook()
    columns = (
        [(_("Cadre"), 14), (_("Unit"), 18)] + [(str(day.day), 3) for day in sheet.days] + [(_("Days"), 6)]
    )
    count = book.sheet(
        _("Attendance"),
        title=_title(sheet),
        user=user,
        columns=columns,
        rows=(
            [str(cadre.account), cadre.unit.label]
            + [MARKS.get(marks.get(day), "") for day in sheet.days]
            + [total]
            for cadre, marks, total in sheet.rows
        ),
    )
    audit_record(
        action="attendance.export",
        obj=sheet.point,
        user=user,
        detail={"month": sheet.month.isoformat(), "rows": count, "format": "xlsx"},
    )
    return book.close()


def attendance_sheet_pdf(sheet, *, user) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "fieldwork/attendance_sheet_print.html",
        {"sheet": sheet, "title": _title(sheet), "marks": MARKS, "user": user},
    )
    pdf = HTML(string=html).write_pdf()
    audit_record(
        action="attendance.export",
        obj=sheet.point,
        user=user,
        detail={"month": sheet.month.isoformat(), "rows": len(sheet.rows), "format": "pdf"},
    )
    return pdf
