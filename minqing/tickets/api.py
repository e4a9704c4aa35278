import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from minqing.api.paging import page_of
from minqing.api.schemas import Page
from minqing.core.audit import audit_list_read
from minqing.core.scope import scope_for, scoped
from minqing.org.models import Unit
from minqing.programs.selectors import campaign_get

from . import documents, selectors, services
from .models import DeadlineExtension, Ticket

router = Router(tags=["tickets"])


class ExtensionOut(Schema):
    id: int
    requested_at: dt.datetime
    requested_by: str | None
    new_deadline: dt.datetime
    reason: str


class TicketOut(Schema):
    id: int
    code: str
    version: int
    campaign: int | None
    ledger: str
    category: str
    title: str
    description: str  # phone and ID numbers in it masked
    channel: str
    region: str
    tier: str
    priority: int
    status: str
    unit: int | None
    owner: str | None
    leader: int | None
    contact_name: str
    contact_phone: str  # always masked
    registered_at: dt.datetime
    deadline: dt.datetime
    overdue: bool
    accepted_at: dt.datetime | None
    replied_at: dt.datetime | None
    reply: str
    closed_at: dt.datetime | None
    resolved: bool | None
    satisfaction: str
    extra: dict
    # Petition and dispute case fields: present only for holders of tickets.sensitive.
    case: dict | None = None
    # One demand's request for more time waiting for a decision (not in lists).
    pending_extension: ExtensionOut | None = None


class TicketPage(Page):
    items: list[TicketOut]


class TicketIn(Schema):
    campaign: int
    title: str
    description: str
    region: str
    ledger: str = ""
    category: str = ""
    channel: str = "office"
    tier: str = "township"
    priority: int = 2
    contact_name: str = ""
    contact_phone: str = ""
    case: dict | None = None


class ActionIn(Schema):
    action: str
    version: int
    unit: int | None = None
    tier: str | None = None
    leader: int | None = None
    # dispatch, classify: a ledger (of demands) and a category of the demand's campaign; absent
    # keeps the present one, "" files it in none
    ledger: str | None = None
    category: str | None = None
    reply: str = ""
    reason: str = ""
    into: str = ""
    resolved: bool | None = None
    satisfaction: str = ""
    note: str = ""
    # extend: the last day asked for (a date)
    new_deadline: dt.date | None = None


class RateOut(Schema):
    group: str | int | None
    name: str
    total: int
    responded: int
    rated: int
    resolved: int
    satisfaction_rated: int
    satisfied: int
    replied: int
    on_time: int
    due: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    on_time_rate: float | None


def ticket_out(t: Ticket, *, case: bool = False) -> dict:
    out = {
        "id": t.pk,
        "code": t.code,
        "version": t.version,
        "campaign": t.campaign_id,
        "ledger": t.ledger,
        "category": t.category,
        "title": t.title,
        "description": t.masked_description,
        "channel": t.channel,
        "region": t.region_id,
        "tier": t.tier,
        "priority": t.priority,
        "status": t.status,
        "unit": t.unit_id,
        "owner": t.owner.username if t.owner_id else None,
        "leader": t.leader_id,
        "contact_name": t.contact_name,
        "contact_phone": str(t.contact_phone) if t.contact_phone else "",
        "registered_at": t.registered_at,
        "deadline": t.deadline,
        "overdue": t.is_overdue,
        "accepted_at": t.accepted_at,
        "replied_at": t.replied_at,
        "reply": t.masked_reply,
        "closed_at": t.closed_at,
        "resolved": t.resolved,
        "satisfaction": t.satisfaction,
        "extra": t.extra,
    }
    if case:
        out["case"] = {k: t.sensitive.get(k, "") for k in documents.CASE_FIELDS}
    return out


def one_ticket_out(t: Ticket, user) -> dict:
    """A demand alone: with its request for more time waiting, if any."""
    out = ticket_out(t, case=selectors.can_see_case_fields(user))
    pending = (
        t.extensions.filter(status=DeadlineExtension.Status.PENDING).select_related("requested_by").first()
    )
    if pending is not None:
        out["pending_extension"] = {
            "id": pending.pk,
            "requested_at": pending.requested_at,
            "requested_by": pending.requested_by.username if pending.requested_by_id else None,
            "new_deadline": pending.new_deadline,
            "reason": pending.masked_reason,
        }
    return out


def _load(ids):
    return Ticket.objects.filter(pk__in=ids).select_related("owner")


@router.get("/tickets", response=TicketPage, summary="Demands in scope", exclude_none=True)
def list_tickets(
    request,
    page: int = 1,
    size: int = 50,
    campaign: int | None = None,
    ledger: str = "",
    category: str = "",
    status: str = "",
    tier: str = "",
    overdue: bool = False,
    region: str = "",
    q: str = "",
):
    qs = selectors.ticket_list(
        user=request.auth,
        campaign=campaign,
        ledger=ledger,
        category=category,
        status=status,
        tier=tier,
        overdue=overdue,
        region=region,
        q=q,
    )
    case = selectors.can_see_case_fields(request.auth)
    result = page_of(qs, page, size, lambda t: ticket_out(t, case=case), load=_load)
    # Each demand names its contact (and, to some, the parties of a case).
    audit_list_read(
        action="ticket.list",
        user=request.auth,
        page=result,
        filters={"campaign": campaign, "status": status, "region": region, "q": q},
    )
    return result


@router.get(
    "/tickets/rates", response=list[RateOut], summary="Response, resolution, satisfaction and on-time rates"
)
def ticket_rates(
    request,
    by: str = "unit",
    start: dt.date | None = None,
    end: dt.date | None = None,
    campaign: int | None = None,
):
    if by not in selectors.GROUPINGS:
        raise HttpError(422, _("by: one of %(choices)s.") % {"choices": ", ".join(selectors.GROUPINGS)})
    rows = selectors.rates(user=request.auth, by=by, start=start, end=end, campaign=campaign)
    names = selectors.group_labels(by, [r["group"] for r in rows], user=request.auth, campaign=campaign)
    for row in rows:
        # The key stays the key; the name is what a page shows for it.
        row["name"] = str(names.get(row["group"], row["group"]) or "")
        if isinstance(row["group"], dt.datetime):
            row["group"] = row["group"].strftime("%Y-%m")
    return rows


@router.get("/tickets/{ticket_id}", response=TicketOut, summary="One demand", exclude_none=True)
def get_ticket(request, ticket_id: int):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    if ticket.contact_name or ticket.contact_phone:
        # The resident's name and (masked) phone are returned: as the demand's page, recorded.
        audit_list_read(action="ticket.view", user=request.auth, obj=ticket, shown=1)
    return one_ticket_out(ticket, request.auth)


@router.post("/tickets", response={201: TicketOut}, summary="Register a demand", exclude_none=True)
def create_ticket(request, payload: TicketIn):
    if not scope_for(request.auth).has("tickets.create"):
        raise HttpError(403, _("This account may not do that."))
    campaign = campaign_get(user=request.auth, pk=payload.campaign)
    region = selectors.demand_regions(user=request.auth).filter(code=payload.region.ljust(12, "0")).first()
    if region is None:
        raise HttpError(404, _("You may not register demands for this region."))
    try:
        ticket = services.ticket_create(
            actor=request.auth,
            campaign=campaign,
            region=region,
            title=payload.title,
            description=payload.description,
            ledger=payload.ledger,
            category=payload.category,
            channel=payload.channel
            if payload.channel in ("office", "visit", "feedback", "reception")
            else "office",
            tier=payload.tier,
            priority=payload.priority,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            sensitive={k: v for k, v in (payload.case or {}).items() if k in documents.CASE_FIELDS} or None,
        )
    except PermissionDenied:
        raise HttpError(403, _("This account may not do that.")) from None
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return Status(201, ticket_out(ticket, case=selectors.can_see_case_fields(request.auth)))


class RevealIn(Schema):
    reason: str


class RevealOut(Schema):
    contact_name: str
    contact_phone: str


@router.post(
    "/tickets/{ticket_id}/contact/reveal",
    response=RevealOut,
    summary="The contact's full phone, for the handling unit or the dispatching office (a reason; audited)",
)
def reveal_contact(request, ticket_id: int, payload: RevealIn):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    try:
        phone = services.ticket_contact_reveal(actor=request.auth, ticket=ticket, reason=payload.reason)
    except PermissionDenied:
        raise HttpError(403, _("This account may not do that.")) from None
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return {"contact_name": ticket.contact_name, "contact_phone": phone}


@router.post(
    "/tickets/{ticket_id}/actions", response=TicketOut, summary="One workflow step", exclude_none=True
)
def act_on_ticket(request, ticket_id: int, payload: ActionIn):
    """Every step carries the version the caller read; a stale one gets 409."""
    user = request.auth
    ticket = selectors.ticket_get(user=user, pk=ticket_id)
    common = {"actor": user, "ticket": ticket, "version": payload.version}
    try:
        match payload.action:
            case "dispatch":
                unit = scoped(Unit, user, "org.view").filter(pk=payload.unit or 0).first()
                if unit is None:
                    raise HttpError(422, _("unit: choose a handling unit in your scope."))
                leader = None
                if payload.leader:
                    leader = selectors.leader_choices(user=user).filter(pk=payload.leader).first()
                    if leader is None:
                        raise HttpError(422, _("leader: choose a leader in your scope."))
                services.ticket_dispatch(
                    **common,
                    unit=unit,
                    tier=payload.tier,
                    leader=leader,
                    ledger=payload.ledger,
                    category=payload.category,
                )
            case "classify":
                services.ticket_classify(**common, ledger=payload.ledger, category=payload.category)
            case "claim":
                services.ticket_claim(**common)
            case "start":
                services.ticket_start(**common)
            case "reply":
                services.ticket_reply(**common, reply=payload.reply)
            case "verify":
                services.ticket_verify(**common, reason=payload.reason)
            case "close":
                services.ticket_close(**common, reason=payload.reason)
            case "escalate":
                services.ticket_escalate(**common, reason=payload.reason)
            case "return":
                services.ticket_return(**common, reason=payload.reason)
            case "reopen":
                services.ticket_reopen(**common, reason=payload.reason)
            case "merge":
                into = selectors.ticket_list(user=user).filter(code=payload.into.upper()).first()
                if into is None:
                    raise HttpError(422, _("into: there is no demand with this code in your scope."))
                services.ticket_merge(**common, into=into)
            case "follow_up":
                services.ticket_follow_up(
                    **common,
                    resolved=bool(payload.resolved),
                    satisfaction=payload.satisfaction,
                    note=payload.note,
                )
            case "extend":
                services.ticket_extend(**common, new_deadline=payload.new_deadline, reason=payload.reason)
            case "extend_approve":
                services.ticket_extend_approve(**common, reason=payload.reason)
            case "extend_refuse":
                services.ticket_extend_refuse(**common, reason=payload.reason)
            case _:
                raise HttpError(422, _("There is no such action."))
    except services.StaleTicket as stale:
        raise HttpError(
            409,
            _("The demand has changed since version %(sent)s; it is now version %(now)s.")
            % {"sent": payload.version, "now": stale.current_version},
        ) from None
    except PermissionDenied:
        raise HttpError(403, _("This account may not do that.")) from None
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    ticket = selectors.ticket_get(user=user, pk=ticket_id)
    return one_ticket_out(ticket, user)
