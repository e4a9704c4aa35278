from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import FAIL, NOT_DUE, PASS
from ._pending import PendingRule, unit_subjects
from ._tickets import campaign_tickets, codes_text, local_date, ticket_units


class ReplyBeforeClose(PendingRule):
    """No demand of a unit is closed (as of the date) without a written reply before it."""

    type = "tickets.reply_before_close"
    label = gettext_lazy("No demand closed without a reply")
    evidence = ("tickets", "Ticket")
    evidence_label = gettext_lazy("demands")

    def required_text(self):
        return _("a reply before every close")

    def subjects(self, ctx):
        return unit_subjects(ctx)

    def evaluate_records(self, ctx):
        rows = campaign_tickets(ctx, "closed_at", "replied_at", "reply")
        closed, bad = defaultdict(int), defaultdict(list)
        for row in rows:
            closed_on = local_date(row["closed_at"])
            if closed_on is None or closed_on > ctx.as_of:
                continue
            closed[row["unit_id"]] += 1
            if not row["replied_at"] or not row["reply"].strip() or row["replied_at"] > row["closed_at"]:
                bad[row["unit_id"]].append(row["code"])
        return [
            self.verdict(
                subject_type=kind,
                subject_id=pk,
                subject=label,
                required=self.required_text(),
                actual=_("%(ok)s of %(n)s closed with a reply")
                % {"ok": closed[pk] - len(bad[pk]), "n": closed[pk]},
                status=NOT_DUE if not closed[pk] else FAIL if bad[pk] else PASS,
                missing=[_("closed without a reply: %(codes)s") % {"codes": codes_text(bad[pk])}]
                if bad[pk]
                else [],
                unit_id=unit_id,
            )
            for kind, pk, label, _cadre, unit_id, _team in ticket_units(ctx, rows)
        ]
