from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param, Rule


class CadreHasTarget(Rule):
    """000: every cadre in the campaign has at least N liaison targets."""

    type = "coverage.cadre_has_target"
    label = gettext_lazy("Every cadre has a liaison target")
    params = {
        "min": Param("int", 1, gettext_lazy("Targets per cadre"), minimum=1),
        "kinds": Param(
            "ref_list", [], gettext_lazy("Pairing kinds that count (empty: any)"), ref="pairing_kinds"
        ),
        "ranks": Param(
            "list",
            [],
            gettext_lazy("Ranks this applies to (empty: all)"),
            choices=("principal", "member", "section_head", "staff"),
        ),
    }

    def evaluate(self, ctx):
        wanted = self.value("min")
        counts = Counter(p.cadre_id for p in ctx.pairings_of_kinds(self.value("kinds")))
        ranks = set(self.value("ranks"))
        # Translated once, not for each of a county's cadres.
        none_yet = _("%(name)s has no liaison target")
        too_few = _("%(name)s has %(n)s of %(min)s liaison targets")
        return [
            self.cadre_verdict(
                cadre,
                required=wanted,
                actual=counts[cadre.pk],
                ok=counts[cadre.pk] >= wanted,
                missing=[]
                if counts[cadre.pk] >= wanted
                else [
                    none_yet % {"name": cadre.account}
                    if counts[cadre.pk] == 0
                    else too_few % {"name": cadre.account, "n": counts[cadre.pk], "min": wanted}
                ],
            )
            for cadre in ctx.cadres
            if not ranks or cadre.rank in ranks
        ]
