from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (0 when absent): the figures are dictionaries keyed by tile."""
    return mapping.get(key, 0) if mapping else 0


@register.simple_tag
def period_choices(sel):
    """The periods an office asks for most, as links beside the period box (which takes the
    others in writing): this month, last month, this quarter, this year, and the campaign so far.
    Each is (code, label, chosen)."""
    import datetime as dt

    from django.utils import timezone
    from django.utils.translation import gettext as _

    from ..periods import month_of, quarter_of, year_of

    today = timezone.localdate()
    this_month = month_of(today)
    last_month = month_of(this_month.start - dt.timedelta(days=1))
    start = sel.campaign.start
    end = min(today, sel.campaign.end) if sel.campaign.end else today
    choices = [
        (this_month.code, _("This month")),
        (last_month.code, _("Last month")),
        (quarter_of(today).code, _("This quarter")),
        (year_of(today).code, _("This year")),
    ]
    if start <= end:
        choices.append((f"{start:%Y-%m-%d}..{end:%Y-%m-%d}", _("The campaign so far")))
    return [(code, label, code == sel.period.code) for code, label in choices]
