import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from . import FAIL, NOT_DUE, PASS, Param, Rule
from ._pending import cadre_subjects, point_subjects, team_subjects
from ._periods import nothing_asked, windows

FIELD = {"cadre": "cadre_id", "team": "team_id", "point": "point_id"}


def activity_names(campaign) -> dict[str, str]:
    """The campaign's listed activities: key → name."""
    return {a["key"]: a["name"] for a in campaign.config.get("activities", [])}


class ActivitiesHeld(Rule):
    """000 四个一 in the survey phase, 002 五个一, 001's branch meetings: each listed activity
    held by each cadre, team or point in each period."""

    type = "activities.held"
    label = gettext_lazy("Listed activities held in each period")
    params = {
        "activities": Param("ref_list", None, gettext_lazy("Activities"), ref="activities"),
        "per": Param(
            "text",
            "phase",
            gettext_lazy("Counted per"),
            choices=("phase", "month", "half_year", "year", "campaign"),
        ),
        "phase": Param("ref", "", gettext_lazy("In phase"), ref="phases"),
        "subject": Param("text", "cadre", gettext_lazy("Held by each"), choices=("cadre", "team", "point")),
    }

    # The campaign's phase names (key → name), read in evaluate: a rule limited to one phase
    # names it in its required text, never "in each phase".
    phase_names: dict[str, str] = {}

    def required_text(self):
        n = len(self.value("activities"))
        phase = self.value("phase")
        if self.value("per") == "phase" and phase:
            return _("each of %(n)s listed activities held in the phase “%(phase)s”") % {
                "n": n,
                "phase": self.phase_names.get(phase, phase),
            }
        return _("each of %(n)s listed activities held %(per)s") % {"n": n, "per": self.period()}

    # What the rule counts, also read by the phone's "due this month" (fieldwork.selectors.my_due)
    # so that it asks what this rule asks, counted as it counts.

    def periods(self, ctx) -> list[tuple[str, dt.date, dt.date]]:
        """(label, start, end) of the periods the rule asks for (rules._periods.windows: a month
        is asked for when the campaign runs on half of its days or more)."""
        return windows(ctx, self.value("per"), self.value("phase"))

    def counted(self, campaign, periods, as_of) -> Q | None:
        """The activities that count for the rule in these periods, held up to as_of, as a
        condition on Activity; None when there is no period to count."""
        if not periods:
            return None
        first, last = min(p[1] for p in periods), max(p[2] for p in periods)
        return Q(
            campaign=campaign, kind__in=self.value("activities"), date__gte=first, date__lte=min(last, as_of)
        )

    def missing(self, held, start, end) -> list[str]:
        """The keys of the listed activities not held between start and end: `held` maps an
        activity's key to the days the subject held one."""
        return [
            activity
            for activity in self.value("activities")
            if not any(start <= day <= end for day in held.get(activity, ()))
        ]

    def not_held(self, held, start, end, names) -> list[str]:
        """The names (from activity_names) of the listed activities not held between start and
        end (missing)."""
        return [names.get(activity, activity) for activity in self.missing(held, start, end)]

    def evaluate(self, ctx):
        from minqing.fieldwork.models import Activity

        self.phase_names = {p["key"]: p.get("name", p["key"]) for p in ctx.campaign.config.get("phases", [])}
        subject = self.value("subject")
        subjects = {"team": team_subjects, "point": point_subjects}.get(subject, cadre_subjects)(ctx)
        periods = self.periods(ctx)
        kinds = self.value("activities")
        names = activity_names(ctx.campaign)
        held: dict = defaultdict(dict)  # subject id → activity → days
        counted = self.counted(ctx.campaign, periods, ctx.as_of)
        if counted is not None:
            for pk, kind, day in (
                Activity.objects.filter(counted).order_by().values_list(FIELD[subject], "kind", "date")
            ):  # no sort: grouped below
                held[pk].setdefault(kind, []).append(day)
        # One item per period for each subject, naming it and what it still lacks: "李明：还差
        # 开展一次走访慰问、办成一件实事" (over the campaign the period is not named: it is the
        # campaign). Translated once, not per subject.
        lacks = _("%(name)s: still to do: %(activities)s")
        lacks_in = _("%(name)s: still to do in %(period)s: %(activities)s")
        separator = pgettext("list separator", ", ")  # 甲、乙 / a, b
        over_campaign = self.value("per") == "campaign"
        # Per month with no month begun that the campaign asks for: why, in the words of the
        # other monthly rules (none will be, or none is yet), never a bare "not yet due".
        no_month = []
        if self.value("per") == "month" and not any(start <= ctx.as_of for _p, start, _e in periods):
            campaign_spans = [ctx.campaign_span] if ctx.campaign_span else []
            no_month = [
                nothing_asked(campaign_spans, ctx.campaign_span)
                or _(
                    "no month is asked for yet (a month is asked for when the campaign runs on at "
                    "least half of its days)"
                )
            ]
        names_of = {c.pk: str(c.account) for c in ctx.cadres} if subject == "cadre" else {}
        verdicts = []
        for kind, pk, label, cadre_id, unit_id, team_id in subjects:
            name = names_of.get(pk, label)
            missing, closed_missing, total, lacking = [], 0, 0, 0
            for period, start, end in periods:
                if start > ctx.as_of:
                    continue
                not_held = self.not_held(held.get(pk, {}), start, end, names)
                total += len(kinds)
                if ctx.as_of > end:
                    closed_missing += len(not_held)
                if not_held:
                    lacking += len(not_held)
                    values = {"name": name, "period": period, "activities": separator.join(not_held)}
                    missing.append((lacks if over_campaign else lacks_in) % values)
            # A period that has ended with an activity missing is a failure, whatever is still open.
            status = PASS if not missing and total else (FAIL if closed_missing else NOT_DUE)
            verdicts.append(
                self.verdict(
                    subject_type=kind,
                    subject_id=pk,
                    subject=label,
                    required=self.required_text(),
                    actual=f"{total - lacking}/{total}",
                    status=status,
                    missing=missing or no_month,
                    cadre_id=cadre_id,
                    unit_id=unit_id,
                    team_id=team_id,
                )
            )
        return verdicts
