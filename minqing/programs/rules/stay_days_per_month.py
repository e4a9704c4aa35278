from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, cadre_subjects


class StayDaysPerMonth(PendingRule):
    type = "stay.days_per_month"
    label = gettext_lazy("Days a month at the point")
    evidence = ("fieldwork", "AttendanceDay")
    evidence_label = gettext_lazy("attendance days")
    params = {
        "min": Param("int", 2, gettext_lazy("Days a month"), minimum=1, maximum=31),
        "kinds": Param(
            "ref_list",
            [],
            gettext_lazy("Only cadres with a pairing of these kinds (empty: all)"),
            ref="pairing_kinds",
        ),
    }

    def required_text(self):
        return _("at least %(n)s confirmed days at the point every month") % {"n": self.value("min")}

    def subjects(self, ctx):
        return cadre_subjects(ctx, self.value("kinds"))
