from django.shortcuts import render

from minqing.core.audit import audit_list_read
from minqing.core.paging import paginate, query_without_page
from minqing.core.scope import require_permission

from . import selectors


def unit_list(request):
    require_permission(request.user, selectors.VIEW)
    return render(request, "org/unit_list.html", {"units": selectors.unit_list(user=request.user)})


def unit_detail(request, pk: int):
    unit = selectors.unit_get(user=request.user, pk=pk)
    page = paginate(request, selectors.cadre_list(user=request.user, unit=unit))
    audit_list_read(action="cadre.list", user=request.user, page=page, obj=unit)
    return render(
        request, "org/unit_detail.html", {"unit": unit, "page": page, "query": query_without_page(request)}
    )


def cadre_list(request):
    require_permission(request.user, selectors.VIEW)
    q = request.GET.get("q", "")[:60]
    page = paginate(request, selectors.cadre_list(user=request.user, q=q))
    audit_list_read(action="cadre.list", user=request.user, page=page, filters={"q": q})
    return render(
        request, "org/cadre_list.html", {"page": page, "q": q, "query": query_without_page(request)}
    )


def cadre_detail(request, pk: int):
    cadre = selectors.cadre_get(user=request.user, pk=pk)
    # One cadre by name with post, rank and (masked) phone: a cadre's record, read (as the API's).
    audit_list_read(action="cadre.view", user=request.user, obj=cadre, shown=1, unit=cadre.unit_id)
    return render(request, "org/cadre_detail.html", {"cadre": cadre})
