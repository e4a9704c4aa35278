"""What the demands' documents share with the ledgers app: the petition and dispute case
fields, shown only to those with tickets.sensitive (their ledger is minqing.ledgers)."""

from django.utils.translation import gettext as _

CASE_FIELDS = ("case_owner", "parties", "history")


def case_field_labels():
    return {
        "case_owner": _("Leader who owns the case (包案)"),
        "parties": _("Parties"),
        "history": _("Case history"),
    }
