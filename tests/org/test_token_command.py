"""`minqing token list|revoke`: what the system administrator sees of API tokens, and a
revoked token refused by the very next API request."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from minqing.core.models import AuditEvent
from minqing.org import services
from minqing.org.models import Account, ApiToken
from minqing.org.services import token_create

API = "/api/v1/households"


def api_status(client, token: str) -> int:
    return client.get(API, HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def run(capsys, *args) -> str:
    capsys.readouterr()
    call_command("token", *args)
    return capsys.readouterr().out


def record_of(token: str) -> ApiToken:
    return ApiToken.objects.get(digest=ApiToken.digest_of(token))


def test_the_list_shows_each_token_with_its_account_name_dates_and_state_but_never_the_secret(
    db, client, capsys, monkeypatch
):
    # Token ids come again after a test's rollback (SQLite): forget the uses of earlier tests.
    monkeypatch.setattr(services, "_TOKEN_TOUCHED", {})
    token = token_create(actor=None, account=Account.objects.get(username="office"), name="手机")
    assert api_status(client, token) == 200
    with translation.override("en"):
        out = run(capsys, "list")
    record = record_of(token)
    line = next(line for line in out.splitlines() if line.startswith(f"{record.pk}\t"))
    assert "\toffice\t手机\t" in line and f"{token[:8]}…" in line and line.endswith("active")
    assert record.last_used_at is not None and record.last_used_at.strftime("%Y") in line
    assert token not in out and record.digest not in out
    assert out.splitlines()[0].split("\t") == [
        "ID",
        "Account",
        "Name",
        "Token",
        "Created",
        "Last used",
        "State",
    ]


def test_the_list_of_one_account_as_json(db, capsys):
    token_create(actor=None, account=Account.objects.get(username="office"), name="a")
    mine = token_create(actor=None, account=Account.objects.get(username="cadre"), name="b")
    rows = json.loads(run(capsys, "list", "--user", "cadre", "--json"))
    assert [row["account"] for row in rows] == ["cadre"] * len(rows)
    row = next(row for row in rows if row["id"] == record_of(mine).pk)
    assert row["name"] == "b" and row["prefix"] == mine[:8] and row["state"] == "active"
    assert row["last_used_at"] is None and row["revoked_at"] is None
    assert set(row) == {
        "id",
        "account",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
        "state",
    }


def test_revoking_a_token_refuses_the_next_api_request_and_is_audited(db, client, capsys):
    token = token_create(actor=None, account=Account.objects.get(username="office"), name="丢失的手机")
    other = token_create(actor=None, account=Account.objects.get(username="office"))
    record = record_of(token)
    assert api_status(client, token) == 200
    with translation.override("en"):
        out = run(capsys, "revoke", str(record.pk))
    assert f"Revoked the API token {record.pk} ({token[:8]}…) of office." in out
    assert api_status(client, token) == 401
    assert api_status(client, other) == 200
    event = AuditEvent.objects.get(action="token.revoke", object_id=str(record.pk))
    assert event.detail["account"] == "office" and event.detail["prefix"] == token[:8]
    with translation.override("en"):
        listed = run(capsys, "list", "--user", "office").splitlines()
    assert "\trevoked " in next(line for line in listed if line.startswith(f"{record.pk}\t"))


@pytest.mark.parametrize("given", ["999999999", "abc", "99999999999999999999999"])
def test_revoking_an_unknown_token_says_so_and_changes_nothing(db, given):
    events = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("token", "revoke", given)
    assert str(caught.value) == f"There is no API token {given}."
    assert caught.value.returncode != 0
    assert AuditEvent.objects.count() == events


def test_revoking_a_revoked_token_says_so_and_changes_nothing(db, capsys):
    token = token_create(actor=None, account=Account.objects.get(username="office"))
    record = record_of(token)
    run(capsys, "revoke", str(record.pk))
    revoked_at = record_of(token).revoked_at
    events = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("token", "revoke", str(record.pk))
    assert str(caught.value) == f"The API token {record.pk} ({token[:8]}…) is already revoked."
    assert caught.value.returncode != 0
    assert AuditEvent.objects.count() == events and record_of(token).revoked_at == revoked_at


def test_revoking_all_tokens_of_an_account_refuses_each_and_audits_each(db, client, capsys):
    cadre = Account.objects.get(username="cadre")
    tokens = [token_create(actor=None, account=cadre, name=f"t{i}") for i in range(3)]
    kept = token_create(actor=None, account=Account.objects.get(username="office"))
    assert all(api_status(client, t) == 200 for t in tokens)
    with translation.override("en"):
        out = run(capsys, "revoke", "--user", "cadre")
    assert "Revoked 3 API tokens of cadre" in out
    assert [api_status(client, t) for t in tokens] == [401, 401, 401]
    assert api_status(client, kept) == 200
    ids = {str(record_of(t).pk) for t in tokens}
    assert set(AuditEvent.objects.filter(action="token.revoke").values_list("object_id", flat=True)) >= ids
    events = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("token", "revoke", "--user", "cadre")
    assert str(caught.value) == "cadre has no API token that is not revoked."
    assert AuditEvent.objects.count() == events


def test_revoke_needs_an_id_or_an_account_and_an_account_must_exist(db):
    with pytest.raises(CommandError):
        call_command("token", "revoke")
    with translation.override("en"), pytest.raises(CommandError, match="There is no account nobody."):
        call_command("token", "revoke", "--user", "nobody")
    with translation.override("en"), pytest.raises(CommandError, match="There is no account nobody."):
        call_command("token", "list", "--user", "nobody")
