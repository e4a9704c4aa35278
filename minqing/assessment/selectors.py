"""Reads of assessments, recalls and leaders' records, through the data scope."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core.scope import get_scoped_or_404, scoped
from minqing.org.models import Cadre
from minqing.programs.rules._periods import week_due
from minqing.programs.selectors import campaign_cadres

from . import components, periods
from .models import AssessmentResult, AssessmentRun, LeaderRecord, Recall, RecallRule, WeightSet

VIEW, MANAGE = "assessment.view", "assessment.manage"


def weight_set_for(campaign, start: dt.date) -> WeightSet | None:
    """The newest weights in force on the first day of the assessed window."""
    return (
        WeightSet.objects.filter(campaign=campaign, effective_from__lte=start)
        .order_by("-effective_from", "-version")
        .first()
    )


def weight_sets(campaign) -> QuerySet:
    return WeightSet.objects.filter(campaign=campaign).select_related("changed_by").order_by("-version")


def compute(campaign, start: dt.date, end: dt.date, weights: dict) -> list[dict]:
    """Every participating cadre's components and composite score for the window, ranked.
    Reads only; a fixed number of queries whatever the number of cadres."""
    cadre_qs = campaign_cadres(campaign)
    cadres = list(cadre_qs.only("id", "unit_id", "account_id"))
    ctx = components.Context(campaign, start, end, cadres, cadre_qs)
    by_component = {c.key: c().compute(ctx) for c in components.ordered_components()}
    rows = []
    for cadre in cadres:
        parts = {key: found[cadre.pk] for key, found in by_component.items() if cadre.pk in found}
        rows.append(
            {
                "cadre_id": cadre.pk,
                "unit_id": cadre.unit_id,
                "parts": parts,
                "total": components.composite(parts, weights),
            }
        )
    rank(rows, "rank_campaign", lambda r: None)
    rank(rows, "rank_unit", lambda r: r["unit_id"])
    return rows


def rank(rows: list[dict], name: str, group) -> None:
    """Competition ranking (1, 2, 2, 4) by composite score within each group; no score, no rank."""
    groups: dict = {}
    for row in rows:
        groups.setdefault(group(row), []).append(row)
    for members in groups.values():
        scored = sorted((r for r in members if r["total"] is not None), key=lambda r: -r["total"])
        previous, position = None, 0
        for index, row in enumerate(scored, start=1):
            if row["total"] != previous:
                position, previous = index, row["total"]
            row[name] = position
        for row in members:
            row.setdefault(name, None)


def latest_run(campaign, period: str) -> AssessmentRun | None:
    return (
        AssessmentRun.objects.filter(campaign=campaign, period=period)
        .select_related("weight_set", "run_by")
        .order_by("-run_at", "-id")
        .first()
    )


def periods_run(campaign) -> list[str]:
    return sorted(
        set(AssessmentRun.objects.filter(campaign=campaign).values_list("period", flat=True)), reverse=True
    )


def result_list(*, user, run: AssessmentRun) -> QuerySet:
    return (
        scoped(AssessmentResult.objects.filter(run=run), user, VIEW)
        .select_related("cadre__account", "unit__parent")
        .order_by("rank_campaign", "unit__path", "cadre_id")
    )


def result_get(*, user, pk: int) -> AssessmentResult:
    return get_scoped_or_404(
        AssessmentResult.objects.select_related(
            "cadre__account", "cadre__unit", "unit__parent", "run__campaign", "run__weight_set"
        ),
        user,
        VIEW,
        pk=pk,
    )


def cadre_results(*, user, cadre) -> QuerySet:
    return (
        scoped(AssessmentResult.objects.filter(cadre=cadre), user, VIEW)
        .select_related("run__campaign")
        .order_by("-run__end", "-run__run_at", "-id")
    )


ASKED = re.compile(r"^(\d+)/(\d+)$")


def part_text(key: str, part: dict) -> str:
    """How a stored component's count reads: for one counted against what is asked
    (Component.asks), what was done and what was asked — "3（要求 2）", "3 (2 asked)" — for a
    cadre may do more than asked and "3/2" reads as a wrong ratio; else as stored ("2/3" demands
    on time of those due, "5" inspections). Stored runs keep "done/asked", read here in the
    reader's language."""
    actual = part.get("actual", "")
    component = components.COMPONENTS.get(key)
    found = ASKED.match(actual) if component is not None and component.asks else None
    if found is None:
        return actual
    return _("%(done)s (%(due)s asked)") % {"done": found[1], "due": found[2]}


def part_rows(result: AssessmentResult) -> list[dict]:
    """The stored components of a result, in the order of the catalogue, with their labels."""
    labels = {c.key: c.label for c in components.COMPONENTS.values()}
    order = {c.key: c.order for c in components.COMPONENTS.values()}
    weights = result.run.weights
    return [
        {
            "key": key,
            "label": labels.get(key, key),
            "score": part.get("score"),
            "actual": part.get("actual", ""),
            "text": part_text(key, part),
            "weight": weights.get(key, 0),
        }
        for key, part in sorted(result.parts.items(), key=lambda kv: order.get(kv[0], 99))
    ]


def result_cells(result: AssessmentResult, keys) -> list[dict | None]:
    """The result's components in the order of `keys` (the page's columns): each its score and
    its count as part_text writes it; None for one the cadre was not judged on."""
    cells = []
    for key in keys:
        part = result.parts.get(key)
        cells.append(None if part is None else {"score": part.get("score"), "text": part_text(key, part)})
    return cells


# Recall -----------------------------------------------------------------------------


@dataclass
class AtRisk:
    cadre: object
    reasons: list[str] = field(default_factory=list)
    open_recall: Recall | None = None


def recall_rule(campaign) -> RecallRule | None:
    return RecallRule.objects.filter(campaign=campaign).first()


def at_risk(campaign, as_of: dt.date | None = None, user=None) -> list[AtRisk]:
    """Cadres of the campaign the recall rule flags as of a date, each with the reasons. The
    residents' score and absences are counted live over the year to that date; the composite
    score is the stored one of that year (the office's official figure)."""
    as_of = as_of or timezone.localdate()
    rule = recall_rule(campaign)
    if rule is None:
        return []
    start, end = max(campaign.start, dt.date(as_of.year, 1, 1)), min(campaign.end or as_of, as_of)
    if end < start:
        return []
    cadre_qs = campaign_cadres(campaign)
    # With a user: only the cadres they may see (the same query, filtered by their scope).
    visible = scoped(cadre_qs, user, "org.view") if user is not None else cadre_qs
    # The components need ids only; the flagged few are read whole at the end.
    cadres = {c.pk: c for c in visible.only("id", "account_id", "unit_id")}
    ctx = components.Context(campaign, start, end, list(cadres.values()), cadre_qs)
    reasons: dict[int, list[str]] = {}
    if rule.absences_at_least:
        # Only cadres in the field are expected at a point, in the months their pairings ask
        # (the months short are only those: the attendance component's, as the stay rule's).
        for cadre_id, part in components.COMPONENTS["attendance"]().compute(ctx).items():
            if cadre_id not in ctx.paired_cadres:
                continue
            short = len(part.detail["short_months"])
            absences = part.detail["rejected"] + short
            if absences >= rule.absences_at_least:
                reasons.setdefault(cadre_id, []).append(
                    _(
                        "%(n)s unexcused absences (%(rejected)s days rejected, %(short)s months short of the days due)"
                    )
                    % {"n": absences, "rejected": part.detail["rejected"], "short": short}
                )
    residents = components.COMPONENTS.get("residents")
    if rule.resident_score_below is not None and residents is not None and residents.available():
        for cadre_id, part in residents().compute(ctx).items():
            if part.score is not None and part.score < rule.resident_score_below:
                reasons.setdefault(cadre_id, []).append(
                    _("residents' score %(score)s, under %(limit)s")
                    % {"score": f"{part.score:g}", "limit": f"{rule.resident_score_below:g}"}
                )
    if rule.composite_below is not None:
        period = str(as_of.year)
        newest = (
            AssessmentRun.objects.filter(campaign=campaign, period=period)
            .order_by("-run_at", "-id")
            .values("id")[:1]
        )
        for cadre_id, total in AssessmentResult.objects.filter(
            run_id__in=newest, total__lt=rule.composite_below
        ).values_list("cadre_id", "total"):
            reasons.setdefault(cadre_id, []).append(
                _("composite score %(score)s in %(period)s, under %(limit)s")
                % {"score": f"{total:g}", "period": period, "limit": f"{rule.composite_below:g}"}
            )
    # One query for the recalls under way and those carried out: a cadre already recalled from
    # this campaign is out of the field, no longer at risk.
    open_recalls, recalled = {}, set()
    for recall in Recall.objects.filter(
        campaign=campaign,
        status__in=(Recall.Status.PROPOSED, Recall.Status.APPROVED, Recall.Status.CARRIED_OUT),
    ):
        if recall.status == Recall.Status.CARRIED_OUT:
            recalled.add(recall.cadre_id)
        else:
            open_recalls[recall.cadre_id] = recall
    kept = [(pk, found) for pk, found in reasons.items() if pk in cadres and pk not in recalled]
    flagged = Cadre.objects.select_related("account", "unit__parent").in_bulk([pk for pk, _found in kept])
    kept.sort(key=lambda item: (flagged[item[0]].unit.path, item[0]))
    return [AtRisk(flagged[pk], found, open_recalls.get(pk)) for pk, found in kept]


def at_risk_visible(*, user, campaign, as_of: dt.date | None = None) -> list[AtRisk]:
    """at_risk limited to the cadres the user may see."""
    return at_risk(campaign, as_of, user=user)


def recall_list(*, user, campaign=None, status: str = "") -> QuerySet:
    qs = scoped(Recall, user, VIEW).select_related(
        "cadre__account", "cadre__unit__parent", "campaign", "successor__account"
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-proposed_at", "-id")


def recall_get(*, user, pk: int, permission: str = VIEW) -> Recall:
    return get_scoped_or_404(
        Recall.objects.select_related(
            "cadre__account",
            "cadre__unit__parent",
            "campaign__region",
            "successor__account",
            "proposed_by",
            "decided_by",
        ),
        user,
        permission,
        pk=pk,
    )


# Leaders' records ---------------------------------------------------------------------


def leader_record_list(*, user, kind: str = "") -> QuerySet:
    qs = scoped(LeaderRecord, user, VIEW).select_related("cadre__account", "cadre__unit__parent")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-start", "cadre_id")


def leader_record_get(*, user, pk: int) -> LeaderRecord:
    return get_scoped_or_404(
        LeaderRecord.objects.select_related("cadre__account", "cadre__unit__parent"), user, VIEW, pk=pk
    )


def can_write_record(user, record_or_cadre) -> bool:
    """The leader themself (a leader by role, or a cadre whom a campaign's weekly-record rule
    asks for one), or an office that manages the leader's unit or region."""
    from minqing.core.scope import scope_for

    cadre = record_or_cadre.cadre if isinstance(record_or_cadre, LeaderRecord) else record_or_cadre
    if cadre.account_id == user.pk:
        scope = scope_for(user)
        if scope.has("leader_records.write"):
            return True
        if scope.has(VIEW) and weekly_record_campaigns(cadre):
            return True
    return scoped(Cadre.objects.filter(pk=cadre.pk), user, MANAGE).exists()


WEEKLY_RULE = "reports.leader_weekly"


def weekly_record_campaigns(cadre) -> list:
    """The campaigns whose leaders' weekly-record rule (002 三服务) applies to this cadre:
    an enabled rule naming the cadre's rank, in a campaign the cadre takes part in. The
    rule's own test, so that whoever it counts can write what it counts."""
    from minqing.programs.models import Campaign
    from minqing.programs.rules import RULE_TYPES

    rule_type = RULE_TYPES[WEEKLY_RULE]
    found = []
    for campaign in Campaign.objects.select_related("region").order_by("-start", "id"):
        for conf in campaign.config.get("rules", []):
            if conf.get("type") != WEEKLY_RULE or conf.get("disabled"):
                continue
            rule = rule_type(conf["key"], conf["name"], conf.get("params", {}))
            if cadre.rank in rule.value("ranks") and campaign_cadres(campaign).filter(pk=cadre.pk).exists():
                found.append(campaign)
                break
    return found


def my_weekly_cadre(user) -> Cadre | None:
    """The user's own cadre when they may write their own weekly record, else None."""
    cadre = Cadre.objects.filter(account_id=user.pk).select_related("account", "unit__parent").first()
    if cadre is None or not can_write_record(user, cadre):
        return None
    return cadre


@dataclass
class Week:
    start: dt.date
    end: dt.date
    record: LeaderRecord | None = None
    due: bool = True  # asked for by one of the campaigns (most of its working days in it)


def my_weeks(*, user, cadre, campaigns, today: dt.date | None = None) -> list[Week]:
    """The weeks (Monday to Sunday) of the campaigns that ask the cadre for a weekly record,
    up to the current one, newest first, each with the cadre's record of it if any and
    whether the rule asks for it (a part-week at a campaign's start or end may not be)."""
    today = today or timezone.localdate()
    mondays: set[dt.date] = set()
    for campaign in campaigns:
        start, _end = periods.week_of(campaign.start)
        last = min(campaign.end or today, today)
        while start <= last:
            mondays.add(start)
            start += dt.timedelta(days=7)
    records = {
        r.start: r
        for r in scoped(LeaderRecord.objects.filter(cadre=cadre, kind=LeaderRecord.Kind.WEEKLY), user, VIEW)
    }
    return [
        Week(
            monday,
            monday + dt.timedelta(days=6),
            records.get(monday),
            any(week_due(monday, c.start, c.end) for c in campaigns),
        )
        for monday in sorted(mondays, reverse=True)
    ]


def weekly_record_for(*, user, cadre, day: dt.date) -> LeaderRecord | None:
    """The cadre's weekly record of the week containing `day`, if there is one in sight."""
    start, _end = periods.week_of(day)
    return (
        scoped(LeaderRecord.objects.filter(cadre=cadre, kind=LeaderRecord.Kind.WEEKLY), user, VIEW)
        .filter(start=start)
        .first()
    )


def period_window(campaign, period: str) -> tuple[dt.date, dt.date]:
    return periods.campaign_window(campaign, period, timezone.localdate())


MENU_KEY = "minqing_weekly_record_menu"


def weekly_record_offered(request) -> bool:
    """Whether the user may write their own weekly work record, a campaign asking them for
    one. Kept in the session for the day, so that a menu or link shown on every page does not
    read the campaigns each time; the page itself checks anew."""
    from minqing.core.scope import scope_for

    if not scope_for(request.user).has(VIEW):
        return False
    today = timezone.localdate().isoformat()
    kept = request.session.get(MENU_KEY)
    if isinstance(kept, list) and len(kept) == 2 and kept[0] == today:
        return bool(kept[1])
    cadre = my_weekly_cadre(request.user)
    shown = cadre is not None and bool(weekly_record_campaigns(cadre))
    request.session[MENU_KEY] = [today, shown]
    return shown


def weekly_record_in_menu(request, scope) -> bool:
    """The menu's "My weekly work record", for a cadre who sees only their own records
    (leaders and offices reach it from the leaders' records list)."""
    return scope.has(VIEW) and not scope.reaches(VIEW) and weekly_record_offered(request)
