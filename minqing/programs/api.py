import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from minqing.api.paging import page_of
from minqing.api.schemas import Page
from minqing.core.audit import audit_list_read
from minqing.core.scope import get_scoped_or_404, scope_for, scoped
from minqing.geo.models import Region
from minqing.geo.selectors import region_get

from . import selectors, services
from .engine import STATUSES
from .grades import GradeLists, grade_choices
from .models import Campaign, LiaisonPoint, Pairing, Team, UnitPairing
from .schema import TemplateInvalid

router = Router(tags=["programs"])


class ProgramOut(Schema):
    key: str
    name: str
    seed: str
    summary: str
    phases: list[dict]
    rules: list[dict]


class ProgramIn(Schema):
    text: str = Field(
        ..., description="The template, TOML (the text of a file like programs/library/*.toml)."
    )
    dry_run: bool = Field(False, description="Only check it: 200 with the program, nothing added.")


class TemplateErrorOut(Schema):
    line: int | None
    path: str
    message: str


class ProgramInvalidOut(Schema):
    detail: str
    errors: list[TemplateErrorOut]


class ProgramSourceOut(Schema):
    key: str
    text: str


class CampaignOut(Schema):
    id: int
    name: str
    program: str
    program_name: str
    region: str
    start: dt.date
    end: dt.date | None
    version: int
    config: dict
    units: list[int]
    # The parts of its region the caller reads it for, read only (a township office and the
    # county's campaign); empty when the caller reads the whole campaign.
    area: list[str] = []


class CampaignPage(Page):
    items: list[CampaignOut]


class CampaignIn(Schema):
    program: str
    name: str
    region: str
    start: dt.date
    end: dt.date | None = None
    units: list[int] = []  # participating units; none: every unit in the region


class CampaignUnitsIn(Schema):
    units: list[int]
    reason: str


class VerdictOut(Schema):
    rule: str
    rule_name: str
    subject_type: str
    subject_id: int
    subject: str
    required: str
    actual: str
    status: str
    missing: list[str]
    cadre_id: int | None
    unit_id: int | None
    team_id: int | None


class RuleTallyOut(Schema):
    rule: str
    rule_name: str
    # "pass" is a Python keyword: the field is named passed and written "pass".
    passed: int = Field(..., alias="pass")
    fail: int
    no_records: int
    not_due: int
    total: int


class TeamTallyOut(Schema):
    team: int
    team_name: str
    passed: int = Field(..., alias="pass")
    fail: int
    no_records: int
    not_due: int
    total: int


class ComplianceOut(Schema):
    campaign: int
    as_of: dt.date
    totals: dict[str, int] = Field(
        ..., description="Every verdict of the campaign in the caller's scope, by status (all four always)."
    )
    by_rule: list[RuleTallyOut] = Field(..., description="The same per rule, in the template's order.")
    by_team: list[TeamTallyOut] = Field(
        ...,
        description=(
            "The same per team of the campaign in the caller's scope, failures first: the team's own "
            "verdicts and those of its leader, members and points (empty: the campaign has no team)."
        ),
    )
    status: str = Field(..., description="The status `verdicts` were narrowed to; empty: every status.")
    team: int | None = Field(..., description="The team `verdicts` were narrowed to; null: every team.")
    shown: int = Field(..., description="How many verdicts are listed (after `status` and `team`).")
    verdicts: list[VerdictOut]


class PairingOut(Schema):
    id: int
    cadre: int
    cadre_name: str
    kind: str
    slot: str
    target_type: str
    target_id: int
    start: dt.date
    end: dt.date | None


class PairingPage(Page):
    items: list[PairingOut]


class UnitPairingOut(Schema):
    id: int
    unit: int
    unit_name: str
    point: int
    point_name: str
    kind: str
    start: dt.date
    end: dt.date | None = Field(..., description="The last day it counts as active; none while it runs.")


class UnitPairingPage(Page):
    items: list[UnitPairingOut]


class UnitPairingEndIn(Schema):
    end: dt.date = Field(..., description="The last day of the pairing: not later than today.")
    reason: str = Field(..., max_length=200)


class PairingIn(Schema):
    cadre: int
    kind: str = Field(..., description="A pairing kind of the campaign's program (`config.pairing_kinds`).")
    slot: str = Field("", description="The slot, for a kind that has slots (一联五); else empty.")
    household: int | None = Field(None, description="The household paired (one of household, member, point).")
    member: int | None = None
    point: int | None = None
    start: dt.date
    note: str = Field("", max_length=200)


class UnitPairingIn(Schema):
    unit: int
    point: int
    kind: str = Field(..., description="covers_village, covers_community, covers_enterprise or twinning.")
    start: dt.date


class WithdrawIn(Schema):
    reason: str = Field(..., max_length=200)


class GradeOut(Schema):
    key: str
    label: str


class PointOut(Schema):
    id: int
    name: str
    kind: str
    region: str
    grade: str = Field(
        ...,
        description="The grade's key (分类定级: first, second, third, complex); a grade kept from before "
        "there was a list, as it was written.",
    )
    grade_label: str = Field(..., description="The grade as people read it (一类, 复杂, …).")
    grades: list[GradeOut] = Field(
        ..., description="The grades the point may take: those of the programs of the campaigns covering it."
    )
    retired_on: dt.date | None = Field(
        None, description="The last day the point counts (合村并组, an enterprise closed); none while in use."
    )
    retired_reason: str = ""


class PointRegradeIn(Schema):
    grade: str = Field(..., max_length=40, description="One of the point's `grades` (its key, or its label).")
    graded_on: dt.date = Field(..., description="The day of the grading: not later than today.")
    reason: str = Field(..., max_length=200)


class PointRetireIn(Schema):
    retired_on: dt.date = Field(..., description="The last day the point counts: not later than today.")
    reason: str = Field(..., max_length=200)


class TeamOut(Schema):
    id: int
    campaign: int
    name: str
    kind: str
    leader: int | None
    members: list[int]
    points: list[int]
    dissolved_on: dt.date | None = Field(
        None, description="The last day the team counts (工作队撤销); none while at work."
    )
    dissolved_reason: str = ""


class TeamDissolveIn(Schema):
    dissolved_on: dt.date = Field(
        ..., description="The last day the team counts: within its campaign, not later than today."
    )
    reason: str = Field(..., max_length=200)


class PointPage(Page):
    items: list[PointOut]


def campaign_out(c: Campaign) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "program": c.program_key,
        "program_name": c.program_name,
        "region": c.region_id,
        "start": c.start,
        "end": c.end,
        "version": c.version,
        "config": c.config,
        "units": sorted(u.pk for u in c.units.all()),
        "area": list(getattr(c, "area", None) or ()),
    }


def _manageable_units(user, ids: list[int]) -> list:
    """The named units, each one the office may manage; an unknown or unreachable one is a 422."""
    from minqing.org.models import Unit

    found = list(scoped(Unit, user, selectors.MANAGE).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise HttpError(422, _("Some of these units are not among yours."))
    return found


def pairing_out(p: Pairing) -> dict:
    target = p.target
    return {
        "id": p.pk,
        "cadre": p.cadre_id,
        "cadre_name": str(p.cadre.account),
        "kind": p.kind,
        "slot": p.slot,
        "target_type": p.target_type,
        "target_id": target.pk,
        "start": p.start,
        "end": p.end,
    }


def unit_pairing_out(up: UnitPairing) -> dict:
    return {
        "id": up.pk,
        "unit": up.unit_id,
        "unit_name": up.unit.label,
        "point": up.point_id,
        "point_name": up.point.name,
        "kind": up.kind,
        "start": up.start,
        "end": up.end,
    }


def point_out(p: LiaisonPoint, grades: GradeLists | None = None) -> dict:
    """`grades`: the campaigns' grade lists read once for a page of points."""
    grades = grades or GradeLists()
    return {
        "id": p.pk,
        "name": p.name,
        "kind": p.kind,
        "region": p.region_id,
        "grade": p.grade,
        "grade_label": p.grade_label,
        "grades": [{"key": k, "label": label} for k, label in grade_choices(grades.for_region(p.region_id))],
        "retired_on": p.retired_on,
        "retired_reason": p.retired_reason,
    }


def team_out(t: Team) -> dict:
    return {
        "id": t.pk,
        "campaign": t.campaign_id,
        "name": t.name,
        "kind": t.kind,
        "leader": t.leader_id,
        "members": sorted(m.pk for m in t.members.all()),
        "points": sorted(p.pk for p in t.points.all()),
        "dissolved_on": t.dissolved_on,
        "dissolved_reason": t.dissolved_reason,
    }


@router.get("/programs", response=list[ProgramOut], summary="Program templates")
def list_programs(request):
    if not scope_for(request.auth).has(selectors.VIEW):
        return []
    return [program_out(key, data) for key, data in services.program_catalogue().items()]


def program_out(key: str, data: dict) -> dict:
    return {
        "key": key,
        "name": data["name"],
        "seed": data.get("seed", ""),
        "summary": data.get("summary", ""),
        "phases": data.get("phases", []),
        "rules": data.get("rules", []),
    }


@router.post(
    "/programs",
    response={200: ProgramOut, 201: ProgramOut, 422: ProgramInvalidOut},
    summary="Add a program from its template (or only check it: dry_run)",
)
def add_program(request, payload: ProgramIn):
    """Every error of a malformed template comes back at once, each with its line; nothing is
    added. Programs are shared by every office (the campaign office's define permission)."""
    if not scope_for(request.auth).has("programs.define"):
        raise HttpError(403, _("This account may not do that."))
    try:
        if payload.dry_run:
            data = services.program_check(payload.text)
            return Status(200, program_out(data["key"], data))
        template = services.program_add(actor=request.auth, text=payload.text)
    except TemplateInvalid as exc:
        errors = [{"line": e.line, "path": e.path, "message": str(e.message)} for e in exc.errors]
        return Status(422, {"detail": "\n".join(str(e) for e in exc.errors), "errors": errors})
    return Status(201, program_out(template.key, services.program_get(template.key)))


@router.get("/programs/{key}/template", response=ProgramSourceOut, summary="A program's template text")
def get_program_template(request, key: str):
    if not scope_for(request.auth).has(selectors.VIEW):
        raise HttpError(403, _("This account may not do that."))
    sources = services.program_sources()
    if key not in sources:
        raise HttpError(404, _("There is no program “%(key)s”.") % {"key": key})
    return {"key": key, "text": sources[key]}


@router.get("/campaigns", response=CampaignPage, summary="Campaigns in scope")
def list_campaigns(request, page: int = 1, size: int = 50):
    def out(c: Campaign) -> dict:
        selectors.campaign_area(user=request.auth, campaign=c)  # the part read (from the grants)
        return campaign_out(c)

    return page_of(
        selectors.campaign_list(user=request.auth, reading=True).prefetch_related("units"), page, size, out
    )


@router.post("/campaigns", response={201: CampaignOut}, summary="Start a campaign from a program template")
def start_campaign(request, payload: CampaignIn):
    if not scope_for(request.auth).has(selectors.MANAGE):
        raise HttpError(403, _("This account may not do that."))
    code = payload.region.ljust(12, "0") if len(payload.region) < 12 else payload.region
    region_get(user=request.auth, code=code)  # 404 when out of sight
    region = get_scoped_or_404(Region, request.auth, selectors.MANAGE, code=code)
    try:
        campaign = services.campaign_start(
            actor=request.auth,
            program_key=payload.program,
            name=payload.name,
            region=region,
            start=payload.start,
            end=payload.end,
            units=_manageable_units(request.auth, payload.units),
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return Status(201, campaign_out(campaign))


@router.put(
    "/campaigns/{campaign_id}/units",
    response=CampaignOut,
    summary="Set the participating units (a new version, with a reason)",
)
def set_campaign_units(request, campaign_id: int, payload: CampaignUnitsIn):
    campaign = selectors.campaign_get(user=request.auth, pk=campaign_id)
    if not selectors.can_manage_campaign(user=request.auth, campaign=campaign):
        raise HttpError(403, _("This account may not do that."))
    try:
        campaign = services.campaign_change(
            actor=request.auth,
            campaign=campaign,
            reason=payload.reason,
            units=_manageable_units(request.auth, payload.units),
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return campaign_out(campaign)


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="One campaign")
def get_campaign(request, campaign_id: int):
    return campaign_out(selectors.campaign_read(user=request.auth, pk=campaign_id))


@router.get(
    "/campaigns/{campaign_id}/compliance",
    response=ComplianceOut,
    summary="Compliance verdicts",
    by_alias=True,
)
def get_compliance(
    request, campaign_id: int, as_of: dt.date | None = None, status: str = "", team: int | None = None
):
    """Every rule's verdicts as of a day (today by default). `totals`, `by_rule` and `by_team`
    always count the whole campaign (as far as the caller may see it); `status` (pass, fail,
    no_records, not_due) and `team` (a team of the campaign: its own verdicts and its leader's,
    members' and points') narrow only the listed `verdicts`, and `shown` says how many they are."""
    if status and status not in STATUSES:
        raise HttpError(
            422,
            _("status: one of %(choices)s, or none for every verdict.") % {"choices": ", ".join(STATUSES)},
        )
    campaign = selectors.campaign_read(user=request.auth, pk=campaign_id)
    teams = selectors.compliance_teams(user=request.auth, campaign=campaign)
    chosen = None
    if team is not None:
        chosen = next((found for found in teams if found.pk == team), None)
        if chosen is None:
            raise HttpError(404, _("The campaign has no team %(id)s that you may see.") % {"id": team})
    try:
        report = selectors.compliance(
            user=request.auth, campaign=campaign, as_of=as_of or timezone.localdate()
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    data = report.as_dict(status=status, teams=teams, team=chosen)
    audit_list_read(
        action="compliance.view",
        user=request.auth,
        shown=data["shown"],
        obj=campaign,
        as_of=report.as_of.isoformat(),
        filters={"status": status, "team": team},
    )
    return data


@router.get("/campaigns/{campaign_id}/pairings", response=PairingPage, summary="Pairings of a campaign")
def list_pairings(request, campaign_id: int, page: int = 1, size: int = 50):
    campaign = selectors.campaign_read(user=request.auth, pk=campaign_id)
    result = page_of(selectors.pairing_list(user=request.auth, campaign=campaign), page, size, pairing_out)
    # Which cadre (by name) is linked with which household or member: as the page's, recorded.
    audit_list_read(action="pairing.list", user=request.auth, page=result, obj=campaign)
    return result


def _pairing_target(user, campaign: Campaign, payload: PairingIn):
    """The one household, member or point the body names, among those the account sees; a
    422 that says what is wrong otherwise."""
    from minqing.people.models import Household, Member

    named = [
        (k, v)
        for k, v in (("household", payload.household), ("member", payload.member), ("point", payload.point))
        if v is not None
    ]
    if len(named) != 1:
        raise HttpError(422, _("Name one target: a household, a member or a liaison point."))
    field, pk = named[0]
    if field == "point":
        target = scoped(LiaisonPoint, user, selectors.VIEW).filter(pk=pk).first()
    elif field == "household":
        target = scoped(Household, user, "people.view").filter(pk=pk).first()
    else:
        target = scoped(Member, user, "people.view").filter(pk=pk).select_related("household").first()
    if target is None:
        raise HttpError(422, _("No such target among those you may see."))
    return target


def _managed_campaign(user, campaign_id: int) -> Campaign:
    """The campaign (404 out of sight) that the account manages (403 if it only sees it)."""
    campaign = selectors.campaign_get(user=user, pk=campaign_id)
    if not selectors.can_manage_campaign(user=user, campaign=campaign):
        raise HttpError(403, _("This account may not do that."))
    return campaign


@router.post(
    "/campaigns/{campaign_id}/pairings",
    response={201: PairingOut},
    summary="Pair a cadre with a household, member or liaison point",
)
def create_pairing(request, campaign_id: int, payload: PairingIn):
    """As the pairings page records one: the cadre takes part in the campaign, the target lies
    in its region, a slot (一联五) is held once, the same link does not overlap itself."""
    campaign = _managed_campaign(request.auth, campaign_id)
    cadre = selectors.pairing_cadres(user=request.auth, campaign=campaign).filter(pk=payload.cadre).first()
    if cadre is None:
        raise HttpError(422, _("This cadre does not take part in the campaign, or is not among yours."))
    target = _pairing_target(request.auth, campaign, payload)
    try:
        pairing = services.pairing_create(
            actor=request.auth,
            campaign=campaign,
            cadre=cadre,
            kind=payload.kind,
            target=target,
            start=payload.start,
            slot=payload.slot,
            note=payload.note.strip(),
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return Status(
        201, pairing_out(selectors.pairing_list(user=request.auth, campaign=campaign).get(pk=pairing.pk))
    )


def _pairing(user, campaign_id: int, pairing_id: int) -> Pairing:
    campaign = selectors.campaign_get(user=user, pk=campaign_id)
    pairing = selectors.pairing_list(user=user, campaign=campaign).filter(pk=pairing_id).first()
    if pairing is None:
        raise HttpError(404, _("Not found."))
    return pairing


@router.post(
    "/campaigns/{campaign_id}/pairings/{pairing_id}/end",
    response=PairingOut,
    summary="End a cadre's pairing (on a day that has come, with a reason)",
)
def end_pairing(request, campaign_id: int, pairing_id: int, payload: UnitPairingEndIn):
    """Active through `end`, ended from the next day. One already ended is refused (422)."""
    pairing = _pairing(request.auth, campaign_id, pairing_id)
    try:
        services.pairing_end(actor=request.auth, pairing=pairing, end=payload.end, reason=payload.reason)
    except PermissionDenied:
        raise HttpError(403, _("This account may not do that.")) from None
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return pairing_out(_pairing(request.auth, campaign_id, pairing_id))


@router.post(
    "/campaigns/{campaign_id}/pairings/{pairing_id}/withdraw",
    response={204: None},
    summary="Withdraw a cadre's pairing that has not begun (with a reason; audited)",
)
def withdraw_pairing(request, campaign_id: int, pairing_id: int, payload: WithdrawIn):
    """Only one whose first day is still to come; one that has begun is ended instead (422)."""
    pairing = _pairing(request.auth, campaign_id, pairing_id)
    try:
        services.pairing_withdraw(actor=request.auth, pairing=pairing, reason=payload.reason)
    except PermissionDenied:
        raise HttpError(403, _("This account may not do that.")) from None
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return Status(204, None)


@router.post(
    "/campaigns/{campaign_id}/unit-pairings",
    response={201: UnitPairingOut},
    summary="Pair a unit with a liaison point (结对共建, 部门包村/包社区/包企业)",
)
def create_unit_pairing(request, campaign_id: int, payload: UnitPairingIn):
    from minqing.org.models import Unit

    campaign = _managed_campaign(request.auth, campaign_id)
    unit = scoped(Unit, request.auth, selectors.MANAGE).filter(pk=payload.unit).first()
    if unit is None:
        raise HttpError(422, _("Some of these units are not among yours."))
    point = scoped(LiaisonPoint, request.auth, selectors.VIEW).filter(pk=payload.point).first()
    if point is None:
        raise HttpError(422, _("No such target among those you may see."))
    try:
        up = services.unit_pairing_create(
            actor=request.auth,
            campaign=campaign,
            unit=unit,
            point=point,
            kind=payload.kind,
            start=payload.start,
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return Status(
        201, unit_pairing_out(selectors.unit_pairing_get(user=request.auth, campaign=campaign, pk=up.pk))
    )


@router.post(
    "/campaigns/{campaign_id}/unit-pairings/{unit_pairing_id}/withdraw",
    response={204: None},
    summary="Withdraw a unit pairing that has not begun (with a reason; audited)",
)
def withdraw_unit_pairing(request, campaign_id: int, unit_pairing_id: int, payload: WithdrawIn):
    campaign = selectors.campaign_get(user=request.auth, pk=campaign_id)
    unit_pairing = selectors.unit_pairing_get(user=request.auth, campaign=campaign, pk=unit_pairing_id)
    try:
        services.unit_pairing_withdraw(actor=request.auth, unit_pairing=unit_pairing, reason=payload.reason)
    except PermissionDenied:
        raise HttpError(403, _("This account may not do that.")) from None
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return Status(204, None)


@router.get(
    "/campaigns/{campaign_id}/unit-pairings",
    response=UnitPairingPage,
    summary="Unit pairings of a campaign (结对共建, 部门包村/包社区/包企业)",
)
def list_unit_pairings(request, campaign_id: int, page: int = 1, size: int = 50):
    campaign = selectors.campaign_read(user=request.auth, pk=campaign_id)
    return page_of(
        selectors.unit_pairing_list(user=request.auth, campaign=campaign), page, size, unit_pairing_out
    )


@router.post(
    "/campaigns/{campaign_id}/unit-pairings/{unit_pairing_id}/end",
    response=UnitPairingOut,
    summary="End a unit pairing (on a day that has come, with a reason)",
)
def end_unit_pairing(request, campaign_id: int, unit_pairing_id: int, payload: UnitPairingEndIn):
    """The pairing counts as active through `end` and as ended from the next day. One already
    ended is refused (422)."""
    campaign = selectors.campaign_get(user=request.auth, pk=campaign_id)
    unit_pairing = selectors.unit_pairing_get(user=request.auth, campaign=campaign, pk=unit_pairing_id)
    try:
        unit_pairing = services.unit_pairing_end(
            actor=request.auth, unit_pairing=unit_pairing, end=payload.end, reason=payload.reason
        )
    except PermissionDenied:
        raise HttpError(403, _("This account may not do that.")) from None
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return unit_pairing_out(unit_pairing)


@router.get("/points", response=PointPage, summary="Liaison points in scope")
def list_points(request, page: int = 1, size: int = 50, status: str = selectors.CURRENT):
    """`status`: current (not retired, the default, as the page lists them), retired, or all."""
    if status not in (selectors.CURRENT, "retired", selectors.ALL):
        raise HttpError(422, _("status: one of %(choices)s.") % {"choices": "current, retired, all"})
    grades = GradeLists()
    return page_of(
        selectors.point_list(user=request.auth, status=status), page, size, lambda p: point_out(p, grades)
    )


@router.post(
    "/points/{point_id}/regrade",
    response=PointOut,
    summary="Grade a liaison point (分类定级) as of a day, kept in its history (audited)",
)
def regrade_point(request, point_id: int, payload: PointRegradeIn):
    """As the point's page changes its grade: the grade must be one of the point's `grades`
    (422 names them), the day not later than today; a retired point keeps its grade (422);
    403 for an account that may not manage the point."""
    point = selectors.point_get(user=request.auth, pk=point_id)
    try:
        services.point_regrade(
            actor=request.auth,
            point=point,
            grade=payload.grade,
            graded_on=payload.graded_on,
            reason=payload.reason,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("This account may not do that.")) from None
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    point.refresh_from_db()
    return point_out(point)


@router.post(
    "/points/{point_id}/retire",
    response=PointOut,
    summary="Retire a liaison point (合村并组, an enterprise closed; with a reason; audited)",
)
def retire_point(request, point_id: int, payload: PointRetireIn):
    """As the point's page retires it: refused (422) while a cadre's or a unit's pairing with
    the point still counts after `retired_on` (end those first), when already retired, for a
    day to come or before the point was entered; 403 for an account that may not manage it."""
    point = selectors.point_get(user=request.auth, pk=point_id)
    try:
        point = services.point_retire(
            actor=request.auth, point=point, retired_on=payload.retired_on, reason=payload.reason
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("This account may not do that.")) from None
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return point_out(point)


@router.post(
    "/teams/{team_id}/dissolve",
    response=TeamOut,
    summary="Dissolve a work team (工作队撤销, 任务完成; with a reason; audited)",
)
def dissolve_team(request, team_id: int, payload: TeamDissolveIn):
    """As the team's page dissolves it: the team is kept as it was and counts through
    `dissolved_on`. Refused (422) when already dissolved, for a day to come, before its campaign
    starts (or the team was entered) or after it ends; 403 for an account that may not manage
    its campaign."""
    team = get_scoped_or_404(
        Team.objects.select_related("campaign"), request.auth, selectors.VIEW, pk=team_id
    )
    selectors.campaign_get(user=request.auth, pk=team.campaign_id)  # 404 when its campaign is out of sight
    try:
        services.team_dissolve(
            actor=request.auth, team=team, dissolved_on=payload.dissolved_on, reason=payload.reason
        )
    except PermissionDenied:
        raise HttpError(403, _("This account may not do that.")) from None
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return team_out(Team.objects.prefetch_related("members", "points").get(pk=team.pk))
