from collections import defaultdict

from django.db.models import F, Q
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
        teams = team_subjects(ctx)
        subjects = teams or cadre_subjects(ctx)
        # (kind, id) → the dates someone was present for the subject, from confirmed days that
        # count for the campaign (AttendanceDay.in_campaign: as the dashboard and the stay rules
        # count them). A team's are its own work: its leader's or a member's days at one of its
        # points (one retired since included, for its days before), through the day the team
        # was dissolved; a member's day at another point for a pairing of their own is not the
        # team present. Without teams, each cadre's own. One query either way.
        present = defaultdict(set)
        if teams:
            crews = {
                team.pk: {c.pk for c in team.members.all()} | ({team.leader_id} if team.leader_id else set())
                for team in ctx.teams
            }
            days = AttendanceDay.objects.filter(
                AttendanceDay.in_campaign(ctx.campaign),
                Q(point__teams__dissolved_on__isnull=True) | Q(point__teams__dissolved_on__gte=F("date")),
                point__teams__in=list(crews),
                cadre_id__in=set().union(*crews.values()),
                status=AttendanceDay.Status.CONFIRMED,
                date__gte=start,
                date__lte=end,
            ).order_by()
            for team_id, cadre_id, day in day_values(days, "point__teams", "cadre_id", "date"):
                if cadre_id in crews[team_id]:
                    present[("team", team_id)].add(day)
        else:
            for cadre_id, dates in ctx.stay_days([s[1] for s in subjects], start, end).items():
                present[("cadre", cadre_id)].update(dates)
        wanted = [
            first.replace(day=d)
            for first in months(start, end)
            for d in self.value("days")
            if start <= first.replace(day=d) <= end and first.replace(day=d) < ctx.as_of
        ]
        verdicts = []
        for kind, pk, label, cadre_id, unit_id, team_id in subjects:
            absent = [day for day in wanted if day not in present[(kind, pk)]]
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
