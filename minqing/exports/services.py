"""Personal-data exports. A masked export is one audited step; a full (unmasked) export
is requested with a reason, approved by a second person who may unmask that data,
capped, downloaded once by the requester, stamped and audited with its filter and rows."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core import ratelimit
from minqing.core.audit import audit_record
from minqing.core.dates import moment_text
from minqing.core.scope import scope_for, scoped
from minqing.geo.models import Region, region_short_name
from minqing.people import selectors as people_selectors
from minqing.people.models import HardshipLevel, Household, Tag
from minqing.people.search import masked_identifier

from .models import ExportRequest
from .roster import RosterRow, roster_workbook

FILTER_KEYS = ("region", "hardship", "tag", "q")


@dataclass
class ExportFile:
    path: str
    filename: str
    rows: int


def clean_filters(filters: dict) -> dict:
    """The household-list filters an export may use (the same as the list page)."""
    cleaned = {
        "region": str(filters.get("region") or ""),
        "hardship": filters.get("hardship"),
        "tag": str(filters.get("tag") or ""),
        "q": str(filters.get("q") or "")[:60],
    }
    if cleaned["region"] and not cleaned["region"].isdigit():
        raise ValidationError({"region": [_("Choose a region from the list.")]})
    if cleaned["hardship"] in ("", None):
        cleaned["hardship"] = None
    elif cleaned["hardship"] != "any":
        try:
            cleaned["hardship"] = int(cleaned["hardship"])
        except (TypeError, ValueError):
            raise ValidationError({"hardship": [_("Choose a hardship level from the list.")]}) from None
    if cleaned["tag"] and cleaned["tag"] not in Tag.values:
        raise ValidationError({"tag": [_("Unknown tag: %(tag)s") % {"tag": cleaned["tag"]}]})
    if masked_identifier(cleaned["q"]):
        # The filter is kept in the request and the audit trail: never a full identifier.
        raise ValidationError({"q": [_("An export cannot be filtered by an ID number or phone.")]})
    return cleaned


def describe_filters(filters: dict) -> str:
    parts = []
    if filters.get("region"):
        region = Region.objects.filter(code__startswith=filters["region"]).order_by("code").first()
        parts.append(_("region: %(name)s") % {"name": region.name if region else filters["region"]})
    if filters.get("hardship") == "any":
        parts.append(_("any hardship"))
    elif filters.get("hardship") is not None:
        parts.append(str(HardshipLevel(filters["hardship"]).label))
    if filters.get("tag"):
        parts.append(str(Tag(filters["tag"]).label))
    if filters.get("q"):
        parts.append(_("search: %(q)s") % {"q": filters["q"]})
    return "; ".join(parts) or _("all households in scope")


def _households(user, filters: dict):
    return people_selectors.household_list(user=user, **filters).select_related("region__parent", "head")


def _rows(queryset, *, unmasked: bool):
    for h in queryset.iterator(chunk_size=2000):
        head = h.head
        id_number = head.id_number if head else None
        phone = head.phone if head else None
        yield RosterRow(
            code=h.code,
            # A group with its village (柏利村五组), as the household list names it.
            region=region_short_name(h.region),
            address=h.address,
            head_name=head.name if head else "",
            head_id_number=(id_number.reveal() if unmasked else id_number.mask()) if id_number else "",
            head_phone=(phone.reveal() if unmasked else phone.mask()) if phone else "",
            size=h.size,
            economic_status=str(h.get_economic_status_display()),
            hardship=str(h.get_hardship_level_display()),
        )


def _count_rate(actor) -> None:
    ratelimit.hit("export", str(actor.pk), settings.EXPORT_RATE)


def _stamp(*, requester, approver, at: dt.datetime, masked: bool) -> str:
    when = moment_text(at)
    if masked:
        return _("Exported by %(requester)s at %(at)s · identifiers masked") % {
            "requester": f"{requester} ({requester.username})",
            "at": when,
        }
    return _(
        "Exported by %(requester)s, approved by %(approver)s, at %(at)s · contains full personal "
        "identifiers: do not pass on"
    ) % {
        "requester": f"{requester} ({requester.username})",
        "approver": f"{approver} ({approver.username})",
        "at": when,
    }


def household_export_masked(*, actor, filters: dict, path: str) -> ExportFile:
    """The roster with identifiers masked, written to `path`: anyone who may view the
    households may have it."""
    if not scope_for(actor).has("people.view"):
        raise PermissionDenied
    filters = clean_filters(filters)
    _count_rate(actor)
    now = timezone.now()
    queryset = _households(actor, filters)
    described = describe_filters(filters)
    rows = roster_workbook(
        _rows(queryset, unmasked=False),
        path=path,
        title=_("Household roster"),
        stamp=_stamp(requester=actor, approver=None, at=now, masked=True),
        facts=[(_("Filter"), described), (_("Exported by"), f"{actor} ({actor.username})")],
    )
    audit_record(
        action="export.households",
        user=actor,
        detail={"masked": True, "filters": filters, "rows": rows},
    )
    return ExportFile(path, f"households-{timezone.localdate():%Y%m%d}.xlsx", rows)


@transaction.atomic
def export_request_create(*, actor, filters: dict, reason: str) -> ExportRequest:
    if not scope_for(actor).has("people.view"):
        raise PermissionDenied
    filters = clean_filters(filters)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": [_("Give a reason of at least 4 characters for a full export.")]})
    rows = _households(actor, filters).count()
    if rows > settings.EXPORT_MAX_ROWS:
        raise ValidationError(
            _("A full export holds at most %(max)d rows; this filter gives %(rows)d. Narrow it down.")
            % {"max": settings.EXPORT_MAX_ROWS, "rows": rows}
        )
    request = ExportRequest.objects.create(requester=actor, filters=filters, reason=reason[:200], rows=rows)
    audit_record(
        action="export.request",
        obj=request,
        user=actor,
        detail={"filters": filters, "rows": rows, "reason": request.reason},
    )
    return request


def approver_covers(request: ExportRequest, approver) -> bool:
    """The approver may unmask every household the export would hold."""
    wanted = _households(request.requester, request.filters).order_by()
    covered = scoped(Household, approver, "people.unmask").values("id")
    return not wanted.exclude(id__in=covered).exists()


def _decide(actor, request: ExportRequest) -> ExportRequest:
    request = ExportRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != ExportRequest.State.REQUESTED:
        raise ValidationError(_("This request has already been decided."))
    if request.requester_id == actor.pk:
        raise ValidationError(
            _("A second person must decide: you cannot approve or refuse your own request.")
        )
    if not scope_for(actor).has("people.unmask") or not approver_covers(request, actor):
        raise PermissionDenied(_("Only someone who may unmask all of this data can decide on this request."))
    return request


@transaction.atomic
def export_request_approve(*, actor, request: ExportRequest, note: str = "") -> ExportRequest:
    request = _decide(actor, request)
    request.state = ExportRequest.State.APPROVED
    request.approver = actor
    request.decided_at = timezone.now()
    request.decision_note = (note or "").strip()[:200]
    request.save(update_fields=["state", "approver", "decided_at", "decision_note"])
    audit_record(
        action="export.approve",
        obj=request,
        user=actor,
        detail={"requester": request.requester.username, "filters": request.filters, "rows": request.rows},
    )
    return request


@transaction.atomic
def export_request_refuse(*, actor, request: ExportRequest, note: str = "") -> ExportRequest:
    request = _decide(actor, request)
    request.state = ExportRequest.State.REFUSED
    request.approver = actor
    request.decided_at = timezone.now()
    request.decision_note = (note or "").strip()[:200]
    request.save(update_fields=["state", "approver", "decided_at", "decision_note"])
    audit_record(
        action="export.refuse",
        obj=request,
        user=actor,
        detail={"requester": request.requester.username, "note": request.decision_note},
    )
    return request


def export_request_run(*, actor, request: ExportRequest, path: str) -> ExportFile:
    """The approved full export, once, by its requester, written to `path`; stamped on every
    sheet. A refused try is audited too (outside the transaction, so that its row stays)."""
    if request.requester_id != actor.pk:
        raise PermissionDenied
    if request.state != ExportRequest.State.APPROVED or request.approver_id is None:
        audit_record(
            action="export.households",
            obj=request,
            user=actor,
            result="denied",
            detail={"masked": False, "request": request.pk, "state": request.state},
        )
        raise ValidationError(_("A full export needs an approved request, and can be fetched once."))
    with transaction.atomic():
        return _export_request_run(actor, request, path)


def _export_request_run(actor, request: ExportRequest, path: str) -> ExportFile:
    request = (
        ExportRequest.objects.select_for_update(of=("self",))
        .select_related("requester", "approver")
        .get(pk=request.pk)
    )
    if request.state != ExportRequest.State.APPROVED:
        raise ValidationError(_("A full export needs an approved request, and can be fetched once."))
    if timezone.now() - request.decided_at > dt.timedelta(hours=settings.EXPORT_APPROVAL_HOURS):
        raise ValidationError(_("The approval has expired; request the export again."))
    if not approver_covers(request, request.approver):
        raise ValidationError(_("The data has changed beyond what the approver may see; request it again."))
    _count_rate(actor)
    queryset = _households(actor, request.filters)
    if queryset.count() > settings.EXPORT_MAX_ROWS:
        raise ValidationError(
            _("A full export holds at most %(max)d rows; this filter gives %(rows)d. Narrow it down.")
            % {"max": settings.EXPORT_MAX_ROWS, "rows": queryset.count()}
        )
    now = timezone.now()
    rows = roster_workbook(
        _rows(queryset, unmasked=True),
        path=path,
        title=_("Household roster"),
        stamp=_stamp(requester=actor, approver=request.approver, at=now, masked=False),
        facts=[
            (_("Filter"), describe_filters(request.filters)),
            (_("Exported by"), f"{actor} ({actor.username})"),
            (_("Approved by"), f"{request.approver} ({request.approver.username})"),
            (_("Reason"), request.reason),
            (_("Request"), f"#{request.pk}"),
        ],
    )
    request.state = ExportRequest.State.DONE
    request.done_at = now
    request.rows = rows
    request.save(update_fields=["state", "done_at", "rows"])
    audit_record(
        action="export.households",
        obj=request,
        user=actor,
        detail={
            "masked": False,
            "filters": request.filters,
            "rows": rows,
            "request": request.pk,
            "approver": request.approver.username,
            "reason": request.reason,
        },
    )
    return ExportFile(path, f"households-full-{request.pk}-{timezone.localdate():%Y%m%d}.xlsx", rows)
