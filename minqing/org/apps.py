from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "minqing.org"
    label = "org"
    verbose_name = _("Units and cadres")

    def ready(self):
        from minqing.core import scope

        from . import signals  # noqa: F401  (grants change the account's scope key)
        from .models import Cadre, Unit

        scope.register(Unit, region="region_id", unit="path")
        scope.register(
            Cadre, region="unit__region_id", unit="unit__path", own=lambda user: Q(account_id=user.pk)
        )
