"""Reads of field work, through the data scope."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Max, Q, QuerySet
from django.utils import timezone

from minqing.core import prepared
from minqing.core.scope import get_scoped_or_404, scoped
from minqing.org.models import Cadre
from minqing.programs.models import Campaign, Pairing, Team
from minqing.programs.rules._periods import asked_span, in_spans, month_due, month_end, week_due

from .models import (
    AttendanceDay,
    Commitment,
    Deed,
    HelpPlan,
    Incident,
    MonthlyReport,
    Photo,
    ReliefPayment,
    TeamSummary,
    Visit,
    VisitChange,
    VisitPresence,
)

VIEW = "programs.view"


def my_cadre(user) -> Cadre | None:
    return Cadre.objects.select_related("account", "unit").filter(account_id=user.pk).first()


def cadre_of(user) -> Cadre | None:
    """The user's cadre, its account `user` itself and its unit read when asked, in a query
    compiled once: for offline uploads, which ask on every record."""
    cadre = prepared.first(("cadre_of",), lambda pk: Cadre.objects.filter(account_id=pk), user.pk)
    if cadre is not None:
        cadre.account = user
    return cadre


@dataclass
class Target:
    pairing_id: int
    campaign_id: int
    campaign: str
    kind: str
    kind_name: str
    target_type: str
    target_id: int
    name: str
    address: str
    household_id: int | None
    hardship_level: int
    last_visit: dt.date | None
    days_since: int | None
    forms: tuple[str, ...] = ()  # the keys of the campaign's visit forms that fit the target
    paired_from: dt.date | None = None  # the pairing's dates (a successor's from the handover)
    paired_until: dt.date | None = None

    @property
    def hardship_label(self) -> str:
        """The household's hardship level in words (一般困难, …), shown beside its colour."""
        from minqing.people.models import HardshipLevel

        return str(HardshipLevel(self.hardship_level).label) if self.hardship_level else ""


def my_targets(*, user, as_of: dt.date | None = None) -> list[Target]:
    """The signed-in cadre's paired targets, the longest unvisited first (never visited
    at the top). Four queries whatever the number of targets."""
    as_of = as_of or timezone.localdate()
    pairings = list(
        Pairing.objects.filter(cadre__account_id=user.pk)
        .active_on(as_of)
        .select_related("campaign", "household", "household__head", "member", "member__household", "point")
        .order_by("id")
    )
    if not pairings:
        return []
    households = {p.household_id or (p.member.household_id if p.member_id else None) for p in pairings} - {
        None
    }
    points = {p.point_id for p in pairings if p.point_id}
    # When each target was last visited, by anyone: index look-ups by household and by
    # point (a visit to a member counts for the member's household).
    last = {}
    for household_id, day in (
        Visit.objects.filter(household_id__in=households)
        .values("household_id")
        .annotate(last=Max("date"))
        .values_list("household_id", "last")
    ):
        last[("h", household_id)] = day
    for household_id, day in (
        Visit.objects.filter(member__household_id__in=households)
        .values("member__household_id")
        .annotate(last=Max("date"))
        .values_list("member__household_id", "last")
    ):
        if ("h", household_id) not in last or last[("h", household_id)] < day:
            last[("h", household_id)] = day
    for point_id, day in (
        Visit.objects.filter(point_id__in=points)
        .values("point_id")
        .annotate(last=Max("date"))
        .values_list("point_id", "last")
    ):
        last[("p", point_id)] = day
    result = []
    for p in pairings:
        kind = p.campaign.pairing_kind(p.kind) or {"name": p.kind}
        if p.point_id:
            key, name, address, household_id, level = (
                ("p", p.point_id),
                p.point.name,
                p.point.get_kind_display(),
                None,
                0,
            )
        else:
            household = p.household or p.member.household
            head = household.head.name if household.head_id else household.code
            name = p.member.name if p.member_id else head
            key, address, household_id, level = (
                ("h", household.pk),
                household.address,
                household.pk,
                household.hardship_level,
            )
        seen = last.get(key)
        result.append(
            Target(
                pairing_id=p.pk,
                campaign_id=p.campaign_id,
                campaign=p.campaign.name,
                kind=p.kind,
                kind_name=kind["name"],
                target_type=p.target_type,
                target_id=p.target.pk,
                name=name,
                address=address,
                household_id=household_id,
                hardship_level=level,
                last_visit=seen,
                days_since=(as_of - seen).days if seen else None,
                forms=tuple(
                    f["key"]
                    for f in p.campaign.visit_forms_for(p.target_type, p.point.kind if p.point_id else "")
                ),
                paired_from=p.start,
                paired_until=p.end,
            )
        )
    result.sort(key=lambda t: (t.last_visit is not None, t.last_visit or dt.date.min, -t.hardship_level))
    return result


MONTHLY_VISITS_RULE = "visits.per_target"


@dataclass
class DueTarget:
    target: Target
    visits: int


@dataclass
class DueVisits:
    campaign: Campaign
    rule_name: str
    min: int
    targets: list[DueTarget]


@dataclass
class Due:
    visits: list[DueVisits]
    weekly_record: bool

    def __bool__(self):
        return bool(self.visits) or self.weekly_record


def _visit_keys(campaign_id, household_id, member_id, member_household_id, point_id) -> set:
    """What a visit counts for, as the visits-per-target rule counts it: its household (also
    through a member), its member and its point, in its campaign."""
    keys = set()
    if household_id:
        keys.add((campaign_id, "household", household_id))
    if member_id:
        keys.add((campaign_id, "member", member_id))
        keys.add((campaign_id, "household", member_household_id))
    if point_id:
        keys.add((campaign_id, "point", point_id))
    return keys


def my_due(*, user, cadre, targets: list[Target], campaigns, as_of: dt.date | None = None) -> Due:
    """What the cadre still owes this month: for each running campaign whose enabled
    visits-per-target rule counts per month and asks for this month (rules._periods.month_due:
    half of its days or more in the campaign), the cadre's paired targets (of the rule's kinds,
    paired on half of its days or more: asked_span) visited fewer times than it asks this
    calendar month, by the cadre or with the cadre present; and whether this week's work record
    is still to be submitted, where a campaign asks the cadre for one. One grouped query for
    the visits, whatever the number of targets."""
    from minqing.assessment import selectors as assessment
    from minqing.assessment.models import LeaderRecord
    from minqing.programs.rules import RULE_TYPES

    as_of = as_of or timezone.localdate()

    def running(c):
        return c.status == Campaign.Status.RUNNING and c.start <= as_of and (c.end is None or as_of <= c.end)

    rules = []
    # Only a month the rule asks for (half of its days or more in the campaign) is owed.
    for campaign in filter(running, campaigns):
        if not month_due(as_of.replace(day=1), campaign.start, campaign.end):
            continue
        for conf in campaign.config.get("rules", []):
            if conf.get("type") != MONTHLY_VISITS_RULE or conf.get("disabled"):
                continue
            rule = RULE_TYPES[MONTHLY_VISITS_RULE](conf["key"], conf["name"], conf.get("params", {}))
            if rule.value("per") == "month":
                rules.append((campaign, rule))
    visits = []
    if rules and targets:
        first = as_of.replace(day=1)
        counts: dict = {}
        rows = (
            Visit.objects.filter(
                Q(cadre=cadre) | Q(pk__in=VisitPresence.objects.filter(cadre=cadre).values("visit_id")),
                campaign_id__in={c.pk for c, _rule in rules},
                date__gte=first,
                date__lte=month_end(first),
            )
            .values_list("campaign_id", "household_id", "member_id", "member__household_id", "point_id")
            .annotate(n=Count("id"))
        )
        for *row, n in rows:
            for key in _visit_keys(*row):
                counts[key] = counts.get(key, 0) + n
        for campaign, rule in rules:
            wanted, kinds = rule.value("min"), rule.value("kinds")
            short = []
            for t in targets:
                if t.campaign_id != campaign.pk or (kinds and t.kind not in kinds):
                    continue
                # Nor a target whose pairing runs on fewer than half of the month's days.
                span = asked_span(t.paired_from or campaign.start, t.paired_until, campaign)
                if not in_spans(first, [span] if span else []):
                    continue
                n = counts.get((campaign.pk, t.target_type, t.target_id), 0)
                if n < wanted:
                    short.append(DueTarget(t, n))
            if short:
                visits.append(DueVisits(campaign, rule.name, wanted, short))
    weekly = False
    monday = as_of - dt.timedelta(days=as_of.weekday())
    asking = [c for c in assessment.weekly_record_campaigns(cadre) if running(c)] if cadre is not None else []
    # Only a week the rule asks for (most of its working days in the campaign) is owed.
    if any(week_due(monday, c.start, c.end) for c in asking):
        record = assessment.weekly_record_for(user=user, cadre=cadre, day=as_of)
        weekly = record is None or record.status != LeaderRecord.Status.SUBMITTED
    return Due(visits, weekly)


CURRENT, WITHDRAWN, ALL = "current", "withdrawn", "all"


def visit_list(*, user, campaign=None, cadre=None, household=None, status: str = CURRENT) -> QuerySet:
    """The visits in scope: `current` (those that stand and count), `withdrawn` (kept on
    record, counted nowhere), or all of them (a withdrawn one marked where it is listed);
    `household`: those to it or to one of its members."""
    if status == CURRENT:
        records = Visit.objects.all()
    elif status == WITHDRAWN:
        records = Visit.records.filter(withdrawn_at__isnull=False)
    else:
        records = Visit.records.all()
    qs = scoped(records, user, VIEW).select_related(
        "cadre__account", "household__head", "member", "point", "campaign"
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if cadre is not None:
        qs = qs.filter(cadre=cadre)
    if household is not None:
        qs = qs.filter(Q(household=household) | Q(member__household=household))
    return qs.order_by("-date", "-id")


def household_visits(*, user, household, limit: int = 10) -> tuple[list, int]:
    """The latest visits that stand to a household or one of its members that the user sees
    (withdrawn ones are not listed: the default manager leaves them out), newest first, and
    how many there are in all. Two queries."""
    visits = visit_list(user=user, household=household)
    return list(visits[:limit]), visits.count()


def visit_get(*, user, uuid) -> Visit:
    """One visit in scope, withdrawn or not."""
    return get_scoped_or_404(
        Visit.records.select_related("cadre__account", "household__head", "member", "point", "campaign"),
        user,
        VIEW,
        uuid=uuid,
    )


def visit_edit_deadline(visit: Visit) -> dt.datetime:
    """Until when the visit's own cadre may correct or withdraw it (settings.VISIT_EDIT_DAYS)."""
    from django.conf import settings

    return visit.created_at + dt.timedelta(days=settings.VISIT_EDIT_DAYS)


def visit_may_change(*, user, visit: Visit) -> bool:
    """Whether the user may correct or withdraw the visit: its own cadre within the days after
    recording it, or the campaign office whose scope holds it, at any time. Never once withdrawn."""
    if visit.withdrawn_at is not None or user is None or not user.is_authenticated:
        return False
    if visit.cadre.account_id == user.pk and timezone.now() <= visit_edit_deadline(visit):
        return True
    return can_manage(user) and scoped(Visit.records.filter(pk=visit.pk), user, "programs.manage").exists()


def visit_changes(*, visit: Visit) -> list[VisitChange]:
    """The visit's corrections and its withdrawal, the latest first (read with the visit)."""
    return list(visit.changes.select_related("changed_by"))


def visit_present_choices(*, user, visit: Visit) -> QuerySet:
    """The cadres who may be named as present at the visit: those of the visit's cadre's teams
    and those paired with the same target in the campaign, and those named already; each one
    the user may see."""
    from minqing.programs.models import Pairing

    teams = Team.objects.filter(campaign_id=visit.campaign_id).filter(
        Q(members=visit.cadre_id) | Q(leader=visit.cadre_id)
    )
    target = (
        Q(household_id=visit.household_id)
        if visit.household_id
        else Q(member_id=visit.member_id)
        if visit.member_id
        else Q(point_id=visit.point_id)
    )
    paired = Pairing.objects.filter(target, campaign_id=visit.campaign_id).values("cadre_id")
    return (
        scoped(Cadre, user, "org.view")
        .filter(
            Q(teams__in=teams)
            | Q(teams_led__in=teams)
            | Q(pk__in=paired)
            | Q(pk__in=visit.others_present.values("pk"))
        )
        .exclude(pk=visit.cadre_id)
        .select_related("account", "unit")
        .distinct()
        .order_by("unit__path", "id")
    )


def visit_problems(*, user, visit: Visit) -> list[tuple[str, object]]:
    """The visit's problems, each with the demand registered from it if the user may see that
    demand (else None): a demand names its visit, and its title is its problem's first 60
    characters, in the order the problems were raised. One query; none without the
    permission to see demands."""
    from minqing.core.scope import scope_for
    from minqing.tickets.models import Channel, Ticket

    if not visit.problems:
        return []
    by_title: dict[str, list] = {}
    if scope_for(user).has("tickets.view"):
        tickets = scoped(
            Ticket.objects.filter(
                channel=Channel.VISIT, region_id=visit.region_id, extra__visit=str(visit.uuid)
            ),
            user,
            "tickets.view",
        )
        for ticket in tickets.only("id", "code", "title").order_by("id"):
            by_title.setdefault(ticket.title, []).append(ticket)
    return [
        (problem, by_title[problem[:60]].pop(0) if by_title.get(problem[:60]) else None)
        for problem in visit.problems
    ]


def deed_list(*, user, campaign=None) -> QuerySet:
    qs = scoped(Deed, user, VIEW).select_related("cadre__account", "household__head", "point", "campaign")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("-date", "-id")


def photo_get(*, user, uuid) -> Photo:
    return get_scoped_or_404(Photo.objects.select_related("visit", "deed"), user, VIEW, uuid=uuid)


def attendance_to_decide(*, user) -> QuerySet:
    return (
        scoped(AttendanceDay, user, VIEW)
        .filter(status=AttendanceDay.Status.PENDING)
        .select_related("cadre__account", "point")
        .order_by("date")
    )


@dataclass
class AttendanceSheet:
    point: object
    month: dt.date
    days: list[dt.date]
    rows: list[tuple]  # (cadre, {date: status}, confirmed count)


def attendance_sheet(*, user, point, month: dt.date) -> AttendanceSheet:
    """The monthly attendance sheet of one point: every cadre who checked in, day by day."""
    first = month.replace(day=1)
    last = month_end(first)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    records = scoped(AttendanceDay.objects.filter(point=point, date__gte=first, date__lte=last), user, VIEW)
    by_cadre: dict = {}
    for record in records.select_related("cadre__account", "cadre__unit").order_by("cadre_id", "date"):
        by_cadre.setdefault(record.cadre, {})[record.date] = record.status
    rows = [
        (cadre, marks, sum(1 for s in marks.values() if s == AttendanceDay.Status.CONFIRMED))
        for cadre, marks in sorted(by_cadre.items(), key=lambda item: item[0].pk)
    ]
    return AttendanceSheet(point, first, days, rows)


def monthly_report_list(*, user) -> QuerySet:
    return scoped(MonthlyReport, user, VIEW).select_related("cadre__account", "campaign").order_by("-month")


def can_manage(user) -> bool:
    """The campaign office: plans and incidents of any cadre or point in its scope."""
    from minqing.core.scope import scope_for

    return scope_for(user).has("programs.manage")


def help_plan_list(*, user, campaign=None) -> QuerySet:
    qs = (
        scoped(HelpPlan, user, VIEW)
        .select_related("cadre__account", "household__head", "point", "campaign")
        .annotate(
            progress=Avg("commitments__progress"),
            commitment_count=Count("commitments"),
            done_count=Count("commitments", filter=Q(commitments__progress=100)),
        )
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("deadline", "id")


def help_plan_get(*, user, pk: int) -> HelpPlan:
    return get_scoped_or_404(
        HelpPlan.objects.select_related("cadre__account", "household__head", "point", "campaign"),
        user,
        VIEW,
        pk=pk,
    )


def can_edit_plan(*, user, plan: HelpPlan) -> bool:
    """The plan's own cadre, or the office whose scope holds it."""
    if plan.cadre.account_id == user.pk:
        return True
    return can_manage(user) and scoped(HelpPlan, user, "programs.manage").filter(pk=plan.pk).exists()


def commitment_get(*, user, pk: int) -> Commitment:
    return get_scoped_or_404(Commitment.objects.select_related("plan__cadre__account"), user, VIEW, pk=pk)


def incident_list(*, user) -> QuerySet:
    return (
        scoped(Incident, user, VIEW)
        .select_related("point", "campaign", "recorded_by")
        .order_by("-date", "-id")
    )


def relief_list(*, user, campaign=None) -> QuerySet:
    qs = scoped(ReliefPayment, user, VIEW).select_related(
        "cadre__account", "household__head", "team", "campaign"
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("-date", "-id")


def my_campaigns(user) -> QuerySet:
    """The running campaigns the signed-in cadre takes part in (paired or on a team)."""
    return (
        Campaign.objects.filter(
            Q(pairings__cadre__account_id=user.pk)
            | Q(teams__members__account_id=user.pk)
            | Q(teams__leader__account_id=user.pk)
        )
        .distinct()
        .order_by("-start", "id")
    )


def team_summary_list(*, user) -> list[tuple]:
    """Every team in scope with its summary, if any: (team, summary or None). Two queries."""
    teams = list(
        scoped(Team, user, VIEW).select_related("campaign", "leader__account").order_by("campaign_id", "name")
    )
    summaries = {s.team_id: s for s in TeamSummary.objects.filter(team_id__in=[t.pk for t in teams])}
    return [(team, summaries.get(team.pk)) for team in teams]


def team_get(*, user, pk: int) -> Team:
    return get_scoped_or_404(Team.objects.select_related("campaign", "leader__account"), user, VIEW, pk=pk)


def can_write_team_summary(*, user, team: Team) -> bool:
    if team.leader_id and team.leader.account_id == user.pk:
        return True
    return can_manage(user) and scoped(Team, user, "programs.manage").filter(pk=team.pk).exists()


def incident_campaigns(*, user, permission: str) -> QuerySet:
    """The campaigns an incident can be recorded for: those the account sees, and those whose
    region holds its own (a village branch records incidents for the county's campaign)."""
    from minqing.core.scope import scope_for

    prefixes = scope_for(user).region_prefixes(permission)
    covering = [
        c.pk
        for c in Campaign.objects.select_related("region")
        if any(p.startswith(c.region.prefix) for p in prefixes)
    ]
    return Campaign.objects.filter(Q(pk__in=covering) | Q(pk__in=scoped(Campaign, user, VIEW).values("pk")))
