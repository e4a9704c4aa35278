from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import NOT_DUE, Param
from ._pending import PendingRule, cadre_subjects
from ._periods import due_weeks


class LeaderWeeklyRecord(PendingRule):
    """002: each district leader submits a work record every week (assessment.LeaderRecord)."""

    type = "reports.leader_weekly"
    label = gettext_lazy("Leaders' weekly work record")
    evidence = ("assessment", "LeaderRecord")
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
        ranks = {c.pk: c.rank for c in ctx.cadres}
        return [s for s in cadre_subjects(ctx) if ranks.get(s[1]) in self.value("ranks")]

    def evaluate_records(self, ctx):
        from minqing.assessment.models import LeaderRecord

        # The weeks the campaign asks for (most of their working days in it), over by the day.
        weeks = due_weeks(ctx.campaign.start, ctx.campaign.end, ctx.as_of)
        start = ctx.campaign.start
        subjects = self.subjects(ctx)
        submitted = set(
            LeaderRecord.objects.filter(
                cadre_id__in=[s[1] for s in subjects],
                kind=LeaderRecord.Kind.WEEKLY,
                status=LeaderRecord.Status.SUBMITTED,
                start__gte=weeks[0] if weeks else start,
                start__lte=weeks[-1] if weeks else start,
            ).values_list("cadre_id", "start")
        )
        cadres = {c.pk: c for c in ctx.cadres}
        verdicts = []
        for _kind, pk, *_rest in subjects:
            missing = [
                _("no record for the week of %(day)s") % {"day": date_format(week)}
                for week in weeks
                if (pk, week) not in submitted
            ]
            verdicts.append(
                self.cadre_verdict(
                    cadres[pk],
                    required=self.required_text(),
                    actual=f"{len(weeks) - len(missing)}/{len(weeks)}",
                    ok=not missing and bool(weeks),
                    missing=missing or [_("no week is over yet")],
                    status=NOT_DUE if not weeks else None,
                )
            )
        return verdicts
