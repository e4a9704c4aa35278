from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from minqing.core.params import id_param
from minqing.core.ratelimit import rate_limit
from minqing.core.scope import get_scoped_or_404, require_permission
from minqing.geo.models import Region
from minqing.org.models import Cadre
from minqing.programs import selectors as program_selectors
from minqing.programs.models import LiaisonPoint

from . import documents, selectors, services
from .models import LiaisonCard


def campaign_cards(request, pk: int):
    """Who is stationed where in the campaign, with their cards to print."""
    require_permission(request.user, program_selectors.VIEW)
    campaign = program_selectors.campaign_get(user=request.user, pk=pk)
    entries = selectors.card_entries(user=request.user, campaign=campaign, site=selectors.site_url(request))
    # Cards that would print a masked work phone, which nobody can call: said before printing.
    unpublished = len({e.cadre.pk for e in entries if e.phone and not e.phone_published})
    return render(
        request,
        "cards/campaign_cards.html",
        {"campaign": campaign, "entries": entries, "unpublished": unpublished},
    )


def cards_pdf(request, pk: int):
    """?point=ID or ?cadre=ID narrows the cards; ?layout=single gives one card per page."""
    require_permission(request.user, program_selectors.VIEW)
    campaign = program_selectors.campaign_get(user=request.user, pk=pk)
    point = cadre = None
    if request.GET.get("point"):
        point = program_selectors.point_get(user=request.user, pk=id_param(request.GET["point"]) or 0)
    if request.GET.get("cadre"):
        cadre = get_scoped_or_404(Cadre, request.user, "org.view", pk=id_param(request.GET["cadre"]) or 0)
    layout = request.GET.get("layout", "sheet")
    if layout not in documents.LAYOUTS:
        layout = "sheet"
    entries = selectors.card_entries(
        user=request.user, campaign=campaign, site=selectors.site_url(request), point=point, cadre=cadre
    )
    pdf = documents.cards_pdf(entries, layout=layout, user=request.user, campaign=campaign)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="cards-{campaign.pk}.pdf"'
    return response


def card_edit(request, cadre_pk: int):
    """A cadre's liaison card: what it and the board show (the phone to publish, commitment, duty
    days; changed by the cadre or the campaign office) and where to print it."""
    require_permission(request.user, "org.view")
    cadre = get_scoped_or_404(
        Cadre.objects.select_related("account", "unit"), request.user, "org.view", pk=cadre_pk
    )
    can_edit = services.may_edit_card(request.user, cadre)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    card = LiaisonCard.objects.filter(cadre=cadre).first()
    errors = {}
    if request.method == "POST":
        try:
            services.card_update(
                actor=request.user,
                cadre=cadre,
                published_phone=request.POST.get("published_phone", ""),
                commitment=request.POST.get("commitment", ""),
                duty_days=request.POST.get("duty_days", ""),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("The liaison card was saved."))
            return redirect("cards:card-edit", cadre_pk=cadre.pk)
    values = (
        request.POST
        if request.method == "POST"
        else {
            "published_phone": card.published_phone.reveal() if card and card.published_phone else "",
            "commitment": card.commitment if card else "",
            "duty_days": card.duty_days if card else "",
        }
    )
    campaigns = (
        program_selectors.campaign_list(user=request.user)
        .filter(pairings__cadre=cadre, pairings__point__isnull=False)
        .distinct()
    )
    return render(
        request,
        "cards/card_edit.html",
        {"cadre": cadre, "values": values, "errors": errors, "campaigns": campaigns, "can_edit": can_edit},
    )


def _village(code: str) -> Region:
    region = Region.objects.filter(code=code, level=Region.Level.VILLAGE).first()
    if region is None:
        raise Http404
    return region


@login_not_required
@rate_limit("board-ip", lambda: settings.BOARD_RATE_IP)
def board(request, code: str):
    """The public disclosure board (公开栏) of a village: no sign-in, no resident's data."""
    village = _village(code)
    entries = selectors.board_entries(village=village, site=selectors.site_url(request))
    return render(request, "cards/board.html", {"village": village, "entries": entries})


@login_not_required
@rate_limit("board-ip", lambda: settings.BOARD_RATE_IP)
def board_pdf(request, code: str):
    village = _village(code)
    pdf = documents.board_pdf(
        village, selectors.board_entries(village=village, site=selectors.site_url(request))
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="board-{village.code}.pdf"'
    return response


__all__ = ["LiaisonPoint"]
