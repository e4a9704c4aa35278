"""Data scope: the one place that decides which records an account may see.

Each grant an account holds (org.Grant) pairs a role's permissions with the data
it reaches: region subtrees, unit subtrees, and/or its own records. A query for
permission P returns the union, over the grants that carry P, of what each
reaches; with no such grant it returns nothing (default deny). Every selector
goes through `scoped`, and an object outside the scope is a 404.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .roles import ADMIN_ROLES, PERMISSIONS
from .treecode import prefix_q


@dataclass(frozen=True)
class GrantScope:
    role: str
    permissions: frozenset[str]
    region_prefixes: tuple[str, ...]
    unit_paths: tuple[str, ...]
    own: bool
    can_unmask: bool


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    grants: tuple[GrantScope, ...]

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(g.role for g in self.grants)

    @property
    def permissions(self) -> frozenset[str]:
        return frozenset().union(*(g.permissions for g in self.grants)) if self.grants else frozenset()

    def has(self, permission: str) -> bool:
        if permission == "people.unmask":
            return any(g.can_unmask and "people.view" in g.permissions for g in self.grants)
        return permission in self.permissions

    @property
    def is_admin(self) -> bool:
        return any(g.role in ADMIN_ROLES for g in self.grants)

    def reaches(self, permission: str) -> bool:
        """Whether a grant with this permission reaches beyond the account's own records (a
        region or unit subtree): lists of others' records are empty without one."""
        return any(permission in g.permissions and (g.region_prefixes or g.unit_paths) for g in self.grants)

    def region_prefixes(self, permission: str) -> tuple[str, ...]:
        return tuple(p for g in self.grants if permission in g.permissions for p in g.region_prefixes)


NO_SCOPE = Scope(user_id=None, grants=())


# Scopes shared by the requests of this process, under the account's scope_key: a random
# key the account row gets anew whenever its grants change (org.signals), so a changed
# grant is seen by the next request on every server, with no cache to invalidate.
_SHARED: OrderedDict = OrderedDict()
_SHARED_SIZE = 4096
_SHARED_LOCK = threading.Lock()


def scope_for(user) -> Scope:
    """The account's scope, computed once per request (cached on the user object) and
    shared between requests while the account's grants stay as they are."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_minqing_scope", None)
    if cached is not None:
        return cached
    key = getattr(user, "scope_key", None)
    if key is not None:
        with _SHARED_LOCK:
            shared = _SHARED.get(key)
            if shared is not None:
                _SHARED.move_to_end(key)
        if shared is not None and shared.user_id == user.pk:
            user._minqing_scope = shared
            return shared
    from minqing.org.models import Grant

    grants = []
    for grant in Grant.objects.filter(account_id=user.pk).prefetch_related("regions", "units").order_by("id"):
        grants.append(
            GrantScope(
                role=grant.role,
                permissions=PERMISSIONS.get(grant.role, frozenset()),
                region_prefixes=tuple(sorted(r.prefix for r in grant.regions.all())),
                unit_paths=tuple(sorted(u.path for u in grant.units.all())),
                own=grant.own_records,
                can_unmask=grant.can_unmask,
            )
        )
    scope = Scope(user_id=user.pk, grants=tuple(grants))
    user._minqing_scope = scope
    if key is not None:
        with _SHARED_LOCK:
            _SHARED[key] = scope
            while len(_SHARED) > _SHARED_SIZE:
                _SHARED.popitem(last=False)
    return scope


def forget_scope(user) -> None:
    """Drop the scope cached on this account object and read its current scope key, so
    that the next scope_for sees grants changed since the object was loaded."""
    if hasattr(user, "_minqing_scope"):
        del user._minqing_scope
    if getattr(user, "pk", None) is not None and hasattr(user, "scope_key"):
        from minqing.org.models import Account

        user.scope_key = Account.objects.filter(pk=user.pk).values_list("scope_key", flat=True).first()


OwnRule = Callable[[object], Q]


@dataclass
class ScopeRule:
    region: str | None = None  # path to a region code (e.g. "household__region_id")
    unit: str | None = None  # path to a unit's tree path (e.g. "unit__path")
    own: list[OwnRule] = field(default_factory=list)


_RULES: dict[type[Model], ScopeRule] = {}


def register(
    model: type[Model], *, region: str | None = None, unit: str | None = None, own: OwnRule | None = None
) -> None:
    """Declare how records of `model` are reached. Apps that arrive later (pairings,
    visits) add their own-record rules with `add_own_rule`. An own-record rule may depend
    on the user's id and today's date only (scoped_first compiles its SQL once for these)."""
    rule = _RULES.setdefault(model, ScopeRule())
    rule.region = region or rule.region
    rule.unit = unit or rule.unit
    if own is not None:
        rule.own.append(own)


def add_own_rule(model: type[Model], own: OwnRule) -> None:
    register(model, own=own)


def scope_q(model: type[Model], user, permission: str) -> Q | None:
    """The condition selecting what `user` may see of `model` under `permission`; None
    when nothing is visible."""
    if model not in _RULES:
        raise LookupError(f"{model.__name__} has no data-scope rule; register one in its app")
    rule = _RULES[model]
    scope = scope_for(user)
    condition: Q | None = None

    def add(q: Q) -> None:
        nonlocal condition
        condition = q if condition is None else condition | q

    for grant in scope.grants:
        if permission == "people.unmask":
            # Unmasking is a flag on a grant that may view people, not a role's permission.
            if not (grant.can_unmask and "people.view" in grant.permissions):
                continue
        elif permission not in grant.permissions:
            continue
        if rule.region:
            for prefix in grant.region_prefixes:
                add(prefix_q(rule.region, prefix))
        if rule.unit:
            for path in grant.unit_paths:
                add(prefix_q(rule.unit, path))
        if grant.own:
            for own in rule.own:
                add(own(user))
    return condition


def scoped(queryset: QuerySet | type[Model], user, permission: str) -> QuerySet:
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    condition = scope_q(qs.model, user, permission)
    return qs.none() if condition is None else qs.filter(condition)


def scoped_first(model: type[Model], user, permission: str, pk):
    """`scoped(model, user, permission).filter(pk=pk).first()` with its SQL compiled once
    per scope, user and day (own-record rules depend on the user's id and today's date
    only), for checks made on every upload. None when out of scope or not found."""
    from django.utils import timezone

    from . import prepared

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not -(2**63) <= pk < 2**63:  # no row has such an id (and SQLite cannot take it)
        return None
    key = ("scoped", model, permission, getattr(user, "pk", None), scope_for(user), timezone.localdate())
    return prepared.first(key, lambda value: scoped(model, user, permission).filter(pk=value)[:1], pk)


def require_permission(user, *permissions: str) -> None:
    """Refuse (403) unless the user holds one of the permissions. For pages and actions that
    are not about one object; an object out of scope is a 404 (get_scoped_or_404)."""
    scope = scope_for(user)
    if not any(scope.has(permission) for permission in permissions):
        raise PermissionDenied


def get_scoped_or_404(queryset: QuerySet | type[Model], user, permission: str, **lookup):
    try:
        return scoped(queryset, user, permission).get(**lookup)
    except (queryset if isinstance(queryset, type) else queryset.model).DoesNotExist:
        raise Http404 from None
    except (ValueError, TypeError):
        raise Http404 from None
