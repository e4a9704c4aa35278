"""Reads of appraisal, inspections and exemplary cases.

The three figures other parts build on (`resident_scores`, `inspection_results`,
`exemplary_cases`) take a campaign and a period and cost a fixed number of queries,
whatever the number of cadres. They are not scoped: the caller (the composite
assessment, the briefing) has already decided what the viewer may see.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, F, FloatField, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from minqing.core.scope import get_scoped_or_404, scoped
from minqing.org.models import unit_label

from .models import (
    RATING_POINTS,
    VERDICT_POINTS,
    AppraisalRound,
    ExemplaryCase,
    FollowUpAction,
    Inspection,
    Sample,
)


@dataclass(frozen=True)
class ResidentScore:
    score: float | None  # 0–100: 满意 100, 基本满意 60, 不满意 0, averaged over answers; None: no answer
    answered: int
    sampled: int


@dataclass(frozen=True)
class InspectionResult:
    count: int
    score: float | None  # 0–100: mean of the ratings (好 100, 较好 80, 一般 60, 差 0)
    open_actions: int  # follow-up actions not done by the end of the period
    overdue_actions: int  # of those, past their deadline by the end of the period (or today)


def _points(field: str, table: dict) -> Case:
    return Case(
        *(When(**{field: key}, then=Value(points)) for key, points in table.items()),
        default=Value(None),
        output_field=FloatField(),
    )


def resident_scores(campaign, start: dt.date, end: dt.date) -> dict[int, ResidentScore]:
    """Residents' score per cadre (keyed by org.Cadre pk) over the appraisal rounds of the
    campaign that end within [start, end] — each round counts in the period it closes in.
    One query."""
    rows = (
        Sample.objects.filter(round__campaign=campaign, round__end__gte=start, round__end__lte=end)
        .values("cadre_id")
        .annotate(
            sampled=Count("id"),
            answered=Count("id", filter=Q(status=Sample.Status.ANSWERED)),
            points=Sum(_points("verdict", VERDICT_POINTS), filter=Q(status=Sample.Status.ANSWERED)),
        )
        .order_by()
    )
    return {
        row["cadre_id"]: ResidentScore(
            score=(row["points"] / row["answered"]) if row["answered"] else None,
            answered=row["answered"],
            sampled=row["sampled"],
        )
        for row in rows
    }


def inspection_results(campaign, start: dt.date, end: dt.date) -> dict[int, InspectionResult]:
    """Inspections of each cadre (keyed by org.Cadre pk) dated within [start, end], with
    their follow-up actions as they stood at the end of the period. Two queries."""
    as_of = min(end, timezone.localdate())
    inspected = Inspection.objects.filter(
        campaign=campaign, date__gte=start, date__lte=end, cadre__isnull=False
    )
    rows = (
        inspected.values("cadre_id")
        .annotate(count=Count("id"), points=Sum(_points("rating", RATING_POINTS)))
        .order_by()
    )
    pending = Q(done_on__isnull=True) | Q(done_on__gt=end)
    actions = {
        row["inspection__cadre_id"]: row
        for row in FollowUpAction.objects.filter(inspection__in=inspected)
        .values("inspection__cadre_id")
        .annotate(
            open=Count("id", filter=pending),
            overdue=Count("id", filter=pending & Q(deadline__lt=as_of)),
        )
        .order_by()
    }
    results = {}
    for row in rows:
        action = actions.get(row["cadre_id"], {})
        results[row["cadre_id"]] = InspectionResult(
            count=row["count"],
            score=row["points"] / row["count"] if row["count"] else None,
            open_actions=action.get("open", 0),
            overdue_actions=action.get("overdue", 0),
        )
    return results


def exemplary_cases(
    campaign, start: dt.date, end: dt.date, published_only: bool = True, *, until: dt.datetime | None = None
) -> list[ExemplaryCase]:
    """The campaign's exemplary cases of the period: published within [start, end] (or,
    with published_only=False, nominated within it, whatever their state); with `until`,
    only those up to that moment. One query."""
    qs = ExemplaryCase.objects.filter(campaign=campaign).select_related(
        "cadre__account", "cadre__unit__parent", "team", "point"
    )
    start_at = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    end_at = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    if until is not None:
        end_at = min(end_at, until + dt.timedelta(microseconds=1))
    if published_only:
        qs = qs.filter(
            status=ExemplaryCase.Status.PUBLISHED, published_at__gte=start_at, published_at__lt=end_at
        ).order_by("published_at", "id")
    else:
        qs = qs.filter(nominated_at__gte=start_at, nominated_at__lt=end_at).order_by("nominated_at", "id")
    return list(qs)


def round_cases(appraisal_round) -> list[ExemplaryCase]:
    """The exemplary cases on a round's publication list: published within the round's
    period and, once it is released, not after its release, so that a released list never
    changes. One query."""
    return exemplary_cases(
        appraisal_round.campaign,
        appraisal_round.start,
        appraisal_round.end,
        until=appraisal_round.released_at,
    )


# Scoped reads for pages, API and commands ------------------------------------------


def rounds(*, user, campaign=None) -> QuerySet:
    qs = scoped(AppraisalRound, user, "appraisal.view").select_related("campaign")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


def round_get(*, user, pk) -> AppraisalRound:
    return get_scoped_or_404(
        AppraisalRound.objects.select_related("campaign", "campaign__region"), user, "appraisal.view", pk=pk
    )


def samples(*, user, appraisal_round, permission: str = "appraisal.manage") -> QuerySet:
    """The sampled households of a round the user may handle, never those drawn to appraise
    the user themself."""
    return (
        scoped(Sample, user, permission)
        .filter(round=appraisal_round)
        .exclude(cadre__account_id=user.pk)
        .select_related(
            "cadre__account", "cadre__unit__parent", "household", "household__head", "region", "recorded_by"
        )
        .order_by("cadre__unit__path", "cadre_id", "position")
    )


def sample_get(*, user, pk) -> Sample:
    sample = get_scoped_or_404(
        Sample.objects.select_related(
            "round",
            "round__campaign",
            "cadre__account",
            "cadre__unit__parent",
            "household",
            "household__head",
        ),
        user,
        "appraisal.manage",
        pk=pk,
    )
    if sample.cadre.account_id == user.pk:
        from django.http import Http404

        raise Http404
    return sample


@dataclass(frozen=True)
class PublicationRow:
    cadre_id: int
    name: str
    unit: str
    sampled: int
    answered: int
    satisfied: int
    basic: int
    unsatisfied: int
    score: float | None


def round_results(appraisal_round) -> list[PublicationRow]:
    """Each cadre's counts and score in one round, best first. One query."""
    rows = (
        Sample.objects.filter(round=appraisal_round)
        .values(
            "cadre_id",
            name=F("cadre__account__full_name"),
            username=F("cadre__account__username"),
            unit=F("cadre__unit__name"),
            parent_unit=F("cadre__unit__parent__name"),
            unit_path=F("cadre__unit__path"),
        )
        .annotate(
            sampled=Count("id"),
            answered=Count("id", filter=Q(status=Sample.Status.ANSWERED)),
            satisfied=Count("id", filter=Q(status=Sample.Status.ANSWERED, verdict="satisfied")),
            basic=Count("id", filter=Q(status=Sample.Status.ANSWERED, verdict="basic")),
            unsatisfied=Count("id", filter=Q(status=Sample.Status.ANSWERED, verdict="unsatisfied")),
            points=Sum(_points("verdict", VERDICT_POINTS), filter=Q(status=Sample.Status.ANSWERED)),
        )
        .order_by()
    )
    result = [
        PublicationRow(
            cadre_id=row["cadre_id"],
            name=row["name"] or row["username"],
            # Named with its body: every bureau has its 办公室.
            unit=unit_label(row["unit"], row["parent_unit"]),
            sampled=row["sampled"],
            answered=row["answered"],
            satisfied=row["satisfied"],
            basic=row["basic"],
            unsatisfied=row["unsatisfied"],
            score=round(row["points"] / row["answered"], 1) if row["answered"] else None,
        )
        for row in rows
    ]
    result.sort(key=lambda r: (r.score is None, -(r.score or 0), r.unit, r.name))
    return result


def inspections(*, user, campaign=None) -> QuerySet:
    qs = scoped(Inspection, user, "inspections.view").select_related(
        "campaign", "cadre__account", "cadre__unit__parent", "point", "inspector"
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


def inspection_get(*, user, pk) -> Inspection:
    return get_scoped_or_404(
        Inspection.objects.select_related(
            "campaign", "cadre__account", "cadre__unit__parent", "point", "inspector"
        ),
        user,
        "inspections.view",
        pk=pk,
    )


def actions(*, user) -> QuerySet:
    return scoped(FollowUpAction, user, "inspections.view").select_related(
        "inspection", "owner__account", "owner__unit"
    )


def cases(*, user, campaign=None) -> QuerySet:
    qs = scoped(ExemplaryCase, user, "exemplary.view").select_related(
        "campaign", "cadre__account", "cadre__unit__parent", "team", "point"
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


def briefing_features(user, sel) -> list:
    """The figures' briefing features the campaign's exemplary cases published in its period,
    those the reader may see and of the briefing's area (and unit, team or cadre)."""
    from minqing.core.scope import scope_q
    from minqing.core.treecode import prefix_q
    from minqing.figures.documents import Feature

    condition = scope_q(ExemplaryCase, user, "exemplary.view")
    if condition is None:
        return []
    cases = exemplary_cases(sel.campaign, sel.period.start, sel.period.end, published_only=True)
    visible = ExemplaryCase.objects.filter(condition, pk__in=[c.pk for c in cases])
    visible = visible.filter(prefix_q("region_id", sel.area_prefix))
    if sel.cadre is not None:
        visible = visible.filter(cadre=sel.cadre)
    elif sel.team is not None:
        visible = visible.filter(team=sel.team)
    elif sel.unit is not None:
        visible = visible.filter(prefix_q("cadre__unit__path", sel.unit.path))
    shown = set(visible.values_list("pk", flat=True))
    return [Feature(case.title, case.story) for case in cases if case.pk in shown]
