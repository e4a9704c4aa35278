import datetime as dt
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_AP
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minqing.core.audit import audit_list_read, audit_record
from minqing.core.forms import add_errors
from minqing.core.paging import paginate, query_without_page
from minqing.core.params import id_param
from minqing.core.scope import get_scoped_or_404, require_permission, scope_for, scoped, scoped_first
from minqing.org.models import Cadre
from minqing.people.models import EconomicStatus, Household, IncomeSource
from minqing.programs.models import Campaign, Team
from minqing.programs.selectors import CURRENT, point_get, point_list

from . import forms, research, selectors, services
from .api import audit_visit_view, photo_response
from .documents import attendance_sheet_pdf, attendance_sheet_workbook
from .models import AttendanceDay, Commitment, Deed, MonthlyReport, TeamSummary


def field_app(request):
    """The phone page: my targets, record a visit or a deed, check in — offline too."""
    require_permission(request.user, selectors.VIEW)
    cadre = selectors.my_cadre(request.user)
    targets = selectors.my_targets(user=request.user) if cadre else []
    audit_list_read(action="target.list", user=request.user, shown=len(targets))
    # What is due comes from every campaign that asks things of the cadre (on a work team, or
    # taking part with no target at all); the visit and deed forms offer only the campaigns of
    # its targets, the activity form every running campaign it records activities in.
    taking_part = selectors.due_campaigns(cadre, also={t.campaign_id for t in targets}) if cadre else []
    due = (
        selectors.my_due(user=request.user, cadre=cadre, targets=targets, campaigns=taking_part)
        if cadre
        else None
    )
    if request.GET.get("part") == "due":
        # The list alone, read again by field.js once records went in: neither the page's data
        # nor its forms (the service worker never keeps this answer: sw.js).
        return render(request, "fieldwork/app_due.html", {"cadre": cadre, "due": due})
    campaign_list = Campaign.objects.filter(pk__in={t.campaign_id for t in targets})
    campaigns = {
        c.pk: {
            "name": c.name,
            "forms": c.config.get("visit_forms", []),
            "start": c.start.isoformat(),
            "end": c.end.isoformat() if c.end else None,
        }
        for c in campaign_list
    }
    now = timezone.localtime()
    recording = selectors.activity_campaigns(cadre, now.date(), taking_part) if cadre else []
    teams = selectors.my_teams(cadre, recording, now.date()) if cadre else {}
    # The points of the cadre's work teams, each with a card to check in and write the log at.
    team_points = selectors.team_points(teams, recording, targets)
    # The points checked in at today: their buttons say so (field.js compares the day with the
    # phone's, so a copy of the page kept offline offers the next day's check-in again).
    checked_in = (
        sorted(AttendanceDay.objects.filter(cadre=cadre, date=now.date()).values_list("point_id", flat=True))
        if cadre
        else []
    )
    data = {
        "cadre": cadre.pk if cadre else None,
        "account": request.user.pk,
        "checked_in": {"date": now.date().isoformat(), "points": checked_in},
        # The server's day (Asia/Shanghai), and its clock and offset from UTC: the page proposes
        # the server's day, not the phone's (a phone set to UTC is a day behind until 8 a.m.);
        # a page kept offline for days counts the days on from the phone's clock.
        "today": now.date().isoformat(),
        "now_ms": int(now.timestamp() * 1000),
        "utc_offset_minutes": int(now.utcoffset().total_seconds() // 60),
        # how the "sent" list writes a day (11月23日, November 23), as the server's pages do
        "day_format": {
            "pattern": get_format("MONTH_DAY_FORMAT"),
            "months": [str(MONTHS[n]) for n in range(1, 13)],
            "months_short": [str(MONTHS_AP[n]) for n in range(1, 13)],
        },
        "campaigns": campaigns,
        # Each with its listed activities (none: the kind is written in), the cadre's teams and
        # points there.
        "activity_campaigns": [
            {
                "id": c.pk,
                "name": c.name,
                "start": c.start.isoformat(),
                "end": c.end.isoformat() if c.end else None,
                **selectors.activity_choices(c, teams=teams, targets=targets),
            }
            for c in recording
        ],
        "deed_kinds": [{"key": k, "name": str(n)} for k, n in Deed.Kind.choices],
        "labels": {
            "offline": _("Offline: records are kept on this phone and sent when the signal is back."),
            "pending": _("Waiting to be sent: %(n)s"),
            "synced": _("Sent: %(n)s"),
            "conflict": _("Conflict"),
            "never": _("never visited"),
            "days": _("Last visit: %(n)s days ago"),
            "today": _("Last visit: today"),
            "yesterday": _("Last visit: yesterday"),
            "visit": _("Record a visit"),
            "deed": _("Record a deed"),
            "activity": _("Record an activity"),
            "checkin": _("Check in here today"),
            "checked_in": _("Checked in today"),
            "worklog": _("Work log"),
            "saved": _("Saved on this phone."),
            "failed": _("Not accepted: %(why)s"),
            "signin": _("You are signed out: sign in again to send the records kept on this phone."),
            "photos_pending": _("Photos waiting to be sent: %(n)s"),
            "photos": _("%(n)s photos"),
            "retry": _("The server is busy; trying again in %(n)s seconds."),
            "photo_type": _("%(name)s is not a JPEG or PNG photo."),
            "photo_size": _("%(name)s is larger than 10 MB."),
            "photo_count": _("At most 9 photos per record."),
            "demands": _(
                "Demands registered: %(codes)s. Give the resident the code: they follow it on the "
                "tracking page with the last four digits of their phone."
            ),
        },
    }
    return render(
        request,
        "fieldwork/app.html",
        {
            "targets": targets,
            "team_points": team_points,
            "activity_campaign_ids": {c.pk for c in recording},
            "cadre": cadre,
            "due": due,
            "app_data": data,
            "deed_kinds": Deed.Kind.choices,
            # What the cadre found: "not given" is no finding.
            "economic_statuses": [c for c in EconomicStatus.choices if c[0] != EconomicStatus.UNKNOWN],
            "income_sources": IncomeSource.choices,
        },
    )


@login_not_required
@require_GET
def service_worker(request):
    """The service worker, served under /m/ so that it controls the phone pages."""
    script = (Path(settings.BASE_DIR) / "minqing" / "static" / "minqing" / "sw.js").read_text()
    response = HttpResponse(script, content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response


VISIT_STATUSES = selectors.STATUS_LABELS


def visit_list(request):
    """The visits that stand by default, counted as the figures count them, and beside the count
    how many were withdrawn; those are listed under their filter."""
    require_permission(request.user, selectors.VIEW)
    status = request.GET.get("status", "")
    status = status if status in VISIT_STATUSES else selectors.CURRENT
    household = None
    if "household" in request.GET:
        # Those to one household (its page links here): one the user may not see is a 404.
        household = scoped_first(Household, request.user, "people.view", id_param(request.GET["household"]))
        if household is None:
            raise Http404
    page = paginate(request, selectors.visit_list(user=request.user, household=household, status=status))
    audit_list_read(
        action="visit.list",
        user=request.user,
        page=page,
        filters={"status": status, "household": household.pk if household else None},
    )
    withdrawn = None
    if status == selectors.CURRENT:
        withdrawn = selectors.visit_list(
            user=request.user, household=household, status=selectors.WITHDRAWN
        ).count()
    return render(
        request,
        "fieldwork/visit_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "statuses": VISIT_STATUSES.items(),
            "status": status,
            "withdrawn_count": withdrawn,
            "household": household,
        },
    )


def visit_detail(request, uuid):
    visit = selectors.visit_get(user=request.user, uuid=uuid)
    changeable = selectors.visit_may_change(user=request.user, visit=visit)
    own = visit.cadre.account_id == request.user.pk
    audit_visit_view(visit, user=request.user)
    problems = selectors.visit_problems(user=request.user, visit=visit)
    return render(
        request,
        "fieldwork/visit_detail.html",
        {
            "visit": visit,
            "photos": visit.photos.all(),
            "problems": problems,
            # the codes to hand to the resident, who follows each demand with one
            "has_demands": any(ticket is not None for _problem, ticket in problems),
            "others_present": visit.others_present.select_related("account"),
            "changes": selectors.visit_changes(visit=visit),
            "changeable": changeable,
            # the cadre's own days to correct it, said while they last (the office has no limit)
            "edit_deadline": selectors.visit_edit_deadline(visit) if own and changeable else None,
            "closed_to_cadre": own and not changeable and visit.withdrawn_at is None,
        },
    )


def _changeable_visit(request, uuid):
    """The visit in scope (else 404) that the user may correct or withdraw (else 403)."""
    visit = selectors.visit_get(user=request.user, uuid=uuid)
    if not selectors.visit_may_change(user=request.user, visit=visit):
        raise PermissionDenied
    return visit


def visit_edit(request, uuid):
    visit = _changeable_visit(request, uuid)
    present = selectors.visit_present_choices(user=request.user, visit=visit)
    form = forms.VisitCorrectForm(
        request.POST or None,
        visit=visit,
        present_choices=present,
        initial={
            "date": visit.date,
            "form": visit.form,
            "content": visit.content,
            "outcome": visit.outcome,
            "others_present": list(visit.others_present.values_list("pk", flat=True)),
            "version": visit.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.visit_correct(
                actor=request.user,
                visit=visit,
                date=data["date"],
                form=data["form"],
                content=data["content"],
                outcome=data["outcome"],
                others_present=data["others_present"],
                reason=data["reason"],
                base_version=data["version"],
            )
        except services.StaleEdit:
            form.add_error(
                None, _("The visit was changed elsewhere in the meantime: reload it and try again.")
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if changed.version == visit.version:
                messages.info(request, _("Nothing was changed."))
            else:
                messages.success(request, _("The visit was corrected."))
            return redirect("fieldwork:visit-detail", uuid=visit.uuid)
    # The form holds what was written about the resident, unmasked to be corrected: a read of
    # the visit, as its page's (a correction saved is its own row, visit.correct).
    audit_visit_view(visit, user=request.user)
    return render(request, "fieldwork/visit_edit.html", {"visit": visit, "form": form})


def visit_withdraw(request, uuid):
    """The confirm step (GET) and the withdrawal (POST) of a visit recorded by mistake."""
    visit = _changeable_visit(request, uuid)
    form = forms.VisitWithdrawForm(request.POST or None, initial={"version": visit.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_withdraw(
                actor=request.user,
                visit=visit,
                reason=form.cleaned_data["reason"],
                base_version=form.cleaned_data["version"],
            )
        except services.StaleEdit:
            form.add_error(
                None, _("The visit was changed elsewhere in the meantime: reload it and try again.")
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The visit was withdrawn: it no longer counts."))
            return redirect("fieldwork:visit-detail", uuid=visit.uuid)
    # The resident visited and the problems raised: a read of the visit, as its page's.
    audit_visit_view(visit, user=request.user)
    return render(
        request,
        "fieldwork/visit_withdraw.html",
        {"visit": visit, "form": form, "problems": selectors.visit_problems(user=request.user, visit=visit)},
    )


def photo(request, uuid):
    return photo_response(request, selectors.photo_get(user=request.user, uuid=uuid), user=request.user)


def deed_list(request):
    require_permission(request.user, selectors.VIEW)
    page = paginate(request, selectors.deed_list(user=request.user))
    audit_list_read(action="deed.list", user=request.user, page=page)
    return render(request, "fieldwork/deed_list.html", {"page": page, "query": query_without_page(request)})


# Activities (forums, policy talks, party meetings … ) ------------------------------------------


def _activity_campaigns(request, recording) -> tuple[Campaign | None, list[Campaign], bool]:
    """The campaign whose activities are shown (?campaign=, else the first one the cadre records
    in, else the latest the user reads), those to choose from: the campaigns the user reads
    (programs.selectors.campaigns_read) and those the cadre records activities in, and whether
    the user reads the campaign (its own pages: else a cadre asked by its rules alone). A
    campaign asked for that is neither is a 404."""
    from minqing.programs.selectors import campaign_area, campaigns_read

    read = list(campaigns_read(user=request.user).select_related("region").order_by("-start", "id"))
    known = {c.pk for c in read}
    choices = read + [c for c in recording if c.pk not in known]
    if "campaign" in request.GET:
        pk = id_param(request.GET["campaign"])
        campaign = next((c for c in choices if c.pk == pk), None)
        if campaign is None:
            raise Http404
    else:
        campaign = recording[0] if recording else (choices[0] if choices else None)
    readable = campaign is not None and campaign.pk in known
    if readable:
        campaign_area(user=request.user, campaign=campaign)
    return campaign, choices, readable


def _activity_filters(request, campaign) -> dict:
    """The list's filters as asked, each one that is no filter dropped with a message: kind,
    team (one of the campaign's the user sees), month (YYYY-MM) and status."""
    kind = request.GET.get("kind", "").strip()[:40]
    team = None
    if request.GET.get("team"):
        team = (
            scoped(Team.objects.filter(campaign=campaign), request.user, selectors.VIEW)
            .filter(pk=id_param(request.GET["team"]) or 0)
            .first()
        )
        if team is None:
            messages.error(request, _("This team is not one of the campaign's."))
    month = None
    if request.GET.get("month"):
        try:
            month = dt.date.fromisoformat(f"{request.GET['month']}-01")
        except ValueError:
            messages.error(request, _("Choose a month as YYYY-MM."))
    status = request.GET.get("status", "")
    status = status if status in VISIT_STATUSES else selectors.CURRENT
    return {"kind": kind, "team": team, "month": month, "status": status}


def _activities(request, campaign, filters: dict, **changed):
    """The campaign's activities in the user's scope, as filtered."""
    return selectors.activity_list(user=request.user, campaign=campaign, **{**filters, **changed})


def _filters_audited(filters: dict) -> dict:
    return {
        "kind": filters["kind"],
        "team": filters["team"].pk if filters["team"] else None,
        "month": filters["month"].strftime("%Y-%m") if filters["month"] else None,
        "status": filters["status"],
    }


def _activity_choices(campaign, cadre) -> dict:
    """What an activity of `cadre` in the campaign may name (its teams and points there today)."""
    today = timezone.localdate()
    return selectors.activity_choices(
        campaign,
        teams=selectors.my_teams(cadre, [campaign], today),
        targets=selectors.my_targets(user=cadre.account, as_of=today),
    )


def activity_list(request):
    """A campaign's activities in the user's scope, by kind, team and month; those that stand
    by default, the withdrawn ones under their filter. A cadre records theirs here too."""
    require_permission(request.user, selectors.VIEW)
    cadre = selectors.my_cadre(request.user)
    today = timezone.localdate()
    recording = selectors.activity_campaigns(cadre, today) if cadre else []
    campaign, campaigns, readable = _activity_campaigns(request, recording)
    if campaign is None:
        return render(request, "fieldwork/activity_list.html", {"campaign": None, "campaigns": []})
    form = None
    if cadre is not None and campaign.pk in {c.pk for c in recording}:
        last = min(today, campaign.end) if campaign.end else today
        form = forms.ActivityForm(
            request.POST or None,
            campaign=campaign,
            choices=_activity_choices(campaign, cadre),
            initial={"date": last, "attendance": 0},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                activity = services.activity_record(
                    actor=request.user,
                    campaign=campaign,
                    cadre=cadre,
                    kind=data["kind"],
                    title=data["title"],
                    date=data["date"],
                    team=data["team"],
                    point=data["point"],
                    attendance=data["attendance"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The activity was recorded."))
                return redirect("fieldwork:activity-detail", uuid=activity.uuid)
    filters = _activity_filters(request, campaign)
    page = paginate(request, _activities(request, campaign, filters))
    audit_list_read(
        action="activity.list", user=request.user, page=page, obj=campaign, filters=_filters_audited(filters)
    )
    withdrawn = None
    if filters["status"] == selectors.CURRENT:
        withdrawn = _activities(request, campaign, filters, status=selectors.WITHDRAWN).count()
    kinds = selectors.activity_kinds(user=request.user, campaign=campaign)
    teams = scoped(Team.objects.filter(campaign=campaign), request.user, selectors.VIEW).order_by(
        "name", "id"
    )
    return render(
        request,
        "fieldwork/activity_list.html",
        {
            "campaign": campaign,
            "campaigns": campaigns,
            "page": page,
            "query": query_without_page(request),
            "form": form,
            "filters": filters,
            "month": filters["month"].strftime("%Y-%m") if filters["month"] else "",
            "kinds": kinds,
            "teams": teams,
            "statuses": VISIT_STATUSES.items(),
            "withdrawn_count": withdrawn,
            "export_query": _export_query(request, campaign),
            # The campaign's own tabs for those who read it (not for a cadre asked by its rules alone).
            "readable": readable,
            "area_only": readable and bool(campaign.area),
        },
    )


def _export_query(request, campaign) -> str:
    """The list's query for its download, naming the campaign shown."""
    params = request.GET.copy()
    params.pop("page", None)
    params["campaign"] = str(campaign.pk)
    return params.urlencode()


def activity_export(request):
    """The list as filtered, as an Excel ledger (活动台账) in the usual layout; the rows read are
    recorded as the list's are."""
    from .documents import activity_workbook

    require_permission(request.user, selectors.VIEW)
    cadre = selectors.my_cadre(request.user)
    recording = selectors.activity_campaigns(cadre) if cadre else []
    campaign, _campaigns, _readable = _activity_campaigns(request, recording)
    if campaign is None:
        raise Http404
    filters = _activity_filters(request, campaign)
    content = activity_workbook(
        campaign=campaign,
        activities=_activities(request, campaign, filters).select_related("cadre__unit"),
        filters=filters,
        user=request.user,
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    parts = ["activities", str(campaign.pk)]
    if filters["month"]:
        parts.append(filters["month"].strftime("%Y-%m"))
    response["Content-Disposition"] = f'attachment; filename="{"-".join(parts)}.xlsx"'
    return response


def activity_detail(request, uuid):
    activity = selectors.activity_get(user=request.user, uuid=uuid)
    changeable = selectors.activity_may_change(user=request.user, activity=activity)
    own = activity.cadre.account_id == request.user.pk
    _audit_activity_view(request, activity)
    return render(
        request,
        "fieldwork/activity_detail.html",
        {
            "activity": activity,
            "changes": selectors.activity_changes(activity=activity),
            "changeable": changeable,
            "edit_deadline": selectors.activity_edit_deadline(activity) if own and changeable else None,
            "closed_to_cadre": own and not changeable and activity.withdrawn_at is None,
        },
    )


def _audit_activity_view(request, activity) -> None:
    """A read of one activity (its page, its correction and withdrawal pages), named by its
    UUID as its writes are: a title may name the residents it was held for."""
    audit_record(
        action="activity.view",
        obj=activity,
        object_repr=str(activity.uuid),
        user=request.user,
        detail={"campaign": activity.campaign_id, "shown": 1},
    )


def _changeable_activity(request, uuid):
    """The activity in scope (else 404) that the user may correct or withdraw (else 403)."""
    activity = selectors.activity_get(user=request.user, uuid=uuid)
    if not selectors.activity_may_change(user=request.user, activity=activity):
        raise PermissionDenied
    return activity


def activity_edit(request, uuid):
    activity = _changeable_activity(request, uuid)
    form = forms.ActivityForm(
        request.POST or None,
        campaign=activity.campaign,
        choices=_activity_choices(activity.campaign, activity.cadre),
        activity=activity,
        correcting=True,
        initial={
            "kind": activity.kind,
            "title": activity.title,
            "date": activity.date,
            "team": activity.team_id,
            "point": activity.point_id,
            "attendance": activity.attendance,
            "version": activity.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.activity_correct(
                actor=request.user,
                activity=activity,
                kind=data["kind"],
                title=data["title"],
                date=data["date"],
                team=data["team"],
                point=data["point"],
                attendance=data["attendance"],
                reason=data["reason"],
                base_version=data["version"],
            )
        except services.StaleEdit:
            form.add_error(
                None, _("The activity was changed elsewhere in the meantime: reload it and try again.")
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if changed.version == activity.version:
                messages.info(request, _("Nothing was changed."))
            else:
                messages.success(request, _("The activity was corrected."))
            return redirect("fieldwork:activity-detail", uuid=activity.uuid)
    _audit_activity_view(request, activity)
    return render(request, "fieldwork/activity_edit.html", {"activity": activity, "form": form})


def activity_withdraw(request, uuid):
    """The confirm step (GET) and the withdrawal (POST) of an activity recorded by mistake."""
    activity = _changeable_activity(request, uuid)
    form = forms.ActivityWithdrawForm(request.POST or None, initial={"version": activity.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_withdraw(
                actor=request.user,
                activity=activity,
                reason=form.cleaned_data["reason"],
                base_version=form.cleaned_data["version"],
            )
        except services.StaleEdit:
            form.add_error(
                None, _("The activity was changed elsewhere in the meantime: reload it and try again.")
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The activity was withdrawn: it no longer counts."))
            return redirect("fieldwork:activity-detail", uuid=activity.uuid)
    _audit_activity_view(request, activity)
    return render(request, "fieldwork/activity_withdraw.html", {"activity": activity, "form": form})


def attendance_pending(request):
    require_permission(request.user, "fieldwork.confirm")
    return _attendance_pending_page(request)


def _attendance_pending_page(request, form=None, refused=None):
    """The days to decide; `form` is a refused decision of the day `refused`, shown in its
    row as it was sent, with its error."""
    days = selectors.attendance_to_decide(user=request.user)
    return render(
        request,
        "fieldwork/attendance_pending.html",
        {
            "page": paginate(request, days),
            "pager_path": reverse("fieldwork:attendance-pending"),
            "form": form,
            "refused": refused,
        },
    )


@require_POST
def attendance_decide(request, pk: int):
    require_permission(request.user, "fieldwork.confirm")
    day = get_scoped_or_404(AttendanceDay, request.user, "fieldwork.confirm", pk=pk)
    form = forms.AttendanceDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.attendance_decide(
                actor=request.user,
                day=day,
                confirm=request.POST.get("decision") == "confirm",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                # The day is not this user's to decide, or no longer to decide: nothing
                # typed is worth keeping, and its row may be gone from the list.
                messages.error(request, " ".join(exc.messages))
                return redirect("fieldwork:attendance-pending")
            add_errors(form, exc)
        else:
            messages.success(request, _("The day was decided."))
            return redirect("fieldwork:attendance-pending")
    return _attendance_pending_page(request, form=form, refused=day.pk)


def _sheet(request, pk: int, month: str):
    point = point_get(user=request.user, pk=pk)
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise Http404 from None
    return selectors.attendance_sheet(user=request.user, point=point, month=first)


def attendance_sheet(request, pk: int, month: str):
    sheet = _sheet(request, pk, month)
    return render(request, "fieldwork/attendance_sheet.html", {"sheet": sheet, "month": month})


def attendance_sheet_xlsx(request, pk: int, month: str):
    sheet = _sheet(request, pk, month)
    response = HttpResponse(
        attendance_sheet_workbook(sheet, user=request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="attendance-{pk}-{month}.xlsx"'
    return response


def attendance_sheet_pdf_view(request, pk: int, month: str):
    sheet = _sheet(request, pk, month)
    response = HttpResponse(attendance_sheet_pdf(sheet, user=request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="attendance-{pk}-{month}.pdf"'
    return response


def report_list(request):
    require_permission(request.user, selectors.VIEW)
    cadre = selectors.my_cadre(request.user)
    campaigns = (
        Campaign.objects.filter(pairings__cadre=cadre).distinct() if cadre else Campaign.objects.none()
    )
    form = forms.MonthlyReportDraftForm(
        request.POST or None,
        campaigns=campaigns,
        initial={"month": (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")},
    )
    if request.method == "POST":
        if cadre is None:
            raise PermissionDenied
        if form.is_valid():
            report = services.monthly_report_draft(
                actor=request.user,
                campaign=form.cleaned_data["campaign"],
                cadre=cadre,
                month=form.cleaned_data["month"],
            )
            return redirect("fieldwork:report-detail", pk=report.pk)
    page = paginate(request, selectors.monthly_report_list(user=request.user))
    # Cadres' reports by name: one read row per view, as the other lists of cadres' records.
    audit_list_read(action="monthly_report.list", user=request.user, page=page)
    return render(
        request,
        "fieldwork/report_list.html",
        {
            "page": page,
            "campaigns": campaigns,
            "form": form,
        },
    )


def report_detail(request, pk: int):
    report = get_scoped_or_404(
        MonthlyReport.objects.select_related("cadre__account", "campaign"),
        request.user,
        selectors.VIEW,
        pk=pk,
    )
    mine = report.cadre.account_id == request.user.pk
    if request.method == "POST":
        if not mine:
            raise PermissionDenied
        save = request.POST.get("action") == "save"
        text, base_version = request.POST.get("text", ""), id_param(request.POST.get("version")) or 0
        try:
            if save:
                services.monthly_report_save(
                    actor=request.user, report=report, text=text, base_version=base_version
                )
            else:
                services.monthly_report_submit(
                    actor=request.user,
                    report=report,
                    text=text,
                    on=timezone.localdate(),
                    base_version=base_version,
                )
        except services.StaleEdit:
            messages.error(
                request, _("The report was changed elsewhere in the meantime; your text is below.")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if save:
                messages.success(request, _("The draft was saved; it is not submitted yet."))
            else:
                messages.success(request, _("The report was submitted."))
            return redirect("fieldwork:report-detail", pk=report.pk)
    if not mine:
        # Another's account of their month, with the households and people it names: recorded
        # (the cadre's own report, read by its writer, is not).
        audit_list_read(
            action="monthly_report.view",
            user=request.user,
            obj=report,
            shown=1,
            campaign=report.campaign_id,
            month=report.month.isoformat(),
        )
    return render(
        request,
        "fieldwork/report_detail.html",
        {"report": report, "mine": mine, "text": request.POST.get("text", report.text)},
    )


# Work logs (工作日志) ----------------------------------------------------------------------


def worklog_list(request):
    """The work logs in scope; a cadre writes theirs here (today's by default, `?point=` chosen)."""
    require_permission(request.user, selectors.VIEW)
    cadre = selectors.my_cadre(request.user)
    form = None
    if cadre is not None:
        points = selectors.worklog_points(user=request.user)
        initial = {"date": timezone.localdate(), "point": request.GET.get("point", "")}
        form = forms.WorkLogForm(request.POST or None, points=points, initial=initial)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.worklog_write(
                    actor=request.user,
                    cadre=cadre,
                    point=data["point"],
                    date=data["date"],
                    content=data["content"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The work log was saved."))
                return redirect("fieldwork:worklog-list")
    page = paginate(request, selectors.worklog_list(user=request.user))
    audit_list_read(action="worklog.list", user=request.user, page=page)
    return render(
        request,
        "fieldwork/worklog_list.html",
        {"page": page, "form": form, "query": query_without_page(request), "cadre": cadre},
    )


def worklog_edit(request, pk: int):
    """Its own cadre corrects a work log; others who see it may not (403)."""
    log = selectors.worklog_get(user=request.user, pk=pk)
    if log.cadre.account_id != request.user.pk:
        raise PermissionDenied
    points = selectors.worklog_points(user=request.user)
    if log.point_id not in {p.pk for p in points}:
        points = [log.point, *points]
    form = forms.WorkLogForm(
        request.POST or None,
        points=points,
        initial={"point": log.point_id, "date": log.date, "content": log.content, "version": log.version},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.worklog_edit(
                actor=request.user,
                log=log,
                point=data["point"],
                date=data["date"],
                content=data["content"],
                base_version=data["version"] or 0,
            )
        except services.StaleEdit:
            form.add_error(
                None, _("The work log was changed elsewhere in the meantime: reload it and try again.")
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if changed.version == log.version:
                messages.info(request, _("Nothing was changed."))
            else:
                messages.success(request, _("The work log was corrected."))
            return redirect("fieldwork:worklog-list")
    audit_record(
        action="worklog.view", obj=log, user=request.user, detail={"date": log.date.isoformat(), "shown": 1}
    )
    return render(request, "fieldwork/worklog_edit.html", {"log": log, "form": form})


# The field-work hub, help plans, incidents, relief, team summaries, research reports ------------


def index(request):
    """What field work has to show, by what the account may do."""
    require_permission(request.user, selectors.VIEW)
    return render(
        request,
        "fieldwork/index.html",
        {
            "cadre": selectors.my_cadre(request.user),
            "manager": selectors.can_manage(request.user),
            "confirmer": scope_for(request.user).has("fieldwork.confirm"),
        },
    )


def _target_choices(user) -> list[tuple[str, str]]:
    """The points and households a plan can be for: a cadre's own targets; for the office,
    the points in its scope (a household is named by its number)."""
    if selectors.my_cadre(user) is not None:
        seen, choices = set(), []
        for t in selectors.my_targets(user=user):
            key = f"point:{t.target_id}" if t.target_type == "point" else f"household:{t.household_id}"
            if key not in seen:
                seen.add(key)
                choices.append((key, f"{t.name} · {t.address}"))
        return choices
    return [(f"point:{p.pk}", p.name) for p in point_list(user=user, status=CURRENT)[:500]]


def plan_list(request):
    require_permission(request.user, selectors.VIEW)
    cadre = selectors.my_cadre(request.user)
    manager = selectors.can_manage(request.user)
    form = None
    if manager or cadre is not None:
        form = forms.HelpPlanForm(
            request.POST or None, user=request.user, manager=manager, targets=_target_choices(request.user)
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.help_plan_create(
                    actor=request.user,
                    campaign=data["campaign"],
                    cadre=data.get("cadre") or cadre,
                    title=data["title"],
                    target=data["target_object"],
                    deadline=data["deadline"],
                    commitments=data["commitments"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The help plan was created."))
                return redirect("fieldwork:plan-detail", pk=plan.pk)
    page = paginate(request, selectors.help_plan_list(user=request.user))
    audit_list_read(action="help_plan.list", user=request.user, page=page)
    return render(
        request,
        "fieldwork/plan_list.html",
        {"page": page, "form": form, "query": query_without_page(request), "today": timezone.localdate()},
    )


def plan_detail(request, pk: int):
    plan = selectors.help_plan_get(user=request.user, pk=pk)
    editable = selectors.can_edit_plan(user=request.user, plan=plan)
    add_form = forms.CommitmentForm(request.POST if request.POST.get("action") == "add" else None)
    # A refused update of progress comes back in its commitment's row (`refused`).
    progress, refused = None, None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if request.POST.get("action") == "add":
            if add_form.is_valid():
                try:
                    services.commitment_add(actor=request.user, plan=plan, **add_form.cleaned_data)
                except ValidationError as exc:
                    add_errors(add_form, exc)
                else:
                    messages.success(request, _("The commitment was added."))
                    return redirect("fieldwork:plan-detail", pk=plan.pk)
        else:
            commitment = get_scoped_or_404(
                Commitment.objects.filter(plan=plan),
                request.user,
                selectors.VIEW,
                pk=id_param(request.POST.get("id")),
            )
            progress, refused = forms.ProgressForm(request.POST), commitment.pk
            if progress.is_valid():
                try:
                    services.commitment_progress(
                        actor=request.user, commitment=commitment, **progress.cleaned_data
                    )
                except ValidationError as exc:
                    add_errors(progress, exc)
                else:
                    messages.success(request, _("The progress was recorded."))
                    return redirect("fieldwork:plan-detail", pk=plan.pk)
    commitments = list(plan.commitments.all())
    # The cadre by name, the household or point helped and the commitments: recorded (as the API's).
    audit_list_read(
        action="help_plan.view",
        user=request.user,
        obj=plan,
        shown=1,
        campaign=plan.campaign_id,
        commitments=len(commitments),
    )
    return render(
        request,
        "fieldwork/plan_detail.html",
        {
            "plan": plan,
            "commitments": commitments,
            "editable": editable,
            "add_form": add_form,
            "progress_form": progress,
            "refused": refused,
            "today": timezone.localdate(),
        },
    )


def incident_list(request):
    require_permission(request.user, selectors.VIEW)
    scope = scope_for(request.user)
    permission = next((p for p in ("programs.manage", "fieldwork.confirm") if scope.has(p)), None)
    form = None
    if permission:
        form = forms.IncidentForm(request.POST or None, user=request.user, permission=permission)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.incident_record(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The incident was recorded."))
                return redirect("fieldwork:incident-list")
    page = paginate(request, selectors.incident_list(user=request.user))
    # Casualties, accidents, petitions and cases at the points, told in words that name people.
    audit_list_read(action="incident.list", user=request.user, page=page)
    return render(
        request,
        "fieldwork/incident_list.html",
        {"page": page, "form": form, "query": query_without_page(request)},
    )


def relief_list(request):
    require_permission(request.user, selectors.VIEW)
    cadre = selectors.my_cadre(request.user)
    form = None
    if cadre is not None:
        households = []
        for t in selectors.my_targets(user=request.user):
            if t.household_id and (t.household_id, t.name) not in households:
                households.append((t.household_id, t.name))
        form = forms.ReliefForm(
            request.POST or None,
            user=request.user,
            campaigns=selectors.my_campaigns(request.user),
            households=households,
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.relief_pay(actor=request.user, cadre=cadre, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The relief payment was recorded."))
                return redirect("fieldwork:relief-list")
    page = paginate(request, selectors.relief_list(user=request.user))
    audit_list_read(action="relief.list", user=request.user, page=page)
    return render(
        request,
        "fieldwork/relief_list.html",
        {"page": page, "form": form, "query": query_without_page(request)},
    )


def team_summary_list(request):
    require_permission(request.user, selectors.VIEW)
    return render(
        request,
        "fieldwork/team_summary_list.html",
        {"page": paginate(request, selectors.team_summary_list(user=request.user))},
    )


def team_summary(request, pk: int):
    team = selectors.team_get(user=request.user, pk=pk)
    writable = selectors.can_write_team_summary(user=request.user, team=team)
    summary = TeamSummary.objects.filter(team=team).first()
    figures = research.team_figures(team=team, user=request.user)
    form = forms.TeamSummaryForm(request.POST or None, initial={"text": summary.text if summary else ""})
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.team_summary_submit(
                    actor=request.user,
                    campaign=team.campaign,
                    team=team,
                    text=form.cleaned_data["text"],
                    on=timezone.localdate(),
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The team summary was submitted."))
                return redirect("fieldwork:team-summary", pk=team.pk)
    return render(
        request,
        "fieldwork/team_summary.html",
        {
            "team": team,
            "summary": summary,
            "form": form,
            "writable": writable,
            "rows": research.figure_rows(figures),
        },
    )


def _period(request, campaign) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    end_default = min(campaign.end or today, today)
    try:
        start = dt.date.fromisoformat(request.GET.get("start") or campaign.start.isoformat())
        end = dt.date.fromisoformat(request.GET.get("end") or end_default.isoformat())
    except ValueError:
        messages.error(request, _("Enter a date as YYYY-MM-DD."))
        start, end = campaign.start, end_default
    if start > end:
        messages.error(request, _("The period starts after it ends."))
        start, end = campaign.start, end_default
    return start, end


def _research(request, *, subject: str, campaign, cadre_ids):
    """Figures and draft text of a cadre's research report, from the records the viewer may see."""
    start, end = _period(request, campaign)
    figures = research.period_figures(
        campaign=campaign, cadre_ids=cadre_ids, start=start, end=end, user=request.user
    )
    return figures, research.skeleton(subject=subject, campaign=campaign, figures=figures), start, end


def _audit_research(request, subject, campaign, figures) -> None:
    """The draft's figures list the residents visited, their problems and the deeds: read, as
    the API's draft and the Word download are recorded (`research_report.download`)."""
    audit_list_read(
        action="research_report.view",
        user=request.user,
        obj=subject,
        shown=1,
        campaign=campaign.pk,
        start=figures["start"].isoformat(),
        end=figures["end"].isoformat(),
    )


def _research_docx(request, *, subject: str, campaign, figures, draft: str, obj, slug: str):
    text = request.POST.get("text", draft) if request.method == "POST" else draft
    data = research.docx_bytes(
        title=_("Research report of %(subject)s") % {"subject": subject},
        subtitle=_("%(campaign)s · %(start)s to %(end)s")
        % {
            "campaign": campaign.name,
            "start": date_format(figures["start"], "DATE_FORMAT"),
            "end": date_format(figures["end"], "DATE_FORMAT"),
        },
        figures=figures,
        text=text,
    )
    audit_record(
        action="research_report.download",
        obj=obj,
        user=request.user,
        detail={
            "campaign": campaign.pk,
            "start": figures["start"].isoformat(),
            "end": figures["end"].isoformat(),
        },
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="research-{slug}-{figures["start"]:%Y%m%d}.docx"'
    return response


def _cadre_research_context(request, pk: int):
    require_permission(request.user, selectors.VIEW)
    cadre = get_scoped_or_404(
        Cadre.objects.select_related("account", "unit"), request.user, "org.view", pk=pk
    )
    campaigns = list(
        scoped(Campaign, request.user, selectors.VIEW)
        .filter(Q(pairings__cadre=cadre) | Q(teams__members=cadre) | Q(teams__leader=cadre))
        .distinct()
        .order_by("-start", "id")
    )
    if not campaigns:
        raise Http404
    chosen = next((c for c in campaigns if str(c.pk) == request.GET.get("campaign")), campaigns[0])
    subject = str(cadre)
    figures, draft, start, end = _research(request, subject=subject, campaign=chosen, cadre_ids=[cadre.pk])
    return cadre, campaigns, chosen, subject, figures, draft


def research_cadre(request, pk: int):
    cadre, campaigns, campaign, subject, figures, draft = _cadre_research_context(request, pk)
    _audit_research(request, cadre, campaign, figures)
    return render(
        request,
        "fieldwork/research.html",
        {
            "subject": subject,
            "campaign": campaign,
            "campaigns": campaigns,
            "figures": figures,
            "rows": research.figure_rows(figures),
            "draft": draft,
            "docx_url": reverse("fieldwork:research-cadre-docx", args=[cadre.pk]),
        },
    )


def research_cadre_docx(request, pk: int):
    cadre, _campaigns, campaign, subject, figures, draft = _cadre_research_context(request, pk)
    return _research_docx(
        request,
        subject=subject,
        campaign=campaign,
        figures=figures,
        draft=draft,
        obj=cadre,
        slug=f"cadre-{pk}",
    )


def _team_research_context(request, pk: int):
    team = selectors.team_get(user=request.user, pk=pk)
    start, end = _period(request, team.campaign)
    figures = research.team_figures(team=team, user=request.user, start=start, end=end)
    return team, figures, research.skeleton(subject=team.name, campaign=team.campaign, figures=figures)


def research_team(request, pk: int):
    team, figures, draft = _team_research_context(request, pk)
    _audit_research(request, team, team.campaign, figures)
    return render(
        request,
        "fieldwork/research.html",
        {
            "subject": team.name,
            "campaign": team.campaign,
            "team": team,
            "figures": figures,
            "rows": research.figure_rows(figures),
            "draft": draft,
            "docx_url": reverse("fieldwork:research-team-docx", args=[team.pk]),
        },
    )


def research_team_docx(request, pk: int):
    team, figures, draft = _team_research_context(request, pk)
    return _research_docx(
        request,
        subject=team.name,
        campaign=team.campaign,
        figures=figures,
        draft=draft,
        obj=team,
        slug=f"team-{pk}",
    )
