from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, cadre_subjects


class DeedsPerTarget(PendingRule):
    type = "deeds.per_target"
    label = gettext_lazy("Deeds for each linked household")
    evidence = ("fieldwork", "Deed")
    evidence_label = gettext_lazy("deeds")
    params = {
        "min": Param("int", 1, gettext_lazy("Deeds per target, at least"), minimum=1),
        "max": Param("int", 2, gettext_lazy("Deeds per target, expected at most"), minimum=1),
        "kinds": Param(
            "ref_list",
            [],
            gettext_lazy("Pairing kinds whose targets count (empty: any)"),
            ref="pairing_kinds",
        ),
    }

    def required_text(self):
        return _("%(min)s–%(max)s deeds for each linked household") % {
            "min": self.value("min"),
            "max": self.value("max"),
        }

    def subjects(self, ctx):
        return cadre_subjects(ctx, self.value("kinds"))
