from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, point_subjects


class DeedsPerPoint(PendingRule):
    type = "deeds.per_point"
    label = gettext_lazy("Deeds at each point")
    evidence = ("fieldwork", "Deed")
    evidence_label = gettext_lazy("deeds")
    params = {
        "min": Param("int", 1, gettext_lazy("Deeds per point"), minimum=1),
    }

    def required_text(self):
        return _("at least %(n)s deeds at the point") % {"n": self.value("min")}

    def subjects(self, ctx):
        return point_subjects(ctx)
