"""In a real browser: the pages break no rule of the Content-Security-Policy (no inline
script or style is refused, nothing fails to load), including the two-factor enrolment
page with its inline QR code and the pages of the three administrators."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def watch(page) -> list[str]:
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


@pytest.mark.parametrize(
    "username, paths",
    [
        (
            "office",
            [
                "/",
                "/people/households/",
                "/exports/requests/",
                "/security/two-factor/enrol/",
                "/security/password/",
            ],
        ),
        ("sysadmin", ["/security/accounts/", "/security/accounts/new/"]),
        ("secadmin", ["/security/roles/"]),
        ("auditor", ["/security/audit/"]),
    ],
)
def test_pages_break_no_content_security_policy_rule(page, site, sign_in, username, paths, screenshot):
    problems = watch(page)
    sign_in(page, username)
    for path in paths:
        page.goto(f"{site}{path}")
        page.wait_for_load_state("networkidle")
    if username == "office":
        expect(page.locator("h1")).to_be_visible()
    assert not problems, "\n".join(problems)
    screenshot(page, f"security-{username}")


def test_the_enrolment_page_shows_the_qr_code(page, site, sign_in, screenshot):
    problems = watch(page)
    sign_in(page, "office")
    page.goto(f"{site}/security/two-factor/enrol/")
    qr = page.locator("figure.qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box and box["width"] > 100
    expect(page.locator("#otp-secret")).to_have_text(re.compile(r"^[A-Z2-7]{32}$"))
    screenshot(page, "security-enrol")
    assert not problems
