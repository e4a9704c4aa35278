from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ._pending import PendingRule, unit_subjects


class ReplyBeforeClose(PendingRule):
    type = "tickets.reply_before_close"
    label = gettext_lazy("No demand closed without a reply")
    evidence = ("tickets", "Ticket")
    evidence_label = gettext_lazy("demands")

    def required_text(self):
        return _("a reply before every close")

    def subjects(self, ctx):
        return unit_subjects(ctx)
