from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param
from ._pending import PendingRule, cadre_subjects


class LeaderWeeklyRecord(PendingRule):
    type = "reports.leader_weekly"
    label = gettext_lazy("Leaders' weekly work record")
    evidence = ("appraisal", "LeaderRecord")
    evidence_label = gettext_lazy("leaders' weekly records")
    params = {
        "ranks": Param(
            "list",
            ["principal", "member"],
            gettext_lazy("Ranks this applies to"),
            choices=("principal", "member", "section_head", "staff"),
        ),
    }

    def required_text(self):
        return _("a work record every week")

    def subjects(self, ctx):
        return [
            s
            for s in cadre_subjects(ctx)
            if next(c for c in ctx.cadres if c.pk == s[1]).rank in self.value("ranks")
        ]
