from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, unit_subjects


class FollowUpInTime(PendingRule):
    type = "tickets.followup"
    label = gettext_lazy("Follow-up visit after the reply")
    evidence = ("tickets", "Ticket")
    evidence_label = gettext_lazy("demands")
    params = {
        "within_days": Param("int", 7, gettext_lazy("Within days of the reply"), minimum=1),
    }

    def required_text(self):
        return _("a follow-up within %(n)s days of the reply") % {"n": self.value("within_days")}

    def subjects(self, ctx):
        return unit_subjects(ctx)
