import datetime as dt
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minqing.core.paging import paginate, query_without_page
from minqing.core.scope import get_scoped_or_404, require_permission
from minqing.people.models import EconomicStatus, IncomeSource
from minqing.programs.models import Campaign
from minqing.programs.selectors import point_get

from . import selectors, services
from .api import photo_response
from .documents import attendance_sheet_pdf, attendance_sheet_workbook
from .models import AttendanceDay, Deed, MonthlyReport


def field_app(request):
    """The phone page: my targets, record a visit or a deed, check in — offline too."""
    require_permission(request.user, selectors.VIEW)
    cadre = selectors.my_cadre(request.user)
    targets = selectors.my_targets(user=request.user) if cadre else []
    campaign_ids = {t.campaign_id for t in targets}
    campaigns = {
        c.pk: {
            "name": c.name,
            "forms": c.config.get("visit_forms", []),
            "start": c.start.isoformat(),
            "end": c.end.isoformat() if c.end else None,
        }
        for c in Campaign.objects.filter(pk__in=campaign_ids)
    }
    data = {
        "cadre": cadre.pk if cadre else None,
        "account": request.user.pk,
        "today": timezone.localdate().isoformat(),
        "campaigns": campaigns,
        "deed_kinds": [{"key": k, "name": str(n)} for k, n in Deed.Kind.choices],
        "labels": {
            "offline": _("Offline: records are kept on this phone and sent when the signal is back."),
            "pending": _("Waiting to be sent: %(n)s"),
            "synced": _("Sent: %(n)s"),
            "conflict": _("Conflict"),
            "never": _("never visited"),
            "days": _("%(n)s days ago"),
            "visit": _("Record a visit"),
            "deed": _("Record a deed"),
            "checkin": _("Check in here today"),
            "saved": _("Saved on this phone."),
            "failed": _("Not accepted: %(why)s"),
            "signin": _("You are signed out: sign in again to send the records kept on this phone."),
            "photos_pending": _("Photos waiting to be sent: %(n)s"),
            "photos": _("%(n)s photos"),
            "retry": _("The server is busy; trying again in %(n)s seconds."),
            "photo_type": _("%(name)s is not a JPEG or PNG photo."),
            "photo_size": _("%(name)s is larger than 10 MB."),
            "photo_count": _("At most 9 photos per record."),
        },
    }
    return render(
        request,
        "fieldwork/app.html",
        {
            "targets": targets,
            "cadre": cadre,
            "app_data": data,
            "deed_kinds": Deed.Kind.choices,
            "economic_statuses": EconomicStatus.choices,
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


def visit_list(request):
    require_permission(request.user, selectors.VIEW)
    page = paginate(request, selectors.visit_list(user=request.user))
    return render(request, "fieldwork/visit_list.html", {"page": page, "query": query_without_page(request)})


def visit_detail(request, uuid):
    visit = selectors.visit_get(user=request.user, uuid=uuid)
    return render(request, "fieldwork/visit_detail.html", {"visit": visit, "photos": visit.photos.all()})


def photo(request, uuid):
    return photo_response(request, selectors.photo_get(user=request.user, uuid=uuid))


def deed_list(request):
    require_permission(request.user, selectors.VIEW)
    page = paginate(request, selectors.deed_list(user=request.user))
    return render(request, "fieldwork/deed_list.html", {"page": page, "query": query_without_page(request)})


def attendance_pending(request):
    require_permission(request.user, "fieldwork.confirm")
    days = selectors.attendance_to_decide(user=request.user)
    return render(request, "fieldwork/attendance_pending.html", {"page": paginate(request, days)})


@require_POST
def attendance_decide(request, pk: int):
    require_permission(request.user, "fieldwork.confirm")
    day = get_scoped_or_404(AttendanceDay, request.user, "fieldwork.confirm", pk=pk)
    try:
        services.attendance_decide(
            actor=request.user,
            day=day,
            confirm=request.POST.get("decision") == "confirm",
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The day was decided."))
    return redirect("fieldwork:attendance-pending")


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
    if request.method == "POST":
        if cadre is None:
            raise PermissionDenied
        campaign = (
            Campaign.objects.filter(pk=request.POST.get("campaign"), pairings__cadre=cadre).distinct().first()
        )
        try:
            month = dt.date.fromisoformat(f"{request.POST.get('month', '')}-01")
        except ValueError:
            month = None
        if campaign is None or month is None:
            messages.error(request, _("Choose a campaign and a month."))
            return redirect("fieldwork:report-list")
        report = services.monthly_report_draft(
            actor=request.user, campaign=campaign, cadre=cadre, month=month
        )
        return redirect("fieldwork:report-detail", pk=report.pk)
    campaigns = (
        Campaign.objects.filter(pairings__cadre=cadre).distinct() if cadre else Campaign.objects.none()
    )
    return render(
        request,
        "fieldwork/report_list.html",
        {
            "page": paginate(request, selectors.monthly_report_list(user=request.user)),
            "campaigns": campaigns,
            "last_month": (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m"),
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
        try:
            services.monthly_report_submit(
                actor=request.user,
                report=report,
                text=request.POST.get("text", ""),
                on=timezone.localdate(),
                base_version=int(request.POST.get("version", 0)),
            )
        except services.StaleEdit:
            messages.error(
                request, _("The report was changed elsewhere in the meantime; your text is below.")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The report was submitted."))
            return redirect("fieldwork:report-detail", pk=report.pk)
    return render(
        request,
        "fieldwork/report_detail.html",
        {"report": report, "mine": mine, "text": request.POST.get("text", report.text)},
    )
