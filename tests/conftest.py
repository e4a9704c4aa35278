"""Shared fixtures: one demo (village scale) loaded once per test session, and the
named actors of it. Tests run inside transactions that roll back, so the demo stays."""

import pytest
from django.test import Client

from minqing.core.scope import forget_scope
from minqing.demo.generate import DEMO_ACCOUNTS, database_is_empty, generate
from minqing.org.models import Account

DEMO_SEED = 7


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if database_is_empty():
            generate(scale="village", seed=DEMO_SEED)


def pytest_collection_modifyitems(config, items):
    # Tests on committed data (browser journeys through a live server, concurrent
    # writers) flush the tables when they end: run them after every other test.
    items.sort(
        key=lambda item: (
            "transactional_db" in getattr(item, "fixturenames", ())
            or "live_server" in getattr(item, "fixturenames", ())
        )
    )


@pytest.fixture
def actor(db):
    """actor("office") → the demo account of that name."""

    def get(username: str) -> Account:
        account = Account.objects.get(username=username)
        forget_scope(account)
        return account

    return get


@pytest.fixture
def client_as(db):
    """client_as("office") → a test client signed in as that demo account (None: anonymous)."""

    def make(username: str | None) -> Client:
        client = Client()
        if username:
            client.force_login(Account.objects.get(username=username))
        return client

    return make


@pytest.fixture
def demo_accounts():
    return list(DEMO_ACCOUNTS)
