from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, team_subjects


class TeamSummaryOnTime(PendingRule):
    type = "reports.team_summary"
    label = gettext_lazy("Team summary by its date")
    evidence = ("fieldwork", "TeamSummary")
    evidence_label = gettext_lazy("team summaries")
    params = {
        "due": Param("date", None, gettext_lazy("Due by")),
    }

    def required_text(self):
        return _("the team summary by %(due)s") % {"due": self.shown_date("due")}

    def subjects(self, ctx):
        return team_subjects(ctx)
