"""The figures and documents in the API: the same selectors as the dashboard, the same scope."""

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from minqing.api.paging import page_of
from minqing.api.schemas import Page
from minqing.core.audit import audit_list_read
from minqing.core.scope import scope_for

from . import documents, selectors
from .periods import PeriodError, campaign_month, parse_period
from .services import selection_key

router = Router(tags=["figures"])


class GroupOut(Schema):
    key: str
    label: str
    figures: dict


class FiguresOut(Schema):
    campaign: int
    region: str
    period: dict
    figures: dict
    rates: dict
    # Why a rate is None, or what it leaves out: {rate: {"short", "detail"}} (docs/figures.md).
    rate_notes: dict = {}
    groups: list[GroupOut] = []


class RecordOut(Schema):
    id: int | None  # None: a report owed and not submitted (reports_owed), no record
    label: str


class RecordPage(Page):
    items: list[RecordOut]


def _selection(request, campaign_id, period, region, unit, team, cadre, idle_days, default_period=None):
    if not scope_for(request.auth).has("programs.view"):
        raise HttpError(403, _("This account may not do that."))
    campaign = selectors.campaign_get(user=request.auth, pk=campaign_id)
    today = timezone.localdate()
    try:
        if period:
            chosen = parse_period(period, today=today)
        else:
            # No period: as the page, this month while the campaign runs, else its first or last.
            chosen = default_period(today) if default_period else campaign_month(campaign, today)
    except PeriodError as exc:
        raise HttpError(422, str(exc)) from None
    return selectors.selection_for(
        user=request.auth,
        campaign=campaign,
        period=chosen,
        region=region,
        unit=unit,
        team=team,
        cadre=cadre,
        idle_days=idle_days,
    )


@router.get("/campaigns/{campaign_id}/figures", response=FiguresOut, summary="Every figure of a campaign")
def campaign_figures(
    request,
    campaign_id: int,
    period: str = "",
    region: str = "",
    unit: str = "",
    team: str = "",
    cadre: str = "",
    idle_days: int = selectors.DEFAULT_IDLE_DAYS,
    by: str = "",
):
    """The dashboard's numbers for a period (2026-10, 2026Q4, 2026, 2026-W47 or a range; none:
    this month while the campaign runs, else its first or last month) and a region, unit, team
    or cadre; with `by` (region, unit, team, cadre), each group's too."""
    if by and by not in ("region", "unit", "team", "cadre"):
        raise HttpError(422, _("by: region, unit, team or cadre."))
    sel = _selection(request, campaign_id, period, region, unit, team, cadre, idle_days)
    figures = selectors.figures(user=request.auth, sel=sel, breakdowns=bool(by))
    groups = getattr(figures, f"by_{by}") if by else []
    if sel.cadre is not None or (by == "cadre" and groups):
        # One cadre's figures, or each cadre's by name: a cadre's record, read (as the dashboard's
        # and `minqing figures`). Figures of a region, unit or team name no one: not recorded.
        audit_list_read(
            action="figures.view",
            user=request.auth,
            obj=sel.campaign,
            shown=len(groups) if by == "cadre" else 1,
            period=sel.period.code,
            selection=selection_key(sel),
            by=by,
        )
    return {
        "campaign": sel.campaign.pk,
        "region": sel.area.code,
        "period": {"code": sel.period.code, "start": sel.period.start, "end": sel.period.end},
        "figures": selectors.json_values(figures.values),
        "rates": figures.rates,
        "rate_notes": {k: {"short": n.short, "detail": n.detail} for k, n in figures.notes.items()},
        "groups": [
            {"key": str(g.key), "label": g.label, "figures": selectors.json_values(g.values)} for g in groups
        ],
    }


@router.get(
    "/campaigns/{campaign_id}/figures/{key}", response=RecordPage, summary="The records behind one figure"
)
def figure_records(
    request,
    campaign_id: int,
    key: str,
    period: str = "",
    region: str = "",
    unit: str = "",
    team: str = "",
    cadre: str = "",
    idle_days: int = selectors.DEFAULT_IDLE_DAYS,
    page: int = 1,
    size: int = 50,
):
    """`count` is the figure's number: the same query as the dashboard's tile."""
    sel = _selection(request, campaign_id, period, region, unit, team, cadre, idle_days)
    try:
        records = selectors.tile_records(user=request.auth, sel=sel, key=key)
    except Http404:
        raise HttpError(404, _("There is no such figure.")) from None
    result = page_of(records, page, size, lambda r: {"id": r.pk, "label": str(r)})
    audit_list_read(action="dashboard_tile.list", user=request.auth, page=result, obj=sel.campaign, tile=key)
    return result


@router.get(
    "/campaigns/{campaign_id}/documents/{kind}",
    summary="A periodic document as Word or PDF",
    response={200: None},
)
def campaign_document(
    request,
    campaign_id: int,
    kind: str,
    format: str = "docx",
    period: str = "",
    region: str = "",
    unit: str = "",
    team: str = "",
    cadre: str = "",
):
    """kind: weekly, monthly, quarterly, annual or briefing; format: docx or pdf."""
    if kind not in documents.KINDS or format not in documents.FORMATS:
        raise HttpError(404, _("There is no such document."))
    sel = _selection(
        request,
        campaign_id,
        period,
        region,
        unit,
        team,
        cadre,
        selectors.DEFAULT_IDLE_DAYS,
        default_period=documents.DEFAULT_PERIOD[kind],
    )
    content, disposition, content_type = documents.generate(user=request.auth, sel=sel, kind=kind, fmt=format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = disposition
    return response
