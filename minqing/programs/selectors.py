"""Reads of programs, campaigns, points, teams, pairings and compliance, through the scope."""

import datetime as dt

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from minqing.core.models import AuditEvent
from minqing.core.scope import get_scoped_or_404, scope_for, scope_q, scoped
from minqing.core.treecode import prefix_q, prefixes_q
from minqing.geo.models import LEVEL_DIGITS
from minqing.org.models import Cadre, Unit
from minqing.people.models import Household, Member

from . import engine
from .models import Campaign, Handover, LiaisonPoint, Pairing, Team, UnitPairing
from .rules import Missing

VIEW, MANAGE = "programs.view", "programs.manage"


def campaign_list(*, user, reading: bool = False) -> QuerySet:
    """The campaigns in the user's scope (the list's figure of each: figures'
    targets_due_by_campaign); `reading`: those running over the user's area too, which the user
    may only read (campaign_area says which part)."""
    campaigns = campaigns_read(user=user) if reading else scoped(Campaign, user, VIEW)
    return campaigns.select_related("region").order_by("-start", "id")


def campaign_get(*, user, pk: int, permission: str = VIEW) -> Campaign:
    return get_scoped_or_404(Campaign.objects.select_related("region"), user, permission, pk=pk)


def within_area_q(user) -> Q:
    """Campaigns whose region contains part of the user's regions: a township office or a village
    branch reads the county's campaign for its own area."""
    condition = Q(pk__in=[])
    for prefix in scope_for(user).region_prefixes(VIEW):
        for level, digits in LEVEL_DIGITS.items():
            if digits <= len(prefix) and level <= 5:
                condition |= Q(region_id=prefix[:digits].ljust(12, "0"))
    return condition


def campaign_area(*, user, campaign: Campaign) -> tuple[str, ...]:
    """What part of the campaign the user reads: () for the whole (a grant over its region, or
    none inside it: a cadre reading their own records), else the user's region prefixes inside
    the campaign's region (a township office reading the county's campaign reads its work in the
    township — so too when the same account is also a cadre paired in that campaign). Decided
    from the grants alone (no query), for this user each time (one campaign object may serve
    several readers); also set on the campaign object, for the page and the API that show it."""
    top = campaign.region.prefix
    prefixes = scope_for(user).region_prefixes(VIEW)
    if any(top.startswith(p) for p in prefixes):
        area = ()
    else:
        area = tuple(sorted({p for p in prefixes if p.startswith(top)}))
    campaign.area = area
    return area


def campaigns_read(*, user) -> QuerySet:
    """The campaigns the user may read: those in scope and those running over the user's area."""
    return Campaign.objects.filter(Q(pk__in=scoped(Campaign, user, VIEW).values("pk")) | within_area_q(user))


def campaign_read(*, user, pk) -> Campaign:
    """A campaign to read (never to change): one in the user's scope, or one running over part
    of the user's area, read for that part (`campaign.area`, see campaign_area). 404 otherwise."""
    try:
        campaign = campaigns_read(user=user).select_related("region").get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    campaign_area(user=user, campaign=campaign)
    return campaign


def area_work(campaign: Campaign, area: tuple[str, ...]) -> tuple[set[int], set[int]]:
    """The cadres and teams of the campaign at work in the area: the cadres paired with a target
    there (at any time of the campaign) and the teams with a point there, with their leaders and
    members (three queries)."""
    cadres = set(
        Pairing.objects.filter(prefixes_q("region_id", area), campaign=campaign)
        .order_by()
        .values_list("cadre_id", flat=True)
        .distinct()
    )
    teams = set(
        Team.objects.filter(prefixes_q("points__region_id", area), campaign=campaign)
        .order_by()
        .values_list("pk", flat=True)
        .distinct()
    )
    if teams:
        for leader_id in Team.objects.filter(pk__in=teams).values_list("leader_id", flat=True):
            if leader_id:
                cadres.add(leader_id)
        cadres.update(
            Team.members.through.objects.filter(team_id__in=teams).values_list("cadre_id", flat=True)
        )
    return cadres, teams


def can_manage_campaign(*, user, campaign: Campaign) -> bool:
    """Whether the user manages this campaign: the manage permission over its region."""
    return scoped(Campaign.objects.filter(pk=campaign.pk), user, MANAGE).exists()


def campaign_cadres(campaign: Campaign) -> QuerySet:
    """The cadres taking part: active cadres of the participating units (and their sections),
    or of every unit in the campaign's region when none are named."""
    units = list(campaign.units.all())
    if units:
        condition = prefixes_q("unit__path", [unit.path for unit in units])
    else:
        condition = prefix_q("unit__region_id", campaign.region.prefix)
    return Cadre.objects.filter(condition, account__is_active=True).order_by("unit__path", "id")


def pairing_cadres(*, user, campaign: Campaign) -> QuerySet:
    """The cadres the user may pair, or put in a team, in this campaign: taking part in it
    and among theirs."""
    return (
        campaign_cadres(campaign)
        .filter(pk__in=scoped(Cadre, user, "org.view").values("pk"))
        .select_related("account", "unit__parent")
    )


def pairing_list(
    *, user, campaign: Campaign, cadre: Cadre | None = None, active_on: dt.date | None = None
) -> QuerySet:
    qs = scoped(Pairing.objects.filter(campaign=campaign), user, VIEW).select_related(
        "campaign", "cadre__account", "cadre__unit__parent", "household__head", "member", "point"
    )
    if cadre is not None:
        qs = qs.filter(cadre=cadre)
    if active_on is not None:
        qs = qs.active_on(active_on)
    return qs.order_by("cadre__unit__path", "cadre_id", "kind", "id")


def pairing_filter(
    qs: QuerySet, *, user, kind: str = "", status: str = "", q: str = "", today=None
) -> QuerySet:
    """Pairings of one kind; running (active), still to come or ended on `today`; whose
    cadre (name, account), liaison point (name) or household (number) matches `q`. Residents'
    names are searched on the households page, which records the search."""
    if kind:
        qs = qs.filter(kind=kind)
    if status == "active":
        qs = qs.active_on(today)
    elif status == "to_come":
        qs = qs.filter(start__gt=today)
    elif status == "ended":
        qs = qs.filter(end__lt=today)
    if q:
        # A point or household is matched only among those the user sees: a pairing seen
        # through its cadre's unit must not let its hidden target be guessed letter by letter.
        qs = qs.filter(
            Q(cadre__account__full_name__contains=q)
            | Q(cadre__account__username__iexact=q)
            | Q(point__name__contains=q, point__in=scoped(LiaisonPoint, user, VIEW).values("pk"))
            | Q(
                household__code__startswith=q,
                household__in=scoped(Household, user, "people.view").values("pk"),
            )
        )
    return qs


def unit_pairing_list(*, user, campaign: Campaign) -> QuerySet:
    """The campaign's unit pairings at the points the user sees, ended ones included."""
    return (
        UnitPairing.objects.filter(campaign=campaign, point__in=scoped(LiaisonPoint, user, VIEW).values("pk"))
        .select_related("unit__parent", "point")
        .order_by("unit__path", "point__name", "start", "id")
    )


def unit_pairing_get(*, user, campaign: Campaign, pk: int) -> UnitPairing:
    return get_object_or_404(unit_pairing_list(user=user, campaign=campaign), pk=pk)


def units_managed(*, user, unit_ids) -> set[int]:
    """Which of these units the user manages (the unit pairing form offers only those)."""
    return set(scoped(Unit.objects.filter(pk__in=set(unit_ids)), user, MANAGE).values_list("pk", flat=True))


# The list filters of teams and points: those still in use (the default), those ended, all.
CURRENT, ENDED, ALL = "current", "ended", "all"


def point_list(*, user, status: str = ALL) -> QuerySet:
    """The points the user sees: `current` (not retired), `retired`, or all of them."""
    qs = scoped(LiaisonPoint, user, VIEW).select_related("region").order_by("region_id", "name")
    if status == CURRENT:
        qs = qs.filter(retired_on__isnull=True)
    elif status == "retired":
        qs = qs.filter(retired_on__isnull=False)
    return qs


def campaign_points(*, user, campaign: Campaign) -> QuerySet:
    """The points the user sees in the campaign's region and not retired: what its forms
    offer (one outside, or retired, would only be refused)."""
    return point_list(user=user, status=CURRENT).filter(prefix_q("region_id", campaign.region.prefix))


def point_get(*, user, pk: int) -> LiaisonPoint:
    return get_scoped_or_404(LiaisonPoint.objects.select_related("region__parent"), user, VIEW, pk=pk)


def point_campaigns_above(*, user, point: LiaisonPoint) -> list[Campaign]:
    """The campaigns using this point (a cadre's or unit's pairing with it, or a team's point,
    at any time) that run over a region above the user's grants to manage: a township office
    reads the county's campaign at its village (campaign_area), and the point it is kept by,
    as that campaign's records name it, stays the county office's to rename, regrade or retire.
    None for an account that manages every campaign using it. One query."""
    campaigns = Campaign.objects.filter(
        Q(pk__in=Pairing.objects.filter(point=point).values("campaign_id"))
        | Q(pk__in=UnitPairing.objects.filter(point=point).values("campaign_id"))
        | Q(pk__in=Team.points.through.objects.filter(liaisonpoint=point).values("team__campaign_id"))
    ).select_related("region")
    prefixes = scope_for(user).region_prefixes(MANAGE)
    return [
        c
        for c in campaigns.order_by("start", "id")
        if not any(c.region.prefix.startswith(p) for p in prefixes)
    ]


def points_campaigns_above(*, user, point_ids) -> dict[int, list[Campaign]]:
    """point_campaigns_above for many points at once (a points import): {point id: the campaigns
    using it above the user's grants to manage}, only the points that have any. Four queries
    whatever the number of points (none for no points)."""
    point_ids = set(point_ids)
    if not point_ids:
        return {}
    uses = set(Pairing.objects.filter(point_id__in=point_ids).values_list("point_id", "campaign_id"))
    uses |= set(UnitPairing.objects.filter(point_id__in=point_ids).values_list("point_id", "campaign_id"))
    uses |= set(
        Team.points.through.objects.filter(liaisonpoint_id__in=point_ids).values_list(
            "liaisonpoint_id", "team__campaign_id"
        )
    )
    if not uses:
        return {}
    prefixes = scope_for(user).region_prefixes(MANAGE)
    above = [
        c
        for c in Campaign.objects.filter(pk__in={c for _p, c in uses})
        .select_related("region")
        .order_by("start", "id")
        if not any(c.region.prefix.startswith(p) for p in prefixes)
    ]
    found = {}
    for campaign in above:
        for point_id in sorted(p for p, c in uses if c == campaign.pk):
            found.setdefault(point_id, []).append(campaign)
    return found


def point_name_history(point: LiaisonPoint) -> list[dict]:
    """The corrections of a point's name and address, newest first, as the audit trail keeps
    them (point.update: who, when, what it was and became): one query."""
    events = AuditEvent.objects.filter(
        action="point.update", object_type=LiaisonPoint._meta.label_lower, object_id=str(point.pk)
    ).order_by("-at", "-id")
    history = []
    for event in events.select_related("user"):
        before, after = event.detail.get("before", {}), event.detail.get("after", {})
        history.append(
            {
                "at": event.at,
                "by": event.user or event.username,
                "changes": [
                    (field, before.get(field, ""), after.get(field, ""))
                    for field in ("name", "address")
                    if before.get(field, "") != after.get(field, "")
                ],
            }
        )
    return history


def point_pairings(*, user, point: LiaisonPoint) -> QuerySet:
    """The cadres' pairings with a point that the user sees, in the campaigns the user reads."""
    return (
        scoped(Pairing.objects.filter(point=point), user, VIEW)
        .filter(campaign__in=campaigns_read(user=user).values("pk"))
        .select_related("cadre__account", "campaign")
        .order_by("-start", "id")
    )


def household_pairings(*, user, household: Household) -> QuerySet:
    """The cadres paired with a household or one of its members that the user sees, in the
    campaigns the user reads, the running ones first, newest first (the household's page)."""
    return (
        scoped(Pairing.objects.filter(Q(household=household) | Q(member__household=household)), user, VIEW)
        .filter(campaign__in=campaigns_read(user=user).values("pk"))
        .select_related("cadre__account", "cadre__unit__parent", "campaign", "member")
        .order_by(F("end").desc(nulls_first=True), "-start", "-id")
    )


def point_unit_pairings(*, user, point: LiaisonPoint) -> QuerySet:
    """The unit pairings at a point the user sees (as unit_pairing_list gives them), in the
    campaigns the user reads."""
    return (
        UnitPairing.objects.filter(
            point=point,
            point__in=scoped(LiaisonPoint, user, VIEW).values("pk"),
            campaign__in=campaigns_read(user=user).values("pk"),
        )
        .select_related("unit__parent", "campaign")
        .order_by("-start", "id")
    )


def pairings_after(point: LiaisonPoint, after: dt.date) -> tuple[QuerySet, QuerySet]:
    """Every cadre's and unit's pairing with the point that still counts after this day
    (running, or still to come), whoever sees it: a point retired on that day would be left
    with them (services.point_retire counts them all; pages show them through the scope)."""
    running = Q(end__isnull=True) | Q(end__gt=after)
    return Pairing.objects.filter(running, point=point), UnitPairing.objects.filter(running, point=point)


def point_running_pairings(*, user, point: LiaisonPoint, after: dt.date) -> list[dict]:
    """What keeps a point from being retired on the day `after`, as far as the user sees it:
    for each campaign the user sees, how many of its cadres' and units' pairings with the
    point still count after that day. Three queries."""
    pairings, unit_pairings = pairings_after(point, after)
    seen = scoped(Campaign, user, VIEW).values("pk")
    found: dict[int, dict] = {}
    for campaign_id, n in (
        pairings.filter(campaign__in=seen).order_by().values_list("campaign_id").annotate(n=Count("id"))
    ):
        found.setdefault(campaign_id, {"pairings": 0, "unit_pairings": 0})["pairings"] = n
    for campaign_id, n in (
        unit_pairings.filter(campaign__in=seen).order_by().values_list("campaign_id").annotate(n=Count("id"))
    ):
        found.setdefault(campaign_id, {"pairings": 0, "unit_pairings": 0})["unit_pairings"] = n
    campaigns = Campaign.objects.in_bulk(list(found))
    return [
        {"campaign": campaigns[pk], **counts}
        for pk, counts in sorted(found.items(), key=lambda item: (campaigns[item[0]].start, item[0]))
    ]


def _teams_seen(user, campaign: Campaign) -> QuerySet:
    """The campaign's teams the user sees: all in scope, or those at work in the user's area."""
    area = campaign_area(user=user, campaign=campaign)
    teams = scoped(Team.objects.filter(campaign=campaign), user, VIEW)
    if area:
        teams = Team.objects.filter(campaign=campaign).filter(
            Q(pk__in=teams.values("pk")) | Q(pk__in=area_work(campaign, area)[1])
        )
    return teams


def mark_team_points(user, teams) -> list:
    """The teams, each with `points_seen` (its points the user may see, in order) and
    `points_unseen` (how many others): a team at work in a township office's area may also
    work elsewhere, whose points it neither names nor links. One query, whatever the teams."""
    teams = list(teams)
    ids = {p.pk for team in teams for p in team.points.all()}
    seen = set(scoped(LiaisonPoint.objects.filter(pk__in=ids), user, VIEW).values_list("pk", flat=True))
    for team in teams:
        points = list(team.points.all())
        team.points_seen = [p for p in points if p.pk in seen]
        team.points_unseen = len(points) - len(team.points_seen)
    return teams


def team_list(*, user, campaign: Campaign, status: str = ALL) -> QuerySet:
    """The campaign's teams the user sees: `current` (not dissolved), `dissolved`, or all."""
    qs = _teams_seen(user, campaign)
    if status == CURRENT:
        qs = qs.filter(dissolved_on__isnull=True)
    elif status == "dissolved":
        qs = qs.filter(dissolved_on__isnull=False)
    return (
        qs.select_related("leader__account")
        .prefetch_related("members__account", "members__unit__parent", "points")
        .order_by("id")  # as they were formed (一组, 二组, … not by the characters' codes)
    )


def compliance_teams(*, user, campaign: Campaign) -> list[engine.TeamSubjects]:
    """The campaign's teams the user may see, each with the cadres and points it answers for
    in the compliance report (three queries, whatever the number of teams)."""
    return team_subjects(_teams_seen(user, campaign))


def team_subjects(teams: QuerySet) -> list[engine.TeamSubjects]:
    """These teams, by name, each with its leader, members and points (the command line, which
    sees every team of a campaign, passes its own)."""
    rows = list(teams.order_by("name", "id").values_list("pk", "name", "leader_id", "dissolved_on"))
    cadres: dict[int, set[int]] = {pk: {leader} if leader else set() for pk, _name, leader, _end in rows}
    points: dict[int, set[int]] = {pk: set() for pk, *_rest in rows}
    if rows:
        chosen = teams.values("pk")
        for team_id, cadre_id in Team.members.through.objects.filter(team_id__in=chosen).values_list(
            "team_id", "cadre_id"
        ):
            cadres[team_id].add(cadre_id)
        for team_id, point_id in Team.points.through.objects.filter(team_id__in=chosen).values_list(
            "team_id", "liaisonpoint_id"
        ):
            points[team_id].add(point_id)
    return [
        engine.TeamSubjects(pk, name, frozenset(cadres[pk]), frozenset(points[pk]), dissolved_on)
        for pk, name, _leader, dissolved_on in rows
    ]


def compliance(*, user, campaign: Campaign, as_of: dt.date) -> engine.ComplianceReport:
    """Every verdict of the campaign as of a date, limited to the subjects the user may see;
    a missing item that names a target the user may not see says what is missing unnamed."""
    verdicts = engine.evaluate(campaign, as_of)
    visible = _visible_subjects(user, verdicts)
    area = campaign_area(user=user, campaign=campaign)
    if area:
        # Read for part of its area: the cadres and teams at work there too (a county bureau's
        # cadre paired in the township's village), not the units (each sums a whole bureau).
        cadres, teams = area_work(campaign, area)
        visible["cadre"] = visible.get("cadre", set()) | cadres
        visible["team"] = visible.get("team", set()) | teams
    verdicts = [v for v in verdicts if v.subject_id in visible.get(v.subject_type, ())]
    _unname_unseen_targets(user, verdicts)
    return engine.ComplianceReport(campaign, as_of, verdicts)


def compliance_region(*, user, campaign: Campaign, code: str):
    """The region the compliance checklist is narrowed to (?region=): one the user may see inside
    the campaign's region, else a 404, as the dashboard's selection; None when none is given."""
    from minqing.geo.models import Region

    code = (code or "").strip()
    if not code:
        return None
    region = get_scoped_or_404(Region, user, "geo.view", code=code)
    if not region.code.startswith(campaign.region.prefix):
        raise Http404
    return region


def verdicts_in_region(verdicts: list, *, campaign: Campaign, region) -> list:
    """The verdicts about subjects in the region's subtree: a cadre by its unit's region, a
    household, member or point by its own, a unit by its own, a team by one of its points
    there, else by its leader's unit (a few plain queries). The dashboard's compliance summary of
    a region and the compliance page narrowed to it count the same verdicts."""
    prefix = region.prefix
    regions: dict[str, dict] = {}
    kinds = {v.subject_type for v in verdicts}
    if "household" in kinds:
        regions["household"] = dict(Household.objects.values_list("pk", "region_id"))
    if "member" in kinds:
        regions["member"] = dict(Member.objects.values_list("pk", "household__region_id"))
    if "point" in kinds:
        regions["point"] = dict(LiaisonPoint.objects.values_list("pk", "region_id"))
    if "unit" in kinds:
        regions["unit"] = dict(Unit.objects.values_list("pk", "region_id"))
    if "cadre" in kinds:
        regions["cadre"] = dict(Cadre.objects.values_list("pk", "unit__region_id"))
    if "team" in kinds:
        teams = regions["team"] = {}
        # A team is in the region where one of its points is, else where its leader's unit is.
        for team_id, region_id in Team.points.through.objects.filter(team__campaign=campaign).values_list(
            "team_id", "liaisonpoint__region_id"
        ):
            if region_id and (region_id.startswith(prefix) or team_id not in teams):
                teams[team_id] = region_id
        for team_id, region_id in Team.objects.filter(campaign=campaign).values_list(
            "pk", "leader__unit__region_id"
        ):
            teams.setdefault(team_id, region_id)
    return [
        v for v in verdicts if (regions.get(v.subject_type, {}).get(v.subject_id) or "").startswith(prefix)
    ]


SUBJECT_SCOPES = {
    "cadre": (Cadre, "org.view"),
    "household": (Household, "people.view"),
    "member": (Member, "people.view"),
    "team": (Team, VIEW),
    "point": (LiaisonPoint, VIEW),
    "unit": (Unit, "org.view"),
}


def _visible_ids(user, kind: str, ids: set[int]) -> set[int]:
    """Which of these subjects or targets of one kind the user may see (one query)."""
    model, permission = SUBJECT_SCOPES[kind]
    condition = scope_q(model, user, permission)
    if condition is None:
        return set()
    # One query whatever the number of ids (a long IN list would exceed SQLite's limit on
    # parameters, so very many ids are intersected here).
    qs = model.objects.filter(condition)
    if len(ids) <= 5000:
        qs = qs.filter(pk__in=ids)
    return set(qs.values_list("pk", flat=True)) & ids


def cadre_pairings(*, user, cadre: Cadre) -> list:
    """Every pairing of one cadre the user sees, across campaigns, newest first, with those a
    handover moved whole from the cadre (begun on its day or later: the successor's from their
    start). Each pairing the cadre handed over carries `handed_over` (the Handover: to whom,
    on which day) — whole, or ended the day before with a successor's pairing following it —
    and `successor_unseen` when the user may not see the successor. A few queries."""
    whole = Handover.moved_whole.through.objects.filter(handover__from_cadre=cadre)
    pairings = mark_unseen(
        user,
        scoped(Pairing.objects.filter(Q(cadre=cadre) | Q(pk__in=whole.values("pairing_id"))), user, VIEW)
        .select_related("campaign", "household__head", "member", "point")
        .order_by("-start", "id"),
    )
    handovers = list(Handover.objects.filter(from_cadre=cadre).select_related("to_cadre__account"))
    if not handovers:
        return pairings
    by_id = {h.pk: h for h in handovers}
    # A pairing moved whole twice from this cadre (handed back and on again): the last.
    moved = dict(whole.order_by("handover__at", "handover_id").values_list("pairing_id", "handover_id"))
    ended = [p.pk for p in pairings if p.cadre_id == cadre.pk and p.end is not None]
    followed = {
        predecessor: (start, holder)
        for predecessor, start, holder in Pairing.objects.filter(handed_over_from__in=ended).values_list(
            "handed_over_from_id", "start", "cadre_id"
        )
    }
    for pairing in pairings:
        handover = by_id.get(moved.get(pairing.pk)) if pairing.cadre_id != cadre.pk else None
        if pairing.pk in followed:
            # The handover of the day the successor's pairing starts, to its holder if it is
            # still theirs (two handovers of one day went to two successors).
            day, holder = followed[pairing.pk]
            that_day = [h for h in handovers if h.on_date == day]
            handover = next(
                (h for h in that_day if h.to_cadre_id == holder), that_day[0] if that_day else None
            )
        pairing.handed_over = handover
    seen = set(
        scoped(Cadre, user, "org.view")
        .filter(pk__in={h.to_cadre_id for h in handovers})
        .values_list("pk", flat=True)
    )
    for pairing in pairings:
        pairing.successor_unseen = (
            pairing.handed_over is not None and pairing.handed_over.to_cadre_id not in seen
        )
    return pairings


def mark_unseen(user, pairings) -> list:
    """The pairings, each marked `target_unseen` when the user may not see its household,
    member or point, and `campaign_unseen` when not its campaign (a pairing is seen through
    its cadre's unit too): the pages then name neither. One query per kind, whatever the rows."""
    pairings = list(pairings)
    wanted: dict[str, set[int]] = {}
    for p in pairings:
        wanted.setdefault(p.target_type, set()).add(p.household_id or p.member_id or p.point_id)
    seen = {kind: _visible_ids(user, kind, ids) for kind, ids in wanted.items()}
    campaigns = {p.campaign_id for p in pairings}
    seen_campaigns = set(
        scoped(Campaign.objects.filter(pk__in=campaigns), user, VIEW).values_list("pk", flat=True)
    )
    for p in pairings:
        p.target_unseen = (p.household_id or p.member_id or p.point_id) not in seen[p.target_type]
        p.campaign_unseen = p.campaign_id not in seen_campaigns
    return pairings


def _visible_subjects(user, verdicts) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = {}
    for verdict in verdicts:
        wanted.setdefault(verdict.subject_type, set()).add(verdict.subject_id)
    return {kind: _visible_ids(user, kind, ids) for kind, ids in wanted.items()}


def _unname_unseen_targets(user, verdicts) -> None:
    """A cadre the user sees may be paired with households, members or points the user may
    not see: the missing items naming those say the same (one item each, the same numbers)
    without the name. One query per kind of target named."""
    named: dict[str, set[int]] = {}
    for verdict in verdicts:
        for item in verdict.missing:
            if isinstance(item, Missing):
                named.setdefault(item.target_type, set()).add(item.target_id)
    unseen = {kind: ids - _visible_ids(user, kind, ids) for kind, ids in named.items()}
    if not any(unseen.values()):
        return
    labels = {
        "household": _("a paired household outside your area"),
        "member": _("a paired person outside your area"),
        "point": _("a paired liaison point outside your area"),
    }
    for verdict in verdicts:
        if any(
            isinstance(item, Missing) and item.target_id in unseen[item.target_type]
            for item in verdict.missing
        ):
            verdict.missing = [
                item.named_as(labels[item.target_type])
                if isinstance(item, Missing) and item.target_id in unseen[item.target_type]
                else item
                for item in verdict.missing
            ]
