"""Querysets compiled once (core.prepared) answer as the ORM does, whatever the values."""

import uuid

from django.db.models import F

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
