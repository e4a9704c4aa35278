from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import FAIL, NOT_DUE, PASS, Param, Rule
from ._periods import campaign_over, window


class ReliefPerTeam(Rule):
    """004: each team visits ≥20 vulnerable households with ≥200 yuan each."""

    type = "relief.per_team"
    label = gettext_lazy("Relief for vulnerable households per team")
    subject_type = "team"
    params = {
        "min_households": Param("int", 20, gettext_lazy("Households per team"), minimum=1),
        "min_yuan": Param("yuan", 200, gettext_lazy("Yuan per household, at least"), minimum=1),
    }

    def required_text(self):
        return _("at least %(n)s households, %(yuan)s yuan or more each") % {
            "n": self.value("min_households"),
            "yuan": self.value("min_yuan"),
        }

    def evaluate(self, ctx):
        from minqing.fieldwork.models import ReliefPayment

        start, end = window(ctx)
        paid = defaultdict(Decimal)
        for row in ReliefPayment.objects.filter(
            campaign=ctx.campaign, team__isnull=False, date__gte=start, date__lte=end
        ).values("team_id", "household_id", "amount_yuan"):
            paid[(row["team_id"], row["household_id"])] += row["amount_yuan"]
        floor, wanted = Decimal(self.value("min_yuan")), self.value("min_households")
        verdicts = []
        for team in ctx.teams:
            amounts = [amount for (team_id, _h), amount in paid.items() if team_id == team.pk]
            enough = sum(1 for amount in amounts if amount >= floor)
            below = len(amounts) - enough
            missing = []
            if enough < wanted:
                missing.append(
                    _("%(team)s reached %(n)s of %(min)s households")
                    % {"team": team.name, "n": enough, "min": wanted}
                )
                if below:
                    missing.append(
                        _("%(n)s households received less than %(yuan)s yuan")
                        % {"n": below, "yuan": self.value("min_yuan")}
                    )
            status = PASS if enough >= wanted else (FAIL if campaign_over(ctx) else NOT_DUE)
            verdicts.append(
                self.verdict(
                    subject_id=team.pk,
                    subject=team.name,
                    required=self.required_text(),
                    actual=enough,
                    status=status,
                    missing=missing,
                    team_id=team.pk,
                )
            )
        return verdicts
