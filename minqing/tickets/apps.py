from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "minqing.tickets"
    label = "tickets"
    verbose_name = _("Demands")

    def ready(self):
        from minqing.core import scope

        from .models import Ticket

        # Offices and villages reach tickets by region, handling units by the unit the
        # ticket is assigned to; a cadre sees what they raised, own, or lead as 包联领导.
        scope.register(
            Ticket,
            region="region_id",
            unit="unit__path",
            own=lambda user: Q(owner_id=user.pk) | Q(created_by_id=user.pk) | Q(leader__account_id=user.pk),
        )
