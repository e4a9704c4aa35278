"""Exporting a ledger: one audited step. Identifiers (ID numbers, phones) are masked unless
the user holds the unmask permission and gives a reason; then the rows the user may unmask
show them in full, the file says so on every sheet, and the reason is in the audit row.
The workbook is streamed to a file (constant memory), never built in memory."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core import ratelimit
from minqing.core.audit import audit_record
from minqing.core.scope import scope_for
from minqing.core.spreadsheet import LedgerWorkbook, export_stamp

from . import selectors
from .definitions import ALL_DEMANDS, LAYOUTS, ledger_spec

MIN_REASON = 4


@dataclass
class LedgerExport:
    path: str
    filename: str
    rows: int
    masked: bool


def ledger_export(
    *, actor, campaign, key: str, path: str, region_code: str = "", unmask: bool = False, reason: str = ""
) -> LedgerExport:
    """Write ledger `key` of `campaign` to `path` as .xlsx, with the rows `actor` may see
    (None: the server's operator on the command line, whole campaign, always masked)."""
    spec = ledger_spec(campaign, key)
    if spec is None:
        raise ValidationError({"ledger": [_("This campaign has no ledger “%(key)s”.") % {"key": key}]})
    region = selectors.ledger_region(region_code)
    reason = (reason or "").strip()
    if unmask:
        if actor is None or not scope_for(actor).has("people.unmask"):
            audit_record(
                action="ledger.export",
                obj=campaign,
                user=actor,
                result="denied",
                detail={"ledger": key, "masked": False},
            )
            raise PermissionDenied(_("You are not allowed to see full personal identifiers."))
        if len(reason) < MIN_REASON:
            raise ValidationError(
                {"reason": [_("Give a reason of at least 4 characters for seeing the full value.")]}
            )
        ratelimit.hit("export", str(actor.pk), settings.EXPORT_RATE)
    case_fields = actor is not None and scope_for(actor).has("tickets.sensitive")
    queryset = selectors.ledger_queryset(
        user=actor, campaign=campaign, spec=spec, region=region, unmask=unmask
    )
    layout = LAYOUTS[spec.source](campaign, spec, queryset, case_fields=case_fields)
    stamp = export_stamp(actor)
    if unmask:
        stamp += " · " + _("contains full personal identifiers: do not pass on") + " · " + reason
    else:
        stamp += " · " + _("identifiers masked")
    title = f"{campaign.name} · {spec.name}" + (f"（{region.name}）" if region else "")
    book = LedgerWorkbook(path)
    rows = book.sheet(
        spec.name, title=title, columns=layout.columns, rows=layout.rows, user=actor, stamp=stamp
    )
    book.close()
    audit_record(
        action="ledger.export",
        obj=campaign,
        user=actor,
        detail={
            "ledger": key,
            "rows": rows,
            "masked": not unmask,
            "region": region.code if region else "",
            **({"reason": reason} if unmask else {}),
        },
    )
    name = "all" if key == ALL_DEMANDS else key
    filename = f"ledger-{campaign.pk}-{name}-{timezone.localdate():%Y%m%d}.xlsx"
    return LedgerExport(path=path, filename=filename, rows=rows, masked=not unmask)
