"""The audit trail: every write, every login, logout and failure, every read of
personal data and every unmasking is one row, chained by SHA-256.

Appends lock the chain head row (SELECT ... FOR UPDATE on PostgreSQL; SQLite
serializes writers anyway), so the chain stays linear under concurrent writers.
The lock lasts until the writer's transaction commits, so on PostgreSQL an append is
one statement (lock the head, insert the row with its hash computed by the database,
move the head): the head is held for that statement and the COMMIT after it, not for
the round trips and Python work of a longer append. Services call `audit_record` as the
last step of their transaction, so that nothing else runs while the head is held.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import context, prepared
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
    event = AuditEvent(
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
    )
    connection = connections[router.db_for_write(AuditEvent)]
    if connection.vendor == "postgresql":
        _append_in_one_statement(connection, event)
        return event
    # No savepoint of its own: a failed append must fail the caller's whole transaction.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        event.at = timezone.now()
        event.prev_hash = head.last_hash
        # Order is proven by prev_hash, so the id need not be hashed and one insert suffices.
        event.hash = event_hash(event, head.last_hash)
        event.save(force_insert=True)
        AuditHead.objects.filter(pk=head.pk).update(
            last_id=event.pk, last_hash=event.hash, count=head.count + 1
        )
    return event


class _Probe(Exception):
    pass


def trail_writable() -> bool:
    """Whether the trail can take a row now: False on a database that refuses writes (a
    read-only standby, a read-only file: PostgreSQL's SQLSTATE 25006, SQLite's "readonly
    database"); another error is raised. Writes nothing: the probe's update is rolled back."""
    from django.db import DatabaseError
    from django.db.models import F

    try:
        with transaction.atomic():
            AuditHead.objects.filter(pk=1).update(count=F("count"))
            raise _Probe
    except _Probe:
        return True
    except DatabaseError as exc:
        # Only a refusal to write says so; anything else (a lock held too long) is raised.
        cause = exc.__cause__
        if getattr(cause, "sqlstate", None) == "25006" or "readonly database" in str(exc):
            return False
        raise


def audit_list_read(
    *, action: str, user, page=None, shown: int | None = None, obj=None, **detail
) -> AuditEvent:
    """A list, report or export that showed residents' or cadres' personal data (names,
    phones, ID numbers, addresses) was read: one row for the request, naming what was read
    (`obj`, and `detail`: the day, the filters) and how many rows it showed, not one row per
    name. `page` is the page a view shows (core.paging) or the dict an API list returns
    (api.paging); else `shown` says how many rows were shown. `filters` are kept as sent,
    those left empty dropped and long texts cut."""
    if "filters" in detail:
        from minqing.people.search import masked_identifier

        # What was typed is kept, but an ID number or phone in it only masked (the trail is
        # read by the audit administrator, who sees no residents' data).
        detail["filters"] = {
            key: (masked_identifier(value) or value)[:40] if isinstance(value, str) else value
            for key, value in detail["filters"].items()
            if value not in ("", None)
        }
    if isinstance(page, dict):
        detail.update(page=page["page"], total=page["count"])
        shown = len(page["items"])
    elif page is not None:
        detail.update(page=page.number, total=page.paginator.count)
        shown = len(page.object_list)
    return audit_record(action=action, obj=obj, user=user, detail={**detail, "shown": shown})


_APPEND_SQL: dict[str, tuple[str, tuple]] = {}


def _append_statement(connection) -> tuple[str, tuple]:
    """The one statement of an append on PostgreSQL, and the fields whose values it takes
    (in order, then the canonical text the hash covers). Its hash is `event_hash`'s:
    SHA-256 of the previous hash, a newline and the canonical JSON, as hex."""
    if connection.alias not in _APPEND_SQL:
        quote = connection.ops.quote_name
        fields = tuple(
            f for f in AuditEvent._meta.concrete_fields if f.attname not in ("id", "prev_hash", "hash")
        )
        head, events = quote(AuditHead._meta.db_table), quote(AuditEvent._meta.db_table)
        columns = ", ".join(quote(f.column) for f in fields)
        # Typed placeholders: in INSERT ... SELECT a parameter takes no type from its column.
        # Text as text, not varchar(n): a cast would cut a long value, the insert refuses it.
        values = ", ".join(
            "CAST(%s AS {})".format(
                "text" if f.get_internal_type() == "CharField" else f.cast_db_type(connection)
            )
            for f in fields
        )
        sql = (
            f"WITH head AS (SELECT last_hash FROM {head} WHERE id = 1 FOR UPDATE), "
            f"added AS (INSERT INTO {events} ({columns}, prev_hash, hash) "
            f"SELECT {values}, head.last_hash, "
            "encode(sha256(convert_to(head.last_hash, 'UTF8') || '\\x0a'::bytea || CAST(%s AS bytea)), 'hex') "
            "FROM head RETURNING id, prev_hash, hash) "
            f"UPDATE {head} SET last_id = added.id, last_hash = added.hash, count = {head}.count + 1 "
            f"FROM added WHERE {head}.id = 1 RETURNING added.id, added.prev_hash, added.hash"
        )
        _APPEND_SQL[connection.alias] = (sql, fields)
    return _APPEND_SQL[connection.alias]


def _append_in_one_statement(connection, event: AuditEvent) -> None:
    """Lock the head, insert the row chained to it and move the head, in one statement: a
    transaction holds the head from this statement to its COMMIT only. The time is taken
    just before, so rows of concurrent writers may differ from the chain's order by the
    time they waited for the head; the order is the chain's (prev_hash, and the id)."""
    sql, fields = _append_statement(connection)
    event.at = timezone.now()
    params = [f.get_db_prep_save(f.pre_save(event, True), connection) for f in fields]
    params.append(_canonical(event))
    row = prepared.execute(connection, sql, params)
    if row is None:
        # No head row (an emptied table: a flush, a restore of data only): make it, append again.
        AuditHead.objects.get_or_create(pk=1)
        row = prepared.execute(connection, sql, params)
    event.pk, event.prev_hash, event.hash = row
    event._state.adding = False
    event._state.db = connection.alias


def _locked_head() -> AuditHead:
    """Lock the head row, which serializes appends. Migration core.0003 creates it; an
    emptied table (a flush, a restore of data only) gets it back here."""
    head = prepared.first(("audit-head",), lambda: AuditHead.objects.select_for_update().filter(pk=1))
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
    after a gap left by a removed row. After a purge the walk starts from the checkpoint
    in the head: the first remaining row must name the last purged row's hash."""
    head = AuditHead.objects.filter(pk=1).first()
    purged = head.purged_count if head is not None else 0
    prev = head.purged_last_hash if purged else GENESIS
    checked = 0
    last_id = head.purged_last_id if purged else 0
    qs = AuditEvent.objects.order_by("id")
    while True:
        rows = list(qs.filter(id__gt=last_id)[:batch])
        if not rows:
            break
        for event in rows:
            if event.prev_hash != prev:
                return VerifyResult(False, checked, event.pk, _("the row before it was altered or removed"))
            if event_hash(event, prev) != event.hash:
                return VerifyResult(False, checked, event.pk, _("this row was altered"))
            prev = event.hash
            last_id = event.pk
            checked += 1
    if head is not None and (
        head.last_id != last_id or head.last_hash != prev or head.count != checked + purged
    ):
        return VerifyResult(False, checked, head.last_id, _("rows at the end of the trail were removed"))
    return VerifyResult(True, checked)


# Retention. Security events are kept at least 180 days, records of personal-data
# processing (and every other row) at least 3 years; settings may only lengthen these.
SECURITY_ACTIONS = ("auth.", "otp.", "account.", "grant.", "token.", "audit.")


@dataclass
class PurgeResult:
    removed: int
    last_id: int = 0
    kept_from: int | None = None


def _security_q():
    from django.db.models import Q

    q = Q()
    for prefix in SECURITY_ACTIONS:
        q |= Q(action__startswith=prefix)
    return q


def audit_purge(*, before: dt.datetime, now: dt.datetime | None = None, actor=None) -> PurgeResult:
    """Remove the oldest rows written before `before`, but never a row younger than its
    retention floor. Only a run of the oldest rows is removed (the chain must stay one
    piece), so the first row to keep ends the purge even if older-looking rows follow.
    The head records the checkpoint and the purge itself is audited in the same
    transaction."""
    from django.conf import settings
    from django.db.models import Q

    now = now or timezone.now()
    security_floor = now - dt.timedelta(days=settings.AUDIT_KEEP_SECURITY_DAYS)
    processing_floor = now - dt.timedelta(days=settings.AUDIT_KEEP_PROCESSING_DAYS)
    security = _security_q()
    must_keep = (
        Q(at__gte=before) | (security & Q(at__gte=security_floor)) | (~security & Q(at__gte=processing_floor))
    )
    with transaction.atomic():
        head = _locked_head()
        keep_from = AuditEvent.objects.filter(must_keep).order_by("id").values_list("id", flat=True).first()
        doomed = (
            AuditEvent.objects.all() if keep_from is None else AuditEvent.objects.filter(id__lt=keep_from)
        )
        last = doomed.order_by("-id").values("id", "hash").first()
        if last is None:
            return PurgeResult(0, kept_from=keep_from)
        removed = doomed.count()
        doomed.delete()
        AuditHead.objects.filter(pk=head.pk).update(
            purged_count=head.purged_count + removed,
            purged_last_id=last["id"],
            purged_last_hash=last["hash"],
        )
        audit_record(
            action="audit.purge",
            user=actor,
            detail={
                "before": before.isoformat(),
                "removed": removed,
                "last_removed_id": last["id"],
                "last_removed_hash": last["hash"],
            },
        )
    return PurgeResult(removed, last["id"], keep_from)
