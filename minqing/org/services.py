"""Writes to units, accounts, cadres, role grants and API tokens."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core.audit import audit_record
from minqing.core.identity import normalize_phone, validate_phone
from minqing.core.roles import Role
from minqing.core.scope import forget_scope

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
    account = Account(username=username, full_name=full_name, is_demo=is_demo)
    if password:
        account.set_password(password)
    else:
        account.set_unusable_password()
    account.save()
    audit_record(action="account.create", obj=account, user=actor)
    return account


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
    account.tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(action="account.deactivate", obj=account, user=actor, detail={"reason": reason})
    return account


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


def token_authenticate(token: str) -> Account | None:
    record = (
        ApiToken.objects.select_related("account")
        .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True, account__is_active=True)
        .first()
    )
    if record is None:
        return None
    now = timezone.now()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.account
