from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CardsConfig(AppConfig):
    name = "minqing.cards"
    label = "cards"
    verbose_name = _("Liaison cards and disclosure boards")

    def ready(self):
        from . import checks  # noqa: F401 (registers the deploy check)
