"""Reads of programs, campaigns, points, teams, pairings and compliance, through the scope."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from minqing.core.scope import get_scoped_or_404, scope_q, scoped
from minqing.core.treecode import prefix_q
from minqing.org.models import Cadre, Unit
from minqing.people.models import Household

from . import engine
from .models import Campaign, LiaisonPoint, Pairing, Team, UnitPairing

VIEW, MANAGE = "programs.view", "programs.manage"


def campaign_list(*, user) -> QuerySet:
    return (
        scoped(Campaign, user, VIEW)
        .select_related("region")
        .annotate(pairing_count=Count("pairings", distinct=True))
        .order_by("-start", "id")
    )


def campaign_get(*, user, pk: int, permission: str = VIEW) -> Campaign:
    return get_scoped_or_404(Campaign.objects.select_related("region"), user, permission, pk=pk)


def can_manage_campaign(*, user, campaign: Campaign) -> bool:
    """Whether the user manages this campaign: the manage permission over its region."""
    return scoped(Campaign.objects.filter(pk=campaign.pk), user, MANAGE).exists()


def campaign_cadres(campaign: Campaign) -> QuerySet:
    """The cadres taking part: active cadres of the participating units (and their sections),
    or of every unit in the campaign's region when none are named."""
    units = list(campaign.units.all())
    if units:
        condition = Q(pk__in=[])
        for unit in units:
            condition |= prefix_q("unit__path", unit.path)
    else:
        condition = prefix_q("unit__region_id", campaign.region.prefix)
    return Cadre.objects.filter(condition, account__is_active=True).order_by("unit__path", "id")


def pairing_cadres(*, user, campaign: Campaign) -> QuerySet:
    """The cadres the user may pair in this campaign: taking part in it and among theirs."""
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


def point_list(*, user) -> QuerySet:
    return scoped(LiaisonPoint, user, VIEW).select_related("region").order_by("region_id", "name")


def point_get(*, user, pk: int) -> LiaisonPoint:
    return get_scoped_or_404(LiaisonPoint.objects.select_related("region"), user, VIEW, pk=pk)


def team_list(*, user, campaign: Campaign) -> QuerySet:
    return (
        scoped(Team.objects.filter(campaign=campaign), user, VIEW)
        .select_related("leader__account")
        .prefetch_related("members__account", "points")
    )


def compliance_teams(*, user, campaign: Campaign) -> list[engine.TeamSubjects]:
    """The campaign's teams the user may see, each with the cadres and points it answers for
    in the compliance report (three queries, whatever the number of teams)."""
    return team_subjects(scoped(Team.objects.filter(campaign=campaign), user, VIEW))


def team_subjects(teams: QuerySet) -> list[engine.TeamSubjects]:
    """These teams, by name, each with its leader, members and points (the command line, which
    sees every team of a campaign, passes its own)."""
    rows = list(teams.order_by("name", "id").values_list("pk", "name", "leader_id"))
    cadres: dict[int, set[int]] = {pk: {leader} if leader else set() for pk, _name, leader in rows}
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
        engine.TeamSubjects(pk, name, frozenset(cadres[pk]), frozenset(points[pk]))
        for pk, name, _leader in rows
    ]


def compliance(*, user, campaign: Campaign, as_of: dt.date) -> engine.ComplianceReport:
    """Every verdict of the campaign as of a date, limited to the subjects the user may see."""
    verdicts = engine.evaluate(campaign, as_of)
    visible = _visible_subjects(user, verdicts)
    return engine.ComplianceReport(
        campaign, as_of, [v for v in verdicts if v.subject_id in visible.get(v.subject_type, ())]
    )


def _visible_subjects(user, verdicts) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = {}
    for verdict in verdicts:
        wanted.setdefault(verdict.subject_type, set()).add(verdict.subject_id)
    models = {
        "cadre": (Cadre, "org.view"),
        "household": (Household, "people.view"),
        "team": (Team, VIEW),
        "point": (LiaisonPoint, VIEW),
        "unit": (Unit, "org.view"),
    }
    visible = {}
    for kind, ids in wanted.items():
        model, permission = models[kind]
        condition = scope_q(model, user, permission)
        if condition is None:
            visible[kind] = set()
            continue
        # One query per subject type, whatever the number of subjects (a long IN list
        # would exceed SQLite's limit on parameters, so very many ids are intersected here).
        qs = model.objects.filter(condition)
        if len(ids) <= 5000:
            qs = qs.filter(pk__in=ids)
        visible[kind] = set(qs.values_list("pk", flat=True)) & ids
    return visible
