from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CardsConfig(AppConfig):
    name = "minqing.cards"
    label = "cards"
    verbose_name = _("Liaison cards and disclosure boards")
