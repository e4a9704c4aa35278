"""The monthly attendance sheet of a point (日常考勤表) as Excel and as PDF; a campaign's
activities as an Excel ledger (活动台账)."""

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from minqing.core.audit import audit_list_read, audit_record
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


def activity_filter_lines(filters: dict) -> list[str]:
    """The list's filters in words, for the download's title."""
    from minqing.core.dates import month_text
    from minqing.programs.rules.activities_held import activity_names

    from .selectors import STATUS_LABELS

    lines = []
    if filters["kind"]:
        name = activity_names(filters["campaign"]).get(filters["kind"], filters["kind"])
        lines.append(_("kind: %(name)s") % {"name": name})
    if filters["team"] is not None:
        lines.append(_("team: %(name)s") % {"name": filters["team"].name})
    if filters["month"] is not None:
        lines.append(_("month: %(name)s") % {"name": month_text(filters["month"])})
    if filters["status"] != "current":
        lines.append(_("status: %(name)s") % {"name": STATUS_LABELS[filters["status"]]})
    return lines


def activity_workbook(*, campaign, activities, filters: dict, user) -> bytes:
    """A campaign's activities (those given: the list's, as filtered) in the usual ledger layout,
    one row each; the read is recorded as the list's is (activity.export, with its filters)."""
    from django.utils.translation import pgettext

    from minqing.ledgers.definitions import _day

    book = LedgerWorkbook()
    title = _("Activities of %(campaign)s") % {"campaign": campaign.name}
    lines = activity_filter_lines({**filters, "campaign": campaign})
    if lines:
        title = _("%(title)s (only %(filters)s)") % {
            "title": title,
            "filters": pgettext("clause separator", "; ").join(lines),
        }
    organizer = _("Organized by")
    count = book.sheet(
        _("Activities"),
        title=title,
        user=user,
        columns=[
            (_("Date"), 11),
            (_("Kind"), 22),
            (_("Title"), 30),
            (pgettext("person", "Name"), 8, organizer),
            (_("Unit"), 16, organizer),
            (_("Team"), 14),
            (_("Liaison point"), 14),
            (_("People attending"), 8),
            (_("Status"), 8),
        ],
        rows=(
            [
                _day(a.date),
                a.kind_name,
                a.title,
                str(a.cadre.account),
                a.cadre.unit.name if a.cadre.unit_id else "",
                a.team.name if a.team_id else "",
                a.point.name if a.point_id else "",
                a.attendance,
                _("Withdrawn") if a.withdrawn_at else _("Standing"),
            ]
            for a in activities.iterator(chunk_size=2000)
        ),
    )
    audit_list_read(
        action="activity.export",
        user=user,
        shown=count,
        obj=campaign,
        filtered=lines,
    )
    return book.close()
