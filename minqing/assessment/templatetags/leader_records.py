"""{% weekly_record_offered as offered %}: whether to link the user's own weekly work record
(the phone page's links, beside the monthly reports)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def weekly_record_offered(context) -> bool:
    from minqing.assessment.selectors import weekly_record_offered as offered

    request = context.get("request")
    return request is not None and request.user.is_authenticated and offered(request)
