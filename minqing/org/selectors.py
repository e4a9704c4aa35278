"""Reads of units and cadres, through the data scope."""

from django.db.models import Count, Q, QuerySet

from minqing.core.scope import get_scoped_or_404, scoped
from minqing.core.treecode import prefix_q

from .models import Cadre, Unit

VIEW = "org.view"


def unit_list(*, user) -> QuerySet:
    return (
        scoped(Unit, user, VIEW)
        .select_related("region", "parent")
        .annotate(cadre_count=Count("cadres", distinct=True))
        .order_by("path")
    )


def unit_get(*, user, pk: int) -> Unit:
    return get_scoped_or_404(Unit.objects.select_related("region", "parent"), user, VIEW, pk=pk)


def cadre_list(*, user, unit: Unit | None = None, q: str = "") -> QuerySet:
    qs = scoped(Cadre, user, VIEW).select_related("account", "unit__parent")
    if unit is not None:
        qs = qs.filter(prefix_q("unit__path", unit.path))
    if q.strip():
        qs = qs.filter(Q(account__full_name__contains=q.strip()) | Q(account__username=q.strip()))
    return qs.order_by("unit__path", "id")


def cadre_get(*, user, pk: int) -> Cadre:
    return get_scoped_or_404(
        Cadre.objects.select_related("account", "unit__region", "unit__parent"), user, VIEW, pk=pk
    )
