from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import NOT_DUE, Param, Rule
from ._periods import campaign_over, month_end, month_label, months, window


def _visit_keys(visit) -> set:
    """What a visit counts for: its household (also through a member), member and point."""
    keys = set()
    if visit["household_id"]:
        keys.add(("household", visit["household_id"]))
    if visit["member_id"]:
        keys.add(("member", visit["member_id"]))
        keys.add(("household", visit["member__household_id"]))
    if visit["point_id"]:
        keys.add(("point", visit["point_id"]))
    return keys


def pairing_key(p):
    if p.household_id:
        return ("household", p.household_id)
    if p.member_id:
        return ("member", p.member_id)
    return ("point", p.point_id)


class VisitsPerTarget(Rule):
    """000: every target visited ≥2 times in the campaign; 002: every household every month."""

    type = "visits.per_target"
    label = gettext_lazy("Every target is visited often enough")
    params = {
        "min": Param("int", 2, gettext_lazy("Visits per target"), minimum=1),
        "per": Param("text", "campaign", gettext_lazy("Counted per"), choices=("campaign", "month")),
        "kinds": Param(
            "ref_list",
            [],
            gettext_lazy("Pairing kinds whose targets count (empty: any)"),
            ref="pairing_kinds",
        ),
    }

    def required_text(self):
        return _("each target visited at least %(n)s times %(per)s") % {
            "n": self.value("min"),
            "per": self.period(),
        }

    def evaluate(self, ctx):
        from minqing.fieldwork.models import Visit

        start, end = window(ctx)
        targets = ctx.targets_of(self.value("kinds"))
        visits = Visit.objects.filter(
            campaign=ctx.campaign, date__gte=start, date__lte=end, cadre_id__in=list(targets)
        ).values("id", "cadre_id", "date", "household_id", "member_id", "member__household_id", "point_id")
        joined = Visit.others_present.through.objects.filter(
            visit__campaign=ctx.campaign,
            visit__date__gte=start,
            visit__date__lte=end,
            cadre_id__in=list(targets),
        ).values(
            "cadre_id",
            "visit__date",
            "visit__household_id",
            "visit__member_id",
            "visit__member__household_id",
            "visit__point_id",
        )
        per_month = self.value("per") == "month"
        counts: Counter = Counter()
        rows = list(visits) + [
            {
                "cadre_id": j["cadre_id"],
                "date": j["visit__date"],
                "household_id": j["visit__household_id"],
                "member_id": j["visit__member_id"],
                "member__household_id": j["visit__member__household_id"],
                "point_id": j["visit__point_id"],
            }
            for j in joined
        ]
        for row in rows:
            bucket = row["date"].replace(day=1) if per_month else None
            for key in _visit_keys(row):
                counts[(row["cadre_id"], key, bucket)] += 1
        wanted = self.value("min")
        due_months = [m for m in months(start, end) if month_end(m) < ctx.as_of] if per_month else [None]
        verdicts = []
        for cadre in ctx.cadres:
            mine = targets.get(cadre.pk)
            if not mine:
                continue
            missing, met = [], 0
            for pairing, label in mine:
                # A target counts from the month it was paired in (a successor's from the handover).
                months_paired = [m for m in due_months if m is None or m >= pairing.start.replace(day=1)]
                short = [(m, counts[(cadre.pk, pairing_key(pairing), m)]) for m in months_paired]
                short = [(m, n) for m, n in short if n < wanted]
                if not short:
                    met += 1
                for m, n in short:
                    missing.append(
                        _("%(target)s: visited %(n)s of %(min)s times in %(month)s")
                        % {"target": label, "n": n, "min": wanted, "month": month_label(m)}
                        if m
                        else _("%(target)s: visited %(n)s of %(min)s times")
                        % {"target": label, "n": n, "min": wanted}
                    )
            pending = (per_month and not due_months) or (not per_month and not campaign_over(ctx))
            verdicts.append(
                self.cadre_verdict(
                    cadre,
                    required=self.required_text(),
                    actual=f"{met}/{len(mine)}",
                    ok=not missing,
                    missing=missing,
                    status=NOT_DUE if missing and pending else None,
                )
            )
        return verdicts
