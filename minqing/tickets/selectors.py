"""Reads of tickets, always through the data scope, and the figures of 12345 接诉即办.

The exact definitions of the rates are in docs/figures.md; `rates` computes all four
for any grouping in one aggregate query."""

import datetime as dt

from django.db.models import Count, F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from minqing.core.scope import get_scoped_or_404, scope_for, scoped
from minqing.core.treecode import prefix_q, prefixes_q
from minqing.geo.models import LEVEL_DIGITS, Region, level_of_code
from minqing.org.models import Unit

from .models import FINISHED, DeadlineExtension, Satisfaction, Status, Ticket, TicketEvent

VIEW = "tickets.view"
CREATE = "tickets.create"
OPEN = [s for s in Status.values if s not in FINISHED]
# A ticket is responded to when a unit takes it within this many hours of registration.
RESPONSE_HOURS = 24


def ticket_list(
    *,
    user,
    campaign: int | None = None,
    ledger: str = "",
    category: str = "",
    status: str = "",
    tier: str = "",
    overdue: bool = False,
    region: str = "",
    unit=None,
    q: str = "",
    now: dt.datetime | None = None,
) -> QuerySet:
    qs = scoped(Ticket, user, VIEW)
    if campaign:
        qs = qs.filter(campaign_id=campaign)
    if ledger:
        qs = qs.filter(ledger=ledger)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if tier:
        qs = qs.filter(tier=tier)
    if overdue:
        # A positive list of statuses lets the (status, deadline) index answer.
        qs = qs.filter(status__in=OPEN, deadline__lt=now or timezone.now())
    if region:
        qs = qs.filter(prefix_q("region_id", region))
    if unit is not None:
        # The unit's subtree as a small id list, so no join with every ticket row.
        qs = qs.filter(unit_id__in=Unit.objects.filter(prefix_q("path", unit.path)).values("pk"))
    if q.strip():
        term = q.strip()
        qs = qs.filter(Q(code__iexact=term) | Q(title__icontains=term))
    return qs.order_by("-registered_at", "-id")


def tickets_for_list(ids) -> QuerySet:
    """What a list shows of each ticket (no personal identifiers, no case fields)."""
    return (
        Ticket.objects.filter(pk__in=ids)
        .select_related("region__parent", "unit__parent", "owner")
        .defer("contact_phone", "sensitive", "description", "reply", "extra")
    )


def my_tickets(*, user, now: dt.datetime | None = None) -> QuerySet:
    """The owner's reminder list: tickets still to be answered that the user owns, raised or leads, and those
    waiting to be taken by a unit the user handles for; soonest deadline first."""
    now = now or timezone.now()
    mine = Q(owner_id=user.pk) | Q(created_by_id=user.pk) | Q(leader__account_id=user.pk)
    if scope_for(user).has("tickets.handle"):
        waiting = scoped(Ticket, user, "tickets.handle").filter(
            status__in=[Status.REGISTERED, Status.ESCALATED, Status.REOPENED],
            unit__isnull=False,
            owner__isnull=True,
        )
        mine |= Q(pk__in=waiting.values("pk"))
    return scoped(Ticket, user, VIEW).filter(mine).exclude(status__in=FINISHED).order_by("deadline", "id")


def ticket_get(*, user, pk: int, permission: str = VIEW) -> Ticket:
    return get_scoped_or_404(
        Ticket.objects.select_related(
            "region__parent",
            "unit__parent",
            "owner",
            "leader__account",
            "campaign",
            "household",
            "member",
            "point",
            "merged_into",
        ).prefetch_related(
            Prefetch("events", queryset=TicketEvent.objects.select_related("actor").order_by("at", "id"))
        ),
        user,
        permission,
        pk=pk,
    )


def leader_choices(*, user) -> QuerySet:
    """The leaders a demand may be put in the charge of (包联领导), among the cadres the user
    sees: the principal and leadership members of a government body or township (a
    section's 股长 is no leader), and whoever holds the leader role. Their units come with
    them, the parent too (Unit.label: 民政局·办公室)."""
    from minqing.core.roles import Role
    from minqing.org.models import Cadre, Grant

    leaders = Q(rank__in=[Cadre.Rank.PRINCIPAL, Cadre.Rank.MEMBER]) & ~Q(unit__kind=Unit.Kind.SECTION)
    by_role = Q(account_id__in=Grant.objects.filter(role=Role.LEADER).values("account_id"))
    return (
        scoped(Cadre, user, "org.view")
        .filter(leaders | by_role)
        .select_related("account", "unit__parent")
        .order_by("unit__path", "id")
    )


def pending_extensions(*, user) -> QuerySet:
    """Requests for more time waiting for a decision on the tickets the user may dispatch,
    the oldest first."""
    return (
        DeadlineExtension.objects.filter(
            status=DeadlineExtension.Status.PENDING,
            ticket__in=scoped(Ticket, user, "tickets.dispatch").values("pk"),
        )
        .select_related("ticket", "unit__parent", "requested_by")
        .defer(
            "ticket__contact_phone",
            "ticket__sensitive",
            "ticket__description",
            "ticket__reply",
            "ticket__extra",
        )
        .order_by("requested_at", "id")
    )


def ticket_by_code(*, user, code: str) -> Ticket:
    return get_scoped_or_404(Ticket, user, VIEW, code=code)


def _tracking_code(code: str) -> str:
    return (code or "").strip().upper()


def ticket_track(*, code: str, last4: str) -> Ticket | None:
    """Public tracking: the code and the last four digits of the phone given at intake."""
    code, last4 = _tracking_code(code), (last4 or "").strip()
    if len(last4) != 4 or not last4.isdigit():
        return None
    return (
        Ticket.objects.select_related("unit", "region")
        .filter(code=code, phone_last4=last4)
        .exclude(status=Status.MERGED)
        .first()
    )


def ticket_tracked(*, code: str) -> tuple[int, str] | None:
    """The id and code of the demand a tracking code typed names, whatever the digits: what
    a failed lookup's audit row names, so that guesses at one demand's digits are seen."""
    return Ticket.objects.filter(code=_tracking_code(code)).values_list("pk", "code").first()


def demand_regions(*, user) -> QuerySet:
    """The regions the user may register demands for: those their grants to register
    demands reach, and, for a grant over their own records (a cadre's), the villages (with
    their groups) of their current pairings and of their work teams' points in running
    campaigns, where recording a visit would register it. A pairing at a township (a
    leader linked to one) gives that township. Read with no geo.view scope of its own: a
    cadre sees the places of their own targets."""
    from minqing.programs.apps import current_pairings
    from minqing.programs.models import Campaign, LiaisonPoint

    scope = scope_for(user)
    prefixes = set(scope.region_prefixes(CREATE))
    if any(g.own and CREATE in g.permissions for g in scope.grants):
        running = Campaign.Status.RUNNING
        codes = set(current_pairings(user, campaign__status=running).values_list("region_id", flat=True))
        codes |= set(
            LiaisonPoint.objects.filter(teams__campaign__status=running)
            .filter(Q(teams__leader__account_id=user.pk) | Q(teams__members__account_id=user.pk))
            .values_list("region_id", flat=True)
        )
        prefixes |= {_village_prefix(code) for code in codes}
    # A prefix inside another one adds nothing to the query.
    prefixes = {p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)}
    if not prefixes:
        return Region.objects.none()
    return Region.objects.filter(prefixes_q("code", sorted(prefixes))).order_by("code")


def demand_villages(*, user) -> QuerySet:
    """The villages (and communities) of demand_regions, with their township and county."""
    return demand_regions(user=user).filter(level=Region.Level.VILLAGE).select_related("parent__parent")


def _village_prefix(code: str) -> str:
    """The prefix of the village a region lies in (a group's village), or of the region
    itself above the village level."""
    return code[: LEVEL_DIGITS[min(level_of_code(code), Region.Level.VILLAGE)]]


def can_see_case_fields(user) -> bool:
    return scope_for(user).has("tickets.sensitive")


# Figures --------------------------------------------------------------------------------

GROUPINGS = ("unit", "ledger", "category", "township", "month")


def rate_counts(as_of: dt.datetime) -> dict:
    """The counts behind the rates (docs/figures.md), as aggregate expressions."""
    responded = Q(
        accepted_at__isnull=False, accepted_at__lte=F("registered_at") + dt.timedelta(hours=RESPONSE_HOURS)
    )
    return {
        "total": Count("id"),
        "responded": Count("id", filter=responded),
        "rated": Count("id", filter=Q(resolved__isnull=False)),
        "resolved": Count("id", filter=Q(resolved=True)),
        "satisfaction_rated": Count("id", filter=~Q(satisfaction="")),
        "satisfied": Count("id", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY])),
        "replied": Count("id", filter=Q(replied_at__isnull=False)),
        "on_time": Count("id", filter=Q(replied_at__isnull=False, replied_at__lte=F("deadline"))),
        "due": Count("id", filter=Q(replied_at__isnull=False) | Q(deadline__lt=Value(as_of))),
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def rates(
    *,
    user,
    by: str = "unit",
    start: dt.date | None = None,
    end: dt.date | None = None,
    campaign: int | None = None,
    as_of: dt.datetime | None = None,
) -> list[dict]:
    """The response, resolution, satisfaction and on-time rates per group, in one query.

    Tickets counted: those registered in [start, end] (local dates), merged ones excluded."""
    as_of = as_of or timezone.now()
    qs = scoped(Ticket, user, VIEW).exclude(status=Status.MERGED)
    if campaign:
        qs = qs.filter(campaign_id=campaign)
    if start:
        qs = qs.filter(registered_at__gte=_start_of(start))
    if end:
        qs = qs.filter(registered_at__lt=_start_of(end + dt.timedelta(days=1)))
    key = {
        "unit": F("unit_id"),
        "ledger": F("ledger"),
        "category": F("category"),
        "township": Substr("region_id", 1, 9),
        "month": TruncMonth("registered_at"),
    }[by]
    counts = rate_counts(as_of)
    rows = qs.annotate(group=key).values("group").annotate(**counts).order_by("group")
    result = []
    for row in rows:
        result.append(
            {
                **row,
                "response_rate": _ratio(row["responded"], row["total"]),
                "resolution_rate": _ratio(row["resolved"], row["rated"]),
                "satisfaction_rate": _ratio(row["satisfied"], row["satisfaction_rated"]),
                "on_time_rate": _ratio(row["on_time"], row["due"]),
            }
        )
    return result


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


# Where a campaign's configuration names the keys of a grouping.
CONFIG_SECTIONS = {"ledger": "ledgers", "category": "ticket_categories"}


def group_labels(by: str, groups, *, user=None, campaign: int | None = None) -> dict:
    """Readable names of the groups (one query for units, townships, ledgers or categories).

    Ledgers and categories are named by the configuration of the campaigns of the demands the
    user sees (`campaign`: of that one only). Where campaigns name one key differently (the
    templates' "livelihood" is 民生困难 in one, 群众诉求 in another), the row counts the demands
    of both, so it is named by both, the newest campaign's first. A key no campaign names is
    shown as it is."""
    from minqing.geo.models import Region
    from minqing.org.models import Unit
    from minqing.programs.display import join_words
    from minqing.programs.models import Campaign

    groups = [g for g in groups if g is not None]
    if by in CONFIG_SECTIONS:
        if not groups:
            return {}
        if campaign:
            campaigns = Campaign.objects.filter(pk=campaign)
        else:
            campaigns = Campaign.objects.filter(
                pk__in=scoped(Ticket, user, VIEW).filter(campaign__isnull=False).values("campaign_id")
            )
        names: dict[str, list[str]] = {}
        for config in campaigns.order_by("-start", "-id").values_list("config", flat=True):
            for item in config.get(CONFIG_SECTIONS[by], []):
                known = names.setdefault(item.get("key"), [])
                if item.get("name") and item["name"] not in known:
                    known.append(item["name"])
        return {g: join_words(names[g]) if names.get(g) else g for g in groups}
    if by == "unit":
        return dict(Unit.objects.filter(pk__in=groups).values_list("pk", "name"))
    if by == "township":
        codes = [g.ljust(12, "0") for g in groups]
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        return {g: names.get(g.ljust(12, "0"), g) for g in groups}
    if by == "month":
        return {
            g: timezone.localtime(g).strftime("%Y-%m") if isinstance(g, dt.datetime) else str(g)
            for g in groups
        }
    return {g: g for g in groups}
