import datetime as dt
from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import FAIL, NOT_DUE, PASS, Param
from ._pending import PendingRule, unit_subjects
from ._tickets import campaign_tickets, codes_text, local_date, ticket_units


class FollowUpInTime(PendingRule):
    """Every replied demand gets its follow-up (回访) within N days of the reply."""

    type = "tickets.followup"
    label = gettext_lazy("Follow-up visit after the reply")
    evidence = ("tickets", "Ticket")
    evidence_label = gettext_lazy("demands")
    params = {
        "within_days": Param("int", 7, gettext_lazy("Within days of the reply"), minimum=1),
    }

    def required_text(self):
        return _("a follow-up within %(n)s days of the reply") % {"n": self.value("within_days")}

    def subjects(self, ctx):
        return unit_subjects(ctx)

    def evaluate_records(self, ctx):
        rows = campaign_tickets(ctx, "replied_at", "followed_up_at")
        within = dt.timedelta(days=self.value("within_days"))
        due, missed = defaultdict(int), defaultdict(list)
        for row in rows:
            replied = local_date(row["replied_at"])
            if replied is None or replied > ctx.as_of:
                continue
            last_day = replied + within
            followed = local_date(row["followed_up_at"])
            if followed is not None and followed > ctx.as_of:
                followed = None
            if followed is None and ctx.as_of <= last_day:
                continue
            due[row["unit_id"]] += 1
            if followed is None or followed > last_day:
                missed[row["unit_id"]].append(row["code"])
        return [
            self.verdict(
                subject_type=kind,
                subject_id=pk,
                subject=label,
                required=self.required_text(),
                actual=_("%(ok)s of %(n)s followed up in time")
                % {"ok": due[pk] - len(missed[pk]), "n": due[pk]},
                status=NOT_DUE if not due[pk] else FAIL if missed[pk] else PASS,
                missing=[_("no follow-up in time: %(codes)s") % {"codes": codes_text(missed[pk])}]
                if missed[pk]
                else [],
                unit_id=unit_id,
            )
            for kind, pk, label, _cadre, unit_id, _team in ticket_units(ctx, rows)
        ]
