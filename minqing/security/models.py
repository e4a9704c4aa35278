from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


class Lock(models.Model):
    """Recent failures of one key (a username, an IP address, an account's second factor)
    and, once they reach the limit, the time until which the key is locked. Kept in the
    database so that every application server sees the same locks."""

    class Kind(models.TextChoices):
        USERNAME = "username", _("username")
        IP = "ip", _("IP address")
        OTP = "otp", _("second factor")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=150)
    failures = models.JSONField(_("recent failures"), default=list, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("lock")
        verbose_name_plural = _("locks")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="security_lock_kind_key")]

    def __str__(self):
        return f"{self.kind}:{self.key}"


class PasswordHistory(models.Model):
    """The hashes of an account's previous passwords, so that the last few are not reused."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("previous password")
        verbose_name_plural = _("previous passwords")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.account_id} {self.created_at:%Y-%m-%d}"


def recovery_code_digest(code: str) -> str:
    """Recovery codes are random (50 bits), so a keyed hash (HMAC with the personal-data
    look-up key, which never rotates) suffices; the plain code is shown once, never stored."""
    from minqing.core.crypto import lookup_hash

    normalized = code.replace("-", "").replace(" ", "").lower()
    return lookup_hash(normalized, context=b"recovery code")


class RecoveryCodeDevice(Device):
    """The one-time recovery codes of an account, a django-otp device, stored hashed."""

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def verify_token(self, token) -> bool:
        digest = recovery_code_digest(str(token))
        used = self.codes.filter(digest=digest).delete()[0]
        return used > 0

    def remaining(self) -> int:
        return self.codes.count()


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self):
        return f"{self.device_id}:{self.digest[:8]}"
