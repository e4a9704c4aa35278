"""Failure counting and locks: the Nth failure within the window locks the key for a
while. Used for sign-in (per username and per IP address) and for second-factor codes.

Rows are locked (SELECT … FOR UPDATE) while counting, so concurrent failures on several
application servers are all counted."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Lock


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def locked_until(kind: str, key: str) -> dt.datetime | None:
    """The end of the lock on `key`, or None when it is not locked."""
    if not key:
        return None
    until = Lock.objects.filter(kind=kind, key=key[:150]).values_list("locked_until", flat=True).first()
    return until if until is not None and until > timezone.now() else None


def is_locked(kind: str, key: str) -> bool:
    return locked_until(kind, key) is not None


@transaction.atomic
def failure_record(kind: str, key: str) -> bool:
    """Count one failure; return True when it is the one that locks the key."""
    if not key:
        return False
    now = timezone.now()
    Lock.objects.get_or_create(kind=kind, key=key[:150])
    lock = Lock.objects.select_for_update().get(kind=kind, key=key[:150])
    if lock.locked_until is not None and lock.locked_until > now:
        return False
    since = now - _window()
    recent = [t for t in lock.failures if dt.datetime.fromisoformat(t) > since]
    recent.append(now.isoformat())
    locks_now = len(recent) >= settings.LOGIN_FAILURE_LIMIT
    if locks_now:
        lock.locked_until = now + dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        recent = []
    lock.failures = recent
    lock.save(update_fields=["failures", "locked_until"])
    return locks_now


def failures_clear(kind: str, key: str) -> None:
    """A success forgets earlier failures (not a running lock: that is checked first)."""
    if key:
        Lock.objects.filter(kind=kind, key=key[:150], locked_until__isnull=True).delete()
        Lock.objects.filter(kind=kind, key=key[:150], locked_until__lte=timezone.now()).delete()
