"""Sign-in events: every attempt is audited (success, failure, refusal while locked),
failures are counted toward the lock of the username and of the IP address, and a
sign-in starts the session clock. And the session settings of a new database connection."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from . import context
from .audit import audit_record
from .context import set_user


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    from minqing.security import locks
    from minqing.security.middleware import session_start
    from minqing.security.models import Lock

    set_user(user)
    locks.failures_clear(Lock.Kind.USERNAME, user.username.lower())
    if request is not None and hasattr(request, "session"):
        session_start(request)
    audit_record(
        action="auth.login",
        user=user,
        object_type="org.account",
        object_id=str(user.pk),
        object_repr=user.username,
    )


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(
            action="auth.logout",
            user=user,
            object_type="org.account",
            object_id=str(user.pk),
            object_repr=user.username,
        )


@receiver(user_login_failed)
def audit_login_failure(sender, credentials, request=None, minqing_locked=False, **kwargs):
    from minqing.security import locks
    from minqing.security.models import Lock

    username = str(credentials.get("username", ""))[:150]
    ip = context.current().ip
    if minqing_locked:
        # Refused before the password was even checked; not counted again.
        audit_record(
            action="auth.login_failed",
            result="denied",
            object_type="org.account",
            object_repr=username,
            detail={"username": username, "reason": "locked"},
        )
        return
    locked = [
        kind
        for kind, key in ((Lock.Kind.USERNAME, username.lower()), (Lock.Kind.IP, ip))
        if locks.failure_record(kind, key)
    ]
    audit_record(
        action="auth.login_failed",
        result="failed",
        object_type="org.account",
        object_repr=username,
        detail={"username": username},
    )
    for kind in locked:
        audit_record(
            action="auth.lockout",
            result="denied",
            object_type="org.account",
            object_repr=username if kind == Lock.Kind.USERNAME else ip,
            detail={"kind": str(kind), "key": username if kind == Lock.Kind.USERNAME else ip},
        )


@receiver(connection_created)
def database_session(sender, connection, **kwargs):
    """PostgreSQL: no JIT compiling (settings.DB_JIT), set on the session rather than as a startup
    option, which a pooler (PgBouncer) may refuse."""
    if connection.vendor == "postgresql" and not getattr(settings, "DB_JIT", False):
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
