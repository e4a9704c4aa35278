from django.utils.formats import date_format
from django.utils.translation import gettext as _

from minqing.core.audit import audit_record
from minqing.core.spreadsheet import LedgerWorkbook


def subject_labels():
    return {
        "cadre": _("Cadre"),
        "household": _("Household"),
        "team": _("Team"),
        "point": _("Liaison point"),
        "unit": _("Unit"),
    }


def checklist_workbook(report, *, user) -> bytes:
    """The compliance checklist of a campaign as of a date, one row per verdict."""
    book = LedgerWorkbook()
    labels = subject_labels()
    title = _("%(campaign)s: compliance checklist as of %(day)s") % {
        "campaign": report.campaign.name,
        "day": date_format(report.as_of),
    }
    count = book.sheet(
        _("Checklist"),
        title=title,
        user=user,
        columns=[
            (_("Rule"), 34),
            (_("Subject type"), 8),
            (_("Subject"), 26),
            (_("Required"), 26),
            (_("Actual"), 8),
            (_("Result"), 10),
            (_("What is missing"), 50),
        ],
        rows=(
            [
                v.rule_name,
                labels.get(v.subject_type, v.subject_type),
                v.subject,
                v.required,
                v.actual,
                v.status_label,
                "; ".join(v.missing),
            ]
            for v in report.verdicts
        ),
    )
    audit_record(
        action="compliance.export",
        obj=report.campaign,
        user=user,
        detail={"as_of": report.as_of.isoformat(), "rows": count},
    )
    return book.close()
