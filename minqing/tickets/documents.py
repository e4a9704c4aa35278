from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from minqing.core.audit import audit_record
from minqing.core.spreadsheet import LedgerWorkbook

from .models import Ticket

CASE_FIELDS = ("case_owner", "parties", "history")


def case_field_labels():
    return {
        "case_owner": _("Leader who owns the case (包案)"),
        "parties": _("Parties"),
        "history": _("Case history"),
    }


def _day(value):
    return date_format(timezone.localtime(value), "Y-m-d") if value else ""


def ledger_workbook(*, tickets, campaign, ledger: dict | None, user, case_fields: bool) -> bytes:
    """One ledger of a campaign in the government layout; phones masked, case fields only
    for those allowed to see them, every cell formula-safe (LedgerWorkbook)."""
    book = LedgerWorkbook()
    categories = {c["key"]: c["name"] for c in campaign.config.get("ticket_categories", [])}
    extra = [f for f in (ledger or {}).get("fields", []) if f["key"] not in CASE_FIELDS]
    columns = [
        (_("Code"), 16),
        (_("Registered"), 11),
        (_("Category"), 10),
        (_("Title"), 20),
        (_("Description"), 36),
        (_("Contact"), 8),
        (_("Contact phone"), 13),
        (_("Region"), 12),
        (_("Tier"), 10),
        (_("Handling unit"), 14),
        (_("Status"), 8),
        (_("Deadline"), 11),
        (_("Replied"), 11),
        (_("Reply"), 30),
        (_("Satisfaction"), 9),
    ]
    columns += [(f["label"], 12) for f in extra]
    labels = case_field_labels()
    if case_fields:
        columns += [(labels[k], 16) for k in CASE_FIELDS]

    def rows():
        for t in tickets.iterator(chunk_size=2000):
            row = [
                t.code,
                _day(t.registered_at),
                categories.get(t.category, t.category),
                t.title,
                t.description,
                t.contact_name,
                str(t.contact_phone) if t.contact_phone else "",
                t.region.name,
                t.get_tier_display(),
                t.unit.name if t.unit else "",
                t.get_status_display(),
                _day(t.deadline),
                _day(t.replied_at),
                t.reply,
                t.get_satisfaction_display() if t.satisfaction else "",
            ]
            row += [str(t.extra.get(f["key"], "")) for f in extra]
            if case_fields:
                row += [str(t.sensitive.get(k, "")) for k in CASE_FIELDS]
            yield row

    name = ledger["name"] if ledger else _("All demands")
    count = book.sheet(name, title=f"{campaign.name} · {name}", columns=columns, rows=rows(), user=user)
    audit_record(
        action="ticket.export",
        obj=campaign,
        user=user,
        detail={"ledger": (ledger or {}).get("key", ""), "rows": count, "case_fields": case_fields},
    )
    return book.close()


def ticket_queryset_for_export(qs):
    return qs.select_related("region", "unit").order_by("registered_at", "id")


__all__ = ["ledger_workbook", "ticket_queryset_for_export", "Ticket"]
