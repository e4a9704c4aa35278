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


def test_disabling_an_account_asks_first_naming_it(page, site, sign_in, screenshot):
    from minqing.org.models import Account
    from minqing.programs.services import active_pairings_guard

    target = next(
        a
        for a in Account.objects.filter(username__in=("unit", "village", "inspector", "leader"))
        if not active_pairings_guard(a)
    )
    sign_in(page, "sysadmin")
    page.goto(f"{site}/security/accounts/?q={target.username}")
    disable = page.locator(f"#disable-{target.pk}")
    confirm = disable.locator("button[type=submit]")
    expect(confirm).to_be_hidden()  # one click does nothing yet
    disable.locator("summary").click()
    expect(disable.locator("small")).to_contain_text(f"{target}（{target.username}）")
    expect(confirm).to_contain_text(str(target))
    screenshot(page, "security-account-disable-confirm")
    target.refresh_from_db()
    assert target.is_active
    with page.expect_navigation():
        confirm.click()
    expect(page.locator(".notice-success")).to_contain_text(str(target))
    target.refresh_from_db()
    assert not target.is_active
