"""The audit trail: every write, every login, logout and failure, every read of
personal data and every unmasking is one row, chained by SHA-256.

Appends lock the chain head row (SELECT ... FOR UPDATE on PostgreSQL; SQLite
serializes writers anyway), so the chain stays linear under concurrent writers.
Services call `audit_record` as the last step of their transaction, which keeps
the time the head is locked short.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import context
from .models import AuditEvent, AuditHead

GENESIS = "0" * 64
HASHED_FIELDS = (
    "at",
    "username",
    "role",
    "ip",
    "request_id",
    "channel",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "result",
    "detail",
)


def _canonical(event: AuditEvent) -> bytes:
    payload = {name: getattr(event, name) for name in HASHED_FIELDS}
    payload["at"] = event.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    payload["user_id"] = event.user_id
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode()


def event_hash(event: AuditEvent, prev_hash: str) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + _canonical(event)).hexdigest()


def _roles_of(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    from minqing.core.scope import scope_for

    return ",".join(scope_for(user).roles)


def audit_record(
    *,
    action: str,
    obj=None,
    result: str = AuditEvent.Result.OK,
    detail: dict | None = None,
    user=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    ctx = context.current()
    actor = user if user is not None else ctx.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    with transaction.atomic():
        head = _locked_head()
        event = AuditEvent(
            at=timezone.now(),
            user=actor,
            username=getattr(actor, "username", "") or "",
            role=_roles_of(actor),
            ip=ctx.ip,
            request_id=ctx.request_id,
            channel=ctx.channel,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:200],
            result=result,
            detail=detail or {},
            prev_hash=head.last_hash,
        )
        # Order is proven by prev_hash, so the id need not be hashed and one insert suffices.
        event.hash = event_hash(event, head.last_hash)
        event.save(force_insert=True)
        AuditHead.objects.filter(pk=head.pk).update(
            last_id=event.pk, last_hash=event.hash, count=head.count + 1
        )
    return event


def _locked_head() -> AuditHead:
    """Lock the head row, which serializes appends. Migration core.0003 creates it; an
    emptied table (a flush, a restore of data only) gets it back here."""
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    bad_id: int | None = None
    message: str = ""


def audit_verify(batch: int = 5000) -> VerifyResult:
    """Walk the chain in id order; name the first row that was altered, or the row
    after a gap left by a removed row."""
    prev = GENESIS
    checked = 0
    last_id = 0
    qs = AuditEvent.objects.order_by("id")
    while True:
        rows = list(qs.filter(id__gt=last_id)[:batch])
        if not rows:
            break
        for event in rows:
            if event.prev_hash != prev:
                return VerifyResult(False, checked, event.pk, "the row before it was altered or removed")
            if event_hash(event, prev) != event.hash:
                return VerifyResult(False, checked, event.pk, "this row was altered")
            prev = event.hash
            last_id = event.pk
            checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_id != last_id or head.last_hash != prev or head.count != checked):
        return VerifyResult(False, checked, head.last_id, "rows at the end of the trail were removed")
    return VerifyResult(True, checked)
