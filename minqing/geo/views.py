from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from minqing.core.scope import scope_for
from minqing.people.selectors import household_list

from . import selectors


def region_list(request):
    if not scope_for(request.user).has(selectors.VIEW):
        raise PermissionDenied
    return render(request, "geo/region_list.html", {"regions": selectors.region_roots(user=request.user)})


def region_detail(request, code: str):
    region = selectors.region_get(user=request.user, code=code)
    children = selectors.region_list(user=request.user, parent=region.code)
    households = None
    if scope_for(request.user).has("people.view"):
        households = household_list(user=request.user, region=region.prefix).count()
    return render(
        request,
        "geo/region_detail.html",
        {
            "region": region,
            "ancestors": selectors.region_ancestors(user=request.user, region=region),
            "children": children,
            "households": households,
        },
    )
