from django import template

from minqing.geo.models import Region

register = template.Library()


def region_short(region) -> str:
    """A region as a list names it: a villagers' group with its village (柏利村五组),
    since every village has a 五组; anything else by its own name. Load region__parent."""
    if region is None:
        return ""
    if region.level == Region.Level.GROUP and region.parent_id:
        return f"{region.parent.name}{region.name}"
    return region.name


register.filter("region_short", region_short)
