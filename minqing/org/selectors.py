"""Reads of units, cadres, the accounts an administrator reaches and their API tokens,
through the data scope."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from minqing.core.scope import get_scoped_or_404, scope_for, scoped
from minqing.core.treecode import prefix_q

from .models import Account, ApiToken, Cadre, Grant, Unit

VIEW = "org.view"


def unit_list(*, user) -> QuerySet:
    return (
        scoped(Unit, user, VIEW)
        .select_related("region", "parent")
        .annotate(cadre_count=Count("cadres", distinct=True))
        .order_by("path")
    )


def unit_get(*, user, pk: int) -> Unit:
    return get_scoped_or_404(Unit.objects.select_related("region", "parent"), user, VIEW, pk=pk)


def cadre_list(*, user, unit: Unit | None = None, q: str = "") -> QuerySet:
    qs = scoped(Cadre, user, VIEW).select_related("account", "unit__parent")
    if unit is not None:
        qs = qs.filter(prefix_q("unit__path", unit.path))
    if q.strip():
        qs = qs.filter(Q(account__full_name__contains=q.strip()) | Q(account__username=q.strip()))
    return qs.order_by("unit__path", "id")


def cadre_get(*, user, pk: int) -> Cadre:
    return get_scoped_or_404(
        Cadre.objects.select_related("account", "unit__region", "unit__parent"), user, VIEW, pk=pk
    )


def account_reach_q(user, permissions) -> Q | None:
    """The accounts an administrator holding one of `permissions` manages: those placed in
    the regions or units of such a grant (by their cadre's unit, or by the regions and units
    of their own grants), and those placed nowhere yet (a new account before its first role
    or cadre record, an audit administrator): they reach no data, and someone must be able
    to give them a role. None when the user holds none of the permissions."""
    grants = [g for g in scope_for(user).grants if any(p in g.permissions for p in permissions)]
    if not grants:
        return None
    prefixes = {p for g in grants for p in g.region_prefixes}
    paths = {p for g in grants for p in g.unit_paths}
    cadre_in, grant_in = Q(pk__in=[]), Q(pk__in=[])
    for prefix in prefixes:
        cadre_in |= prefix_q("unit__region_id", prefix)
        grant_in |= prefix_q("regions__code", prefix)
    for path in paths:
        cadre_in |= prefix_q("unit__path", path)
        grant_in |= prefix_q("units__path", path)
    own_cadre = Cadre.objects.filter(account=OuterRef("pk"))
    own_grants = Grant.objects.filter(account=OuterRef("pk"))
    placed = Exists(own_cadre) | Exists(own_grants.filter(Q(regions__isnull=False) | Q(units__isnull=False)))
    return Exists(own_cadre.filter(cadre_in)) | Exists(own_grants.filter(grant_in)) | ~placed


def token_list(*, user, account: Account | None = None) -> QuerySet:
    """API tokens, newest first, with their accounts (never their digests): every token for
    the server's command line (user None), else the tokens of the accounts the system
    administrator manages."""
    qs = ApiToken.objects.select_related("account").defer("digest")
    if user is not None:
        reach = account_reach_q(user, ("accounts.manage",))
        if reach is None:
            raise PermissionDenied
        qs = qs.filter(account__in=Account.objects.filter(reach))
    if account is not None:
        qs = qs.filter(account=account)
    return qs.order_by("-created_at", "-pk")


def token_get(*, user, pk) -> ApiToken | None:
    """One token (see token_list); None when there is none in reach."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return token_list(user=user).filter(pk=pk).first() if -(2**63) <= pk < 2**63 else None
