"""Data scope: default deny, union of grants, and the own-records rule."""

from minqing.core.roles import Role
from minqing.core.scope import scoped
from minqing.geo.models import Region
from minqing.org.models import Cadre, Unit
from minqing.org.services import account_create, grant_set
from minqing.people.models import Household


def test_an_account_without_a_grant_sees_nothing(db):
    nobody = account_create(actor=None, username="nobody", full_name="无权限", password=None)
    assert not scoped(Household, nobody, "people.view").exists()
    assert not scoped(Unit, nobody, "org.view").exists()
    assert not scoped(Region, nobody, "geo.view").exists()


def test_grants_combine_by_union(db):
    account = account_create(actor=None, username="twohats", full_name="两顶帽子", password=None)
    village_a = Household.objects.filter(region__code__startswith="431123").first().region.parent
    village_b = Household.objects.filter(region__code__startswith="350111").first().region.parent
    grant_set(actor=None, account=account, role=Role.VILLAGE, regions=[village_a])
    only_a = set(scoped(Household, account, "people.view").values_list("region__parent_id", flat=True))
    assert only_a == {village_a.code}
    grant_set(actor=None, account=account, role=Role.INSPECTOR, regions=[village_b])
    both = set(scoped(Household, account, "people.view").values_list("region__parent_id", flat=True))
    assert both == {village_a.code, village_b.code}


def test_a_permission_from_one_grant_does_not_widen_another_grants_scope(db):
    account = account_create(actor=None, username="mixed", full_name="混合", password=None)
    county = Region.objects.get(code="431123000000")
    grant_set(actor=None, account=account, role=Role.HANDLING_UNIT, regions=[county])  # no people.view
    grant_set(actor=None, account=account, role=Role.CADRE, own_records=True)  # people.view, own only
    assert not scoped(Household, account, "people.view").exists()


def test_a_cadre_with_own_records_sees_their_own_cadre_record_only(db, actor):
    cadre = actor("cadre")
    assert list(scoped(Cadre, cadre, "org.view")) == [Cadre.objects.get(account=cadre)]


def test_unit_scope_reaches_the_unit_and_its_sections(db, actor):
    body = Unit.objects.filter(children__isnull=False).first()
    account = account_create(actor=None, username="bodyhead", full_name="局领导", password=None)
    grant_set(actor=None, account=account, role=Role.HANDLING_UNIT, units=[body])
    seen = set(scoped(Unit, account, "org.view"))
    assert seen == {body, *body.children.all()}


def test_grant_changes_are_audited(db):
    from minqing.core.models import AuditEvent

    account = account_create(actor=None, username="audited", full_name="审计", password=None)
    grant_set(actor=None, account=account, role=Role.CADRE, own_records=True)
    event = AuditEvent.objects.filter(action="grant.set").latest("id")
    assert event.detail["account"] == "audited" and event.detail["role"] == "cadre"


def test_deleting_a_region_or_unit_named_by_a_grant_renews_the_accounts_scope_key(db):
    """Their grant links go by cascade (no m2m signal): a scope cached under the old key must not
    keep reaching a subtree the account no longer holds."""
    from minqing.core.scope import scope_for
    from minqing.org.models import Account

    account = account_create(actor=None, username="reach", full_name="范围", password=None)
    county = Region.objects.get(code="431123000000")
    spare = Region.objects.create(code="431123999000", name="撤并乡", level=county.level + 1, parent=county)
    unit = Unit.objects.create(name="临时工作组", region=county)
    unit.path = unit.compute_path()
    unit.save()
    grant_set(actor=None, account=account, role=Role.INSPECTOR, regions=[spare], units=[unit])
    account = Account.objects.get(pk=account.pk)
    before = account.scope_key
    assert scope_for(account).region_prefixes("people.view") == (spare.prefix,)
    spare.delete()
    after_region = Account.objects.get(pk=account.pk)
    assert after_region.scope_key != before
    assert scope_for(after_region).region_prefixes("people.view") == ()
    unit.delete()
    after_unit = Account.objects.get(pk=account.pk)
    assert after_unit.scope_key != after_region.scope_key
    assert scope_for(after_unit).grants[0].unit_paths == ()


def test_the_scope_key_is_renewed_again_after_the_deleting_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    """A request between the renewal and the commit could cache the scope with the link still
    there under the new key: the key is renewed once more when the deletion commits."""
    from minqing.org.models import Account

    account = account_create(actor=None, username="reach2", full_name="范围二", password=None)
    county = Region.objects.get(code="431123000000")
    spare = Region.objects.create(code="431123998000", name="撤并乡二", level=county.level + 1, parent=county)
    grant_set(actor=None, account=account, role=Role.INSPECTOR, regions=[spare])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        spare.delete()
    during = Account.objects.get(pk=account.pk).scope_key
    assert len(callbacks) == 1
    callbacks[0]()
    assert Account.objects.get(pk=account.pk).scope_key != during
