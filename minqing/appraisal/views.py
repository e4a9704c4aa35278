"""Pages of residents' appraisal, inspections and exemplary cases. Views parse, call one
service or selector, and render."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.core.audit import audit_list_read, audit_record
from minqing.core.forms import add_errors
from minqing.core.paging import paginate, query_without_page
from minqing.core.params import id_param
from minqing.core.scope import get_scoped_or_404, require_permission, scope_for, scoped
from minqing.org.models import Cadre
from minqing.programs.models import Campaign, LiaisonPoint, Team

from . import documents, selectors, services
from .forms import RoundDrawForm
from .models import ExemplaryCase, FollowUpAction, Inspection, Rating, Sample, Verdict


def _errors(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


class NotOnTheList(ValidationError):
    pass


def _chosen(queryset, value, field):
    """The object of `queryset` whose id is `value` (a form or query-string value), None when
    nothing is chosen. A value naming none of them (not a number, or not on the list) raises
    NotOnTheList with a message naming the field."""
    if not value:
        return None
    pk = id_param(value)
    found = queryset.filter(pk=pk).first() if pk else None
    if found is None:
        raise NotOnTheList(_("The %(field)s chosen is not on the list; choose again.") % {"field": field})
    return found


def _chosen_campaign(request, campaigns):
    """The campaign chosen in the query string or the form, else the only one; a bad choice
    is none chosen (the page asks again), with a message."""
    try:
        campaign = _chosen(
            campaigns, request.GET.get("campaign") or request.POST.get("campaign"), _("campaign")
        )
    except NotOnTheList as exc:
        _errors(request, exc)
        return None
    if campaign is None and len(campaigns) == 1:
        campaign = campaigns[0]
    return campaign


def _campaigns(user, permission: str):
    """Running campaigns the user may act on."""
    return (
        scoped(Campaign, user, "programs.view").filter(status="running").order_by("-start", "name")
        if (scope_for(user).has(permission))
        else Campaign.objects.none()
    )


def _date(text: str, default: dt.date | None = None) -> dt.date:
    if not text:
        if default is not None:
            return default
        raise ValidationError({"date": [_("Give a date.")]})
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({"date": [_("Give the date as YYYY-MM-DD.")]}) from None


# Residents' appraisal ---------------------------------------------------------------


def round_list(request):
    require_permission(request.user, "appraisal.view")
    return _round_list_page(request)


def _round_list_page(request, form=None, campaign=None):
    """The appraisal rounds; `form` is a refused draw for `campaign`, shown as it was sent."""
    rounds = selectors.rounds(user=request.user)
    return render(
        request,
        "appraisal/round_list.html",
        {
            "page": paginate(request, rounds),
            "pager_path": reverse("appraisal:round-list"),
            "campaigns": _campaigns(request.user, "appraisal.manage"),
            "can_manage": scope_for(request.user).has("appraisal.manage"),
            "form": form or RoundDrawForm(initial={"period": timezone.localdate().strftime("%Y-%m")}),
            "chosen": campaign.pk if campaign else None,
        },
    )


@require_POST
def round_draw(request):
    require_permission(request.user, "appraisal.manage")
    campaign = get_scoped_or_404(
        Campaign, request.user, "programs.view", pk=request.POST.get("campaign") or 0
    )
    form = RoundDrawForm(request.POST)
    if form.is_valid():
        try:
            appraisal_round = services.round_draw(actor=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Sample drawn: %(n)s households.") % {"n": appraisal_round.samples.count()},
            )
            return redirect("appraisal:round-detail", pk=appraisal_round.pk)
    # Refused: the page again, with what was typed and why (not a redirect that loses it).
    return _round_list_page(request, form=form, campaign=campaign)


def _audit_results(request, appraisal_round, results, view: str) -> None:
    """Each cadre by name with the residents' verdicts: a cadre's record, read (as the command
    line's `appraisal results`). The public page of a released list is not recorded."""
    audit_list_read(
        action="appraisal.results.view",
        user=request.user,
        obj=appraisal_round,
        shown=len(results),
        campaign=appraisal_round.campaign_id,
        period=appraisal_round.period,
        status=appraisal_round.status,
        view=view,
    )


def round_detail(request, pk: int):
    appraisal_round = selectors.round_get(user=request.user, pk=pk)
    results = selectors.round_results(appraisal_round)
    _audit_results(request, appraisal_round, results, "round")
    counts = {
        "sampled": sum(r.sampled for r in results),
        "answered": sum(r.answered for r in results),
    }
    return render(
        request,
        "appraisal/round_detail.html",
        {
            "round": appraisal_round,
            "results": results,
            "counts": counts,
            "can_manage": scope_for(request.user).has("appraisal.manage"),
        },
    )


def round_samples(request, pk: int):
    """The sampled households to call: personal data, so the read is audited."""
    require_permission(request.user, "appraisal.manage")
    appraisal_round = selectors.round_get(user=request.user, pk=pk)
    samples = selectors.samples(user=request.user, appraisal_round=appraisal_round)
    status = request.GET.get("status", "")
    if status in Sample.Status.values:
        samples = samples.filter(status=status)
    page = paginate(request, samples)
    audit_record(
        action="appraisal.samples.view",
        obj=appraisal_round,
        user=request.user,
        detail={"households": [s.household_id for s in page]},
    )
    return render(
        request,
        "appraisal/round_samples.html",
        {
            "round": appraisal_round,
            "page": page,
            "query": query_without_page(request),
            "status": status,
            "statuses": Sample.Status.choices,
        },
    )


def sample_callback(request, pk: int):
    sample = selectors.sample_get(user=request.user, pk=pk)
    questions = sample.round.questions
    # What a refused callback was sent with, shown again, and its errors by field.
    sent, errors = {"status": "answered", "called_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}, {}
    if request.method == "POST":
        answers = {q["key"]: request.POST.get(f"q_{q['key']}", "") for q in questions}
        sent = {name: request.POST.get(name, "") for name in ("status", "verdict", "called_at", "comment")}
        questions = [{**q, "answer": answers[q["key"]]} for q in questions]
        try:
            called_at = None
            if sent["called_at"]:
                called_at = timezone.make_aware(dt.datetime.fromisoformat(sent["called_at"]))
            services.callback_record(
                actor=request.user,
                sample=sample,
                status=sent["status"],
                verdict=sent["verdict"],
                answers=answers,
                comment=sent["comment"],
                called_at=called_at,
            )
        except ValueError:
            errors = {"called_at": [_("Give the time of the call as YYYY-MM-DD HH:MM.")]}
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {
                    field: [m for e in found for m in e.messages] for field, found in exc.error_dict.items()
                }
            else:
                _errors(request, exc)  # the sample or its round moved on: a message above all
        else:
            messages.success(request, _("Callback recorded."))
            return redirect(reverse("appraisal:round-samples", args=[sample.round_id]) + "?status=pending")
    audit_record(action="appraisal.sample.view", obj=sample, user=request.user)
    shown = {"status", "verdict", "called_at", *(f"q_{q['key']}" for q in questions)}
    return render(
        request,
        "appraisal/sample_callback.html",
        {
            "sample": sample,
            "questions": questions,
            "verdicts": Verdict.choices,
            "outcomes": [c for c in Sample.Status.choices if c[0] != Sample.Status.PENDING],
            "sent": sent,
            "errors": errors,
            "other_errors": [m for field, found in errors.items() if field not in shown for m in found],
        },
    )


@require_POST
def sample_link(request, pk: int):
    """Issue a one-time link; its token is shown on this page only (with its QR code)."""
    sample = selectors.sample_get(user=request.user, pk=pk)
    try:
        token = services.link_issue(actor=request.user, sample=sample)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("appraisal:sample-callback", pk=pk)
    url = request.build_absolute_uri(reverse("appraisal:public-answer", args=[token]))
    response = render(
        request,
        "appraisal/sample_link.html",
        {"sample": sample, "url": url, "qr": documents.qr_svg(url), "days": services.LINK_DAYS},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def round_release(request, pk: int):
    require_permission(request.user, "appraisal.manage")
    appraisal_round = selectors.round_get(user=request.user, pk=pk)
    try:
        services.round_release(actor=request.user, appraisal_round=appraisal_round)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("appraisal:round-detail", pk=pk)
    messages.success(request, _("The publication list is released."))
    return redirect("appraisal:publication", pk=pk)


def _publication_context(appraisal_round):
    cases = selectors.round_cases(appraisal_round)
    return {
        "round": appraisal_round,
        "results": selectors.round_results(appraisal_round),
        "cases": cases,
        "title": documents.publication_title(appraisal_round),
    }


def publication(request, pk: int):
    """The publication list (公示) as the office prepares and releases it."""
    appraisal_round = selectors.round_get(user=request.user, pk=pk)
    context = _publication_context(appraisal_round)
    _audit_results(request, appraisal_round, context["results"], "publication")
    return render(request, "appraisal/publication.html", context)


def publication_pdf(request, pk: int):
    appraisal_round = selectors.round_get(user=request.user, pk=pk)
    pdf = documents.publication_pdf(appraisal_round, _publication_context(appraisal_round), user=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="publication-{appraisal_round.pk}.pdf"'
    return response


# Inspections ------------------------------------------------------------------------


def inspection_list(request):
    require_permission(request.user, "inspections.view")
    qs = selectors.inspections(user=request.user)
    kind = request.GET.get("kind", "")
    if kind in Inspection.Kind.values:
        qs = qs.filter(kind=kind)
    actions = list(
        selectors.actions(user=request.user).filter(done_on__isnull=True).order_by("deadline", "id")[:20]
    )
    page = paginate(request, qs)
    # The inspected cadres by name with their ratings, and the open actions' owners: a cadre's
    # record, read (as the command line's `inspection list`).
    audit_list_read(
        action="inspection.list",
        user=request.user,
        page=page,
        filters={"kind": kind if kind in Inspection.Kind.values else ""},
        open_actions=len(actions),
    )
    return render(
        request,
        "appraisal/inspection_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "kinds": Inspection.Kind.choices,
            "kind": kind,
            "open_actions": actions,
            "today": timezone.localdate(),
            "can_record": scope_for(request.user).has("inspections.record"),
        },
    )


def _cadres_of(campaign, user):
    """Cadres taking part in the campaign (paired or in a team) that the user may see."""
    return (
        scoped(Cadre, user, "org.view")
        .filter(pairings__campaign=campaign)
        .distinct()
        .select_related("account", "unit__parent")
        .order_by("unit__path", "id")
    )


def inspection_create(request):
    require_permission(request.user, "inspections.record")
    campaigns = _campaigns(request.user, "inspections.record")
    campaign = _chosen_campaign(request, campaigns)
    ctx = {
        "campaigns": campaigns,
        "campaign": campaign,
        "kinds": Inspection.Kind.choices,
        "ratings": Rating.choices,
        "today": timezone.localdate().isoformat(),
        "post": request.POST,
    }
    if campaign is not None:
        ctx["cadres"] = _cadres_of(campaign, request.user)
        ctx["points"] = (
            scoped(LiaisonPoint, request.user, "programs.view")
            .filter(pairings__campaign=campaign)
            .distinct()
            .order_by("region_id", "name")
        )
    if request.method == "POST" and campaign is not None:
        post = request.POST
        try:
            cadre = _chosen(ctx["cadres"], post.get("cadre"), _("cadre"))
            point = _chosen(ctx["points"], post.get("point"), _("liaison point"))
            actions = []
            if post.get("action_text"):
                owner = _chosen(ctx["cadres"], post.get("action_owner"), _("owner")) or cadre
                actions.append(
                    {
                        "text": post["action_text"],
                        "owner": owner,
                        "deadline": _date(post.get("action_deadline", "")),
                    }
                )
            inspection = services.inspection_record(
                actor=request.user,
                campaign=campaign,
                kind=post.get("kind", ""),
                date=_date(post.get("date", "")),
                cadre=cadre,
                point=point,
                method=post.get("method", ""),
                findings=post.get("findings", ""),
                rating=post.get("rating", ""),
                actions=actions,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Inspection recorded."))
            return redirect("appraisal:inspection-detail", pk=inspection.pk)
    return render(request, "appraisal/inspection_create.html", ctx)


def inspection_detail(request, pk: int):
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    can_record = scope_for(request.user).has("inspections.record")
    actions = list(inspection.actions.select_related("owner__account", "owner__unit"))
    # The cadre inspected, the findings and rating, the actions' owners: a cadre's record, read.
    audit_list_read(
        action="inspection.view",
        user=request.user,
        obj=inspection,
        shown=1,
        campaign=inspection.campaign_id,
        actions=len(actions),
    )
    return render(
        request,
        "appraisal/inspection_detail.html",
        {
            "inspection": inspection,
            "actions": actions,
            "can_record": can_record,
            "cadres": _cadres_of(inspection.campaign, request.user) if can_record else [],
            "today": timezone.localdate(),
        },
    )


@require_POST
def action_add(request, pk: int):
    require_permission(request.user, "inspections.record")
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    try:
        owner = _chosen(_cadres_of(inspection.campaign, request.user), request.POST.get("owner"), _("owner"))
        services.action_add(
            actor=request.user,
            inspection=inspection,
            text=request.POST.get("text", ""),
            owner=owner,
            deadline=_date(request.POST.get("deadline", "")),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Follow-up action added."))
    return redirect("appraisal:inspection-detail", pk=pk)


@require_POST
def action_done(request, pk: int):
    action = get_scoped_or_404(FollowUpAction, request.user, "inspections.view", pk=pk)
    try:
        services.action_done(actor=request.user, action=action, note=request.POST.get("note", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Marked as done."))
    return redirect("appraisal:inspection-detail", pk=action.inspection_id)


# Exemplary cases --------------------------------------------------------------------


def case_list(request):
    require_permission(request.user, "exemplary.view")
    qs = selectors.cases(user=request.user)
    status = request.GET.get("status", "")
    chosen_status = status if status in ExemplaryCase.Status.values else ""
    if chosen_status:
        qs = qs.filter(status=chosen_status)
    page = paginate(request, qs)
    # The cadres (teams, points) by name with their deeds, before any is published: recorded.
    audit_list_read(action="exemplary.list", user=request.user, page=page, filters={"status": chosen_status})
    return render(
        request,
        "appraisal/case_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "statuses": ExemplaryCase.Status.choices,
            "status": status,
            "can_nominate": scope_for(request.user).has("exemplary.nominate"),
        },
    )


def case_create(request):
    require_permission(request.user, "exemplary.nominate")
    campaigns = _campaigns(request.user, "exemplary.nominate")
    campaign = _chosen_campaign(request, campaigns)
    ctx = {
        "campaigns": campaigns,
        "campaign": campaign,
        "subjects": ExemplaryCase.Subject.choices,
        "post": request.POST,
    }
    if campaign is not None:
        ctx["cadres"] = _cadres_of(campaign, request.user)
        ctx["teams"] = scoped(Team, request.user, "programs.view").filter(campaign=campaign).order_by("name")
        ctx["points"] = (
            scoped(LiaisonPoint, request.user, "programs.view")
            .filter(pairings__campaign=campaign)
            .distinct()
            .order_by("region_id", "name")
        )
    if request.method == "POST" and campaign is not None:
        post = request.POST
        subject = post.get("subject", "")
        try:
            case = services.case_nominate(
                actor=request.user,
                campaign=campaign,
                title=post.get("title", ""),
                story=post.get("story", ""),
                cadre=_chosen(ctx["cadres"], post.get("cadre"), _("cadre")) if subject == "cadre" else None,
                team=_chosen(ctx["teams"], post.get("team"), _("team")) if subject == "team" else None,
                point=_chosen(ctx["points"], post.get("point"), _("liaison point"))
                if subject == "point"
                else None,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Case nominated."))
            return redirect("appraisal:case-detail", pk=case.pk)
    return render(request, "appraisal/case_create.html", ctx)


def case_detail(request, pk: int):
    case = get_scoped_or_404(
        ExemplaryCase.objects.select_related("campaign", "cadre__account", "cadre__unit", "team", "point"),
        request.user,
        "exemplary.view",
        pk=pk,
    )
    steps = [
        (step, label)
        for step, label in services.CASE_STEP_LABELS.items()
        if case.status in services.CASE_STEPS[step][0]
    ]
    # The cadre (team, point) by name with the deeds told, published or not yet: recorded.
    audit_list_read(
        action="exemplary.view",
        user=request.user,
        obj=case,
        shown=1,
        campaign=case.campaign_id,
        subject=case.subject,
        status=case.status,
    )
    return render(
        request,
        "appraisal/case_detail.html",
        {"case": case, "steps": steps if scope_for(request.user).has("exemplary.decide") else []},
    )


@require_POST
def case_decide(request, pk: int):
    require_permission(request.user, "exemplary.decide")
    case = get_scoped_or_404(ExemplaryCase, request.user, "exemplary.view", pk=pk)
    try:
        services.case_decide(actor=request.user, case=case, step=request.POST.get("step", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("appraisal:case-detail", pk=pk)
