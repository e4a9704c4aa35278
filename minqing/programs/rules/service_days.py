from collections import defaultdict

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import FAIL, NOT_DUE, PASS, Param, Rule, day_values
from ._pending import cadre_subjects, team_subjects
from ._periods import months, window


class FixedServiceDays(Rule):
    """001: the village work team serves on the 6th and 7th of every month."""

    type = "service_days.monthly"
    label = gettext_lazy("Fixed service days every month")
    params = {"days": Param("int_list", [6, 7], gettext_lazy("Days of the month"), minimum=1, maximum=28)}

    def required_text(self):
        return _("present on days %(days)s of every month") % {
            "days": ", ".join(str(d) for d in self.value("days"))
        }

    def evaluate(self, ctx):
        from minqing.fieldwork.models import AttendanceDay

        start, end = window(ctx)
        teams = {t.pk: t for t in ctx.teams}
        subjects = team_subjects(ctx) or cadre_subjects(ctx)
        members = {}
        for kind, pk, *_rest in subjects:
            if kind == "team":
                team = teams[pk]
                members[(kind, pk)] = {c.pk for c in team.members.all()} | (
                    {team.leader_id} if team.leader_id else set()
                )
            else:
                members[(kind, pk)] = {pk}
        everyone = set().union(*members.values()) if members else set()
        present = defaultdict(set)
        for cadre_id, day in day_values(
            AttendanceDay.objects.filter(
                cadre_id__in=everyone,
                status=AttendanceDay.Status.CONFIRMED,
                date__gte=start,
                date__lte=end,
            ).order_by(),
            "cadre_id",
            "date",
        ):
            present[day].add(cadre_id)
        wanted = [
            first.replace(day=d)
            for first in months(start, end)
            for d in self.value("days")
            if start <= first.replace(day=d) <= end and first.replace(day=d) < ctx.as_of
        ]
        verdicts = []
        for kind, pk, label, cadre_id, unit_id, team_id in subjects:
            absent = [day for day in wanted if not (present[day] & members[(kind, pk)])]
            verdicts.append(
                self.verdict(
                    subject_type=kind,
                    subject_id=pk,
                    subject=label,
                    required=self.required_text(),
                    actual=f"{len(wanted) - len(absent)}/{len(wanted)}",
                    status=NOT_DUE if not wanted else (PASS if not absent else FAIL),
                    missing=[_("nobody present on %(day)s") % {"day": date_format(day)} for day in absent],
                    cadre_id=cadre_id,
                    unit_id=unit_id,
                    team_id=team_id,
                )
            )
        return verdicts
