from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import FAIL, NOT_DUE, PASS, Param, Rule


class TeamSummaryOnTime(Rule):
    """004: each team's summary by 5 April."""

    type = "reports.team_summary"
    label = gettext_lazy("Team summary by its date")
    subject_type = "team"
    params = {"due": Param("date", None, gettext_lazy("Due by"))}

    def required_text(self):
        return _("the team summary by %(due)s") % {"due": self.shown_date("due")}

    def evaluate(self, ctx):
        from minqing.fieldwork.models import TeamSummary

        due = self.date("due")
        filed = dict(
            TeamSummary.objects.filter(
                campaign=ctx.campaign, submitted_on__isnull=False, submitted_on__lte=ctx.as_of
            ).values_list("team_id", "submitted_on")
        )
        verdicts = []
        for team in ctx.teams:
            day = filed.get(team.pk)
            if day is not None and day <= due:
                status, missing = PASS, []
            elif day is not None:
                status, missing = (
                    FAIL,
                    [
                        _("submitted on %(day)s, after %(due)s")
                        % {"day": date_format(day), "due": date_format(due)}
                    ],
                )
            else:
                status = NOT_DUE if ctx.as_of <= due else FAIL
                missing = [_("%(team)s has not submitted its summary") % {"team": team.name}]
            verdicts.append(
                self.verdict(
                    subject_id=team.pk,
                    subject=team.name,
                    required=self.required_text(),
                    actual=date_format(day) if day else "—",
                    status=status,
                    missing=missing,
                    team_id=team.pk,
                )
            )
        return verdicts
