from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.core.audit import audit_list_read
from minqing.core.forms import add_errors
from minqing.core.paging import paginate_by_ids
from minqing.core.scope import scope_for
from minqing.fieldwork.selectors import household_visits
from minqing.geo.models import Region
from minqing.geo.selectors import region_list
from minqing.programs.selectors import household_pairings

from . import selectors, services
from .forms import HouseholdFilterForm, RegradeForm, RevealForm
from .search import masked_identifier

VISITS_SHOWN = 10


def household_list(request):
    if not scope_for(request.user).has("people.view"):
        raise PermissionDenied
    return household_list_page(request, request.GET or None)


def household_list_page(request, data, export_form=None):
    """The households `data` filters (the page's query); `export_form` is a refused request
    for a full export of them (exports' page), shown again with that filter as it was sent."""
    regions = region_list(user=request.user).filter(level__lte=Region.Level.VILLAGE)
    form = HouseholdFilterForm(data, regions=regions)
    filters = {}
    households = selectors.household_list(user=request.user)
    if form.is_bound and not form.is_valid():
        households = households.none()
    elif form.is_valid():
        filters = {
            "region": form.cleaned_data["region"],
            "hardship": form.hardship_value(),
            "tag": form.cleaned_data["tag"],
            "q": form.cleaned_data["q"],
        }
        households = selectors.household_list(user=request.user, **filters)
    page = paginate_by_ids(request, households, selectors.households_for_list)
    identifier = ""
    query = data.copy() if data is not None else QueryDict(mutable=True)
    query.pop("page", None)
    if export_form is None:  # shown again after a refused export: recorded when first shown
        if filters.get("q"):
            services.search_audit(actor=request.user, q=filters["q"], hits=page.paginator.count)
        else:
            audit_list_read(action="household.list", user=request.user, page=page, filters=filters)
    if filters.get("q"):
        identifier = masked_identifier(filters["q"])
        if identifier:
            # A full ID number or phone is never echoed back into the page or its links.
            data = data.copy()
            data["q"] = ""
            form = HouseholdFilterForm(data, regions=regions)
    return render(
        request,
        "people/household_list.html",
        {
            "form": form,
            "page": page,
            "query": "" if identifier else query.urlencode(),
            "searched_identifier": identifier,
            "export_form": export_form,
            "pager_path": reverse("people:household-list"),
        },
    )


def household_detail(request, pk: int):
    return _household_detail_page(request, selectors.household_get(user=request.user, pk=pk))


def _household_detail_page(request, household, regrade_form=None):
    """A household; `regrade_form` is a refused re-grading, shown as it was sent. With its
    cadres (结对干部) and its latest visits, as far as the user sees them."""
    scope = scope_for(request.user)
    visits, visit_count = household_visits(user=request.user, household=household, limit=VISITS_SHOWN)
    return render(
        request,
        "people/household_detail.html",
        {
            "household": household,
            "members": household.members.all(),
            "can_unmask": scope.has("people.unmask"),
            "can_edit": scope.has("people.edit"),
            "regrade_form": regrade_form or RegradeForm(initial={"level": household.hardship_level}),
            "changes": selectors.household_changes(household=household),
            "pairings": household_pairings(user=request.user, household=household),
            "visits": visits,
            "visit_count": visit_count,
        },
    )


@require_POST
def household_regrade(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    if not scope_for(request.user).has("people.edit"):
        raise PermissionDenied
    form = RegradeForm(request.POST)
    if form.is_valid():
        try:
            services.household_regrade(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The hardship level was changed and recorded in the history."))
            return redirect("people:household-detail", pk=household.pk)
    # Refused: the page again, with what was typed and why (not a redirect that loses it).
    return _household_detail_page(request, household, regrade_form=form)


@require_POST
def household_reveal(request, pk: int):
    """Show one member's full ID number or phone: permission, reason, audit (in the service).
    htmx gets the fragment; a plain form post gets a page (never a stored message)."""
    household = selectors.household_get(user=request.user, pk=pk)
    form = RevealForm(request.POST)
    context = {"household": household}
    if not form.is_valid() or not household.members.filter(pk=form.cleaned_data["member"]).exists():
        context["error"] = _("Choose a member and give a reason of at least 4 characters.")
    else:
        try:
            context["value"] = services.personal_data_reveal(
                actor=request.user,
                member_pk=form.cleaned_data["member"],
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
    if request.headers.get("HX-Request"):
        return render(request, "people/member_reveal.html", context)
    return render(
        request, "people/member_reveal_page.html", context, status=400 if "error" in context else 200
    )
