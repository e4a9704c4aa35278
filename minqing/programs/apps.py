from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "minqing.programs"
    label = "programs"
    verbose_name = _("Programs and campaigns")

    def ready(self):
        from minqing.core import scope
        from minqing.org.services import DEACTIVATION_GUARDS
        from minqing.people.models import Household, Member

        from .models import Campaign, LiaisonPoint, Pairing, Team
        from .services import active_pairings_guard

        scope.register(
            Campaign,
            region="region_id",
            own=lambda user: (
                Q(id__in=Pairing.objects.filter(cadre__account_id=user.pk).values("campaign_id"))
                | Q(id__in=Team.objects.filter(members__account_id=user.pk).values("campaign_id"))
            ),
        )
        scope.register(
            Pairing,
            region="region_id",
            unit="cadre__unit__path",
            own=lambda user: Q(cadre__account_id=user.pk),
        )
        scope.register(
            Team,
            region="campaign__region_id",
            own=lambda user: (
                Q(leader__account_id=user.pk)
                | Q(id__in=Team.members.through.objects.filter(cadre__account_id=user.pk).values("team_id"))
            ),
        )
        scope.register(
            LiaisonPoint,
            region="region_id",
            own=lambda user: Q(
                id__in=Pairing.objects.filter(cadre__account_id=user.pk, point__isnull=False).values(
                    "point_id"
                )
            ),
        )
        DEACTIVATION_GUARDS.append(active_pairings_guard)
        # A cadre sees the households and members they are paired with.
        scope.add_own_rule(
            Household,
            lambda user: (
                Q(
                    id__in=Pairing.objects.filter(cadre__account_id=user.pk, household__isnull=False).values(
                        "household_id"
                    )
                )
                | Q(
                    id__in=Pairing.objects.filter(cadre__account_id=user.pk, member__isnull=False).values(
                        "member__household_id"
                    )
                )
            ),
        )
        scope.add_own_rule(
            Member,
            lambda user: (
                Q(
                    household_id__in=Pairing.objects.filter(
                        cadre__account_id=user.pk, household__isnull=False
                    ).values("household_id")
                )
                | Q(
                    id__in=Pairing.objects.filter(cadre__account_id=user.pk, member__isnull=False).values(
                        "member_id"
                    )
                )
            ),
        )
