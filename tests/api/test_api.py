import re

from django.core.management import call_command

from minqing.org.models import ApiToken


def test_token_create_prints_only_the_token(db, capsys):
    call_command("token", "create", "office")
    out = capsys.readouterr().out.strip()
    assert re.fullmatch(r"mq_[A-Za-z0-9_-]{40,}", out)
    assert ApiToken.objects.get(digest=ApiToken.digest_of(out)).account.username == "office"


def test_the_token_reads_what_the_account_may_see(db, client, capsys):
    call_command("token", "create", "office_jinan")
    token = capsys.readouterr().out.strip()
    response = client.get("/api/v1/households", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["count"] > 0
    assert all(item["region"].startswith("350111") for item in response.json()["items"])


def test_the_openapi_document_describes_the_endpoints(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in [
        "/api/v1/households",
        "/api/v1/households/{household_id}",
        "/api/v1/members",
        "/api/v1/regions",
        "/api/v1/units",
        "/api/v1/cadres",
    ]:
        assert path in spec["paths"], path
    assert "BearerToken" in spec["components"]["securitySchemes"]


def test_a_bad_filter_gets_a_clear_422(db, client, capsys):
    call_command("token", "create", "office")
    token = capsys.readouterr().out.strip()
    response = client.get("/api/v1/households?hardship=7", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422


def test_healthz_answers_without_login(client, db):
    assert client.get("/healthz").json()["status"] == "ok"
