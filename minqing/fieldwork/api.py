import datetime as dt
import json
import uuid as uuidlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth

from minqing.api.auth import BearerToken
from minqing.api.paging import page_of
from minqing.api.schemas import Page
from minqing.core.audit import audit_list_read, audit_record
from minqing.core.files import serve_attachment
from minqing.core.identity import AmbiguousMask, restore_masked
from minqing.core.scope import get_scoped_or_404, scope_for, scoped

from . import photos, research, selectors, services
from .models import AttendanceDay, MonthlyReport, TeamSummary
from .sync import record_payload, record_target, sync_put

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
    # A visit: the demands registered from its problems, by code, for the cadre to hand to the
    # resident (who follows each with it and the last four digits of the contact phone).
    demands: list[dict] | None = None


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
    withdrawn_at: dt.datetime | None = None


class VisitCorrectIn(Schema):
    date: dt.date
    form: str
    content: str = ""
    outcome: str = ""
    others_present: list[int] = []
    reason: str = ""
    base_version: int


class VisitWithdrawIn(Schema):
    reason: str
    base_version: int


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
    # false: keep the text as a draft to finish later (it stays unsubmitted)
    submit: bool = True


class ReportOut(Schema):
    id: int
    campaign: int
    cadre: int
    month: dt.date
    due: dt.date
    status: str
    submitted_on: dt.date | None
    late: bool
    days_overdue: int
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
        # As the visit's page shows them: a resident's phone or ID number in the text masked.
        "content": v.masked_content,
        "outcome": v.masked_outcome,
        "problems": v.masked_problems,
        "found": v.found,
        "version": v.version,
        "photos": [str(p.uuid) for p in v.photos.all()],
        "withdrawn_at": v.withdrawn_at,
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
        "days_overdue": r.days_overdue,
        "figures": r.figures,
        "text": r.text,
        "version": r.version,
    }


@router.get("/me/targets", response=list[TargetOut], summary="My targets, the longest unvisited first")
def my_targets(request):
    targets = selectors.my_targets(user=request.auth)
    audit_list_read(action="target.list", user=request.auth, shown=len(targets))
    return [t.__dict__ for t in targets]


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
        if kind == "visit" and result.record.problems:
            data["demands"] = [
                {"code": ticket.code, "problem": problem}
                for problem, ticket in selectors.visit_problems(user=request.auth, visit=result.record)
                if ticket is not None
            ]
    return Status(result.status, data)


@router.get("/visits", response=VisitPage, summary="Visits in scope")
def list_visits(request, page: int = 1, size: int = 50, status: str = selectors.CURRENT):
    """`status`: current (the visits that stand and count, the default, as the page lists
    them), withdrawn, or all."""
    if status not in (selectors.CURRENT, selectors.WITHDRAWN, selectors.ALL):
        raise HttpError(422, _("status: one of %(choices)s.") % {"choices": "current, withdrawn, all"})
    visits = selectors.visit_list(user=request.auth, status=status).prefetch_related("photos")
    result = page_of(visits, page, size, visit_out)
    audit_list_read(action="visit.list", user=request.auth, page=result, filters={"status": status})
    return result


class ActivityOut(Schema):
    uuid: str
    campaign: int
    kind: str
    kind_name: str
    title: str
    date: dt.date
    cadre: int
    cadre_name: str
    team: int | None
    team_name: str
    point: int | None
    point_name: str
    attendance: int
    version: int
    withdrawn_at: dt.datetime | None = None


class ActivityPage(Page):
    items: list[ActivityOut]


def activity_out(a) -> dict:
    return {
        "uuid": str(a.uuid),
        "campaign": a.campaign_id,
        "kind": a.kind,
        "kind_name": a.kind_name,
        "title": a.title,
        "date": a.date,
        "cadre": a.cadre_id,
        "cadre_name": str(a.cadre.account),
        "team": a.team_id,
        "team_name": a.team.name if a.team_id else "",
        "point": a.point_id,
        "point_name": a.point.name if a.point_id else "",
        "attendance": a.attendance,
        "version": a.version,
        "withdrawn_at": a.withdrawn_at,
    }


@router.get(
    "/activities", response=ActivityPage, summary="Activities in scope (a cadre's own and its teams')"
)
def list_activities(
    request,
    campaign: int | None = None,
    kind: str = "",
    team: int | None = None,
    month: str = "",
    status: str = selectors.CURRENT,
    page: int = 1,
    size: int = 50,
):
    """As the activity records page lists them: `campaign` (one the user reads or records
    activities in, else 404), `kind` (its key), `team`, `month` (YYYY-MM) and `status`
    (current, the default: those that count; withdrawn; all)."""
    from minqing.programs.models import Team

    if status not in (selectors.CURRENT, selectors.WITHDRAWN, selectors.ALL):
        raise HttpError(422, _("status: one of %(choices)s.") % {"choices": "current, withdrawn, all"})
    first = None
    if month:
        try:
            first = dt.date.fromisoformat(f"{month}-01")
        except ValueError:
            raise HttpError(422, _("Choose a month as YYYY-MM.")) from None
    found = None
    if campaign is not None:
        found = selectors.activity_campaign_for(
            user=request.auth, cadre=selectors.my_cadre(request.auth), pk=campaign
        )
        if found is None:
            from minqing.programs.selectors import campaigns_read

            found = campaigns_read(user=request.auth).filter(pk=campaign).first()
        if found is None:
            raise HttpError(404, _("Not found."))
    chosen_team = None
    if team is not None:
        chosen_team = scoped(Team, request.auth, selectors.VIEW).filter(pk=team).first()
        if chosen_team is None:
            raise HttpError(404, _("Not found."))
    activities = selectors.activity_list(
        user=request.auth, campaign=found, kind=kind.strip(), team=chosen_team, month=first, status=status
    )
    result = page_of(activities, page, size, activity_out)
    audit_list_read(
        action="activity.list",
        user=request.auth,
        page=result,
        obj=found,
        filters={"kind": kind, "team": team, "month": month, "status": status},
    )
    return result


@router.get("/visits/{uuid}", response=VisitOut, summary="One visit")
def get_visit(request, uuid: uuidlib.UUID):
    visit = selectors.visit_get(user=request.auth, uuid=uuid)
    audit_visit_view(visit, user=request.auth)
    return visit_out(visit)


def audit_visit_view(visit, *, user) -> None:
    """The resident visited by name, what was said and found, the cadre: a read of both records
    (the page's and the API's). Named by its UUID, as its writes are (services.visit_record)."""
    audit_record(
        action="visit.view",
        obj=visit,
        object_repr=str(visit.uuid),
        user=user,
        detail={"campaign": visit.campaign_id, "shown": 1},
    )


def _changeable_visit(request, uuid):
    visit = selectors.visit_get(user=request.auth, uuid=uuid)
    if not selectors.visit_may_change(user=request.auth, visit=visit):
        raise HttpError(
            403,
            _("Only the visit's cadre, within %(n)s days of recording it, or the campaign office changes it.")
            % {"n": settings.VISIT_EDIT_DAYS},
        )
    return visit


@router.put(
    "/visits/{uuid}",
    response={200: VisitOut, 409: VisitOut},
    summary="Correct a visit (its date, form, notes and cadres present); 409 with the stored visit when stale",
)
def correct_visit(request, uuid: uuidlib.UUID, body: VisitCorrectIn):
    from minqing.org.models import Cadre

    visit = _changeable_visit(request, uuid)
    present = list(_cadres_in_scope(Cadre, request.auth, "org.view", body.others_present))
    try:
        visit = services.visit_correct(
            actor=request.auth,
            visit=visit,
            date=body.date,
            form=body.form,
            content=_as_written(body.content, visit.content),
            outcome=_as_written(body.outcome, visit.outcome),
            others_present=present,
            reason=body.reason,
            base_version=body.base_version,
        )
    except services.StaleEdit as exc:
        return Status(409, visit_out(selectors.visit_get(user=request.auth, uuid=exc.current.uuid)))
    except ValidationError as exc:
        raise _invalid(exc) from None
    return visit_out(selectors.visit_get(user=request.auth, uuid=visit.uuid))


@router.post(
    "/visits/{uuid}/withdrawal",
    response={200: VisitOut, 409: VisitOut},
    summary="Withdraw a visit recorded by mistake: kept on record, no longer counted; its demands stay",
)
def withdraw_visit(request, uuid: uuidlib.UUID, body: VisitWithdrawIn):
    visit = _changeable_visit(request, uuid)
    try:
        visit = services.visit_withdraw(
            actor=request.auth, visit=visit, reason=body.reason, base_version=body.base_version
        )
    except services.StaleEdit as exc:
        return Status(409, visit_out(selectors.visit_get(user=request.auth, uuid=exc.current.uuid)))
    except ValidationError as exc:
        raise _invalid(exc) from None
    return visit_out(selectors.visit_get(user=request.auth, uuid=visit.uuid))


def _as_written(sent: str, stored: str) -> str:
    """The text to store from a correction: a client sends back the text this API gave it
    (visit_out: numbers masked), changed or not; each masked number in it is the resident's
    number as written (restore_masked), never stored masked. 422 when one masked form stands
    for two numbers of the text."""
    try:
        return restore_masked(sent, stored)
    except AmbiguousMask:
        raise HttpError(
            422,
            _(
                "The text holds two numbers that look the same once masked: correct the visit on "
                "its page, where the text is shown as written."
            ),
        ) from None


def _cadres_in_scope(model, user, permission: str, ids: list[int]) -> list:
    """The objects of these ids in the user's scope; 422 naming the first one that is not."""
    found = {o.pk: o for o in scoped(model.objects.filter(pk__in=set(ids)), user, permission)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise HttpError(422, _("Cadre %(id)s is not among those you see.") % {"id": missing[0]})
    return [found[i] for i in dict.fromkeys(ids)]


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
        raise HttpError(403, _("Only the cadre who recorded the visit adds photos to it."))
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
    return photo_response(request, selectors.photo_get(user=request.auth, uuid=uuid), user=request.auth)


def photo_response(request, photo, *, user):
    """Through the one helper for uploaded files: an attachment, nosniff, sandboxed. A photo of a
    visit or a deed shows the resident, the home: its read is recorded, as a demand's photo is
    (`ticket.photo.view`), named by its UUID and its record's id as `photo.attach` names them."""
    owner = "visit" if photo.visit_id else "deed"
    audit_record(
        action=f"{owner}.photo.view",
        obj=photo,
        user=user,
        detail={owner: photo.visit_id or photo.deed_id},
    )
    return serve_attachment(
        request, photos.photo_path(photo), f"{photo.uuid}.{photo.content_type.split('/')[1]}"
    )


@router.post(
    "/attendance/{day_id}/decision", response={200: dict}, summary="Confirm or reject a day at the point"
)
def decide_attendance(request, day_id: int, body: DecisionIn):
    if not scope_for(request.auth).has("fieldwork.confirm"):
        raise HttpError(403, _("This account may not do that."))
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
        raise HttpError(422, _("This account is not a cadre."))
    from minqing.programs.selectors import campaign_get

    campaign = campaign_get(user=request.auth, pk=body.campaign)
    return report_out(
        services.monthly_report_draft(actor=request.auth, campaign=campaign, cadre=cadre, month=body.month)
    )


@router.put(
    "/reports/monthly/{report_id}",
    response={200: ReportOut, 409: ReportOut},
    summary="Submit my monthly report, or save its draft (submit: false)",
)
def submit_report(request, report_id: int, body: ReportSubmitIn):
    report = get_scoped_or_404(MonthlyReport, request.auth, "programs.view", pk=report_id)
    if report.cadre.account_id != request.auth.pk:
        raise HttpError(403, _("Only the report's cadre submits it."))
    try:
        if body.submit:
            report = services.monthly_report_submit(
                actor=request.auth,
                report=report,
                text=body.text,
                on=timezone.localdate(),
                base_version=body.base_version,
            )
        else:
            report = services.monthly_report_save(
                actor=request.auth, report=report, text=body.text, base_version=body.base_version
            )
    except services.StaleEdit as exc:
        return Status(409, report_out(exc.current))
    except (ValidationError, PermissionDenied) as exc:
        raise HttpError(422, " ".join(getattr(exc, "messages", [str(exc)]))) from None
    return report_out(report)


# Work logs -----------------------------------------------------------------------------------


class WorkLogIn(Schema):
    point: int
    date: dt.date
    content: str


class WorkLogOut(Schema):
    id: int
    uuid: str
    cadre: int
    cadre_name: str
    point: int
    point_name: str
    date: dt.date
    content: str
    version: int


class WorkLogPage(Page):
    items: list[WorkLogOut]


def worklog_out(log) -> dict:
    return {
        "id": log.pk,
        "uuid": str(log.uuid),
        "cadre": log.cadre_id,
        "cadre_name": str(log.cadre.account),
        "point": log.point_id,
        "point_name": log.point.name,
        "date": log.date,
        "content": log.content,
        "version": log.version,
    }


@router.get("/worklogs", response=WorkLogPage, summary="Work logs in scope (a cadre's own)")
def list_worklogs(request, page: int = 1, size: int = 50):
    result = page_of(selectors.worklog_list(user=request.auth), page, size, worklog_out)
    # Each cadre by name with what they did at the point: as the page's list, recorded.
    audit_list_read(action="worklog.list", user=request.auth, page=result)
    return result


@router.post("/worklogs", response={201: WorkLogOut}, summary="Write my work log of a day at a point")
def create_worklog(request, body: WorkLogIn):
    cadre = selectors.my_cadre(request.auth)
    if cadre is None:
        raise HttpError(422, _("Only a cadre's account records field work."))
    # The cadre's points on the log's day, not today's: a pairing may have ended since (the
    # service asks the same again). A day in the future is looked up as today, for the service
    # to refuse it by its date.
    as_of = min(body.date, timezone.localdate())
    point = next(
        (p for p in selectors.worklog_points(user=request.auth, as_of=as_of) if p.pk == body.point), None
    )
    if point is None:
        raise HttpError(422, _("This point is not among yours."))
    try:
        log = services.worklog_write(
            actor=request.auth, cadre=cadre, point=point, date=body.date, content=body.content
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, worklog_out(log))


# Help plans, incidents, relief, team summaries, research reports ----------------------------


class CommitmentIn(Schema):
    title: str
    due: dt.date


class CommitmentOut(Schema):
    id: int
    title: str
    due: dt.date
    progress: int
    done_on: dt.date | None


class ProgressIn(Schema):
    progress: int
    done_on: dt.date | None = None


class PlanIn(Schema):
    campaign: int
    cadre: int | None = None  # the office names the cadre; a cadre's own plan needs none
    target_type: str
    target_id: int
    title: str
    deadline: dt.date
    commitments: list[CommitmentIn] = []


class PlanOut(Schema):
    id: int
    campaign: int
    cadre: int
    cadre_name: str
    title: str
    target_type: str
    target_id: int
    deadline: dt.date
    commitments: list[CommitmentOut]


class PlanPage(Page):
    items: list[PlanOut]


class IncidentIn(Schema):
    campaign: int
    point: int
    kind: str
    date: dt.date
    description: str


class IncidentOut(Schema):
    id: int
    campaign: int
    point: int
    point_name: str
    kind: str
    date: dt.date
    description: str


class IncidentPage(Page):
    items: list[IncidentOut]


class ReliefOut(Schema):
    uuid: str
    campaign: int
    cadre: int
    household: int
    team: int | None
    amount_yuan: str
    date: dt.date


class ReliefPage(Page):
    items: list[ReliefOut]


class SummaryIn(Schema):
    text: str


class SummaryOut(Schema):
    team: int
    campaign: int
    text: str
    submitted_on: dt.date | None
    figures: dict


class ResearchOut(Schema):
    subject: str
    campaign: int
    start: dt.date
    end: dt.date
    figures: dict
    draft: str


def commitment_out(c) -> dict:
    return {"id": c.pk, "title": c.title, "due": c.due, "progress": c.progress, "done_on": c.done_on}


def plan_out(p) -> dict:
    return {
        "id": p.pk,
        "campaign": p.campaign_id,
        "cadre": p.cadre_id,
        "cadre_name": str(p.cadre.account),
        "title": p.title,
        "target_type": "household" if p.household_id else "point",
        "target_id": p.household_id or p.point_id,
        "deadline": p.deadline,
        "commitments": [commitment_out(c) for c in p.commitments.all()],
    }


def _invalid(exc: ValidationError):
    return HttpError(422, " ".join(exc.messages))


@router.get("/plans", response=PlanPage, summary="Help plans in scope, with their commitments")
def list_plans(request, page: int = 1, size: int = 50):
    qs = selectors.help_plan_list(user=request.auth).prefetch_related("commitments")
    result = page_of(qs, page, size, plan_out)
    # Each cadre by name with the household or point helped: as the page's list, recorded.
    audit_list_read(action="help_plan.list", user=request.auth, page=result)
    return result


@router.get("/plans/{plan_id}", response=PlanOut, summary="One help plan")
def get_plan(request, plan_id: int):
    plan = selectors.help_plan_get(user=request.auth, pk=plan_id)
    out = plan_out(plan)
    # The cadre by name, the household or point helped and the commitments: recorded.
    audit_list_read(
        action="help_plan.view",
        user=request.auth,
        obj=plan,
        shown=1,
        campaign=plan.campaign_id,
        commitments=len(out["commitments"]),
    )
    return out


@router.post(
    "/plans", response={201: PlanOut}, summary="Make a help plan (mine, or any cadre's for the office)"
)
def create_plan(request, body: PlanIn):
    from minqing.org.models import Cadre
    from minqing.programs.selectors import campaign_get

    if not scope_for(request.auth).has(selectors.VIEW):
        raise HttpError(403, _("This account may not do that."))
    if body.cadre is not None and selectors.can_manage(request.auth):
        cadre = get_scoped_or_404(Cadre, request.auth, "org.view", pk=body.cadre)
    else:
        cadre = selectors.my_cadre(request.auth)
        if cadre is None or (body.cadre is not None and body.cadre != cadre.pk):
            raise HttpError(403, _("Only the campaign office makes plans for other cadres."))
    campaign = campaign_get(user=request.auth, pk=body.campaign)
    try:
        target = record_target(request.auth, {"type": body.target_type, "id": body.target_id})
        plan = services.help_plan_create(
            actor=request.auth,
            campaign=campaign,
            cadre=cadre,
            title=body.title,
            target=target,
            deadline=body.deadline,
            commitments=[(c.title, c.due) for c in body.commitments],
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, plan_out(plan))


def _editable_plan(request, plan_id: int):
    plan = selectors.help_plan_get(user=request.auth, pk=plan_id)
    if not selectors.can_edit_plan(user=request.auth, plan=plan):
        raise HttpError(403, _("Only the plan's cadre or the campaign office changes it."))
    return plan


@router.post("/plans/{plan_id}/commitments", response={201: CommitmentOut}, summary="Add a commitment")
def add_commitment(request, plan_id: int, body: CommitmentIn):
    plan = _editable_plan(request, plan_id)
    try:
        commitment = services.commitment_add(actor=request.auth, plan=plan, title=body.title, due=body.due)
    except ValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, commitment_out(commitment))


@router.put("/commitments/{commitment_id}/progress", response=CommitmentOut, summary="Record progress")
def set_progress(request, commitment_id: int, body: ProgressIn):
    commitment = selectors.commitment_get(user=request.auth, pk=commitment_id)
    _editable_plan(request, commitment.plan_id)
    try:
        commitment = services.commitment_progress(
            actor=request.auth, commitment=commitment, progress=body.progress, done_on=body.done_on
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    return commitment_out(commitment)


def incident_out(i) -> dict:
    return {
        "id": i.pk,
        "campaign": i.campaign_id,
        "point": i.point_id,
        "point_name": i.point.name,
        "kind": i.kind,
        "date": i.date,
        "description": i.description,
    }


@router.get("/incidents", response=IncidentPage, summary="Incidents in scope")
def list_incidents(request, page: int = 1, size: int = 50):
    result = page_of(selectors.incident_list(user=request.auth), page, size, incident_out)
    # Casualties, accidents, petitions and cases at the points, told in words that name people.
    audit_list_read(action="incident.list", user=request.auth, page=result)
    return result


@router.post("/incidents", response={201: IncidentOut}, summary="Record an incident at a point")
def create_incident(request, body: IncidentIn):
    from minqing.programs.models import LiaisonPoint

    scope = scope_for(request.auth)
    permission = next((p for p in ("programs.manage", "fieldwork.confirm") if scope.has(p)), None)
    if permission is None:
        raise HttpError(403, _("This account may not do that."))
    point = get_scoped_or_404(LiaisonPoint, request.auth, permission, pk=body.point)
    campaign = get_object_or_404(
        selectors.incident_campaigns(user=request.auth, permission=permission).select_related("region"),
        pk=body.campaign,
    )
    try:
        incident = services.incident_record(
            actor=request.auth,
            campaign=campaign,
            point=point,
            kind=body.kind,
            date=body.date,
            description=body.description,
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, incident_out(incident))


@router.get("/relief", response=ReliefPage, summary="Relief payments in scope")
def list_relief(request, page: int = 1, size: int = 50):
    def out(r) -> dict:
        return {
            "uuid": str(r.uuid),
            "campaign": r.campaign_id,
            "cadre": r.cadre_id,
            "household": r.household_id,
            "team": r.team_id,
            "amount_yuan": str(r.amount_yuan),
            "date": r.date,
        }

    result = page_of(selectors.relief_list(user=request.auth), page, size, out)
    # Which household was paid how much, by which cadre: as the page's list, recorded.
    audit_list_read(action="relief.list", user=request.auth, page=result)
    return result


def summary_out(team, summary) -> dict:
    return {
        "team": team.pk,
        "campaign": team.campaign_id,
        "text": summary.text if summary else "",
        "submitted_on": summary.submitted_on if summary else None,
        # the counts stored with the summary; never lists naming residents (older rows may hold them)
        "figures": {k: v for k, v in summary.figures.items() if k not in research.LIST_KEYS}
        if summary
        else {},
    }


@router.get("/teams/{team_id}/summary", response=SummaryOut, summary="A team's summary")
def get_team_summary(request, team_id: int):
    team = selectors.team_get(user=request.auth, pk=team_id)
    return summary_out(team, TeamSummary.objects.filter(team=team).first())


@router.put("/teams/{team_id}/summary", response=SummaryOut, summary="Submit a team's summary")
def put_team_summary(request, team_id: int, body: SummaryIn):
    team = selectors.team_get(user=request.auth, pk=team_id)
    if not selectors.can_write_team_summary(user=request.auth, team=team):
        raise HttpError(403, _("Only the team leader or the campaign office submits the summary."))
    try:
        summary = services.team_summary_submit(
            actor=request.auth, campaign=team.campaign, team=team, text=body.text, on=timezone.localdate()
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    return summary_out(team, summary)


def _research_out(*, user, subject, campaign, cadre_ids, team, start, end) -> dict:
    if team is not None:
        start, end = research.team_period(team, start, end)
    else:
        start = start or campaign.start
        end = end or min(campaign.end or timezone.localdate(), timezone.localdate())
    if start > end:
        raise HttpError(422, _("The period ends before it starts."))
    if team is not None:
        figures = research.team_figures(team=team, user=user, start=start, end=end)
    else:
        figures = research.period_figures(
            campaign=campaign, cadre_ids=cadre_ids, start=start, end=end, user=user
        )
    draft = research.skeleton(subject=subject, campaign=campaign, figures=figures)
    figures = {k: v for k, v in figures.items() if k not in ("start", "end")}
    return {
        "subject": subject,
        "campaign": campaign.pk,
        "start": start,
        "end": end,
        "figures": json.loads(json.dumps(figures, cls=DjangoJSONEncoder)),
        "draft": draft,
    }


def _audit_research(request, subject, out: dict) -> None:
    """A research draft's figures list the residents visited, their problems and the deeds: read,
    as the report's download is recorded (`research_report.download`), as a view."""
    audit_list_read(
        action="research_report.view",
        user=request.auth,
        obj=subject,
        shown=1,
        campaign=out["campaign"],
        start=out["start"].isoformat(),
        end=out["end"].isoformat(),
    )


@router.get("/research/cadres/{cadre_id}", response=ResearchOut, summary="A cadre's research-report draft")
def research_cadre(
    request, cadre_id: int, campaign: int, start: dt.date | None = None, end: dt.date | None = None
):
    from minqing.org.models import Cadre
    from minqing.programs.selectors import campaign_get

    if not scope_for(request.auth).has(selectors.VIEW):
        raise HttpError(403, _("This account may not do that."))
    cadre = get_scoped_or_404(Cadre.objects.select_related("account"), request.auth, "org.view", pk=cadre_id)
    chosen = campaign_get(user=request.auth, pk=campaign)
    out = _research_out(
        user=request.auth,
        subject=str(cadre),
        campaign=chosen,
        cadre_ids=[cadre.pk],
        team=None,
        start=start,
        end=end,
    )
    _audit_research(request, cadre, out)
    return out


@router.get("/research/teams/{team_id}", response=ResearchOut, summary="A team's research-report draft")
def research_team(request, team_id: int, start: dt.date | None = None, end: dt.date | None = None):
    team = selectors.team_get(user=request.auth, pk=team_id)
    out = _research_out(
        user=request.auth,
        subject=team.name,
        campaign=team.campaign,
        cadre_ids=research.team_cadre_ids(team),
        team=team,
        start=start,
        end=end,
    )
    _audit_research(request, team, out)
    return out
