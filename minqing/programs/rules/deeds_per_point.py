from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import FAIL, NOT_DUE, PASS, Param, Rule
from ._pending import point_subjects
from ._periods import campaign_over, window


def point_counts(points, rows):
    """How many records each point has: on the point itself, or for a household of the
    village the point is (a household's region is its villagers' group or its village)."""
    by_village = {p.region_id: pk for pk, p in points.items() if p.kind == "village"}
    counts = Counter()
    for row in rows:
        if row["point_id"] in points:
            counts[row["point_id"]] += 1
        elif (pk := by_village.get((row["region_id"] or "")[:12])) is not None:
            counts[pk] += 1
    return counts


class DeedsPerPoint(Rule):
    """004: 1–2 deeds at each point."""

    type = "deeds.per_point"
    label = gettext_lazy("Deeds at each point")
    subject_type = "point"
    params = {"min": Param("int", 1, gettext_lazy("Deeds per point"), minimum=1)}

    def required_text(self):
        return _("at least %(n)s deeds at the point") % {"n": self.value("min")}

    def evaluate(self, ctx):
        from minqing.fieldwork.models import Deed
        from minqing.programs.models import LiaisonPoint

        start, end = window(ctx)
        subjects = point_subjects(ctx)
        points = {p.pk: p for p in LiaisonPoint.objects.filter(pk__in=[s[1] for s in subjects])}
        rows = Deed.objects.filter(campaign=ctx.campaign, date__gte=start, date__lte=end).values(
            "point_id", "region_id"
        )
        counts = point_counts(points, rows)
        wanted = self.value("min")
        verdicts = []
        for _kind, pk, label, *_rest in subjects:
            n = counts[pk]
            status = PASS if n >= wanted else (NOT_DUE if not campaign_over(ctx) else FAIL)
            verdicts.append(
                self.verdict(
                    subject_id=pk,
                    subject=label,
                    required=self.required_text(),
                    actual=n,
                    status=status,
                    missing=[]
                    if n >= wanted
                    else [_("%(point)s: %(n)s of %(min)s deeds") % {"point": label, "n": n, "min": wanted}],
                )
            )
        return verdicts
