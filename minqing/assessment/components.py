"""The components of the composite assessment, one small class each.

Each computes a score from 0 to 100 (or None: nothing to judge, e.g. no demands owned)
for EVERY cadre of a campaign in a period, with a fixed number of aggregate queries,
whatever the number of cadres (like the compliance rules in programs/rules/). A
component whose records come from a module that is not installed is left out.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from minqing.programs.rules._periods import asked_span, in_spans, month_due, month_end, months

COMPONENTS: dict[str, type["Component"]] = {}


@dataclass
class Part:
    score: float | None
    actual: str = ""
    detail: dict = field(default_factory=dict)


class Context:
    """What every component of one assessment shares, each loaded once."""

    def __init__(self, campaign, start: dt.date, end: dt.date, cadres: list, cadre_qs=None):
        """`cadre_qs`: the queryset the cadres were read from, reused as a subquery."""
        self.campaign, self.start, self.end, self.cadres = campaign, start, end, cadres
        self.cadre_qs = cadre_qs
        self._spans: dict = {}  # most pairings share their dates: one asked_span for each

    @cached_property
    def cadre_ids(self) -> set[int]:
        return {c.pk for c in self.cadres}

    @cached_property
    def account_to_cadre(self) -> dict[int, int]:
        return {c.account_id: c.pk for c in self.cadres}

    def pairings(self):
        from minqing.programs.models import Pairing

        return Pairing.objects.filter(campaign=self.campaign, start__lte=self.end).filter(
            Q(end__isnull=True) | Q(end__gte=self.start)
        )

    def rule_param(self, rule_type: str, name: str, default):
        for rule in self.campaign.config.get("rules", []):
            if rule["type"] == rule_type and not rule.get("disabled"):
                return rule.get("params", {}).get(name, default)
        return default

    @cached_property
    def months_asked(self) -> list[dt.date]:
        """The months of the window the campaign asks for, as its monthly rules do
        (rules._periods.month_due: it runs on at least half of their days)."""
        return [
            m for m in months(self.start, self.end) if month_due(m, self.campaign.start, self.campaign.end)
        ]

    @cached_property
    def months_over(self) -> list[dt.date]:
        """The months asked for that have ended by the window's last day: at the month's end, or
        the campaign's if it ends first (rules._periods.month_over)."""
        end = self.campaign.end
        return [m for m in self.months_asked if min(month_end(m), end or month_end(m)) <= self.end]

    def span(self, start: dt.date, end: dt.date | None):
        """The months a pairing from start to end asks of its cadre (rules._periods.asked_span:
        those it runs on at least half of the days of, clipped to the campaign)."""
        key = (start, end)
        if key not in self._spans:
            self._spans[key] = asked_span(start, end, self.campaign)
        return self._spans[key]

    @cached_property
    def pairing_rows(self) -> list[tuple]:
        """(cadre id, kind, start, end, household id, member id, point id) of the campaign's
        pairings in the window (one query, shared by the components)."""
        return list(
            self.pairings()
            .order_by()
            .values_list("cadre_id", "kind", "start", "end", "household_id", "member_id", "point_id")
        )

    @cached_property
    def paired_cadres(self) -> set[int]:
        """The cadres with a pairing of the campaign in the window (in the field)."""
        return {row[0] for row in self.pairing_rows}

    def asked_of(self, months_: list[dt.date], kinds=()) -> dict[int, list[dt.date]]:
        """cadre id → of these months, those the cadre's pairings in the window (of these kinds)
        ask of it, as the compliance rules ask them (Context.month_spans there); a cadre with no
        such pairing is not in it (with kinds, a rule asks it nothing; without, every month)."""
        kinds = set(kinds or ())
        spans: dict[int, set] = {}
        for cadre_id, kind, start, end, *_target in self.pairing_rows:
            if not kinds or kind in kinds:
                span = self.span(start, end)
                spans.setdefault(cadre_id, set()).update([span] if span else [])
        return {cadre_id: [m for m in months_ if in_spans(m, found)] for cadre_id, found in spans.items()}


class Component:
    key: ClassVar[str]
    label: ClassVar[object]
    default_weight: ClassVar[int]
    order: ClassVar[int] = 0
    # Its `actual` is what was done against what was asked ("3/2": 3 done where 2 are asked, a
    # cadre may do more), shown as such (selectors.part_text), not as a ratio.
    asks: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        COMPONENTS[cls.key] = cls

    @classmethod
    def available(cls) -> bool:
        return True

    def compute(self, ctx: Context) -> dict[int, Part]:
        raise NotImplementedError


def _ratio_score(done: float, due: float) -> float | None:
    if due <= 0:
        return None
    return round(100.0 * min(1.0, done / due), 2)


class VisitsDone(Component):
    """Visits done against those due: each paired target (of the kinds the campaign's visits
    rule counts) the times the rule asks, per campaign or in each month it asks (the months the
    campaign and the pairing run on at least half of the days of, as the rule), a target's
    surplus not making up for another's gap, nor a month's for another month's. The visits
    that count are the rule's: the cadre's own and those it joined, a member's for the
    member's household too."""

    key = "visits"
    label = gettext_lazy("Visits done vs due")
    default_weight = 25
    order = 10
    asks = True

    def compute(self, ctx):
        wanted = int(ctx.rule_param("visits.per_target", "min", 1))
        per_month = ctx.rule_param("visits.per_target", "per", "campaign") == "month"
        # The targets the rule counts: its kinds of pairing (empty: any).
        kinds = set(ctx.rule_param("visits.per_target", "kinds", []))
        pairings = ctx.pairings().filter(kind__in=kinds) if kinds else ctx.pairings()
        mine = [row for row in ctx.pairing_rows if (not kinds or row[1] in kinds) and row[0] in ctx.cadre_ids]
        # The months judged (asked for and ended), or the window as one bucket (None).
        buckets = ctx.months_over if per_month else [None]
        counts = self._counts(ctx, pairings, mine, buckets) if buckets else {}
        found: dict[int, list[int]] = {}
        for cadre_id, _kind, start, end, household_id, member_id, point_id in mine:
            if per_month:
                span = ctx.span(start, end)
                asked = [m for m in buckets if span and in_spans(m, [span])]
            else:
                asked = buckets
            key = (
                ("household", household_id)
                if household_id
                else ("member", member_id)
                if member_id
                else ("point", point_id)
            )
            pair = found.setdefault(cadre_id, [0, 0])
            pair[0] += sum(min(counts.get((cadre_id, key, m), 0), wanted) for m in asked)
            pair[1] += wanted * len(asked)
        return {
            cadre_id: Part(_ratio_score(done, due), f"{done}/{due}")
            for cadre_id, (done, due) in found.items()
        }

    def _counts(self, ctx, pairings, mine, buckets) -> Counter:
        """(cadre id, target key, month or None) → the visits that count for the target, as the
        visits rule counts them (rules.visits_per_target.counted_visits: the cadre's own and
        those it joined; a member's visit also for the member's household), in the window or
        in each month judged. A fixed number of queries: one per kind of target paired and one
        for the joined visits, the months as conditional counts (no per-row month function,
        which is a Python call on SQLite)."""
        from minqing.programs.rules.visits_per_target import counted_visits, visit_keys

        if buckets == [None]:
            start, end = ctx.start, ctx.end
            names = {"n": None}
        else:
            start, end = buckets[0], min(month_end(buckets[-1]), ctx.end)
            names = {f"m{i}": m for i, m in enumerate(buckets)}

        def counts(prefix):
            if buckets == [None]:
                return {"n": Count("id")}
            return {
                f"m{i}": Count(
                    "id", filter=Q(**{f"{prefix}date__gte": m, f"{prefix}date__lte": month_end(m)})
                )
                for i, m in enumerate(buckets)
            }

        rows = counted_visits(
            campaign=ctx.campaign,
            start=start,
            end=end,
            pairs=pairings,
            paired=tuple(any(row[i] for row in mine) for i in (4, 5, 6)),
            joiners=_cadre_subquery(ctx),
            counts=counts,
        )
        found: Counter = Counter()
        for row in rows:
            if row["cadre_id"] not in ctx.cadre_ids:
                continue
            for key in visit_keys(row):
                for name, bucket in names.items():
                    found[(row["cadre_id"], key, bucket)] += row[name]
        return found


class DemandsOnTime(Component):
    """Demands owned (or led as 包联领导) with a deadline in the period, answered by it."""

    key = "demands"
    label = gettext_lazy("Demands resolved on time")
    default_weight = 15
    order = 20

    def compute(self, ctx):
        from minqing.tickets.models import Status, Ticket

        start = timezone.make_aware(dt.datetime.combine(ctx.start, dt.time.min))
        end = min(timezone.make_aware(dt.datetime.combine(ctx.end, dt.time.max)), timezone.now())
        due = Ticket.objects.filter(campaign=ctx.campaign, deadline__gte=start, deadline__lte=end).exclude(
            status=Status.MERGED
        )
        counts = {"total": Count("id"), "on_time": Count("id", filter=Q(replied_at__lte=F("deadline")))}
        found: dict[int, list[int]] = {}
        for row in due.filter(owner__isnull=False).values("owner_id").annotate(**counts):
            cadre_id = ctx.account_to_cadre.get(row["owner_id"])
            if cadre_id is not None:
                pair = found.setdefault(cadre_id, [0, 0])
                pair[0] += row["on_time"]
                pair[1] += row["total"]
        for row in (
            due.filter(leader__isnull=False)
            .exclude(owner_id=F("leader__account_id"))
            .values("leader_id")
            .annotate(**counts)
        ):
            if row["leader_id"] in ctx.cadre_ids:
                pair = found.setdefault(row["leader_id"], [0, 0])
                pair[0] += row["on_time"]
                pair[1] += row["total"]
        return {
            cadre_id: Part(_ratio_score(ok, total), f"{ok}/{total}")
            for cadre_id, (ok, total) in found.items()
        }


class VerifiedDeeds(Component):
    """Deeds the beneficiary confirmed, against the deeds due: the campaign's deeds rule's
    minimum for each paired household and point."""

    key = "deeds"
    label = gettext_lazy("Verified deeds")
    default_weight = 15
    order = 30
    asks = True

    def compute(self, ctx):
        from minqing.fieldwork.models import Deed

        wanted = int(ctx.rule_param("deeds.per_target", "min", 1))
        targets = {
            row["cadre_id"]: row["n"]
            for row in ctx.pairings()
            .filter(Q(household__isnull=False) | Q(point__isnull=False))
            .values("cadre_id")
            .annotate(n=Count("id"))
        }
        verified = {
            row["cadre_id"]: row["n"]
            for row in Deed.objects.filter(
                campaign=ctx.campaign, date__gte=ctx.start, date__lte=ctx.end, confirmed_on__isnull=False
            )
            .values("cadre_id")
            .annotate(n=Count("id"))
        }
        parts = {}
        for cadre_id in ctx.cadre_ids:
            done, due = verified.get(cadre_id, 0), targets.get(cadre_id, 0) * wanted
            if due == 0 and done == 0:
                continue
            parts[cadre_id] = Part(100.0 if due == 0 else _ratio_score(done, due), f"{done}/{due}")
        return parts


class Attendance(Component):
    """Days at the point confirmed by the village against the days due (the campaign's
    stay rule, 2 a month when it has none). Rejected days and months short of the due days
    are the unexcused absences the recall rule counts. The days and months are the stay
    rule's: a day counts when it counts for the campaign (AttendanceDay.in_campaign), a month
    is asked when the campaign and the cadre's pairing (of the rule's kinds) run on at least
    half of its days."""

    key = "attendance"
    label = gettext_lazy("Attendance at the point")
    default_weight = 15
    order = 40
    asks = True

    def compute(self, ctx):
        from minqing.fieldwork.models import AttendanceDay

        per_month = int(ctx.rule_param("stay.days_per_month", "min", 2))
        kinds = ctx.rule_param("stay.days_per_month", "kinds", [])
        confirmed_q, rejected_q = (
            Q(status=AttendanceDay.Status.CONFIRMED),
            Q(status=AttendanceDay.Status.REJECTED),
        )
        days = AttendanceDay.objects.filter(
            AttendanceDay.in_campaign(ctx.campaign),
            confirmed_q | rejected_q,
            cadre_id__in=_cadre_subquery(ctx),
            date__gte=ctx.start,
            date__lte=ctx.end,
        )
        # One row per cadre: the distinct days rejected, and the distinct days confirmed in each
        # month asked for that has ended (a count per month, where grouping by a truncated month
        # gave a row per cadre and month, and on SQLite a Python call per day).
        counts = {"rejected": Count("date", distinct=True, filter=rejected_q)}
        for i, month in enumerate(ctx.months_over):
            counts[f"m{i}"] = Count(
                "date", distinct=True, filter=confirmed_q & Q(date__gte=month, date__lte=month_end(month))
            )
        confirmed: dict[int, dict] = {}
        rejected: dict[int, int] = {}
        for row in days.values("cadre_id").annotate(**counts).order_by():
            if row["cadre_id"] not in ctx.cadre_ids:
                continue
            confirmed[row["cadre_id"]] = {m: row[f"m{i}"] for i, m in enumerate(ctx.months_over)}
            rejected[row["cadre_id"]] = row["rejected"]
        # The months asked of each cadre: those its pairings ask; with none, the stay rule asks
        # a cadre every month, or nothing when it names kinds of pairing.
        asked = ctx.asked_of(ctx.months_over, kinds)
        unpaired = [] if kinds else ctx.months_over
        parts = {}
        for cadre_id in ctx.cadre_ids:
            mine = confirmed.get(cadre_id, {})
            months_due = asked.get(cadre_id, unpaired)
            due = per_month * len(months_due)
            done = sum(min(mine.get(m, 0), per_month) for m in months_due)
            short = [m.isoformat() for m in months_due if mine.get(m, 0) < per_month]
            absences = rejected.get(cadre_id, 0) + len(short)
            parts[cadre_id] = Part(
                _ratio_score(done, due),
                f"{done}/{due}",
                {"rejected": rejected.get(cadre_id, 0), "short_months": short, "absences": absences},
            )
        return parts


def _cadre_subquery(ctx):
    from minqing.programs.selectors import campaign_cadres

    return (ctx.cadre_qs if ctx.cadre_qs is not None else campaign_cadres(ctx.campaign)).values("id")


class ReportsOnTime(Component):
    """Monthly reports submitted by their due day, against the reports owed: those the campaign's
    monthly-report rule asks of the cadre for the months of the window whose due day has passed
    (rules.reports_monthly.months_owed, as the dashboard's report punctuality counts them: the
    months the campaign and the cadre's pairings of the rule's kinds run on at least half of the
    days of). A report owed and not submitted, or submitted late, costs its share; a campaign
    without the rule asks none (no score: the cadre is judged on the other components)."""

    key = "reports"
    label = gettext_lazy("Report punctuality")
    default_weight = 10
    order = 50
    asks = True

    def compute(self, ctx):
        from minqing.fieldwork.models import MonthlyReport
        from minqing.programs.rules.reports_monthly import (
            monthly_report_rule,
            months_owed,
            report_due,
            report_pairings,
        )

        rule = monthly_report_rule(ctx.campaign)
        if rule is None:
            return {}
        today = timezone.localdate()
        owed = months_owed(
            ctx.campaign,
            ctx.months_asked,
            ctx.cadre_ids,
            # The cadres' pairings of the rule's kinds over the campaign, as the dashboard reads them.
            report_pairings(ctx.campaign, _cadre_subquery(ctx), today=today),
            # Judged as the rule judges them, on the day they are read: a month's report once its
            # due day has passed, also for a window that ended before then.
            today=today,
        )
        if not owed:
            return {}
        first = min(months[0] for months in owed.values())
        last = max(months[-1] for months in owed.values())
        due = {month: report_due(ctx.campaign, month) for month in ctx.months_asked}
        on_time = {
            (cadre_id, month)
            for cadre_id, month, submitted in MonthlyReport.objects.filter(
                campaign=ctx.campaign,
                status=MonthlyReport.Status.SUBMITTED,
                month__gte=first,
                month__lte=last,
                cadre_id__in=_cadre_subquery(ctx),
            )
            .order_by()
            .values_list("cadre_id", "month", "submitted_on")
            if submitted is not None and month in due and submitted <= due[month]
        }
        parts = {}
        for cadre_id, months_due in owed.items():
            done = sum(1 for m in months_due if (cadre_id, m) in on_time)
            parts[cadre_id] = Part(_ratio_score(done, len(months_due)), f"{done}/{len(months_due)}")
        return parts


def _appraisal_installed() -> bool:
    from django.apps import apps

    return apps.is_installed("minqing.appraisal")


class ResidentsScore(Component):
    """The residents' appraisal (群众评议) of the cadre: the rounds that closed in the period."""

    key = "residents"
    label = gettext_lazy("Residents' score")
    default_weight = 15
    order = 60

    @classmethod
    def available(cls) -> bool:
        return _appraisal_installed()

    def compute(self, ctx):
        from minqing.appraisal.selectors import resident_scores

        return {
            cadre_id: Part(
                None if found.score is None else round(found.score, 2),
                f"{found.answered}/{found.sampled}",
            )
            for cadre_id, found in resident_scores(ctx.campaign, ctx.start, ctx.end).items()
            if cadre_id in ctx.cadre_ids
        }


class InspectionFindings(Component):
    """Inspections (督查) of the cadre in the period: the mean rating, less 10 points for each
    follow-up action past its deadline. No inspection, nothing to judge."""

    key = "inspections"
    label = gettext_lazy("Inspection findings")
    default_weight = 5
    order = 70

    @classmethod
    def available(cls) -> bool:
        return _appraisal_installed()

    def compute(self, ctx):
        from minqing.appraisal.selectors import inspection_results

        parts = {}
        for cadre_id, found in inspection_results(ctx.campaign, ctx.start, ctx.end).items():
            if cadre_id not in ctx.cadre_ids:
                continue
            score = (
                None if found.score is None else round(max(0.0, found.score - 10 * found.overdue_actions), 2)
            )
            parts[cadre_id] = Part(
                score,
                f"{found.count}",
                {"open_actions": found.open_actions, "overdue_actions": found.overdue_actions},
            )
        return parts


def ordered_components() -> list[type[Component]]:
    return sorted((c for c in COMPONENTS.values() if c.available()), key=lambda c: c.order)


def default_weights() -> dict[str, int]:
    return {c.key: c.default_weight for c in ordered_components()}


def composite(parts: dict[str, Part], weights: dict[str, int]) -> float | None:
    """The weighted mean of the components that have a score: a cadre with nothing to judge
    in one component (no demands owned) is judged on the others."""
    weighted = [(weights.get(key, 0), part.score) for key, part in parts.items() if part.score is not None]
    total_weight = sum(w for w, _ in weighted if w > 0)
    if total_weight == 0:
        return None
    return round(sum(w * s for w, s in weighted if w > 0) / total_weight, 2)
