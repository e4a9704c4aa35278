from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import FAIL, NOT_DUE, PASS, Param
from ._pending import PendingRule, point_subjects
from ._periods import campaign_over
from ._tickets import campaign_tickets, local_date


class ProblemsSolvedPerPoint(PendingRule):
    """004: each liaison point has at least N of its problems solved: a demand at the point
    that was replied to by the date, verified or closed, and not found unresolved at the
    follow-up."""

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

    def evaluate_records(self, ctx):
        from minqing.tickets.models import Status

        solved = Counter()
        for row in campaign_tickets(ctx, "point_id", "status", "replied_at", "resolved"):
            replied = local_date(row["replied_at"])
            if (
                row["point_id"]
                and row["status"] in (Status.VERIFIED, Status.CLOSED)
                and row["resolved"] is not False
                and replied is not None
                and replied <= ctx.as_of
            ):
                solved[row["point_id"]] += 1
        wanted = self.value("min")
        return [
            self.verdict(
                subject_type=kind,
                subject_id=pk,
                subject=label,
                required=self.required_text(),
                actual=solved[pk],
                # A campaign-long count: short of it is a failure only once the campaign is over.
                status=PASS if solved[pk] >= wanted else (FAIL if campaign_over(ctx) else NOT_DUE),
                missing=[]
                if solved[pk] >= wanted
                else [
                    _("%(point)s: %(n)s of %(min)s problems solved")
                    % {"point": label, "n": solved[pk], "min": wanted}
                ],
            )
            for kind, pk, label, _cadre, _unit, _team in point_subjects(ctx)
        ]
