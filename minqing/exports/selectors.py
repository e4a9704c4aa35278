"""Reads of export requests: one's own, and those one may decide on."""

from django.db.models import QuerySet
from django.http import Http404

from minqing.core.scope import scope_for

from .models import ExportRequest
from .services import approver_covers


def export_request_list(*, user) -> QuerySet:
    return ExportRequest.objects.filter(requester=user).select_related("approver").order_by("-id")


def export_requests_to_decide(*, user, limit: int = 50) -> list[ExportRequest]:
    """Pending requests of others that this user may approve (may unmask all their rows)."""
    if not scope_for(user).has("people.unmask"):
        return []
    pending = (
        ExportRequest.objects.filter(state=ExportRequest.State.REQUESTED)
        .exclude(requester=user)
        .select_related("requester")
        .order_by("id")[:limit]
    )
    return [r for r in pending if approver_covers(r, user)]


def export_request_get_own(*, user, pk: int) -> ExportRequest:
    request = (
        ExportRequest.objects.select_related("requester", "approver").filter(pk=pk, requester=user).first()
    )
    if request is None:
        raise Http404
    return request


def export_request_get_to_decide(*, user, pk: int) -> ExportRequest:
    """A request this user may decide on; anything else is a 404."""
    request = ExportRequest.objects.select_related("requester").filter(pk=pk).exclude(requester=user).first()
    if request is None or not scope_for(user).has("people.unmask") or not approver_covers(request, user):
        raise Http404
    return request
