"""Reads of the region tree, through the data scope."""

from django.db.models import Count, QuerySet

from minqing.core.scope import get_scoped_or_404, scoped

from .models import Region

VIEW = "geo.view"


def region_list(*, user, parent: str | None = None) -> QuerySet:
    qs = scoped(Region, user, VIEW).select_related("parent")
    if parent:
        qs = qs.filter(parent_id=parent)
    return qs.annotate(child_count=Count("children")).order_by("code")


def region_roots(*, user) -> QuerySet:
    """The topmost regions the user may see (those whose parent is out of scope)."""
    visible = scoped(Region, user, VIEW)
    return visible.exclude(parent__in=visible).annotate(child_count=Count("children")).order_by("code")


def region_get(*, user, code: str) -> Region:
    return get_scoped_or_404(Region.objects.select_related("parent"), user, VIEW, code=code)
