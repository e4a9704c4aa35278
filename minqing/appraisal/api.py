"""API v1: residents' appraisal, inspections and exemplary cases, scoped like the pages.
The sample is reachable only with appraisal.manage, never for the cadre it is about."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from minqing.api.paging import page_of
from minqing.api.schemas import Page
from minqing.core.audit import audit_list_read, audit_record
from minqing.core.scope import get_scoped_or_404, scope_for, scoped
from minqing.org.models import Cadre
from minqing.programs.models import Campaign, LiaisonPoint, Team

from . import selectors, services
from .models import ExemplaryCase, FollowUpAction

router = Router(tags=["appraisal"])


def _need(request, permission: str) -> None:
    if not scope_for(request.auth).has(permission):
        raise HttpError(403, _("This account may not do that."))


def _invalid(exc: ValidationError):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return Status(422, {"detail": detail})


class RoundOut(Schema):
    id: int
    campaign: int
    period: str
    start: dt.date
    end: dt.date
    questions: list[dict]
    per_cadre: int
    share: int | None
    status: str
    drawn_at: dt.datetime
    released_at: dt.datetime | None


class RoundPage(Page):
    items: list[RoundOut]


class RoundIn(Schema):
    campaign: int
    period: str
    per_cadre: int | None = None
    share: int | None = None


class ResultOut(Schema):
    cadre: int
    name: str
    unit: str
    sampled: int
    answered: int
    satisfied: int
    basic: int
    unsatisfied: int
    score: float | None


class SampleOut(Schema):
    id: int
    cadre: int
    household: int
    head: str
    address: str
    phone: str  # always masked
    status: str
    channel: str
    verdict: str
    answers: dict
    called_at: dt.datetime | None


class SamplePage(Page):
    items: list[SampleOut]


class CallbackIn(Schema):
    status: str
    verdict: str = ""
    answers: dict = {}
    comment: str = ""
    called_at: dt.datetime | None = None


def round_out(r) -> dict:
    return {
        "id": r.pk,
        "campaign": r.campaign_id,
        "period": r.period,
        "start": r.start,
        "end": r.end,
        "questions": r.questions,
        "per_cadre": r.per_cadre,
        "share": r.share,
        "status": r.status,
        "drawn_at": r.drawn_at,
        "released_at": r.released_at,
    }


def sample_out(s) -> dict:
    head = s.household.head
    return {
        "id": s.pk,
        "cadre": s.cadre_id,
        "household": s.household_id,
        "head": head.name if head else "",
        "address": s.household.address,
        "phone": str(head.phone) if head and head.phone else "",
        "status": s.status,
        "channel": s.channel,
        "verdict": s.verdict,
        "answers": s.answers,
        "called_at": s.called_at,
    }


@router.get("/appraisal/rounds", response=RoundPage, summary="Appraisal rounds in scope")
def list_rounds(request, page: int = 1, size: int = 50, campaign: int | None = None):
    qs = selectors.rounds(user=request.auth)
    if campaign is not None:
        qs = qs.filter(campaign_id=campaign)
    return page_of(qs, page, size, round_out)


@router.post("/appraisal/rounds", response={201: RoundOut, 422: dict}, summary="Draw a period's sample")
def draw_round(request, payload: RoundIn):
    _need(request, "appraisal.manage")
    campaign = get_scoped_or_404(Campaign, request.auth, "programs.view", pk=payload.campaign)
    try:
        r = services.round_draw(
            actor=request.auth,
            campaign=campaign,
            period=payload.period,
            per_cadre=payload.per_cadre,
            share=payload.share,
        )
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, round_out(r))


@router.get("/appraisal/rounds/{round_id}/results", response=list[ResultOut], summary="Scores per cadre")
def round_results(request, round_id: int):
    r = selectors.round_get(user=request.auth, pk=round_id)
    rows = selectors.round_results(r)
    # Each cadre by name with the residents' verdicts: a cadre's record, read (as the page's).
    audit_list_read(
        action="appraisal.results.view",
        user=request.auth,
        obj=r,
        shown=len(rows),
        campaign=r.campaign_id,
        period=r.period,
        status=r.status,
    )
    return [{**row.__dict__, "cadre": row.cadre_id} for row in rows]


@router.get(
    "/appraisal/rounds/{round_id}/samples", response=SamplePage, summary="Sampled households (office)"
)
def round_samples(request, round_id: int, page: int = 1, size: int = 50, status: str = ""):
    _need(request, "appraisal.manage")
    r = selectors.round_get(user=request.auth, pk=round_id)
    qs = selectors.samples(user=request.auth, appraisal_round=r)
    if status:
        qs = qs.filter(status=status)
    result = page_of(qs, page, size, sample_out)
    audit_record(
        action="appraisal.samples.view",
        obj=r,
        user=request.auth,
        detail={"households": [item["household"] for item in result["items"]]},
    )
    return result


@router.post(
    "/appraisal/samples/{sample_id}/callback",
    response={200: SampleOut, 422: dict},
    summary="Record a callback",
)
def record_callback(request, sample_id: int, payload: CallbackIn):
    sample = selectors.sample_get(user=request.auth, pk=sample_id)
    try:
        sample = services.callback_record(actor=request.auth, sample=sample, **payload.dict())
    except ValidationError as exc:
        return _invalid(exc)
    return sample_out(selectors.sample_get(user=request.auth, pk=sample.pk))


@router.post("/appraisal/rounds/{round_id}/release", response={200: RoundOut, 422: dict}, summary="Release")
def release_round(request, round_id: int):
    _need(request, "appraisal.manage")
    r = selectors.round_get(user=request.auth, pk=round_id)
    try:
        r = services.round_release(actor=request.auth, appraisal_round=r)
    except ValidationError as exc:
        return _invalid(exc)
    return round_out(r)


# Inspections ------------------------------------------------------------------------


class ActionOut(Schema):
    id: int
    text: str
    owner: int
    deadline: dt.date
    done_on: dt.date | None
    done_note: str


class InspectionOut(Schema):
    id: int
    campaign: int
    kind: str
    date: dt.date
    inspector: str
    cadre: int | None
    point: int | None
    method: str
    findings: str
    rating: str
    actions: list[ActionOut]


class InspectionPage(Page):
    items: list[InspectionOut]


class ActionIn(Schema):
    text: str
    owner: int
    deadline: dt.date


class InspectionIn(Schema):
    campaign: int
    kind: str
    date: dt.date
    findings: str
    rating: str
    cadre: int | None = None
    point: int | None = None
    method: str = ""
    actions: list[ActionIn] = []


class DoneIn(Schema):
    note: str = ""
    on: dt.date | None = None


def action_out(a) -> dict:
    return {
        "id": a.pk,
        "text": a.text,
        "owner": a.owner_id,
        "deadline": a.deadline,
        "done_on": a.done_on,
        "done_note": a.done_note,
    }


def inspection_out(i) -> dict:
    return {
        "id": i.pk,
        "campaign": i.campaign_id,
        "kind": i.kind,
        "date": i.date,
        "inspector": i.inspector.username,
        "cadre": i.cadre_id,
        "point": i.point_id,
        "method": i.method,
        "findings": i.findings,
        "rating": i.rating,
        "actions": [action_out(a) for a in i.actions.all()],
    }


@router.get("/inspections", response=InspectionPage, summary="Inspections in scope")
def list_inspections(request, page: int = 1, size: int = 50, campaign: int | None = None, kind: str = ""):
    qs = selectors.inspections(user=request.auth).prefetch_related("actions")
    if campaign is not None:
        qs = qs.filter(campaign_id=campaign)
    if kind:
        qs = qs.filter(kind=kind)
    result = page_of(qs, page, size, inspection_out)
    # The inspected cadres with their ratings and the actions' owners: a cadre's record, read.
    audit_list_read(
        action="inspection.list",
        user=request.auth,
        page=result,
        filters={"campaign": campaign, "kind": kind},
        actions=sum(len(item["actions"]) for item in result["items"]),
    )
    return result


@router.post("/inspections", response={201: InspectionOut, 422: dict}, summary="Record an inspection")
def create_inspection(request, payload: InspectionIn):
    _need(request, "inspections.record")
    campaign = get_scoped_or_404(Campaign, request.auth, "programs.view", pk=payload.campaign)
    cadres = scoped(Cadre, request.auth, "org.view").select_related("unit")
    cadre = get_scoped_or_404(cadres, request.auth, "org.view", pk=payload.cadre) if payload.cadre else None
    point = (
        get_scoped_or_404(LiaisonPoint, request.auth, "programs.view", pk=payload.point)
        if payload.point
        else None
    )
    actions = [
        {
            "text": a.text,
            "owner": get_scoped_or_404(Cadre, request.auth, "org.view", pk=a.owner),
            "deadline": a.deadline,
        }
        for a in payload.actions
    ]
    try:
        inspection = services.inspection_record(
            actor=request.auth,
            campaign=campaign,
            kind=payload.kind,
            date=payload.date,
            findings=payload.findings,
            rating=payload.rating,
            cadre=cadre,
            point=point,
            method=payload.method,
            actions=actions,
        )
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, inspection_out(selectors.inspection_get(user=request.auth, pk=inspection.pk)))


@router.post(
    "/inspections/actions/{action_id}/done",
    response={200: ActionOut, 422: dict},
    summary="Mark an action done",
)
def done_action(request, action_id: int, payload: DoneIn):
    action = get_scoped_or_404(FollowUpAction, request.auth, "inspections.view", pk=action_id)
    try:
        action = services.action_done(actor=request.auth, action=action, note=payload.note, on=payload.on)
    except PermissionDenied:
        raise HttpError(403, _("This account may not do that.")) from None
    except ValidationError as exc:
        return _invalid(exc)
    return action_out(action)


# Exemplary cases --------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    campaign: int
    subject: str
    subject_id: int
    subject_name: str
    title: str
    story: str
    status: str
    nominated_at: dt.datetime
    published_at: dt.datetime | None


class CasePage(Page):
    items: list[CaseOut]


class CaseIn(Schema):
    campaign: int
    subject: str
    subject_id: int
    title: str
    story: str


class StepIn(Schema):
    step: str


def case_out(c) -> dict:
    return {
        "id": c.pk,
        "campaign": c.campaign_id,
        "subject": c.subject,
        "subject_id": c.cadre_id or c.team_id or c.point_id,
        "subject_name": c.subject_name,
        "title": c.title,
        "story": c.story,
        "status": c.status,
        "nominated_at": c.nominated_at,
        "published_at": c.published_at,
    }


@router.get("/exemplary-cases", response=CasePage, summary="Exemplary cases in scope")
def list_cases(request, page: int = 1, size: int = 50, campaign: int | None = None, status: str = ""):
    qs = selectors.cases(user=request.auth)
    if campaign is not None:
        qs = qs.filter(campaign_id=campaign)
    if status:
        qs = qs.filter(status=status)
    result = page_of(qs, page, size, case_out)
    # The cadres (teams, points) by name with their stories: as the page's list, recorded.
    audit_list_read(
        action="exemplary.list",
        user=request.auth,
        page=result,
        filters={"campaign": campaign, "status": status},
    )
    return result


@router.post("/exemplary-cases", response={201: CaseOut, 422: dict}, summary="Nominate a case")
def nominate_case(request, payload: CaseIn):
    _need(request, "exemplary.nominate")
    campaign = get_scoped_or_404(Campaign, request.auth, "programs.view", pk=payload.campaign)
    models = {
        "cadre": (Cadre.objects.select_related("unit"), "org.view"),
        "team": (Team, "programs.view"),
        "point": (LiaisonPoint, "programs.view"),
    }
    if payload.subject not in models:
        return Status(422, {"detail": {"subject": [_("Choose a cadre, a team or a point.")]}})
    model, permission = models[payload.subject]
    target = get_scoped_or_404(model, request.auth, permission, pk=payload.subject_id)
    try:
        case = services.case_nominate(
            actor=request.auth,
            campaign=campaign,
            title=payload.title,
            story=payload.story,
            **{payload.subject: target},
        )
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, case_out(case))


@router.post(
    "/exemplary-cases/{case_id}/decide", response={200: CaseOut, 422: dict}, summary="Select, publish"
)
def decide_case(request, case_id: int, payload: StepIn):
    _need(request, "exemplary.decide")
    case = get_scoped_or_404(ExemplaryCase, request.auth, "exemplary.view", pk=case_id)
    try:
        case = services.case_decide(actor=request.auth, case=case, step=payload.step)
    except ValidationError as exc:
        return _invalid(exc)
    return case_out(case)
