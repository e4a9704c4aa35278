"""三权分立: the system administrator manages accounts, the security administrator roles
and scopes, the audit administrator reads the audit trail; none holds two of these, none
sees residents' data, and reading the trail is itself audited."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from minqing.core.models import AuditEvent
from minqing.core.roles import Role
from minqing.geo.models import Region
from minqing.org.models import Account, Grant
from minqing.org.services import account_create, grant_set


@pytest.mark.parametrize(
    "held, wanted",
    [(Role.SYSADMIN, Role.SECADMIN), (Role.SECADMIN, Role.AUDITOR), (Role.AUDITOR, Role.SYSADMIN)],
)
def test_one_account_given_two_admin_powers_is_refused(db, actor, held, wanted):
    account = account_create(actor=None, username="twopowers", full_name="两权", password=None)
    grant_set(actor=None, account=account, role=held)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        grant_set(actor=actor("secadmin"), account=account, role=wanted)
    assert "不能同时" in " ".join(refused.value.messages)
    assert list(Grant.objects.filter(account=account).values_list("role", flat=True)) == [held]


def test_the_refusal_shows_on_the_roles_page(client_as, db):
    account = Account.objects.get(username="auditor")
    response = client_as("secadmin").post(f"/security/roles/{account.pk}/", {"role": "sysadmin"})
    assert response.status_code == 200
    assert "不能同时" in response.content.decode()
    assert not Grant.objects.filter(account=account, role="sysadmin").exists()


def test_the_security_administrator_grants_and_revokes_roles_with_scopes(client_as, db):
    account = account_create(actor=None, username="newcadre", full_name="新干部", password=None)
    secadmin = client_as("secadmin")
    response = secadmin.post(
        f"/security/roles/{account.pk}/",
        {"role": "inspector", "regions": "431123000000", "units": "", "can_unmask": "on"},
    )
    assert response.status_code == 302
    grant = Grant.objects.get(account=account, role="inspector")
    assert [r.code for r in grant.regions.all()] == ["431123000000"] and grant.can_unmask
    assert AuditEvent.objects.filter(
        action="grant.set", username="secadmin", detail__account="newcadre"
    ).exists()
    # Asked first: a POST without the confirmation changes nothing and shows the question.
    asked = secadmin.post(f"/security/roles/{account.pk}/revoke/", {"role": "inspector"})
    assert asked.status_code == 200 and Grant.objects.filter(account=account, role="inspector").exists()
    page = asked.content.decode()
    assert "尚未作任何更改" in page and 'name="confirm" value="inspector"' in page
    assert not AuditEvent.objects.filter(action="grant.revoke", detail__account="newcadre").exists()
    roles_page = secadmin.get(f"/security/roles/{account.pk}/").content.decode()
    assert '<details class="confirm" id="revoke-inspector">' in roles_page
    secadmin.post(f"/security/roles/{account.pk}/revoke/", {"role": "inspector", "confirm": "inspector"})
    assert not Grant.objects.filter(account=account).exists()
    assert AuditEvent.objects.filter(action="grant.revoke", detail__account="newcadre").exists()


def test_an_unknown_region_code_is_refused_on_the_roles_page(client_as, db):
    account = account_create(actor=None, username="newcadre", full_name="新干部", password=None)
    response = client_as("secadmin").post(
        f"/security/roles/{account.pk}/", {"role": "cadre", "regions": "999999999999"}
    )
    assert response.status_code == 200 and "999999999999" in response.content.decode()
    assert not Grant.objects.filter(account=account).exists()


def test_no_administrator_changes_their_own_roles(client_as, db, actor):
    secadmin = actor("secadmin")
    with pytest.raises(ValidationError):
        grant_set(
            actor=secadmin,
            account=secadmin,
            role=Role.OFFICE,
            regions=[Region.objects.get(code="431123000000")],
        )


def test_only_the_security_administrator_may_grant(db, actor):
    account = account_create(actor=None, username="someone", full_name="某人", password=None)
    from django.core.exceptions import PermissionDenied

    for name in ("sysadmin", "auditor", "office"):
        with pytest.raises(PermissionDenied):
            grant_set(actor=actor(name), account=account, role=Role.CADRE)


def test_the_system_administrator_creates_an_account_that_must_change_its_password(client_as, client, db):
    response = client_as("sysadmin").post(
        "/security/accounts/new/", {"username": "chenjing", "full_name": "陈静"}
    )
    assert response.status_code == 200
    password = re.search(r'id="temporary-password">([^<]+)<', response.content.decode()).group(1)
    account = Account.objects.get(username="chenjing")
    assert account.must_change_password and not account.is_demo
    client.post("/login/", {"username": "chenjing", "password": password})
    assert client.get("/")["Location"].startswith("/security/password/")


def test_a_reset_password_must_be_changed_and_is_audited(client_as, client, db):
    target = Account.objects.get(username="cadre")
    response = client_as("sysadmin").post(
        f"/security/accounts/{target.pk}/reset-password/", {"confirm": "cadre"}
    )
    password = re.search(r'id="temporary-password">([^<]+)<', response.content.decode()).group(1)
    client.post("/login/", {"username": "cadre", "password": password})
    target.refresh_from_db()
    assert target.must_change_password and client.get("/")["Location"].startswith("/security/password/")
    assert AuditEvent.objects.filter(action="account.password_reset", username="sysadmin").exists()


def test_an_administrators_credentials_are_not_reset_from_a_page(client_as, db):
    secadmin = Account.objects.get(username="secadmin")
    before = secadmin.password
    response = client_as("sysadmin").post(
        f"/security/accounts/{secadmin.pk}/reset-password/", {"confirm": "secadmin"}, follow=True
    )
    secadmin.refresh_from_db()
    assert secadmin.password == before
    assert "minqing accounts" in response.content.decode()


def test_disabling_an_account_ends_its_sessions(client_as, db):
    from minqing.programs.services import active_pairings_guard

    # An account without active pairings (a cadre with some hands them over first).
    name = next(
        n
        for n in ("office", "leader", "inspector", "village", "unit")
        if not active_pairings_guard(Account.objects.get(username=n))
    )
    office = client_as(name)
    assert office.get("/").status_code == 200
    target = Account.objects.get(username=name)
    client_as("sysadmin").post(f"/security/accounts/{target.pk}/disable/", {"confirm": name})
    assert office.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="account.disable", object_id=str(target.pk)).exists()


def test_the_audit_trail_is_read_by_the_auditor_only_filtered_paginated_and_the_read_audited(client_as, db):
    for name in ("sysadmin", "secadmin", "office", "leader"):
        assert client_as(name).get("/security/audit/").status_code == 403
    auditor = client_as("auditor")
    response = auditor.get("/security/audit/?user=office&action=auth.&date_from=2020-01-01")
    assert response.status_code == 200
    page = response.content.decode()
    rows = re.findall(r"<code>([a-z_.]+)</code>", page)
    assert rows and all(r.startswith("auth.") for r in rows)
    read = AuditEvent.objects.filter(action="audit.read", username="auditor").latest("id")
    assert read.detail["user"] == "office" and read.detail["action"] == "auth."
    assert auditor.get("/security/audit/?page=2").status_code == 200


def test_the_administrators_see_no_residents_data(client_as, db):
    for name in ("sysadmin", "secadmin", "auditor"):
        client = client_as(name)
        assert client.get("/people/households/").status_code == 403
        assert client.get("/exports/households.xlsx").status_code == 403


def test_the_auditor_reaches_nothing_but_the_trail(client_as, db):
    auditor = client_as("auditor")
    for path in ("/org/cadres/", "/org/units/", "/geo/regions/", "/security/accounts/", "/security/roles/"):
        assert auditor.get(path).status_code == 403, path


def test_a_cadre_with_active_pairings_is_not_disabled_from_the_accounts_page(client_as, db):
    from django.utils import timezone

    from minqing.programs.models import Pairing

    today = timezone.localdate()
    paired = Pairing.objects.active_on(today).select_related("cadre__account").first()
    assert paired is not None
    target = paired.cadre.account
    owner = client_as(target.username)
    assert owner.get("/").status_code == 200
    events = AuditEvent.objects.filter(action="account.disable", object_id=str(target.pk)).count()
    response = client_as("sysadmin").post(
        f"/security/accounts/{target.pk}/disable/", {"confirm": target.username}, follow=True
    )
    target.refresh_from_db()
    assert target.is_active and owner.get("/").status_code == 200
    assert "项未解除的结对，请先移交给接任干部" in response.content.decode()
    assert AuditEvent.objects.filter(action="account.disable", object_id=str(target.pk)).count() == events
    # Once the pairings are handed over (ended here), the account can be disabled.
    Pairing.objects.filter(cadre__account=target).update(end=today - dt.timedelta(days=1))
    client_as("sysadmin").post(f"/security/accounts/{target.pk}/disable/", {"confirm": target.username})
    target.refresh_from_db()
    assert not target.is_active
