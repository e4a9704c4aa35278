from collections import Counter

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.people.models import Member

from ..models import Pairing
from . import NOT_DUE, Missing, Param, Rule, target_key
from ._periods import (
    asked_span,
    campaign_over,
    due_months,
    in_spans,
    month_end,
    month_label,
    nothing_asked,
    window,
)


def visit_keys(visit) -> set:
    """What a visit counts for: its household (also through a member), member and point."""
    keys = set()
    if visit["household_id"]:
        keys.add(("household", visit["household_id"]))
    if visit["member_id"]:
        keys.add(("member", visit["member_id"]))
        keys.add(("household", visit["member__household_id"]))
    if visit["point_id"]:
        keys.add(("point", visit["point_id"]))
    return keys


VISIT_FIELDS = ("household_id", "member_id", "member__household_id", "point_id")


def counted_visits(*, campaign, start, end, pairs, paired, joiners, group=None, counts=None) -> list[dict]:
    """The visits that count for paired targets, in rows grouped by cadre and target: the cadre's
    own visits and those it joined (others_present); `visit_keys` of a row says which targets it
    counts for. Shared by this rule and the assessment's visits component, so both count the same.

    `pairs`: the pairings (a queryset, read as subqueries); `paired`: which kinds of target they
    have, (household, member, point), a query only for those; `joiners`: the cadres whose joined
    visits are read (a list or a subquery; none, none read). `group(prefix)` and `counts(prefix)`
    give the extra grouping and the counts, on the visit's fields behind `prefix` ("" for a
    visit, "visit__" for a presence); the default counts each row's visits as `n`.
    """
    from minqing.fieldwork.models import Visit, VisitPresence

    group = group or (lambda prefix: {})
    counts = counts or (lambda prefix: {"n": Count("id")})
    has_household, has_member, has_point = paired
    # The paired targets as subqueries (a county's thousands of ids would not fit in a
    # query's parameters), one grouped query per kind of target, each served by its
    # (target, date) index: an OR of them would make the database read every visit.
    paired_households = pairs.filter(household__isnull=False).values("household_id")
    # Only the kinds of target that are paired here (a query for a kind with no pairing
    # would still read the campaign's visits).
    target_filters = []
    if has_household:
        target_filters += [
            Q(household_id__in=paired_households),
            # Visits to a member are few (most are to the household): said outright, the
            # database reads them from the member index instead of scanning every visit.
            Q(
                member_id__isnull=False,
                member_id__in=Member.objects.filter(household_id__in=paired_households).values("id"),
            ),
        ]
    if has_member:
        target_filters += [
            Q(household_id__in=pairs.filter(member__isnull=False).values("member__household_id")),
            Q(member_id__in=pairs.filter(member__isnull=False).values("member_id")),
        ]
    if has_point:
        target_filters.append(Q(point_id__in=pairs.filter(point__isnull=False).values("point_id")))
    # Visits by any cadre are grouped by cadre; only the subjects' own counts are read.
    in_window = {"campaign": campaign, "date__gte": start, "date__lte": end}
    own = [
        row
        for target_filter in target_filters
        for row in Visit.objects.filter(target_filter, **in_window)
        .annotate(**group(""))
        .values("cadre_id", *VISIT_FIELDS, *group(""))
        .annotate(**counts(""))
        .order_by()
    ]
    # Visits the cadres joined: every such visit of the window, grouped by target (counts of
    # targets a cadre is not paired with are never read).
    # Read from the cadres' side: the campaign's visits are many, those a cadre joined
    # few. Compared as an expression, the campaign cannot lead SQLite to walk every visit of
    # the campaign by its index (chosen when the joined table has no statistics yet: 0.5 s
    # at county scale, against 0.01 s).
    joined = (
        VisitPresence.objects.alias(
            _campaign=ExpressionWrapper(F("visit__campaign_id") + 0, output_field=IntegerField())
        )
        .filter(cadre_id__in=joiners, _campaign=campaign.pk, visit__date__gte=start, visit__date__lte=end)
        .annotate(**group("visit__"))
        .values("cadre_id", *(f"visit__{f}" for f in VISIT_FIELDS), *group("visit__"))
        .annotate(**counts("visit__"))
        .order_by()
        if target_filters and joiners is not None
        else []
    )
    return own + [
        {
            **{k: v for k, v in j.items() if not k.startswith("visit__")},
            **{f: j[f"visit__{f}"] for f in VISIT_FIELDS},
        }
        for j in joined
    ]


def _month(value):
    """TruncMonth gives a date on SQLite and PostgreSQL alike for a DateField."""
    return value.replace(day=1) if hasattr(value, "replace") else value


class VisitsPerTarget(Rule):
    """000: every target visited ≥2 times in the campaign; 002: every household every month."""

    type = "visits.per_target"
    label = gettext_lazy("Every target is visited often enough")
    params = {
        "min": Param("int", 2, gettext_lazy("Visits per target"), minimum=1),
        "per": Param("text", "campaign", gettext_lazy("Counted per"), choices=("campaign", "month")),
        "kinds": Param(
            "ref_list",
            [],
            gettext_lazy("Pairing kinds whose targets count (empty: any)"),
            ref="pairing_kinds",
        ),
    }

    def required_text(self):
        return _("each target visited at least %(n)s times %(per)s") % {
            "n": self.value("min"),
            "per": self.period(),
        }

    def evaluate(self, ctx):
        start, end = window(ctx)
        targets = ctx.targets_of(self.value("kinds"))
        per_month = self.value("per") == "month"
        # Count in the database, grouped by cadre, target (and month): only visits to the paired
        # targets, by the cadre or with the cadre present; a fixed number of queries.
        pairs = Pairing.objects.filter(campaign=ctx.campaign).active_on(ctx.as_of)
        if self.value("kinds"):
            pairs = pairs.filter(kind__in=self.value("kinds"))
        paired = [p for pairings in targets.values() for p in pairings]
        rows = counted_visits(
            campaign=ctx.campaign,
            start=start,
            end=end,
            pairs=pairs,
            paired=(
                any(p.household_id for p in paired),
                any(p.member_id for p in paired),
                any(p.point_id for p in paired),
            ),
            joiners=list(targets) if targets else None,
            group=(lambda prefix: {"month": TruncMonth(f"{prefix}date")}) if per_month else None,
        )
        counts: Counter = Counter()
        for row in rows:
            bucket = _month(row["month"]) if per_month else None
            for key in visit_keys(row):
                counts[(row["cadre_id"], key, bucket)] += row["n"]
        wanted = self.value("min")
        # Per month, the months the campaign asks for (half of their days or more in it) that have
        # ended are judged; the running one only for a target paired too recently to have an
        # ended month: short there, it is not yet due, never a pass (a campaign's first month
        # with no visit at all is no 4/4).
        over = campaign_over(ctx)
        counted_months = due_months(ctx) if per_month else [None]
        running = {m for m in counted_months if m is not None and not over and month_end(m) >= ctx.as_of}
        short_in_month = _("%(target)s: visited %(n)s of %(min)s times in %(month)s")
        short_so_far = _("%(target)s: visited %(n)s of %(min)s times so far in %(month)s")
        short = _("%(target)s: visited %(n)s of %(min)s times")
        none_yet = _(
            "no month is asked for yet (a month is asked for when the campaign runs on at least half of its days)"
        )
        spans = {}  # most pairings share their dates: one computation for each
        verdicts = []
        for cadre in ctx.cadres:
            mine = targets.get(cadre.pk)
            if not mine:
                continue
            missing, so_far, met, waiting, asked, mine_spans = [], [], 0, 0, False, []
            for pairing in mine:
                # A target counts from the first month its pairing runs on at least half of the
                # days of (a successor's from the handover): paired on 28 April, from May.
                if per_month:
                    dates = (pairing.start, pairing.end)
                    if dates not in spans:
                        spans[dates] = asked_span(pairing.start, pairing.end, ctx.campaign)
                    span = [spans[dates]] if spans[dates] else []
                    mine_spans += span
                    months_paired = [m for m in counted_months if in_spans(m, span)]
                    if not months_paired:  # no month asked for yet (a part-month is not)
                        waiting += 1
                        continue
                else:
                    months_paired = counted_months
                asked = True
                if per_month and any(m not in running for m in months_paired):
                    months_paired = [m for m in months_paired if m not in running]
                key = target_key(pairing)
                lacking = [(m, counts[(cadre.pk, key, m)]) for m in months_paired]
                lacking = [(m, n) for m, n in lacking if n < wanted]
                if not lacking:
                    met += 1
                    continue
                # Each item keeps its target: a viewer who may not see it gets it unnamed.
                name = ctx.target_name(pairing)
                for m, n in lacking:
                    if m is None:
                        missing.append(Missing(short, {"target": name, "n": n, "min": wanted}, *key))
                        continue
                    values = {"target": name, "n": n, "min": wanted, "month": month_label(m)}
                    if m in running:
                        so_far.append(Missing(short_so_far, values, *key))
                    else:
                        missing.append(Missing(short_in_month, values, *key))
                waiting += all(m in running for m, _n in lacking)
            # A month that has ended short fails. When nothing has been due yet (every target
            # paired this month) and the month's visits are still short, it is not yet due and
            # says what is left to do; a target new this month beside others met does not
            # hold back the pass. Counted over the campaign, short before its end is not due.
            if per_month:
                ok = asked and not missing and (met > 0 or not so_far)
                status = NOT_DUE if not missing and not ok else None
                if ok:
                    met += waiting  # nothing of theirs is due yet
                elif not asked:
                    so_far = [nothing_asked(mine_spans, ctx.campaign_span) or none_yet]
            else:
                ok = not missing
                status = NOT_DUE if missing and not over else None
            verdicts.append(
                self.cadre_verdict(
                    cadre,
                    required=self.required_text(),
                    actual=f"{met}/{len(mine)}",
                    ok=ok,
                    missing=missing or so_far,
                    status=status,
                )
            )
        return verdicts
