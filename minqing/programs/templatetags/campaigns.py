from django import template

from ..display import day_range_text, day_text
from ..rules import RULE_TYPES

register = template.Library()


@register.filter
def day(value) -> str:
    """{{ phase.start|day }}: a date kept as text (2026-04-15, or a template's 04-15) in words."""
    return day_text(value)


@register.simple_tag
def day_range(start, end) -> str:
    """{% day_range phase.start phase.end %}: 2026年4月15日–2026年4月30日 / 4月15日–4月30日."""
    return day_range_text(start, end)


@register.filter
def rule_type_label(type_key: str) -> str:
    """{{ rule.type|rule_type_label }}: what a rule type checks, in words (its key if unknown)."""
    rule_type = RULE_TYPES.get(type_key)
    return str(rule_type.label) if rule_type else type_key
