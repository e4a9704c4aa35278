import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import NOT_DUE, Param, Rule
from ._periods import asked_span, due_months, in_spans, month_due, month_label, next_month, nothing_asked


class MonthlyReportOnTime(Rule):
    """003: each cadre reports on the month by the 5th of the next month."""

    type = "reports.monthly"
    label = gettext_lazy("Monthly report on time")
    params = {
        "due_day": Param("int", 5, gettext_lazy("Due by this day of the next month"), minimum=1, maximum=28),
        "kinds": Param(
            "ref_list",
            [],
            gettext_lazy("Only cadres with a pairing of these kinds (empty: all)"),
            ref="pairing_kinds",
        ),
    }

    def required_text(self):
        return _("the monthly report by day %(n)s of the next month") % {"n": self.value("due_day")}

    def evaluate(self, ctx):
        from minqing.fieldwork.models import MonthlyReport

        submitted = {
            (row["cadre_id"], row["month"]): row["submitted_on"]
            for row in MonthlyReport.objects.filter(
                campaign=ctx.campaign, status=MonthlyReport.Status.SUBMITTED
            ).values("cadre_id", "month", "submitted_on")
        }
        day = self.value("due_day")
        # A report for each month the campaign asks for (half of its days or more in it), as the stay
        # rule asks the days: a part-month at the start or end asks none (one filed is kept).
        due = [(m, next_month(m).replace(day=day)) for m in due_months(ctx)]
        due = [(m, d) for m, d in due if d < ctx.as_of]
        kinds = set(self.value("kinds"))
        reporting = {p.cadre_id for p in ctx.pairings if p.kind in kinds} if kinds else None
        # Of those, the months the cadre's pairing asks (half of their days or more paired, a
        # successor's from the handover); a cadre with no pairing, the campaign's.
        paired = ctx.month_spans(self.value("kinds"))
        campaign_spans = [ctx.campaign_span] if ctx.campaign_span else []
        verdicts = []
        for cadre in ctx.cadres:
            if reporting is not None and cadre.pk not in reporting:
                continue
            spans = paired.get(cadre.pk, campaign_spans)
            mine = [(m, d) for m, d in due if in_spans(m, spans)]
            missing = []
            for month, deadline in mine:
                filed = submitted.get((cadre.pk, month))
                if filed is None:
                    missing.append(
                        _("the report for %(month)s was not submitted") % {"month": month_label(month)}
                    )
                elif filed > deadline:
                    missing.append(
                        _("the report for %(month)s was submitted on %(day)s, after %(due)s")
                        % {
                            "month": month_label(month),
                            "day": date_format(filed),
                            "due": date_format(deadline),
                        }
                    )
            verdicts.append(
                self.cadre_verdict(
                    cadre,
                    required=self.required_text(),
                    actual=f"{len(mine) - len(missing)}/{len(mine)}",
                    ok=not missing and bool(mine),
                    missing=missing or [nothing_asked(spans, ctx.campaign_span) or _("no report is due yet")],
                    status=NOT_DUE if not mine else None,
                )
            )
        return verdicts


def monthly_report_rule(campaign) -> MonthlyReportOnTime | None:
    """The campaign's monthly-report rule when one is on (the one Campaign.report_due_day reads);
    None: the campaign asks no monthly report (a report a cadre writes is kept, owed by no one)."""
    for conf in campaign.config.get("rules", []):
        if conf.get("type") == MonthlyReportOnTime.type and not conf.get("disabled"):
            return MonthlyReportOnTime(conf.get("key", ""), conf.get("name", ""), conf.get("params", {}))
    return None


def report_due(campaign, month: dt.date) -> dt.date:
    """The day the report on the month beginning on `month` is due by (Campaign.report_due_day
    of the next month). It is judged from the day after: owed once that day has passed."""
    return next_month(month).replace(day=campaign.report_due_day)


def report_pairings(campaign, cadres, *, today: dt.date) -> list[tuple]:
    """(cadre id, start, end) of the pairings of the campaign's monthly-report rule's kinds (any,
    when it names none) of these cadres (a queryset of them), begun before `today`, over the whole
    campaign: what months_owed reads. Of a cadre's open-ended pairings only the earliest is given:
    the months one asks (asked_span) hold those of any begun later, so a county's ~100,000
    pairings come as one row per cadre (two queries)."""
    from django.db.models import Min

    from ..models import Pairing

    rule = monthly_report_rule(campaign)
    if rule is None:
        return []
    pairings = Pairing.objects.filter(campaign=campaign, cadre_id__in=cadres.values("pk"), start__lte=today)
    if rule.value("kinds"):
        pairings = pairings.filter(kind__in=rule.value("kinds"))
    pairings = pairings.order_by()
    found = [
        (cadre_id, start, None)
        for cadre_id, start in pairings.filter(end__isnull=True)
        .values("cadre_id")
        .annotate(first=Min("start"))
        .values_list("cadre_id", "first")
    ]
    found += pairings.filter(end__isnull=False).values_list("cadre_id", "start", "end").distinct()
    return found


def months_owed(campaign, months: list[dt.date], cadre_ids, pairings, *, today: dt.date) -> dict[int, list]:
    """cadre id → the months of `months` (first days) whose report the monthly-report rule asks
    of the cadre and whose due day has passed before `today`, as the rule asks them: the months
    the campaign asks (month_due), and of those, the months the cadre's pairings of the rule's
    kinds run on at least half of the days of (asked_span; a cadre with no such pairing is asked
    the campaign's months, or nothing when the rule names kinds). `pairings`: (cadre id, start,
    end) of the cadres' pairings of the rule's kinds (report_pairings). A cadre owing nothing is
    not in it; with the rule off, nobody owes anything. No query."""
    rule = monthly_report_rule(campaign)
    if rule is None:
        return {}
    due = [
        m for m in months if month_due(m, campaign.start, campaign.end) and report_due(campaign, m) < today
    ]
    if not due:
        return {}
    found_spans: dict[int, set] = {}
    spans: dict = {}  # most pairings share their dates: one asked_span for each
    for cadre_id, start, end in pairings:
        if (start, end) not in spans:
            spans[(start, end)] = asked_span(start, end, campaign)
        found = found_spans.setdefault(cadre_id, set())
        if spans[(start, end)] is not None:
            found.add(spans[(start, end)])
    campaign_span = asked_span(campaign.start, campaign.end, campaign)
    unpaired = [] if rule.value("kinds") or campaign_span is None else [campaign_span]
    owed = {}
    for cadre_id in cadre_ids:
        mine = found_spans.get(cadre_id)
        mine = unpaired if mine is None else mine
        months_due = [m for m in due if in_spans(m, mine)]
        if months_due:
            owed[cadre_id] = months_due
    return owed


def months_pending(campaign, months: list[dt.date], *, today: dt.date) -> list[dt.date]:
    """Of `months`, those the campaign's monthly-report rule asks for (month_due) whose due day
    has not passed before `today`: not yet due. Empty with the rule off."""
    if monthly_report_rule(campaign) is None:
        return []
    return [
        m for m in months if month_due(m, campaign.start, campaign.end) and report_due(campaign, m) >= today
    ]
