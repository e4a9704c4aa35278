"""Writes of the security mechanisms: passwords, second factors, idle accounts. Each in
one transaction with its audit row."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from minqing.core.audit import audit_record

from . import locks
from .models import Lock, PasswordHistory, RecoveryCode, RecoveryCodeDevice, recovery_code_digest
from .twofactor import new_recovery_code


def password_change(*, actor, account, old_password: str, new_password: str) -> None:
    """The account's owner sets a new password: the old one proves it is them, the policy
    decides whether the new one is good enough, and the old hash joins the history."""
    if not account.check_password(old_password or ""):
        audit_record(action="auth.password_change", obj=account, user=actor, result="failed")
        raise ValidationError({"old_password": [_("The current password is wrong.")]})
    validate_password(new_password, user=account)
    _password_store(actor, account, new_password)


@transaction.atomic
def _password_store(actor, account, new_password: str) -> None:
    if account.has_usable_password():
        PasswordHistory.objects.create(account=account, password=account.password)
        keep = PasswordHistory.objects.filter(account=account).values_list("id", flat=True)[
            : settings.PASSWORD_HISTORY
        ]
        PasswordHistory.objects.filter(account=account).exclude(id__in=list(keep)).delete()
    account.set_password(new_password)
    account.must_change_password = False
    account.password_changed_at = timezone.now()
    account.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(action="auth.password_change", obj=account, user=actor)


@transaction.atomic
def otp_enrol_begin(*, account) -> TOTPDevice:
    """The unconfirmed authenticator device of an enrolment (one at a time)."""
    device = TOTPDevice.objects.filter(user=account, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=account, name="authenticator", confirmed=False)
    return device


def otp_enrol_confirm(*, account, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the device with a code from the app; return fresh recovery codes (shown
    once, stored hashed)."""
    device = TOTPDevice.objects.get(pk=device.pk, user=account, confirmed=False)
    if not device.verify_token((code or "").strip()):
        audit_record(action="otp.enrol", obj=account, user=account, result="failed")
        raise ValidationError(
            {"code": [_("The code does not match. Check the time on your phone and try again.")]}
        )
    return _otp_enrol_store(account, device)


@transaction.atomic
def _otp_enrol_store(account, device: TOTPDevice) -> list[str]:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=account, confirmed=False).delete()
    TOTPDevice.objects.filter(user=account, confirmed=True).exclude(pk=device.pk).delete()
    codes = _recovery_codes_replace(account)
    audit_record(action="otp.enrol", obj=account, user=account, detail={"recovery_codes": len(codes)})
    return codes


def _recovery_codes_replace(account) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=account).delete()
    device = RecoveryCodeDevice.objects.create(user=account, name="recovery codes", confirmed=True)
    codes = [new_recovery_code() for _ in range(settings.OTP_RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=recovery_code_digest(c)) for c in codes
    )
    return codes


@transaction.atomic
def recovery_codes_renew(*, account) -> list[str]:
    codes = _recovery_codes_replace(account)
    audit_record(action="otp.recovery_renew", obj=account, user=account, detail={"count": len(codes)})
    return codes


@transaction.atomic
def otp_check(*, account, code: str):
    """The device that accepts `code` (each code works once), or None. The 5th wrong code
    within 15 minutes locks the second factor for 30 minutes; every try is audited."""
    from django_otp import match_token

    key = str(account.pk)
    if locks.is_locked(Lock.Kind.OTP, key):
        audit_record(
            action="otp.verify", obj=account, user=account, result="denied", detail={"reason": "locked"}
        )
        return None
    code = (code or "").strip().replace(" ", "")
    device = match_token(account, code) if code else None
    if device is None:
        locked_now = locks.failure_record(Lock.Kind.OTP, key)
        audit_record(action="otp.verify", obj=account, user=account, result="failed")
        if locked_now:
            audit_record(action="otp.lockout", obj=account, user=account, result="denied")
        return None
    locks.failures_clear(Lock.Kind.OTP, key)
    kind = "recovery" if isinstance(device, RecoveryCodeDevice) else "totp"
    detail = {"device": kind}
    if kind == "recovery":
        detail["remaining"] = device.remaining()
    audit_record(action="otp.verify", obj=account, user=account, detail=detail)
    return device


def idle_accounts(*, now: dt.datetime | None = None):
    """Active accounts not used (no sign-in, no API call) for ACCOUNT_IDLE_DISABLE_DAYS days."""
    from minqing.org.models import Account

    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.ACCOUNT_IDLE_DISABLE_DAYS)
    # Last use: the later of the last sign-in and the last API call; an account never used
    # counts from the day it was made. (Coalesce: no NULL may reach the comparison.)
    last_seen = Greatest(
        Coalesce("last_login", "date_joined"), Coalesce(Max("tokens__last_used_at"), "date_joined")
    )
    return Account.objects.filter(is_active=True).annotate(last_seen=last_seen).filter(last_seen__lt=cutoff)


@transaction.atomic
def accounts_disable_idle(*, actor=None) -> list[str]:
    from minqing.org.services import account_tokens_revoke

    disabled = []
    for account in list(idle_accounts()):
        account.is_active = False
        account.save(update_fields=["is_active"])
        account_tokens_revoke(actor=actor, account=account, reason="account.disable")
        audit_record(
            action="account.disable",
            obj=account,
            user=actor,
            detail={"reason": "idle", "days": settings.ACCOUNT_IDLE_DISABLE_DAYS},
        )
        disabled.append(account.username)
    return disabled
