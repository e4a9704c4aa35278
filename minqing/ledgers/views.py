from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from minqing.core.files import XLSX, temp_file_download
from minqing.core.forms import add_errors
from minqing.core.ratelimit import RateLimited, too_many_requests
from minqing.core.scope import require_permission, scope_for
from minqing.programs import selectors as program_selectors

from . import selectors, services
from .forms import FullExportForm


def ledger_list(request, pk: int):
    """A campaign's ledgers with their row counts in the user's scope, each downloadable;
    ?region= narrows the counts and the downloads alike."""
    require_permission(request.user, program_selectors.VIEW)
    campaign = program_selectors.campaign_get(user=request.user, pk=pk)
    return _ledger_list_page(request, campaign, request.GET.get("region", ""))


def _ledger_list_page(request, campaign, code: str, form=None, refused: str = ""):
    """The ledgers for the region `code`; `form` is a refused full export of the ledger
    `refused`, shown in its row as it was sent, its section open."""
    code = code.strip()
    region_error = ""
    try:
        region = selectors.ledger_region(code)
    except ValidationError as exc:
        # Counts and downloads for the whole campaign, and the page says why.
        region, region_error = None, " ".join(exc.messages)
    return render(
        request,
        "ledgers/ledger_list.html",
        {
            "campaign": campaign,
            "ledgers": selectors.ledger_counts(user=request.user, campaign=campaign, region=region),
            "can_unmask": scope_for(request.user).has("people.unmask"),
            "region": region.code if region else "",
            "region_asked": code,
            "region_error": region_error,
            "form": form,
            "refused": refused,
        },
    )


def ledger_export(request, pk: int, key: str):
    """GET: the ledger as Excel, identifiers masked. POST with a reason: identifiers in full
    for those who may unmask them (audited with the reason)."""
    require_permission(request.user, program_selectors.VIEW)
    campaign = program_selectors.campaign_get(user=request.user, pk=pk)
    data = request.POST if request.method == "POST" else request.GET
    form = FullExportForm(request.POST) if request.method == "POST" else None
    if form is not None:
        form.is_valid()  # always: every field is optional text

    def write(path: str) -> str:
        return services.ledger_export(
            actor=request.user,
            campaign=campaign,
            key=key,
            path=path,
            region_code=data.get("region", ""),
            unmask=request.method == "POST",
            reason=form.cleaned_data["reason"] if form is not None else "",
        ).filename

    try:
        return temp_file_download(write, suffix=".xlsx", content_type=XLSX)
    except ValidationError as exc:
        if form is not None and "reason" in getattr(exc, "error_dict", {}):
            # The reason typed is refused: the page again with it and why, in its ledger's row.
            add_errors(form, exc)
            return _ledger_list_page(request, campaign, data.get("region", ""), form=form, refused=key)
        # Nothing typed to keep: an unknown ledger or region of a link.
        messages.error(request, " ".join(exc.messages))
        return redirect("ledgers:ledger-list", pk=campaign.pk)
    except RateLimited as exc:
        return too_many_requests(exc.retry_after)


__all__ = ["ledger_list", "ledger_export", "_"]
