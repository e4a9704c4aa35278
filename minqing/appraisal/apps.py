from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "minqing.appraisal"
    label = "appraisal"
    verbose_name = _("Appraisal and supervision")

    def ready(self):
        from minqing.core import scope

        from .models import AppraisalRound, ExemplaryCase, FollowUpAction, Inspection, Sample

        scope.register(AppraisalRound, region="campaign__region_id")
        # No own-record rule: a cadre never reaches the households drawn to appraise them.
        scope.register(Sample, region="region_id", unit="cadre__unit__path")
        scope.register(
            Inspection,
            region="region_id",
            unit="cadre__unit__path",
            own=lambda user: (
                Q(cadre__account_id=user.pk)
                | Q(inspector_id=user.pk)
                | Q(id__in=FollowUpAction.objects.filter(owner__account_id=user.pk).values("inspection_id"))
            ),
        )
        scope.register(
            FollowUpAction,
            region="inspection__region_id",
            unit="owner__unit__path",
            own=lambda user: (
                Q(owner__account_id=user.pk)
                | Q(inspection__cadre__account_id=user.pk)
                | Q(inspection__inspector_id=user.pk)
            ),
        )
        scope.register(
            ExemplaryCase,
            region="region_id",
            own=lambda user: Q(cadre__account_id=user.pk) | Q(nominated_by_id=user.pk),
        )
        from minqing.figures import documents

        from .selectors import briefing_features

        documents.register_feature_source(briefing_features)
