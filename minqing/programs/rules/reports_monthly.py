from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import NOT_DUE, Param, Rule
from ._periods import due_months, in_spans, month_label, next_month, nothing_asked


class MonthlyReportOnTime(Rule):
    """003: each cadre reports on the month by the 5th of the next month."""

    type = "reports.monthly"
    label = gettext_lazy("Monthly report on time")
    params = {
        "due_day": Param("int", 5, gettext_lazy("Due by this day of the next month"), minimum=1, maximum=28),
        "kinds": Param(
            "ref_list",
            [],
            gettext_lazy("Only cadres with a pairing of these kinds (empty: all)"),
            ref="pairing_kinds",
        ),
    }

    def required_text(self):
        return _("the monthly report by day %(n)s of the next month") % {"n": self.value("due_day")}

    def evaluate(self, ctx):
        from minqing.fieldwork.models import MonthlyReport

        submitted = {
            (row["cadre_id"], row["month"]): row["submitted_on"]
            for row in MonthlyReport.objects.filter(
                campaign=ctx.campaign, status=MonthlyReport.Status.SUBMITTED
            ).values("cadre_id", "month", "submitted_on")
        }
        day = self.value("due_day")
        # A report for each month the campaign asks for (half of its days or more in it), as the stay
        # rule asks the days: a part-month at the start or end asks none (one filed is kept).
        due = [(m, next_month(m).replace(day=day)) for m in due_months(ctx)]
        due = [(m, d) for m, d in due if d < ctx.as_of]
        kinds = set(self.value("kinds"))
        reporting = {p.cadre_id for p in ctx.pairings if p.kind in kinds} if kinds else None
        # Of those, the months the cadre's pairing asks (half of their days or more paired, a
        # successor's from the handover); a cadre with no pairing, the campaign's.
        paired = ctx.month_spans(self.value("kinds"))
        campaign_spans = [ctx.campaign_span] if ctx.campaign_span else []
        verdicts = []
        for cadre in ctx.cadres:
            if reporting is not None and cadre.pk not in reporting:
                continue
            spans = paired.get(cadre.pk, campaign_spans)
            mine = [(m, d) for m, d in due if in_spans(m, spans)]
            missing = []
            for month, deadline in mine:
                filed = submitted.get((cadre.pk, month))
                if filed is None:
                    missing.append(
                        _("the report for %(month)s was not submitted") % {"month": month_label(month)}
                    )
                elif filed > deadline:
                    missing.append(
                        _("the report for %(month)s was submitted on %(day)s, after %(due)s")
                        % {
                            "month": month_label(month),
                            "day": date_format(filed),
                            "due": date_format(deadline),
                        }
                    )
            verdicts.append(
                self.cadre_verdict(
                    cadre,
                    required=self.required_text(),
                    actual=f"{len(mine) - len(missing)}/{len(mine)}",
                    ok=not missing and bool(mine),
                    missing=missing or [nothing_asked(spans, ctx.campaign_span) or _("no report is due yet")],
                    status=NOT_DUE if not mine else None,
                )
            )
        return verdicts
