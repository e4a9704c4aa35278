"""Real-browser journeys: Debian's Chromium driven by Playwright (sync API) against
pytest-django's live server.

The live server runs in another thread, so it only sees committed rows: every
journey uses the transactional database, which is flushed when the test ends, and
the `demo` fixture loads the village-scale demo again whenever it finds the tables
empty. tests/conftest.py sorts these tests after all the others.
"""

import json
import os
import re
from pathlib import Path

import pytest

from tests.artifacts import ARTIFACTS

# Playwright's sync API keeps an asyncio event loop in this thread; Django would
# otherwise refuse database access (flush, demo load) from it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_SEED = 7
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# A full 18-character resident ID number anywhere in a page's text.
FULL_ID_NUMBER = re.compile(r"\b\d{17}[\dX]\b")
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def demo(transactional_db):
    """The village-scale demo, committed so the live server sees it."""
    from minqing.demo.generate import database_is_empty, generate

    if database_is_empty():
        generate(scale="village", seed=DEMO_SEED)


@pytest.fixture
def site(live_server, demo) -> str:
    """The live server's base URL, with the demo loaded."""
    return live_server.url


@pytest.fixture
def demo_password() -> str:
    from minqing.demo.generate import demo_password

    return demo_password()[0]


def _new_page(browser, **context_options):
    # The county's staff browse in Simplified Chinese: ask for it, as their browsers do.
    context = browser.new_context(locale="zh-CN", **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser):
    context, page = _new_page(browser, viewport={"width": 1280, "height": 900})
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context, page = _new_page(
        browser, viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True, has_touch=True
    )
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, "01-login") → artifacts/screenshots/01-login.png, the full page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sign_in(site, demo_password):
    """sign_in(page, "office") → signed in through the login form, on the page after it."""
    from playwright.sync_api import expect

    def do(page, username: str = "office", password: str | None = None):
        page.goto(f"{site}/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password if password is not None else demo_password)
        with page.expect_navigation():
            page.locator("form:has(#id_password) button[type=submit]").click()
        expect(page).not_to_have_url(re.compile(r"/login/"))
        return page

    return do


@pytest.fixture
def axe_check():
    """axe_check(page) → the page's axe-core violations; fails on any of impact "critical".
    Serious ones are printed (run with -s, or see the captured output of a failure)."""

    def run(page, label: str) -> list[dict]:
        if not AXE_JS.exists():
            pytest.skip("axe-core is not vendored under tests/browser/vendor/axe-core/")
        try:
            page.add_script_tag(path=str(AXE_JS))
        except Exception:  # a Content-Security-Policy without 'unsafe-inline' blocks the tag
            pass
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # evaluate() runs through the DevTools protocol, which CSP does not govern.
            page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
        results = page.evaluate(
            "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
            " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))})); }"
        )
        for violation in results:
            if violation["impact"] in ("critical", "serious"):
                print(f"axe [{label}] {violation['impact']}: {violation['id']} — {violation['help']}")
                for node in violation["nodes"][:5]:
                    print(f"    {node['target']}")
        critical = [v for v in results if v["impact"] == "critical"]
        assert not critical, f"critical accessibility violations on {label}:\n" + json.dumps(
            critical, ensure_ascii=False, indent=2
        )
        return results

    return run
