from django import template

from minqing.core.templatetags.minqing import region_short

register = template.Library()

register.filter("region_short", region_short)
