from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "minqing.fieldwork"
    label = "fieldwork"
    verbose_name = _("Field work")

    def ready(self):
        from minqing.core import scope
        from minqing.programs.models import Team

        from .models import (
            Activity,
            AttendanceDay,
            Commitment,
            Deed,
            HelpPlan,
            Incident,
            MonthlyReport,
            Photo,
            ReliefPayment,
            TeamSummary,
            Visit,
            WorkLog,
        )

        def own(user):
            return Q(cadre__account_id=user.pk)

        for model in (Visit, Deed, ReliefPayment, Activity, HelpPlan):
            scope.register(model, region="region_id", unit="cadre__unit__path", own=own)
        # A work team's activities are its members' and leader's to see, whoever organized them.
        scope.add_own_rule(
            Activity,
            lambda user: Q(
                team_id__in=Team.objects.filter(
                    Q(leader__account_id=user.pk) | Q(members__account_id=user.pk)
                ).values("pk")
            ),
        )
        for model in (WorkLog, AttendanceDay):
            scope.register(model, region="point__region_id", unit="cadre__unit__path", own=own)
        scope.register(MonthlyReport, region="campaign__region_id", unit="cadre__unit__path", own=own)
        scope.register(
            Commitment,
            region="plan__region_id",
            unit="plan__cadre__unit__path",
            own=lambda user: Q(plan__cadre__account_id=user.pk),
        )
        scope.register(Incident, region="point__region_id", own=lambda user: Q(recorded_by_id=user.pk))
        scope.register(
            TeamSummary,
            region="campaign__region_id",
            own=lambda user: Q(team__leader__account_id=user.pk) | Q(team__members__account_id=user.pk),
        )
        scope.register(
            Photo,
            # The photo's own region, its visit's or its deed's (set when attached): a deed's
            # photo is seen where the deed is, not by its cadre alone.
            region="region_id",
            own=lambda user: Q(visit__cadre__account_id=user.pk) | Q(deed__cadre__account_id=user.pk),
        )
