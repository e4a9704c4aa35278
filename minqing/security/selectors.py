"""Reads for the administrators' pages: accounts (system and security administrators)
and the audit trail (the audit administrator only; each read is itself audited)."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from minqing.core.audit import audit_record
from minqing.core.models import AuditEvent
from minqing.core.scope import scope_for
from minqing.org.models import Account, Grant
from minqing.org.selectors import account_reach_q

ACCOUNT_POWERS = ("accounts.manage", "roles.manage")


def account_list(*, user, q: str = "") -> QuerySet:
    """The accounts the administrator manages (org.selectors.account_reach_q): another
    county's accounts are a 404 to them."""
    reach = account_reach_q(user, ACCOUNT_POWERS)
    if reach is None:
        raise PermissionDenied
    qs = (
        Account.objects.filter(reach)
        .annotate(has_second_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .prefetch_related(
            Prefetch("grants", queryset=Grant.objects.prefetch_related("regions", "units").order_by("role"))
        )
    )
    q = q.strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__contains=q))
    return qs.order_by("username")


def account_get(*, user, pk: int) -> Account:
    return get_object_or_404(account_list(user=user), pk=pk)


def audit_event_list(
    *,
    user,
    username: str = "",
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet:
    """The audit trail, newest first, filtered; the read is recorded in the trail."""
    if not scope_for(user).has("audit.view"):
        raise PermissionDenied
    qs = AuditEvent.objects.all()
    if username:
        qs = qs.filter(username=username)
    if action:
        qs = qs.filter(action__startswith=action)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    audit_record(
        action="audit.read",
        user=user,
        detail={
            "user": username,
            "action": action,
            "from": date_from.isoformat() if date_from else "",
            "to": date_to.isoformat() if date_to else "",
        },
    )
    return qs.order_by("-id")
