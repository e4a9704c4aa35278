from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, cadre_subjects


class VisitsPerTarget(PendingRule):
    type = "visits.per_target"
    label = gettext_lazy("Every target is visited often enough")
    evidence = ("fieldwork", "Visit")
    evidence_label = gettext_lazy("visits")
    params = {
        "min": Param("int", 2, gettext_lazy("Visits per target"), minimum=1),
        "per": Param("text", "campaign", gettext_lazy("Counted per"), choices=("campaign", "month")),
        "kinds": Param(
            "ref_list",
            [],
            gettext_lazy("Pairing kinds whose targets count (empty: any)"),
            ref="pairing_kinds",
        ),
    }

    def required_text(self):
        return _("each target visited at least %(n)s times %(per)s") % {
            "n": self.value("min"),
            "per": self.period(),
        }

    def subjects(self, ctx):
        return cadre_subjects(ctx, self.value("kinds"))
