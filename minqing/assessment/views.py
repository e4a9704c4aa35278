import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.core.audit import audit_list_read
from minqing.core.dates import day_text
from minqing.core.forms import add_errors
from minqing.core.paging import paginate, query_without_page
from minqing.core.params import id_param
from minqing.core.scope import get_scoped_or_404, require_permission, scope_for, scoped
from minqing.org.models import Cadre
from minqing.programs.models import Campaign
from minqing.programs.rules._periods import WEEK_DAYS_DUE
from minqing.programs.rules.reports_monthly import monthly_report_rule
from minqing.programs.selectors import campaign_cadres, campaign_get

from . import components, documents, periods, selectors, services
from .forms import (
    AssessmentRunForm,
    LeaderRecordDraftForm,
    LeaderRecordWriteForm,
    RecallActForm,
    RecallRuleForm,
)
from .models import LeaderRecord, Recall

VIEW, MANAGE = selectors.VIEW, selectors.MANAGE


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _date(text: str, default: dt.date | None = None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return None


# Assessment --------------------------------------------------------------------------


def campaign_assessment(request, pk: int):
    """A campaign's assessment of a period: the ranking, the weights used, the run button."""
    require_permission(request.user, VIEW)
    return _campaign_assessment_page(request, campaign_get(user=request.user, pk=pk))


def _period_label(period: str) -> str:
    """The period as the heading writes it (2026 → 2026年, 2026H1 → 2026年上半年); a period
    that is none as it was typed."""
    from minqing.figures.periods import PeriodError, parse_period

    try:
        return parse_period(period, today=timezone.localdate(), halves=True).label
    except PeriodError:
        return period


def _campaign_assessment_page(request, campaign, run_form=None):
    """`run_form` is a refused run, shown as it was sent."""
    periods_run = selectors.periods_run(campaign)
    period = (
        request.GET.get("period") or (periods_run[0] if periods_run else str(campaign.start.year))
    ).upper()
    run = selectors.latest_run(campaign, period)
    results = selectors.result_list(user=request.user, run=run) if run else None
    unit = request.GET.get("unit", "")
    if results is not None and unit.isdigit():
        results = results.filter(unit_id=int(unit)).order_by("rank_unit", "cadre_id")
    page = paginate(request, results) if results is not None else None
    if page is not None:
        # The cadres ranked by name with their scores: a cadre's record, read. A period not
        # assessed shows no one.
        audit_list_read(
            action="assessment.results.view",
            user=request.user,
            page=page,
            obj=campaign,
            period=run.period,
            run=run.pk,
            filters={"unit": unit if unit.isdigit() else ""},
        )
    labels = {c.key: c.label for c in components.ordered_components()}
    if page is not None:
        for result in page:
            result.cells = list(zip(labels.values(), selectors.result_cells(result, labels), strict=True))
    can_manage = scope_for(request.user).has(MANAGE) and campaign in scoped(
        Campaign.objects.filter(pk=campaign.pk), request.user, MANAGE
    )
    return render(
        request,
        "assessment/campaign_assessment.html",
        {
            "campaign": campaign,
            "period": period,
            "period_label": _period_label(period),
            "periods_run": periods_run,
            "run": run,
            "page": page,
            "query": query_without_page(request),
            "pager_path": reverse("assessment:campaign-assessment", args=[campaign.pk]),
            "labels": labels,
            # Report punctuality scores no one in a campaign that asks no monthly report: said, not
            # left as an empty column.
            "reports_not_asked": "reports" in labels and monthly_report_rule(campaign) is None,
            "weight_sets": selectors.weight_sets(campaign)[:10],
            "can_manage": can_manage,
            "unit": unit,
            "run_form": run_form or AssessmentRunForm(initial={"period": period}),
        },
    )


@require_POST
def assessment_run(request, pk: int):
    require_permission(request.user, MANAGE)
    campaign = campaign_get(user=request.user, pk=pk, permission=MANAGE)
    form = AssessmentRunForm(request.POST)
    if not form.is_valid():
        return _campaign_assessment_page(request, campaign, run_form=form)
    try:
        run = services.assessment_run(actor=request.user, campaign=campaign, **form.cleaned_data)
    except ValidationError as exc:
        # Refused: the page again, with the period typed and why (not a redirect that loses it).
        add_errors(form, exc)
        return _campaign_assessment_page(request, campaign, run_form=form)
    messages.success(
        request,
        _("%(n)s cadres assessed for %(period)s with weights version %(version)s.")
        % {"n": run.cadre_count, "period": run.period, "version": run.weight_set.version},
    )
    return redirect(f"{reverse('assessment:campaign-assessment', args=[campaign.pk])}?period={run.period}")


def weights_edit(request, pk: int):
    require_permission(request.user, MANAGE)
    campaign = campaign_get(user=request.user, pk=pk, permission=MANAGE)
    current = selectors.weight_sets(campaign).first()
    defaults = current.weights if current else components.default_weights()
    rows = [
        {"key": c.key, "label": c.label, "value": request.POST.get(f"w_{c.key}", defaults.get(c.key, 0))}
        for c in components.ordered_components()
    ]
    error = ""
    if request.method == "POST":
        effective_from = _date(request.POST.get("effective_from", ""))
        if effective_from is None:
            error = _("Give the date from which the weights are in force.")
        else:
            try:
                services.weights_change(
                    actor=request.user,
                    campaign=campaign,
                    weights={row["key"]: row["value"] for row in rows},
                    effective_from=effective_from,
                    reason=request.POST.get("reason", ""),
                )
            except ValidationError as exc:
                error = _errors(exc)
            else:
                messages.success(request, _("The new weights are saved as a new version."))
                return redirect("assessment:campaign-assessment", pk=campaign.pk)
    return render(
        request,
        "assessment/weights_edit.html",
        {
            "campaign": campaign,
            "rows": rows,
            "error": error,
            "weight_sets": selectors.weight_sets(campaign),
            "effective_from": request.POST.get("effective_from", ""),
            "reason": request.POST.get("reason", ""),
        },
    )


def result_detail(request, pk: int):
    """A cadre's assessment: the components of this result, and the cadre's other results."""
    require_permission(request.user, VIEW)
    result = selectors.result_get(user=request.user, pk=pk)
    history = list(selectors.cadre_results(user=request.user, cadre=result.cadre)[:20])
    _audit_result(request, result, history)
    return render(
        request,
        "assessment/result_detail.html",
        {"result": result, "parts": selectors.part_rows(result), "history": history},
    )


def _audit_result(request, result, history) -> None:
    """One cadre's assessment with the cadre's other results: a cadre's record, read."""
    audit_list_read(
        action="assessment.result.view",
        user=request.user,
        obj=result,
        shown=1,
        period=result.run.period,
        campaign=result.run.campaign_id,
        history=len(history),
    )


def cadre_assessment(request, cadre_pk: int):
    """A cadre's assessment: the newest stored result in sight, with the cadre's other results."""
    require_permission(request.user, VIEW)
    cadre = get_scoped_or_404(
        Cadre.objects.select_related("account", "unit__parent"), request.user, "org.view", pk=cadre_pk
    )
    history = list(selectors.cadre_results(user=request.user, cadre=cadre)[:20])
    if not history:
        return render(request, "assessment/cadre_assessment.html", {"cadre": cadre})
    result = selectors.result_get(user=request.user, pk=history[0].pk)
    _audit_result(request, result, history)
    return render(
        request,
        "assessment/result_detail.html",
        {"result": result, "parts": selectors.part_rows(result), "history": history},
    )


def result_pdf(request, pk: int):
    require_permission(request.user, VIEW)
    result = selectors.result_get(user=request.user, pk=pk)
    response = HttpResponse(
        documents.result_sheet_pdf(result, user=request.user), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="assessment-{result.run.period}-{result.cadre_id}.pdf"'
    )
    return response


# Recall ----------------------------------------------------------------------------


def recall_list(request):
    """Recalls in sight, and for a chosen campaign the cadres its rule flags."""
    require_permission(request.user, VIEW)
    campaign = None
    if request.GET.get("campaign", "").isdigit():
        campaign = campaign_get(user=request.user, pk=int(request.GET["campaign"]))
    return _recall_list_page(request, campaign)


def _recall_list_page(request, campaign, rule_form=None):
    """Recalls in sight, and the cadres `campaign`'s rule flags; `rule_form` is a refused
    change of the rule, shown as it was sent."""
    campaigns = scoped(Campaign, request.user, "programs.view").order_by("-start", "id")
    status = request.GET.get("status", "")
    chosen_status = status if status in Recall.Status.values else ""
    recalls = selectors.recall_list(user=request.user, campaign=campaign, status=chosen_status)
    page = paginate(request, recalls)
    # The recalled cadres by name: a cadre's record, read (as the command line's `recall list`).
    audit_list_read(
        action="recall.list",
        user=request.user,
        page=page,
        filters={"campaign": campaign.pk if campaign else None, "status": chosen_status},
    )
    flagged = []
    if campaign is not None:
        today = timezone.localdate()
        flagged = selectors.at_risk_visible(user=request.user, campaign=campaign, as_of=today)
        # A list of its own on the page, the cadres the rule flags by name with the reasons: its
        # own row, as the command line's `assessment at-risk` writes.
        audit_list_read(
            action="assessment.at_risk.view",
            user=request.user,
            obj=campaign,
            shown=len(flagged),
            as_of=today.isoformat(),
        )
    can_rule = (
        campaign is not None
        and scoped(Campaign.objects.filter(pk=campaign.pk), request.user, MANAGE).exists()
    )
    return render(
        request,
        "assessment/recall_list.html",
        {
            "campaigns": campaigns,
            "campaign": campaign,
            "page": page,
            # Shown again after a refused rule, at the form's address: the list's own filters.
            "query": query_without_page(request)
            if request.method == "GET"
            else urlencode(
                {k: v for k, v in (("campaign", campaign.pk if campaign else ""), ("status", status)) if v}
            ),
            "pager_path": reverse("assessment:recall-list"),
            "flagged": flagged,
            "rule": selectors.recall_rule(campaign) if campaign else None,
            "can_rule": can_rule,
            "rule_form": rule_form,
            "can_propose": scope_for(request.user).has("recall.propose"),
            "statuses": Recall.Status.choices,
            "status": status,
        },
    )


@require_POST
def recall_rule_edit(request, pk: int):
    require_permission(request.user, MANAGE)
    campaign = campaign_get(user=request.user, pk=pk, permission=MANAGE)
    form = RecallRuleForm(request.POST)
    if form.is_valid():
        try:
            services.recall_rule_set(
                actor=request.user,
                campaign=campaign,
                **{name: value.strip() or None for name, value in form.cleaned_data.items()},
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The recall rule is saved."))
            return redirect(f"{_recall_list_url()}?campaign={campaign.pk}")
    # Refused: the page again, with the numbers typed and why (not a redirect that loses them).
    return _recall_list_page(request, campaign, rule_form=form)


def _recall_list_url() -> str:
    return reverse("assessment:recall-list")


@require_POST
def recall_propose(request, pk: int):
    require_permission(request.user, "recall.propose")
    campaign = campaign_get(user=request.user, pk=pk, permission="recall.propose")
    cadre = get_scoped_or_404(Cadre, request.user, "org.view", pk=request.POST.get("cadre") or 0)
    try:
        recall = services.recall_propose(
            actor=request.user, campaign=campaign, cadre=cadre, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(f"{_recall_list_url()}?campaign={campaign.pk}")
    messages.success(request, _("The recall of %(name)s is proposed.") % {"name": cadre.account})
    return redirect("assessment:recall-detail", pk=recall.pk)


def recall_detail(request, pk: int):
    require_permission(request.user, VIEW)
    return _recall_detail_page(request, selectors.recall_get(user=request.user, pk=pk))


def _recall_detail_page(request, recall, form=None, refused=""):
    """A recall; `form` is a refused step (`refused`: "decide" or "carry_out"), shown in its
    own form as it was sent."""
    scope = scope_for(request.user)
    successors = []
    if recall.status == Recall.Status.APPROVED and scope.has("recall.carry_out"):
        successors = (
            scoped(campaign_cadres(recall.campaign), request.user, "programs.manage")
            .exclude(pk=recall.cadre_id)
            .select_related("account", "unit__parent")
        )
    events = list(recall.events.select_related("actor"))
    # The cadre recalled, the reasons and each step's why: a cadre's record, read.
    audit_list_read(
        action="recall.view",
        user=request.user,
        obj=recall,
        shown=1,
        campaign=recall.campaign_id,
        status=recall.status,
        events=len(events),
    )
    return render(
        request,
        "assessment/recall_detail.html",
        {
            "recall": recall,
            "events": events,
            "can_decide": recall.status == Recall.Status.PROPOSED and scope.has("recall.approve"),
            "successors": successors,
            "today": timezone.localdate(),
            "form": form,
            "refused": refused,
            "chosen_successor": id_param(form["successor"].value()) if form else None,
        },
    )


@require_POST
def recall_act(request, pk: int):
    require_permission(request.user, "recall.approve", "recall.carry_out")
    recall = selectors.recall_get(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    form = RecallActForm(request.POST)
    if action not in ("approve", "reject", "carry_out"):
        messages.error(request, _("Choose a step of the recall."))
        return redirect("assessment:recall-detail", pk=recall.pk)
    refused = "carry_out" if action == "carry_out" else "decide"
    if not form.is_valid():
        return _recall_detail_page(request, recall, form=form, refused=refused)
    data = form.cleaned_data
    try:
        if action == "carry_out":
            services.recall_carry_out(
                actor=request.user,
                recall=recall,
                successor=scoped(Cadre, request.user, "programs.manage")
                .filter(pk=id_param(data["successor"]))
                .first(),
                on_date=data["on_date"],
                reason=data["reason"],
            )
        else:
            services.recall_decide(
                actor=request.user, recall=recall, approve=action == "approve", reason=data["reason"]
            )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            # The recall moved on in the meantime (decided or carried out by someone else):
            # its current state, where this step may no longer be offered.
            messages.error(request, _errors(exc))
            return redirect("assessment:recall-detail", pk=recall.pk)
        add_errors(form, exc)
        return _recall_detail_page(request, recall, form=form, refused=refused)
    messages.success(request, _("The recall is updated."))
    return redirect("assessment:recall-detail", pk=recall.pk)


def recall_notice(request, pk: int, fmt: str):
    require_permission(request.user, VIEW)
    recall = selectors.recall_get(user=request.user, pk=pk)
    if recall.status not in (Recall.Status.APPROVED, Recall.Status.CARRIED_OUT):
        raise Http404
    return _document(
        fmt,
        pdf=lambda: documents.recall_notice_pdf(recall, user=request.user),
        docx=lambda: documents.recall_notice_docx(recall, user=request.user),
        name=f"recall-notice-{recall.pk}",
    )


DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _document(fmt: str, *, pdf, docx, name: str) -> HttpResponse:
    """A generated document as a download, made by the function for its format (else 404)."""
    if fmt not in DOCUMENT_TYPES:
        raise Http404
    data = pdf() if fmt == "pdf" else docx()
    response = HttpResponse(data, content_type=DOCUMENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# Leaders' records ------------------------------------------------------------------------


def leader_record_list(request):
    require_permission(request.user, VIEW)
    return _leader_record_list_page(request)


def _leader_record_list_page(request, draft_form=None):
    """The records in sight; `draft_form` is a refused draft, shown as it was sent."""
    kind = request.GET.get("kind", "")
    chosen_kind = kind if kind in LeaderRecord.Kind.values else ""
    page = paginate(request, selectors.leader_record_list(user=request.user, kind=chosen_kind))
    # Each leader by name with the record's period and state: a cadre's record, read.
    audit_list_read(action="leader_record.list", user=request.user, page=page, filters={"kind": chosen_kind})
    me = Cadre.objects.filter(account=request.user).select_related("account").first()
    can_draft = me is not None and selectors.can_write_record(request.user, me)
    weekly = can_draft and bool(selectors.weekly_record_campaigns(me))
    return render(
        request,
        "assessment/leader_record_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "pager_path": reverse("assessment:leader-record-list"),
            "kinds": LeaderRecord.Kind.choices,
            "kind": kind,
            "can_draft": can_draft,
            "weekly": weekly,
            "draft_form": draft_form
            or LeaderRecordDraftForm(initial={"kind": "", "day": timezone.localdate().isoformat()}),
        },
    )


@require_POST
def leader_record_draft(request):
    require_permission(request.user, "leader_records.write", MANAGE)
    cadre_pk = request.POST.get("cadre", "")
    if cadre_pk.isdigit():
        cadre = get_scoped_or_404(Cadre, request.user, MANAGE, pk=int(cadre_pk))
    else:
        cadre = Cadre.objects.filter(account=request.user).first()
        if cadre is None:
            raise PermissionDenied
    form = LeaderRecordDraftForm(request.POST)
    if form.is_valid():
        try:
            record = services.leader_record_draft(actor=request.user, cadre=cadre, **form.cleaned_data)
        except ValidationError as exc:
            # A submitted record of that week or quarter is refused too: another day is the fix.
            add_errors(form, exc)
        else:
            return redirect("assessment:leader-record-detail", pk=record.pk)
    # Refused: the page again, with the kind and day chosen and why (not a redirect that loses them).
    return _leader_record_list_page(request, draft_form=form)


def leader_record_write(request):
    """A leader writes their own weekly work record: the week chosen by a day of it, then the
    text; writing a week again changes its draft rather than making a second record. Below,
    the weeks of the campaigns that ask them for one, with their records."""
    require_permission(request.user, VIEW)
    cadre = selectors.my_weekly_cadre(request.user)
    if request.method == "POST":
        if cadre is None:
            raise PermissionDenied
        form = LeaderRecordWriteForm(request.POST)
        if form.is_valid():
            try:
                record = services.leader_record_write(
                    actor=request.user,
                    cadre=cadre,
                    day=form.cleaned_data["day"],
                    text=form.cleaned_data["text"],
                    version=form.cleaned_data["version"],
                    submit="submit" in request.POST,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request,
                    (
                        _("The record of the week of %(day)s is submitted.")
                        if record.status == LeaderRecord.Status.SUBMITTED
                        else _("The record of the week of %(day)s is saved as a draft.")
                    )
                    % {"day": day_text(record.start)},
                )
                return redirect(f"{reverse('assessment:leader-record-write')}?day={record.start.isoformat()}")
        # Refused: the page again with the week and the text as sent, and why.
        day = _date(request.POST.get("day", "")) or timezone.localdate()
        return _leader_record_write_page(request, cadre, day, form)
    day = _date(request.GET.get("day", "")) or timezone.localdate()
    return _leader_record_write_page(request, cadre, day)


def _leader_record_write_page(request, cadre, day: dt.date, form=None):
    campaigns = selectors.weekly_record_campaigns(cadre) if cadre is not None else []
    record = selectors.weekly_record_for(user=request.user, cadre=cadre, day=day) if campaigns else None
    start, end = periods.week_of(day)
    if form is None and campaigns:
        if record is not None:
            text, version = record.text, record.version
        else:
            # A new week starts from what the leader's own records say about it.
            text = services.draft_text(
                LeaderRecord.Kind.WEEKLY, cadre, start, end, services.record_figures(cadre, start, end)
            )
            version = ""
        form = LeaderRecordWriteForm(initial={"day": start.isoformat(), "text": text, "version": version})
    weeks = selectors.my_weeks(user=request.user, cadre=cadre, campaigns=campaigns) if campaigns else []
    return render(
        request,
        "assessment/leader_record_write.html",
        {
            "cadre": cadre,
            "campaigns": campaigns,
            "asked_by": _("Asked for by %(campaigns)s.")
            % {"campaigns": "; ".join(services.campaign_span(c) for c in campaigns)},
            "form": form,
            "record": record,
            "week_start": start,
            "week_end": end,
            "week_days_due": WEEK_DAYS_DUE,
            "page": paginate(request, weeks, 12),
            "query": query_without_page(request),
            "pager_path": reverse("assessment:leader-record-write"),
        },
    )


def leader_record_detail(request, pk: int):
    require_permission(request.user, VIEW)
    record = selectors.leader_record_get(user=request.user, pk=pk)
    can_write = record.status == LeaderRecord.Status.DRAFT and selectors.can_write_record(
        request.user, record
    )
    error = ""
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        try:
            version = int(request.POST.get("version", "0"))
        except ValueError:
            version = 0
        try:
            record = services.leader_record_save(
                actor=request.user,
                record=record,
                text=request.POST.get("text", ""),
                version=version,
                submit="submit" in request.POST,
            )
        except ValidationError as exc:
            error = _errors(exc)
        else:
            messages.success(request, _("The record is saved."))
            return redirect("assessment:leader-record-detail", pk=record.pk)
    # The leader's own account of their work, with its figures: a cadre's record, read.
    audit_list_read(
        action="leader_record.view",
        user=request.user,
        obj=record,
        shown=1,
        kind=record.kind,
        start=record.start.isoformat(),
        status=record.status,
    )
    return render(
        request,
        "assessment/leader_record_detail.html",
        {"record": record, "can_write": can_write, "error": error, "title": documents.record_title(record)},
    )


def leader_record_document(request, pk: int, fmt: str):
    require_permission(request.user, VIEW)
    record = selectors.leader_record_get(user=request.user, pk=pk)
    return _document(
        fmt,
        pdf=lambda: documents.leader_record_pdf(record, user=request.user),
        docx=lambda: documents.leader_record_docx(record, user=request.user),
        name=f"leader-record-{record.pk}",
    )
