"""Every write to tickets: one transaction each, an event row and an audit row inside it.

Edits are optimistic-locked: a caller passes the version it read, and a ticket changed
since then is refused (StaleTicket → 409 in the API). Every change locks the ticket
row (SELECT … FOR UPDATE), so two units claiming at once give one winner."""

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from minqing.core.audit import audit_record
from minqing.core.dates import day_text
from minqing.core.identity import mask_text_identifiers, normalize_phone, validate_phone
from minqing.core.images import MAX_BYTES, clean_image
from minqing.core.personal import Phone
from minqing.core.scope import scope_for, scoped
from minqing.ledgers.definitions import ledger_specs

from . import workflow
from .models import (
    CLAIMABLE,
    Channel,
    DeadlineExtension,
    Satisfaction,
    Status,
    Ticket,
    TicketEvent,
    TicketSequence,
    Tier,
)


class StaleTicket(Exception):
    """The ticket changed since the caller read it."""

    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


class TransitionRefused(ValidationError):
    pass


def _require(actor, *permissions: str) -> None:
    """The actor holds one of the permissions (None: the public channels, checked by their views)."""
    if actor is not None and not any(scope_for(actor).has(p) for p in permissions):
        raise PermissionDenied


def _next_code(year: int) -> str:
    TicketSequence.objects.get_or_create(year=year)
    seq = TicketSequence.objects.select_for_update().get(year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"MQ-{year}-{seq.last:06d}"


def _label(actor) -> str:
    return str(actor) if actor is not None else _("Resident")


def _event(ticket, *, actor, action, from_status, reason="", detail=None, at=None) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        at=at or timezone.now(),
        actor=actor,
        actor_label=_label(actor),
        action=action,
        from_status=from_status,
        to_status=ticket.status,
        reason=reason,
        detail=detail or {},
    )


def demand_ledgers(campaign) -> list[dict]:
    """The campaign's ledgers that list demands (its template's `source`, demands by default):
    a ledger of deeds or of households in hardship never lists a demand filed into it."""
    if campaign is None:
        return []
    keys = {spec.key for spec in ledger_specs(campaign) if spec.source == "tickets"}
    return [item for item in campaign.config.get("ledgers", []) if item["key"] in keys]


def ticket_categories(campaign) -> list[dict]:
    return list(campaign.config.get("ticket_categories", [])) if campaign is not None else []


def default_ledger(campaign) -> str:
    """The ledger a new demand is filed into when none is chosen: the campaign's only ledger of
    demands (000's 热点难点问题台账, 002's 群众反映问题台账); none where it keeps several, which
    the office chooses among when it dispatches."""
    ledgers = demand_ledgers(campaign)
    return ledgers[0]["key"] if len(ledgers) == 1 else ""


def _check_ledger(campaign, ledger: str, category: str) -> None:
    if campaign is None:
        return
    errors = {}
    ledgers = {item["key"] for item in campaign.config.get("ledgers", [])}
    categories = {item["key"] for item in ticket_categories(campaign)}
    if ledger and ledger not in ledgers:
        errors["ledger"] = [_("This campaign has no ledger “%(key)s”.") % {"key": ledger}]
    elif ledger and ledger not in {item["key"] for item in demand_ledgers(campaign)}:
        errors["ledger"] = [
            _("The ledger “%(key)s” of this campaign lists no demands (its rows are deeds or households).")
            % {"key": ledger}
        ]
    if category and category not in categories:
        errors["category"] = [_("This campaign has no category “%(key)s”.") % {"key": category}]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def ticket_create(
    *,
    actor,
    title: str,
    description: str,
    region,
    campaign=None,
    channel: str = Channel.OFFICE,
    ledger: str = "",
    category: str = "",
    household=None,
    member=None,
    contact_name: str = "",
    contact_phone: str = "",
    point=None,
    priority: int = 2,
    tier: str = Tier.TOWNSHIP,
    unit=None,
    leader=None,
    extra: dict | None = None,
    sensitive: dict | None = None,
    photo=None,
    lat: float | None = None,
    long: float | None = None,
) -> Ticket:
    if channel not in (Channel.QR, Channel.OPEN311):
        _require(actor, "tickets.create")
    if sensitive:
        _require(actor, "tickets.sensitive")
    errors = {}
    if not title.strip():
        errors["title"] = [_("Say in a few words what the demand is about.")]
    if not description.strip():
        errors["description"] = [_("Describe the demand.")]
    if contact_phone:
        try:
            validate_phone(contact_phone)
        except ValidationError as exc:
            errors["contact_phone"] = exc.messages
    if tier not in Tier.values:
        errors["tier"] = [_("Unknown tier.")]
    if errors:
        raise ValidationError(errors)
    ledger = ledger or default_ledger(campaign)
    _check_ledger(campaign, ledger, category)
    if campaign is not None and not region.code.startswith(campaign.region.prefix):
        raise ValidationError(
            {
                "region": [
                    _("This village lies outside the region of the campaign “%(campaign)s”.")
                    % {"campaign": campaign.name}
                ]
            }
        )
    now = timezone.now()
    phone = normalize_phone(contact_phone) if contact_phone else ""
    ticket = Ticket(
        code=_next_code(timezone.localtime(now).year),
        campaign=campaign,
        ledger=ledger,
        category=category,
        # A title is shown in every list, to all who see the demand: it never keeps a phone
        # or ID number (the description does, shown masked; see Ticket.masked_description).
        title=mask_text_identifiers(title.strip())[:120],
        description=description.strip(),
        channel=channel,
        household=household,
        member=member,
        contact_name=contact_name.strip(),
        contact_phone=Phone(phone) if phone else None,
        phone_last4=phone[-4:],
        region=region,
        point=point,
        priority=priority,
        tier=tier,
        unit=unit,
        leader=leader,
        extra=extra or {},
        sensitive=sensitive or {},
        lat=lat,
        long=long,
        registered_at=now,
        deadline=workflow.deadline_for(campaign=campaign, tier=tier, category=category, start=now),
        created_by=actor,
    )
    if photo is not None:
        ticket.photo = _clean_photo(photo)
    ticket.save()
    _event(ticket, actor=actor, action="register", from_status="", detail={"channel": channel})
    audit_record(action="ticket.register", obj=ticket, user=actor, detail={"channel": channel})
    return ticket


def _clean_photo(photo) -> ContentFile:
    """A resident's photo, re-encoded like a field photo (no EXIF, no GPS position), under a
    random name (not the sender's file name)."""
    data = photo if isinstance(photo, bytes) else photo.read(MAX_BYTES + 1)
    try:
        cleaned, _type, extension, _w, _h = clean_image(data)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from None
    return ContentFile(cleaned, name=f"{uuid.uuid4().hex}.{extension}")


def _locked(ticket_or_pk, version: int | None) -> Ticket:
    pk = ticket_or_pk.pk if isinstance(ticket_or_pk, Ticket) else ticket_or_pk
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=pk)
    if version is not None and ticket.version != version:
        raise StaleTicket(ticket.version)
    return ticket


def _refuse(ticket, action) -> None:
    raise TransitionRefused(
        _("A demand that is “%(status)s” cannot be “%(action)s”.")
        % {"status": ticket.get_status_display(), "action": ACTION_LABELS.get(action, action)},
        code="transition",
    )


def _apply(ticket, *, actor, action, reason="", detail=None, fields=(), to_status=None) -> Ticket:
    """Move the locked ticket along the graph, bump its version, write the event and audit rows."""
    if not workflow.allowed(action, ticket.status):
        _refuse(ticket, action)
    from_status = ticket.status
    target = to_status or workflow.TRANSITIONS[action][1]
    if target:
        ticket.status = target
    ticket.version += 1
    ticket.save(update_fields=["status", "version", *fields])
    if target and target not in workflow.EXTENDABLE:
        # Out of the unit's hands: a request for more time has nothing left to extend.
        DeadlineExtension.objects.filter(ticket=ticket, status=DeadlineExtension.Status.PENDING).update(
            status=DeadlineExtension.Status.LAPSED, decided_at=timezone.now()
        )
    _event(ticket, actor=actor, action=action, from_status=from_status, reason=reason, detail=detail)
    audit_record(
        action=f"ticket.{action}",
        obj=ticket,
        user=actor,
        detail={
            "from": from_status,
            "to": ticket.status,
            **({"reason": reason} if reason else {}),
            **(detail or {}),
        },
    )
    return ticket


def _reason_required(reason: str) -> str:
    if len((reason or "").strip()) < 2:
        raise ValidationError({"reason": [_("Give a reason.")]})
    return reason.strip()


def _classification(ticket, ledger: str | None, category: str | None) -> dict:
    """Set the ledger and category asked for (None: keep), checked against the ticket's
    campaign; returns what changed as {field: [before, after]}."""
    wanted = {
        "ledger": ticket.ledger if ledger is None else ledger.strip(),
        "category": ticket.category if category is None else category.strip(),
    }
    # Only what is asked for is checked: a demand filed before a template changed keeps its key.
    _check_ledger(ticket.campaign, ledger and wanted["ledger"], category and wanted["category"])
    changed = {}
    for name, value in wanted.items():
        if value != getattr(ticket, name):
            changed[name] = [getattr(ticket, name), value]
            setattr(ticket, name, value)
    return changed


@transaction.atomic
def ticket_dispatch(
    *,
    actor,
    ticket,
    unit,
    tier: str | None = None,
    leader=None,
    ledger: str | None = None,
    category: str | None = None,
    version: int | None = None,
) -> Ticket:
    """The office sends the ticket to a handling unit (and sets its tier and leader in charge,
    and files it into a ledger and category of its campaign: None keeps them)."""
    _require(actor, "tickets.dispatch")
    ticket = _locked(ticket, version)
    if not workflow.allowed("dispatch", ticket.status):
        _refuse(ticket, "dispatch")
    fields = ["unit", "owner", "deadline", "tier", "leader", "ledger", "category"]
    ticket.unit, ticket.owner = unit, None
    classified = _classification(ticket, ledger, category)
    if (tier and tier != ticket.tier) or "category" in classified:
        # A campaign may give a category its own days (workflow.days_for).
        ticket.tier = tier or ticket.tier
        ticket.deadline = workflow.deadline_for(
            campaign=ticket.campaign, tier=ticket.tier, category=ticket.category, start=ticket.registered_at
        )
    if leader is not None:
        ticket.leader = leader
    to = Status.REGISTERED if ticket.status == Status.RETURNED else ticket.status
    return _apply(
        ticket,
        actor=actor,
        action="dispatch",
        fields=fields,
        to_status=to,
        detail={"unit": unit.pk, "tier": ticket.tier, **classified},
    )


@transaction.atomic
def ticket_claim(*, actor, ticket, version: int | None = None) -> Ticket:
    """A handling unit takes the ticket. Under concurrent claims the row lock lets the
    first in; the others find it accepted and are refused."""
    _require(actor, "tickets.handle")
    ticket = _locked(ticket, version)
    if ticket.status not in CLAIMABLE or ticket.owner_id is not None:
        raise TransitionRefused(
            _("This demand was already taken by %(owner)s.") % {"owner": ticket.owner or "—"}
            if ticket.owner_id
            else _("A demand that is “%(status)s” cannot be taken.")
            % {"status": ticket.get_status_display()},
            code="claimed",
        )
    ticket.owner = actor
    if ticket.accepted_at is None:
        ticket.accepted_at = timezone.now()
        ticket.response_seconds = max(0, int((ticket.accepted_at - ticket.registered_at).total_seconds()))
    return _apply(ticket, actor=actor, action="claim", fields=["owner", "accepted_at", "response_seconds"])


@transaction.atomic
def ticket_start(*, actor, ticket, version: int | None = None) -> Ticket:
    _require(actor, "tickets.handle")
    return _apply(_locked(ticket, version), actor=actor, action="start")


@transaction.atomic
def ticket_reply(*, actor, ticket, reply: str, version: int | None = None) -> Ticket:
    """The unit's answer to the resident: required before the ticket can ever close."""
    _require(actor, "tickets.handle")
    if len((reply or "").strip()) < 2:
        raise ValidationError({"reply": [_("Write the reply to the resident.")]})
    ticket = _locked(ticket, version)
    if not workflow.allowed("reply", ticket.status):
        _refuse(ticket, "reply")
    ticket.reply = reply.strip()
    ticket.replied_at = timezone.now()
    return _apply(ticket, actor=actor, action="reply", fields=["reply", "replied_at"])


@transaction.atomic
def ticket_verify(*, actor, ticket, reason: str = "", version: int | None = None) -> Ticket:
    _require(actor, "tickets.dispatch")
    return _apply(_locked(ticket, version), actor=actor, action="verify", reason=reason)


@transaction.atomic
def ticket_close(*, actor, ticket, reason: str = "", version: int | None = None) -> Ticket:
    _require(actor, "tickets.dispatch")
    ticket = _locked(ticket, version)
    if not ticket.replied_at:
        raise TransitionRefused(_("A demand is closed only after a reply."), code="no_reply")
    ticket.closed_at = timezone.now()
    return _apply(ticket, actor=actor, action="close", reason=reason, fields=["closed_at"])


@transaction.atomic
def ticket_escalate(
    *, actor, ticket, reason: str, unit=None, leader=None, version: int | None = None
) -> Ticket:
    """To the next tier (township → the linked leader and departments), with a new deadline from now."""
    _require(actor, "tickets.handle", "tickets.dispatch")
    reason = _reason_required(reason)
    ticket = _locked(ticket, version)
    if not workflow.allowed("escalate", ticket.status):
        _refuse(ticket, "escalate")
    old_tier = ticket.tier
    ticket.tier = workflow.NEXT_TIER[ticket.tier]
    ticket.deadline = workflow.deadline_for(
        campaign=ticket.campaign, tier=ticket.tier, category=ticket.category, start=timezone.now()
    )
    ticket.owner = None
    if unit is not None:
        ticket.unit = unit
    if leader is not None:
        ticket.leader = leader
    return _apply(
        ticket,
        actor=actor,
        action="escalate",
        reason=reason,
        fields=["tier", "deadline", "owner", "unit", "leader"],
        detail={"from_tier": old_tier, "to_tier": ticket.tier},
    )


@transaction.atomic
def ticket_return(*, actor, ticket, reason: str, version: int | None = None) -> Ticket:
    """Wrong unit: back to the office with the reason, to be dispatched again."""
    _require(actor, "tickets.handle", "tickets.dispatch")
    reason = _reason_required(reason)
    ticket = _locked(ticket, version)
    if not workflow.allowed("return", ticket.status):
        _refuse(ticket, "return")
    returned_by = ticket.unit_id
    ticket.owner = None
    ticket.unit = None
    return _apply(
        ticket,
        actor=actor,
        action="return",
        reason=reason,
        fields=["owner", "unit"],
        detail={"unit": returned_by},
    )


@transaction.atomic
def ticket_merge(*, actor, ticket, into: Ticket, version: int | None = None) -> Ticket:
    _require(actor, "tickets.dispatch")
    if into.pk == ticket.pk or into.status == Status.MERGED:
        raise ValidationError({"into": [_("Merge into another demand that is not merged itself.")]})
    ticket = _locked(ticket, version)
    if not workflow.allowed("merge", ticket.status):
        _refuse(ticket, "merge")
    ticket.merged_into = into
    return _apply(ticket, actor=actor, action="merge", fields=["merged_into"], detail={"into": into.code})


@transaction.atomic
def ticket_reopen(*, actor, ticket, reason: str, version: int | None = None) -> Ticket:
    _require(actor, "tickets.dispatch")
    reason = _reason_required(reason)
    ticket = _locked(ticket, version)
    if not workflow.allowed("reopen", ticket.status):
        _refuse(ticket, "reopen")
    return _reopen(ticket, actor=actor, reason=reason)


def _reopen(ticket, *, actor, reason) -> Ticket:
    ticket.owner = None
    ticket.closed_at = None
    ticket.deadline = workflow.deadline_for(
        campaign=ticket.campaign, tier=ticket.tier, category=ticket.category, start=timezone.now()
    )
    return _apply(
        ticket, actor=actor, action="reopen", reason=reason, fields=["owner", "closed_at", "deadline"]
    )


@transaction.atomic
def ticket_follow_up(
    *,
    actor,
    ticket,
    resolved: bool,
    satisfaction: str,
    note: str = "",
    reopen: bool = True,
    version: int | None = None,
) -> Ticket:
    """回访: was it resolved, and how satisfied is the resident. Dissatisfied reopens it
    (unless the caller says not to), with a new deadline. The verdict is the office's (the
    dispatching level), the raising cadre's or the resident's (actor None): never that of
    the handling unit, which would rate its own answer."""
    _require(actor, "tickets.dispatch", "tickets.create")
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": [_("Choose satisfied, basically satisfied or dissatisfied.")]})
    ticket = _locked(ticket, version)
    if not may_follow_up(actor, ticket):
        raise PermissionDenied
    if not workflow.allowed("follow_up", ticket.status):
        _refuse(ticket, "follow_up")
    ticket.resolved = resolved
    ticket.satisfaction = satisfaction
    ticket.followed_up_at = timezone.now()
    _apply(
        ticket,
        actor=actor,
        action="follow_up",
        reason=note,
        fields=["resolved", "satisfaction", "followed_up_at"],
        detail={"resolved": resolved, "satisfaction": satisfaction},
    )
    if satisfaction == Satisfaction.DISSATISFIED and reopen:
        _reopen(ticket, actor=actor, reason=note or _("The resident is dissatisfied."))
    return ticket


def may_follow_up(actor, ticket) -> bool:
    """Who records the resident's verdict: the office or the level that dispatches (tickets.
    dispatch), or the cadre who registered the demand; the resident (None) on the tracking
    page. Dispatching means dispatching this ticket, not some other county's. Not the handling
    unit nor a colleague acting for it, nor whoever took the demand or wrote its reply."""
    if actor is None:
        return True
    if handles_for_unit(actor, ticket) or (ticket.owner_id is not None and ticket.owner_id == actor.pk):
        return False
    if TicketEvent.objects.filter(ticket=ticket, action="reply", actor=actor).exists():
        return False
    if ticket.created_by_id == actor.pk and scope_for(actor).has("tickets.create"):
        return True
    return scoped(Ticket, actor, "tickets.dispatch").filter(pk=ticket.pk).exists()


def ticket_rate_by_resident(*, ticket, resolved: bool, satisfaction: str, note: str = "") -> Ticket:
    """The resident's own verdict from the tracking page (no account: the code and the
    phone's last four digits were checked by the caller)."""
    return ticket_follow_up(
        actor=None, ticket=ticket, resolved=resolved, satisfaction=satisfaction, note=note
    )


@transaction.atomic
def ticket_edit(*, actor, ticket, version: int, **changes) -> Ticket:
    """Change the description fields; refused when someone else changed the ticket first."""
    editable = {"title", "description", "category", "ledger", "priority", "extra", "sensitive"}
    unknown = set(changes) - editable
    if unknown:
        raise ValidationError(
            _("These fields cannot be edited: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    _require(actor, "tickets.create", "tickets.handle", "tickets.dispatch")
    if "sensitive" in changes:
        _require(actor, "tickets.sensitive")
    ticket = _locked(ticket, version)
    if ("ledger" in changes or "category" in changes) and not may_classify(actor, ticket):
        raise PermissionDenied
    _check_ledger(ticket.campaign, changes.get("ledger", ""), changes.get("category", ""))
    if "title" in changes:
        changes["title"] = mask_text_identifiers(changes["title"].strip())[:120]
    for name, value in changes.items():
        setattr(ticket, name, value)
    return _apply(
        ticket,
        actor=actor,
        action="edit",
        fields=list(changes),
        detail={"fields": sorted(k for k in changes if k != "sensitive")},
    )


def may_classify(actor, ticket) -> bool:
    """Who files a demand into a ledger and category of its campaign after it was registered:
    an account that may dispatch this ticket, its handling unit, or the cadre who registered
    it (as ticket_edit's permissions, narrowed to this ticket)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if scoped(Ticket, actor, "tickets.dispatch").filter(pk=ticket.pk).exists():
        return True
    if scope_for(actor).has("tickets.handle") and handles_for_unit(actor, ticket):
        return True
    return ticket.created_by_id == actor.pk and scope_for(actor).has("tickets.create")


@transaction.atomic
def ticket_classify(
    *, actor, ticket, ledger: str | None = None, category: str | None = None, version: int | None = None
) -> Ticket:
    """File the demand into another ledger or category of its own campaign (None keeps one).
    The deadline stays: once dispatched, only an approved extension moves it."""
    _require(actor, "tickets.create", "tickets.handle", "tickets.dispatch")
    ticket = _locked(ticket, version)
    if not may_classify(actor, ticket):
        raise PermissionDenied
    if not workflow.allowed("classify", ticket.status):
        _refuse(ticket, "classify")
    changed = _classification(ticket, ledger, category)
    if not changed:
        return ticket
    return _apply(ticket, actor=actor, action="classify", fields=list(changed), detail=changed)


def may_reveal_contact(actor, ticket) -> bool:
    """Who may see the contact's full phone: the handling unit that must call the resident (who
    took the ticket or handles for its unit), and an account that may dispatch this ticket."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if scope_for(actor).has("tickets.handle") and handles_for_unit(actor, ticket):
        return True
    return scoped(Ticket, actor, "tickets.dispatch").filter(pk=ticket.pk).exists()


def ticket_contact_reveal(*, actor, ticket, reason: str) -> str:
    """The contact's full phone, shown once: a permission over this ticket, a reason, and one
    audit row per reveal (personal.unmask, as a member's identifiers; a refusal too)."""
    if not may_reveal_contact(actor, ticket):
        audit_record(
            action="personal.unmask",
            obj=ticket,
            user=actor,
            result="denied",
            detail={"field": "contact_phone"},
        )
        raise PermissionDenied(_("You are not allowed to see this demand's contact phone in full."))
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError(
            {"reason": [_("Give a reason of at least 4 characters for seeing the full value.")]}
        )
    if not ticket.contact_phone:
        raise ValidationError(_("This demand has no contact phone."))
    audit_record(
        action="personal.unmask",
        obj=ticket,
        user=actor,
        detail={"field": "contact_phone", "reason": reason[:200]},
    )
    return ticket.contact_phone.reveal()


# Deadline extensions (延期) ---------------------------------------------------------------


def handles_for_unit(actor, ticket) -> bool:
    """The actor acts for the ticket's handling unit: took it, or handles for that unit (a
    grant over the unit's subtree). An office reaching the ticket by region is not its unit."""
    if ticket.unit_id is None:
        return False
    if ticket.owner_id is not None and ticket.owner_id == actor.pk:
        return True
    path = ticket.unit.path
    return any(
        "tickets.handle" in g.permissions and any(path.startswith(p) for p in g.unit_paths)
        for g in scope_for(actor).grants
    )


def _pending_extension(ticket) -> DeadlineExtension | None:
    return DeadlineExtension.objects.filter(ticket=ticket, status=DeadlineExtension.Status.PENDING).first()


def extension_max_days(campaign) -> int:
    return int(workflow.campaign_deadlines(campaign)["extension_max_days"])


@transaction.atomic
def ticket_extend(*, actor, ticket, new_deadline: dt.date, reason: str, version: int | None = None) -> Ticket:
    """The handling unit asks for more time: a new last day and why. The deadline moves
    only when an office approves; until then an overdue ticket stays overdue."""
    _require(actor, "tickets.handle")
    ticket = _locked(ticket, version)
    if not handles_for_unit(actor, ticket):
        raise PermissionDenied
    if not workflow.allowed("extend", ticket.status):
        _refuse(ticket, "extend")
    if _pending_extension(ticket) is not None:
        raise TransitionRefused(
            _("A request for more time is already waiting for a decision on this demand."),
            code="extension_pending",
        )
    errors = {}
    reason = (reason or "").strip()
    if len(reason) < 2:
        errors["reason"] = [_("Say why more time is needed.")]
    if not isinstance(new_deadline, dt.date):
        errors["new_deadline"] = [_("Give the new last day as a date.")]
    else:
        current = timezone.localtime(ticket.deadline).date()
        limit = extension_max_days(ticket.campaign)
        if new_deadline <= current:
            errors["new_deadline"] = [
                _("The new last day must come after the present one (%(day)s).") % {"day": day_text(current)}
            ]
        elif new_deadline < timezone.localdate():
            errors["new_deadline"] = [_("The new last day must not lie in the past.")]
        elif (new_deadline - current).days > limit:
            errors["new_deadline"] = [
                ngettext(
                    "One extension may add at most %(n)s day: the last day may be %(day)s at the latest.",
                    "One extension may add at most %(n)s days: the last day may be %(day)s at the latest.",
                    limit,
                )
                % {"n": limit, "day": day_text(current + dt.timedelta(days=limit))}
            ]
    if errors:
        raise ValidationError(errors)
    extension = DeadlineExtension.objects.create(
        ticket=ticket,
        unit=ticket.unit,
        reason=reason,
        old_deadline=ticket.deadline,
        new_deadline=workflow.end_of_day(new_deadline),
        requested_by=actor,
    )
    return _apply(
        ticket,
        actor=actor,
        action="extend",
        reason=reason,
        detail={"extension": extension.pk, "new_deadline": new_deadline.isoformat()},
    )


def _decidable(actor, ticket, action) -> tuple[Ticket, DeadlineExtension]:
    if not scoped(Ticket, actor, "tickets.dispatch").filter(pk=ticket.pk).exists():
        raise PermissionDenied
    if not workflow.allowed(action, ticket.status):
        _refuse(ticket, action)
    extension = _pending_extension(ticket)
    if extension is None:
        raise TransitionRefused(_("No request for more time waits on this demand."), code="no_extension")
    if extension.requested_by_id == actor.pk or handles_for_unit(actor, ticket):
        # Nobody decides their own request, nor one of the unit they act for.
        raise PermissionDenied
    return ticket, extension


@transaction.atomic
def ticket_extend_approve(*, actor, ticket, reason: str = "", version: int | None = None) -> Ticket:
    """The office grants the request: the ticket's deadline becomes the day asked for, so
    its overdue flag and the on-time figures follow the new deadline."""
    _require(actor, "tickets.dispatch")
    ticket, extension = _decidable(actor, _locked(ticket, version), "extend_approve")
    old = ticket.deadline
    ticket.deadline = extension.new_deadline
    extension.status = DeadlineExtension.Status.APPROVED
    extension.decided_by, extension.decided_at = actor, timezone.now()
    extension.decision_reason = (reason or "").strip()
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return _apply(
        ticket,
        actor=actor,
        action="extend_approve",
        reason=extension.decision_reason,
        fields=["deadline"],
        detail={
            "extension": extension.pk,
            "old_deadline": old.isoformat(),
            "new_deadline": ticket.deadline.isoformat(),
        },
    )


@transaction.atomic
def ticket_extend_refuse(*, actor, ticket, reason: str, version: int | None = None) -> Ticket:
    """The office refuses the request, saying why; the deadline stays."""
    _require(actor, "tickets.dispatch")
    reason = _reason_required(reason)
    ticket, extension = _decidable(actor, _locked(ticket, version), "extend_refuse")
    extension.status = DeadlineExtension.Status.REFUSED
    extension.decided_by, extension.decided_at = actor, timezone.now()
    extension.decision_reason = reason
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return _apply(
        ticket, actor=actor, action="extend_refuse", reason=reason, detail={"extension": extension.pk}
    )


ACTION_LABELS = {}


def _labels():
    from django.utils.translation import gettext_lazy

    return {
        "register": gettext_lazy("registered"),
        "dispatch": gettext_lazy("dispatched"),
        "claim": gettext_lazy("taken"),
        "start": gettext_lazy("started"),
        "reply": gettext_lazy("replied"),
        "verify": gettext_lazy("verified"),
        "close": gettext_lazy("closed"),
        "escalate": gettext_lazy("escalated"),
        "return": gettext_lazy("returned"),
        "reopen": gettext_lazy("reopened"),
        "merge": gettext_lazy("merged"),
        "follow_up": gettext_lazy("followed up"),
        "edit": gettext_lazy("edited"),
        "classify": gettext_lazy("filed into a ledger and category"),
        "extend": gettext_lazy("extension requested"),
        "extend_approve": gettext_lazy("extension approved"),
        "extend_refuse": gettext_lazy("extension refused"),
    }


ACTION_LABELS.update(_labels())
