import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import FAIL, NOT_DUE, PASS, Param, Rule
from ._pending import point_subjects
from .deeds_per_point import point_counts


class ProjectsPerVillage(Rule):
    """001: 1–2 funded projects (or funds) secured for each village in a year."""

    type = "projects.per_village"
    label = gettext_lazy("Funded projects per village a year")
    subject_type = "point"
    params = {"min": Param("int", 1, gettext_lazy("Projects or funds a year, at least"), minimum=1)}

    def required_text(self):
        return _("at least %(n)s funded projects a year") % {"n": self.value("min")}

    def evaluate(self, ctx):
        from minqing.fieldwork.models import Deed
        from minqing.programs.models import LiaisonPoint

        subjects = point_subjects(ctx, ("village",))
        points = {p.pk: p for p in LiaisonPoint.objects.filter(pk__in=[s[1] for s in subjects])}
        year_start, year_end = dt.date(ctx.as_of.year, 1, 1), dt.date(ctx.as_of.year, 12, 31)
        rows = Deed.objects.filter(
            campaign=ctx.campaign,
            kind__in=[Deed.Kind.PROJECT, Deed.Kind.FUNDS],
            date__gte=year_start,
            date__lte=ctx.as_of,
        ).values("point_id", "region_id")
        counts = point_counts(points, rows)
        wanted = self.value("min")
        year_over = ctx.as_of >= year_end or (ctx.campaign.end is not None and ctx.as_of >= ctx.campaign.end)
        verdicts = []
        for _kind, pk, label, *_rest in subjects:
            n = counts[pk]
            status = PASS if n >= wanted else (FAIL if year_over else NOT_DUE)
            verdicts.append(
                self.verdict(
                    subject_id=pk,
                    subject=label,
                    required=self.required_text(),
                    actual=n,
                    status=status,
                    missing=[]
                    if n >= wanted
                    else [
                        _("%(point)s: %(n)s of %(min)s projects in %(year)s")
                        % {"point": label, "n": n, "min": wanted, "year": ctx.as_of.year}
                    ],
                )
            )
        return verdicts
