from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, point_subjects


class ProblemsSolvedPerPoint(PendingRule):
    type = "problems.solved_per_point"
    label = gettext_lazy("Problems solved at each point")
    evidence = ("tickets", "Ticket")
    evidence_label = gettext_lazy("demands")
    params = {
        "min": Param("int", 1, gettext_lazy("Problems solved per point"), minimum=1),
    }

    def required_text(self):
        return _("at least %(n)s problems solved") % {"n": self.value("min")}

    def subjects(self, ctx):
        return point_subjects(ctx)
