"""The system administrator's account page lists the account's API tokens and revokes
them, after asking as the accounts page asks; disabling an account revokes its tokens.
Another county's administrator neither sees nor revokes them."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from minqing.core.models import AuditEvent
from minqing.core.roles import Role
from minqing.geo.models import Region
from minqing.org.models import Account, ApiToken
from minqing.org.services import (
    account_create,
    account_deactivate,
    account_set_active,
    grant_set,
    token_create,
)

API = "/api/v1/regions"


def api_status(token: str) -> int:
    return Client().get(API, HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def record_of(token: str) -> ApiToken:
    return ApiToken.objects.get(digest=ApiToken.digest_of(token))


def page(pk: int) -> str:
    return f"/security/accounts/{pk}/"


def revoke_url(token: str) -> str:
    record = record_of(token)
    return f"/security/accounts/{record.account_id}/tokens/{record.pk}/revoke/"


def confirmed(token: str) -> dict:
    """What the confirming button sends: the token's prefix, as the page shows it."""
    return {"confirm": token[:8]}


def without_pairings(*names) -> list[Account]:
    """Accounts that may be disabled at once (a cadre with active pairings hands them over first)."""
    from minqing.programs.services import active_pairings_guard

    accounts = [Account.objects.get(username=n) for n in names]
    return [a for a in accounts if not active_pairings_guard(a)]


@pytest.fixture
def jinan_sysadmin(db):
    """A system administrator of another county (晋安区, Fujian) only."""
    account = account_create(
        actor=None, username="sysadmin_jinan", full_name="晋安系统管理员", password=None, is_demo=True
    )
    grant_set(actor=None, account=account, role=Role.SYSADMIN, regions=[Region.objects.get(name="晋安区")])
    return account


def test_the_account_page_lists_its_tokens_without_their_secrets(client_as, db):
    cadre = Account.objects.get(username="cadre")
    token = token_create(actor=None, account=cadre, name="张三的手机")
    assert api_status(token) == 200
    with translation.override("en"):
        response = client_as("sysadmin").get(page(cadre.pk), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "张三的手机" in html and f"{token[:8]}…" in html and revoke_url(token) in html
    assert token not in html and record_of(token).digest not in html
    list_html = client_as("sysadmin").get("/security/accounts/?q=cadre").content.decode()
    assert f'href="{page(cadre.pk)}"' in list_html


def test_the_account_page_takes_as_many_queries_with_many_tokens_as_with_one(client_as, db):
    cadre = Account.objects.get(username="cadre")
    sysadmin = client_as("sysadmin")
    token_create(actor=None, account=cadre)
    sysadmin.get(page(cadre.pk))
    with CaptureQueriesContext(connection) as one:
        sysadmin.get(page(cadre.pk))
    for i in range(5):
        token_create(actor=None, account=cadre, name=str(i))
    with CaptureQueriesContext(connection) as six:
        sysadmin.get(page(cadre.pk))
    assert len(six) == len(one)


def test_the_system_administrator_revokes_a_token_from_the_page(client_as, db):
    cadre = Account.objects.get(username="cadre")
    token = token_create(actor=None, account=cadre, name="丢失的手机")
    kept = token_create(actor=None, account=cadre, name="新手机")
    assert api_status(token) == 200
    sysadmin = client_as("sysadmin")
    with translation.override("en"):
        response = sysadmin.post(revoke_url(token), confirmed(token), HTTP_ACCEPT_LANGUAGE="en")
        said = [str(m) for m in get_messages(response.wsgi_request)]
    assert response.status_code == 302 and response["Location"] == page(cadre.pk)
    assert said == [f"The API token {token[:8]}… of {cadre} was revoked: it no longer opens the API."]
    assert api_status(token) == 401 and api_status(kept) == 200
    event = AuditEvent.objects.get(action="token.revoke", object_id=str(record_of(token).pk))
    assert event.username == "sysadmin" and event.detail["account"] == "cadre"
    html = sysadmin.get(page(cadre.pk)).content.decode()
    assert revoke_url(token) not in html and revoke_url(kept) in html


def test_revoking_a_revoked_token_from_the_page_says_so_and_changes_nothing(client_as, db):
    token = token_create(actor=None, account=Account.objects.get(username="cadre"))
    sysadmin = client_as("sysadmin")
    sysadmin.post(revoke_url(token), confirmed(token))
    events = AuditEvent.objects.filter(action="token.revoke").count()
    with translation.override("en"):
        response = sysadmin.post(revoke_url(token), confirmed(token), HTTP_ACCEPT_LANGUAGE="en")
        said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said[-1] == f"The API token {record_of(token).pk} ({token[:8]}…) is already revoked."
    assert AuditEvent.objects.filter(action="token.revoke").count() == events


def test_revoking_needs_a_post_with_its_csrf_token(db):
    cadre = Account.objects.get(username="cadre")
    token = token_create(actor=None, account=cadre)
    client = Client(enforce_csrf_checks=True)
    client.force_login(Account.objects.get(username="sysadmin"))
    assert client.get(revoke_url(token)).status_code == 405
    assert client.post(revoke_url(token), confirmed(token)).status_code == 403
    assert api_status(token) == 200


def test_the_account_page_asks_before_revoking_a_token_naming_it(client_as, db):
    cadre = Account.objects.get(username="cadre")
    token = token_create(actor=None, account=cadre, name="丢失的手机")
    with translation.override("en"):
        html = client_as("sysadmin").get(page(cadre.pk), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    block = re.search(
        rf'<details class="confirm" id="revoke-{record_of(token).pk}">(.*?)</details>', html, re.S
    )
    assert block, "revoking is not behind a confirmation"
    form = block.group(1)
    assert f'action="{revoke_url(token)}"' in form and 'method="post"' in form
    assert "csrfmiddlewaretoken" in form and f'name="confirm" value="{token[:8]}"' in form
    # The explanation names the token and its account; the confirming button names the token.
    assert f"{token[:8]}…" in form and f"{cadre} (cadre)" in form
    assert re.search(rf"<button[^>]*>[^<]*{token[:8]}…[^<]*</button>", form)
    # No one-click form is left outside the confirmation.
    assert revoke_url(token) not in re.sub(r"<details.*?</details>", "", html, flags=re.S)


@pytest.mark.parametrize("sent", [{}, {"confirm": ""}, {"confirm": "cadre"}, {"confirm": "someother"}])
def test_an_unconfirmed_revoke_changes_nothing_and_shows_the_question(client_as, db, sent):
    cadre = Account.objects.get(username="cadre")
    token = token_create(actor=None, account=cadre)
    response = client_as("sysadmin").post(revoke_url(token), sent)
    assert response.status_code == 200
    html = response.content.decode()
    assert "尚未作任何更改" in html
    assert f'action="{revoke_url(token)}"' in html and f'name="confirm" value="{token[:8]}"' in html
    assert api_status(token) == 200 and record_of(token).revoked_at is None
    assert not AuditEvent.objects.filter(action="token.revoke").exists()


@pytest.mark.parametrize("role", ["secadmin", "auditor", "office", "cadre"])
def test_only_the_system_administrator_sees_and_revokes_tokens(client_as, db, role):
    cadre = Account.objects.get(username="cadre")
    token = token_create(actor=None, account=cadre)
    client = client_as(role)
    assert client.get(page(cadre.pk)).status_code == 403
    assert client.post(revoke_url(token), confirmed(token)).status_code == 403
    assert api_status(token) == 200
    assert not AuditEvent.objects.filter(action="token.revoke").exists()


def test_another_countys_administrator_neither_sees_nor_revokes_the_tokens(client_as, db, jinan_sysadmin):
    cadre = Account.objects.get(username="cadre")  # a cadre of 双牌县, Hunan
    token = token_create(actor=None, account=cadre)
    jinan = client_as("sysadmin_jinan")
    assert jinan.get(page(cadre.pk)).status_code == 404
    assert jinan.post(revoke_url(token), confirmed(token)).status_code == 404
    assert jinan.post(f"/security/accounts/{cadre.pk}/disable/", {"confirm": "cadre"}).status_code == 404
    listed = jinan.get("/security/accounts/").content.decode()
    assert ">cadre<" not in listed and ">office_jinan<" in listed
    assert api_status(token) == 200 and Account.objects.get(pk=cadre.pk).is_active
    assert not AuditEvent.objects.filter(action="token.revoke").exists()
    # A token of the own county is theirs to revoke.
    own = token_create(actor=None, account=Account.objects.get(username="office_jinan"))
    assert jinan.get(page(record_of(own).account_id)).status_code == 200
    assert jinan.post(revoke_url(own), confirmed(own)).status_code == 302
    assert api_status(own) == 401


def test_disabling_an_account_revokes_its_tokens_for_good(client_as, db):
    office = without_pairings("office", "leader", "inspector", "village", "unit")[0]
    tokens = [token_create(actor=None, account=office, name=n) for n in ("a", "b")]
    assert [api_status(t) for t in tokens] == [200, 200]
    sysadmin = client_as("sysadmin")
    sysadmin.post(f"/security/accounts/{office.pk}/disable/", {"confirm": office.username})
    assert [api_status(t) for t in tokens] == [401, 401]
    events = AuditEvent.objects.filter(action="token.revoke", detail__reason="account.disable")
    assert {e.object_id for e in events} == {str(record_of(t).pk) for t in tokens}
    assert all(e.username == "sysadmin" for e in events)
    # Enabled again, the account needs new tokens: the old ones stay revoked.
    sysadmin.post(f"/security/accounts/{office.pk}/enable/")
    assert [api_status(t) for t in tokens] == [401, 401]
    assert api_status(token_create(actor=None, account=office)) == 200


def test_the_other_ways_of_disabling_revoke_the_tokens_too(db, capsys):
    first, second = without_pairings("office", "leader", "inspector", "village", "unit")[:2]
    by_service = token_create(actor=None, account=first)
    by_idle = token_create(actor=None, account=second)
    account_deactivate(actor=None, account=first, reason="退休")
    assert api_status(by_service) == 401 and record_of(by_service).revoked_at is not None
    now = timezone.now()
    ApiToken.objects.filter(pk=record_of(by_idle).pk).update(last_used_at=now - dt.timedelta(days=100))
    Account.objects.filter(pk=second.pk).update(
        last_login=now - dt.timedelta(days=100), date_joined=now - dt.timedelta(days=200)
    )
    call_command("accounts", "disable-idle")
    assert api_status(by_idle) == 401 and record_of(by_idle).revoked_at is not None


def test_a_token_of_a_disabled_account_is_refused_even_if_not_revoked(db):
    # As an account disabled before tokens were revoked with it, or by hand in the database.
    cadre = Account.objects.get(username="cadre")
    token = token_create(actor=None, account=cadre)
    assert api_status(token) == 200
    Account.objects.filter(pk=cadre.pk).update(is_active=False)
    assert api_status(token) == 401
    assert record_of(token).state == "account_disabled"


def test_disabling_an_account_with_no_token_writes_no_token_event(db):
    account = account_create(actor=None, username="tmp_cadre", full_name="临时", password=None)
    account_set_active(actor=None, account=account, active=False)
    assert not AuditEvent.objects.filter(action="token.revoke").exists()
