from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import Param, Rule

POINT_KINDS = ("township", "village", "enterprise", "key_project")


class LeaderLinks(Rule):
    """002: each leader links 1 township, 1 village, 1 non-public enterprise and 1 key project."""

    type = "quota.leader_links"
    label = gettext_lazy("Each leader links the required kinds of points")
    params = {
        "ranks": Param(
            "list",
            ["principal", "member"],
            gettext_lazy("Ranks this applies to"),
            choices=("principal", "member", "section_head", "staff"),
        ),
        "kinds": Param(
            "ref_list", [], gettext_lazy("Pairing kinds that count (empty: any)"), ref="pairing_kinds"
        ),
        "township": Param("int", 1, gettext_lazy("Townships"), minimum=0),
        "village": Param("int", 1, gettext_lazy("Villages or communities"), minimum=0),
        "enterprise": Param("int", 1, gettext_lazy("Enterprises"), minimum=0),
        "key_project": Param("int", 1, gettext_lazy("Key projects"), minimum=0),
    }

    def evaluate(self, ctx):
        from ..models import LiaisonPoint

        labels = dict(LiaisonPoint.Kind.choices)
        links: dict[int, Counter] = {}
        for p in ctx.pairings_of_kinds(self.value("kinds")):
            if p.point_id:
                links.setdefault(p.cadre_id, Counter())[p.point.kind] += 1
        ranks = set(self.value("ranks"))
        verdicts = []
        for cadre in ctx.cadres:
            if cadre.rank not in ranks:
                continue
            have = links.get(cadre.pk, Counter())
            wanted = {kind: self.value(kind) for kind in POINT_KINDS if self.value(kind)}
            missing = [
                _("%(name)s links %(n)s of %(min)s: %(kind)s")
                % {"name": cadre.account, "n": have[kind], "min": need, "kind": labels[kind]}
                for kind, need in wanted.items()
                if have[kind] < need
            ]
            verdicts.append(
                self.cadre_verdict(
                    cadre,
                    required=sum(wanted.values()),
                    actual=sum(min(have[k], n) for k, n in wanted.items()),
                    ok=not missing,
                    missing=missing,
                )
            )
        return verdicts
