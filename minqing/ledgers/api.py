from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from minqing.core.files import XLSX, temp_file_download
from minqing.core.ratelimit import RateLimited
from minqing.core.scope import scope_for
from minqing.programs import selectors as program_selectors

from . import selectors, services

router = Router(tags=["ledgers"])


class LedgerOut(Schema):
    key: str
    name: str
    source: str
    rows: int
    fields: list[dict]


class UnmaskedExportIn(Schema):
    region: str = ""
    reason: str


def _campaign(request, campaign_id: int):
    if not scope_for(request.auth).has(program_selectors.VIEW):
        raise HttpError(403, _("This account may not do that."))
    return program_selectors.campaign_get(user=request.auth, pk=campaign_id)


def _export(request, campaign, key: str, *, region: str, unmask: bool, reason: str = ""):
    def write(path: str) -> str:
        return services.ledger_export(
            actor=request.auth,
            campaign=campaign,
            key=key,
            path=path,
            region_code=region,
            unmask=unmask,
            reason=reason,
        ).filename

    try:
        return temp_file_download(write, suffix=".xlsx", content_type=XLSX)
    except ValidationError as exc:
        raise HttpError(400, " ".join(exc.messages)) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("This account may not do that.")) from None


@router.get("/campaigns/{campaign_id}/ledgers", response=list[LedgerOut], summary="A campaign's ledgers")
def list_ledgers(request, campaign_id: int, region: str = ""):
    campaign = _campaign(request, campaign_id)
    try:
        narrowed = selectors.ledger_region(region)
    except ValidationError as exc:
        raise HttpError(400, " ".join(exc.messages)) from None
    return [
        {"key": s.key, "name": s.name, "source": s.source, "rows": n, "fields": list(s.fields)}
        for s, n in selectors.ledger_counts(user=request.auth, campaign=campaign, region=narrowed)
    ]


@router.get(
    "/campaigns/{campaign_id}/ledgers/{key}/file",
    response={200: None},
    summary="One ledger as Excel (.xlsx), identifiers masked, streamed",
)
def export_ledger(request, campaign_id: int, key: str, region: str = ""):
    return _export(request, _campaign(request, campaign_id), key, region=region, unmask=False)


@router.post(
    "/campaigns/{campaign_id}/ledgers/{key}/file",
    response={200: None},
    summary="One ledger with full identifiers: the unmask permission and a reason (audited)",
)
def export_ledger_unmasked(request, campaign_id: int, key: str, payload: UnmaskedExportIn):
    return _export(
        request,
        _campaign(request, campaign_id),
        key,
        region=payload.region,
        unmask=True,
        reason=payload.reason,
    )


__all__ = ["router", "RateLimited"]
