from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from minqing.core.audit import audit_list_read
from minqing.core.spreadsheet import LedgerWorkbook


def subject_labels():
    return {
        "cadre": _("Cadre"),
        "household": _("Household"),
        "team": _("Team"),
        "point": _("Liaison point"),
        "unit": _("Unit"),
    }


def _number(value):
    """A count as a number (Excel sums it and does not flag "number stored as text"); words
    such as "≥2 per household" stay text."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value


def checklist_workbook(report, *, user, verdicts=None, titles=None, filters=()) -> bytes:
    """The compliance checklist of a campaign as of a date, one row per verdict: those given
    (the page's filtered ones, `filters` saying which in words) or all of the report's.
    `titles`: rule key → the rule's name as the pages show it."""
    book = LedgerWorkbook()
    labels = subject_labels()
    verdicts = report.verdicts if verdicts is None else verdicts
    titles = titles or {}
    title = _("%(campaign)s: compliance checklist as of %(day)s") % {
        "campaign": report.campaign.name,
        "day": date_format(report.as_of),
    }
    if filters:
        title = _("%(title)s (only %(filters)s)") % {
            "title": title,
            "filters": pgettext("clause separator", "; ").join(filters),
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
                titles.get(v.rule, v.rule_name),
                labels.get(v.subject_type, v.subject_type),
                v.subject,
                _number(v.required),
                _number(v.actual),
                v.status_label,
                pgettext("clause separator", "; ").join(str(m) for m in v.missing),
            ]
            for v in verdicts
        ),
    )
    audit_list_read(
        action="compliance.export",
        user=user,
        shown=count,
        obj=report.campaign,
        as_of=report.as_of.isoformat(),
        # A filtered download told from the whole checklist: its filters in words, as printed.
        filtered=[str(line) for line in filters],
    )
    return book.close()
