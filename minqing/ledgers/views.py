from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from minqing.core.ratelimit import RateLimited, too_many_requests
from minqing.core.scope import require_permission, scope_for
from minqing.programs import selectors as program_selectors

from . import selectors, services
from .files import XLSX, discard, file_response, temp_path


def ledger_list(request, pk: int):
    """A campaign's ledgers with their row counts in the user's scope, each downloadable."""
    require_permission(request.user, program_selectors.VIEW)
    campaign = program_selectors.campaign_get(user=request.user, pk=pk)
    return render(
        request,
        "ledgers/ledger_list.html",
        {
            "campaign": campaign,
            "ledgers": selectors.ledger_counts(user=request.user, campaign=campaign),
            "can_unmask": scope_for(request.user).has("people.unmask"),
            "region": request.GET.get("region", ""),
        },
    )


def ledger_export(request, pk: int, key: str):
    """GET: the ledger as Excel, identifiers masked. POST with a reason: identifiers in full
    for those who may unmask them (audited with the reason)."""
    require_permission(request.user, program_selectors.VIEW)
    campaign = program_selectors.campaign_get(user=request.user, pk=pk)
    data = request.POST if request.method == "POST" else request.GET
    path = temp_path(".xlsx")
    try:
        export = services.ledger_export(
            actor=request.user,
            campaign=campaign,
            key=key,
            path=path,
            region_code=data.get("region", ""),
            unmask=request.method == "POST",
            reason=data.get("reason", ""),
        )
    except ValidationError as exc:
        discard(path)
        messages.error(request, " ".join(exc.messages))
        return redirect("ledgers:ledger-list", pk=campaign.pk)
    except RateLimited as exc:
        discard(path)
        return too_many_requests(exc.retry_after)
    except BaseException:
        discard(path)
        raise
    return file_response(path, filename=export.filename, content_type=XLSX)


__all__ = ["ledger_list", "ledger_export", "_"]
