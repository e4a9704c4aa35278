"""Open311 GeoReport v2 at /open311/v2/, in JSON and XML.

Services are the demand categories of running campaigns (code `<campaign>-<category>`; a
demand in no category has the code `<campaign>`);
a jurisdiction is a region code (e.g. 431123 for a county). Requests are tickets: their
status maps to open/closed, the reply is the status note. Reading is public, so a
request shows no contact and no personal data, and a description only when it was
itself filed through Open311. Filing needs an API token as `api_key`."""

import datetime as dt
from xml.etree import ElementTree as ET

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from minqing.core import context
from minqing.core.identity import mask_text_identifiers
from minqing.core.treecode import prefix_q
from minqing.geo.models import Region
from minqing.org.services import token_authenticate
from minqing.programs.models import Campaign

from . import services
from .models import Channel, Status, Ticket

CLOSED = (Status.CLOSED, Status.MERGED)
MAX_REQUESTS = 1000


def _xml_value(parent, tag, value):
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_value(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _xml_value(element, tag[:-1] if tag.endswith("s") else "item", item)
    elif value is not None:
        element.text = str(value).lower() if isinstance(value, bool) else str(value)


def _render(data, fmt: str, *, root: str, item: str, status: int = 200):
    if fmt == "json":
        return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    top = ET.Element(root)
    for entry in data if isinstance(data, list) else [data]:
        element = ET.SubElement(top, item) if isinstance(data, list) else top
        for key, value in entry.items():
            _xml_value(element, key, value)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)


def _error(fmt, code: int, description: str):
    return _render(
        [{"code": code, "description": description}], fmt, root="errors", item="error", status=code
    )


def _campaigns(jurisdiction: str):
    qs = Campaign.objects.filter(status=Campaign.Status.RUNNING).select_related("region").order_by("id")
    if jurisdiction:
        if not jurisdiction.isdigit():
            return qs.none()
        qs = qs.filter(prefix_q("region_id", jurisdiction))
    return qs


def _services(jurisdiction: str) -> list[dict]:
    return [
        {
            "service_code": service_code(c.pk, cat["key"]),
            "service_name": cat["name"],
            "description": cat.get("description", ""),
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": c.name,
        }
        for c in _campaigns(jurisdiction)
        for cat in c.config.get("ticket_categories", [])
    ]


def _iso(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def service_code(campaign_id: int, category: str) -> str:
    """`<campaign>-<category>`; a demand in no category has the campaign's id alone (which
    the service_code filter reads back as the campaign's demands in no category)."""
    return f"{campaign_id}-{category}" if category else str(campaign_id)


def _category_names(tickets) -> dict:
    """The services' names of the categories of these demands' campaigns, by (campaign, key):
    one query, reading each campaign's configuration once."""
    ids = {t.campaign_id for t in tickets}
    return {
        (pk, item.get("key")): item.get("name", "")
        for pk, config in Campaign.objects.filter(pk__in=ids).values_list("pk", "config")
        for item in config.get("ticket_categories", [])
    }


def _request_out(t: Ticket, names: dict) -> dict:
    # The feed is public: a demand's words, its reply and its position only when it was filed
    # here (its filer chose to publish it); of the others (a resident's at a visit, by phone,
    # from a card: the reply often names them), the status alone.
    published = t.channel == Channel.OPEN311
    return {
        "service_request_id": t.code,
        "status": "closed" if t.status in CLOSED else "open",
        "status_notes": (t.masked_reply if published else "") or t.get_status_display(),
        "service_name": names.get((t.campaign_id, t.category), t.category),
        "service_code": service_code(t.campaign_id, t.category),
        "description": t.masked_description if published else "",
        "agency_responsible": t.unit.name if t.unit else "",
        "service_notice": "",
        "requested_datetime": _iso(t.registered_at),
        "updated_datetime": _iso(t.replied_at or t.accepted_at or t.registered_at),
        "expected_datetime": _iso(t.deadline),
        "address": t.region.name,
        "address_id": t.region_id,
        "zipcode": "",
        "lat": t.lat if published else None,
        "long": t.long if published else None,
        "media_url": "",
    }


@login_not_required
@require_GET
def discovery(request, fmt):
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": "2026-01-01T00:00:00+08:00",
        "contact": "",
        "key_service": "",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-01-01T00:00:00+08:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _render(data, fmt, root="discovery", item="discovery")


@login_not_required
@require_GET
def service_list(request, fmt):
    return _render(_services(request.GET.get("jurisdiction_id", "")), fmt, root="services", item="service")


@login_not_required
@require_GET
def service_definition(request, code, fmt):
    if not any(s["service_code"] == code for s in _services(request.GET.get("jurisdiction_id", ""))):
        return _error(fmt, 404, "service_code not found")
    return _render(
        {"service_code": code, "attributes": []}, fmt, root="service_definition", item="service_definition"
    )


def _parse_when(text: str):
    if not text:
        return None
    value = parse_datetime(text.replace("Z", "+00:00"))
    if value is None:
        raise ValueError(text)
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _tickets(jurisdiction: str):
    qs = Ticket.objects.select_related("region", "unit").exclude(campaign__isnull=True)
    if jurisdiction:
        qs = qs.filter(prefix_q("region_id", jurisdiction)) if jurisdiction.isdigit() else qs.none()
    return qs


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def request_list(request, fmt):
    if request.method == "POST":
        return _request_create(request, fmt)
    params = request.GET
    qs = _tickets(params.get("jurisdiction_id", ""))
    ids = [c.strip().upper() for c in params.get("service_request_id", "").split(",") if c.strip()]
    if ids:
        qs = qs.filter(code__in=ids)
    else:
        codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
        if codes:
            condition = Q(pk__in=[])
            for code in codes:
                campaign, _, category = code.partition("-")
                if campaign.isdigit():
                    condition |= Q(campaign_id=int(campaign), category=category)
            qs = qs.filter(condition)
        try:
            start, end = _parse_when(params.get("start_date", "")), _parse_when(params.get("end_date", ""))
        except ValueError:
            return _error(fmt, 400, "start_date and end_date are w3 datetimes, e.g. 2026-01-01T00:00:00Z")
        if not start and not end:
            start = timezone.now() - dt.timedelta(days=90)
        if start:
            qs = qs.filter(registered_at__gte=start)
        if end:
            qs = qs.filter(registered_at__lte=end)
        statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
        if statuses == {"open"}:
            qs = qs.exclude(status__in=CLOSED)
        elif statuses == {"closed"}:
            qs = qs.filter(status__in=CLOSED)
    tickets = list(qs.order_by("-registered_at", "-id")[:MAX_REQUESTS])
    names = _category_names(tickets)
    rows = [_request_out(t, names) for t in tickets]
    return _render(rows, fmt, root="service_requests", item="request")


def _request_create(request, fmt):
    account = token_authenticate(request.POST.get("api_key", ""))
    if account is None:
        return _error(fmt, 403, "a valid api_key is required")
    context.set_user(account)
    code = request.POST.get("service_code", "")
    campaign_pk, _, category = code.partition("-")
    campaign = Campaign.objects.filter(
        pk=int(campaign_pk) if campaign_pk.isdigit() else 0, status="running"
    ).first()
    if campaign is None or category not in {c["key"] for c in campaign.config.get("ticket_categories", [])}:
        return _error(fmt, 400, "service_code not found")
    region = Region.objects.filter(code=request.POST.get("address_id", "")).first()
    if region is None or not region.code.startswith(campaign.region.prefix):
        region = campaign.region
    description = request.POST.get("description", "").strip()
    name = " ".join(p for p in (request.POST.get("last_name", ""), request.POST.get("first_name", "")) if p)
    try:
        lat = float(request.POST["lat"]) if request.POST.get("lat") else None
        long = float(request.POST["long"]) if request.POST.get("long") else None
        ticket = services.ticket_create(
            actor=account,
            campaign=campaign,
            channel=Channel.OPEN311,
            category=category,
            title=mask_text_identifiers(description).splitlines()[0][:40] if description else category,
            description=description,
            region=region,
            contact_name=name,
            contact_phone=request.POST.get("phone", ""),
            lat=lat,
            long=long,
        )
    except (ValidationError, ValueError) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        return _error(fmt, 400, " ".join(messages))
    out = [{"service_request_id": ticket.code, "service_notice": "", "account_id": None}]
    return _render(out, fmt, root="service_requests", item="request", status=201)


@login_not_required
@require_GET
def request_detail(request, code, fmt):
    ticket = _tickets(request.GET.get("jurisdiction_id", "")).filter(code=code.upper()).first()
    if ticket is None:
        return _error(fmt, 404, "service_request_id not found")
    return _render(
        [_request_out(ticket, _category_names([ticket]))], fmt, root="service_requests", item="request"
    )


@login_not_required
@require_GET
def token_detail(request, token, fmt):
    # Requests are registered at once, so a token is the request's own id.
    ticket = Ticket.objects.filter(code=token.upper()).first()
    if ticket is None:
        return _error(fmt, 404, "token not found")
    return _render(
        [{"service_request_id": ticket.code, "token": ticket.code}],
        fmt,
        root="service_requests",
        item="request",
    )
