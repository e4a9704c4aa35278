from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportRequest(models.Model):
    """A request for a full (unmasked) export of personal data: a reason, a second person's
    approval, then one download. States: requested → approved or refused → done."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        DONE = "done", _("Done")

    class Kind(models.TextChoices):
        HOUSEHOLDS = "households", _("Household roster")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.HOUSEHOLDS)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.REQUESTED)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=200, blank=True)
    done_at = models.DateTimeField(_("exported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export request")
        verbose_name_plural = _("export requests")
        ordering = ["-id"]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} ({self.get_state_display()})"
