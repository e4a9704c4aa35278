from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, point_subjects


class ZeroIncidents(PendingRule):
    type = "zero.incidents"
    label = gettext_lazy("Zero targets: no incidents at a point")
    evidence = ("fieldwork", "Incident")
    evidence_label = gettext_lazy("incidents")
    params = {
        "kinds": Param(
            "list",
            ["safety_accident", "casualty", "petition_upward", "paralysed_party_org", "major_case"],
            gettext_lazy("Incident kinds"),
            choices=("safety_accident", "casualty", "petition_upward", "paralysed_party_org", "major_case"),
        ),
    }

    def required_text(self):
        return _("no incident during the campaign")

    def subjects(self, ctx):
        return point_subjects(ctx)
