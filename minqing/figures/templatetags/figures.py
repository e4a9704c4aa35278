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
    Each is (code, label, chosen). Those that fall wholly outside the campaign's dates show
    nothing and are left out; a campaign that has ended offers its last month and quarter and
    the whole campaign instead, one not begun its first month (periods.campaign_month)."""
    import datetime as dt

    from django.utils import timezone
    from django.utils.translation import gettext as _

    from ..periods import campaign_month, campaign_timing, month_of, quarter_of, year_of

    today = timezone.localdate()
    campaign = sel.campaign
    timing = campaign_timing(campaign, today)
    this_month = month_of(today)
    last_month = month_of(this_month.start - dt.timedelta(days=1))
    start = campaign.start
    end = min(today, campaign.end) if campaign.end else today
    choices = []
    if timing:
        # Named by their dates ("2026年3月", "2026年第1季度"): "this month" would be today's.
        month = campaign_month(campaign, today)
        choices.append((month.code, month.label))
        if timing == "ended":
            quarter = quarter_of(campaign.end)
            choices.append((quarter.code, quarter.label))
    choices += [
        (period.code, label)
        for period, label in (
            (this_month, _("This month")),
            (last_month, _("Last month")),
            (quarter_of(today), _("This quarter")),
            (year_of(today), _("This year")),
        )
        if period.end >= campaign.start and (campaign.end is None or period.start <= campaign.end)
    ]
    if start <= end:
        so_far = _("Whole campaign") if timing == "ended" else _("The campaign so far")
        choices.append((f"{start:%Y-%m-%d}..{end:%Y-%m-%d}", so_far))
    unique: dict[str, str] = {}  # a period offered twice (its last month is last month) once
    for code, label in choices:
        unique.setdefault(code, label)
    return [(code, label, code == sel.period.code) for code, label in unique.items()]
