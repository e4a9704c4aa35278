from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, cadre_subjects, point_subjects, team_subjects


class ActivitiesHeld(PendingRule):
    type = "activities.held"
    label = gettext_lazy("Listed activities held in each period")
    evidence = ("fieldwork", "Activity")
    evidence_label = gettext_lazy("activities")
    params = {
        "activities": Param("ref_list", None, gettext_lazy("Activities"), ref="activities"),
        "per": Param(
            "text",
            "phase",
            gettext_lazy("Counted per"),
            choices=("phase", "month", "half_year", "year", "campaign"),
        ),
        "phase": Param("ref", "", gettext_lazy("In phase"), ref="phases"),
        "subject": Param("text", "cadre", gettext_lazy("Held by each"), choices=("cadre", "team", "point")),
    }

    def required_text(self):
        return _("each of %(n)s listed activities held %(per)s") % {
            "n": len(self.value("activities")),
            "per": self.period(),
        }

    def subjects(self, ctx):
        return {"team": team_subjects, "point": point_subjects}.get(self.value("subject"), cadre_subjects)(
            ctx
        )
