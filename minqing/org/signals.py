"""A change of an account's grants gives the account a new scope key, so that the scopes
cached under the old key (core.scope) are no longer used, on any server."""

import uuid

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from minqing.geo.models import Region

from .models import Account, Grant, Unit


def renew_scope_key(account_id: int, instance=None) -> None:
    key = uuid.uuid4()
    Account.objects.filter(pk=account_id).update(scope_key=key)
    account = instance._state.fields_cache.get("account") if instance is not None else None
    if account is not None:
        account.scope_key = key
        account.__dict__.pop("_minqing_scope", None)


@receiver(post_save, sender=Grant)
@receiver(post_delete, sender=Grant)
def grant_changed(sender, instance, **kwargs):
    renew_scope_key(instance.account_id, instance)


@receiver(m2m_changed, sender=Grant.regions.through)
@receiver(m2m_changed, sender=Grant.units.through)
def grant_reach_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:
        renew_scope_key(instance.account_id, instance)
    else:  # region.grant_set.add(...): the grants are named by pk_set (None on clear)
        grants = Grant.objects.filter(pk__in=pk_set) if pk_set else Grant.objects.none()
        if action == "post_clear":
            grants = Grant.objects.all()
        for account_id in set(grants.values_list("account_id", flat=True)):
            renew_scope_key(account_id)


@receiver(pre_delete, sender=Region)
@receiver(pre_delete, sender=Unit)
def reach_deleted(sender, instance, **kwargs):
    """A region or unit named by grants goes: their links go with it by cascade, which sends
    no m2m signal, so the accounts get new scope keys here — now and again after the commit
    (a request between the two could otherwise cache the scope with the link still there)."""
    field = "regions" if sender is Region else "units"
    accounts = set(Grant.objects.filter(**{field: instance}).values_list("account_id", flat=True))
    if not accounts:
        return

    def renew():
        for account_id in accounts:
            renew_scope_key(account_id)

    renew()
    transaction.on_commit(renew)
