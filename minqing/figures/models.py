"""Documents produced from the figures: each (campaign, kind, period, selection) gets its number
once, the first time it is generated; every generation is audited."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IssuedDocument(models.Model):
    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Weekly feedback")
        MONTHLY = "monthly", _("Monthly roll-up")
        QUARTERLY = "quarterly", _("Quarterly bulletin")
        ANNUAL = "annual", _("Annual summary")
        BRIEFING = "briefing", _("Briefing")

    campaign = models.ForeignKey(
        "programs.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=40)
    # What the figures are of besides the campaign: "region=…&unit=…" (empty: the whole campaign).
    selection = models.CharField(_("selection"), max_length=120, blank=True)
    year = models.PositiveIntegerField(_("year"))
    # The number in the year: 〔2026〕12号 for documents, 第12期 for briefings.
    number = models.PositiveIntegerField(_("number"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("first generated at"), default=timezone.now)

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "period", "selection"], name="figures_document_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period} #{self.number}"
