from django import template

from minqing.core.money import yuan_text

register = template.Library()


@register.filter
def yuan(value) -> str:
    """{{ amount|yuan }} — 61,100.00: the house's way with money (minqing.core.money)."""
    return yuan_text(value)


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }} — a dictionary look-up in a template."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def region_short(region) -> str:
    """A region as a list names it: a villagers' group with its village (柏利村五组),
    since every village has a 五组; anything else by its own name. Load region__parent."""
    from minqing.geo.models import region_short_name

    return region_short_name(region)
