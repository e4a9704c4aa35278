from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from minqing.core.audit import audit_list_read
from minqing.core.spreadsheet import LedgerWorkbook
from minqing.geo.models import village_and_group_names


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


def _places(verdicts) -> tuple[dict[int, str], dict[tuple[str, int], tuple[str, str]]]:
    """The units named with their parent (unit id → name), and the village or liaison point
    of each subject that has one, with its villagers' group ((subject type, id) → (place,
    group)): a point is its own, a household its village and group (households are placed at
    a group, under its village). A few queries, in batches (a county's checklist names
    thousands of households)."""
    from minqing.org.models import Unit, unit_label
    from minqing.people.models import Household

    from .models import LiaisonPoint

    units = {
        pk: unit_label(name, parent)
        for pk, name, parent in Unit.objects.filter(
            pk__in={v.unit_id for v in verdicts if v.unit_id}
        ).values_list("pk", "name", "parent__name")
    }
    places = {}
    ids = sorted({v.subject_id for v in verdicts if v.subject_type == "point"})
    for start in range(0, len(ids), 5000):
        for pk, name in LiaisonPoint.objects.filter(pk__in=ids[start : start + 5000]).values_list(
            "pk", "name"
        ):
            places[("point", pk)] = (name, "")
    ids = sorted({v.subject_id for v in verdicts if v.subject_type == "household"})
    for start in range(0, len(ids), 5000):
        for pk, name, level, parent in Household.objects.filter(pk__in=ids[start : start + 5000]).values_list(
            "pk", "region__name", "region__level", "region__parent__name"
        ):
            places[("household", pk)] = village_and_group_names(name, level, parent)
    return units, places


def checklist_workbook(report, *, user, verdicts=None, titles=None, filters=()) -> bytes:
    """The compliance checklist of a campaign as of a date, one row per verdict: those given
    (the page's filtered ones, `filters` saying which in words) or all of the report's.
    `titles`: rule key → the rule's name as the pages show it."""
    book = LedgerWorkbook()
    labels = subject_labels()
    verdicts = report.verdicts if verdicts is None else verdicts
    titles = titles or {}
    units, places = _places(verdicts)
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
            (_("Unit"), 20),
            (_("Village or liaison point"), 16),
            (_("Villagers' group"), 8),
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
                units.get(v.unit_id, ""),
                *places.get((v.subject_type, v.subject_id), ("", "")),
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
