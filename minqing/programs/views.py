import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minqing.core.audit import audit_list_read
from minqing.core.dates import day_text
from minqing.core.forms import add_errors
from minqing.core.paging import paginate, query_without_page
from minqing.core.scope import get_scoped_or_404, require_permission, scope_for, scoped
from minqing.figures import selectors as figures
from minqing.geo.models import Region
from minqing.geo.selectors import region_list
from minqing.org.models import Cadre, Unit, unit_label
from minqing.org.selectors import cadre_get
from minqing.people import services as people_services
from minqing.people.models import Household
from minqing.people.search import masked_identifier
from minqing.people.selectors import household_list

from . import dates, display, engine, selectors, services
from .documents import checklist_workbook
from .forms import (
    CampaignEditForm,
    CampaignStartForm,
    HandoverForm,
    PairingEndForm,
    PairingForm,
    PairingWithdrawForm,
    PointEditForm,
    PointForm,
    PointRegradeForm,
    PointRetireForm,
    ProgramAddForm,
    TeamDissolveForm,
    TeamForm,
    UnitPairingForm,
)
from .grades import GRADES, GradeLists, grade_label
from .models import Campaign, LiaisonPoint, Pairing
from .rules import FAIL, RULE_TYPES, STATUS_LABELS, target_label
from .schema import TemplateError, TemplateInvalid, template_text


def _as_of(request, campaign) -> tuple[dt.date, str]:
    """The day asked for, or (with the reason, when one was asked for) the default: today,
    kept within the campaign's dates."""
    today = timezone.localdate()
    default = min(max(today, campaign.start), campaign.end) if campaign.end else max(today, campaign.start)
    text = request.GET.get("as_of", "").strip()
    if not text:
        return default, ""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return default, _("“%(text)s” is not a date (YYYY-MM-DD): the verdicts are shown as of %(day)s.") % {
            "text": text[:40],
            "day": day_text(default),
        }
    problem = dates.out_of_span(day, _("The as-of date"))
    if problem:
        return default, problem + " " + _("The verdicts are shown as of %(day)s.") % {
            "day": day_text(default)
        }
    return day, ""


def _form_errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# Programs and campaigns ---------------------------------------------------------------


def program_list(request):
    require_permission(request.user, selectors.VIEW)
    programs = [{"key": key, **data} for key, data in services.program_catalogue().items()]
    return render(
        request,
        "programs/program_list.html",
        {
            "programs": programs,
            "can_manage": scope_for(request.user).has(selectors.MANAGE),
            "can_define": scope_for(request.user).has("programs.define"),
        },
    )


def program_source(request, key: str):
    """A program's template as a file to save, copy and adjust into a new program."""
    require_permission(request.user, selectors.VIEW)
    sources = services.program_sources()
    if key not in sources:
        raise Http404(_("There is no program “%(key)s”.") % {"key": key})
    response = HttpResponse(sources[key], content_type="application/toml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{key}.toml"'
    return response


def program_add(request):
    """A new program from a template file or its text: 检查 shows every error with its line
    (the text stays in the box to be corrected); 添加 checks again and adds it."""
    require_permission(request.user, "programs.define")
    form = ProgramAddForm(request.POST or None, request.FILES or None)
    errors, checked = [], None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"] or ""
        upload = form.cleaned_data["file"]
        try:
            if upload is not None:
                if upload.size > services.PROGRAM_TEXT_MAX * 4:
                    raise TemplateInvalid(
                        [TemplateError(None, "", _("The file is too large for a program template."))]
                    )
                text = template_text(upload.read())
            if not text.strip():
                raise TemplateInvalid(
                    [TemplateError(None, "", _("Choose a template file or paste its text."))]
                )
            if request.POST.get("action") == "add":
                template = services.program_add(actor=request.user, text=text)
                messages.success(
                    request,
                    _("The program “%(name)s” (%(key)s) was added: campaigns can now be started from it.")
                    % {"name": template.name, "key": template.key},
                )
                return redirect("programs:program-list")
            checked = services.program_check(text)
        except TemplateInvalid as exc:
            errors = exc.errors
        # The text as read (from the file too), to be corrected in the box and sent again.
        form = ProgramAddForm(initial={"text": text})
    return render(
        request,
        "programs/program_add.html",
        {"form": form, "errors": errors, "checked": checked, "library": services.program_sources().keys()},
    )


def campaign_list(request):
    require_permission(request.user, selectors.VIEW)
    campaigns = list(selectors.campaign_list(user=request.user, reading=True))
    for campaign in campaigns:
        selectors.campaign_area(user=request.user, campaign=campaign)  # marked when read in part
    # Each campaign's targets as its dashboard counts them (a target paired twice once), not
    # its pairing rows: the list and the dashboard give one figure.
    today = timezone.localdate()
    targets = figures.targets_due_by_campaign(user=request.user, campaigns=campaigns, today=today)
    for campaign in campaigns:
        campaign.targets = targets[campaign.pk]
    return render(
        request,
        "programs/campaign_list.html",
        {
            "campaigns": campaigns,
            "can_manage": scope_for(request.user).has(selectors.MANAGE),
            "this_month": today.strftime("%Y-%m"),
        },
    )


def _start_regions(user):
    return scoped(Region, user, selectors.MANAGE).filter(
        level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP]
    )


def _campaign_units(user, region=None):
    """The units the office may name as taking part (within the campaign's region, if known)."""
    units = scoped(Unit, user, selectors.MANAGE).select_related("region", "parent").order_by("path")
    if region is not None:
        units = units.filter(pk__in=[u.pk for u in units if services.unit_can_take_part(u, region)])
    return units


def campaign_start(request):
    require_permission(request.user, selectors.MANAGE)
    programs = [
        (key, data["name"], data.get("seed", _("new"))) for key, data in services.program_catalogue().items()
    ]
    regions = _start_regions(request.user)
    form = CampaignStartForm(
        request.POST or None,
        programs=programs,
        regions=regions,
        units=_campaign_units(request.user),
        initial={"program": request.GET.get("program")},
    )
    if request.method == "POST" and form.is_valid():
        region = regions.get(code=form.cleaned_data["region"])
        try:
            campaign = services.campaign_start(
                actor=request.user,
                program_key=form.cleaned_data["program"],
                name=form.cleaned_data["name"],
                region=region,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                units=form.cleaned_data["units"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The campaign was started from its template."))
            for fitted in services.fitted_phases(campaign):
                messages.info(request, fitted)
            return redirect("programs:campaign-detail", pk=campaign.pk)
    return render(request, "programs/campaign_start.html", {"form": form})


@require_POST
def campaign_withdraw(request, pk: int):
    """Remove a campaign started by mistake (see services.campaign_withdraw)."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    if not selectors.can_manage_campaign(user=request.user, campaign=campaign):
        raise PermissionDenied
    try:
        services.campaign_withdraw(
            actor=request.user, campaign=campaign, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("programs:campaign-detail", args=[campaign.pk]) + "#withdraw")
    messages.success(request, _("The campaign “%(name)s” was removed.") % {"name": campaign.name})
    return redirect("programs:campaign-list")


def campaign_detail(request, pk: int):
    campaign = selectors.campaign_read(user=request.user, pk=pk)
    titles = display.rule_titles(campaign)
    refs, labels = display.ref_names(campaign.config), display.choice_labels()
    rules = [
        {
            "conf": rule,
            "title": titles.get(rule["key"], rule["name"]),
            "type_label": RULE_TYPES[rule["type"]].label if rule["type"] in RULE_TYPES else rule["type"],
            "params": display.rule_params(rule, campaign.config, refs=refs, labels=labels),
        }
        for rule in campaign.config.get("rules", [])
    ]
    versions = [
        {
            "version": version,
            "reason": display.version_reason(version),
            "changes": display.version_changes(version, campaign.program_name),
        }
        for version in campaign.versions.select_related("changed_by")[:20]
    ]
    return render(
        request,
        "programs/campaign_detail.html",
        {
            "campaign": campaign,
            "units": campaign.units.select_related("parent"),
            "rules": rules,
            "versions": versions,
            "teams": selectors.team_list(user=request.user, campaign=campaign),
            "area_only": bool(campaign.area),
            "can_manage": scope_for(request.user).has(selectors.MANAGE) and not campaign.area,
            "can_withdraw": selectors.can_manage_campaign(user=request.user, campaign=campaign),
            "today_phase": campaign.phase_on(timezone.localdate()),
        },
    )


def campaign_edit(request, pk: int):
    campaign = selectors.campaign_get(user=request.user, pk=pk, permission=selectors.MANAGE)
    form = CampaignEditForm(
        request.POST or None, campaign=campaign, units=_campaign_units(request.user, region=campaign.region)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_change(actor=request.user, campaign=campaign, **form.changes())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("The campaign was changed; the previous settings are kept as a version.")
            )
            return redirect("programs:campaign-detail", pk=campaign.pk)
    return render(
        request,
        "programs/campaign_edit.html",
        {"campaign": campaign, "form": form, "titles": display.rule_titles(campaign)},
    )


# Compliance ------------------------------------------------------------------------


def _compliance_teams(request, campaign) -> tuple[list[engine.TeamSubjects], engine.TeamSubjects | None]:
    """The campaign's teams the user may see, and the one the page is filtered to (None when
    none is asked for). A team of another campaign, or out of sight, is a 404, as its page is."""
    teams = selectors.compliance_teams(user=request.user, campaign=campaign)
    text = request.GET.get("team", "")
    if not text:
        return teams, None
    team = next((team for team in teams if str(team.pk) == text), None)
    if team is None:
        raise Http404(_("The campaign has no team %(id)s that you may see.") % {"id": text[:20]})
    return teams, team


def _compliance_region(request, campaign):
    """The region the page is narrowed to (?region=): one the user may see inside the campaign's
    region, else a 404, as on the dashboard; None when none is asked for."""
    return selectors.compliance_region(
        user=request.user, campaign=campaign, code=request.GET.get("region", "")
    )


def _in_region(report, region):
    """The report of the subjects in the region (the whole checklist, summaries included, as the
    dashboard's compliance summary of that region counts it); the report itself with none."""
    if region is None:
        return report
    return engine.ComplianceReport(
        report.campaign,
        report.as_of,
        selectors.verdicts_in_region(report.verdicts, campaign=report.campaign, region=region),
    )


def _compliance_filters(request, report, team=None, region=None) -> tuple[list, dict]:
    """The verdicts the compliance page and its download show: the page's filters (rule,
    result, cadre, unit, team; the region has narrowed the report) applied alike to both."""
    verdicts = report.verdicts
    filters = {
        "rule": request.GET.get("rule", ""),
        "status": request.GET.get("status", ""),
        "cadre": request.GET.get("cadre", ""),
        "unit": request.GET.get("unit", ""),
        "team": str(team.pk) if team is not None else "",
        "region": region.code if region is not None else "",
    }
    if filters["rule"]:
        verdicts = [v for v in verdicts if v.rule == filters["rule"]]
    if filters["status"] in STATUS_LABELS:
        verdicts = [v for v in verdicts if v.status == filters["status"]]
    if filters["cadre"].isdigit():
        verdicts = [v for v in verdicts if v.cadre_id == int(filters["cadre"])]
    if filters["unit"].isdigit():
        verdicts = [v for v in verdicts if v.unit_id == int(filters["unit"])]
    if team is not None:
        verdicts = engine.team_verdicts(verdicts, team)
    return verdicts, filters


def _unit_labels(verdicts) -> dict[int, str]:
    """unit id → the unit named with its parent (sections of different bodies share names)."""
    return {
        pk: unit_label(name, parent_name)
        for pk, name, parent_name in Unit.objects.filter(
            pk__in={v.unit_id for v in verdicts if v.unit_id}
        ).values_list("pk", "name", "parent__name")
    }


def _filter_lines(filters, *, titles, unit_names, all_verdicts, team=None, region=None) -> list[str]:
    """The page's filters in words, for the download's title."""
    lines = []
    if region is not None:
        lines.append(_("region: %(name)s") % {"name": region.name})
    if filters["rule"]:
        lines.append(_("rule: %(name)s") % {"name": titles.get(filters["rule"], filters["rule"])})
    if filters["status"] in STATUS_LABELS:
        lines.append(_("result: %(name)s") % {"name": STATUS_LABELS[filters["status"]]})
    if filters["unit"].isdigit():
        name = unit_names.get(int(filters["unit"]), filters["unit"])
        lines.append(_("unit: %(name)s") % {"name": name})
    if team is not None:
        lines.append(_("team: %(name)s") % {"name": team.name})
    if filters["cadre"].isdigit():
        cadre_id = int(filters["cadre"])
        name = next(
            (v.subject for v in all_verdicts if v.subject_type == "cadre" and v.cadre_id == cadre_id),
            filters["cadre"],
        )
        lines.append(_("cadre: %(name)s") % {"name": name})
    return lines


# Where a failing verdict is put right, by its rule's type: the page's URL name and the
# permission that page asks for. Pairing rules go to the campaign's pairings (the cadre's, for
# a cadre's verdict), the activities rule to the campaign's activities (the team's, for a
# team's verdict). A type with no page here (team summaries and tickets have their own pages
# per team and ticket) gets no link.
PAIRINGS = "programs:pairing-list"
ACTIVITIES = "fieldwork:activity-list"
FIX_PAGES = {
    "composition.slots": (PAIRINGS, "programs.view"),
    "coverage.cadre_has_target": (PAIRINGS, "programs.view"),
    "coverage.household_has_cadre": (PAIRINGS, "programs.view"),
    "quota.hardship_by_rank": (PAIRINGS, "programs.view"),
    "quota.leader_links": (PAIRINGS, "programs.view"),
    "visits.per_target": ("fieldwork:visit-list", "programs.view"),
    "stay.concentrated": ("fieldwork:attendance-pending", "fieldwork.confirm"),
    "stay.days_per_month": ("fieldwork:attendance-pending", "fieldwork.confirm"),
    "stay.first_by": ("fieldwork:attendance-pending", "fieldwork.confirm"),
    "service_days.monthly": ("fieldwork:attendance-pending", "fieldwork.confirm"),
    "reports.monthly": ("fieldwork:report-list", "programs.view"),
    "reports.team_summary": ("fieldwork:team-summary-list", "programs.view"),
    "reports.leader_weekly": ("assessment:leader-record-list", "assessment.view"),
    "deeds.per_point": ("fieldwork:deed-list", "programs.view"),
    "deeds.per_target": ("fieldwork:deed-list", "programs.view"),
    "projects.per_village": ("fieldwork:deed-list", "programs.view"),
    "relief.per_team": ("fieldwork:relief-list", "programs.view"),
    "zero.incidents": ("fieldwork:incident-list", "programs.view"),
    "activities.held": (ACTIVITIES, "programs.view"),
}


def _compliance_rows(user, campaign, verdicts) -> list[tuple]:
    """(verdict, required, actual, link) for each verdict shown: the counts with their unit,
    and for a failure the page where it is put right (empty when there is none, or when the
    user may not open it)."""
    scope = scope_for(user)
    types = {rule["key"]: rule["type"] for rule in campaign.config.get("rules", [])}
    pages = {}
    for rule_type, (name, permission) in FIX_PAGES.items():
        if scope.has(permission):
            if name == PAIRINGS:
                url = reverse(name, args=[campaign.pk])
            elif name == ACTIVITIES:
                url = f"{reverse(name)}?campaign={campaign.pk}"
            else:
                url = reverse(name)
            pages[rule_type] = (url, name)
    rows = []
    for verdict in verdicts:
        rule_type = types.get(verdict.rule, "")
        link = ""
        if verdict.status == FAIL and rule_type in pages:
            link, name = pages[rule_type]
            if name == PAIRINGS and verdict.cadre_id:
                link = f"{link}?cadre={verdict.cadre_id}"
            elif name == ACTIVITIES and verdict.subject_type == "team" and verdict.team_id:
                link = f"{link}&team={verdict.team_id}"
        rows.append(
            (
                verdict,
                display.count_text(verdict.required, rule_type),
                display.count_text(verdict.actual, rule_type),
                link,
            )
        )
    return rows


def campaign_compliance(request, pk: int):
    campaign = selectors.campaign_read(user=request.user, pk=pk)
    region = _compliance_region(request, campaign)
    teams, team = _compliance_teams(request, campaign)
    as_of, problem = _as_of(request, campaign)
    if problem:
        messages.warning(request, problem)
    try:
        report = selectors.compliance(user=request.user, campaign=campaign, as_of=as_of)
    except ValidationError as exc:  # a campaign stored with dates no rule can count in
        messages.error(request, _form_errors(exc))
        report = engine.ComplianceReport(campaign, as_of, [])
    report = _in_region(report, region)
    verdicts, filters = _compliance_filters(request, report, team, region)
    page = paginate(request, verdicts, per_page=50)
    # Drilled into a cadre, the summary by rule counts that cadre's verdicts, every rule and
    # result (the rule and result filters narrow only the list).
    summary = report
    if filters["cadre"].isdigit():
        cadre_id = int(filters["cadre"])
        summary = engine.ComplianceReport(
            campaign, as_of, [v for v in report.verdicts if v.cadre_id == cadre_id]
        )
    audit_list_read(
        action="compliance.view",
        user=request.user,
        page=page,
        obj=campaign,
        as_of=as_of.isoformat(),
        filters=filters,
    )
    export_query = urlencode(
        {"as_of": as_of.isoformat(), **{key: value for key, value in filters.items() if value}}
    )
    return render(
        request,
        "programs/campaign_compliance.html",
        {
            "campaign": campaign,
            "area_only": bool(campaign.area),
            "as_of": as_of,
            "report": report,
            "by_rule": summary.by_rule,
            "titles": display.rule_titles(campaign),
            "page": page,
            "rows": _compliance_rows(request.user, campaign, page),
            "query": query_without_page(request),
            "export_query": export_query,
            "by_unit": report.by_unit(_unit_labels(report.verdicts)),
            "by_team": report.by_team(teams),
            "filtered_team": team,
            "statuses": STATUS_LABELS.items(),
            "filters": filters,
            "region": region,
            "filtered_cadre": next((v.subject for v in verdicts if v.subject_type == "cadre"), "")
            if filters["cadre"]
            else "",
            "can_manage_campaign": bool(filters["cadre"])
            and selectors.can_manage_campaign(user=request.user, campaign=campaign),
        },
    )


def campaign_compliance_export(request, pk: int):
    campaign = selectors.campaign_read(user=request.user, pk=pk)
    region = _compliance_region(request, campaign)
    _teams, team = _compliance_teams(request, campaign)
    as_of, problem = _as_of(request, campaign)
    try:
        if problem:
            raise ValidationError(problem)
        report = selectors.compliance(user=request.user, campaign=campaign, as_of=as_of)
    except ValidationError:
        # The page says what is wrong with the day (or the campaign) and links a good download.
        page = reverse("programs:campaign-compliance", args=[campaign.pk])
        return redirect(f"{page}?{request.GET.urlencode()}" if request.GET else page)
    report = _in_region(report, region)
    verdicts, filters = _compliance_filters(request, report, team, region)
    titles = display.rule_titles(campaign)
    content = checklist_workbook(
        report,
        user=request.user,
        verdicts=verdicts,
        titles=titles,
        filters=_filter_lines(
            filters,
            titles=titles,
            unit_names=_unit_labels(report.verdicts),
            all_verdicts=report.verdicts,
            team=team,
            region=region,
        ),
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    # A filtered download says so in its name, so that it is not taken for the whole list.
    values = {key: request.GET.get(key, "") for key in ("status", "unit", "team", "cadre", "region")}
    parts = [f"{key}{value}" for key, value in values.items() if value.isascii() and value.isalnum()]
    rule = request.GET.get("rule", "")
    if rule.isascii() and rule.replace("_", "").replace(".", "").isalnum():
        parts.append(rule)
    filename = "-".join(["compliance", str(campaign.pk), as_of.isoformat(), *parts]) + ".xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Pairings --------------------------------------------------------------------------


def _pairing_form(request, campaign, *, bound: bool = True):
    cadres = selectors.pairing_cadres(user=request.user, campaign=campaign)
    points = selectors.point_list(user=request.user, status=selectors.CURRENT)
    return PairingForm(
        (request.POST or None) if bound else None,
        campaign=campaign,
        cadres=cadres,
        points=points,
        initial={"start": max(campaign.start, timezone.localdate())},
    )


def pairing_list(request, pk: int):
    campaign = selectors.campaign_read(user=request.user, pk=pk)
    return _pairing_list_page(request, campaign)


def _pairing_list_page(request, campaign, *, form=None, end_form=None, withdraw_form=None, ended=None):
    """The campaign's pairings; after a form was refused, the page again with that form as
    it was sent, its errors beside its fields (`form`: recording one; `end_form` or
    `withdraw_form`: ending or withdrawing the pairing `ended`)."""
    cadre = None
    if request.GET.get("cadre", "").isdigit():
        pk = int(request.GET["cadre"])
        area = selectors.campaign_area(user=request.user, campaign=campaign)
        if area and pk in selectors.area_work(campaign, area)[0]:
            # Read for part of its area: a cadre at work there (a county bureau's) lists their
            # pairings there, as the rows link them.
            cadre = get_object_or_404(Cadre.objects.select_related("account", "unit"), pk=pk)
        else:
            cadre = cadre_get(user=request.user, pk=pk)
    pairings = selectors.pairing_list(user=request.user, campaign=campaign, cadre=cadre)
    filters = _pairing_filters(request, campaign)
    pairings = selectors.pairing_filter(pairings, user=request.user, **filters["applied"])
    # Read for part of its area (a township office and the county's campaign): read only.
    can_manage = scope_for(request.user).has(selectors.MANAGE) and not selectors.campaign_area(
        user=request.user, campaign=campaign
    )
    if can_manage and form is None:
        form = _pairing_form(request, campaign, bound=False)
        if cadre is not None:
            form.initial["cadre"] = cadre.pk  # a pairing added here is most likely this cadre's
    page = paginate(request, pairings)
    page.object_list = selectors.mark_unseen(request.user, page.object_list)
    audit_list_read(action="pairing.list", user=request.user, page=page, obj=campaign)
    refused = end_form if end_form is not None else withdraw_form
    if refused is not None and not any(p.pk == ended and p.end is None for p in page):
        # Its row is not on this page (or it has ended meanwhile): say why here instead.
        messages.error(request, " ".join(e for errors in refused.errors.values() for e in errors))
    return render(
        request,
        "programs/pairing_list.html",
        {
            "pager_path": reverse("programs:pairing-list", args=[campaign.pk]),
            "campaign": campaign,
            "area_only": bool(campaign.area),
            "page": page,
            "query": query_without_page(request),
            # An End form is sent to the page it is on (?cadre=, ?page=) and comes back there.
            "list_query": _list_query(request),
            "cadre": cadre,
            "can_manage": can_manage,
            "form": form if can_manage else None,
            "end_form": end_form,
            "withdraw_form": withdraw_form,
            "ended": ended,
            "today": timezone.localdate(),
            "filters": filters,
        },
    )


PAIRING_STATUSES = {"active", "to_come", "ended"}


def _pairing_filters(request, campaign) -> dict:
    """The pairing list's filters as sent (kind, status, q) and those that apply."""
    kinds = [(k["key"], k["name"]) for k in campaign.config.get("pairing_kinds", [])]
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:40]
    return {
        "kinds": kinds,
        "kind": kind,
        "status": status,
        "q": q,
        "applied": {
            "kind": kind if kind in dict(kinds) else "",
            "status": status if status in PAIRING_STATUSES else "",
            "q": q,
            "today": timezone.localdate(),
        },
    }


def _list_query(request) -> str:
    """The pairing list's own query (cadre, page and its filters) from the request, nothing else."""
    query = {key: request.GET[key] for key in ("cadre", "page") if request.GET.get(key, "").isdigit()}
    for key in ("kind", "status", "q"):
        if request.GET.get(key, "").strip():
            query[key] = request.GET[key].strip()[:40]
    return urlencode(query)


@require_POST
def pairing_create(request, pk: int):
    campaign = selectors.campaign_get(user=request.user, pk=pk, permission=selectors.MANAGE)
    form = _pairing_form(request, campaign)
    if form.is_valid():
        data = form.cleaned_data
        try:
            target = _pairing_target(request.user, data)
            services.pairing_create(
                actor=request.user,
                campaign=campaign,
                cadre=data["cadre"],
                kind=data["kind"],
                target=target,
                start=data["start"],
                slot=data.get("slot", ""),
                note=data["note"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The pairing was recorded."))
            return redirect("programs:pairing-list", pk=campaign.pk)
    # Refused: the page again, with what was typed and why (not a redirect that loses it).
    return _pairing_list_page(request, campaign, form=form)


def household_by_number_or_search(user, text: str) -> Household:
    """The household a number names exactly, or the one household a search finds (name,
    pinyin initials, ID number — people.search); several or none is a clear error."""
    household = scoped(Household, user, "people.view").filter(code=text).first()
    if household is not None:
        return household
    found = list(household_list(user=user, q=text).select_related("head")[:6])
    people_services.search_audit(actor=user, q=text, hits=len(found))
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError(
            _("No household in your scope matches “%(q)s”.") % {"q": masked_identifier(text) or text}
        )
    names = "、".join(f"{h.head.name if h.head_id else '—'}（{h.code}）" for h in found[:5])
    raise ValidationError(
        _("Several households match “%(q)s”: %(names)s. Give the household number.")
        % {"q": masked_identifier(text) or text, "names": names}
    )


def household_options(request, pk: int):
    """Suggestions for the pairing form's household box (htmx): the first ten matches."""
    campaign = selectors.campaign_get(user=request.user, pk=pk, permission=selectors.MANAGE)
    q = request.GET.get("household", "").strip()
    found = []
    if len(q) >= 1:
        found = list(household_list(user=request.user, q=q).select_related("head")[:10])
        people_services.search_audit(actor=request.user, q=q, hits=len(found))
    return render(request, "programs/_household_options.html", {"households": found, "campaign": campaign})


def _pairing_target(user, data):
    if data["point"] is not None:
        return data["point"]
    code = (data["household"] or "").strip()
    if not code:
        raise ValidationError(_("Choose a liaison point, or give a household number."))
    household = household_by_number_or_search(user, code)
    name = (data["member"] or "").strip()
    if not name:
        return household
    member = household.members.filter(name=name).first()
    if member is None:
        raise ValidationError(
            _("Household %(code)s has no member named %(name)s.") % {"code": code, "name": name}
        )
    return member


@require_POST
def pairing_end(request, pk: int, pairing_pk: int):
    return _pairing_step(
        request, pk, pairing_pk, PairingEndForm, services.pairing_end, _("The pairing was ended."), "end_form"
    )


@require_POST
def pairing_withdraw(request, pk: int, pairing_pk: int):
    """Withdraw a pairing that has not begun (see services.pairing_withdraw)."""
    return _pairing_step(
        request,
        pk,
        pairing_pk,
        PairingWithdrawForm,
        services.pairing_withdraw,
        _("The pairing was withdrawn."),
        "withdraw_form",
    )


def _pairing_step(request, pk: int, pairing_pk: int, form_class, service, done: str, form_name: str):
    """End or withdraw one pairing from its row: back to the page it was on, or, refused,
    that page again with the row's form as it was sent."""
    campaign = selectors.campaign_get(user=request.user, pk=pk, permission=selectors.MANAGE)
    pairing = get_object_or_404(selectors.pairing_list(user=request.user, campaign=campaign), pk=pairing_pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(actor=request.user, pairing=pairing, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done)
            page = reverse("programs:pairing-list", args=[campaign.pk])
            query = _list_query(request)
            return redirect(f"{page}?{query}" if query else page)
    return _pairing_list_page(request, campaign, ended=pairing.pk, **{form_name: form})


TEAM_STATUSES = {
    selectors.CURRENT: gettext_lazy("Current"),
    "dissolved": gettext_lazy("Dissolved"),
    selectors.ALL: gettext_lazy("All"),
}


def team_list(request, pk: int):
    campaign = selectors.campaign_read(user=request.user, pk=pk)
    can_manage = selectors.can_manage_campaign(user=request.user, campaign=campaign)
    form = None
    if can_manage:
        cadres = selectors.pairing_cadres(user=request.user, campaign=campaign)
        form = TeamForm(
            request.POST or None,
            cadres=cadres,
            points=selectors.campaign_points(user=request.user, campaign=campaign),
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.team_create(actor=request.user, campaign=campaign, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The team was created."))
                return redirect("programs:team-list", pk=campaign.pk)
    elif request.method == "POST":
        raise PermissionDenied
    # Teams still at work by default; a dissolved one is kept and found under its filter.
    status = request.GET.get("status", "")
    status = status if status in TEAM_STATUSES else selectors.CURRENT
    return render(
        request,
        "programs/team_list.html",
        {
            "campaign": campaign,
            "area_only": bool(campaign.area),
            "teams": selectors.mark_team_points(
                request.user, selectors.team_list(user=request.user, campaign=campaign, status=status)
            ),
            "form": form,
            "statuses": TEAM_STATUSES.items(),
            "status": status,
        },
    )


def _team_get(request, pk: int, team_pk: int):
    """The campaign (404 out of sight), one of its teams the user sees (404 otherwise), and
    whether the user manages the campaign."""
    campaign = selectors.campaign_read(user=request.user, pk=pk)
    team = get_object_or_404(selectors.team_list(user=request.user, campaign=campaign), pk=team_pk)
    return campaign, team, selectors.can_manage_campaign(user=request.user, campaign=campaign)


def team_detail(request, pk: int, team_pk: int):
    """One team: its leader, members and points; who manages the campaign changes them, or
    dissolves the team (teams_dissolve). A dissolved team is shown as it was, unchangeable."""
    campaign, team, can_manage = _team_get(request, pk, team_pk)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = None
    if can_manage and team.dissolved_on is not None:
        if request.method == "POST":  # a Change form sent from a page opened before it was dissolved
            messages.error(request, services.team_dissolved_message(team))
    elif can_manage:
        form = _team_form(request, campaign, team)
        if request.method == "POST" and form.is_valid():
            try:
                services.team_update(actor=request.user, team=team, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The team was saved."))
                return redirect("programs:team-detail", pk=campaign.pk, team_pk=team.pk)
    return _team_detail_page(request, campaign, team, can_manage=can_manage, form=form)


def _team_form(request, campaign, team, *, bound: bool = True) -> TeamForm:
    # The team's own leader and members stay offered even if they no longer take part (a
    # disabled account, a unit that left the campaign), and its own points even if retired:
    # saving then says so at the field, instead of dropping them without a word.
    current = [m.pk for m in team.members.all()] + ([team.leader_id] if team.leader_id else [])
    cadres = (
        Cadre.objects.filter(
            Q(pk__in=selectors.pairing_cadres(user=request.user, campaign=campaign).values("pk"))
            | Q(pk__in=current)
        )
        .select_related("account", "unit__parent")
        .order_by("unit__path", "id")
    )
    own_points = [p.pk for p in team.points.all()]
    points = (
        selectors.point_list(user=request.user)
        .filter(
            Q(pk__in=selectors.campaign_points(user=request.user, campaign=campaign).values("pk"))
            | Q(pk__in=own_points)
        )
        .order_by("region_id", "name")
    )
    return TeamForm(
        (request.POST or None) if bound else None,
        cadres=cadres,
        points=points,
        initial={
            "name": team.name,
            "kind": team.kind,
            "leader": team.leader_id,
            "members": [m.pk for m in team.members.all()],
            "points": own_points,
        },
    )


def _team_detail_page(request, campaign, team, *, can_manage: bool, form=None, dissolve_form=None):
    """The team's page; `form` a refused change, `dissolve_form` a refused dissolution, each
    shown as sent with its errors."""
    if can_manage and team.dissolved_on is None:
        if form is None:
            form = _team_form(request, campaign, team, bound=False)
        if dissolve_form is None:
            today = timezone.localdate()
            dissolve_form = TeamDissolveForm(
                initial={"dissolved_on": min(today, campaign.end) if campaign.end else today}
            )
    else:
        form = dissolve_form = None
    members = sorted(team.members.all(), key=lambda c: (c.unit.path if c.unit_id else "", c.pk))
    return render(
        request,
        "programs/team_detail.html",
        {
            "campaign": campaign,
            "area_only": bool(campaign.area),
            "team": selectors.mark_team_points(request.user, [team])[0],
            "members": members,
            "form": form,
            "dissolve_form": dissolve_form,
        },
    )


@require_POST
def team_dissolve(request, pk: int, team_pk: int):
    """工作队撤销: the team ends on a day, with a reason (services.team_dissolve)."""
    campaign, team, can_manage = _team_get(request, pk, team_pk)
    if not can_manage:
        raise PermissionDenied
    form = TeamDissolveForm(request.POST)
    if form.is_valid():
        try:
            services.team_dissolve(actor=request.user, team=team, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(team)s was dissolved on %(date)s. It is kept with its members, points and records.")
                % {"team": team.name, "date": day_text(form.cleaned_data["dissolved_on"])},
            )
            return redirect("programs:team-detail", pk=campaign.pk, team_pk=team.pk)
    team.refresh_from_db()
    if team.dissolved_on is not None:  # dissolved meanwhile: the page says so, as it stands
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return _team_detail_page(request, campaign, team, can_manage=can_manage, dissolve_form=form)


def _unit_pairing_form(request, campaign, data=None):
    units = scoped(Unit, request.user, selectors.MANAGE).select_related("parent").order_by("path")
    return UnitPairingForm(
        data,
        units=units,
        points=selectors.campaign_points(user=request.user, campaign=campaign),
        initial={"start": campaign.start},
    )


def _unit_pairing_page(request, campaign, *, form=None, ending=None):
    """The unit pairings of a campaign, each active one the user manages with its End form;
    `ending` is (pairing id, bound form) when an End form comes back with errors."""
    can_manage = selectors.can_manage_campaign(user=request.user, campaign=campaign)
    unit_pairings = list(selectors.unit_pairing_list(user=request.user, campaign=campaign))
    today = timezone.localdate()
    endable = set()
    if can_manage:
        endable = selectors.units_managed(
            user=request.user, unit_ids=[up.unit_id for up in unit_pairings if up.end is None]
        )
    default_end = min(today, campaign.end) if campaign.end else today
    rows = []
    for up in unit_pairings:
        # One that has begun is ended; one still to come is withdrawn (it can be neither ended
        # before it starts nor left to begin by mistake).
        to_come = up.start > today
        end_form = None
        if ending is not None and ending[0] == up.pk:
            end_form = ending[1]
        elif up.end is None and up.unit_id in endable:
            if to_come:
                end_form = PairingWithdrawForm(auto_id=f"withdraw-{up.pk}-%s")
            else:
                end_form = PairingEndForm(auto_id=f"end-{up.pk}-%s", initial={"end": default_end})
        # Active through its end day, ended from the next (as ActivePairingQuerySet counts it).
        rows.append(
            {
                "pairing": up,
                "ended": up.end is not None and up.end < today,
                "end_form": end_form,
                "withdraw": isinstance(end_form, PairingWithdrawForm),
            }
        )
    return render(
        request,
        "programs/unit_pairing_list.html",
        {
            "campaign": campaign,
            "area_only": bool(selectors.campaign_area(user=request.user, campaign=campaign)),
            "rows": rows,
            "form": form,
            "can_manage": can_manage,
        },
    )


def unit_pairing_list(request, pk: int):
    campaign = selectors.campaign_read(user=request.user, pk=pk)
    can_manage = selectors.can_manage_campaign(user=request.user, campaign=campaign)
    form = None
    if can_manage:
        form = _unit_pairing_form(request, campaign, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.unit_pairing_create(actor=request.user, campaign=campaign, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The unit pairing was recorded."))
                return redirect("programs:unit-pairing-list", pk=campaign.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return _unit_pairing_page(request, campaign, form=form)


@require_POST
def unit_pairing_end(request, pk: int, unit_pairing_pk: int):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    unit_pairing = selectors.unit_pairing_get(user=request.user, campaign=campaign, pk=unit_pairing_pk)
    if not services.unit_pairing_may_end(request.user, unit_pairing):
        raise PermissionDenied
    form = PairingEndForm(request.POST, auto_id=f"end-{unit_pairing.pk}-%s")
    if form.is_valid():
        try:
            services.unit_pairing_end(actor=request.user, unit_pairing=unit_pairing, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("The pairing of %(unit)s with %(point)s was ended.")
                % {"unit": unit_pairing.unit.label, "point": unit_pairing.point.name},
            )
            return redirect("programs:unit-pairing-list", pk=campaign.pk)
    # The page again, this pairing's form open with what was typed and the errors at its fields.
    return _unit_pairing_page(
        request, campaign, form=_unit_pairing_form(request, campaign), ending=(unit_pairing.pk, form)
    )


@require_POST
def unit_pairing_withdraw(request, pk: int, unit_pairing_pk: int):
    """Withdraw a unit pairing that has not begun (see services.unit_pairing_withdraw)."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    unit_pairing = selectors.unit_pairing_get(user=request.user, campaign=campaign, pk=unit_pairing_pk)
    if not services.unit_pairing_may_end(request.user, unit_pairing):
        raise PermissionDenied
    form = PairingWithdrawForm(request.POST, auto_id=f"withdraw-{unit_pairing.pk}-%s")
    if form.is_valid():
        try:
            services.unit_pairing_withdraw(
                actor=request.user, unit_pairing=unit_pairing, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("The pairing of %(unit)s with %(point)s was withdrawn.")
                % {"unit": unit_pairing.unit.label, "point": unit_pairing.point.name},
            )
            return redirect("programs:unit-pairing-list", pk=campaign.pk)
    return _unit_pairing_page(
        request, campaign, form=_unit_pairing_form(request, campaign), ending=(unit_pairing.pk, form)
    )


# Points ----------------------------------------------------------------------------


def point_list(request):
    require_permission(request.user, selectors.VIEW)
    return _point_list_page(request)


POINT_STATUSES = {
    selectors.CURRENT: gettext_lazy("Current"),
    "retired": gettext_lazy("Retired"),
    selectors.ALL: gettext_lazy("All"),
}


def _point_list_page(request, form=None, adding=False):
    """The liaison points; `form` is a refused new point, shown as sent with its errors, at the
    top of the page where it is added (`adding`: opened there). Points in use by default; a
    retired one is kept and found under its filter."""
    status = request.GET.get("status", "")
    status = status if status in POINT_STATUSES else selectors.CURRENT
    # The region column names the village with its township (the point is often the village).
    points = selectors.point_list(user=request.user, status=status).select_related("region__parent")
    kind = request.GET.get("kind", "")
    if kind in LiaisonPoint.Kind.values:
        points = points.filter(kind=kind)
    # The grades the points in sight have, the list's first (in its order), then any kept as
    # written from before there was a list.
    held = {g for g in points.order_by().values_list("grade", flat=True).distinct() if g}
    grades = [(g, grade_label(g)) for g in GRADES if g in held] + [(g, g) for g in sorted(held - set(GRADES))]
    grade = request.GET.get("grade", "")
    if grade in held:
        points = points.filter(grade=grade)
    can_manage = scope_for(request.user).has(selectors.MANAGE)
    if form is None and can_manage:
        form = PointForm(
            regions=region_list(user=request.user).filter(level__lte=Region.Level.VILLAGE),
            grades=GradeLists().in_use(),
        )
    return render(
        request,
        "programs/point_list.html",
        {
            "pager_path": reverse("programs:point-list"),
            "page": paginate(request, points),
            "query": query_without_page(request),
            "form": form,
            "adding": adding or (form is not None and bool(form.errors)),
            "kinds": LiaisonPoint.Kind.choices,
            "kind": kind,
            "grades": grades,
            "grade": grade,
            "statuses": POINT_STATUSES.items(),
            "status": status,
        },
    )


def point_create(request):
    """Add a point; opened by its address (GET), the list with the form open at its top."""
    require_permission(request.user, selectors.MANAGE)
    if request.method != "POST":
        return _point_list_page(request, adding=True)
    regions = scoped(Region, request.user, selectors.MANAGE).filter(level__lte=Region.Level.VILLAGE)
    form = PointForm(request.POST, regions=regions, grades=GradeLists().in_use())
    if form.is_valid():
        data = form.cleaned_data
        try:
            point = services.point_create(
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                region=regions.get(code=data["region"]),
                grade=data["grade"],
                address=data["address"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The liaison point was saved."))
            return redirect("programs:point-detail", pk=point.pk)
    return _point_list_page(request, form)


@require_POST
def point_edit(request, pk: int):
    selectors.point_get(user=request.user, pk=pk)  # 404 when out of sight
    require_permission(request.user, selectors.MANAGE)
    point = get_scoped_or_404(LiaisonPoint, request.user, selectors.MANAGE, pk=pk)
    services.point_check_change(request.user, point)  # 403, saying why, for a point kept above
    form = PointEditForm(request.POST)
    if form.is_valid():
        try:
            services.point_update(actor=request.user, point=point, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The liaison point was saved."))
            return redirect("programs:point-detail", pk=point.pk)
    return _point_detail_page(request, point, edit_form=form)


def point_detail(request, pk: int):
    return _point_detail_page(request, selectors.point_get(user=request.user, pk=pk))


def _point_detail_page(request, point, regrade_form=None, edit_form=None, retire_form=None):
    """A liaison point; `regrade_form` is a refused change of grade, `edit_form` a refused
    correction of its name or address, `retire_form` a refused retirement, each shown as sent.
    Before it can be retired, the pairings still running there are listed by campaign, each
    with a link to where they are ended."""
    pairings = list(selectors.point_pairings(user=request.user, point=point))
    today = timezone.localdate()
    can_manage = scope_for(request.user).has(selectors.MANAGE)
    # A point used by a campaign of a higher level is read here, as that campaign is.
    held_above = selectors.point_campaigns_above(user=request.user, point=point) if can_manage else []
    can_manage = can_manage and not held_above
    running = []
    if can_manage and point.retired_on is None:
        after = retire_form.cleaned_data.get("retired_on", today) if retire_form is not None else today
        running = selectors.point_running_pairings(user=request.user, point=point, after=after or today)
        if retire_form is None:
            retire_form = PointRetireForm(initial={"retired_on": today})
    # The campaigns in which someone is stationed here now: each prints this point's liaison cards.
    # Only those whose cards the user may print (a campaign read for part of its area is not).
    card_campaigns = sorted(
        {p.campaign for p in pairings if p.start <= today and (p.end is None or p.end >= today)},
        key=lambda c: c.pk,
    )
    printable = set(
        scoped(
            Campaign.objects.filter(pk__in=[c.pk for c in card_campaigns]), request.user, selectors.VIEW
        ).values_list("pk", flat=True)
    )
    card_campaigns = [c for c in card_campaigns if c.pk in printable]
    return render(
        request,
        "programs/point_detail.html",
        {
            "point": point,
            "gradings": point.gradings.select_related("graded_by"),
            "name_history": selectors.point_name_history(point),
            "held_above": held_above,
            "pairings": pairings,
            "card_campaigns": card_campaigns,
            "unit_pairings": selectors.point_unit_pairings(user=request.user, point=point),
            "today": today,
            "can_manage": can_manage,
            "regrade_form": regrade_form
            or PointRegradeForm(
                initial={"graded_on": timezone.localdate()}, grades=GradeLists().for_region(point.region_id)
            ),
            "edit_form": edit_form or PointEditForm(initial={"name": point.name, "address": point.address}),
            "retire_form": retire_form if point.retired_on is None else None,
            "running": running,
        },
    )


@require_POST
def point_retire(request, pk: int):
    """Retire a point (合村并组, an enterprise closed): services.point_retire."""
    selectors.point_get(user=request.user, pk=pk)  # 404 when out of sight
    require_permission(request.user, selectors.MANAGE)
    point = get_scoped_or_404(
        LiaisonPoint.objects.select_related("region"), request.user, selectors.MANAGE, pk=pk
    )
    services.point_check_change(request.user, point)
    form = PointRetireForm(request.POST)
    if form.is_valid():
        try:
            services.point_retire(actor=request.user, point=point, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(point)s was retired on %(date)s. It is kept with its history and records.")
                % {"point": point.name, "date": day_text(form.cleaned_data["retired_on"])},
            )
            return redirect("programs:point-detail", pk=point.pk)
    point.refresh_from_db()
    if point.retired_on is not None:  # retired meanwhile: the page says so, as it stands
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return _point_detail_page(request, point, retire_form=form)


@require_POST
def point_regrade(request, pk: int):
    selectors.point_get(user=request.user, pk=pk)  # 404 when out of sight
    require_permission(request.user, selectors.MANAGE)
    point = get_scoped_or_404(LiaisonPoint, request.user, selectors.MANAGE, pk=pk)
    services.point_check_change(request.user, point)
    form = PointRegradeForm(request.POST, grades=GradeLists().for_region(point.region_id))
    if form.is_valid():
        try:
            services.point_regrade(actor=request.user, point=point, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The grade was changed and kept in the history."))
            return redirect("programs:point-detail", pk=point.pk)
    return _point_detail_page(request, point, regrade_form=form)


# Handover --------------------------------------------------------------------------


def cadre_handover(request, cadre_pk: int):
    require_permission(request.user, selectors.MANAGE)
    cadre_get(user=request.user, pk=cadre_pk)  # 404 when out of sight
    cadre = get_scoped_or_404(Cadre, request.user, selectors.MANAGE, pk=cadre_pk)
    successors = (
        scoped(Cadre, request.user, selectors.MANAGE).filter(account__is_active=True).exclude(pk=cadre.pk)
    )
    successors = successors.select_related("account", "unit__parent").order_by("unit__path", "id")
    form = HandoverForm(request.POST or None, cadres=successors, initial={"on_date": timezone.localdate()})
    # What the handover moves: the running and future pairings in the campaigns this office
    # manages. Those in other campaigns stay, and are only counted (not named) here.
    managed = scoped(Campaign, request.user, selectors.MANAGE)
    running = Pairing.objects.filter(cadre=cadre).filter(
        Q(end__isnull=True) | Q(end__gte=timezone.localdate())
    )
    active = scoped(running.filter(campaign__in=managed), request.user, selectors.VIEW).select_related(
        "campaign", "household__head", "member", "point"
    )
    staying = running.exclude(pk__in=active.values("pk")).count()
    if request.method == "POST" and form.is_valid():
        try:
            handover = services.cadre_handover(
                actor=request.user,
                from_cadre=cadre,
                to_cadre=form.cleaned_data["successor"],
                on_date=form.cleaned_data["on_date"],
                reason=form.cleaned_data["reason"],
                campaigns=scoped(Campaign, request.user, selectors.MANAGE),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(n)s pairings were handed over to %(name)s.")
                % {"n": handover.pairings_moved, "name": handover.to_cadre.account},
            )
            return redirect("org:cadre-detail", pk=cadre.pk)
    # Targets by name (a household by its head's), as the rest of the pages name them.
    targets = [(pairing, target_label(pairing)) for pairing in active]
    return render(
        request,
        "programs/cadre_handover.html",
        {
            "cadre": cadre,
            "form": form,
            "active": active,
            "targets": targets,
            "staying": staying,
            "today": timezone.localdate(),
        },
    )


def cadre_pairings(request, cadre_pk: int):
    """Every pairing of one cadre, across campaigns."""
    require_permission(request.user, selectors.VIEW)
    cadre = cadre_get(user=request.user, pk=cadre_pk)
    pairings = selectors.cadre_pairings(user=request.user, cadre=cadre)
    return render(request, "programs/cadre_pairings.html", {"cadre": cadre, "pairings": pairings})
