from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import NOT_DUE, Param, Rule
from ._pending import cadre_subjects
from ._periods import due_months, in_spans, month_label, month_over, nothing_asked, window


class StayDaysPerMonth(Rule):
    """003: at least N confirmed days a month at the point."""

    type = "stay.days_per_month"
    label = gettext_lazy("Days a month at the point")
    params = {
        "min": Param("int", 2, gettext_lazy("Days a month"), minimum=1, maximum=31),
        "kinds": Param(
            "ref_list",
            [],
            gettext_lazy("Only cadres with a pairing of these kinds (empty: all)"),
            ref="pairing_kinds",
        ),
    }

    def required_text(self):
        return _("at least %(n)s confirmed days at the point every month") % {"n": self.value("min")}

    def evaluate(self, ctx):
        start, end = window(ctx)
        subjects = cadre_subjects(ctx, self.value("kinds"))
        days = defaultdict(set)
        for cadre_id, dates in ctx.stay_days([s[1] for s in subjects], start, end).items():
            for day in dates:
                days[(cadre_id, day.replace(day=1))].add(day)
        wanted = self.value("min")
        # The months the campaign asks for (half of their days or more in it), judged once over: at
        # the month's end, or the campaign's if it ends first.
        done = [m for m in due_months(ctx) if month_over(m, ctx)]
        cadres = {c.pk: c for c in ctx.cadres}
        # Of those, the months the cadre's pairing asks (half of their days or more paired, a
        # successor's from the handover); a cadre with no pairing, the campaign's.
        paired = ctx.month_spans(self.value("kinds"))
        campaign_spans = [ctx.campaign_span] if ctx.campaign_span else []
        verdicts = []
        for _kind, pk, _label, *_rest in subjects:
            cadre = cadres[pk]
            spans = paired.get(pk, campaign_spans)
            mine = [m for m in done if in_spans(m, spans)]
            short = [(m, len(days[(pk, m)])) for m in mine if len(days[(pk, m)]) < wanted]
            missing = [
                _("%(name)s stayed %(n)s of %(min)s days in %(month)s")
                % {"name": cadre.account, "n": n, "min": wanted, "month": month_label(m)}
                for m, n in short
            ]
            verdicts.append(
                self.cadre_verdict(
                    cadre,
                    required=self.required_text(),
                    actual=f"{len(mine) - len(short)}/{len(mine)}",
                    ok=not missing and bool(mine),
                    missing=missing
                    or [nothing_asked(spans, ctx.campaign_span) or _("no month has ended yet")],
                    status=NOT_DUE if not mine else None,
                )
            )
        return verdicts
