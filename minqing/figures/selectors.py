"""Every figure of the dashboard and the documents, as a number and as the records behind it.

A figure is a *tile*: a source (visits, demands, deeds, …) and a condition on it. The
source gives the scoped, filtered queryset of a selection (viewer, campaign, region, unit,
team or cadre, period); the tile's records are that queryset with its condition, and its
number is their count (or the sum of a field over them). The dashboard computes every tile
of a source in one aggregate query grouped by child region and cadre (or handling unit) and
adds the groups up in Python for the totals, the breakdowns and the rankings — so a page
costs a fixed number of queries however many cadres and regions there are, and a number
always equals the length of its list, because both are the same queryset.

Other apps add tiles with `register_tile` (a `Tile` with `value` and `records`); the
dashboard shows every registered tile.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from minqing.core import parallel
from minqing.core.scope import get_scoped_or_404, scope_for, scope_q, scoped
from minqing.core.treecode import prefix_q
from minqing.fieldwork.models import AttendanceDay, Deed, MonthlyReport, ReliefPayment, Visit
from minqing.geo.models import LEVEL_DIGITS, Region
from minqing.org.models import Cadre, Unit
from minqing.people.models import Household
from minqing.programs.models import Campaign, Pairing, Team
from minqing.programs.rules._periods import month_due, month_label, months
from minqing.programs.rules.reports_monthly import (
    monthly_report_rule,
    months_owed,
    months_pending,
    report_due,
    report_pairings,
)
from minqing.programs.selectors import campaign_area, campaign_cadres, verdicts_in_region, within_area_q
from minqing.tickets.models import Satisfaction, Status, Ticket

from .periods import Period, month_of

RESPONSE_SECONDS = 24 * 3600
DEFAULT_IDLE_DAYS = 30


# Selection -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """What the figures are of: a campaign, a period, and at most one of region (a subtree of
    the campaign's region), unit (a subtree), team or cadre."""

    campaign: Campaign
    period: Period
    region: Region | None = None
    unit: Unit | None = None
    team: Team | None = None
    cadre: Cadre | None = None
    idle_days: int = DEFAULT_IDLE_DAYS
    today: dt.date | None = None

    @property
    def as_of(self) -> dt.date:
        """The day the state-like figures (coverage, overdue, not visited) are taken on."""
        today = self.today or timezone.localdate()
        return min(today, self.period.end)

    @property
    def area(self) -> Region:
        return self.region or self.campaign.region

    @property
    def area_prefix(self) -> str:
        return self.area.prefix

    @property
    def child_digits(self) -> int | None:
        level = self.area.level
        return LEVEL_DIGITS.get(level + 1) if level < 5 else None

    def params(self, **changes) -> dict[str, str]:
        """The query parameters that give this selection (for links), with changes."""
        values = {
            "period": self.period.code,
            "region": self.region.code if self.region else "",
            "unit": str(self.unit.pk) if self.unit else "",
            "team": str(self.team.pk) if self.team else "",
            "cadre": str(self.cadre.pk) if self.cadre else "",
            "idle": str(self.idle_days) if self.idle_days != DEFAULT_IDLE_DAYS else "",
        }
        values.update({k: "" if v is None else str(v) for k, v in changes.items()})
        return {k: v for k, v in values.items() if v}


def selection_for(
    *,
    user,
    campaign: Campaign,
    period: Period,
    region: str = "",
    unit: str | int = "",
    team: str | int = "",
    cadre: str | int = "",
    idle_days: int = DEFAULT_IDLE_DAYS,
    today: dt.date | None = None,
) -> Selection:
    """A selection whose region, unit, team and cadre the user may see (else 404)."""
    found: dict[str, Any] = {}
    if region:
        area = get_scoped_or_404(Region, user, "geo.view", code=str(region))
        if not area.code.startswith(campaign.region.prefix):
            raise Http404
        found["region"] = area
    if unit:
        found["unit"] = get_scoped_or_404(Unit, user, "org.view", pk=_int(unit))
    if team:
        found["team"] = get_scoped_or_404(
            Team.objects.filter(campaign=campaign), user, "programs.view", pk=_int(team)
        )
    if cadre:
        found["cadre"] = get_scoped_or_404(
            Cadre.objects.select_related("account", "unit"), user, "org.view", pk=_int(cadre)
        )
    return Selection(campaign=campaign, period=period, idle_days=max(1, idle_days), today=today, **found)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


# Sources ---------------------------------------------------------------------------------


class Source:
    """One kind of record the figures count. `base` is the scoped, filtered queryset of a
    selection; `region_field` and `cadre_field` name what the dashboard groups by."""

    key: str
    model: Any
    permission = "programs.view"
    region_field = "region_id"
    cadre_field: str | None = "cadre_id"  # a cadre id, or an account id when `by_account`
    by_account = False
    unit_field: str | None = None  # a unit id grouped directly (tickets: the handling unit)
    # Grouped by child region and cadre in one query (see figures()): only where the pairs are few
    # (a county's visits in a month: 25,000 pairs, where the two groupings give 3,015 rows).
    one_grouping = False
    order: tuple = ("-id",)
    related: tuple = ()

    def base(self, user, sel: Selection) -> QuerySet:
        qs = scoped(self.model, user, self.permission)
        qs = self.in_campaign(qs, sel)
        if sel.region is not None:
            qs = qs.filter(prefix_q(self.region_field, sel.region.prefix))
        if sel.unit is not None:
            qs = self.for_cadres(qs, Cadre.objects.filter(prefix_q("unit__path", sel.unit.path)), sel)
        if sel.team is not None:
            members = Cadre.objects.filter(Q(teams=sel.team) | Q(teams_led=sel.team))
            qs = self.for_cadres(qs, members, sel)
        if sel.cadre is not None:
            qs = self.for_cadres(qs, Cadre.objects.filter(pk=sel.cadre.pk), sel)
        return qs

    def in_campaign(self, qs: QuerySet, sel: Selection) -> QuerySet:
        return qs.filter(campaign=sel.campaign, date__gte=sel.period.start, date__lte=sel.period.end)

    def for_cadres(self, qs: QuerySet, cadres: QuerySet, sel: Selection) -> QuerySet:
        return qs.filter(cadre_id__in=cadres.values("pk"))

    def listed(self, qs: QuerySet) -> QuerySet:
        return qs.select_related(*self.related).order_by(*self.order)


class VisitSource(Source):
    key, model = "visit", Visit
    order = ("-date", "-id")
    related = ("cadre__account", "household__head", "member", "point")

    def in_campaign(self, qs, sel):
        # `campaign_id + 0`: no index serves it, so the period's dates lead (the covering index
        # figures_visit_date_campaign) instead of every visit of the campaign through its index.
        return qs.alias(campaign_plain=F("campaign_id") + 0).filter(
            campaign_plain=sel.campaign.pk, date__gte=sel.period.start, date__lte=sel.period.end
        )


class DeedSource(Source):
    key, model = "deed", Deed
    order = ("-date", "-id")
    related = ("cadre__account", "household__head", "point")


class ReliefSource(Source):
    key, model = "relief", ReliefPayment
    order = ("-date", "-id")
    related = ("cadre__account", "household__head", "team")


class AttendanceSource(Source):
    key, model = "attendance", AttendanceDay
    region_field = "point__region_id"
    one_grouping = True  # a cadre's days are at their own points
    order = ("-date", "-id")
    related = ("cadre__account", "point")

    def in_campaign(self, qs, sel):
        """The days that count for the campaign (AttendanceDay.in_campaign: the compliance
        rules' stay days are the same days) in the period."""
        return qs.filter(
            AttendanceDay.in_campaign(sel.campaign), date__gte=sel.period.start, date__lte=sel.period.end
        )


class ReportSource(Source):
    key, model = "report", MonthlyReport
    region_field = "cadre__unit__region_id"
    order = ("-month", "cadre_id")
    related = ("cadre__account",)

    def in_campaign(self, qs, sel):
        return qs.filter(
            campaign=sel.campaign,
            month__gte=sel.period.start.replace(day=1),
            month__lte=sel.period.end,
        )


class TicketSource(Source):
    """Demands registered in the period (merged duplicates left out, as in docs/figures.md).
    A demand belongs to the cadre who raised it and to its handling unit."""

    key, model = "ticket", Ticket
    permission = "tickets.view"
    cadre_field = "created_by_id"
    by_account = True
    unit_field = "unit_id"
    order = ("-registered_at", "-id")
    related = ("region", "unit__parent")

    def base(self, user, sel):
        qs = super().base(user, sel)
        return qs.defer("contact_phone", "sensitive", "description", "reply", "extra")

    def in_campaign(self, qs, sel):
        return qs.filter(
            campaign=sel.campaign,
            registered_at__gte=_day_start(sel.period.start),
            registered_at__lt=_day_start(sel.period.end + dt.timedelta(days=1)),
        ).exclude(status=Status.MERGED)

    def for_cadres(self, qs, cadres, sel):
        if sel.unit is not None and cadres.model is Cadre and sel.team is None and sel.cadre is None:
            # A unit's demands are those it handles (its subtree), as on the dispatch board.
            return qs.filter(unit_id__in=Unit.objects.filter(prefix_q("path", sel.unit.path)).values("pk"))
        return qs.filter(created_by_id__in=cadres.values("account_id"))


def _pairings_in(sel: Selection) -> QuerySet:
    """The campaign's pairings that ran on some day of the period."""
    return Pairing.objects.filter(
        Q(end__isnull=True) | Q(end__gte=sel.period.start), campaign=sel.campaign, start__lte=sel.period.end
    )


def _same_target(qs: QuerySet, condition: Q) -> Q:
    """Some pairing of `qs` meeting `condition` has the outer pairing's target."""
    return (
        (
            Q(household_id__isnull=False)
            & Q(Exists(qs.filter(condition, household_id=OuterRef("household_id"))))
        )
        | (Q(member_id__isnull=False) & Q(Exists(qs.filter(condition, member_id=OuterRef("member_id")))))
        | (Q(point_id__isnull=False) & Q(Exists(qs.filter(condition, point_id=OuterRef("point_id")))))
    )


class PairingSource(Source):
    """The targets due a visit: each household, member or point paired in the campaign on some
    day of the period, counted once however many pairings of it ran in the period (a handover
    ends one and starts another; two kinds may pair it at once). Its pairing is the one held at
    the period's end, else the one that ended last; of several, the latest begun (then the
    latest made). That pairing's cadre, unit and team list it, and a visit by any cadre who held
    one of its pairings in the period visits it (_target_visited)."""

    key, model = "pairing", Pairing
    order = ("cadre_id", "id")
    related = ("cadre__account", "household__head", "member", "point")

    def in_campaign(self, qs, sel):
        end = sel.period.end
        held_at_end = Q(end__isnull=True) | Q(end__gte=end)
        others = _pairings_in(sel).exclude(pk=OuterRef("pk"))
        later = Q(start__gt=OuterRef("start")) | Q(start=OuterRef("start"), pk__gt=OuterRef("pk"))
        # Outranked: by one held at the end that began later (when this one is held at the end
        # too), or by any held at the end or begun later (when this one ended in the period).
        first = (held_at_end & ~_same_target(others, held_at_end & later)) | (
            ~held_at_end & ~_same_target(others, held_at_end | later)
        )
        # Most targets have one pairing in the period: those are found from one list of the
        # targets paired more than once (built once per query), and only the others probed.
        alone = Q(pk__in=[])
        for target in ("household_id", "member_id", "point_id"):
            shared = (
                _pairings_in(sel)
                .filter(**{f"{target}__isnull": False})
                .values(target)
                .annotate(n=Count("pk"))
                .filter(n__gt=1)
                .values(target)
            )
            alone |= Q(**{f"{target}__isnull": False}) & ~Q(**{f"{target}__in": shared})
        return qs.filter(
            Q(end__isnull=True) | Q(end__gte=sel.period.start), campaign=sel.campaign, start__lte=end
        ).filter(alone | first)


class HouseholdSource(Source):
    """Households in hardship of the campaign's region (with a unit, team or cadre chosen: those
    paired with its cadres)."""

    key, model = "household", Household
    permission = "people.view"
    cadre_field = None
    order = ("region_id", "code")
    related = ("head", "region__parent")

    def in_campaign(self, qs, sel):
        return qs.filter(prefix_q("region_id", sel.campaign.region.prefix), hardship_level__gte=1)

    def for_cadres(self, qs, cadres, sel):
        return qs.filter(
            id__in=_pairings_on(sel)
            .filter(cadre_id__in=cadres.values("pk"), household__isnull=False)
            .values("household_id")
        )


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        VisitSource(),
        TicketSource(),
        DeedSource(),
        ReliefSource(),
        AttendanceSource(),
        ReportSource(),
        PairingSource(),
        HouseholdSource(),
    )
}


def _pairings_on(sel: Selection) -> QuerySet:
    return Pairing.objects.filter(campaign=sel.campaign).active_on(sel.as_of)


# Conditions that need the selection ------------------------------------------------------


def _covered(sel: Selection) -> Q:
    pairs = _pairings_on(sel).order_by()
    # One list (UNION ALL of the households paired and those of the members paired): each
    # household is looked up once instead of twice.
    return Q(
        id__in=pairs.filter(household__isnull=False)
        .values("household_id")
        .union(pairs.filter(member__isnull=False).values("member__household_id"), all=True)
    )


def _not_visited(sel: Selection) -> Q:
    """Paired households with no visit (to them or one of their members) in the last N days."""
    since = sel.as_of - dt.timedelta(days=sel.idle_days)
    recent = Visit.objects.filter(date__gt=since, date__lte=sel.as_of)
    if connection.vendor == "sqlite":
        # SQLite: one probe of the (household, date) index per paired household, where the list
        # below sorts every recent visit to a household first (county month: ~40 ms to ~20 ms).
        # Visits to members stay a list: a probe would read every member of each household.
        return (
            _covered(sel)
            & ~Exists(recent.filter(household_id=OuterRef("pk")))
            & ~Q(id__in=recent.filter(member__isnull=False).values("member__household_id"))
        )
    # Uncorrelated subqueries (no NULLs in them, so NOT IN is exact): PostgreSQL hashes each once
    # per query, where a correlated NOT EXISTS made it probe per household.
    return (
        _covered(sel)
        & ~Q(id__in=recent.filter(household__isnull=False).values("household_id"))
        & ~Q(id__in=recent.filter(member__isnull=False).values("member__household_id"))
    )


def _target_visited(sel: Selection) -> Q:
    """The target was visited in the period (in the campaign) by a cadre who held a pairing of it
    in the period: its cadre, or the one before or after a handover, or another kind's. A visit
    to a member of a paired household counts for the household."""
    visits = Visit.objects.filter(
        campaign=sel.campaign,
        date__gte=sel.period.start,
        date__lte=sel.period.end,
    )
    holders = _pairings_in(sel).filter(cadre_id=OuterRef("cadre_id"))

    def by_holder(target: str) -> Exists:
        # The visits of the target in the period (an index probe: the target, then the date),
        # each kept when its cadre held a pairing of the target (a probe of the pairings).
        return Exists(
            visits.filter(**{target: OuterRef(target)}).filter(
                Exists(holders.filter(**{target: OuterRef(OuterRef(target))}))
            )
        )

    direct = (
        (Q(household_id__isnull=False) & Q(by_holder("household_id")))
        | (Q(member_id__isnull=False) & Q(by_holder("member_id")))
        | (Q(point_id__isnull=False) & Q(by_holder("point_id")))
    )
    # A visit to a member of a paired household counts for it (as in the visit rules): probed
    # only for the households whose members were visited in the period (a list built once per
    # query), so the other pairings cost nothing more.
    # (Any campaign's: a campaign filter drew SQLite through the whole campaign's index.)
    members_visited = Visit.objects.filter(
        date__gte=sel.period.start,
        date__lte=sel.period.end,
        member__isnull=False,
    ).values("member__household_id")
    through_member = Q(household_id__in=members_visited) & Q(
        Exists(
            visits.filter(member__household_id=OuterRef("household_id")).filter(
                Exists(holders.filter(household_id=OuterRef(OuterRef("household_id"))))
            )
        )
    )
    return direct | through_member


def _overdue(sel: Selection) -> Q:
    """docs/figures.md: past the deadline without a reply, or replied after it."""
    now = _day_start(sel.as_of + dt.timedelta(days=1)) if sel.as_of < timezone.localdate() else timezone.now()
    return Q(replied_at__isnull=True, deadline__lt=now) | Q(replied_at__gt=F("deadline"))


def _due(sel: Selection) -> Q:
    now = _day_start(sel.as_of + dt.timedelta(days=1)) if sel.as_of < timezone.localdate() else timezone.now()
    return Q(replied_at__isnull=False) | Q(deadline__lt=now)


# Tiles -----------------------------------------------------------------------------------


@dataclass
class Tile:
    """A figure: a number and the records behind it. Subclasses or other apps give `value`
    and `records`; the dashboard shows `label` and links the number to the records."""

    key: str
    label: Any
    section: str
    kind: str = "count"  # count, yuan
    help: Any = ""
    # Shown by its own request after the dashboard page (like the compliance summary): for a
    # tile whose cost grows with the county (the at-risk cadres run the recall rule's checks).
    deferred: bool = False

    def value(self, user, sel: Selection):
        records = self.records(user, sel)
        return (
            records.count() if hasattr(records, "count") and not isinstance(records, list) else len(records)
        )

    def records(self, user, sel: Selection):
        raise NotImplementedError

    @property
    def source(self) -> Source | None:
        return None


@dataclass
class SourceTile(Tile):
    """A tile counting (or summing over) records of one source that meet a condition."""

    source_key: str = ""
    condition: Any = None  # a Q, or a function of the selection giving a Q
    sum_field: str = ""
    # (whole, part): the records are those of `whole` not in `part`, so the dashboard takes the
    # difference of the two numbers instead of testing every record twice.
    rest_of: tuple[str, str] | None = None

    @property
    def source(self) -> Source:
        return SOURCES[self.source_key]

    def q(self, sel: Selection) -> Q | None:
        return self.condition(sel) if callable(self.condition) else self.condition

    def records(self, user, sel: Selection) -> QuerySet:
        qs = self.source.base(user, sel)
        condition = self.q(sel)
        return qs.filter(condition) if condition is not None else qs

    def aggregate(self, sel: Selection):
        condition = self.q(sel)
        if self.sum_field:
            return Sum(self.sum_field, filter=condition)
        # COUNT(*) when every record counts: PostgreSQL then answers from a covering index alone
        # (COUNT(id) needs the id, which those indexes leave out).
        return Count("pk", filter=condition) if condition is not None else Count("*")

    def value(self, user, sel: Selection):
        return _clean(self.records(user, sel).aggregate(v=self.aggregate_plain())["v"], self.kind)

    def aggregate_plain(self):
        return Sum(self.sum_field) if self.sum_field else Count("pk")


def _clean(value, kind: str):
    if kind == "yuan":
        return Decimal(value or 0).quantize(Decimal("0.01"))
    return int(value or 0)


TILES: dict[str, Tile] = {}

SECTIONS = {
    "coverage": gettext_lazy("Households covered"),
    "visits": gettext_lazy("Visits"),
    "demands": gettext_lazy("Demands"),
    "deeds": gettext_lazy("Deeds and relief"),
    "presence": gettext_lazy("Presence and reports"),
}


def register_tile(tile: Tile, *, section_label=None) -> Tile:
    """Add a tile to the dashboard (other apps: e.g. the cadres at risk of recall)."""
    if section_label is not None:
        SECTIONS.setdefault(tile.section, section_label)
    TILES[tile.key] = tile
    return tile


def _tile(key, label, section, source, condition=None, **kw):
    return register_tile(SourceTile(key, label, section, source_key=source, condition=condition, **kw))


_tile("hardship_households", gettext_lazy("Households in hardship"), "coverage", "household")
_tile("covered_households", gettext_lazy("Households with a paired cadre"), "coverage", "household", _covered)
_tile(
    "uncovered_households",
    gettext_lazy("Households without a cadre"),
    "coverage",
    "household",
    lambda s: ~_covered(s),
    rest_of=("hardship_households", "covered_households"),
)
_tile(
    "not_visited_households",
    gettext_lazy("Paired households not visited lately"),
    "coverage",
    "household",
    _not_visited,
    help=gettext_lazy("No visit in the last N days (N is set on the page)."),
)
_tile("visits", gettext_lazy("Visits done"), "visits", "visit")
_tile("targets_due", gettext_lazy("Targets due a visit"), "visits", "pairing")
_tile("targets_visited", gettext_lazy("Targets visited"), "visits", "pairing", _target_visited)
_tile(
    "targets_not_visited",
    gettext_lazy("Targets not visited"),
    "visits",
    "pairing",
    lambda s: ~_target_visited(s),
    rest_of=("targets_due", "targets_visited"),
)
_tile("demands", gettext_lazy("Demands collected"), "demands", "ticket")
_tile(
    "demands_responded",
    gettext_lazy("Taken within 24 hours"),
    "demands",
    "ticket",
    Q(response_seconds__lte=RESPONSE_SECONDS),
)
_tile("demands_replied", gettext_lazy("Demands replied"), "demands", "ticket", Q(replied_at__isnull=False))
_tile(
    "demands_followed_up",
    gettext_lazy("Followed up (resolved or not)"),
    "demands",
    "ticket",
    Q(resolved__isnull=False),
)
_tile("demands_resolved", gettext_lazy("Resolved"), "demands", "ticket", Q(resolved=True))
_tile("demands_rated", gettext_lazy("Rated by the resident"), "demands", "ticket", ~Q(satisfaction=""))
_tile(
    "demands_satisfied",
    gettext_lazy("Satisfied or basically satisfied"),
    "demands",
    "ticket",
    Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY]),
)
_tile("demands_due", gettext_lazy("Due (replied or past the deadline)"), "demands", "ticket", _due)
_tile(
    "demands_on_time",
    gettext_lazy("Replied on time"),
    "demands",
    "ticket",
    Q(replied_at__isnull=False, replied_at__lte=F("deadline")),
)
_tile("demands_overdue", gettext_lazy("Overdue"), "demands", "ticket", _overdue)
_tile("deeds", gettext_lazy("Deeds done"), "deeds", "deed")
_tile(
    "deeds_value",
    gettext_lazy("Value of the deeds (yuan)"),
    "deeds",
    "deed",
    kind="yuan",
    sum_field="value_yuan",
)
_tile("relief_payments", gettext_lazy("Relief payments"), "deeds", "relief")
_tile(
    "relief_paid", gettext_lazy("Relief paid (yuan)"), "deeds", "relief", kind="yuan", sum_field="amount_yuan"
)
_tile(
    "attendance_days",
    gettext_lazy("Days at the points (confirmed)"),
    "presence",
    "attendance",
    Q(status=AttendanceDay.Status.CONFIRMED),
)
_tile(
    "reports_submitted",
    gettext_lazy("Monthly reports submitted"),
    "presence",
    "report",
    Q(status="submitted"),
)
_tile(
    "reports_late",
    gettext_lazy("Monthly reports late"),
    "presence",
    "report",
    Q(status="submitted", submitted_on__gt=F("due")),
)


# Monthly reports owed ----------------------------------------------------------------------


@dataclass
class OwedReport:
    """A monthly report the campaign's monthly-report rule asks of a cadre, due before today
    (not a record: the row of a cadre and a month), with the report submitted for it if any."""

    cadre_id: int
    cadre_name: str
    month: dt.date
    due: dt.date
    report_id: int | None = None
    submitted_on: dt.date | None = None

    @property
    def pk(self) -> int | None:
        """The report's id (None: none was submitted)."""
        return self.report_id

    @property
    def on_time(self) -> bool:
        return self.submitted_on is not None and self.submitted_on <= self.due

    def __str__(self):
        return f"{self.cadre_name} {month_label(self.month)}"


def owed_reports(*, user, sel: Selection) -> list[OwedReport]:
    """The monthly reports owed in the selection (docs/figures.md): for each month of the period
    whose report is due before today (the selection's today), each cadre of the campaign whose
    reports the viewer may see (fieldwork's report_writers_q), within the region (by the cadre's
    unit), unit, team or cadre chosen, whom the monthly-report rule asks for it
    (rules.reports_monthly.months_owed: the rule's months, kinds and pairings); each with the
    report submitted for it. By month and cadre. None with the rule off, and no query; else four
    queries, whatever the number of cadres."""
    from minqing.fieldwork.selectors import report_writers_q

    campaign = sel.campaign
    if monthly_report_rule(campaign) is None:
        return []
    today = sel.today or timezone.localdate()
    asked = [
        m
        for m in months(sel.period.start, sel.period.end)
        if month_due(m, campaign.start, campaign.end) and report_due(campaign, m) < today
    ]
    writers = report_writers_q(user=user, campaign=campaign)
    if not asked or writers is None:
        return []
    cadres = campaign_cadres(campaign).filter(writers)
    if sel.region is not None:
        cadres = cadres.filter(prefix_q("unit__region_id", sel.region.prefix))
    if sel.unit is not None:
        cadres = cadres.filter(prefix_q("unit__path", sel.unit.path))
    if sel.team is not None:
        cadres = cadres.filter(
            pk__in=Cadre.objects.filter(Q(teams=sel.team) | Q(teams_led=sel.team)).values("pk")
        )
    if sel.cadre is not None:
        cadres = cadres.filter(pk=sel.cadre.pk)
    names = {
        pk: full_name or username
        for pk, full_name, username in cadres.order_by().values_list(
            "pk", "account__full_name", "account__username"
        )
    }
    if not names:
        return []
    # The cadres' pairings of the rule's kinds over the whole campaign, not only the period's: a
    # cadre whose pairings all ended is asked the months they asked, not every month as one never
    # paired.
    rows = report_pairings(campaign, cadres, today=today)
    owed = months_owed(campaign, asked, names, rows, today=today)
    if not owed:
        return []
    submitted = {
        (cadre_id, month): (pk, day)
        for pk, cadre_id, month, day in MonthlyReport.objects.filter(
            campaign=campaign,
            status=MonthlyReport.Status.SUBMITTED,
            month__gte=asked[0],
            month__lte=asked[-1],
            cadre_id__in=cadres.values("pk"),
        )
        .order_by()
        .values_list("pk", "cadre_id", "month", "submitted_on")
    }
    due = {month: report_due(campaign, month) for month in asked}
    found = []
    for cadre_id, owed_months in owed.items():
        for month in owed_months:
            report_id, day = submitted.get((cadre_id, month), (None, None))
            found.append(OwedReport(cadre_id, names[cadre_id], month, due[month], report_id, day))
    found.sort(key=lambda r: (r.month, r.cadre_name, r.cadre_id))
    return found


@dataclass
class OwedReportTile(Tile):
    """The reports owed (docs/figures.md), or those of them submitted by their due day, or the
    rest: rows of a cadre and a month, listed as such (`list_kind`)."""

    part: str = "owed"  # owed, on_time, not_on_time
    list_kind = "owed_report"

    def pick(self, rows: list[OwedReport]) -> list[OwedReport]:
        if self.part == "on_time":
            return [r for r in rows if r.on_time]
        if self.part == "not_on_time":
            return [r for r in rows if not r.on_time]
        return rows

    def records(self, user, sel: Selection) -> list[OwedReport]:
        return self.pick(owed_reports(user=user, sel=sel))


register_tile(
    OwedReportTile(
        "reports_owed",
        gettext_lazy("Monthly reports owed"),
        "presence",
        help=gettext_lazy(
            "The reports the monthly-report rule asks of the cadres for the months of the period whose "
            "due day has passed."
        ),
    )
)
register_tile(
    OwedReportTile(
        "reports_on_time",
        gettext_lazy("Monthly reports on time"),
        "presence",
        help=gettext_lazy("Of the reports owed, those submitted by their due day."),
        part="on_time",
    )
)
register_tile(
    OwedReportTile(
        "reports_not_on_time",
        gettext_lazy("Monthly reports owed, not in on time"),
        "presence",
        help=gettext_lazy("Of the reports owed, those not submitted, or submitted after their due day."),
        part="not_on_time",
    )
)


@dataclass(frozen=True)
class Rate:
    key: str
    label: Any
    numerator: str
    denominator: str


RATES = (
    Rate("coverage_rate", gettext_lazy("Coverage"), "covered_households", "hardship_households"),
    Rate("visit_rate", gettext_lazy("Visit rate of the targets"), "targets_visited", "targets_due"),
    Rate("response_rate", gettext_lazy("Response rate"), "demands_responded", "demands"),
    Rate("resolution_rate", gettext_lazy("Resolution rate"), "demands_resolved", "demands_followed_up"),
    Rate("satisfaction_rate", gettext_lazy("Satisfaction rate"), "demands_satisfied", "demands_rated"),
    Rate("on_time_rate", gettext_lazy("On-time rate"), "demands_on_time", "demands_due"),
    Rate("report_punctuality", gettext_lazy("Report punctuality"), "reports_on_time", "reports_owed"),
)


@dataclass(frozen=True)
class RateNote:
    """Why a rate has no number, or what it leaves out (docs/figures.md): `short` is shown in
    place of the number when there is none ("": "—"), `detail` beside it."""

    short: str
    detail: str


def rate_notes(sel: Selection, values: dict) -> dict[str, RateNote]:
    """Notes on the rates of the selection: report punctuality in a campaign that asks no monthly
    report ("not asked"), or of months whose report is not yet due ("not yet due", never 0/0 or
    100 %). No query."""
    from minqing.programs.rules import NOT_DUE, STATUS_LABELS

    campaign = sel.campaign
    key = "report_punctuality"
    if monthly_report_rule(campaign) is None:
        return {
            key: RateNote(_("Not asked"), _("The campaign has no monthly-report rule: no report is owed."))
        }
    today = sel.today or timezone.localdate()
    period_months = months(sel.period.start, sel.period.end)
    asked = [m for m in period_months if month_due(m, campaign.start, campaign.end)]
    pending = months_pending(campaign, period_months, today=today)
    details = []
    if pending:
        details.append(
            _("The report for %(month)s is due by %(day)s: it counts from the day after.")
            % {"month": month_label(pending[0]), "day": date_format(report_due(campaign, pending[0]))}
        )
    short = ""
    if not values.get("reports_owed"):
        if asked and len(pending) == len(asked):
            short = str(STATUS_LABELS[NOT_DUE])
        elif not asked:
            details.insert(0, _("The campaign asks no monthly report for this period."))
        elif len(pending) < len(asked):
            details.insert(0, _("No report is owed here for the months already due."))
    if not details and not short:
        return {}
    return {key: RateNote(short, " ".join(details))}


def ratio(part, whole) -> float | None:
    """A percentage to one decimal; None (shown as “—”) when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


# The dashboard's figures --------------------------------------------------------------------

# The tiles shown per group in the breakdowns and rankings.
BREAKDOWN_TILES = (
    "visits",
    "demands",
    "demands_resolved",
    "demands_overdue",
    "deeds",
    "deeds_value",
    "attendance_days",
)


@dataclass
class Group:
    key: Any
    label: str
    values: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)  # how this group's selection differs from the page's
    selection: Selection | None = None
    # False: the row has no selection of its own to drill into (the demands no unit handles; a
    # unit or cadre outside the viewer's scope, whose selection would be a 404).
    linked: bool = True

    @property
    def params(self) -> dict:
        """The query parameters of this group's selection (for drill-down and lists)."""
        return self.selection.params(**self.changes) if self.selection else {}

    @property
    def query(self) -> str:
        return urlencode(self.params)


def json_values(values: dict) -> dict:
    """Figures as JSON numbers, the same in the API and `minqing figures --json`: counts stay
    whole, sums of money (Decimal) become numbers (61100.0, never the string "61100.00")."""
    return {k: v if isinstance(v, int | float) or v is None else float(v) for k, v in values.items()}


@dataclass
class Figures:
    selection: Selection
    values: dict
    rates: dict
    by_region: list[Group]
    by_unit: list[Group]
    by_team: list[Group]
    by_cadre: list[Group]
    notes: dict = field(default_factory=dict)  # rate key → RateNote

    def value(self, key: str):
        return self.values[key]

    def top_cadres(self, key: str = "visits", n: int = 10) -> list[Group]:
        return sorted(self.by_cadre, key=lambda g: (-g.values.get(key, 0), g.label, g.key))[:n]


def figures(
    *, user, sel: Selection, breakdowns: bool = True, deferred: bool = True, top_cadres: int | None = None
) -> Figures:
    """Every tile's number for the selection, with breakdowns by child region, unit, team and
    cadre. One aggregate query per source (plus one per custom tile and a few for labels).
    With deferred=False, the deferred tiles are left out (the dashboard page loads them after).
    With top_cadres=N, `by_cadre` holds the N cadres of most visits only (Figures.top_cadres
    for visits up to N: the page's ranking), not a row for each of a county's 3,000."""
    totals: dict[str, Any] = {}
    region_cells: dict = defaultdict(lambda: defaultdict(int))
    cadre_cells: dict = defaultdict(lambda: defaultdict(int))
    account_cells: dict = defaultdict(lambda: defaultdict(int))
    unit_cells: dict = defaultdict(lambda: defaultdict(int))
    by_source: dict[str, list[SourceTile]] = defaultdict(list)
    custom: list[Tile] = []
    for tile in TILES.values():
        if isinstance(tile, SourceTile):
            by_source[tile.source_key].append(tile)
        elif deferred or not tile.deferred:
            custom.append(tile)
    digits = sel.child_digits
    # Every query is made here and run below, side by side on a few connections (core.parallel):
    # none depends on another's answer.
    plans, jobs = [], []
    # The slowest first (each pairing probes its cadre's visits; households test three lists), so
    # that on several connections the others run beside them rather than after them.
    first = ("pairing", "household")
    ordered = sorted(by_source.items(), key=lambda item: item[0] not in first)
    for key, tiles in ordered:
        source = SOURCES[key]
        qs = source.base(user, sel).order_by()
        aggregates = {t.key: t.aggregate(sel) for t in tiles if not t.rest_of}
        broken = [t for t in tiles if t.key in BREAKDOWN_TILES] if breakdowns else []
        if broken and source.one_grouping:
            # By child region and cadre at once (every aggregate is a count or a sum, so the rows
            # add up to the totals, the regions and the cadres): one reading of the records
            # instead of two, where each record is costly to test and a cadre's records lie in
            # few regions (days at the points: a county's month, 25 ms to 14 ms on SQLite).
            keys = [source.cadre_field]
            grouped = qs
            if digits:
                grouped = qs.annotate(rg=Substr(source.region_field, 1, digits))
                keys.insert(0, "rg")
            jobs.append(partial(list, grouped.values(*keys).annotate(**aggregates)))
            plans.append((tiles, broken, account_cells if source.by_account else cadre_cells))
            continue
        # The totals, by child region when the breakdown needs it (a handful of rows).
        if broken and digits:
            grouped = (
                qs.annotate(rg=Substr(source.region_field, 1, digits)).values("rg").annotate(**aggregates)
            )
            jobs.append(partial(list, grouped))
        else:
            jobs.append(partial(_one_row, qs, aggregates))
        # By cadre (or account) and by handling unit: one grouped query each, breakdown tiles only.
        groupings = []
        if broken:
            few = {t.key: t.aggregate(sel) for t in broken}
            if source.cadre_field:
                groupings.append((source.cadre_field, account_cells if source.by_account else cadre_cells))
            if source.unit_field:
                groupings.append((source.unit_field, unit_cells))
            for field_name, _cells in groupings:
                jobs.append(
                    partial(list, qs.values_list(field_name).annotate(**few).values_list(field_name, *few))
                )
        plans.append((tiles, broken, [cells for _f, cells in groupings]))
    answers, custom_values = parallel.run(jobs, meanwhile=lambda: _custom_values(user, sel, custom))
    totals.update(custom_values)
    answers = iter(answers)
    for tiles, broken, groupings in plans:
        rows = next(answers)
        if isinstance(groupings, dict):  # rows by region and cadre (see above)
            cells, field_name = groupings, None
            for tile in tiles:
                if tile.rest_of:
                    whole, part = tile.rest_of
                    totals[tile.key] = _clean(
                        sum((row[whole] or 0) - (row[part] or 0) for row in rows), tile.kind
                    )
                else:
                    totals[tile.key] = _clean(sum((row[tile.key] or 0) for row in rows), tile.kind)
            keys = [t.key for t in broken]
            for row in rows:
                field_name = field_name or next(k for k in row if k != "rg" and k not in totals)
                rg, owner = row.get("rg"), row[field_name]
                for key in keys:
                    value = row[key]
                    if value:
                        if rg:
                            region_cells[rg][key] += value
                        if owner is not None:
                            cells[owner][key] += value
            continue
        for tile in tiles:
            if tile.rest_of:
                whole, part = tile.rest_of
                totals[tile.key] = _clean(
                    sum((row[whole] or 0) - (row[part] or 0) for row in rows), tile.kind
                )
            else:
                totals[tile.key] = _clean(sum((row[tile.key] or 0) for row in rows), tile.kind)
        for row in rows:
            if row.get("rg"):
                for tile in broken:
                    if row[tile.key]:
                        region_cells[row["rg"]][tile.key] += row[tile.key]
        keys = [t.key for t in broken]
        for cells in groupings:
            for row in next(answers):
                # No handling unit: kept (the demands not yet assigned have a row of their own).
                if row[0] is None and cells is not unit_cells:
                    continue
                for tile_key, value in zip(keys, row[1:], strict=True):
                    if value:
                        cells[row[0]][tile_key] += value
    totals = {key: totals[key] for key in TILES if key in totals}  # in the tiles' order, as before
    rates = {r.key: ratio(totals.get(r.numerator, 0), totals.get(r.denominator, 0)) for r in RATES}
    notes = rate_notes(sel, totals)
    if not breakdowns:
        return Figures(sel, totals, rates, [], [], [], [], notes)
    return Figures(
        sel,
        totals,
        rates,
        _region_groups(user, sel, region_cells),
        *_org_groups(user, sel, cadre_cells, account_cells, unit_cells, top_cadres),
        notes,
    )


def _custom_values(user, sel: Selection, tiles: list[Tile]) -> dict:
    """The numbers of the tiles that are no source's; the reports owed read once for their three."""
    values, owed = {}, None
    for tile in tiles:
        if isinstance(tile, OwedReportTile):
            if owed is None:
                owed = owed_reports(user=user, sel=sel)
            values[tile.key] = len(tile.pick(owed))
        else:
            values[tile.key] = tile.value(user, sel)
    return values


def _one_row(qs: QuerySet, aggregates: dict) -> list[dict]:
    return [qs.aggregate(**aggregates)]


def _region_groups(user, sel: Selection, cells) -> list[Group]:
    if not sel.child_digits:
        return []
    children = Region.objects.filter(parent=sel.area).order_by("code").only("code", "name", "level")
    reach = _region_reach(user)
    groups = []
    for child in children:
        if reach is not None and not any(
            child.prefix.startswith(p) or p.startswith(child.prefix) for p in reach
        ):
            continue  # none of the viewer's records can be there: no row (a township office's county)
        values = dict(cells.get(child.prefix, {}))
        groups.append(Group(child.code, child.name, values, {"region": child.code}, sel))
    return groups


def _region_reach(user) -> tuple[str, ...] | None:
    """The region prefixes the viewer's campaign figures can come from, or None when they can
    come from anywhere (a grant by unit subtree or own records: a bureau's cadres work in every
    township)."""
    grants = [g for g in scope_for(user).grants if "programs.view" in g.permissions]
    if not grants or any(g.unit_paths or g.own or not g.region_prefixes for g in grants):
        return None
    return tuple(p for g in grants for p in g.region_prefixes)


def _in_scope(model, user) -> ExpressionWrapper:
    """Whether a row of `model` is in the viewer's scope (org.view), read with the row."""
    condition = scope_q(model, user, "org.view")
    return ExpressionWrapper(
        condition if condition is not None else Q(pk__in=[]), output_field=BooleanField()
    )


def _org_groups(user, sel: Selection, cadre_cells, account_cells, unit_cells, top_n: int | None = None):
    """Units (the children of the chosen unit, or the top-level bodies), teams and cadres: a few
    queries of plain tuples, whatever the number of cadres. `top_n`: only that many cadres, those
    of most visits (then by name), are named and listed."""
    cadres_qs = Cadre.objects.all()
    wanted = set(cadre_cells) | set(account_cells)
    # A few cadres by their ids; for many, reading the cadres' few columns costs less than sending
    # and matching thousands of ids (a county: 34 ms to 7 ms on SQLite), and no list outgrows what
    # one query may carry.
    if len(wanted) <= 500:
        cadres_qs = cadres_qs.filter(Q(pk__in=list(cadre_cells)) | Q(account_id__in=list(account_cells)))
    cadres, seen_cadres, names = {}, set(), {}
    if top_n is None:
        # With each cadre, whether the viewer may choose it (its row then links to its figures).
        for pk, account_id, unit_id, full_name, username, seen in cadres_qs.annotate(
            seen=_in_scope(Cadre, user)
        ).values_list("pk", "account_id", "unit_id", "account__full_name", "account__username", "seen"):
            cadres[pk] = (account_id, unit_id)
            names[pk] = full_name or username
            if seen:
                seen_cadres.add(pk)
    else:
        for pk, account_id, unit_id in cadres_qs.values_list("pk", "account_id", "unit_id"):
            cadres[pk] = (account_id, unit_id)
    by_account = {account_id: pk for pk, (account_id, _u) in cadres.items()}
    per_cadre: dict = {cadre_id: dict(values) for cadre_id, values in cadre_cells.items()}
    for account_id, values in account_cells.items():
        if account_id in by_account:
            cell = per_cadre.setdefault(by_account[account_id], {})
            for k, v in values.items():
                cell[k] = cell.get(k, 0) + v
    units, seen_units = {}, set()
    for pk, path, name, seen in Unit.objects.annotate(seen=_in_scope(Unit, user)).values_list(
        "pk", "path", "name", "seen"
    ):
        units[pk] = (path, name)
        if seen:
            seen_units.add(pk)
    depth = (len(sel.unit.path) + 6) if sel.unit is not None else 6
    per_unit: dict = defaultdict(lambda: defaultdict(int))
    # Cadre-made records count for the cadre's unit; demands for their handling unit.
    for cadre_id, values in cadre_cells.items():
        cadre = cadres.get(cadre_id)
        if cadre and cadre[1] in units:
            top = units[cadre[1]][0][:depth]
            for k, v in values.items():
                per_unit[top][k] += v
    for unit_id, values in unit_cells.items():
        if unit_id in units:
            top = units[unit_id][0][:depth]
            for k, v in values.items():
                per_unit[top][k] += v
    by_path = {path: (pk, name) for pk, (path, name) in units.items()}
    # Each unit whose cadres' records (or handled demands) the viewer sees: for a township office,
    # the county bureaus working in its villages, with only that work (the records are the
    # viewer's). Those outside the viewer's own scope have no selection to drill into.
    unit_groups = [
        Group(
            by_path[path][0],
            by_path[path][1],
            dict(values),
            {"unit": by_path[path][0]},
            sel,
            linked=by_path[path][0] in seen_units,
        )
        for path, values in per_unit.items()
        if path in by_path and (sel.unit is None or path != sel.unit.path)
    ]
    unit_groups.sort(key=lambda g: (-g.values.get("visits", 0), g.label))
    if sel.unit is None and unit_cells.get(None):
        # The demands no unit handles yet: a row of their own, so that the table adds up.
        unit_groups.append(
            Group("unassigned", _("Not assigned to a unit"), dict(unit_cells[None]), {}, sel, linked=False)
        )
    teams = scoped(Team.objects.filter(campaign=sel.campaign), user, "programs.view")
    members: dict = defaultdict(set)
    for team_id, cadre_id in Team.members.through.objects.filter(team_id__in=teams.values("pk")).values_list(
        "team_id", "cadre_id"
    ):
        members[team_id].add(cadre_id)
    team_groups = []
    for team_id, name, leader_id in teams.values_list("pk", "name", "leader_id"):
        values: dict = defaultdict(int)
        for cadre_id in members[team_id] | ({leader_id} if leader_id else set()):
            for k, v in per_cadre.get(cadre_id, {}).items():
                values[k] += v
        team_groups.append(Group(team_id, name, dict(values), {"team": team_id, "cadre": None}, sel))
    team_groups.sort(key=lambda g: (-g.values.get("visits", 0), g.label))
    shown = [cadre_id for cadre_id in per_cadre if cadre_id in cadres]
    if top_n is not None:
        # The ranking's cadres only: those with at least the visits of the N-th (ties kept, for
        # the names to order them), then named, and whether the viewer may choose them, at once.
        shown.sort(key=lambda pk: -per_cadre[pk].get("visits", 0))
        if len(shown) > top_n:
            least = per_cadre[shown[top_n - 1]].get("visits", 0)
            shown = [pk for pk in shown if per_cadre[pk].get("visits", 0) >= least]
        named = Cadre.objects.filter(pk__in=shown) if len(shown) <= 500 else cadres_qs
        for pk, full_name, username, seen in named.annotate(seen=_in_scope(Cadre, user)).values_list(
            "pk", "account__full_name", "account__username", "seen"
        ):
            names[pk] = full_name or username
            if seen:
                seen_cadres.add(pk)
    cadre_groups = [
        Group(
            cadre_id,
            names.get(cadre_id, ""),
            per_cadre[cadre_id],
            {"cadre": cadre_id, "unit": None, "team": None},
            sel,
            linked=cadre_id in seen_cadres,
        )
        for cadre_id in shown
    ]
    # The id last: cadres of the same name and figures keep one order whatever the query plan.
    cadre_groups.sort(key=lambda g: (-g.values.get("visits", 0), g.label, g.key))
    if top_n is not None:
        cadre_groups = cadre_groups[:top_n]
    return unit_groups, team_groups, cadre_groups


def tile_records(*, user, sel: Selection, key: str):
    """The records behind a tile, in the order a list shows them."""
    tile = TILES.get(key)
    if tile is None:
        raise Http404
    records = tile.records(user, sel)
    if isinstance(tile, SourceTile):
        return tile.source.listed(records)
    return records


@dataclass(frozen=True)
class CampaignTargets:
    """A campaign's "Targets due a visit" on the campaign list: the dashboard's figure for the
    whole campaign and the month the list gives (`period`), each target once however many
    pairings it had."""

    period: Period
    count: int


def default_month(campaign: Campaign, today: dt.date) -> Period:
    """The month a campaign's line on the list is figured for: this month while it runs, its
    first month before it begins, its last month once it has ended."""
    day = max(today, campaign.start)
    if campaign.end is not None:
        day = min(day, campaign.end)
    return month_of(day)


def targets_due_by_campaign(*, user, campaigns, today: dt.date | None = None) -> dict[int, CampaignTargets]:
    """Each campaign's targets due a visit in its list month (default_month), as the dashboard
    counts them for that month (the same tile, so the same scope and the same rule: a target
    paired twice, by two kinds or a handover, counts once). One query for the whole list (a
    UNION ALL of each campaign's count, per hundred campaigns); campaigns with no target seen count 0."""
    today = today or timezone.localdate()
    tile = TILES["targets_due"]
    found: dict[int, CampaignTargets] = {}
    counts = []
    for campaign in campaigns:
        period = default_month(campaign, today)
        found[campaign.pk] = CampaignTargets(period, 0)
        sel = Selection(campaign=campaign, period=period, today=today)
        counts.append(
            tile.records(user, sel)
            .order_by()
            .values("campaign_id")
            .annotate(n=Count("pk"))
            .values_list("campaign_id", "n")
        )
    # In chunks: SQLite takes at most 500 terms in one compound SELECT (and a county keeps
    # its campaigns for years); one query per hundred campaigns.
    for start in range(0, len(counts), 100):
        chunk = counts[start : start + 100]
        rows = chunk[0].union(*chunk[1:], all=True) if len(chunk) > 1 else chunk[0]
        for campaign_id, n in rows:
            found[campaign_id] = replace(found[campaign_id], count=n)
    return found


# Compliance -------------------------------------------------------------------------------


@dataclass
class ComplianceSummary:
    passed: int
    failed: int
    no_records: int
    not_due: int
    by_rule: list
    as_of: dt.date

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.no_records + self.not_due


def compliance_summary(*, user, sel: Selection) -> ComplianceSummary:
    """The compliance checklist of the campaign as of the selection's day, limited to what the
    user may see (and to the chosen unit or cadre, exactly as the compliance page filters)."""
    from minqing.programs.selectors import compliance

    report = compliance(user=user, campaign=sel.campaign, as_of=sel.as_of)
    report.verdicts = _verdicts_of(sel, report.verdicts)
    totals = report.totals
    return ComplianceSummary(
        passed=totals["pass"],
        failed=totals["fail"],
        no_records=totals["no_records"],
        not_due=totals["not_due"],
        by_rule=report.by_rule,
        as_of=sel.as_of,
    )


def _verdicts_of(sel: Selection, verdicts: list) -> list:
    """The verdicts of the selection, as the tiles count: the region's subtree (by the subject's
    region: a cadre's unit's, a team's points' or its leader's), the team itself and its leader,
    members and points, the unit's subtree, the cadre."""
    if sel.cadre is not None:
        return [v for v in verdicts if v.cadre_id == sel.cadre.pk]
    if sel.unit is not None:
        units = set(Unit.objects.filter(prefix_q("path", sel.unit.path)).values_list("pk", flat=True))
        cadres = set(Cadre.objects.filter(unit_id__in=units).values_list("pk", flat=True))
        verdicts = [v for v in verdicts if v.unit_id in units or (v.unit_id is None and v.cadre_id in cadres)]
    if sel.team is not None:
        # The team's own verdicts and its leader's, members' and points', as its line on the
        # compliance page counts them.
        from minqing.programs.engine import team_verdicts
        from minqing.programs.selectors import team_subjects

        (team,) = team_subjects(Team.objects.filter(pk=sel.team.pk))
        verdicts = team_verdicts(verdicts, team)
    if sel.region is not None:
        verdicts = verdicts_in_region(verdicts, campaign=sel.campaign, region=sel.region)
    return verdicts


def campaigns_for(*, user) -> QuerySet:
    """The campaigns the user may see (their scope), and those running over the user's area."""
    visible = scoped(Campaign, user, "programs.view").values("pk")
    return (
        Campaign.objects.filter(Q(pk__in=visible) | within_area_q(user))
        .select_related("region")
        .order_by("-start", "id")
    )


def campaign_in_scope(*, user, campaign: Campaign) -> bool:
    """Whether the user reads the whole campaign, not only part of its area (programs'
    campaign_area: a township office, a cadre paired in it or not, reads the county's in part)."""
    return not campaign_area(user=user, campaign=campaign)


def area_name(*, user, campaign: Campaign) -> str:
    """What the viewer's figures of the campaign cover, by name, before a region, unit, team or
    cadre is chosen (the first step of the dashboard's heading): the campaign's region when a
    grant reaches all of it; else what the viewer's grants reach of it, as the figures read them —
    its regions inside the campaign's (a township office on the county's campaign: 江村乡), the
    units it reads by (a grant over a bureau: the bureau), its own records (a cadre: 李建军本人的记录)."""
    grants = [g for g in scope_for(user).grants if "programs.view" in g.permissions]
    top = campaign.region.prefix
    if any(top.startswith(p) for g in grants for p in g.region_prefixes):
        return campaign.region.name
    names = []
    inside = {p.ljust(12, "0") for g in grants for p in g.region_prefixes if p.startswith(top)}
    if inside:
        names += Region.objects.filter(code__in=inside).order_by("code").values_list("name", flat=True)
    paths = {path for g in grants for path in g.unit_paths}
    if paths:
        names += [
            u.label for u in Unit.objects.filter(path__in=paths).select_related("parent").order_by("path")
        ]
    if any(g.own for g in grants):
        names.append(_("own records of %(name)s") % {"name": user.full_name or user.username})
    return pgettext("list separator", ", ").join(names) or campaign.region.name


def viewers_selection(*, user, sel: Selection) -> Selection:
    """A viewer who reads the campaign only for part of its area (a township office reading the
    county's campaign) gets the figures of that area: the selection's region defaults to it, so
    that a document names the township, not the county, on the township's figures."""
    if sel.region is not None or campaign_in_scope(user=user, campaign=sel.campaign):
        return sel
    top = sel.campaign.region.prefix
    prefixes = {p for p in scope_for(user).region_prefixes("programs.view") if p.startswith(top)}
    if not prefixes:
        return sel
    # The smallest region holding every area of the viewer's inside the campaign's region.
    for level in sorted(LEVEL_DIGITS, reverse=True):
        digits = LEVEL_DIGITS[level]
        if digits < len(top) or any(len(p) < digits for p in prefixes):
            continue
        heads = {p[:digits] for p in prefixes}
        if len(heads) == 1:
            area = Region.objects.filter(pk=heads.pop().ljust(12, "0")).first()
            if area is not None and area.prefix.startswith(top):
                return replace(sel, region=area)
    return sel


def campaign_get(*, user, pk: int) -> Campaign:
    try:
        return campaigns_for(user=user).get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def mark_targets(user, records) -> list:
    """The records (pairings, visits, relief payments), each marked `target_unseen` when the user
    may not see its household, member or point: lists then name the target as the pairings page
    does (a household by its head's name) or say it is outside the user's area. One query per
    kind of target, whatever the rows."""
    from minqing.people.models import Member
    from minqing.programs.models import LiaisonPoint

    records = list(records)
    kinds = {
        "household_id": (Household, "people.view"),
        "member_id": (Member, "people.view"),
        "point_id": (LiaisonPoint, "programs.view"),
    }
    seen: dict[str, set] = {}
    for attr, (model, permission) in kinds.items():
        ids = {getattr(r, attr, None) for r in records} - {None}
        if ids:
            seen[attr] = set(
                scoped(model.objects.filter(pk__in=ids), user, permission).values_list("pk", flat=True)
            )
    for r in records:
        attr = next((a for a in kinds if getattr(r, a, None) is not None), None)
        r.target_unseen = attr is not None and getattr(r, attr) not in seen[attr]
    return records
