"""Writes to units, accounts, cadres, role grants and API tokens."""

import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core import prepared
from minqing.core.audit import audit_record
from minqing.core.identity import normalize_phone, validate_phone
from minqing.core.roles import ADMIN_ROLES, Role
from minqing.core.scope import forget_scope, scope_for

from .models import Account, ApiToken, Cadre, Grant, Unit


@transaction.atomic
def unit_create(
    *, actor, name: str, region, parent: Unit | None = None, kind: str = Unit.Kind.BODY, sort: int = 0
) -> Unit:
    unit = Unit.objects.create(name=name, region=region, parent=parent, kind=kind, sort=sort)
    unit.path = unit.compute_path()
    unit.save(update_fields=["path"])
    audit_record(action="unit.create", obj=unit, user=actor)
    return unit


@transaction.atomic
def account_create(
    *, actor, username: str, full_name: str, password: str | None, is_demo: bool = False
) -> Account:
    if Account.objects.filter(username=username).exists():
        raise ValidationError({"username": [_("This username is taken.")]})
    account = Account(
        username=username,
        full_name=full_name,
        is_demo=is_demo,
        # No default or shared passwords: whoever set it, its owner replaces it at first sign-in.
        must_change_password=not is_demo,
    )
    if password:
        account.set_password(password)
        account.password_changed_at = timezone.now()
    else:
        account.set_unusable_password()
    account.save()
    audit_record(action="account.create", obj=account, user=actor)
    return account


def _require(actor, permission: str) -> None:
    """Services called from pages check the power again; None is the server's own command line."""
    if actor is not None and not scope_for(actor).has(permission):
        raise PermissionDenied(_("You are not allowed to do this."))


def _refuse_admin_target(actor, account: Account) -> None:
    """An administrator's credentials are reset on the server's command line, never from a
    page: otherwise one administrator could take over another's powers."""
    if actor is not None and (account.pk == actor.pk or scope_for(account).is_admin):
        raise ValidationError(
            _(
                "The credentials of an administrator (or your own) are reset on the server with "
                "`minqing accounts`, not from this page."
            )
        )


def temporary_password() -> str:
    """16 random characters with every character class, to be replaced at first sign-in."""
    import secrets
    import string

    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(14))
        candidate = body[:7] + "-" + secrets.choice("23456789") + body[7:]
        if any(c.islower() for c in candidate) and any(c.isupper() for c in candidate):
            return candidate


@transaction.atomic
def account_password_reset(*, actor, account: Account) -> str:
    """Give the account a temporary password that must be changed at the next sign-in;
    return it (shown once)."""
    _require(actor, "accounts.manage")
    _refuse_admin_target(actor, account)
    password = temporary_password()
    account.set_password(password)
    account.must_change_password = True
    account.password_changed_at = timezone.now()
    account.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(action="account.password_reset", obj=account, user=actor)
    return password


@transaction.atomic
def account_otp_reset(*, actor, account: Account) -> int:
    """Remove the account's second factors; it enrols again at the next sign-in."""
    from django_otp import devices_for_user

    _require(actor, "accounts.manage")
    _refuse_admin_target(actor, account)
    removed = 0
    for device in list(devices_for_user(account, confirmed=None)):
        device.delete()
        removed += 1
    audit_record(action="account.otp_reset", obj=account, user=actor, detail={"devices": removed})
    return removed


@transaction.atomic
def account_set_active(*, actor, account: Account, active: bool, reason: str = "") -> Account:
    _require(actor, "accounts.manage")
    if actor is not None and account.pk == actor.pk:
        raise ValidationError(_("You cannot disable or enable your own account."))
    if account.is_active and not active:
        # As account_deactivate: a cadre who still has active pairings hands them over first.
        refusals = [message for guard in DEACTIVATION_GUARDS if (message := guard(account))]
        if refusals:
            raise ValidationError(refusals)
    if account.is_active != active:
        account.is_active = active
        account.save(update_fields=["is_active"])
        if not active:
            from django.contrib.sessions.models import Session

            _end_sessions(account, Session)
            # A departed cadre's or a lost phone's token must not come back with a later
            # re-enabling: the account gets new tokens then.
            account_tokens_revoke(actor=actor, account=account, reason="account.disable")
        audit_record(
            action="account.enable" if active else "account.disable",
            obj=account,
            user=actor,
            detail={"reason": reason} if reason else {},
        )
    return account


def _end_sessions(account: Account, session_model) -> None:
    """A disabled account's open sessions end at once (they are few: scan the live ones)."""
    for session in session_model.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(account.pk):
            session.delete()


@transaction.atomic
def cadre_create(
    *,
    actor,
    account: Account,
    unit: Unit,
    post: str = "",
    rank: str = Cadre.Rank.STAFF,
    is_party_member: bool = False,
    is_sanmen: bool = False,
    phone: str | None = None,
) -> Cadre:
    if phone:
        validate_phone(phone)
    cadre = Cadre(
        account=account,
        unit=unit,
        post=post,
        rank=rank,
        is_party_member=is_party_member,
        is_sanmen=is_sanmen,
        phone=normalize_phone(phone) if phone else None,
    )
    cadre.save()
    audit_record(action="cadre.create", obj=cadre, user=actor)
    return cadre


@transaction.atomic
def grant_set(
    *,
    actor,
    account: Account,
    role: str,
    regions=(),
    units=(),
    own_records: bool = False,
    can_unmask: bool = False,
) -> Grant:
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    _require(actor, "roles.manage")
    if actor is not None and account.pk == actor.pk:
        raise ValidationError(_("You cannot change your own roles."))
    if role in ADMIN_ROLES:
        # 三权分立: the system, security and audit administrators are three different people.
        other = Grant.objects.filter(account=account, role__in=ADMIN_ROLES).exclude(role=role).first()
        if other is not None:
            raise ValidationError(
                {
                    "role": [
                        _("%(account)s is already the %(held)s; no account may hold two administrator roles.")
                        % {"account": account, "held": other.get_role_display()}
                    ]
                }
            )
        if not Grant.objects.filter(account=account, role=role).exists() and not account.is_demo:
            # Administrators need a 12-character password: ask for one at the next sign-in.
            Account.objects.filter(pk=account.pk).update(must_change_password=True)
            account.must_change_password = True
    grant, created = Grant.objects.update_or_create(
        account=account, role=role, defaults={"own_records": own_records, "can_unmask": can_unmask}
    )
    grant.regions.set(regions)
    grant.units.set(units)
    forget_scope(account)
    audit_record(
        action="grant.set",
        obj=grant,
        user=actor,
        detail={
            "account": account.username,
            "role": role,
            "regions": [r.code for r in regions],
            "units": [u.pk for u in units],
            "own_records": own_records,
            "can_unmask": can_unmask,
            "created": created,
        },
    )
    return grant


# Other apps register checks that must pass before an account is disabled (a cadre with
# active pairings needs a handover first). Each returns "" or the reason to refuse.
DEACTIVATION_GUARDS: list = []


@transaction.atomic
def account_deactivate(*, actor, account: Account, reason: str) -> Account:
    refusals = [message for guard in DEACTIVATION_GUARDS if (message := guard(account))]
    if refusals:
        raise ValidationError(refusals)
    account.is_active = False
    account.save(update_fields=["is_active"])
    account_tokens_revoke(actor=actor, account=account, reason="account.deactivate")
    audit_record(action="account.deactivate", obj=account, user=actor, detail={"reason": reason})
    return account


@transaction.atomic
def grant_revoke(*, actor, account: Account, role: str) -> bool:
    _require(actor, "roles.manage")
    if actor is not None and account.pk == actor.pk:
        raise ValidationError(_("You cannot change your own roles."))
    deleted = Grant.objects.filter(account=account, role=role).delete()[0] > 0
    forget_scope(account)
    if deleted:
        audit_record(
            action="grant.revoke",
            user=actor,
            object_type="org.account",
            object_id=str(account.pk),
            object_repr=account.username,
            detail={"account": account.username, "role": role},
        )
    return deleted


@transaction.atomic
def token_create(*, actor, account: Account, name: str = "") -> str:
    """Create an API token and return it; only its digest is stored."""
    if not account.is_active:
        raise ValidationError(_("The account is disabled."))
    token = ApiToken.new_token()
    record = ApiToken.objects.create(
        account=account, name=name, prefix=token[:8], digest=ApiToken.digest_of(token)
    )
    audit_record(action="token.create", obj=record, user=actor, detail={"account": account.username})
    return token


def _token_revoke_audit(*, actor, token: ApiToken, reason: str) -> None:
    audit_record(
        action="token.revoke",
        obj=token,
        user=actor,
        detail={"account": token.account.username, "prefix": token.prefix, "reason": reason},
    )


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke one API token: the next API request with it is refused (authentication reads
    revoked_at on every request, nothing caches it)."""
    _require(actor, "accounts.manage")
    now = timezone.now()
    # One conditional UPDATE: of two administrators revoking at once, one revokes and the
    # other is told it is already revoked, on SQLite and PostgreSQL alike.
    if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        raise ValidationError(
            _("The API token %(id)s (%(prefix)s…) is already revoked.")
            % {"id": token.pk, "prefix": token.prefix}
        )
    token.revoked_at = now
    _token_revoke_audit(actor=actor, token=token, reason="")
    return token


@transaction.atomic
def account_tokens_revoke(*, actor, account: Account, reason: str) -> list[ApiToken]:
    """Revoke every live token of the account, one audit row each, and return them (an
    empty list when it had none: nothing is written). No power is checked here: its callers
    are the server's command line and the services that disable an account, which check
    their own. Called before their own audit row, so that the audit rows come last."""
    tokens = list(
        ApiToken.objects.select_for_update().filter(account=account, revoked_at__isnull=True).order_by("pk")
    )
    if not tokens:
        return []
    now = timezone.now()
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=now)
    for token in tokens:
        token.revoked_at, token.account = now, account
        _token_revoke_audit(actor=actor, token=token, reason=reason)
    return tokens


# Tokens whose last_used_at this process wrote, and when (time.monotonic): it is written
# at most once a minute per token and process, without reading it on every request.
_TOKEN_TOUCHED: dict[int, float] = {}


def token_authenticate(token: str) -> Account | None:
    """The active account of a live token, in one query compiled once (every API request
    runs it); None for an unknown, revoked or disabled one."""
    account = prepared.first(
        ("token_authenticate",),
        lambda digest: Account.objects.filter(
            tokens__digest=digest, tokens__revoked_at__isnull=True, is_active=True
        ).annotate(api_token_id=F("tokens__id")),
        ApiToken.digest_of(token),
    )
    if account is None:
        return None
    now = time.monotonic()
    touched = _TOKEN_TOUCHED.get(account.api_token_id)
    if touched is None or now - touched > 60:
        if len(_TOKEN_TOUCHED) > 10000:
            _TOKEN_TOUCHED.clear()
        _TOKEN_TOUCHED[account.api_token_id] = now
        ApiToken.objects.filter(pk=account.api_token_id).update(last_used_at=timezone.now())
    return account
