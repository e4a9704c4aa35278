"""Second factors through django-otp: a TOTP device (an authenticator app) and one-time
recovery codes, both confirmed at enrolment."""

import secrets

import segno
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import RecoveryCodeDevice


def otp_required(user) -> bool:
    """Required for the administrators and campaign offices; demo accounts are exempt from
    forced enrolment (so `make run` works) unless MINQING_DEMO_REQUIRE_2FA=1."""
    from minqing.core.scope import scope_for

    if user.is_demo and not settings.DEMO_REQUIRE_2FA:
        return False
    return bool(set(scope_for(user).roles) & set(settings.OTP_REQUIRED_ROLES))


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_device(user) -> RecoveryCodeDevice | None:
    return RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()


def new_recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def qr_svg(text: str) -> str:
    """An inline SVG (no style attribute, no script), so the CSP needs no exception."""
    return segno.make(text, error="m").svg_inline(scale=4, dark="#111", light="#fff")


def secret_base32(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")
