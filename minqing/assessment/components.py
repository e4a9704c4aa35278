"""The components of the composite assessment, one small class each.

Each computes a score from 0 to 100 (or None: nothing to judge, e.g. no demands owned)
for EVERY cadre of a campaign in a period, with a fixed number of aggregate queries,
whatever the number of cadres (like the compliance rules in programs/rules/). A
component whose records come from a module that is not installed is left out.
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from minqing.programs.rules._periods import month_end, months, next_month

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

    def has_rule(self, rule_type: str) -> bool:
        return any(
            r["type"] == rule_type and not r.get("disabled") for r in self.campaign.config.get("rules", [])
        )

    @cached_property
    def months_over(self) -> list[dt.date]:
        """The months of the window that have ended by its last day."""
        return [m for m in months(self.start, self.end) if month_end(m) <= self.end]


class Component:
    key: ClassVar[str]
    label: ClassVar[object]
    default_weight: ClassVar[int]
    order: ClassVar[int] = 0

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


def _count(qs) -> Subquery:
    return Coalesce(
        Subquery(qs.order_by().values("cadre_id").annotate(n=Count("id")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


class VisitsDone(Component):
    """Visits done against those due: each paired target the times the campaign asks
    (its visits rule, per campaign or per month), a target's surplus not making up for another's gap."""

    key = "visits"
    label = gettext_lazy("Visits done vs due")
    default_weight = 25
    order = 10

    def compute(self, ctx):
        from minqing.fieldwork.models import Visit

        wanted = int(ctx.rule_param("visits.per_target", "min", 1))
        per_month = ctx.rule_param("visits.per_target", "per", "campaign") == "month"
        done_by, due_by = {}, {}
        # One query per kind of target: each pairing with its cadre's visits to that target
        # within the part of the window the pairing covers (a correlated count on the target's index).
        for target in ("household", "member", "point"):
            visits = Visit.objects.filter(
                campaign=ctx.campaign,
                cadre_id=OuterRef("cadre_id"),
                date__gte=OuterRef("start"),
                date__lte=Coalesce(OuterRef("end"), Value(ctx.end)),
                **{f"{target}_id": OuterRef(f"{target}_id")},
            ).filter(date__gte=ctx.start, date__lte=ctx.end)
            rows = (
                ctx.pairings()
                .filter(**{f"{target}__isnull": False})
                .annotate(n=_count(visits))
                .values_list("cadre_id", "start", "end", "n")
            )
            for cadre_id, start, end, n in rows:
                if cadre_id not in ctx.cadre_ids:
                    continue
                if per_month:
                    first, last = max(start, ctx.start), min(end or ctx.end, ctx.end)
                    due = wanted * len([m for m in ctx.months_over if first <= month_end(m) and m <= last])
                else:
                    due = wanted
                due_by[cadre_id] = due_by.get(cadre_id, 0) + due
                done_by[cadre_id] = done_by.get(cadre_id, 0) + min(n, due)
        return {
            cadre_id: Part(_ratio_score(done_by[cadre_id], due), f"{done_by[cadre_id]}/{due}")
            for cadre_id, due in due_by.items()
        }


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
    are the unexcused absences the recall rule counts."""

    key = "attendance"
    label = gettext_lazy("Attendance at the point")
    default_weight = 15
    order = 40

    def compute(self, ctx):
        from minqing.fieldwork.models import AttendanceDay

        per_month = int(ctx.rule_param("stay.days_per_month", "min", 2))
        confirmed_q, rejected_q = (
            Q(status=AttendanceDay.Status.CONFIRMED),
            Q(status=AttendanceDay.Status.REJECTED),
        )
        days = AttendanceDay.objects.filter(
            confirmed_q | rejected_q,
            cadre_id__in=_cadre_subquery(ctx),
            date__gte=ctx.start,
            date__lte=ctx.end,
        )
        # One row per cadre: the distinct days rejected, and the distinct days confirmed in each
        # month that has ended (a count per month, where grouping by a truncated month gave a
        # row per cadre and month, and on SQLite a Python call per day).
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
        due = per_month * len(ctx.months_over)
        parts = {}
        for cadre_id in ctx.cadre_ids:
            mine = confirmed.get(cadre_id, {})
            done = sum(min(mine.get(m, 0), per_month) for m in ctx.months_over)
            short = [m.isoformat() for m in ctx.months_over if mine.get(m, 0) < per_month]
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
    """Monthly reports submitted by the due day of the next month (campaigns with a monthly-report rule)."""

    key = "reports"
    label = gettext_lazy("Report punctuality")
    default_weight = 10
    order = 50

    def compute(self, ctx):
        from minqing.fieldwork.models import MonthlyReport

        if not ctx.has_rule("reports.monthly"):
            return {}
        day = int(ctx.rule_param("reports.monthly", "due_day", 5))
        today = timezone.localdate()
        due = [(m, next_month(m).replace(day=day)) for m in months(ctx.start, ctx.end)]
        due = [(m, d) for m, d in due if d < today]
        if not due:
            return {}
        deadline = dict(due)
        on_time: dict[int, int] = {}
        for cadre_id, month, submitted in MonthlyReport.objects.filter(
            campaign=ctx.campaign,
            status=MonthlyReport.Status.SUBMITTED,
            month__gte=due[0][0],
            month__lte=due[-1][0],
        ).values_list("cadre_id", "month", "submitted_on"):
            if month in deadline and submitted and submitted <= deadline[month]:
                on_time[cadre_id] = on_time.get(cadre_id, 0) + 1
        return {
            cadre_id: Part(
                _ratio_score(on_time.get(cadre_id, 0), len(due)), f"{on_time.get(cadre_id, 0)}/{len(due)}"
            )
            for cadre_id in ctx.cadre_ids
        }


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
