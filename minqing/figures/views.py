"""The dashboard: every figure of a campaign for a region, unit, team or cadre and a period,
each number a link to the records behind it."""

from dataclasses import replace

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from minqing.core.audit import audit_list_read
from minqing.core.dates import day_text
from minqing.core.money import yuan_text
from minqing.core.paging import paginate, query_without_page
from minqing.core.scope import require_permission
from minqing.programs.rules import STATUS_LABELS

from . import documents, selectors
from .periods import PeriodError, campaign_month, campaign_timing, parse_period
from .services import selection_key

VIEW = "programs.view"


def _selection(request, campaign):
    """The selection from the query string; a bad period is reported, the default month shown
    instead: this month while the campaign runs, else its first or last month."""
    today = timezone.localdate()
    problem = ""
    try:
        text = request.GET.get("period", "").strip()
        period = parse_period(text, today=today) if text else campaign_month(campaign, today)
    except PeriodError as exc:
        problem = str(exc)
        period = campaign_month(campaign, today)
    idle = request.GET.get("idle", "")
    sel = selectors.selection_for(
        user=request.user,
        campaign=campaign,
        period=period,
        region=request.GET.get("region", ""),
        unit=request.GET.get("unit", ""),
        team=request.GET.get("team", ""),
        cadre=request.GET.get("cadre", ""),
        idle_days=int(idle) if idle.isdigit() and 0 < int(idle) <= 3650 else selectors.DEFAULT_IDLE_DAYS,
    )
    return sel, problem


def dashboard_index(request):
    """The campaigns the user may see, each leading to its dashboard."""
    require_permission(request.user, VIEW)
    campaigns = list(selectors.campaigns_for(user=request.user))
    return render(request, "figures/dashboard_index.html", {"campaigns": campaigns})


def dashboard(request, pk: int):
    require_permission(request.user, VIEW)
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    sel, problem = _selection(request, campaign)
    # The page ranks 20 cadres (and charts 10 where it has no regions): only those are named.
    figures = selectors.figures(user=request.user, sel=sel, deferred=False, top_cadres=20)
    ranking = [] if sel.cadre is not None else figures.top_cadres(n=20)
    if sel.cadre is not None or ranking:
        # One cadre's figures, or the ranking of cadres by name: a cadre's record, read (as
        # `minqing figures --cadre` or `--by cadre`). Figures of a region, unit or team name no one.
        audit_list_read(
            action="figures.view",
            user=request.user,
            obj=campaign,
            shown=len(ranking) or 1,
            period=sel.period.code,
            selection=selection_key(sel),
            by="cadre" if ranking else "",
        )
    sections = []
    for key, label in selectors.SECTIONS.items():
        tiles = [t for t in selectors.TILES.values() if t.section == key]
        if tiles:
            sections.append(
                {"key": key, "label": label, "tiles": [(t, figures.values.get(t.key)) for t in tiles]}
            )
    rates = [(r, figures.rates[r.key], figures.notes.get(r.key)) for r in selectors.RATES]
    chart = {
        "labels": [g.label for g in figures.by_region] or [g.label for g in figures.top_cadres()],
        "series": [
            {
                "name": str(selectors.TILES[key].label),
                "data": [g.values.get(key, 0) for g in (figures.by_region or figures.top_cadres())],
            }
            for key in ("visits", "demands", "demands_resolved", "demands_overdue")
        ],
        "rates": [{"name": str(r.label), "value": v} for r, v, _note in rates if v is not None],
    }
    return render(
        request,
        "figures/dashboard.html",
        {
            "campaign": campaign,
            "sel": sel,
            "figures": figures,
            "sections": sections,
            "rates": rates,
            "problem": problem,
            "timing": _timing_note(campaign, sel),
            "chart": chart,
            "tables": _tables(campaign, sel, figures, ranking),
            "query": _query(sel.params()),
            "documents": _document_links(sel),
            "area_only": not selectors.campaign_in_scope(user=request.user, campaign=campaign),
            "area_name": selectors.area_name(user=request.user, campaign=campaign),
        },
    )


def _timing_note(campaign, sel) -> str:
    """A word on the page when the campaign has not started or has ended, naming the month shown."""
    timing = campaign_timing(campaign, timezone.localdate())
    if timing == "not_started":
        return _("This campaign has not started yet: it starts on %(start)s. Shown: %(period)s.") % {
            "start": day_text(campaign.start),
            "period": sel.period.label,
        }
    if timing == "ended":
        return _("This campaign ended on %(end)s. Shown: %(period)s.") % {
            "end": day_text(campaign.end),
            "period": sel.period.label,
        }
    return ""


def dashboard_compliance(request, pk: int):
    """The compliance summary, loaded after the page: a county's checklist takes seconds."""
    require_permission(request.user, VIEW)
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    sel, _problem = _selection(request, campaign)
    summary = selectors.compliance_summary(user=request.user, sel=sel)
    # The compliance page is the campaign's own: a township office reading the county campaign's
    # figures for its area sees the numbers here without links to it.
    # The compliance page filters by unit, team or cadre, or narrows to a region (the same
    # verdicts: programs.selectors.verdicts_in_region): a region's numbers are linked when no other
    # choice narrows them, and a team's within a unit is not (the page takes a unit alone, the
    # figures its subtree).
    alone = sel.unit is None and sel.team is None and sel.cadre is None
    linked = (
        alone if sel.region is not None else (sel.team is None or sel.unit is None)
    ) and selectors.campaign_in_scope(user=request.user, campaign=campaign)
    return render(
        request,
        "figures/_compliance.html",
        {
            "campaign": campaign,
            "sel": sel,
            "summary": summary,
            "linked": linked,
            "items": [
                ("pass", STATUS_LABELS["pass"], summary.passed),
                ("fail", STATUS_LABELS["fail"], summary.failed),
                ("no_records", STATUS_LABELS["no_records"], summary.no_records),
                ("not_due", STATUS_LABELS["not_due"], summary.not_due),
            ],
        },
    )


def _campaign_tile(request, pk: int, key: str):
    """The campaign (in scope) and one of its dashboard's tiles, else 404."""
    require_permission(request.user, VIEW)
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    tile = selectors.TILES.get(key)
    if tile is None:
        raise Http404
    return campaign, tile


def dashboard_tile(request, pk: int, key: str):
    """One deferred tile's number, loaded after the page, linked to its records like the others."""
    campaign, tile = _campaign_tile(request, pk, key)
    sel, _problem = _selection(request, campaign)
    return render(
        request,
        "figures/_tile_number.html",
        {
            "campaign": campaign,
            "tile": tile,
            "value": tile.value(request.user, sel),
            "query": _query(sel.params()),
        },
    )


def tile_list(request, pk: int, key: str):
    """The records behind one number of the dashboard: exactly as many rows as the number."""
    campaign, tile = _campaign_tile(request, pk, key)
    sel, problem = _selection(request, campaign)
    records = selectors.tile_records(user=request.user, sel=sel, key=key)
    page = paginate(request, records, per_page=50)
    source = tile.source.key if tile.source else getattr(tile, "list_kind", "custom")
    if source in ("visit", "relief", "pairing"):
        page.object_list = selectors.mark_targets(request.user, page.object_list)
        for record in page.object_list:
            if source == "pairing":
                record.campaign = campaign  # its kind by the template's name, with no query per row
    audit_list_read(action="dashboard_tile.list", user=request.user, page=page, obj=campaign, tile=key)
    return render(
        request,
        "figures/tile_list.html",
        {
            "campaign": campaign,
            "sel": sel,
            "tile": tile,
            "source": source,
            "page": page,
            "problem": problem,
            "query": query_without_page(request),
            "back": _query(sel.params()),
            "total": getattr(page.paginator, "count", 0),
            "forms": {f["key"]: f.get("name", f["key"]) for f in campaign.config.get("visit_forms", [])},
            "area_only": not selectors.campaign_in_scope(user=request.user, campaign=campaign),
            "area_name": selectors.area_name(user=request.user, campaign=campaign),
        },
    )


def _tables(campaign, sel, figures, ranking) -> list[dict]:
    """The breakdown tables with every link made here: a county's tables hold about a thousand
    cells, so each row's cells are written as HTML once here (every value escaped) instead of
    through a template variable each (a county dashboard: about 30 ms of the page)."""
    dashboard_url = reverse("figures:dashboard", args=[campaign.pk])
    tiles = [selectors.TILES[k] for k in selectors.BREAKDOWN_TILES]
    # Per tile: the opening of its cell, of its link and the link's end, escaped once for every row.
    openings = {
        t.key: (
            f'<td data-label="{escape(t.label)}">',
            f'<a href="{escape(reverse("figures:tile-list", args=[campaign.pk, t.key]))}?',
            f'" data-tile="{escape(t.key)}">',
        )
        for t in tiles
    }
    wanted = [("by-region", _("By region"), _("Region"), figures.by_region)]
    if sel.cadre is None:
        wanted += [
            ("by-unit", _("By unit"), _("Unit"), figures.by_unit),
            ("by-team", _("By team"), _("Team"), figures.by_team),
            ("by-cadre", _("Ranking of cadres"), _("Cadre"), ranking),
        ]
    tables = []
    for table_id, title, heading, groups in wanted:
        if not groups and table_id in ("by-region", "by-team"):
            continue
        rows = []
        for group in groups:
            query = group.query
            escaped = escape(query)
            html = []
            for tile in tiles:
                value = group.values.get(tile.key, 0)
                text = escape(yuan_text(value) if tile.kind == "yuan" else str(value))
                cell, link, end = openings[tile.key]
                linked = value and group.linked
                html.append(f"{cell}{link}{escaped}{end}{text}</a></td>" if linked else f"{cell}{text}</td>")
            rows.append(
                {
                    "label": group.label,
                    "href": f"{dashboard_url}?{query}" if group.linked else "",
                    "cells": mark_safe("".join(html)),
                }
            )
        tables.append({"id": table_id, "title": title, "heading": heading, "rows": rows, "tiles": tiles})
    return tables


def _query(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def _document_links(sel) -> list[dict]:
    """Each document of the period that holds the dashboard's day (the briefing: the dashboard's period)."""
    links = []
    for kind, label in documents.KINDS.items():
        period = sel.period if kind == "briefing" else documents.DEFAULT_PERIOD[kind](sel.as_of)
        links.append({"kind": kind, "label": label, "query": _query(sel.params(period=period.code))})
    return links


def document(request, pk: int, kind: str, fmt: str):
    """A periodic document of the selection, as Word or PDF (numbered once, audited each time)."""
    require_permission(request.user, VIEW)
    if kind not in documents.KINDS or fmt not in documents.FORMATS:
        raise Http404
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    sel, problem = _selection(request, campaign)
    if problem:
        # A numbered document of another period than the one asked for would mislead.
        return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
    if not request.GET.get("period"):
        sel = replace(sel, period=documents.DEFAULT_PERIOD[kind](timezone.localdate()))
    content, disposition, content_type = documents.generate(user=request.user, sel=sel, kind=kind, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    return response
