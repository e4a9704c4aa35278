from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def current_pairings(user, **filters):
    """The user's pairings that have not ended: an ended pairing gives no more access."""
    from django.utils import timezone

    from .models import Pairing

    return Pairing.objects.filter(
        Q(end__isnull=True) | Q(end__gte=timezone.localdate()), cadre__account_id=user.pk, **filters
    )


def current_team_points(user):
    """The points of the user's work teams (led or joined) while the team counts (not dissolved
    before today) in a running campaign that has not ended: where the team's members check in
    and write their logs. A dissolved team, or its campaign's end, gives no more access."""
    from django.utils import timezone

    from .models import Campaign, Team

    today = timezone.localdate()
    teams = (
        Team.objects.filter(Q(leader__account_id=user.pk) | Q(members__account_id=user.pk))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=today))
        .filter(campaign__status=Campaign.Status.RUNNING)
        .filter(Q(campaign__end__isnull=True) | Q(campaign__end__gte=today))
    )
    return Team.points.through.objects.filter(team__in=teams.values("pk")).values("liaisonpoint_id")


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
                Q(id__in=current_pairings(user).values("campaign_id"))
                | Q(
                    id__in=Team.objects.filter(
                        Q(members__account_id=user.pk) | Q(leader__account_id=user.pk)
                    ).values("campaign_id")
                )
            ),
        )
        # A cadre keeps seeing their own pairing records, ended ones included: they are their history.
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
            own=lambda user: (
                Q(id__in=current_pairings(user, point__isnull=False).values("point_id"))
                | Q(id__in=current_team_points(user))
            ),
        )
        DEACTIVATION_GUARDS.append(active_pairings_guard)
        # A cadre sees the households and members they are paired with, while the pairing lasts.
        scope.add_own_rule(
            Household,
            lambda user: (
                Q(id__in=current_pairings(user, household__isnull=False).values("household_id"))
                | Q(id__in=current_pairings(user, member__isnull=False).values("member__household_id"))
            ),
        )
        scope.add_own_rule(
            Member,
            lambda user: (
                Q(household_id__in=current_pairings(user, household__isnull=False).values("household_id"))
                | Q(id__in=current_pairings(user, member__isnull=False).values("member_id"))
            ),
        )
