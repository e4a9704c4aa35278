"""Every URL pattern, walked with the production security settings (HTTPS, HSTS, secure
cookies) for anonymous users and every role, answers with the security headers: a
Content-Security-Policy without inline script, HSTS, nosniff, frame-deny; and no page
carries an inline script, an inline style or an event-handler attribute."""

import re

import pytest
from django.test import Client, override_settings

from minqing.core.files import serve_attachment
from minqing.org.models import Account
from minqing.org.services import token_create

from .test_url_auth import ROLES, cases, objects  # noqa: F401  (objects is a fixture)

PRODUCTION = dict(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
    LANGUAGE_COOKIE_SECURE=True,
)
# A script element without src runs inline, unless it is a data block (json_script).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def header_problems(response) -> list[str]:
    problems = []
    expect = {
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    for name, value in expect.items():
        if response.get(name) != value:
            problems.append(f"{name}: {response.get(name)!r}")
    csp = directives(response.get("Content-Security-Policy", ""))
    script = csp.get("script-src", csp.get("default-src", []))
    if not csp or "'unsafe-inline'" in script or "'unsafe-eval'" in script or "*" in script:
        problems.append(f"CSP script: {response.get('Content-Security-Policy')!r}")
    if csp and (csp.get("frame-ancestors") != ["'none'"] or csp.get("object-src") != ["'none'"]):
        problems.append(f"CSP frames/objects: {response.get('Content-Security-Policy')!r}")
    for cookie in response.cookies.values():
        if cookie["max-age"] == 0:
            continue  # a deletion (sign-out): it carries nothing
        if not (cookie["secure"] and cookie["samesite"] == "Lax"):
            problems.append(f"cookie {cookie.key} without Secure/SameSite")
        if cookie.key in ("sessionid", "csrftoken") and not cookie["httponly"]:
            problems.append(f"cookie {cookie.key} without HttpOnly")
    if response.get("Content-Type", "").startswith("text/html"):
        page = response.content.decode()
        for pattern, what in (
            (INLINE_SCRIPT, "inline script"),
            (INLINE_STYLE, "inline style"),
            (EVENT_HANDLER, "event handler"),
        ):
            if pattern.search(page):
                problems.append(f"{what}: {pattern.search(page).group(0)[:80]}")
    return problems


@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_url_answers_with_the_security_headers_under_production_settings(objects, role):  # noqa: F811
    # One token walks every API case: more than a minute's budget of a real client.
    with override_settings(**PRODUCTION, API_RATE="1000/minute"):
        client = Client()
        token = None
        if role is not None:
            account = Account.objects.get(username=role)
            client.force_login(account)
            token = token_create(actor=None, account=account)
        failures = []
        walked = 0
        for name, variants in cases(objects).items():
            for method, path, data, anonymous, by_role in variants:
                headers = {"secure": True}
                if path.startswith("/api/") and token:
                    headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
                if method in ("json", "json-put"):
                    call = client.post if method == "json" else client.put
                    response = call(path, data, content_type="application/json", **headers)
                else:
                    response = getattr(client, method)(path, data or {}, **headers)
                expected = anonymous if role is None else by_role[role]
                if response.status_code != expected:
                    failures.append(f"{name} {path}: {response.status_code}, expected {expected}")
                failures += [f"{name} {path}: {p}" for p in header_problems(response)]
                walked += 1
                if role is not None and name in ("web:logout", "set_language"):
                    client.force_login(Account.objects.get(username=role))
        assert walked > 50
        assert not failures, "\n".join(failures)


def test_plain_http_is_redirected_to_https(db):
    with override_settings(**PRODUCTION):
        response = Client().get("/login/")
        assert response.status_code == 301 and response["Location"] == "https://testserver/login/"
        assert Client().get("/healthz").status_code == 200  # for the load balancer


def test_an_uploaded_file_is_served_only_as_an_attachment(tmp_path, rf, db):
    (tmp_path / "visits").mkdir()
    (tmp_path / "visits" / "photo.html").write_text("<script>alert(1)</script>")
    with override_settings(MEDIA_ROOT=tmp_path):
        response = serve_attachment(rf.get("/"), "visits/photo.html", "走访照片.html")
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
        response.close()


def test_no_path_outside_the_upload_folder_is_served(tmp_path, rf):
    from django.http import Http404

    (tmp_path / "files").mkdir()
    (tmp_path / "secret_key").write_text("x")
    with override_settings(MEDIA_ROOT=tmp_path / "files"):
        for path in ("../secret_key", "/etc/passwd", "missing.pdf"):
            with pytest.raises(Http404):
                serve_attachment(rf.get("/"), path, "x")
