"""Reads of field work, through the data scope."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from minqing.core import prepared
from minqing.core.identity import mask_text_identifiers
from minqing.core.scope import get_scoped_or_404, scoped
from minqing.org.models import Cadre
from minqing.programs.models import Campaign, Pairing, Team
from minqing.programs.rules._periods import asked_span, in_spans, month_due, month_end, week_due
from minqing.programs.rules.activities_held import FIELD

from .models import (
    Activity,
    ActivityChange,
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
    WorkLog,
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


VISITS_RULE = MONTHLY_VISITS_RULE = "visits.per_target"
STAY_DAYS_RULE, FIRST_STAY_RULE, CONCENTRATED_RULE = (
    "stay.days_per_month",
    "stay.first_by",
    "stay.concentrated",
)
REPORT_RULE, DEEDS_RULE = "reports.monthly", "deeds.per_target"
ACTIVITIES_RULE = "activities.held"
STAY_RULES = (STAY_DAYS_RULE, FIRST_STAY_RULE, CONCENTRATED_RULE)
DUE_RULES = (VISITS_RULE, *STAY_RULES, REPORT_RULE, DEEDS_RULE, ACTIVITIES_RULE)


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
class TeamPoint:
    """A point of the cadre's work teams, with a card on the phone page to check in and write
    the work log there (its days count: AttendanceDay.in_campaign). Named as Target names a
    point, so that the due list's buttons find its card."""

    target_id: int
    name: str
    campaign_id: int
    campaign: str
    teams: list[str] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)
    target_type: str = "point"


@dataclass
class DueButton:
    """A button of a due item that does on the phone what it asks: `action` (visit, deed or
    checkin) for `target` (a Target, or a TeamPoint to check in at), as the target's own button
    in the list below does; or `activity`: the activity form of `campaign_id`, its kind (and the
    team or point the rule asks it of) filled in."""

    action: str
    target: object
    label: str
    campaign_id: int | None = None
    kind: str = ""
    team_id: int | None = None
    point_id: int | None = None


@dataclass
class DueLine:
    text: str
    target: Target | None = None  # named before the text
    url: str = ""  # where it is done, when it is not done on this page
    overdue: bool = False
    buttons: list[DueButton] | None = None


@dataclass
class DueGroup:
    """What one rule of a campaign still asks of the cadre, in the words of what to do."""

    campaign: Campaign
    rule: str  # the rule's key in the campaign
    rule_name: str
    note: str  # by when, when the rule says
    lines: list[DueLine]


@dataclass
class Due:
    visits: list[DueVisits]
    weekly_record: bool
    groups: list[DueGroup] | None = None

    def __bool__(self):
        return bool(self.visits) or self.weekly_record or bool(self.groups)


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


def due_campaigns(cadre, as_of: dt.date | None = None, *, also=()) -> list[Campaign]:
    """The running campaigns whose rules ask things of the cadre: those it takes part in, as
    the rules' Context.cadres reads them (programs.selectors.campaign_cadres: the active cadres
    of the participating units and their sections, or of every unit in the campaign's region
    when it names none), whether paired there, on a work team or neither; and the running
    campaigns of `also` (the campaigns of its targets: a pairing counts for the rules even when
    the cadre's unit no longer takes part). Three queries whatever the number of campaigns:
    which campaigns run (their regions and units' paths, no configuration), then those kept."""
    from minqing.geo.models import LEVEL_DIGITS

    as_of = as_of or timezone.localdate()
    if cadre is None:
        return []
    running = (
        Campaign.objects.filter(Q(end__isnull=True) | Q(end__gte=as_of), status=Campaign.Status.RUNNING)
        .filter(start__lte=as_of)
        .order_by()
    )
    found = {
        pk: (code, level) for pk, code, level in running.values_list("pk", "region__code", "region__level")
    }
    if not found:
        return []
    units: dict[int, list[str]] = {}
    for campaign_id, path in Campaign.units.through.objects.filter(campaign_id__in=found).values_list(
        "campaign_id", "unit__path"
    ):
        units.setdefault(campaign_id, []).append(path)
    unit = cadre.unit
    also = set(also)
    kept = []
    for pk, (code, level) in found.items():
        if pk in also:
            kept.append(pk)
        elif pk in units:
            if any(unit.path.startswith(path) for path in units[pk]):
                kept.append(pk)
        elif (unit.region_id or "").startswith(code[: LEVEL_DIGITS[level]]):
            kept.append(pk)
    if not kept:
        return []
    return list(Campaign.objects.filter(pk__in=kept).select_related("region").order_by("start", "id"))


def my_due(*, user, cadre, targets: list[Target], campaigns, as_of: dt.date | None = None) -> Due:
    """What the campaigns' rules still ask of the cadre that the cadre can do now, for each
    running campaign, as the compliance rules (programs.rules) count it, restricted to this
    cadre (the engine evaluates a whole campaign: far too much for a phone page):

    - the monthly visits (visits.per_target per month): the cadre's paired targets visited
      fewer times than asked this calendar month, by the cadre or with the cadre present;
    - the visits over the campaign (visits.per_target per campaign) and the deeds for each
      linked household (deeds.per_target) still short, by the campaign's end;
    - the days at the point this month (stay.days_per_month), the first stay by its date
      (stay.first_by, until that date) and the concentrated stay (stay.concentrated), counted
      in confirmed days that count for the campaign (AttendanceDay.in_campaign); days still
      awaiting the village's confirmation are said beside them;
    - last month's report not submitted (reports.monthly), by the campaign's report_due_day,
      overdue once it has passed;
    - the listed activities not yet held in the period running now (activities.held), by the
      cadre, by its work teams or at its points as the rule's subject says, counted by the
      rule's own helpers;
    - this week's work record still to be submitted, where a campaign asks the cadre for one.

    `campaigns`: those whose rules ask things of the cadre (due_campaigns: it takes part, paired
    or not), not only those of its targets. A month is owed only when the rule asks for it
    (rules._periods.month_due: half of its days or more in the campaign) and the cadre's
    pairings of the rule's kinds do (asked_span); a cadre is asked only by a rule whose kinds it
    holds a pairing of. A fixed number of queries whatever the number of targets: one each for
    visits, deeds, reports, days at the points, activities and the cadre's teams (with their
    points), and the weekly record's."""
    from minqing.assessment import selectors as assessment
    from minqing.assessment.models import LeaderRecord
    from minqing.programs.rules import RULE_TYPES

    as_of = as_of or timezone.localdate()

    def running(c):
        return c.status == Campaign.Status.RUNNING and c.start <= as_of and (c.end is None or as_of <= c.end)

    first = as_of.replace(day=1)
    last_month = (first - dt.timedelta(days=1)).replace(day=1)
    by_campaign: dict[int, list[Target]] = {}
    for t in targets:
        by_campaign.setdefault(t.campaign_id, []).append(t)
    rules = []  # (campaign, rule, the cadre's targets of the rule's kinds)
    for campaign in filter(running, campaigns):
        mine = by_campaign.get(campaign.pk, [])
        for conf in campaign.config.get("rules", []):
            if conf.get("type") not in DUE_RULES or conf.get("disabled"):
                continue
            rule = RULE_TYPES[conf["type"]](conf["key"], conf["name"], conf.get("params", {}))
            kinds = rule.value("kinds") if "kinds" in rule.params else ()
            of_kinds = [t for t in mine if not kinds or t.kind in kinds]
            # A rule with kinds asks only the cadres paired with a target of one of them
            # (rules._pending.cadre_subjects); the target rules, only those targets.
            if kinds and not of_kinds:
                continue
            rules.append((campaign, rule, of_kinds))

    def months_asked(campaign, of_kinds, month) -> bool:
        """Whether the rule asks the cadre for the month: the campaign does (month_due) and
        the cadre's pairings of the rule's kinds do (Context.month_spans, asked_span)."""
        if not month_due(month, campaign.start, campaign.end):
            return False
        spans = [asked_span(t.paired_from or campaign.start, t.paired_until, campaign) for t in of_kinds]
        if not of_kinds:  # no pairing of the rule's kinds: the campaign's months
            spans = [asked_span(campaign.start, campaign.end, campaign)]
        return in_spans(month, [s for s in spans if s])

    month_visits, campaign_visits = _visit_counts(cadre, rules, first, as_of)
    visits = _due_monthly_visits(rules, first, month_visits)
    groups = _due_groups(cadre, rules, first, last_month, as_of, months_asked, campaign_visits)
    weekly = False
    monday = as_of - dt.timedelta(days=as_of.weekday())
    asking = [c for c in assessment.weekly_record_campaigns(cadre) if running(c)] if cadre is not None else []
    # Only a week the rule asks for (most of its working days in the campaign) is owed.
    if any(week_due(monday, c.start, c.end) for c in asking):
        record = assessment.weekly_record_for(user=user, cadre=cadre, day=as_of)
        weekly = record is None or record.status != LeaderRecord.Status.SUBMITTED
    return Due(visits, weekly, groups)


def _visit_counts(cadre, rules, first, as_of) -> tuple[dict, dict]:
    """(this month's, the campaign's up to as_of) visits by the cadre or with the cadre present,
    by (campaign, target type, target id), in the campaigns with a visits rule. One query."""
    campaign_ids = {c.pk for c, rule, mine in rules if rule.type == VISITS_RULE and mine}
    month, total = {}, {}
    if not campaign_ids or cadre is None:
        return month, total
    rows = (
        Visit.objects.filter(
            Q(cadre=cadre) | Q(pk__in=VisitPresence.objects.filter(cadre=cadre).values("visit_id")),
            campaign_id__in=campaign_ids,
            date__lte=max(as_of, month_end(first)),
        )
        .values_list("campaign_id", "household_id", "member_id", "member__household_id", "point_id")
        .annotate(
            in_month=Count("id", filter=Q(date__gte=first, date__lte=month_end(first))),
            so_far=Count("id", filter=Q(date__lte=as_of)),
        )
    )
    for *row, in_month, so_far in rows:
        for key in _visit_keys(*row):
            month[key] = month.get(key, 0) + in_month
            total[key] = total.get(key, 0) + so_far
    return month, total


def _due_monthly_visits(rules, first, counts) -> list[DueVisits]:
    """The targets the monthly-visit rules still want visited this month (a month they ask of
    the target's pairing: asked_span)."""
    monthly = [
        (c, rule, mine)
        for c, rule, mine in rules
        if rule.type == VISITS_RULE and rule.value("per") == "month" and month_due(first, c.start, c.end)
    ]
    found = []
    for campaign, rule, mine in monthly:
        wanted, short = rule.value("min"), []
        for t in mine:
            # Nor a target whose pairing runs on fewer than half of the month's days.
            span = asked_span(t.paired_from or campaign.start, t.paired_until, campaign)
            if not in_spans(first, [span] if span else []):
                continue
            n = counts.get((campaign.pk, t.target_type, t.target_id), 0)
            if n < wanted:
                short.append(DueTarget(t, n))
        if short:
            found.append(DueVisits(campaign, rule.name, wanted, short))
    return found


def _stay_days(cadre, campaigns, as_of) -> dict[int, dict[dt.date, str]]:
    """campaign id → {day: status} of the cadre's confirmed and pending days up to as_of that
    count for the campaign (AttendanceDay.in_campaign, as the stay rules count them). One query
    for all of the campaigns."""
    from django.db.models import BooleanField, ExpressionWrapper

    campaigns = {c.pk: c for c in campaigns}
    if not campaigns or cadre is None:
        return {}
    conditions = {f"in_{pk}": AttendanceDay.in_campaign(c) for pk, c in campaigns.items()}
    any_of = Q()
    for condition in conditions.values():
        any_of |= condition
    found: dict[int, dict] = {pk: {} for pk in campaigns}
    rows = (
        AttendanceDay.objects.filter(
            any_of,
            cadre=cadre,
            status__in=[AttendanceDay.Status.CONFIRMED, AttendanceDay.Status.PENDING],
            date__lte=as_of,
        )
        .annotate(
            **{
                name: ExpressionWrapper(condition, output_field=BooleanField())
                for name, condition in conditions.items()
            }
        )
        .order_by()
        .values_list("date", "status", *conditions)
    )
    for day, status, *flags in rows:
        for pk, flag in zip(campaigns, flags, strict=True):
            # A confirmed day outweighs a pending one at another point on the same date.
            if flag and found[pk].get(day) != AttendanceDay.Status.CONFIRMED:
                found[pk][day] = status
    return found


def _due_groups(cadre, rules, first, last_month, as_of, months_asked, visits) -> list[DueGroup]:
    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    from minqing.programs.rules._periods import longest_run, month_label, next_month

    if cadre is None:
        return []
    confirmed = AttendanceDay.Status.CONFIRMED
    stays = _stay_days(cadre, [c for c, rule, _t in rules if rule.type in STAY_RULES], as_of)
    teams = _my_teams(
        cadre,
        {
            c.pk
            for c, rule, _t in rules
            if rule.type in STAY_RULES or (rule.type == ACTIVITIES_RULE and rule.value("subject") != "cadre")
        },
        as_of,
    )
    activities = _activities_open(cadre, rules, teams, as_of)
    reports = {}
    if any(rule.type == REPORT_RULE for _c, rule, _t in rules):
        reports = {
            campaign_id: (pk, status)
            for campaign_id, pk, status in MonthlyReport.objects.filter(
                cadre=cadre,
                campaign_id__in={c.pk for c, rule, _t in rules if rule.type == REPORT_RULE},
                month=last_month,
            ).values_list("campaign_id", "id", "status")
        }
    deeds: dict = {}
    if any(rule.type == DEEDS_RULE for _c, rule, _t in rules):
        for campaign_id, household_id, n in (
            Deed.objects.filter(
                cadre=cadre,
                campaign_id__in={c.pk for c, rule, _t in rules if rule.type == DEEDS_RULE},
                household__isnull=False,
                date__lte=as_of,
            )
            .order_by()
            .values_list("campaign_id", "household_id")
            .annotate(n=Count("id"))
        ):
            deeds[(campaign_id, household_id)] = n

    separator = pgettext("list separator", ", ")
    checkin = _("Check in at %(point)s today")
    groups = []

    def by_end(campaign) -> str:
        return _("by %(day)s") % {"day": date_format(campaign.end)} if campaign.end else ""

    def points_of(campaign, mine):
        """The points the cadre stays at for the rule: its paired points (of the rule's kinds,
        else of the campaign), then the points of its work teams in the campaign (their days
        count too: AttendanceDay.in_campaign), each with a button to check in there today (a
        team's point has its card on the page too: team_points)."""
        points = [t for t in mine if t.target_type == "point"]
        paired = {t.target_id for t in points}
        at_teams = [
            TeamPoint(p.pk, p.name, campaign.pk, campaign.name)
            for p in _team_points(teams.get(campaign.pk, []))
            if p.pk not in paired
        ]
        names = separator.join([t.name for t in points] + [p.name for p in at_teams]) or _("the point")
        buttons = [DueButton("checkin", t, checkin % {"point": t.name}) for t in [*points, *at_teams]]
        return names, buttons

    def pending_note(text, days, since=None) -> str:
        n = sum(1 for day, s in days.items() if s != confirmed and (since is None or day >= since))
        return (
            _("%(text)s (%(n)s awaiting the village's confirmation)") % {"text": text, "n": n} if n else text
        )

    for campaign, rule, mine in rules:
        lines: list[DueLine] = []
        note = ""
        if rule.type == STAY_DAYS_RULE:
            if months_asked(campaign, mine, first):
                days = stays.get(campaign.pk, {})
                n = sum(1 for day, s in days.items() if s == confirmed and day >= first)
                wanted = rule.value("min")
                if n < wanted:
                    names, buttons = points_of(campaign, mine)
                    text = _("This month at %(points)s: %(n)s of %(min)s days") % {
                        "points": names,
                        "n": n,
                        "min": wanted,
                    }
                    lines.append(DueLine(pending_note(text, days, first), buttons=buttons))
        elif rule.type == FIRST_STAY_RULE:
            due_on = rule.date("due")
            days = stays.get(campaign.pk, {})
            if due_on is not None and as_of <= due_on and confirmed not in days.values():
                names, buttons = points_of(campaign, mine)
                text = _("A first stay at %(points)s by %(day)s") % {
                    "points": names,
                    "day": date_format(due_on),
                }
                lines.append(DueLine(pending_note(text, days), buttons=buttons))
        elif rule.type == CONCENTRATED_RULE:
            days = stays.get(campaign.pk, {})
            run = longest_run(day for day, s in days.items() if s == confirmed)
            wanted = rule.value("min_consecutive")
            if run < wanted:
                names, buttons = points_of(campaign, mine)
                values = {"points": names, "min": wanted, "n": run}
                text = (
                    _("A stay of %(min)s consecutive days at %(points)s: the longest so far is %(n)s")
                    % values
                )
                lines.append(DueLine(pending_note(text, days), buttons=buttons))
                note = by_end(campaign)
        elif rule.type == REPORT_RULE:
            if months_asked(campaign, mine, last_month):
                pk, status = reports.get(campaign.pk, (None, None))
                if status != MonthlyReport.Status.SUBMITTED:
                    deadline = next_month(last_month).replace(day=campaign.report_due_day)
                    values = {"month": month_label(last_month), "day": date_format(deadline)}
                    overdue = as_of > deadline
                    text = (
                        _("The report for %(month)s is overdue: it was due by %(day)s")
                        if overdue
                        else _("The report for %(month)s is due by %(day)s")
                    ) % values
                    url = (
                        reverse("fieldwork:report-detail", args=[pk])
                        if pk
                        else reverse("fieldwork:report-list")
                    )
                    lines.append(DueLine(text, url=url, overdue=overdue))
        elif rule.type == VISITS_RULE and rule.value("per") == "campaign":
            wanted = rule.value("min")
            record = _("Record a visit")
            for t in mine:
                n = visits.get((campaign.pk, t.target_type, t.target_id), 0)
                if n < wanted:
                    text = _("visited %(n)s of %(min)s times, %(left)s more to go") % {
                        "n": n,
                        "min": wanted,
                        "left": wanted - n,
                    }
                    lines.append(DueLine(text, target=t, buttons=[DueButton("visit", t, record)]))
            note = by_end(campaign)
        elif rule.type == DEEDS_RULE:
            wanted = rule.value("min")
            record = _("Record a deed")
            for t in mine:
                if t.household_id is None:  # the rule counts deeds for households (and members')
                    continue
                n = deeds.get((campaign.pk, t.household_id), 0)
                if n < wanted:
                    text = _("%(n)s of %(min)s deeds") % {"n": n, "min": wanted}
                    lines.append(DueLine(text, target=t, buttons=[DueButton("deed", t, record)]))
            note = by_end(campaign)
        elif rule.type == ACTIVITIES_RULE:
            lines, note = _due_activities(cadre, campaign, rule, mine, teams, activities, as_of, separator)
        if lines:
            groups.append(DueGroup(campaign, rule.key, rule.name, note, lines))
    # What is late first, then in the campaigns' rules' order.
    groups.sort(key=lambda g: not any(line.overdue for line in g.lines))
    return groups


def _my_teams(cadre, campaign_ids, as_of) -> dict[int, list[Team]]:
    """campaign id → the cadre's work teams (led or joined) that count on the day, each with
    its points that count on it, as the rules' Context.teams reads them. Two queries."""
    from django.db.models import Prefetch

    from minqing.programs.models import LiaisonPoint, counting_on

    if not campaign_ids or cadre is None:
        return {}
    found: dict[int, list[Team]] = {}
    for team in (
        Team.objects.filter(Q(leader=cadre) | Q(members=cadre), campaign_id__in=campaign_ids)
        .filter(counting_on(as_of, "dissolved_on"))
        .distinct()
        .prefetch_related(
            Prefetch(
                "points",
                queryset=LiaisonPoint.objects.filter(counting_on(as_of, "retired_on")).order_by("name", "id"),
            )
        )
        .order_by("name", "id")
    ):
        found.setdefault(team.campaign_id, []).append(team)
    return found


def _team_points(teams) -> list:
    """The points of these teams, each once."""
    points = {}
    for team in teams:
        for point in team.points.all():
            points.setdefault(point.pk, point)
    return list(points.values())


def _activity_subjects(cadre, rule, campaign, mine, teams) -> list[tuple[str, int, str]]:
    """(subject, id, name) of what the activities rule asks that is the cadre's: the cadre
    itself, its work teams in the campaign, or its points (paired, or its teams'), as the rule's
    subject says (rules._pending cadre_subjects, team_subjects, point_subjects)."""
    subject = rule.value("subject")
    if subject == "team":
        return [("team", t.pk, t.name) for t in teams.get(campaign.pk, [])]
    if subject == "point":
        points = {t.target_id: t.name for t in mine if t.target_type == "point"}
        for point in _team_points(teams.get(campaign.pk, [])):
            points.setdefault(point.pk, point.name)
        return [("point", pk, name) for pk, name in points.items()]
    return [("cadre", cadre.pk, "")]


def _open_periods(rule, campaign, as_of) -> list[tuple[str, dt.date, dt.date]]:
    """The rule's periods (its own windows: a month only when the campaign asks for it) that
    run on the day: what can still be held for."""
    from minqing.programs.rules import Context

    return [p for p in rule.periods(Context(campaign, as_of)) if p[1] <= as_of <= p[2]]


def _activities_open(cadre, rules, teams, as_of) -> dict:
    """(campaign id, subject, id) → {activity key: [days]} of the activities that count for the
    activities rules in the periods running on the day, held by the cadre, its teams or at its
    points: each rule's own condition (ActivitiesHeld.counted). One query."""
    from minqing.fieldwork.models import Activity

    conditions = []
    for campaign, rule, mine in rules:
        if rule.type != ACTIVITIES_RULE:
            continue
        counted = rule.counted(campaign, _open_periods(rule, campaign, as_of), as_of)
        ids = [pk for _s, pk, _n in _activity_subjects(cadre, rule, campaign, mine, teams)]
        if counted is None or not ids:
            continue
        field = FIELD[rule.value("subject")]
        conditions.append(counted & Q(**{f"{field}__in": ids}))
    found: dict = {}
    if not conditions:
        return found
    any_of = Q()
    for condition in conditions:
        any_of |= condition
    # Each row counts for each subject it names (what a rule counts is its kinds and dates:
    # ActivitiesHeld.not_held reads those).
    for campaign_id, *subjects, kind, day in (
        Activity.objects.filter(any_of).order_by().values_list("campaign_id", *FIELD.values(), "kind", "date")
    ):
        for subject, pk in zip(FIELD, subjects, strict=True):
            if pk is not None:
                found.setdefault((campaign_id, subject, pk), {}).setdefault(kind, []).append(day)
    return found


def _period_end(per: str, campaign, start: dt.date, end: dt.date, as_of: dt.date) -> dt.date | None:
    """The last day of a rule's period as a person reads it: a campaign without an end has its
    windows cut at the day (rules' Context), so its own period has none and a half-year's or
    a year's is the calendar's."""
    if campaign.end is not None or end != as_of:
        return end
    if per == "half_year":
        return dt.date(start.year, 6, 30) if start.month <= 6 else dt.date(start.year, 12, 31)
    if per == "year":
        return dt.date(start.year, 12, 31)
    if per == "campaign":
        return None
    return end


def _due_activities(cadre, campaign, rule, mine, teams, held, as_of, separator) -> tuple[list[DueLine], str]:
    """What the activities rule still asks in the periods running now: for each of the cadre's
    subjects, the listed activities not held yet (ActivitiesHeld.not_held), and by when."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from minqing.programs.rules.activities_held import activity_names

    periods = _open_periods(rule, campaign, as_of)
    names = activity_names(campaign)
    per = rule.value("per")
    record = _("Record “%(activity)s”")
    lines, ends = [], []
    for subject, pk, name in _activity_subjects(cadre, rule, campaign, mine, teams):
        for period, start, end in periods:
            keys = rule.missing(held.get((campaign.pk, subject, pk), {}), start, end)
            if not keys:
                continue
            missing = [names.get(key, key) for key in keys]
            # One button for each activity still to hold: the activity form, filled in with it and
            # with the team or the point that is to hold it.
            buttons = [
                DueButton(
                    "activity",
                    None,
                    record % {"activity": names.get(key, key)},
                    campaign_id=campaign.pk,
                    kind=key,
                    team_id=pk if subject == "team" else None,
                    point_id=pk if subject == "point" else None,
                )
                for key in keys
            ]
            values = {"name": name, "period": period, "activities": separator.join(missing)}
            if subject != "cadre":  # a team or a point named, in the rule's own words
                text = (
                    _("%(name)s: still to do: %(activities)s")
                    if per == "campaign"
                    else _("%(name)s: still to do in %(period)s: %(activities)s")
                )
            elif per == "campaign":
                text = _("Still to do: %(activities)s")
            elif per == "month":
                text = _("Still to do this month: %(activities)s")
            else:
                text = _("Still to do in %(period)s: %(activities)s")
            lines.append(DueLine(text % values, buttons=buttons))
            ends.append(_period_end(per, campaign, start, end, as_of))
    # A month's are this month's, as the other monthly items; a longer period's are said by when
    # (not for an open-ended campaign's own period, which has no end).
    ends = [end for end in ends if end is not None]
    note = _("by %(day)s") % {"day": date_format(min(ends))} if ends and per != "month" else ""
    return lines, note


CURRENT, WITHDRAWN, ALL = "current", "withdrawn", "all"
STATUS_LABELS = {
    CURRENT: gettext_lazy("Standing"),
    WITHDRAWN: gettext_lazy("Withdrawn"),
    ALL: gettext_lazy("All"),
}


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


def problem_title(problem: str) -> str:
    """The title of the demand a visit's problem becomes: its first 60 characters, with the
    phone and ID numbers in it masked (before the cut, which would leave a number's rest)."""
    return mask_text_identifiers(problem)[:60]


def visit_problems(*, user, visit: Visit) -> list[tuple[str, object]]:
    """The visit's problems, each with the demand registered from it if the user may see that
    demand (else None): a demand names its visit, and its title is its problem's
    (problem_title; of demands registered before titles were masked, the masked first 60
    characters), in the order the problems were raised. Each problem is given as shown
    (Visit.masked_problems). One query; none without the permission to see demands."""
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

    def demand_of(problem):
        for title in (problem_title(problem), mask_text_identifiers(problem[:60])):
            if by_title.get(title):
                return by_title[title].pop(0)
        return None

    # Matched on the problem as raised, shown masked.
    return [
        (masked, demand_of(problem))
        for problem, masked in zip(visit.problems, visit.masked_problems, strict=True)
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
    for record in records.select_related("cadre__account", "cadre__unit__parent").order_by(
        "cadre_id", "date"
    ):
        by_cadre.setdefault(record.cadre, {})[record.date] = record.status
    rows = [
        (cadre, marks, sum(1 for s in marks.values() if s == AttendanceDay.Status.CONFIRMED))
        for cadre, marks in sorted(by_cadre.items(), key=lambda item: item[0].pk)
    ]
    return AttendanceSheet(point, first, days, rows)


def monthly_report_list(*, user) -> QuerySet:
    return scoped(MonthlyReport, user, VIEW).select_related("cadre__account", "campaign").order_by("-month")


def report_writers_q(*, user, campaign: Campaign) -> Q | None:
    """The cadres (a condition on Cadre) whose monthly reports of the campaign the user may see,
    written or not: MonthlyReport's scope rule (apps.py: a grant over the campaign's region, over
    the cadre's unit, or the user's own) read for the campaign, so that the reports a figure says
    are owed are those whose report the viewer would see. None: no one's."""
    from minqing.core.scope import scope_for
    from minqing.core.treecode import prefix_q

    condition: Q | None = None

    def add(q: Q) -> None:
        nonlocal condition
        condition = q if condition is None else condition | q

    for grant in scope_for(user).grants:
        if VIEW not in grant.permissions:
            continue
        if any(campaign.region_id.startswith(prefix) for prefix in grant.region_prefixes):
            return Q()
        for path in grant.unit_paths:
            add(prefix_q("unit__path", path))
        if grant.own:
            add(Q(account_id=user.pk))
    return condition


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


def worklog_list(*, user, cadre=None) -> QuerySet:
    """The work logs in scope (a cadre's own; the office's and leaders' within their scope),
    the latest day first."""
    qs = scoped(WorkLog, user, VIEW).select_related("cadre__account", "point")
    if cadre is not None:
        qs = qs.filter(cadre=cadre)
    return qs.order_by("-date", "-id")


def worklog_get(*, user, pk: int) -> WorkLog:
    return get_scoped_or_404(WorkLog.objects.select_related("cadre__account", "point"), user, VIEW, pk=pk)


def worklog_points(*, user, as_of: dt.date | None = None) -> list:
    """The points the signed-in cadre writes work logs at: those of their pairings running on
    the day and of the teams they lead or belong to (not dissolved); retired points left out."""
    from minqing.programs.models import LiaisonPoint

    as_of = as_of or timezone.localdate()
    paired = Pairing.objects.filter(cadre__account_id=user.pk, point__isnull=False).active_on(as_of)
    teams = Team.objects.filter(Q(members__account_id=user.pk) | Q(leader__account_id=user.pk)).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=as_of)
    )
    points = LiaisonPoint.objects.filter(
        Q(pk__in=paired.values("point_id"))
        | Q(pk__in=Team.points.through.objects.filter(team__in=teams).values("liaisonpoint_id"))
    )
    return [p for p in points.order_by("name", "id") if not p.retired_by(as_of)]


# Activities (forums, policy talks, party meetings … : the 五个一, 四个一 and a team's) ---------


def activity_campaigns(cadre, as_of: dt.date | None = None, taking_part=None) -> list[Campaign]:
    """The running campaigns the cadre records activities in: those it takes part in through
    its unit (due_campaigns: `taking_part` when already read), and those it is paired in or on
    a work team of (led or joined, counting on the day), as the activities rule counts a
    cadre's, a team's or a point's. Four queries at most, whatever the number of campaigns."""
    as_of = as_of or timezone.localdate()
    if cadre is None:
        return []
    taking_part = list(due_campaigns(cadre, as_of) if taking_part is None else taking_part)
    known = {c.pk for c in taking_part}
    paired = Pairing.objects.filter(cadre=cadre).active_on(as_of).values("campaign_id")
    on_teams = (
        Team.objects.filter(Q(leader=cadre) | Q(members=cadre))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=as_of))
        .values("campaign_id")
    )
    more = list(
        Campaign.objects.filter(Q(pk__in=paired) | Q(pk__in=on_teams))
        .exclude(pk__in=known)
        .filter(status=Campaign.Status.RUNNING, start__lte=as_of)
        .filter(Q(end__isnull=True) | Q(end__gte=as_of))
        .select_related("region")
    )
    return sorted(taking_part + more, key=lambda c: (c.start, c.pk))


def activity_campaign_for(*, user, cadre, pk) -> Campaign | None:
    """The campaign `pk` if the user may record an activity in it or read its activities: one
    in the user's scope, or, for a cadre's account (one that sees campaigns), a running campaign
    it takes part in through its unit (asked by the activities rule with no pairing or team
    there). None otherwise."""
    from minqing.core.params import id_param
    from minqing.core.scope import scope_for, scoped_first
    from minqing.programs.selectors import campaign_cadres

    found = scoped_first(Campaign, user, VIEW, pk)
    if found is not None or cadre is None or id_param(pk) is None or not scope_for(user).has(VIEW):
        return found
    campaign = (
        Campaign.objects.select_related("region")
        .prefetch_related("units")
        .filter(pk=id_param(pk), status=Campaign.Status.RUNNING)
        .first()
    )
    if campaign is not None and campaign_cadres(campaign).filter(pk=cadre.pk).exists():
        return campaign
    return None


def my_teams(cadre, campaigns, as_of: dt.date | None = None) -> dict[int, list[Team]]:
    """campaign id → the cadre's work teams in these campaigns that count on the day, each with
    its points that count on it (_my_teams). Two queries."""
    return _my_teams(cadre, {c.pk for c in campaigns}, as_of or timezone.localdate())


def team_points(teams: dict[int, list[Team]], campaigns, targets) -> list[TeamPoint]:
    """The points of the cadre's teams, each once, that are not among its paired targets
    already (their cards have the same buttons), the teams named."""
    names = {c.pk: c.name for c in campaigns}
    paired = {t.target_id for t in targets if t.target_type == "point"}
    found: dict[int, TeamPoint] = {}
    for campaign_id, of_campaign in teams.items():
        for team in of_campaign:
            for point in team.points.all():
                if point.pk in paired:
                    continue
                card = found.setdefault(
                    point.pk, TeamPoint(point.pk, point.name, campaign_id, names.get(campaign_id, ""))
                )
                card.teams.append(team.name)
                card.team_ids.append(team.pk)
    return sorted(found.values(), key=lambda p: (p.name, p.target_id))


def activity_choices(campaign, *, teams: dict[int, list[Team]], targets) -> dict:
    """What an activity of the campaign may name on the cadre's forms: the campaign's listed
    activities, the cadre's teams there (as of the day `teams` was read for) and its points
    there (paired, or its teams')."""
    from minqing.programs.rules.activities_held import activity_names

    of_campaign = teams.get(campaign.pk, [])
    points = {
        t.target_id: t.name for t in targets if t.target_type == "point" and t.campaign_id == campaign.pk
    }
    for point in _team_points(of_campaign):
        points.setdefault(point.pk, point.name)
    return {
        "activities": [{"key": k, "name": n} for k, n in activity_names(campaign).items()],
        "teams": [{"id": t.pk, "name": t.name} for t in of_campaign],
        "points": [{"id": pk, "name": name} for pk, name in points.items()],
    }


def activity_list(
    *,
    user,
    campaign=None,
    kind: str = "",
    team=None,
    month: dt.date | None = None,
    status: str = CURRENT,
) -> QuerySet:
    """The activities in scope (the office's, leaders' and inspectors' region; a cadre's own and
    its teams'), of a campaign, a kind, a team and a month: `current` (those that count),
    `withdrawn` (kept on record, counted nowhere), or all."""
    if status == CURRENT:
        records = Activity.objects.all()
    elif status == WITHDRAWN:
        records = Activity.records.filter(withdrawn_at__isnull=False)
    else:
        records = Activity.records.all()
    qs = scoped(records, user, VIEW).select_related("cadre__account", "team", "point", "campaign")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if kind:
        qs = qs.filter(kind=kind)
    if team is not None:
        qs = qs.filter(team=team)
    if month is not None:
        qs = qs.filter(date__gte=month, date__lte=month_end(month))
    return qs.order_by("-date", "-id")


def activity_get(*, user, uuid) -> Activity:
    """One activity in scope, withdrawn or not."""
    return get_scoped_or_404(
        Activity.records.select_related("cadre__account", "team", "point", "campaign__region"),
        user,
        VIEW,
        uuid=uuid,
    )


def activity_edit_deadline(activity: Activity) -> dt.datetime:
    """Until when the organizer may correct or withdraw the activity: the days a cadre has for
    their visits (settings.VISIT_EDIT_DAYS), the same rule for the records the rules count."""
    from django.conf import settings

    return activity.created_at + dt.timedelta(days=settings.VISIT_EDIT_DAYS)


def activity_may_change(*, user, activity: Activity) -> bool:
    """Whether the user may correct or withdraw the activity: its organizer within the days after
    recording it, or the campaign office whose scope holds it, at any time. Never once withdrawn."""
    if activity.withdrawn_at is not None or user is None or not user.is_authenticated:
        return False
    if activity.cadre.account_id == user.pk and timezone.now() <= activity_edit_deadline(activity):
        return True
    return (
        can_manage(user) and scoped(Activity.records.filter(pk=activity.pk), user, "programs.manage").exists()
    )


def activity_changes(*, activity: Activity) -> list[ActivityChange]:
    """The activity's corrections and its withdrawal, the latest first."""
    return list(activity.changes.select_related("changed_by"))


def activity_kinds(*, user, campaign) -> list[tuple[str, str]]:
    """(key, name) of the kinds the campaign's activities may be filtered by: those it lists,
    then those written in on the activities the user sees (a campaign that lists none, or one
    it has dropped since). One query."""
    from minqing.programs.rules.activities_held import activity_names

    names = activity_names(campaign)
    written = (
        scoped(Activity.records.filter(campaign=campaign), user, VIEW)
        .exclude(kind__in=list(names))
        .order_by("kind")
        .values_list("kind", flat=True)
        .distinct()
    )
    return [*names.items(), *((kind, kind) for kind in written)]
