from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.core.audit import audit_list_read, audit_record
from minqing.core.files import XLSX, serve_attachment, temp_file_download
from minqing.core.forms import add_errors
from minqing.core.paging import paginate, paginate_by_ids, query_without_page
from minqing.core.params import id_param
from minqing.core.scope import require_permission, scope_for, scoped
from minqing.geo.models import Region
from minqing.geo.selectors import region_list
from minqing.ledgers.definitions import ALL_DEMANDS
from minqing.ledgers.services import ledger_export
from minqing.org.models import Unit
from minqing.programs.selectors import campaign_get, campaign_list

from . import documents, selectors, services, workflow
from .forms import TicketActForm, TicketFilterForm, TicketForm
from .models import Channel, Satisfaction, Ticket, Tier

STAFF_CHANNELS = [(c, label) for c, label in Channel.choices if c not in (Channel.QR, Channel.OPEN311)]


def _campaigns(user):
    return list(campaign_list(user=user).filter(status="running"))


def ticket_list(request):
    """The dispatch board: every ticket in scope, filtered."""
    require_permission(request.user, selectors.VIEW)
    campaigns = _campaigns(request.user)
    regions = region_list(user=request.user).filter(level__lte=Region.Level.TOWNSHIP)
    units = scoped(Unit, request.user, "org.view").filter(kind__in=[Unit.Kind.BODY, Unit.Kind.TOWNSHIP])
    form = TicketFilterForm(request.GET or None, campaigns=campaigns, regions=regions, units=units)
    tickets = selectors.ticket_list(user=request.user)
    filters = {}
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            filters = {**data, "overdue": data["overdue"] or None}
            unit = Unit.objects.filter(pk=data["unit"]).first() if data["unit"] else None
            tickets = selectors.ticket_list(
                user=request.user,
                campaign=data["campaign"],
                ledger=data["ledger"],
                category=data["category"],
                status=data["status"],
                tier=data["tier"],
                overdue=data["overdue"],
                region=data["region"],
                unit=unit,
                q=data["q"],
            )
        else:
            tickets = tickets.none()
    page = paginate_by_ids(request, tickets, selectors.tickets_for_list)
    # Titles are the residents' own words (names, addresses): the read is recorded, as the API's.
    audit_list_read(action="ticket.list", user=request.user, page=page, filters=filters)
    return render(
        request,
        "tickets/ticket_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "now": timezone.now(),
            "can_create": scope_for(request.user).has("tickets.create"),
            "can_dispatch": scope_for(request.user).has("tickets.dispatch"),
            "campaigns": campaigns,
        },
    )


def ticket_mine(request):
    """My tickets: the reminder list, soonest deadline first, overdue flagged."""
    require_permission(request.user, selectors.VIEW)
    page = paginate_by_ids(request, selectors.my_tickets(user=request.user), selectors.tickets_for_list)
    audit_list_read(action="ticket.list", user=request.user, page=page, filters={"mine": True})
    return render(request, "tickets/ticket_mine.html", {"page": page, "now": timezone.now()})


def extension_list(request):
    """Requests for more time (延期) waiting for the office's decision, the oldest first."""
    require_permission(request.user, "tickets.dispatch")
    page = paginate(request, selectors.pending_extensions(user=request.user))
    audit_list_read(action="ticket.list", user=request.user, page=page, filters={"extensions": True})
    return render(request, "tickets/extension_list.html", {"page": page, "now": timezone.now()})


def ticket_create(request):
    require_permission(request.user, "tickets.create")
    campaigns = _campaigns(request.user)
    villages = list(selectors.demand_villages(user=request.user))
    sensitive = selectors.can_see_case_fields(request.user)
    form = TicketForm(
        request.POST or None,
        campaigns=campaigns,
        villages=villages,
        channels=STAFF_CHANNELS,
        sensitive=sensitive,
        campaign=id_param(request.GET.get("campaign")),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_get(user=request.user, pk=data["campaign"])
            region = form.villages[data["region"]]
            case = {k: data.get(k, "") for k in documents.CASE_FIELDS if data.get(k)}
            ticket = services.ticket_create(
                actor=request.user,
                campaign=campaign,
                ledger=data["ledger"],
                category=data["category"],
                channel=data["channel"],
                title=data["title"],
                description=data["description"],
                region=region,
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                tier=data["tier"],
                priority=data["priority"],
                sensitive=case or None,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Demand %(code)s registered.") % {"code": ticket.code})
            return redirect("tickets:ticket-detail", pk=ticket.pk)
    return render(
        request,
        "tickets/ticket_create.html",
        {"form": form, "nothing_to_register": not campaigns or not villages},
    )


def ticket_photo(request, pk: int):
    """The photo sent with a demand, to whoever may see the demand (an attachment, sandboxed)."""
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    if not ticket.photo:
        raise Http404
    audit_record(action="ticket.photo.view", obj=ticket, user=request.user)
    return serve_attachment(
        request, ticket.photo.name, f"{ticket.code}.{ticket.photo.name.rsplit('.', 1)[-1]}"
    )


@require_POST
def ticket_reveal(request, pk: int):
    """The contact's full phone, for the unit that must call the resident or the office that
    dispatches the demand: a reason and an audit row per reveal (in the service). htmx gets
    the fragment; a plain form post gets a page (never a stored message)."""
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    context = {"ticket": ticket}
    try:
        context["value"] = services.ticket_contact_reveal(
            actor=request.user, ticket=ticket, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
    if request.headers.get("HX-Request"):
        return render(request, "tickets/ticket_reveal.html", context)
    return render(
        request, "tickets/ticket_reveal_page.html", context, status=400 if "error" in context else 200
    )


def ticket_detail(request, pk: int):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    if ticket.contact_name or ticket.contact_phone:
        # The resident's name and (masked) phone are shown: a read of personal data.
        audit_list_read(action="ticket.view", user=request.user, obj=ticket, shown=1)
    return _ticket_detail_page(request, ticket)


def _ticket_detail_page(request, ticket, form=None, refused=None):
    """A demand; `form` is a refused step of its workflow (the action `refused`), shown in
    its own form as it was sent, each error beside its field."""
    scope = scope_for(request.user)
    possible = set(workflow.actions_from(ticket.status))
    can = {
        "dispatch": scope.has("tickets.dispatch") and "dispatch" in possible,
        "claim": scope.has("tickets.handle")
        and "claim" in possible
        and ticket.unit_id
        and not ticket.owner_id,
        "start": scope.has("tickets.handle") and "start" in possible,
        "reply": scope.has("tickets.handle") and "reply" in possible,
        "verify": scope.has("tickets.dispatch") and "verify" in possible,
        "close": scope.has("tickets.dispatch") and "close" in possible and ticket.replied_at,
        "escalate": (scope.has("tickets.handle") or scope.has("tickets.dispatch")) and "escalate" in possible,
        "return": (scope.has("tickets.handle") or scope.has("tickets.dispatch")) and "return" in possible,
        "reopen": scope.has("tickets.dispatch") and "reopen" in possible,
        "merge": scope.has("tickets.dispatch") and "merge" in possible,
        "follow_up": services.may_follow_up(request.user, ticket) and "follow_up" in possible,
        "classify": "classify" in possible and services.may_classify(request.user, ticket),
        "reveal": bool(ticket.contact_phone) and services.may_reveal_contact(request.user, ticket),
    }
    extensions = list(ticket.extensions.select_related("requested_by", "decided_by"))
    can.update(_extension_steps(request.user, ticket, possible, extensions))
    events = list(ticket.events.all())
    for event in events:
        event.label = services.ACTION_LABELS.get(event.action, event.action)
    context = {
        "ticket": ticket,
        "events": events,
        "can": can,
        "tiers": Tier.choices,
        "satisfactions": Satisfaction.choices,
        "now": timezone.now(),
        "category_name": _config_name(ticket, "ticket_categories", ticket.category),
        "ledger_name": _config_name(ticket, "ledgers", ticket.ledger),
        "form": form or TicketActForm(),
        "extensions": extensions,
        "pending_extension": next((e for e in extensions if e.status == e.Status.PENDING), None),
        "extension_max_days": services.extension_max_days(ticket.campaign),
        "refused": refused,
        # The dispatch form's choices: the demand's own, or those of a refused dispatch.
        "chosen": {
            "unit": ticket.unit_id,
            "tier": ticket.tier,
            "leader": ticket.leader_id,
            "ledger": ticket.ledger,
            "category": ticket.category,
        },
        # The ledgers (of demands) and categories of the demand's campaign, to file it into.
        "ledgers": services.demand_ledgers(ticket.campaign),
        "categories": services.ticket_categories(ticket.campaign),
    }
    if refused in ("dispatch", "classify"):
        context["chosen"].update(ledger=form["ledger"].value() or "", category=form["category"].value() or "")
    if refused == "dispatch":
        context["chosen"].update(
            unit=id_param(form["unit"].value()),
            tier=form["tier"].value(),
            leader=id_param(form["leader"].value()),
        )
    if can["dispatch"]:
        context["units"] = scoped(Unit, request.user, "org.view").select_related("parent").order_by("path")
        context["leaders"] = selectors.leader_choices(user=request.user)[:500]
    if selectors.can_see_case_fields(request.user):
        labels = documents.case_field_labels()
        context["case_fields"] = [(labels[k], ticket.sensitive.get(k, "")) for k in documents.CASE_FIELDS]
    return render(request, "tickets/ticket_detail.html", context)


def _extension_steps(user, ticket, possible, extensions) -> dict:
    """Who sees the steps of an extension: the ticket's own unit asks, an account that may
    dispatch the ticket, and does not act for its unit, decides a request waiting (the
    services check the same)."""
    if "extend" not in possible:
        return {"extend": False, "extend_decide": False}
    pending = next((e for e in extensions if e.status == e.Status.PENDING), None)
    decide = (
        pending is not None
        and pending.requested_by_id != user.pk
        and not services.handles_for_unit(user, ticket)
        and scoped(Ticket, user, "tickets.dispatch").filter(pk=ticket.pk).exists()
    )
    return {
        "extend": pending is None and services.handles_for_unit(user, ticket),
        "extend_decide": decide,
    }


def _config_name(ticket, section, key):
    if not key or not ticket.campaign:
        return key
    return next((i["name"] for i in ticket.campaign.config.get(section, []) if i["key"] == key), key)


@require_POST
def ticket_act(request, pk: int):
    """One step of the workflow from the detail page; a stale version is refused."""
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    form = TicketActForm(request.POST)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    common = {"actor": request.user, "ticket": ticket, "version": version}
    stale = _("Someone changed this demand in the meantime; here is its current state.")
    if version is not None and version != ticket.version:
        # Checked before the typed fields too: a form shown again must not carry a version
        # newer than the state its user saw.
        messages.error(request, stale)
        return redirect("tickets:ticket-detail", pk=pk)
    if not form.is_valid():
        return _ticket_detail_page(request, ticket, form=form, refused=action)
    data = form.cleaned_data
    try:
        if action == "dispatch":
            unit = scoped(Unit, request.user, "org.view").filter(pk=id_param(data["unit"])).first()
            if unit is None:
                raise ValidationError({"unit": [_("Choose the handling unit.")]})
            leader = None
            if id_param(data["leader"]) is not None:
                leader = (
                    selectors.leader_choices(user=request.user).filter(pk=id_param(data["leader"])).first()
                )
                if leader is None:
                    raise ValidationError({"leader": [_("Choose the leader in charge from the list.")]})
            done = services.ticket_dispatch(
                **common,
                unit=unit,
                tier=data["tier"] or None,
                leader=leader,
                ledger=data["ledger"],
                category=data["category"],
            )
        elif action == "classify":
            done = services.ticket_classify(**common, ledger=data["ledger"], category=data["category"])
        elif action == "claim":
            done = services.ticket_claim(**common)
        elif action == "start":
            done = services.ticket_start(**common)
        elif action == "reply":
            done = services.ticket_reply(**common, reply=data["reply"])
        elif action == "verify":
            done = services.ticket_verify(**common, reason=data["reason"])
        elif action == "close":
            done = services.ticket_close(**common, reason=data["reason"])
        elif action == "escalate":
            done = services.ticket_escalate(**common, reason=data["reason"])
        elif action == "return":
            done = services.ticket_return(**common, reason=data["reason"])
        elif action == "reopen":
            done = services.ticket_reopen(**common, reason=data["reason"])
        elif action == "merge":
            into = selectors.ticket_list(user=request.user).filter(code=data["into"].upper()).first()
            if into is None:
                raise ValidationError({"into": [_("No demand with this code in your scope.")]})
            done = services.ticket_merge(**common, into=into)
        elif action == "follow_up":
            done = services.ticket_follow_up(
                **common,
                resolved=data["resolved"] == "yes",
                satisfaction=data["satisfaction"],
                note=data["note"],
            )
        elif action == "extend":
            done = services.ticket_extend(**common, new_deadline=data["new_deadline"], reason=data["reason"])
        elif action == "extend_approve":
            done = services.ticket_extend_approve(**common, reason=data["reason"])
        elif action == "extend_refuse":
            done = services.ticket_extend_refuse(**common, reason=data["reason"])
        else:
            raise ValidationError(_("Unknown action."))
    except services.StaleTicket:
        messages.error(request, stale)
        return redirect("tickets:ticket-detail", pk=pk)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            # The step is not open to this demand in its present state (or unknown): its
            # form may be gone from the page, and a button has nothing typed to keep.
            messages.error(request, " ".join(exc.messages))
            return redirect("tickets:ticket-detail", pk=pk)
        # A typed field refused (a reply, a reason, a code to merge into, a follow-up):
        # the page again with what was typed and why, in the form of that step.
        add_errors(form, exc)
        return _ticket_detail_page(request, ticket, form=form, refused=action)
    if done.status != ticket.status:
        # Said in the status's own words, as the page then shows it (答复, not a synonym).
        messages.success(
            request, _("Done: the demand is now “%(status)s”.") % {"status": done.get_status_display()}
        )
    else:
        messages.success(
            request, _("Done: %(action)s.") % {"action": services.ACTION_LABELS.get(action, action)}
        )
    return redirect("tickets:ticket-detail", pk=pk)


def ticket_export(request):
    """One ledger of a campaign as Excel (?campaign=ID&ledger=KEY); without a ledger, every
    demand of the campaign. Both streamed by the ledgers app, in the user's scope."""
    require_permission(request.user, selectors.VIEW)
    try:
        campaign_pk = int(request.GET.get("campaign", ""))
    except ValueError:
        campaign_pk = 0
    campaign = campaign_get(user=request.user, pk=campaign_pk)
    key = request.GET.get("ledger", "") or ALL_DEMANDS
    try:
        return temp_file_download(
            lambda path: ledger_export(actor=request.user, campaign=campaign, key=key, path=path).filename,
            suffix=".xlsx",
            content_type=XLSX,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tickets:ticket-list")


def ticket_figures(request):
    """The four rates by unit, township, ledger, category or month."""
    require_permission(request.user, selectors.VIEW)
    by = request.GET.get("by", "unit")
    if by not in selectors.GROUPINGS:
        by = "unit"
    rows = selectors.rates(user=request.user, by=by)
    names = selectors.group_labels(by, [r["group"] for r in rows], user=request.user)
    for row in rows:
        row["label"] = names.get(row["group"], row["group"]) or "—"
    return render(
        request,
        "tickets/ticket_figures.html",
        {"rows": rows, "by": by, "groupings": grouping_labels()},
    )


def grouping_labels():  # noqa: N802 - a table of labels, translated when shown
    return [
        ("unit", _("Handling unit")),
        ("township", _("Township")),
        ("ledger", _("Ledger")),
        ("category", _("Category")),
        ("month", _("Month")),
    ]


__all__ = ["Ticket"]
