import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from minqing.api.paging import page_of
from minqing.api.schemas import Page
from minqing.core.scope import get_scoped_or_404, scope_for, scoped
from minqing.geo.models import Region
from minqing.geo.selectors import region_get

from . import selectors, services
from .engine import STATUSES
from .models import Campaign, LiaisonPoint, Pairing, UnitPairing

router = Router(tags=["programs"])


class ProgramOut(Schema):
    key: str
    name: str
    seed: str
    summary: str
    phases: list[dict]
    rules: list[dict]


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


class PointOut(Schema):
    id: int
    name: str
    kind: str
    region: str
    grade: str


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


def point_out(p: LiaisonPoint) -> dict:
    return {"id": p.pk, "name": p.name, "kind": p.kind, "region": p.region_id, "grade": p.grade}


@router.get("/programs", response=list[ProgramOut], summary="Program templates")
def list_programs(request):
    if not scope_for(request.auth).has(selectors.VIEW):
        return []
    result = []
    for key, data in services.program_catalogue().items():
        result.append(
            {
                "key": key,
                "name": data["name"],
                "seed": data.get("seed", ""),
                "summary": data.get("summary", ""),
                "phases": data.get("phases", []),
                "rules": data.get("rules", []),
            }
        )
    return result


@router.get("/campaigns", response=CampaignPage, summary="Campaigns in scope")
def list_campaigns(request, page: int = 1, size: int = 50):
    return page_of(
        selectors.campaign_list(user=request.auth).prefetch_related("units"), page, size, campaign_out
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
    return campaign_out(selectors.campaign_get(user=request.auth, pk=campaign_id))


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
    campaign = selectors.campaign_get(user=request.auth, pk=campaign_id)
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
    return report.as_dict(status=status, teams=teams, team=chosen)


@router.get("/campaigns/{campaign_id}/pairings", response=PairingPage, summary="Pairings of a campaign")
def list_pairings(request, campaign_id: int, page: int = 1, size: int = 50):
    campaign = selectors.campaign_get(user=request.auth, pk=campaign_id)
    return page_of(selectors.pairing_list(user=request.auth, campaign=campaign), page, size, pairing_out)


@router.get(
    "/campaigns/{campaign_id}/unit-pairings",
    response=UnitPairingPage,
    summary="Unit pairings of a campaign (结对共建, 部门包村/包社区/包企业)",
)
def list_unit_pairings(request, campaign_id: int, page: int = 1, size: int = 50):
    campaign = selectors.campaign_get(user=request.auth, pk=campaign_id)
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
def list_points(request, page: int = 1, size: int = 50):
    return page_of(selectors.point_list(user=request.auth), page, size, point_out)
