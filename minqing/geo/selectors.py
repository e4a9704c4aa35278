"""Reads of the region tree, through the data scope."""

from django.db.models import Count, QuerySet

from minqing.core.scope import get_scoped_or_404, scoped

from .models import Region, parent_code

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


def region_ancestors(*, user, region: Region) -> list[tuple[Region, bool]]:
    """The regions above one, from the top, each with whether the user may open it (an
    office of a county sees its city named, not linked: the city's page is not theirs).
    Two queries."""
    codes = []
    code = region.parent_id
    while code:
        codes.append(code)
        code = parent_code(code)
    found = Region.objects.in_bulk(codes)
    seen = set(scoped(Region.objects.filter(code__in=codes), user, VIEW).values_list("code", flat=True))
    return [(found[c], c in seen) for c in reversed(codes) if c in found]
