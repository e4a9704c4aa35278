from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, unit_subjects


class TicketDeadlines(PendingRule):
    type = "tickets.deadlines"
    label = gettext_lazy("Demands handled within the deadline of their tier")
    evidence = ("tickets", "Ticket")
    evidence_label = gettext_lazy("demands")
    params = {
        "on_spot_days": Param("int", 0, gettext_lazy("On the spot: days"), minimum=0),
        "township_days": Param("int", 7, gettext_lazy("By the township: days"), minimum=0),
        "escalated_days": Param("int", 15, gettext_lazy("Escalated: days"), minimum=0),
    }

    def required_text(self):
        return _("within %(a)s / %(b)s / %(c)s days by tier") % {
            "a": self.value("on_spot_days"),
            "b": self.value("township_days"),
            "c": self.value("escalated_days"),
        }

    def subjects(self, ctx):
        return unit_subjects(ctx)
