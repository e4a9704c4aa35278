from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.core.files import XLSX, temp_file_download
from minqing.core.forms import add_errors
from minqing.core.ratelimit import RateLimited, too_many_requests
from minqing.core.scope import scope_for
from minqing.geo.models import Region
from minqing.geo.selectors import region_list
from minqing.people.forms import HouseholdFilterForm
from minqing.people.views import household_list_page

from . import selectors, services
from .forms import ExportRequestForm


def xlsx_download(write) -> FileResponse:
    """`write(path)` writes an ExportFile to `path`; it is sent in blocks, then gone."""
    return temp_file_download(lambda path: write(path).filename, suffix=".xlsx", content_type=XLSX)


def _filters(request, data) -> dict | None:
    regions = region_list(user=request.user).filter(level__lte=Region.Level.VILLAGE)
    form = HouseholdFilterForm(data, regions=regions)
    if not form.is_valid():
        return None
    return {
        "region": form.cleaned_data["region"],
        "hardship": form.hardship_value(),
        "tag": form.cleaned_data["tag"],
        "q": form.cleaned_data["q"],
    }


def household_export(request):
    """The household list, as filtered on its page, as a masked Excel roster."""
    if not scope_for(request.user).has("people.view"):
        raise PermissionDenied
    filters = _filters(request, request.GET)
    if filters is None:
        messages.error(request, _("The filter is not valid; nothing was exported."))
        return redirect("people:household-list")
    try:
        return xlsx_download(
            lambda path: services.household_export_masked(actor=request.user, filters=filters, path=path)
        )
    except RateLimited as exc:
        return too_many_requests(exc.retry_after)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("people:household-list")


def request_list(request):
    if not scope_for(request.user).has("people.view"):
        raise PermissionDenied
    return render(
        request,
        "exports/request_list.html",
        {
            "mine": selectors.export_request_list(user=request.user)[:100],
            "to_decide": selectors.export_requests_to_decide(user=request.user),
        },
    )


@require_POST
def request_create(request):
    if not scope_for(request.user).has("people.view"):
        raise PermissionDenied
    filters = _filters(request, request.POST)
    if filters is None:
        # The filter comes from hidden fields, not typed: a tampered one gets a message.
        messages.error(request, _("The filter is not valid; nothing was requested."))
        return redirect("people:household-list")
    form = ExportRequestForm(request.POST)
    if form.is_valid():
        try:
            export_request = services.export_request_create(
                actor=request.user, filters=filters, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Request #%(id)d for a full export of %(rows)d rows was sent for approval.")
                % {"id": export_request.pk, "rows": export_request.rows},
            )
            return redirect("exports:request-list")
    # Refused: the household list again with its filter and the reason typed, and why
    # (not a redirect that loses them).
    data = QueryDict(mutable=True)
    for name in HouseholdFilterForm.base_fields:
        if name in request.POST:
            data[name] = request.POST[name]
    return household_list_page(request, data, export_form=form)


@require_POST
def request_approve(request, pk: int):
    export_request = selectors.export_request_get_to_decide(user=request.user, pk=pk)
    try:
        services.export_request_approve(
            actor=request.user, request=export_request, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Request #%(id)d was approved.") % {"id": export_request.pk})
    return redirect("exports:request-list")


@require_POST
def request_refuse(request, pk: int):
    export_request = selectors.export_request_get_to_decide(user=request.user, pk=pk)
    try:
        services.export_request_refuse(
            actor=request.user, request=export_request, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Request #%(id)d was refused.") % {"id": export_request.pk})
    return redirect("exports:request-list")


def request_download(request, pk: int):
    export_request = selectors.export_request_get_own(user=request.user, pk=pk)
    try:
        return xlsx_download(
            lambda path: services.export_request_run(actor=request.user, request=export_request, path=path)
        )
    except RateLimited as exc:
        return too_many_requests(exc.retry_after)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("exports:request-list")
