from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core.treecode import prefix_q

from . import FAIL, PASS, Param, Rule


class HouseholdHasCadre(Rule):
    """000: every household at or above a hardship level in the campaign's region has a cadre."""

    type = "coverage.household_has_cadre"
    label = gettext_lazy("Every household in hardship has a cadre")
    subject_type = "household"
    params = {
        "min_level": Param(
            "int", 1, gettext_lazy("Lowest hardship level that must be covered"), minimum=1, maximum=3
        ),
    }

    def evaluate(self, ctx):
        from minqing.people.models import HardshipLevel, Household

        covered = {p.household_id for p in ctx.pairings if p.household_id}
        covered |= {p.member.household_id for p in ctx.pairings if p.member_id}
        households = (
            Household.objects.filter(prefix_q("region_id", ctx.campaign.region.prefix))
            .filter(hardship_level__gte=self.value("min_level"))
            .select_related("head")
            .only("id", "code", "hardship_level", "head__name")
            .order_by("region_id", "code")
        )
        labels = dict(HardshipLevel.choices)
        verdicts = []
        for household in households:
            ok = household.pk in covered
            head = household.head.name if household.head_id else household.code
            verdicts.append(
                self.verdict(
                    subject_id=household.pk,
                    subject=f"{head}（{household.code}）",
                    required=1,
                    actual=int(ok),
                    status=PASS if ok else FAIL,
                    missing=[]
                    if ok
                    else [
                        _("%(level)s household of %(head)s has no cadre")
                        % {"level": labels[household.hardship_level], "head": head}
                    ],
                )
            )
        return verdicts
