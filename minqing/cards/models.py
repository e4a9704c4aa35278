"""What a cadre chooses to print on the liaison card (连心卡) and show on the village's
disclosure board (公开栏): the phone they publish, their commitment, their duty days.

Policy: a cadre's work phone is personal data and is shown masked like any other; only a
number the cadre (or the campaign office for them) has entered here as the one to publish is
printed in full, on the card and on the public board. With none published, both show the
masked work phone and the QR code, which reaches the cadre through the intake page."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.core.personal import EncryptedField, Phone


class LiaisonCard(models.Model):
    cadre = models.OneToOneField(
        "org.Cadre", verbose_name=_("cadre"), on_delete=models.CASCADE, related_name="liaison_card"
    )
    published_phone = EncryptedField(_("phone to publish"), value_class=Phone)
    commitment = models.CharField(_("commitment"), max_length=120, blank=True)
    duty_days = models.CharField(_("duty days"), max_length=60, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("liaison card")
        verbose_name_plural = _("liaison cards")

    def __str__(self):
        return str(self.cadre)
