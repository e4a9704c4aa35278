"""The resident's pages, without an account: file a demand from the liaison card's QR
code, then follow it with the tracking code and the last four digits of the phone, and
give a verdict on the reply. CSRF-protected and rate-limited per IP and per phone."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from minqing.core import context
from minqing.core.audit import audit_record
from minqing.core.identity import mask_text_identifiers, normalize_phone
from minqing.core.models import AuditEvent
from minqing.geo.models import Region
from minqing.org.models import Cadre
from minqing.programs.models import Campaign, LiaisonPoint

from . import selectors, services
from .forms import PublicIntakeForm, RateForm, TrackForm
from .models import Channel, DeadlineExtension, Satisfaction, Status, Ticket
from .ratelimit import Limited, hit
from .workflow import allowed

HOUR, DAY = 3600, 86400


def _too_many(request, template, retry_after: int, extra=None):
    response = render(
        request,
        template,
        {"limited": True, **(extra or {})},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def _campaign(request):
    try:
        return (
            Campaign.objects.select_related("region")
            .filter(status="running")
            .get(pk=int(request.GET.get("c", "")))
        )
    except (ValueError, Campaign.DoesNotExist):
        return None


def _campaign_over(village: Region):
    """The running campaign a demand filed without a card belongs to: of those running today
    over the village, the nearest (a township's before the county's), then the latest begun.
    Without one the demand would be in no campaign's ledger, figures or Open311 feed."""
    today = timezone.localdate()
    codes = {village.code[:digits].ljust(12, "0") for digits in (2, 4, 6, 9, 12)}
    running = (
        Campaign.objects.select_related("region")
        .filter(status="running", region_id__in=codes, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
    )
    return max(running, key=lambda c: (len(c.region.prefix), c.start, c.pk), default=None)


def _card_target(request, campaign):
    """The point (p) and cadre (k) of the liaison card whose QR code was scanned, if they
    belong to the campaign's region; the demand is filed at that point."""
    if campaign is None:
        return None, None
    point = cadre = None
    if request.GET.get("p", "").isdigit():
        point = (
            LiaisonPoint.objects.select_related("region")
            .filter(pk=int(request.GET["p"]), region__code__startswith=campaign.region.prefix)
            .first()
        )
    if point is not None and request.GET.get("k", "").isdigit():
        cadre = Cadre.objects.select_related("account", "unit").filter(pk=int(request.GET["k"])).first()
    return point, cadre


@login_not_required
def public_intake(request):
    campaign = _campaign(request)
    villages = (
        Region.objects.filter(level=Region.Level.VILLAGE).select_related("parent__parent").order_by("code")
    )
    if campaign is not None:
        villages = villages.filter(code__startswith=campaign.region.prefix)
    categories = [
        (c["key"], c["name"]) for c in (campaign.config.get("ticket_categories", []) if campaign else [])
    ]
    point, cadre = _card_target(request, campaign)
    initial = {"village": point.region_id[:12]} if point is not None else {}
    form = PublicIntakeForm(
        request.POST or None, request.FILES or None, villages=villages, categories=categories, initial=initial
    )
    ctx = {"form": form, "campaign": campaign, "point": point, "cadre": cadre}
    if request.method == "POST":
        try:
            hit("intake-ip", context.current().ip or "-", limit=settings.INTAKE_PER_IP_PER_HOUR, window=HOUR)
            if form.is_valid():
                phone = normalize_phone(form.cleaned_data["phone"])
                hit("intake-phone", phone, limit=settings.INTAKE_PER_PHONE_PER_DAY, window=DAY)
        except Limited as limited:
            return _too_many(request, "tickets/public_intake.html", limited.retry_after, ctx)
        if form.is_valid():
            data = form.cleaned_data
            text = data["text"].strip()
            region = villages.get(code=data["village"])
            try:
                ticket = services.ticket_create(
                    actor=None,
                    campaign=campaign or _campaign_over(region),
                    channel=Channel.QR,
                    # From the masked text: cut first, a number would lose the digits that
                    # make it one and keep the rest unmasked.
                    title=mask_text_identifiers(text).splitlines()[0][:40],
                    description=text,
                    region=region,
                    category=data.get("category", ""),
                    contact_name=data["name"],
                    contact_phone=data["phone"],
                    point=point,
                    photo=data.get("photo"),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error({"contact_phone": "phone"}.get(field, None), errors)
            else:
                return render(request, "tickets/public_intake_done.html", {"ticket": ticket})
    return render(request, "tickets/public_intake.html", ctx)


def public_status(ticket) -> str:
    """The status as the resident reads it. A dispatch leaves the status at registered (the
    unit has yet to take it), but the resident should see that it went to a unit; and a
    demand a unit sent back as not its own waits to be dispatched again, it is not refused."""
    if ticket.status == Status.REGISTERED and ticket.unit_id:
        return pgettext("public status", "Dispatched")
    if ticket.status == Status.RETURNED:
        return pgettext("public status", "Being dispatched again")
    return ticket.get_status_display()


def _can_rate(ticket) -> bool:
    if not allowed("follow_up", ticket.status):
        return False
    return not ticket.satisfaction or (ticket.followed_up_at and ticket.replied_at > ticket.followed_up_at)


def _audit_track(code: str, ticket) -> None:
    """A lookup shows the demand's status, the resident's words and the reply (numbers masked):
    a read of it, one row, by no account, from the address the request came from (as every
    row). A lookup that matched nothing is a row too, failed, naming the demand whose code was
    typed if there is one, so that guesses at its digits show in the trail. Named by its code
    (no secret: the digits are), never its title; the digits typed are never kept."""
    if ticket is not None:
        audit_record(action="ticket.track", obj=ticket, object_repr=ticket.code, detail={"shown": 1})
        return
    named = selectors.ticket_tracked(code=code)
    audit_record(
        action="ticket.track",
        result=AuditEvent.Result.FAILED,
        object_type=Ticket._meta.label_lower,
        object_id=str(named[0]) if named else "",
        object_repr=named[1] if named else "",
        detail={"shown": 0},
    )


@login_not_required
def public_track(request):
    """POST only carries the code and digits, so they never land in a URL or a log."""
    form = TrackForm(request.POST or None)
    ctx = {"form": form}
    if request.method == "POST":
        try:
            hit("track-ip", context.current().ip or "-", limit=settings.TRACK_PER_IP_PER_HOUR, window=HOUR)
        except Limited as limited:
            return _too_many(request, "tickets/public_track.html", limited.retry_after, ctx)
        if form.is_valid():
            ticket = selectors.ticket_track(code=form.cleaned_data["code"], last4=form.cleaned_data["last4"])
            _audit_track(form.cleaned_data["code"], ticket)
            if ticket is None:
                ctx["not_found"] = True
            else:
                if "satisfaction" in request.POST and _can_rate(ticket):
                    rate = RateForm(request.POST)
                    if rate.is_valid():
                        services.ticket_rate_by_resident(
                            ticket=ticket,
                            resolved=rate.cleaned_data["resolved"],
                            satisfaction=rate.cleaned_data["satisfaction"],
                            note=rate.cleaned_data["note"],
                        )
                        ticket.refresh_from_db()
                        ctx["thanks"] = True
                    else:
                        ctx["rate_form"] = rate
                ctx["ticket"] = ticket
                ctx["status"] = public_status(ticket)
                # The resident's own words, so that one who holds two codes tells them apart;
                # an ID or phone number typed into them is masked (the code may be shared).
                ctx["words"] = ticket.masked_description or ticket.title
                # The deadline, moved by an approved extension (whose reason is not shown).
                ctx["extended"] = ticket.extensions.filter(status=DeadlineExtension.Status.APPROVED).exists()
                if _can_rate(ticket) and "rate_form" not in ctx:
                    ctx["rate_form"] = RateForm(
                        initial={"code": ticket.code, "last4": form.cleaned_data["last4"]}
                    )
                ctx["dissatisfied"] = ticket.satisfaction == Satisfaction.DISSATISFIED
    return render(request, "tickets/public_track.html", ctx)


__all__ = ["public_intake", "public_track", "_"]
