from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, team_subjects


class ReliefPerTeam(PendingRule):
    type = "relief.per_team"
    label = gettext_lazy("Relief for vulnerable households per team")
    evidence = ("fieldwork", "ReliefPayment")
    evidence_label = gettext_lazy("relief payments")
    params = {
        "min_households": Param("int", 20, gettext_lazy("Households per team"), minimum=1),
        "min_yuan": Param("yuan", 200, gettext_lazy("Yuan per household, at least"), minimum=1),
    }

    def required_text(self):
        return _("at least %(n)s households, %(yuan)s yuan or more each") % {
            "n": self.value("min_households"),
            "yuan": self.value("min_yuan"),
        }

    def subjects(self, ctx):
        return team_subjects(ctx)
