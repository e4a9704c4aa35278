import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from minqing.api.paging import page_of
from minqing.api.schemas import Page
from minqing.core.audit import audit_list_read
from minqing.core.scope import get_scoped_or_404, scope_for, scoped
from minqing.org.models import Cadre
from minqing.programs.selectors import campaign_get

from . import selectors, services
from .models import AssessmentResult, LeaderRecord, Recall

router = Router(tags=["assessment"])


class PartOut(Schema):
    score: float | None
    actual: str  # as counted: "done/asked" (visits, deeds, days, reports), "on time/due" (demands), …
    text: str  # as the pages write it: "3（要求 2）" where a component counts against what is asked


class ResultOut(Schema):
    id: int
    cadre: int
    cadre_name: str
    unit: int
    unit_name: str
    total: float | None
    rank_campaign: int | None
    rank_unit: int | None
    weights_version: int
    parts: dict[str, PartOut]


class AssessmentOut(Schema):
    campaign: int
    period: str
    start: dt.date
    end: dt.date
    weights_version: int
    weights: dict[str, int]
    run_at: dt.datetime
    count: int
    page: int
    pages: int
    items: list[ResultOut]


class RunIn(Schema):
    campaign: int
    period: str


class RunOut(Schema):
    id: int
    campaign: int
    period: str
    start: dt.date
    end: dt.date
    weights_version: int
    cadres: int


class AtRiskOut(Schema):
    cadre: int
    cadre_name: str
    unit_name: str
    reasons: list[str]
    recall: int | None


class RecallOut(Schema):
    id: int
    campaign: int
    cadre: int
    cadre_name: str
    status: str
    reasons: list[str]
    note: str
    successor: int | None
    proposed_at: dt.datetime
    carried_out_on: dt.date | None
    moved: dict


class RecallPage(Page):
    items: list[RecallOut]


class RecallIn(Schema):
    campaign: int
    cadre: int
    note: str = ""


class RecallActIn(Schema):
    action: str
    reason: str = ""
    successor: int | None = None
    on_date: dt.date | None = None


class LeaderRecordOut(Schema):
    id: int
    cadre: int
    cadre_name: str
    kind: str
    start: dt.date
    end: dt.date
    status: str
    figures: dict
    text: str
    submitted_on: dt.date | None


class LeaderRecordPage(Page):
    items: list[LeaderRecordOut]


def result_out(r: AssessmentResult) -> dict:
    return {
        "id": r.pk,
        "cadre": r.cadre_id,
        "cadre_name": str(r.cadre.account),
        "unit": r.unit_id,
        "unit_name": r.unit.label,
        "total": r.total,
        "rank_campaign": r.rank_campaign,
        "rank_unit": r.rank_unit,
        "weights_version": r.weights_version,
        "parts": {
            k: {"score": v.get("score"), "actual": v.get("actual", ""), "text": selectors.part_text(k, v)}
            for k, v in r.parts.items()
        },
    }


def recall_out(r: Recall) -> dict:
    return {
        "id": r.pk,
        "campaign": r.campaign_id,
        "cadre": r.cadre_id,
        "cadre_name": str(r.cadre.account),
        "status": r.status,
        "reasons": [str(x) for x in r.reasons],
        "note": r.note,
        "successor": r.successor_id,
        "proposed_at": r.proposed_at,
        "carried_out_on": r.carried_out_on,
        "moved": r.moved,
    }


def record_out(r: LeaderRecord) -> dict:
    return {
        "id": r.pk,
        "cadre": r.cadre_id,
        "cadre_name": str(r.cadre.account),
        "kind": r.kind,
        "start": r.start,
        "end": r.end,
        "status": r.status,
        "figures": r.figures,
        "text": r.text,
        "submitted_on": r.submitted_on,
    }


def _require(user, *permissions):
    if not any(scope_for(user).has(p) for p in permissions):
        raise HttpError(403, _("This account may not do that."))


@router.get(
    "/assessment/campaigns/{campaign_id}/results",
    response=AssessmentOut,
    summary="The stored assessment of a period, ranked",
)
def list_assessment_results(request, campaign_id: int, period: str, page: int = 1, size: int = 50):
    _require(request.auth, selectors.VIEW)
    campaign = campaign_get(user=request.auth, pk=campaign_id)
    run = selectors.latest_run(campaign, period.strip().upper())
    if run is None:
        raise HttpError(404, _("This period has not been assessed."))
    paged = page_of(selectors.result_list(user=request.auth, run=run), page, size, result_out)
    # The cadres ranked by name with their scores: a cadre's record, read (as the page's).
    audit_list_read(
        action="assessment.results.view",
        user=request.auth,
        page=paged,
        obj=campaign,
        period=run.period,
        run=run.pk,
    )
    return {
        "campaign": campaign.pk,
        "period": run.period,
        "start": run.start,
        "end": run.end,
        "weights_version": run.weight_set.version,
        "weights": run.weights,
        "run_at": run.run_at,
        **paged,
    }


@router.post(
    "/assessment/runs", response={201: RunOut}, summary="Assess every cadre of a campaign for a period"
)
def run_assessment(request, payload: RunIn):
    _require(request.auth, selectors.MANAGE)
    campaign_get(user=request.auth, pk=payload.campaign)  # 404 when out of sight
    campaign = campaign_get(user=request.auth, pk=payload.campaign, permission=selectors.MANAGE)
    try:
        run = services.assessment_run(actor=request.auth, campaign=campaign, period=payload.period)
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return Status(
        201,
        {
            "id": run.pk,
            "campaign": campaign.pk,
            "period": run.period,
            "start": run.start,
            "end": run.end,
            "weights_version": run.weight_set.version,
            "cadres": run.cadre_count,
        },
    )


@router.get(
    "/assessment/campaigns/{campaign_id}/at-risk",
    response=list[AtRiskOut],
    summary="Cadres the campaign's recall rule flags",
)
def list_at_risk(request, campaign_id: int, as_of: dt.date | None = None):
    _require(request.auth, selectors.VIEW)
    campaign = campaign_get(user=request.auth, pk=campaign_id)
    day = as_of or timezone.localdate()
    flagged = selectors.at_risk_visible(user=request.auth, campaign=campaign, as_of=day)
    # The cadres the rule flags by name with the reasons: a cadre's record, read (as the page's).
    audit_list_read(
        action="assessment.at_risk.view",
        user=request.auth,
        obj=campaign,
        shown=len(flagged),
        as_of=day.isoformat(),
    )
    return [
        {
            "cadre": f.cadre.pk,
            "cadre_name": str(f.cadre.account),
            "unit_name": f.cadre.unit.label,
            "reasons": [str(r) for r in f.reasons],
            "recall": f.open_recall.pk if f.open_recall else None,
        }
        for f in flagged
    ]


@router.get("/recalls", response=RecallPage, summary="Recalls in scope")
def list_recalls(request, campaign: int | None = None, status: str = "", page: int = 1, size: int = 50):
    found = campaign_get(user=request.auth, pk=campaign) if campaign else None
    qs = selectors.recall_list(user=request.auth, campaign=found, status=status)
    result = page_of(qs, page, size, recall_out)
    # The recalled cadres by name with the reasons: a cadre's record, read (as the page's).
    audit_list_read(
        action="recall.list", user=request.auth, page=result, filters={"campaign": campaign, "status": status}
    )
    return result


@router.post("/recalls", response={201: RecallOut}, summary="Propose a recall")
def propose_recall(request, payload: RecallIn):
    _require(request.auth, "recall.propose")
    campaign_get(user=request.auth, pk=payload.campaign)
    campaign = campaign_get(user=request.auth, pk=payload.campaign, permission="recall.propose")
    cadre = get_scoped_or_404(
        Cadre.objects.select_related("account"), request.auth, "org.view", pk=payload.cadre
    )
    try:
        recall = services.recall_propose(
            actor=request.auth, campaign=campaign, cadre=cadre, note=payload.note
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return Status(201, recall_out(recall))


@router.post("/recalls/{recall_id}/act", response=RecallOut, summary="Approve, reject or carry out a recall")
def act_on_recall(request, recall_id: int, payload: RecallActIn):
    _require(request.auth, "recall.approve", "recall.carry_out")
    recall = selectors.recall_get(user=request.auth, pk=recall_id)
    try:
        if payload.action in ("approve", "reject"):
            recall = services.recall_decide(
                actor=request.auth, recall=recall, approve=payload.action == "approve", reason=payload.reason
            )
        elif payload.action == "carry_out":
            successor = (
                scoped(Cadre, request.auth, "programs.manage").filter(pk=payload.successor).first()
                if payload.successor
                else None
            )
            recall = services.recall_carry_out(
                actor=request.auth,
                recall=recall,
                successor=successor,
                on_date=payload.on_date or timezone.localdate(),
                reason=payload.reason,
            )
        else:
            raise HttpError(422, _("action: approve, reject or carry_out."))
    except PermissionDenied:
        raise HttpError(403, _("This account may not do that.")) from None
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return recall_out(recall)


@router.get(
    "/leader-records", response=LeaderRecordPage, summary="Leaders' weekly records and quarterly reports"
)
def list_leader_records(request, kind: str = "", page: int = 1, size: int = 50):
    result = page_of(selectors.leader_record_list(user=request.auth, kind=kind), page, size, record_out)
    # Each leader by name with the record's text and figures: as the page's list, recorded.
    audit_list_read(action="leader_record.list", user=request.auth, page=result, filters={"kind": kind})
    return result


class WeeklyRecordIn(Schema):
    day: dt.date
    text: str
    submit: bool = False
    version: int | None = None


@router.post(
    "/leader-records/weekly",
    response={200: LeaderRecordOut, 201: LeaderRecordOut},
    summary="Write (or change the draft of) one's own weekly work record for the week of a day",
)
def write_weekly_record(request, payload: WeeklyRecordIn):
    _require(request.auth, selectors.VIEW)
    cadre = selectors.my_weekly_cadre(request.auth)
    if cadre is None:
        raise HttpError(403, _("This account may not do that."))
    existed = selectors.weekly_record_for(user=request.auth, cadre=cadre, day=payload.day) is not None
    try:
        record = services.leader_record_write(
            actor=request.auth,
            cadre=cadre,
            day=payload.day,
            text=payload.text,
            submit=payload.submit,
            version=payload.version,
        )
    except PermissionDenied:
        raise HttpError(403, _("This account may not do that.")) from None
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return Status(200 if existed else 201, record_out(record))
