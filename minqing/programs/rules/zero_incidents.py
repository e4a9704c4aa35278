from collections import defaultdict

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import FAIL, PASS, Param, Rule
from ._pending import point_subjects
from ._periods import window

KINDS = ("safety_accident", "casualty", "petition_upward", "paralysed_party_org", "major_case")


class ZeroIncidents(Rule):
    """004 零目标: no accident, casualty, petition taken upward, paralysed party organization
    or major case at a point during the campaign. Incidents are recorded when they happen,
    so a point with none recorded passes."""

    type = "zero.incidents"
    label = gettext_lazy("Zero targets: no incidents at a point")
    subject_type = "point"
    params = {"kinds": Param("list", list(KINDS), gettext_lazy("Incident kinds"), choices=KINDS)}

    def required_text(self):
        return _("no incident during the campaign")

    def evaluate(self, ctx):
        from minqing.fieldwork.models import Incident

        start, end = window(ctx)
        labels = dict(Incident.Kind.choices)
        found = defaultdict(list)
        for row in Incident.objects.filter(
            campaign=ctx.campaign, kind__in=self.value("kinds"), date__gte=start, date__lte=end
        ).values("point_id", "kind", "date"):
            found[row["point_id"]].append(row)
        verdicts = []
        for _kind, pk, label, *_rest in point_subjects(ctx):
            incidents = found[pk]
            verdicts.append(
                self.verdict(
                    subject_id=pk,
                    subject=label,
                    required=self.required_text(),
                    actual=len(incidents),
                    status=FAIL if incidents else PASS,
                    missing=[f"{labels[i['kind']]}（{date_format(i['date'])}）" for i in incidents],
                )
            )
        return verdicts
