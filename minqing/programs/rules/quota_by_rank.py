from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param, Rule

RANKS = ("principal", "member", "section_head", "staff")


class HardshipQuotaByRank(Rule):
    """001: the principal links ≥2 households in hardship, leadership members and section
    heads ≥1 each; the number depends on the cadre's rank."""

    type = "quota.hardship_by_rank"
    label = gettext_lazy("Households in hardship per cadre, by rank")
    params = {
        "principal": Param("int", 2, gettext_lazy("Principal"), minimum=0),
        "member": Param("int", 1, gettext_lazy("Leadership member"), minimum=0),
        "section_head": Param("int", 1, gettext_lazy("Section head"), minimum=0),
        "staff": Param("int", 0, gettext_lazy("Staff"), minimum=0),
        "kinds": Param(
            "ref_list", [], gettext_lazy("Pairing kinds that count (empty: any)"), ref="pairing_kinds"
        ),
        "min_level": Param("int", 1, gettext_lazy("Lowest hardship level that counts"), minimum=1, maximum=3),
    }

    def evaluate(self, ctx):
        floor = self.value("min_level")
        households: dict[int, set] = {}
        for p in ctx.pairings_of_kinds(self.value("kinds")):
            household = p.household if p.household_id else (p.member.household if p.member_id else None)
            if household is not None and household.hardship_level >= floor:
                households.setdefault(p.cadre_id, set()).add(household.pk)
        counts = Counter({cadre_id: len(ids) for cadre_id, ids in households.items()})
        verdicts = []
        for cadre in ctx.cadres:
            wanted = self.value(cadre.rank) if cadre.rank in RANKS else 0
            if not wanted:
                continue
            actual = counts[cadre.pk]
            verdicts.append(
                self.cadre_verdict(
                    cadre,
                    required=wanted,
                    actual=actual,
                    ok=actual >= wanted,
                    missing=[
                        _("%(name)s (%(rank)s) links %(n)s of the %(min)s households in hardship required")
                        % {
                            "name": cadre.account,
                            "rank": cadre.get_rank_display(),
                            "n": actual,
                            "min": wanted,
                        }
                    ],
                )
            )
        return verdicts
