from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, cadre_subjects, team_subjects


class FixedServiceDays(PendingRule):
    type = "service_days.monthly"
    label = gettext_lazy("Fixed service days every month")
    evidence = ("fieldwork", "AttendanceDay")
    evidence_label = gettext_lazy("attendance days")
    params = {
        "days": Param("int_list", [6, 7], gettext_lazy("Days of the month"), minimum=1, maximum=28),
    }

    def required_text(self):
        return _("present on days %(days)s of every month") % {
            "days": ", ".join(str(d) for d in self.value("days"))
        }

    def subjects(self, ctx):
        return team_subjects(ctx) or cadre_subjects(ctx)
