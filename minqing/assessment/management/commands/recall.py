from django.core.management.base import CommandError
from django.utils.translation import gettext, gettext_lazy

from minqing.assessment import documents, services
from minqing.assessment.models import Recall
from minqing.core.cli import audit_read, campaign_or_error, iso_date, write_bytes

from ._actions import ActionCommand

# What a handover moved (Recall.moved's keys), as the command prints it.
MOVED = {
    "pairings": gettext_lazy("pairings"),
    "teams": gettext_lazy("team places"),
    "tickets": gettext_lazy("demands"),
    "help_plans": gettext_lazy("help plans"),
}


class Command(ActionCommand):
    help = gettext_lazy(
        "Recall (召回) of a cadre: propose, approve or reject, carry out (hand over to a successor), notice."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        propose = sub.add_parser("propose", help=gettext_lazy("propose recalling a cadre of a campaign"))
        propose.add_argument("--campaign", type=int, required=True)
        propose.add_argument("--cadre", required=True, help=gettext_lazy("username"))
        propose.add_argument(
            "--reason", action="append", default=None, help=gettext_lazy("repeatable; default: the rule's")
        )
        propose.add_argument("--note", default="")
        approve = sub.add_parser(
            "approve", help=gettext_lazy("the leading group approves (or --reject) a proposed recall")
        )
        approve.add_argument("recall", type=int)
        approve.add_argument("--reject", action="store_true")
        approve.add_argument("--reason", default="")
        carry = sub.add_parser(
            "carry-out", help=gettext_lazy("withdraw the cadre and hand everything over to a successor")
        )
        carry.add_argument("recall", type=int)
        carry.add_argument("--successor", required=True, help=gettext_lazy("username"))
        carry.add_argument("--on", type=iso_date)
        carry.add_argument("--reason", default="")
        listing = sub.add_parser("list", help=gettext_lazy("recalls, newest first"))
        listing.add_argument("--campaign", type=int)
        notice = sub.add_parser(
            "notice", help=gettext_lazy("write the criticism notice (通报批评) as .pdf or .docx")
        )
        notice.add_argument("recall", type=int)
        notice.add_argument("-o", "--output", required=True)

    def _recall(self, pk):
        recall = Recall.objects.select_related("cadre__account", "campaign").filter(pk=pk).first()
        if recall is None:
            raise CommandError(gettext("There is no recall %(id)s.") % {"id": pk})
        return recall

    def propose(self, campaign, cadre, reason, note, **_):
        found = campaign_or_error(campaign)
        recall = services.recall_propose(
            actor=None, campaign=found, cadre=self._cadre(cadre), reasons=reason, note=note
        )
        self.stdout.write(f"{recall.pk} {recall.get_status_display()}: {'; '.join(recall.reasons)}")

    def approve(self, recall, reject, reason, **_):
        done = services.recall_decide(
            actor=None, recall=self._recall(recall), approve=not reject, reason=reason
        )
        self.stdout.write(f"{done.pk} {done.get_status_display()}")

    def carry_out(self, recall, successor, on, reason, **_):
        done = services.recall_carry_out(
            actor=None,
            recall=self._recall(recall),
            successor=self._cadre(successor),
            on_date=on,
            reason=reason,
        )
        moved = ", ".join(f"{MOVED.get(k, k)} {v}" for k, v in done.moved.items())
        self.stdout.write(f"{done.pk} {done.get_status_display()} → {done.successor.account}: {moved}")

    def list(self, campaign, **_):
        qs = Recall.objects.select_related("cadre__account", "campaign").order_by("-proposed_at", "-id")
        if campaign:
            qs = qs.filter(campaign_id=campaign)
        recalls = list(qs)
        # Cadres by name with their recall: a cadre's record, read.
        audit_read(action="recall.list", shown=len(recalls), filters={"campaign": campaign})
        for recall in recalls:
            self.stdout.write(
                f"{recall.pk:>5} {recall.get_status_display():<8} {recall.cadre.account}  {recall.campaign}"
            )

    def notice(self, recall, output, **_):
        recall = self._recall(recall)
        if output.endswith(".docx"):
            data = documents.recall_notice_docx(recall, user=None)
        elif output.endswith(".pdf"):
            data = documents.recall_notice_pdf(recall, user=None)
        else:
            raise CommandError(gettext("The output file must end in .pdf or .docx."))
        write_bytes(output, data)
        self.stdout.write(output)
