import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from minqing.programs import selectors as program_selectors

from .imports import IMPORTERS
from .imports.engine import allowed, import_run
from .imports.files import MAX_BYTES

router = Router(tags=["imports"])
# The file is optional in the signature so that a request without it gets a clear 422 after
# the permission check, rather than a schema error before it.
OPTIONAL_FILE = File(None)


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    kind: str
    file: str
    dry_run: bool
    written: bool
    rows: int
    refused: str
    counts: dict[str, int]
    notes: list[str]
    errors: list[RowErrorOut]


@router.post(
    "/imports/{kind}",
    response={200: ImportOut, 422: ImportOut},
    summary="Import a list (households, cadres, pairings, points, regions)",
    description="multipart/form-data with `file`. With `dry_run=true` nothing is written; otherwise the "
    "whole file is written or, with any bad row, nothing (422 with every error by row and column).",
)
def import_list(
    request,
    kind: str,
    dry_run: bool = False,
    campaign: int | None = None,
    file: UploadedFile | None = OPTIONAL_FILE,
):
    if kind not in IMPORTERS:
        raise HttpError(
            404, _("There is no list of this kind: households, cadres, pairings, points or regions.")
        )
    importer = IMPORTERS[kind]()
    if not allowed(importer, request.auth):
        raise HttpError(403, _("This account may not do that."))
    chosen = None
    if importer.needs_campaign and campaign is not None:
        chosen = program_selectors.campaign_get(
            user=request.auth, pk=campaign, permission=program_selectors.MANAGE
        )
    if file is None:
        raise HttpError(422, _("Attach the file as the form field `file`."))
    if file.size > MAX_BYTES:
        raise HttpError(413, _("The file is too large: at most 10 MB."))
    suffix = Path(file.name or "").suffix.lower()[:8]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        with open(path, "wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        try:
            report = import_run(
                actor=request.auth,
                kind=kind,
                path=path,
                filename=file.name or "",
                dry_run=dry_run,
                campaign=chosen,
            )
        except PermissionDenied:
            raise HttpError(403, _("This account may not do that.")) from None
    return Status(200 if report.ok else 422, report.as_dict())
