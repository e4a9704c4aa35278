"""The residents' pages, without an account: answer the appraisal through a one-time link
(it shows only the cadre's name and unit and the questions), and read a released
publication list. Rate-limited per IP like the public demand pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render

from minqing.core import context
from minqing.tickets.ratelimit import Limited, hit

from . import selectors, services
from .models import AppraisalRound, Verdict

HOUR = 3600


def _limited(request, template: str, retry_after: int):
    response = render(request, template, {"limited": True}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@login_not_required
def public_answer(request, token: str):
    try:
        hit("appraisal-ip", context.current().ip or "-", limit=settings.TRACK_PER_IP_PER_HOUR, window=HOUR)
    except Limited as limited:
        return _limited(request, "appraisal/public_answer.html", limited.retry_after)
    try:
        link = services.link_find(token)
    except services.LinkRefused as refused:
        return render(request, "appraisal/public_answer.html", {"refused": str(refused)}, status=410)
    sample = link.sample
    ctx = {
        "cadre_name": str(sample.cadre.account),
        "unit": sample.cadre.unit.label,
        "questions": sample.round.questions,
        "verdicts": Verdict.choices,
        "post": request.POST,
    }
    if request.method == "POST":
        answers = {q["key"]: request.POST.get(f"q_{q['key']}", "") for q in sample.round.questions}
        try:
            services.link_answer(
                token=token,
                verdict=request.POST.get("verdict", ""),
                answers=answers,
                comment=request.POST.get("comment", ""),
            )
        except services.LinkRefused as refused:
            return render(request, "appraisal/public_answer.html", {"refused": str(refused)}, status=410)
        except ValidationError as exc:
            ctx["errors"] = exc.messages
        else:
            return render(request, "appraisal/public_answer.html", {"thanks": True})
    response = render(request, "appraisal/public_answer.html", ctx)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
def public_publication(request, pk: int):
    """A released publication list, for the public (the disclosure board's QR code)."""
    appraisal_round = (
        AppraisalRound.objects.select_related("campaign")
        .filter(status=AppraisalRound.Status.RELEASED)
        .filter(pk=pk)
        .first()
    )
    if appraisal_round is None:
        raise Http404
    from .documents import publication_title

    return render(
        request,
        "appraisal/publication_public.html",
        {
            "round": appraisal_round,
            "results": selectors.round_results(appraisal_round),
            "cases": selectors.round_cases(appraisal_round),
            "title": publication_title(appraisal_round),
        },
    )
