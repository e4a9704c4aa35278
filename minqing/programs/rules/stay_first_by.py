from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, cadre_subjects


class FirstStayBy(PendingRule):
    type = "stay.first_by"
    label = gettext_lazy("First stay at the point by a date")
    evidence = ("fieldwork", "AttendanceDay")
    evidence_label = gettext_lazy("attendance days")
    params = {
        "due": Param("date", None, gettext_lazy("First stay by")),
        "kinds": Param(
            "ref_list",
            [],
            gettext_lazy("Only cadres with a pairing of these kinds (empty: all)"),
            ref="pairing_kinds",
        ),
    }

    def required_text(self):
        return _("a first stay by %(due)s") % {"due": self.shown_date("due")}

    def subjects(self, ctx):
        return cadre_subjects(ctx, self.value("kinds"))
