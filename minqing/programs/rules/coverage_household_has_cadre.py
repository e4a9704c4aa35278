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
        from minqing.people.models import HardshipLevel, Household, Member

        covered = {p.household_id for p in ctx.pairings if p.household_id}
        covered |= {p.member.household_id for p in ctx.pairings if p.member_id}
        # Heads are named from the pairings already read (a paired household's head comes with
        # it); only the heads of households without a cadre are read here, by their ids: a join
        # of every household of the region to its head made the database scan all members.
        names = {
            p.household.head_id: p.household.head.name
            for p in ctx.pairings
            if p.household_id and p.household.head_id
        }
        households = list(
            Household.objects.filter(prefix_q("region_id", ctx.campaign.region.prefix))
            .filter(hardship_level__gte=self.value("min_level"))
            .order_by("region_id", "code")
            .values_list("id", "code", "hardship_level", "head_id")
        )
        unnamed = [head_id for pk, _code, _level, head_id in households if head_id and head_id not in names]
        if unnamed:
            names.update(Member.objects.filter(id__in=unnamed).values_list("id", "name"))
        labels = dict(HardshipLevel.choices)
        no_cadre = _("%(level)s household of %(head)s has no cadre")
        verdicts = []
        for pk, code, level, head_id in households:
            head_name = names.get(head_id) if head_id else None
            ok = pk in covered
            head = head_name or code
            verdicts.append(
                self.verdict(
                    subject_id=pk,
                    subject=f"{head}（{code}）",
                    required=1,
                    actual=int(ok),
                    status=PASS if ok else FAIL,
                    missing=[] if ok else [no_cadre % {"level": labels[level], "head": head}],
                )
            )
        return verdicts
