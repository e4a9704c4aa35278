"""Session limits and the steps between a password and the pages: a second factor to
verify, a password to change, a second factor to enrol."""

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from minqing.core.audit import audit_record
from minqing.core.scope import scope_for

from .passwords import password_change_required
from .twofactor import has_confirmed_device, otp_required

AUTH_AT = "mq_auth_at"
SEEN_AT = "mq_seen_at"
EXPIRED = "mq_expired"
SESSION_ROW_MARGIN = 300  # seconds


def idle_limit(user) -> dt.timedelta:
    minutes = (
        settings.SESSION_IDLE_ADMIN_MINUTES if scope_for(user).is_admin else settings.SESSION_IDLE_MINUTES
    )
    return dt.timedelta(minutes=minutes)


def session_start(request) -> None:
    """Called at sign-in: the absolute limit counts from here."""
    now = timezone.now().timestamp()
    request.session[AUTH_AT] = now
    request.session[SEEN_AT] = now


class SessionPolicyMiddleware:
    """Ends a session on the server after 15 (administrators) or 30 minutes without a
    request, and 12 hours after sign-in whatever happens. The session row expires with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith("/api/"):
            self._check(request, user)
        return self.get_response(request)

    def _check(self, request, user) -> None:
        session = request.session
        now = timezone.now()
        idle = idle_limit(user)
        seen = session.get(SEEN_AT)
        started = session.get(AUTH_AT)
        reason = ""
        if seen is not None and now.timestamp() - seen > idle.total_seconds():
            reason = "idle"
        elif started is not None and now.timestamp() - started > settings.SESSION_ABSOLUTE_HOURS * 3600:
            reason = "absolute"
        if reason:
            audit_record(
                action="auth.session_expired",
                user=user,
                object_type="org.account",
                object_id=str(user.pk),
                object_repr=user.username,
                detail={"reason": reason},
            )
            session.flush()  # deletes the row: the old cookie is worth nothing now
            session[EXPIRED] = reason
            request.user = AnonymousUser()
            return
        if started is None:
            session[AUTH_AT] = now.timestamp()
        session[SEEN_AT] = now.timestamp()
        # The row outlives the idle limit by a little, so that a late request is seen,
        # ended and audited here; without a request it expires on its own.
        session.set_expiry(int(idle.total_seconds()) + SESSION_ROW_MARGIN)


# Pages reachable while a step is pending.
STEP_PAGES = {
    "security:otp-verify",
    "security:otp-enrol",
    "security:password-change",
    "web:logout",
    "web:login",
    "set_language",
    "healthz",
}


def pending_step(request) -> str | None:
    """The URL name of the step this signed-in session must take before any page."""
    user = request.user
    verified = user.is_verified()
    has_device = verified or has_confirmed_device(user)
    if has_device and not verified:
        return "security:otp-verify"
    if password_change_required(user):
        return "security:password-change"
    if not has_device and otp_required(user):
        return "security:otp-enrol"
    return None


class AccountStepsMiddleware:
    """An administrator (or campaign office) with a password but no verified second factor,
    or anyone whose password must change, reaches no page but the step."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/") or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in STEP_PAGES:
            return None
        step = pending_step(request)
        if step is None:
            return None
        return redirect(reverse(step) + "?" + urlencode({"next": request.get_full_path()}, safe="/"))
