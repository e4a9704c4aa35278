"""Import pages: upload → dry-run report → confirm, which writes all or nothing. The file
waits under VAR_DIR keyed by a random token between the two steps."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minqing.core.scope import scoped
from minqing.programs import selectors as program_selectors
from minqing.programs.models import Campaign

from .imports import IMPORTERS, storage
from .imports.engine import allowed, import_run
from .imports.files import MAX_BYTES
from .imports.template import template_xlsx

BACK = {
    "households": "people:household-list",
    "points": "programs:point-list",
    "regions": "geo:region-list",
    "cadres": "org:cadre-list",
}


def _importer(request, kind: str):
    if kind not in IMPORTERS:
        raise Http404
    importer = IMPORTERS[kind]()
    if not allowed(importer, request.user):
        raise PermissionDenied
    return importer


# What each list brings, in the words of an office (the index page).
ABOUT = {
    "households": gettext_lazy(
        "The roster of households and their members, as the village or the civil affairs office keeps it."
    ),
    "cadres": gettext_lazy("The cadres of the units: name, unit, post, rank, political status, phone."),
    "pairings": gettext_lazy("Who is paired with which household, member or liaison point, in one campaign."),
    "points": gettext_lazy(
        "Villages, communities, enterprises and projects the cadres are linked to, with their grade."
    ),
    "regions": gettext_lazy("Townships, villages and villagers' groups by their statistical division code."),
}


# What follows from importing a list, said on its page before the file is chosen.
NOTES = {
    "cadres": gettext_lazy(
        "A new cadre gets an account without a password or a role: the system administrator gives "
        "the password and the security administrator the role before the cadre can sign in."
    ),
}


def import_index(request):
    """The lists this account may import, each with its template; pairings by campaign."""
    kinds = [(kind, IMPORTERS[kind]()) for kind in ("households", "cadres", "points", "pairings", "regions")]
    kinds = [(kind, importer) for kind, importer in kinds if allowed(importer, request.user)]
    if not kinds:
        raise PermissionDenied
    campaigns = program_selectors.campaign_list(user=request.user).filter(
        pk__in=scoped(Campaign, request.user, program_selectors.MANAGE).values("pk")
    )
    return render(
        request,
        "documents/import_index.html",
        {
            "lists": [{"kind": kind, "importer": importer, "about": ABOUT[kind]} for kind, importer in kinds],
            "campaigns": campaigns,
            "max_bytes": MAX_BYTES,
        },
    )


def _campaign(request, importer, value):
    if not importer.needs_campaign:
        return None
    if not str(value or "").isdigit():
        raise NeedsCampaign
    return program_selectors.campaign_get(
        user=request.user, pk=int(value), permission=program_selectors.MANAGE
    )


def _back(kind: str, campaign) -> str:
    if campaign is not None:
        return reverse("programs:pairing-list", args=[campaign.pk])
    return reverse(BACK[kind])


class NeedsCampaign(Exception):
    """A pairing list was opened without its campaign: the index asks for one."""


def import_start(request, kind: str):
    importer = _importer(request, kind)
    try:
        campaign = _campaign(request, importer, request.POST.get("campaign") or request.GET.get("campaign"))
    except NeedsCampaign:
        messages.info(request, _("Pairings are imported into one campaign: choose it."))
        return redirect(reverse("documents:import-index") + "#pairings")
    context = {
        "importer": importer,
        "kind": kind,
        "campaign": campaign,
        "back": _back(kind, campaign),
        "max_bytes": MAX_BYTES,
        "note": NOTES.get(kind, ""),
    }
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["problem"] = _("Choose the file to import.")
        elif upload.size > MAX_BYTES:
            context["problem"] = _(
                "The file is %(size).1f MB; at most 10 MB can be imported. Split the list into several files."
            ) % {"size": upload.size / 1024 / 1024}
        else:
            token = storage.stash(
                upload, user_id=request.user.pk, kind=kind, campaign_id=campaign.pk if campaign else None
            )
            path, meta = storage.fetch(token, user_id=request.user.pk, kind=kind)
            report = import_run(
                actor=request.user,
                kind=kind,
                path=path,
                filename=meta["name"],
                dry_run=True,
                campaign=campaign,
            )
            if not report.ok:
                storage.discard(token)
            context.update(report=report, token=token if report.ok else "")
    return render(request, "documents/import_start.html", context)


@require_POST
def import_confirm(request, kind: str):
    importer = _importer(request, kind)
    found = storage.fetch(request.POST.get("token", ""), user_id=request.user.pk, kind=kind)
    if found is None:
        messages.error(
            request,
            _(
                "This upload has already been imported, or it has expired: check the list, "
                "and upload the file again only if its rows are missing."
            ),
        )
        return redirect(reverse("documents:import-start", args=[kind]) + _query(request.POST.get("campaign")))
    path, meta = found
    campaign = _campaign(request, importer, meta.get("campaign"))
    report = import_run(
        actor=request.user, kind=kind, path=path, filename=meta["name"], dry_run=False, campaign=campaign
    )
    storage.discard(request.POST["token"])
    context = {
        "importer": importer,
        "kind": kind,
        "campaign": campaign,
        "back": _back(kind, campaign),
        "report": report,
    }
    return render(request, "documents/import_start.html", context, status=200 if report.ok else 400)


def _query(campaign) -> str:
    return f"?campaign={campaign}" if str(campaign or "").isdigit() else ""


def import_template(request, kind: str):
    importer = _importer(request, kind)
    try:
        campaign = (
            _campaign(request, importer, request.GET.get("campaign")) if request.GET.get("campaign") else None
        )
    except NeedsCampaign:
        raise Http404 from None
    response = HttpResponse(
        template_xlsx(importer, campaign=campaign, user=request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = _("Import template - %(title)s.xlsx") % {"title": importer.title}
    response["Content-Disposition"] = f"attachment; filename=\"{kind}.xlsx\"; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
