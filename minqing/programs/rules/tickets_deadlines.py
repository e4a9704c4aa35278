import datetime as dt
from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import FAIL, NOT_DUE, PASS, Param
from ._pending import PendingRule, unit_subjects
from ._tickets import assignments, campaign_tickets, codes_text, extended_last_days, local_date, ticket_units


class TicketDeadlines(PendingRule):
    """Each handling unit replies to every demand by the last day its tier allows (counted
    from the day it was registered, or from its latest escalation or reopening, which start a
    new deadline), or by the later last day of an extension approved since then by the
    evaluation date; unanswered past that day is overdue. A reply given before a reopening
    does not answer the reopened demand."""

    type = "tickets.deadlines"
    label = gettext_lazy("Demands handled within the deadline of their tier")
    evidence = ("tickets", "Ticket")
    evidence_label = gettext_lazy("demands")
    params = {
        "on_spot_days": Param("int", 0, gettext_lazy("On the spot: days"), minimum=0),
        "township_days": Param("int", 7, gettext_lazy("By the township: days"), minimum=0),
        "escalated_days": Param("int", 15, gettext_lazy("Escalated: days"), minimum=0),
    }

    def required_text(self):
        return _("within %(a)s / %(b)s / %(c)s days by tier") % {
            "a": self.value("on_spot_days"),
            "b": self.value("township_days"),
            "c": self.value("escalated_days"),
        }

    def subjects(self, ctx):
        return unit_subjects(ctx)

    def evaluate_records(self, ctx):
        rows = campaign_tickets(ctx, "tier", "registered_at", "replied_at")
        judged = assignments(ctx, rows)
        extended = extended_last_days(ctx, {pk: a.start for pk, a in judged.items()})
        due, late, overdue = defaultdict(int), defaultdict(list), defaultdict(list)
        for row in rows:
            assignment = judged[row["id"]]
            last_day = local_date(assignment.start) + dt.timedelta(days=self.value(f"{assignment.tier}_days"))
            if row["id"] in extended:
                last_day = max(last_day, extended[row["id"]])
            # None: not replied to this assignment by the end of the evaluation date.
            replied = local_date(assignment.replied)
            if replied is None and ctx.as_of <= last_day:
                continue
            due[row["unit_id"]] += 1
            if replied is None:
                overdue[row["unit_id"]].append(row["code"])
            elif replied > last_day:
                late[row["unit_id"]].append(row["code"])
        verdicts = []
        for kind, pk, label, _cadre, unit_id, _team in ticket_units(ctx, rows):
            missing = []
            if overdue[pk]:
                missing.append(
                    _("%(n)s overdue without a reply: %(codes)s")
                    % {"n": len(overdue[pk]), "codes": codes_text(overdue[pk])}
                )
            if late[pk]:
                missing.append(
                    _("%(n)s replied after the deadline: %(codes)s")
                    % {"n": len(late[pk]), "codes": codes_text(late[pk])}
                )
            on_time = due[pk] - len(overdue[pk]) - len(late[pk])
            verdicts.append(
                self.verdict(
                    subject_type=kind,
                    subject_id=pk,
                    subject=label,
                    required=self.required_text(),
                    actual=_("%(ok)s of %(n)s on time") % {"ok": on_time, "n": due[pk]},
                    status=NOT_DUE if not due[pk] else FAIL if missing else PASS,
                    missing=missing,
                    unit_id=unit_id,
                )
            )
        return verdicts
