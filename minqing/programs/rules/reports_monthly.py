from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, cadre_subjects


class MonthlyReportOnTime(PendingRule):
    type = "reports.monthly"
    label = gettext_lazy("Monthly report on time")
    evidence = ("fieldwork", "MonthlyReport")
    evidence_label = gettext_lazy("monthly reports")
    params = {
        "due_day": Param("int", 5, gettext_lazy("Due by this day of the next month"), minimum=1, maximum=28),
    }

    def required_text(self):
        return _("the monthly report by day %(n)s of the next month") % {"n": self.value("due_day")}

    def subjects(self, ctx):
        return cadre_subjects(ctx)
