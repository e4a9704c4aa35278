from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import NOT_DUE, Param, Rule
from ._periods import campaign_over, window


class DeedsPerTarget(Rule):
    """000: 1–2 deeds for each linked household."""

    type = "deeds.per_target"
    label = gettext_lazy("Deeds for each linked household")
    params = {
        "min": Param("int", 1, gettext_lazy("Deeds per target, at least"), minimum=1),
        "max": Param("int", 2, gettext_lazy("Deeds per target, expected at most"), minimum=1),
        "kinds": Param(
            "ref_list",
            [],
            gettext_lazy("Pairing kinds whose targets count (empty: any)"),
            ref="pairing_kinds",
        ),
    }
    ordered = (("min", "max"),)

    def required_text(self):
        return _("%(min)s–%(max)s deeds for each linked household") % {
            "min": self.value("min"),
            "max": self.value("max"),
        }

    def evaluate(self, ctx):
        from minqing.fieldwork.models import Deed

        start, end = window(ctx)
        targets = ctx.targets_of(self.value("kinds"))
        counts = Counter(
            (row["cadre_id"], row["household_id"])
            for row in Deed.objects.filter(
                campaign=ctx.campaign,
                date__gte=start,
                date__lte=end,
                cadre_id__in=list(targets),
                household__isnull=False,
            )
            .order_by()  # counted, not listed: no sort
            .values("cadre_id", "household_id")
        )
        wanted = self.value("min")
        short_of = _("%(target)s: %(n)s of %(min)s deeds")
        verdicts = []
        for cadre in ctx.cadres:
            households = [p for p in targets.get(cadre.pk, ()) if p.household_id or p.member_id]
            if not households:
                continue
            missing = []
            for pairing in households:
                household_id = pairing.household_id or pairing.member.household_id
                n = counts[(cadre.pk, household_id)]
                if n < wanted:
                    missing.append(ctx.target_missing(short_of, pairing, n=n, min=wanted))
            verdicts.append(
                self.cadre_verdict(
                    cadre,
                    required=self.required_text(),
                    actual=f"{len(households) - len(missing)}/{len(households)}",
                    ok=not missing,
                    missing=missing,
                    status=NOT_DUE if missing and not campaign_over(ctx) else None,
                )
            )
        return verdicts
