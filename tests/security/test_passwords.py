"""The password policy: length by role, three of four classes, no username, not common,
not one of the last five; a new account changes its password at first sign-in (demo
accounts excepted); administrators change theirs every 90 days."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from minqing.core.roles import Role
from minqing.org.services import account_create, grant_set
from minqing.security.services import password_change

GOOD = "Tongmu-Village-2026"


def new_account(username="liming", password="Start-Pass-91x", role=None):
    account = account_create(actor=None, username=username, full_name="李明", password=password)
    if role:
        grant_set(actor=None, account=account, role=role)
    return account


def refusal(password, user) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user=user)
    return [e.code for e in caught.value.error_list]


def test_a_password_needs_eight_characters_and_three_classes_of_four(db):
    user = new_account()
    assert "password_too_short" in refusal("Ab1-x", user)
    assert "password_too_simple" in refusal("lowercaseonly", user)
    assert "password_too_simple" in refusal("lowercase123", user)
    validate_password("Lowercase123", user=user)  # lower, upper, digits
    validate_password("lower-case-12", user=user)  # lower, digits, other


def test_an_administrator_needs_twelve_characters(db):
    admin = new_account(username="sysop", role=Role.SYSADMIN)
    assert "password_too_short" in refusal("Abc-12345", admin)
    validate_password("Abcdef-123456", user=admin)


def test_a_password_may_not_contain_the_username(db):
    user = new_account(username="wangfang")
    assert "password_contains_username" in refusal("x-WangFang-2026", user)


def test_a_common_password_is_refused(db):
    assert "password_too_common" in refusal("Password123", new_account())


def test_the_last_five_passwords_are_not_reused(db):
    user = new_account(password="Start-Pass-91x")
    passwords = ["Second-Pass-92", "Third-Pass-93", "Fourth-Pass-94", "Fifth-Pass-95", "Sixth-Pass-96"]
    current = "Start-Pass-91x"
    for new in passwords[:4]:
        password_change(actor=user, account=user, old_password=current, new_password=new)
        current = new
    # The last five: Start, Second, Third, Fourth and Fifth (current) — all refused.
    with translation.override("en"), pytest.raises(ValidationError, match="last 5"):
        password_change(actor=user, account=user, old_password=current, new_password="Start-Pass-91x")
    password_change(actor=user, account=user, old_password=current, new_password=passwords[4])
    # Now Start is six passwords back and may return.
    password_change(actor=user, account=user, old_password=passwords[4], new_password="Start-Pass-91x")


def test_a_new_account_changes_its_password_at_first_sign_in(client, db):
    new_account(username="zhaolei", password="Given-By-Admin-7")
    client.post("/login/", {"username": "zhaolei", "password": "Given-By-Admin-7"})
    response = client.get("/people/households/")
    assert response.status_code == 302 and response["Location"].startswith("/security/password/")
    response = client.post(
        "/security/password/",
        {
            "old_password": "Given-By-Admin-7",
            "new_password": GOOD,
            "new_password_again": GOOD,
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_weak_new_password_is_refused_with_a_translated_message(client, db):
    new_account(username="zhaolei", password="Given-By-Admin-7")
    client.post("/login/", {"username": "zhaolei", "password": "Given-By-Admin-7"})
    response = client.post(
        "/security/password/",
        {"old_password": "Given-By-Admin-7", "new_password": "abc", "new_password_again": "abc"},
    )
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    assert client.get("/").status_code == 302


def test_demo_accounts_need_no_first_sign_in_change(client_as, db):
    assert client_as("office").get("/").status_code == 200
    assert client_as("sysadmin").get("/security/accounts/").status_code == 200


def test_an_administrator_password_expires_after_90_days(client, clock, db):
    from minqing.security.passwords import password_change_required

    admin = new_account(username="secop", password="Start-Pass-91x-long", role=Role.SECADMIN)
    password_change(
        actor=admin, account=admin, old_password="Start-Pass-91x-long", new_password="Sec-Admin-2026-long"
    )
    admin.refresh_from_db()
    assert not password_change_required(admin)
    clock.advance(days=91)
    assert password_change_required(admin)
    cadre = new_account(username="zhangwei", password="Start-Pass-91x")
    password_change(
        actor=cadre, account=cadre, old_password="Start-Pass-91x", new_password="Plain-Cadre-2026"
    )
    cadre.refresh_from_db()
    assert not password_change_required(cadre)  # only administrators expire


def test_the_password_hasher_is_argon2(db):
    assert new_account().password.startswith("argon2")
