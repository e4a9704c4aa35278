"""Shared fixtures: one demo (village scale) loaded once per test session, and the
named actors of it. Tests run inside transactions that roll back, so the demo stays."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone, translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from minqing.core import parallel
from minqing.core.scope import forget_scope
from minqing.demo.generate import DEMO_ACCOUNTS, database_is_empty, generate
from minqing.org.models import Account

DEMO_SEED = 7

# The property tests judge values, not speed: on a shared machine (CI, a loaded laptop) an
# example may take long, which is no failure of the code under test.
hypothesis_settings.register_profile("minqing", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("minqing")


def _one_request_at_a_time_on_sqlite() -> None:
    """On SQLite the test database lives in memory, and Django hands the live server's
    request threads the test's one connection: two requests at once (a page and the
    figures it fetches after it) then use one sqlite3 connection together, which can hang
    the run. Serve one request at a time there; Django's single-threaded server closes each
    connection after its response, so the browser never waits on a kept-alive one."""
    from django.conf import settings
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class OneAtATime(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            # The live server thread itself already uses the overridden connections.
            super().__init__(*args, **kwargs)

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        LiveServerThread.server_class = OneAtATime


_one_request_at_a_time_on_sqlite()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if database_is_empty():
            generate(scale="village", seed=DEMO_SEED)
    yield
    # Pages read by a live server use the dashboard's worker connections: close them so the
    # test database can be dropped.
    parallel.shutdown()


def pytest_collection_modifyitems(config, items):
    # Tests on committed data (browser journeys through a live server, concurrent
    # writers) flush the tables when they end: run them after every other test.
    items.sort(
        key=lambda item: (
            "transactional_db" in getattr(item, "fixturenames", ())
            or "live_server" in getattr(item, "fixturenames", ())
        )
    )


@pytest.fixture(autouse=True)
def language_restored():
    """A request's LocaleMiddleware leaves its language (English, after a request that asked for
    it) active in the test's thread: each test starts in the language the one before started in,
    so a test of the default language does not depend on the order the tests run in."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def actor(db):
    """actor("office") → the demo account of that name."""

    def get(username: str) -> Account:
        account = Account.objects.get(username=username)
        forget_scope(account)
        return account

    return get


def verify_second_factor(client: Client, account: Account):
    """Give the account a confirmed authenticator (if it has none) and mark the client's
    session as verified by it, as a sign-in with a code would. For tests of roles that must
    use two factors (non-demo administrators, or MINQING_DEMO_REQUIRE_2FA=1)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=account, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=account, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def client_as(db):
    """client_as("office") → a test client signed in as that demo account (None: anonymous);
    client_as("office", verified=True) also passes the second factor."""

    def make(username: str | None, verified: bool = False) -> Client:
        client = Client()
        if username:
            account = Account.objects.get(username=username)
            client.force_login(account)
            if verified:
                verify_second_factor(client, account)
        return client

    return make


class Clock:
    """Django's clock (timezone.now), moved by tests instead of sleeping."""

    def __init__(self, real_now):
        self.real_now = real_now
        self.offset = dt.timedelta()

    def now(self):
        return self.real_now() + self.offset

    def advance(self, **delta) -> None:
        self.offset += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """clock.advance(minutes=31): everything that asks timezone.now() is 31 minutes later."""
    moved = Clock(timezone.now)
    monkeypatch.setattr(timezone, "now", moved.now)
    return moved


@pytest.fixture
def demo_accounts():
    return list(DEMO_ACCOUNTS)
