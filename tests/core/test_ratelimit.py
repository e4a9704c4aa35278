"""Rate limits: 429 with Retry-After once over the limit, for the API (per token), for
exports (per user per day), and for any view through the reusable limiter (public
intake per IP and per phone)."""

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from minqing.core import ratelimit
from minqing.core.ratelimit import Rate, RateLimited, hit, parse_rate, rate_limit
from minqing.org.models import Account
from minqing.org.services import token_create


@pytest.fixture
def frozen(monkeypatch):
    """The limiter's clock, fixed at the start of a window (so no test straddles two)."""
    now = {"t": 1_800_000_000.0}
    monkeypatch.setattr(ratelimit, "_now", lambda: now["t"])
    return now


def test_rates_are_read_from_settings_text():
    assert parse_rate("60/minute") == Rate(60, 60)
    assert parse_rate("20/day") == Rate(20, 86400)
    assert parse_rate("10/5minutes") == Rate(10, 300)
    with pytest.raises(ValueError):
        parse_rate("lots")


def test_the_api_answers_429_with_retry_after_after_60_requests_a_minute(client, db, frozen):
    assert settings.API_RATE == "60/minute"
    token = token_create(actor=None, account=Account.objects.get(username="office"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    statuses = [client.get("/api/v1/regions", **auth).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    response = client.get("/api/v1/regions", **auth)
    assert response.status_code == 429 and response["Retry-After"] == "61"
    # Another token of the same account has its own budget; the next minute starts afresh.
    other = token_create(actor=None, account=Account.objects.get(username="office"))
    assert client.get("/api/v1/regions", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200
    frozen["t"] += 60
    assert client.get("/api/v1/regions", **auth).status_code == 200


@override_settings(EXPORT_RATE="2/day")
def test_exports_per_user_per_day_answer_429(client_as, db, frozen):
    office = client_as("office")
    assert [office.get("/exports/households.xlsx").status_code for _ in range(3)] == [200, 200, 429]
    response = office.get("/exports/households.xlsx")
    assert int(response["Retry-After"]) > 0
    assert client_as("office_jinan").get("/exports/households.xlsx").status_code == 200


def test_the_reusable_limiter_keys_by_ip_or_by_phone(db, frozen):
    @rate_limit("intake-ip", "2/hour")
    def intake(request):
        return HttpResponse("ok")

    factory = RequestFactory()
    answers = [intake(factory.post("/intake", REMOTE_ADDR="10.0.0.1")).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    assert intake(factory.post("/intake", REMOTE_ADDR="10.0.0.2")).status_code == 200

    @rate_limit("intake-phone", lambda: "1/day", key=lambda request: request.POST.get("phone", ""))
    def by_phone(request):
        return HttpResponse("ok")

    first = by_phone(factory.post("/intake", {"phone": "13800000000"}))
    second = by_phone(factory.post("/intake", {"phone": "13800000000"}))
    assert (first.status_code, second.status_code) == (200, 429)
    assert second["Retry-After"] == str(86400 - int(1_800_000_000 % 86400) + 1)


def test_a_phone_used_as_a_key_is_not_stored_in_clear(db, frozen):
    from django.db import connection

    hit("intake-phone", "13912345678", "5/day")
    if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT key FROM core_ratecount")
            keys = " ".join(row[0] for row in cursor.fetchall())
        assert keys and "13912345678" not in keys


def test_without_redis_concurrent_hits_are_all_counted(transactional_db, frozen):
    """The count is one atomic statement: hits from several servers at once are not lost
    (the database cache's read-then-write lost some)."""
    import threading

    from django.db import connection, connections

    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers: nothing to race")
    errors = []

    def hammer():
        try:
            for _ in range(25):
                try:
                    hit("race", "one-token", "1000/minute")
                except RateLimited:
                    errors.append("limited")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert hit("race", "one-token", "1000/minute") == 1000 - 101


def test_the_limit_raises_with_the_seconds_left(db, frozen):
    hit("x", "k", "1/minute")
    with pytest.raises(RateLimited) as caught:
        hit("x", "k", "1/minute")
    assert 1 <= caught.value.retry_after <= 61


def test_a_redis_url_selects_the_shared_redis_cache(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "MINQING_VAR_DIR": str(tmp_path),
        "MINQING_CACHE_URL": "redis://127.0.0.1:6379/5",
        "DJANGO_SETTINGS_MODULE": "minqing.settings",
    }
    script = "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env).stdout
    assert out.strip() == "django.core.cache.backends.redis.RedisCache"


def test_the_limiter_counts_in_redis_when_there_is_one(frozen):
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    import secrets

    redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/7",
        }
    }
    with override_settings(CACHES=redis):
        key = secrets.token_hex(8)
        assert [hit("redis-test", key, "3/minute") for _ in range(3)] == [2, 1, 0]
        with pytest.raises(RateLimited):
            hit("redis-test", key, "3/minute")
