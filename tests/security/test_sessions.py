"""Sessions end on the server: after 15 idle minutes for administrators and 30 for
everyone else, 12 hours after sign-in whatever happens, and at sign-out. Production
settings pass `check --deploy` without a warning and give cookies their flags."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.contrib.sessions.models import Session

from minqing.core.models import AuditEvent
from minqing.demo.generate import demo_password

ROOT = Path(__file__).resolve().parents[2]


def to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_administrator_is_signed_out_after_15_idle_minutes(client_as, clock, db):
    client = client_as("sysadmin")
    assert client.get("/security/accounts/").status_code == 200
    clock.advance(minutes=14)
    assert client.get("/security/accounts/").status_code == 200
    clock.advance(minutes=15, seconds=30)
    assert to_login(client.get("/security/accounts/"))
    event = AuditEvent.objects.filter(action="auth.session_expired").latest("id")
    assert event.username == "sysadmin" and event.detail == {"reason": "idle"}


def test_others_are_signed_out_after_30_idle_minutes(client_as, clock, db):
    client = client_as("office")
    clock.advance(minutes=16)
    assert client.get("/").status_code == 200  # 16 minutes are fine for a non-administrator
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    clock.advance(minutes=31)
    assert to_login(client.get("/"))


def test_the_expired_session_is_gone_from_the_server_and_the_login_page_says_why(client_as, clock, db):
    client = client_as("office")
    key = client.session.session_key
    clock.advance(minutes=31)
    response = client.get("/", follow=True)
    assert not Session.objects.filter(session_key=key).exists()
    assert "会话" in response.content.decode() or "session" in response.content.decode().lower()


def test_a_session_ends_12_hours_after_sign_in_however_busy(client_as, clock, db):
    client = client_as("office")
    for _ in range(28):  # a request every 25 minutes: never idle
        clock.advance(minutes=25)
        assert client.get("/").status_code == 200
    clock.advance(minutes=25)  # 12 h 5 min after sign-in
    assert to_login(client.get("/"))
    assert AuditEvent.objects.filter(action="auth.session_expired", detail__reason="absolute").exists()


def test_signing_out_deletes_the_session_on_the_server(client, db):
    client.post("/login/", {"username": "office", "password": demo_password()[0]})
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    client.post("/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    # The old cookie, replayed, is worth nothing.
    client.cookies["sessionid"] = key
    assert to_login(client.get("/"))


def test_the_server_side_session_row_expires_soon_after_the_idle_limit(client_as, db):
    from django.utils import timezone

    from minqing.security.middleware import SESSION_ROW_MARGIN

    client = client_as("office")
    client.get("/")
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = (session.expire_date - timezone.now()).total_seconds()
    assert 30 * 60 < remaining <= 30 * 60 + SESSION_ROW_MARGIN


def production_env(tmp_path) -> dict:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "minqing.settings",
        "MINQING_VAR_DIR": str(tmp_path),
        "MINQING_SECRET_KEY": secrets.token_urlsafe(64),
        "MINQING_SECURE_COOKIES": "1",
        "MINQING_HSTS_SECONDS": "31536000",
        "MINQING_SSL_REDIRECT": "1",
        "MINQING_ALLOWED_HOSTS": "minqing.example.gov.cn",
        # Production sets where the cards' QR codes lead (README, deployment step).
        "MINQING_SITE_URL": "https://minqing.example.gov.cn",
    }


def test_check_deploy_with_production_settings_gives_no_warning(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "minqing", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=production_env(tmp_path),
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_httponly_and_samesite(tmp_path):
    script = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, s.CSRF_COOKIE_SAMESITE, s.LANGUAGE_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + script],
        capture_output=True,
        text=True,
        env=production_env(tmp_path),
        cwd=ROOT,
    ).stdout.split()
    assert out == ["True", "True", "Lax", "True", "True", "Lax", "True", "31536000", "True"]
