from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from minqing.core.scope import get_scoped_or_404, scope_for
from minqing.org.models import Cadre
from minqing.programs import selectors as program_selectors

from . import documents, selectors

router = Router(tags=["cards"])


class CardOut(Schema):
    cadre: int
    name: str
    unit: str
    post: str
    phone: str
    phone_published: bool
    point: int
    point_name: str
    roles: list[str] = []  # what brings the cadre to the point (包村, a team's name, …)
    commitment: str
    duty_days: str
    intake_url: str


def _entries(request, campaign_id: int, point: int | None, cadre: int | None):
    if not scope_for(request.auth).has(program_selectors.VIEW):
        raise HttpError(403, _("This account may not do that."))
    campaign = program_selectors.campaign_get(user=request.auth, pk=campaign_id)
    the_point = program_selectors.point_get(user=request.auth, pk=point) if point else None
    the_cadre = get_scoped_or_404(Cadre, request.auth, "org.view", pk=cadre) if cadre else None
    return campaign, selectors.card_entries(
        user=request.auth,
        campaign=campaign,
        site=selectors.site_url(request),
        point=the_point,
        cadre=the_cadre,
    )


@router.get(
    "/campaigns/{campaign_id}/cards",
    response=list[CardOut],
    summary="Who is stationed where, as on the cards",
)
def list_cards(request, campaign_id: int, point: int | None = None, cadre: int | None = None):
    _campaign, entries = _entries(request, campaign_id, point, cadre)
    return [
        {
            "cadre": e.cadre.pk,
            "name": e.name,
            "unit": e.unit_name,
            "post": e.cadre.post,
            "phone": e.phone,
            "phone_published": e.phone_published,
            "point": e.point.pk,
            "point_name": e.point.name,
            "roles": list(e.roles),
            "commitment": e.commitment,
            "duty_days": e.duty_days,
            "intake_url": e.url,
        }
        for e in entries
    ]


@router.get(
    "/campaigns/{campaign_id}/cards.pdf",
    response={200: None},
    summary="Liaison cards as a print-ready PDF (layout: sheet of 10 on A4, or single)",
)
def print_cards(
    request, campaign_id: int, point: int | None = None, cadre: int | None = None, layout: str = "sheet"
):
    if layout not in documents.LAYOUTS:
        raise HttpError(400, _("layout: sheet or single."))
    campaign, entries = _entries(request, campaign_id, point, cadre)
    pdf = documents.cards_pdf(entries, layout=layout, user=request.auth, campaign=campaign)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="cards-{campaign.pk}.pdf"'
    return response
