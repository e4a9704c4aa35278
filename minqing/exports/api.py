from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from minqing.people.api import HardshipFilter

from . import selectors, services
from .views import xlsx_download

router = Router(tags=["exports"])


class ExportRequestIn(Schema):
    region: str = ""
    hardship: HardshipFilter = ""
    tag: str = ""
    q: str = ""
    reason: str


class ExportRequestOut(Schema):
    id: int
    state: str
    rows: int


def _hardship(value: str):
    return None if value == "" else ("any" if value == "any" else int(value))


def _refuse(exc: ValidationError):
    raise HttpError(400, " ".join(exc.messages))


def _forbidden():
    raise HttpError(403, _("This account may not do that."))


@router.get(
    "/exports/households",
    summary="The household roster as Excel (.xlsx), identifiers masked",
    response={200: None},
)
def export_households(request, region: str = "", hardship: HardshipFilter = "", tag: str = "", q: str = ""):
    filters = {"region": region, "hardship": _hardship(hardship), "tag": tag, "q": q}
    try:
        return xlsx_download(
            lambda path: services.household_export_masked(actor=request.auth, filters=filters, path=path)
        )
    except ValidationError as exc:
        _refuse(exc)
    except PermissionDenied:
        _forbidden()


@router.post("/exports", response={201: ExportRequestOut}, summary="Request a full (unmasked) export")
def create_export_request(request, payload: ExportRequestIn):
    try:
        created = services.export_request_create(
            actor=request.auth,
            filters={
                "region": payload.region,
                "hardship": _hardship(payload.hardship),
                "tag": payload.tag,
                "q": payload.q,
            },
            reason=payload.reason,
        )
    except ValidationError as exc:
        _refuse(exc)
    except PermissionDenied:
        _forbidden()
    return Status(201, {"id": created.pk, "state": created.state, "rows": created.rows})


@router.get(
    "/exports/{request_id}/file",
    summary="Fetch an approved full export once (approval is given on the web pages)",
    response={200: None},
)
def download_export(request, request_id: int):
    try:
        export_request = selectors.export_request_get_own(user=request.auth, pk=request_id)
    except Http404:
        raise HttpError(404, _("Not found.")) from None
    try:
        return xlsx_download(
            lambda path: services.export_request_run(actor=request.auth, request=export_request, path=path)
        )
    except ValidationError as exc:
        _refuse(exc)
