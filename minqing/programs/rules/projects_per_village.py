from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, point_subjects


class ProjectsPerVillage(PendingRule):
    type = "projects.per_village"
    label = gettext_lazy("Funded projects per village a year")
    evidence = ("fieldwork", "Deed")
    evidence_label = gettext_lazy("deeds")
    params = {
        "min": Param("int", 1, gettext_lazy("Projects or funds a year, at least"), minimum=1),
    }

    def required_text(self):
        return _("at least %(n)s funded projects a year") % {"n": self.value("min")}

    def subjects(self, ctx):
        return point_subjects(ctx, ("village",))
