from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "minqing.assessment"
    label = "assessment"
    verbose_name = _("Assessment and recall")

    def ready(self):
        from django.apps import apps

        from minqing.core import scope

        from .models import AssessmentResult, LeaderRecord, Recall

        # A cadre sees their own result and their own records; offices and leaders by region or unit.
        scope.register(
            AssessmentResult,
            region="run__campaign__region_id",
            unit="unit__path",
            own=lambda user: Q(cadre__account_id=user.pk),
        )
        scope.register(Recall, region="campaign__region_id", unit="cadre__unit__path")
        scope.register(
            LeaderRecord,
            region="cadre__unit__region_id",
            unit="cadre__unit__path",
            own=lambda user: Q(cadre__account_id=user.pk),
        )
        if apps.is_installed("minqing.figures"):
            from .tiles import register

            register()
