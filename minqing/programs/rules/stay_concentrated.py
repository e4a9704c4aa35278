from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import NOT_DUE, Param, Rule
from ._pending import cadre_subjects
from ._periods import campaign_over, longest_run, window


class ConcentratedStay(Rule):
    """000: a concentrated stay of at least a week (consecutive confirmed days)."""

    type = "stay.concentrated"
    label = gettext_lazy("A concentrated stay of consecutive days")
    params = {
        "min_consecutive": Param("int", 7, gettext_lazy("Consecutive days"), minimum=2, maximum=60),
        "kinds": Param(
            "ref_list",
            [],
            gettext_lazy("Only cadres with a pairing of these kinds (empty: all)"),
            ref="pairing_kinds",
        ),
    }

    def required_text(self):
        return _("a stay of at least %(n)s consecutive days") % {"n": self.value("min_consecutive")}

    def evaluate(self, ctx):
        start, end = window(ctx)
        subjects = cadre_subjects(ctx, self.value("kinds"))
        days = defaultdict(list, ctx.stay_days([s[1] for s in subjects], start, end))
        wanted = self.value("min_consecutive")
        cadres = {c.pk: c for c in ctx.cadres}
        shortest = _("%(name)s's longest stay is %(n)s of %(min)s consecutive days")  # translated once
        verdicts = []
        for _kind, pk, *_rest in subjects:
            run = longest_run(days[pk])
            verdicts.append(
                self.cadre_verdict(
                    cadres[pk],
                    required=self.required_text(),
                    actual=run,
                    ok=run >= wanted,
                    missing=[shortest % {"name": cadres[pk].account, "n": run, "min": wanted}]
                    if run < wanted
                    else [],
                    status=NOT_DUE if run < wanted and not campaign_over(ctx) else None,
                )
            )
        return verdicts
