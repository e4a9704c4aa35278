"""The dashboard's "cadres at risk of recall" tile (figures' tile registry): its number is
the length of its list, the at-risk cadres of the selection the viewer may see."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy

from minqing.figures.selectors import Tile, register_tile

from . import selectors


@dataclass
class AtRiskRow:
    flagged: selectors.AtRisk
    campaign_id: int

    def __str__(self):
        cadre = self.flagged.cadre
        return f"{cadre.account}（{cadre.unit.label}）：{'；'.join(str(r) for r in self.flagged.reasons)}"

    def get_absolute_url(self) -> str:
        return f"{reverse('assessment:recall-list')}?campaign={self.campaign_id}"


@dataclass
class AtRiskTile(Tile):
    def records(self, user, sel) -> list[AtRiskRow]:
        flagged = selectors.at_risk_visible(user=user, campaign=sel.campaign, as_of=sel.as_of)
        if sel.cadre is not None:
            flagged = [f for f in flagged if f.cadre.pk == sel.cadre.pk]
        elif sel.unit is not None:
            flagged = [f for f in flagged if f.cadre.unit.path.startswith(sel.unit.path)]
        elif sel.team is not None:
            members = {c.pk for c in sel.team.members.all()} | {sel.team.leader_id}
            flagged = [f for f in flagged if f.cadre.pk in members]
        elif sel.region is not None:
            flagged = [f for f in flagged if f.cadre.unit.region_id.startswith(sel.region.prefix)]
        return [AtRiskRow(f, sel.campaign.pk) for f in flagged]


def register() -> None:
    register_tile(
        AtRiskTile(
            "recall_at_risk",
            gettext_lazy("Cadres at risk of recall"),
            "recall",
            help=gettext_lazy(
                "Flagged by the campaign's recall rule (residents' score, absences, composite score)."
            ),
            deferred=True,
        ),
        section_label=gettext_lazy("Assessment and recall"),
    )
