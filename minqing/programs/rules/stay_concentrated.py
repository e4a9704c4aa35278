from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, cadre_subjects


class ConcentratedStay(PendingRule):
    type = "stay.concentrated"
    label = gettext_lazy("A concentrated stay of consecutive days")
    evidence = ("fieldwork", "AttendanceDay")
    evidence_label = gettext_lazy("attendance days")
    params = {
        "min_consecutive": Param("int", 7, gettext_lazy("Consecutive days"), minimum=2, maximum=60),
        "kinds": Param(
            "ref_list",
            [],
            gettext_lazy("Only cadres with a pairing of these kinds (empty: all)"),
            ref="pairing_kinds",
        ),
    }

    def required_text(self):
        return _("a stay of at least %(n)s consecutive days") % {"n": self.value("min_consecutive")}

    def subjects(self, ctx):
        return cadre_subjects(ctx, self.value("kinds"))
