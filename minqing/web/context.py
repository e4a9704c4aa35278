from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minqing.core.scope import scope_for

# Flags after the permission. REACH: shown only to who reaches beyond their own records with
# that permission (a cadre's own-records grant would find these lists empty). MORE: a page
# used less often, put under "More" when an account's menu would not fit on one line.
REACH = "reach"
MORE = "more"
# How many characters of labels fit on one line of a 1280px desktop beside the brand and
# the account area (Chinese labels: one character is about one em).
MENU_BUDGET = 30


def _weekly_record(request, scope) -> bool:
    """A cadre whom a campaign asks for a leaders' weekly work record (002 三服务)."""
    from minqing.assessment.selectors import weekly_record_in_menu

    return weekly_record_in_menu(request, scope)


def _cadre(request, scope) -> bool:
    """An account that is a cadre: only a cadre has targets of its own (a village branch or
    an office account without a cadre record would find the phone page empty)."""
    if not scope.has("programs.view"):
        return False
    found = getattr(request, "_minqing_is_cadre", None)
    if found is None:
        from minqing.fieldwork.selectors import cadre_of

        found = request._minqing_is_cadre = cadre_of(request.user) is not None
    return found


NAV = [
    ("web:home", _("Overview"), None),
    ("fieldwork:app", _("My targets"), _cadre),
    ("fieldwork:index", _("Field work"), "programs.view"),
    ("programs:campaign-list", _("Campaigns"), "programs.view"),
    ("figures:dashboard-index", _("Dashboard"), "programs.view"),
    ("tickets:ticket-list", _("Demands"), "tickets.view"),
    ("tickets:ticket-mine", _("My demands"), "tickets.view"),
    ("appraisal:round-list", _("Appraisal"), "appraisal.view", MORE),
    ("appraisal:inspection-list", _("Inspections"), "inspections.view", MORE),
    ("appraisal:case-list", _("Exemplary cases"), "exemplary.view", MORE),
    ("assessment:recall-list", _("Recalls"), "assessment.view", REACH, MORE),
    ("assessment:leader-record-list", _("Leaders' records"), "assessment.view", REACH, MORE),
    ("assessment:leader-record-write", _("My weekly work record"), _weekly_record),
    ("people:household-list", _("Households"), "people.view"),
    ("org:cadre-list", _("Cadres"), "org.view"),
    ("org:unit-list", _("Units"), "org.view", REACH, MORE),
    ("programs:point-list", _("Liaison points"), "programs.view"),
    ("geo:region-list", _("Regions"), "geo.view", REACH, MORE),
    ("exports:request-list", _("Exports"), "people.view", REACH, MORE),
    ("documents:import-index", _("Imports"), ("people.edit", "programs.manage", "accounts.manage")),
    ("security:account-list", _("Accounts"), "accounts.manage"),
    ("security:grant-list", _("Roles"), "roles.manage"),
    ("security:audit-list", _("Audit trail"), "audit.view"),
]


def here(request) -> str:
    """Where to come back to (after switching language): the full path, unless its query
    holds a full ID number or phone, which must not be echoed into the page."""
    from minqing.people.search import masked_identifier

    if masked_identifier(request.GET.get("q", "")):
        return request.path
    return request.get_full_path()


def _shown(request, scope, permission, reach: bool) -> bool:
    if permission is None:
        return True
    if callable(permission):
        return permission(request, scope)
    permissions = permission if isinstance(permission, tuple) else (permission,)
    if reach:
        return any(scope.reaches(p) for p in permissions)
    return any(scope.has(p) for p in permissions)


def _width(label: str) -> float:
    """A label's width in ems, near enough: a Chinese character is one, a Latin letter half."""
    return sum(1 if ord(c) >= 0x2E80 else 0.55 for c in label)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"return_path": here(request)}
    scope = scope_for(user)
    view_name = request.resolver_match.view_name if request.resolver_match else None
    items = [
        {"url": reverse(name), "label": label, "active": view_name == name, "more": MORE in flags}
        for name, label, permission, *flags in NAV
        if _shown(request, scope, permission, REACH in flags)
    ]
    if sum(_width(str(item["label"])) for item in items) <= MENU_BUDGET:
        nav_more = []
    else:
        nav_more = [item for item in items if item["more"]]
        items = [item for item in items if not item["more"]]
    # Not "here": campaign pages name their own breadcrumb item so.
    return {
        "nav_items": items,
        "nav_more": nav_more,
        "nav_more_active": any(item["active"] for item in nav_more),
        "user_scope": scope,
        "return_path": here(request),
    }
