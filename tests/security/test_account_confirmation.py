"""The system administrator's destructive acts on an account (reset the password, remove the
second factor, disable) ask once more, naming the account and what will happen, before they
act (found by a new-user tester, F20): a POST that does not repeat the account's username
shows that question and changes nothing; the confirmed one acts, audited, as before."""

import re

import pytest
from django.test import Client

from minqing.core.models import AuditEvent
from minqing.org.models import Account
from minqing.programs.services import active_pairings_guard

ACTS = {
    "reset": "reset-password",
    "otp-reset": "reset-two-factor",
    "disable": "disable",
}


def _free_account() -> Account:
    """An account without active pairings: one that can be disabled at once."""
    return next(
        a
        for a in Account.objects.filter(username__in=("office", "leader", "inspector", "village", "unit"))
        if not active_pairings_guard(a)
    )


def _with_second_factor(account: Account):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=account, name="phone", confirmed=True)


@pytest.mark.django_db
def test_the_accounts_page_asks_before_each_destructive_act_naming_the_account(client_as):
    target = _free_account()
    _with_second_factor(target)
    html = client_as("sysadmin").get(f"/security/accounts/?q={target.username}").content.decode()
    for act, path in ACTS.items():
        block = re.search(rf'<details class="confirm" id="{act}-{target.pk}">(.*?)</details>', html, re.S)
        assert block, f"{act} is not behind a confirmation"
        form = block.group(1)
        assert f'action="/security/accounts/{target.pk}/{path}/"' in form
        assert 'method="post"' in form and "csrfmiddlewaretoken" in form
        assert f'name="confirm" value="{target.username}"' in form
        # The explanation and the confirming button both name the account.
        assert f"{target}（{target.username}）" in form  # the Chinese page: full-width brackets
        assert re.search(rf"<button[^>]*>[^<]*{re.escape(str(target))}[^<]*</button>", form)
    # No one-click form is left outside a confirmation.
    outside = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    for path in ACTS.values():
        assert f"/{path}/" not in outside


@pytest.mark.django_db
@pytest.mark.parametrize("sent", [{}, {"confirm": ""}, {"confirm": "someone-else"}])
def test_an_unconfirmed_reset_or_disable_changes_nothing_and_shows_the_question(client_as, sent):
    target = _free_account()
    device = _with_second_factor(target)
    acts = AuditEvent.objects.filter(object_id=str(target.pk), action__startswith="account.")
    password, events = target.password, acts.count()
    owner = client_as(target.username, verified=True)
    sysadmin = client_as("sysadmin")
    for path in ACTS.values():
        response = sysadmin.post(f"/security/accounts/{target.pk}/{path}/", sent)
        assert response.status_code == 200
        page = response.content.decode()
        assert 'id="temporary-password"' not in page
        # The question: which account, what will happen, and the button that confirms.
        assert f"{target}（{target.username}）" in page
        assert f'name="confirm" value="{target.username}"' in page
        assert f'action="/security/accounts/{target.pk}/{path}/"' in page
    target.refresh_from_db()
    assert target.password == password and target.is_active
    assert type(device).objects.filter(pk=device.pk).exists()
    assert owner.get("/").status_code == 200  # the owner's session goes on
    assert acts.count() == events


@pytest.mark.django_db
def test_the_confirmed_acts_are_done_and_audited(client_as):
    target = _free_account()
    device = _with_second_factor(target)
    sysadmin = client_as("sysadmin")
    confirm = {"confirm": target.username}

    page = sysadmin.post(f"/security/accounts/{target.pk}/reset-password/", confirm).content.decode()
    assert re.search(r'id="temporary-password">[^<]+<', page)
    assert sysadmin.post(f"/security/accounts/{target.pk}/reset-two-factor/", confirm).status_code == 302
    assert not type(device).objects.filter(pk=device.pk).exists()
    assert sysadmin.post(f"/security/accounts/{target.pk}/disable/", confirm).status_code == 302
    target.refresh_from_db()
    assert target.must_change_password and not target.is_active
    done = set(AuditEvent.objects.filter(object_id=str(target.pk)).values_list("action", flat=True))
    assert {"account.password_reset", "account.otp_reset", "account.disable"} <= done


@pytest.mark.django_db
def test_a_confirmed_act_without_the_csrf_token_is_refused(db):
    target = _free_account()
    client = Client(enforce_csrf_checks=True)
    client.force_login(Account.objects.get(username="sysadmin"))
    password = target.password
    for path in ACTS.values():
        response = client.post(f"/security/accounts/{target.pk}/{path}/", {"confirm": target.username})
        assert response.status_code == 403
    target.refresh_from_db()
    assert target.password == password and target.is_active


@pytest.mark.django_db
def test_no_one_but_the_system_administrator_reaches_the_question(client_as):
    target = _free_account()
    for name in ("secadmin", "auditor", "office"):
        response = client_as(name).post(f"/security/accounts/{target.pk}/disable/")
        assert response.status_code == 403, name
    assert client_as("sysadmin").post("/security/accounts/999999/disable/").status_code == 404
