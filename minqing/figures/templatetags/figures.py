from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (0 when absent): the figures are dictionaries keyed by tile."""
    return mapping.get(key, 0) if mapping else 0
