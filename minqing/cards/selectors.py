"""Who is stationed where, for liaison cards and disclosure boards.

A cadre is stationed at a point by an active pairing with it, or as a member or leader of a
team of the campaign that covers it. Cards are printed for the cadres the user may see (org
scope) in a campaign the user may see; a board is public by design and shows only cadres:
name, unit, post, the phone they published (else masked), duty days and the intake QR."""

from dataclasses import dataclass

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from minqing.core.scope import get_scoped_or_404, scoped
from minqing.core.treecode import prefix_q
from minqing.fieldwork.models import Commitment
from minqing.org.models import Cadre
from minqing.programs.models import Campaign, LiaisonPoint, Pairing, Team

from .models import LiaisonCard


@dataclass
class CardEntry:
    cadre: Cadre
    campaign: Campaign
    point: LiaisonPoint | None
    phone: str
    phone_published: bool
    commitment: str
    duty_days: str
    url: str
    # What brings the cadre to the point, in the template's words (包村, 驻村工作队 · 队长, …).
    roles: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return str(self.cadre.account)

    @property
    def unit_name(self) -> str:
        """A section is named with its body (办公室 alone says nothing on a card)."""
        unit = self.cadre.unit
        if unit.kind == unit.Kind.SECTION and unit.parent_id:
            return f"{unit.parent.name}{unit.name}"
        return unit.name

    def qr_svg(self, scale: int = 3) -> str:
        """The intake URL as an inline SVG (for pages and PDFs alike)."""
        return segno.make(self.url, error="m").svg_inline(scale=scale, border=2)

    def qr_data_uri(self, scale: int = 6) -> str:
        return segno.make(self.url, error="m").svg_data_uri(scale=scale, border=2)


def site_url(request=None) -> str:
    """Where the QR codes lead residents: MINQING_SITE_URL where it is set; else the address
    the request came to (its Host, and https where the trusted proxy says so through
    SECURE_PROXY_SSL_HEADER), so that a server nobody configured never prints codes that
    lead to 127.0.0.1. "" without either (the command line then refuses)."""
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    if request is None:
        return ""
    return request.build_absolute_uri("/").rstrip("/")


def intake_url(*, site: str, campaign, point=None, cadre=None) -> str:
    """The public intake page for this campaign, point and cadre (what the QR code holds), on
    the site at `site` (site_url)."""
    query = f"?c={campaign.pk}"
    if point is not None:
        query += f"&p={point.pk}"
    if cadre is not None:
        query += f"&k={cadre.pk}"
    return site.rstrip("/") + reverse("tickets:public-intake") + query


def default_commitment() -> str:
    return _("Tell me about any difficulty: every request gets an answer.")


def campaign_duty_days(campaign: Campaign) -> str:
    """The fixed service days of the campaign's monthly service-days rule, when it has one on
    (001 树根: 每月6日、7日), in words: what a card or board line shows as duty days where
    the card names none of its own. "" without such a rule."""
    from minqing.programs.display import join_words
    from minqing.programs.rules import RULE_TYPES

    rule_type = RULE_TYPES["service_days.monthly"]
    for rule in campaign.config.get("rules", []):
        if rule.get("type") == rule_type.type and not rule.get("disabled"):
            days = sorted(rule.get("params", {}).get("days", rule_type.params["days"].default))
            if days:
                words = join_words(pgettext("day of the month", "%(day)s") % {"day": d} for d in days)
                return ngettext("every month on day %(days)s", "every month on days %(days)s", len(days)) % {
                    "days": words
                }
    return ""


def _stations(*, campaigns, points=None, cadres=None) -> dict[tuple[int, int, int], list[tuple]]:
    """(campaign id, cadre id, point id) of every stationing in these campaigns (and points,
    and cadres), each with what brings the cadre there: ("pairing", kind, slot) for an active
    pairing with the point, ("team", name, leads) for a team at it. Four queries whatever the
    number of cadres."""
    pairings = Pairing.objects.active_on(timezone.localdate()).filter(
        point__isnull=False, campaign__in=campaigns
    )
    team_points = Team.points.through.objects.filter(team__campaign__in=campaigns)
    if points is not None:
        pairings = pairings.filter(point__in=points)
        team_points = team_points.filter(liaisonpoint__in=points)
    if cadres is not None:
        pairings = pairings.filter(cadre__in=cadres)
    found: dict[tuple[int, int, int], list[tuple]] = {}
    for campaign_id, cadre_id, point_id, kind, slot in pairings.order_by(
        "campaign_id", "point_id", "cadre_id", "id"
    ).values_list("campaign_id", "cadre_id", "point_id", "kind", "slot"):
        found.setdefault((campaign_id, cadre_id, point_id), []).append(("pairing", kind, slot))
    by_team: dict[int, list[tuple[int, int]]] = {}
    team_names: dict[int, str] = {}
    for team_id, campaign_id, point_id, name in team_points.values_list(
        "team_id", "team__campaign_id", "liaisonpoint_id", "team__name"
    ):
        by_team.setdefault(team_id, []).append((campaign_id, point_id))
        team_names[team_id] = name
    if by_team:
        crew = Team.members.through.objects.filter(team_id__in=by_team.keys())
        if cadres is not None:
            crew = crew.filter(cadre__in=cadres)
        members = [
            (team_id, cadre_id, False) for team_id, cadre_id in crew.values_list("team_id", "cadre_id")
        ]
        leaders = Team.objects.filter(pk__in=by_team.keys(), leader__isnull=False)
        if cadres is not None:
            leaders = leaders.filter(leader__in=cadres)
        members += [(team_id, cadre_id, True) for team_id, cadre_id in leaders.values_list("id", "leader_id")]
        leading: dict[tuple[int, int], bool] = {}  # a leader listed as a member too is the leader
        for team_id, cadre_id, leads in sorted(members):
            leading[(team_id, cadre_id)] = leading.get((team_id, cadre_id), False) or leads
        for (team_id, cadre_id), leads in leading.items():
            for campaign_id, point_id in by_team[team_id]:
                found.setdefault((campaign_id, cadre_id, point_id), []).append(
                    ("team", team_names[team_id], leads)
                )
    return found


def _role_label(campaign: Campaign, role: tuple) -> str:
    if role[0] == "pairing":
        return campaign.pairing_label(role[1], role[2])
    name, leads = role[1], role[2]
    return _("%(team)s · leader") % {"team": name} if leads else name


def _entries(stations: dict[tuple[int, int, int], list[tuple]], site: str) -> list[CardEntry]:
    """Cards for the stationings, ordered by campaign, point, unit and cadre."""
    if not stations:
        return []
    cadre_ids = {s[1] for s in stations}
    point_ids = {s[2] for s in stations}
    cadres = Cadre.objects.select_related("account", "unit__parent").in_bulk(cadre_ids)
    points = LiaisonPoint.objects.select_related("region").in_bulk(point_ids)
    campaigns = Campaign.objects.in_bulk({s[0] for s in stations})
    cards = {c.cadre_id: c for c in LiaisonCard.objects.filter(cadre_id__in=cadre_ids)}
    promised: dict[tuple[int, int, int], str] = {}
    for campaign_id, cadre_id, point_id, title in (
        Commitment.objects.filter(
            plan__cadre_id__in=cadre_ids, plan__point_id__in=point_ids, done_on__isnull=True
        )
        .order_by("due", "id")
        .values_list("plan__campaign_id", "plan__cadre_id", "plan__point_id", "title")
    ):
        promised.setdefault((campaign_id, cadre_id, point_id), title)
    duty_days = {pk: campaign_duty_days(campaign) for pk, campaign in campaigns.items()}
    entries = []
    for (campaign_id, cadre_id, point_id), roles in stations.items():
        cadre, point, campaign = cadres[cadre_id], points[point_id], campaigns[campaign_id]
        card = cards.get(cadre_id)
        published = bool(card and card.published_phone)
        if published:
            phone = card.published_phone.reveal()
        else:
            phone = cadre.phone.mask() if cadre.phone else ""
        entries.append(
            CardEntry(
                cadre=cadre,
                campaign=campaign,
                point=point,
                phone=phone,
                phone_published=published,
                commitment=(card.commitment if card and card.commitment else "")
                or promised.get((campaign_id, cadre_id, point_id), "")
                or default_commitment(),
                duty_days=(card.duty_days if card else "") or duty_days[campaign_id],
                url=intake_url(site=site, campaign=campaign, point=point, cadre=cadre),
                roles=tuple(dict.fromkeys(_role_label(campaign, role) for role in roles)),
            )
        )
    entries.sort(
        key=lambda e: (e.campaign.pk, e.point.region_id, e.point.name, e.cadre.unit.path, e.cadre.pk)
    )
    return entries


def card_entries(*, user, campaign, site: str, point=None, cadre=None) -> list[CardEntry]:
    """The cards of a campaign (or of one point, or one cadre) that the user may print: the
    campaign, point and cadre must be in the user's scope (else 404), and only cadres the user
    may see are printed. Their codes lead to the site at `site` (site_url)."""
    from minqing.programs.selectors import campaign_get, point_get

    campaign = campaign_get(user=user, pk=campaign.pk) if user is not None else campaign
    points = None
    if point is not None:
        if user is not None:
            point = point_get(user=user, pk=point.pk)
        points = LiaisonPoint.objects.filter(pk=point.pk)
    cadres = scoped(Cadre, user, "org.view") if user is not None else None
    if cadre is not None:
        if user is not None:
            cadre = get_scoped_or_404(Cadre, user, "org.view", pk=cadre.pk)
        cadres = Cadre.objects.filter(pk=cadre.pk)
    stations = _stations(campaigns=Campaign.objects.filter(pk=campaign.pk), points=points, cadres=cadres)
    return _entries(stations, site)


def board_entries(*, village, site: str) -> list[CardEntry]:
    """The public disclosure board of a village: who is stationed at its points in the running
    campaigns. No scope: this list is published on purpose, and holds no resident's data."""
    points = LiaisonPoint.objects.filter(prefix_q("region_id", village.prefix))
    campaigns = Campaign.objects.filter(status=Campaign.Status.RUNNING)
    return _entries(_stations(campaigns=campaigns, points=points), site)
