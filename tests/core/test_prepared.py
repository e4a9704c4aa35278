"""Querysets compiled once (core.prepared) answer as the ORM does, whatever the values."""

import uuid

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from minqing.core import prepared
from minqing.core.scope import scoped, scoped_first
from minqing.fieldwork.models import Visit
from minqing.org.models import Account, Cadre
from minqing.people.models import Household
from minqing.programs.models import Pairing


def test_each_call_runs_with_its_own_values_and_converts_fields_as_the_orm_does(db):
    cadres = list(Cadre.objects.exclude(phone="").order_by("id")[:3])
    assert len(cadres) == 3
    for cadre in cadres + cadres[::-1]:
        got = prepared.first(
            ("test-cadre",), lambda pk: Cadre.objects.filter(account_id=pk), cadre.account_id
        )
        assert got.pk == cadre.pk and got.phone == cadre.phone and got.unit_id == cadre.unit_id
    assert prepared.first(("test-cadre",), lambda pk: Cadre.objects.filter(account_id=pk), -5) is None


def test_annotations_and_strings_are_carried(db):
    account = Account.objects.get(username="cadre")
    got = prepared.first(
        ("test-account",),
        lambda name: Account.objects.filter(username=name).annotate(unit_code=F("cadre__unit_id")),
        "cadre",
    )
    assert got.pk == account.pk and got.unit_code == account.cadre.unit_id


def test_a_queryset_that_cannot_be_compiled_once_is_built_each_time(db):
    visit = Visit.objects.order_by("id").first()
    for _ in range(2):  # a UUID is converted on SQLite; select_related is not supported
        got = prepared.first(("test-visit",), lambda value: Visit.objects.filter(uuid=value), visit.uuid)
        assert got.pk == visit.pk
        related = prepared.first(
            ("test-related",), lambda pk: Cadre.objects.select_related("unit").filter(pk=pk), visit.cadre_id
        )
        assert related.pk == visit.cadre_id
    assert (
        prepared.first(("test-visit",), lambda value: Visit.objects.filter(uuid=value), uuid.uuid4()) is None
    )


def test_scoped_first_agrees_with_scoped_for_every_actor(actor):
    paired = Pairing.objects.filter(cadre__account__username="cadre", household__isnull=False)
    households = list(Household.objects.order_by("id").values_list("id", flat=True)[:40])
    households += list(paired.values_list("household_id", flat=True))
    seen = {}
    for username in ("cadre", "office", "village", "sysadmin"):
        user = actor(username)
        visible = set(
            scoped(Household, user, "people.view").filter(id__in=households).values_list("id", flat=True)
        )
        assert {pk for pk in households if scoped_first(Household, user, "people.view", pk)} == visible
        seen[username] = len(visible)
    assert 0 < seen["cadre"] < len(set(households)) and seen["sysadmin"] == 0
    assert scoped_first(Household, actor("office"), "people.view", "not a number") is None


def test_an_id_beyond_64_bits_is_simply_not_found(actor):
    """An upload naming a target 10**20 is 'not among yours', not a server error (SQLite cannot
    take such an integer as a parameter)."""
    assert scoped_first(Household, actor("office"), "people.view", 10**20) is None
    assert scoped_first(Household, actor("office"), "people.view", -(10**20)) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_prepared_statement_gone_stale_after_a_column_change_is_forgotten(transactional_db):
    """A rolling deploy's migration changes a column a kept statement reads: PostgreSQL refuses
    the statement ('cached plan must not change result type'); it is forgotten and run afresh."""
    import psycopg

    from minqing.core.models import RateCount

    options = connection.settings_dict.setdefault("OPTIONS", {})
    had = options.get("prepare_threshold")
    options["prepare_threshold"] = 0
    connection.ensure_connection()
    raw = connection.connection
    raw.prepare_threshold = 0  # prepare at once
    RateCount.objects.create(key="stale-test", count=3, expires=timezone.now())
    build = lambda key: RateCount.objects.filter(key=key)  # noqa: E731
    other = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    try:
        for _ in range(3):
            assert prepared.first(("test-stale",), build, "stale-test").count == 3
        other.execute("ALTER TABLE core_ratecount ALTER COLUMN key TYPE varchar(121)")
        assert prepared.first(("test-stale",), build, "stale-test").count == 3
        assert prepared.first(("test-stale",), build, "stale-test").count == 3
    finally:
        other.execute("ALTER TABLE core_ratecount ALTER COLUMN key TYPE varchar(120)")
        other.close()
        raw.prepare_threshold = had
        if had is None:
            options.pop("prepare_threshold", None)
        else:
            options["prepare_threshold"] = had
        RateCount.objects.filter(key="stale-test").delete()
