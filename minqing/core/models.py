from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One append-only row of the audit trail, chained to the previous row by SHA-256."""

    class Result(models.TextChoices):
        OK = "ok", _("Succeeded")
        DENIED = "denied", _("Denied")
        FAILED = "failed", _("Failed")

    at = models.DateTimeField(_("time"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    ip = models.CharField(_("IP address"), max_length=64, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=Result.choices, default=Result.OK)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["id"]

    def __str__(self):
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"


class AuditHead(models.Model):
    """The single row that serializes appends to the chain and remembers its last link,
    so that removing the newest rows is detected too."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)
    # The checkpoint left by `minqing audit purge`: how many of the oldest rows were
    # removed, and the id and hash of the last of them, which the first remaining row
    # names as its predecessor. Verification starts from there.
    purged_count = models.BigIntegerField(default=0)
    purged_last_id = models.BigIntegerField(default=0)
    purged_last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"audit head #{self.last_id} ({self.count} rows)"


class RateCount(models.Model):
    """A rate limit's count of hits in one window (core.ratelimit), when there is no Redis:
    counted by one atomic upsert. On PostgreSQL the table is unlogged: a count lost in a
    crash costs nothing, and counting waits for no disk write."""

    key = models.CharField(max_length=120, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.count}"
