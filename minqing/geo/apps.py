from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "minqing.geo"
    label = "geo"
    verbose_name = _("Regions")

    def ready(self):
        from minqing.core import scope

        from .models import Region

        scope.register(Region, region="code")
