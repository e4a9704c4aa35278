import datetime as dt
import uuid as uuidlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth

from minqing.api.auth import BearerToken
from minqing.api.paging import page_of
from minqing.api.schemas import Page
from minqing.core.files import serve_attachment
from minqing.core.scope import get_scoped_or_404, scope_for

from . import photos, selectors, services
from .models import AttendanceDay, MonthlyReport
from .sync import record_payload, sync_put

# Phones use the session of the signed-in page (with its CSRF token); other clients a token.
router = Router(tags=["field work"], auth=[BearerToken(), django_auth])


class TargetOut(Schema):
    pairing_id: int
    campaign_id: int
    campaign: str
    kind: str
    kind_name: str
    target_type: str
    target_id: int
    name: str
    address: str
    household_id: int | None
    hardship_level: int
    last_visit: dt.date | None
    days_since: int | None


class SyncIn(Schema):
    payload: dict
    base_version: int | None = None


class SyncOut(Schema):
    uuid: str
    kind: str
    status: int
    id: int | None = None
    version: int | None = None
    record: dict | None = None
    conflict: dict | None = None
    errors: dict | None = None


class VisitOut(Schema):
    uuid: str
    campaign: int
    cadre: int
    cadre_name: str
    date: dt.date
    form: str
    target_type: str
    target_id: int
    target_name: str
    content: str
    outcome: str
    problems: list[str]
    found: dict
    version: int
    photos: list[str]


class VisitPage(Page):
    items: list[VisitOut]


class PhotoOut(Schema):
    uuid: str
    content_type: str
    width: int
    height: int
    size: int


class DecisionIn(Schema):
    confirm: bool
    reason: str = ""


class ReportDraftIn(Schema):
    campaign: int
    month: dt.date


class ReportSubmitIn(Schema):
    text: str
    base_version: int


class ReportOut(Schema):
    id: int
    campaign: int
    cadre: int
    month: dt.date
    due: dt.date
    status: str
    submitted_on: dt.date | None
    late: bool
    figures: dict
    text: str
    version: int


def visit_out(v) -> dict:
    target = v.target
    return {
        "uuid": str(v.uuid),
        "campaign": v.campaign_id,
        "cadre": v.cadre_id,
        "cadre_name": str(v.cadre.account),
        "date": v.date,
        "form": v.form,
        "target_type": "household" if v.household_id else "member" if v.member_id else "point",
        "target_id": target.pk,
        "target_name": str(target.head.name if v.household_id and target.head_id else target),
        "content": v.content,
        "outcome": v.outcome,
        "problems": v.problems,
        "found": v.found,
        "version": v.version,
        "photos": [str(p.uuid) for p in v.photos.all()],
    }


def report_out(r: MonthlyReport) -> dict:
    return {
        "id": r.pk,
        "campaign": r.campaign_id,
        "cadre": r.cadre_id,
        "month": r.month,
        "due": r.due,
        "status": r.status,
        "submitted_on": r.submitted_on,
        "late": r.late,
        "figures": r.figures,
        "text": r.text,
        "version": r.version,
    }


@router.get("/me/targets", response=list[TargetOut], summary="My targets, the longest unvisited first")
def my_targets(request):
    return [t.__dict__ for t in selectors.my_targets(user=request.auth)]


@router.put(
    "/sync/{kind}/{uuid}",
    response={200: SyncOut, 201: SyncOut, 409: SyncOut, 422: SyncOut},
    summary="Upload a record made offline (idempotent by UUID)",
)
def sync(request, kind: str, uuid: uuidlib.UUID, body: SyncIn):
    result = sync_put(
        user=request.auth, kind=kind, uuid=uuid, payload=body.payload, base_version=body.base_version
    )
    data = {
        "uuid": str(uuid),
        "kind": kind,
        "status": result.status,
        "conflict": result.conflict,
        "errors": result.errors,
    }
    if result.record is not None:
        data.update(id=result.record.pk, version=result.record.version, record=record_payload(result.record))
    return Status(result.status, data)


@router.get("/visits", response=VisitPage, summary="Visits in scope")
def list_visits(request, page: int = 1, size: int = 50):
    return page_of(selectors.visit_list(user=request.auth).prefetch_related("photos"), page, size, visit_out)


@router.get("/visits/{uuid}", response=VisitOut, summary="One visit")
def get_visit(request, uuid: uuidlib.UUID):
    return visit_out(selectors.visit_get(user=request.auth, uuid=uuid))


@router.post(
    "/visits/{uuid}/photos",
    response={200: PhotoOut, 201: PhotoOut, 409: PhotoOut},
    summary="Attach a photo (JPEG or PNG, ≤ 10 MB); idempotent when the phone names the photo's UUID",
)
def add_photo(
    request, uuid: uuidlib.UUID, file: File[UploadedFile], photo_uuid: Form[uuidlib.UUID | None] = None
):
    visit = selectors.visit_get(user=request.auth, uuid=uuid)
    if visit.cadre.account_id != request.auth.pk:
        raise HttpError(403, "only the cadre who recorded the visit adds photos")
    data = file.read(photos.MAX_BYTES + 1)
    try:
        if photo_uuid is None:
            status, photo = 201, photos.photo_attach(actor=request.auth, data=data, visit=visit)
        else:
            status, photo = photos.photo_sync(actor=request.auth, visit=visit, uuid=photo_uuid, data=data)
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return Status(
        status,
        {
            "uuid": str(photo.uuid),
            "content_type": photo.content_type,
            "width": photo.width,
            "height": photo.height,
            "size": photo.size,
        },
    )


@router.get("/photos/{uuid}", summary="A photo's file, as an attachment")
def get_photo(request, uuid: uuidlib.UUID):
    return photo_response(request, selectors.photo_get(user=request.auth, uuid=uuid))


def photo_response(request, photo):
    """Through the one helper for uploaded files: an attachment, nosniff, sandboxed."""
    return serve_attachment(
        request, photos.photo_path(photo), f"{photo.uuid}.{photo.content_type.split('/')[1]}"
    )


@router.post(
    "/attendance/{day_id}/decision", response={200: dict}, summary="Confirm or reject a day at the point"
)
def decide_attendance(request, day_id: int, body: DecisionIn):
    if not scope_for(request.auth).has("fieldwork.confirm"):
        raise HttpError(403, "not allowed")
    day = get_scoped_or_404(AttendanceDay, request.auth, "fieldwork.confirm", pk=day_id)
    try:
        day = services.attendance_decide(
            actor=request.auth, day=day, confirm=body.confirm, reason=body.reason
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return {"id": day.pk, "status": day.status}


@router.post("/reports/monthly", response={200: ReportOut}, summary="Draft my monthly report from my records")
def draft_report(request, body: ReportDraftIn):
    cadre = selectors.my_cadre(request.auth)
    if cadre is None:
        raise HttpError(422, "not a cadre")
    from minqing.programs.selectors import campaign_get

    campaign = campaign_get(user=request.auth, pk=body.campaign)
    return report_out(
        services.monthly_report_draft(actor=request.auth, campaign=campaign, cadre=cadre, month=body.month)
    )


@router.put(
    "/reports/monthly/{report_id}",
    response={200: ReportOut, 409: ReportOut},
    summary="Submit my monthly report",
)
def submit_report(request, report_id: int, body: ReportSubmitIn):
    report = get_scoped_or_404(MonthlyReport, request.auth, "programs.view", pk=report_id)
    if report.cadre.account_id != request.auth.pk:
        raise HttpError(403, "only the report's cadre submits it")
    try:
        report = services.monthly_report_submit(
            actor=request.auth,
            report=report,
            text=body.text,
            on=timezone.localdate(),
            base_version=body.base_version,
        )
    except services.StaleEdit as exc:
        return Status(409, report_out(exc.current))
    except (ValidationError, PermissionDenied) as exc:
        raise HttpError(422, " ".join(getattr(exc, "messages", [str(exc)]))) from None
    return report_out(report)
