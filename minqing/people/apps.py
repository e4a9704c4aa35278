from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "minqing.people"
    label = "people"
    verbose_name = _("Households and members")

    def ready(self):
        from minqing.core import scope

        from .models import Household, Member

        scope.register(Household, region="region_id")
        scope.register(Member, region="household__region_id")
