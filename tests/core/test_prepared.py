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


def test_an_insert_compiled_once_writes_what_save_writes(db):
    """Each field as save() converts it (UUID, JSON, decimals, dates), the primary key read
    back, the signals sent; a second insert runs with its own values."""
    from django.db.models.signals import post_save, pre_save

    template = Visit.objects.filter(household__isnull=False).order_by("id").first()
    seen = []

    def note(sender, instance, **kwargs):
        seen.append((kwargs.get("created"), instance.pk))

    def visit(n, **extra):
        return Visit(
            campaign_id=template.campaign_id,
            cadre_id=template.cadre_id,
            household_id=template.household_id,
            region_id=template.region_id,
            date=template.date,
            form=template.form,
            content=f"第{n}次",
            found={"size": n, "说明": "中文"},
            problems=["道路"] * n,
            **extra,
        )

    pre_save.connect(note, sender=Visit)
    post_save.connect(note, sender=Visit)
    try:
        made = [visit(1, latitude="26.123456", longitude="111.654321"), visit(2)]
        for obj in made:
            prepared.insert(obj)
        compared = visit(3)
        compared.save()
    finally:
        pre_save.disconnect(note, sender=Visit)
        post_save.disconnect(note, sender=Visit)
    assert [created for created, _pk in seen] == [None, True, None, True, None, True]
    assert seen[1][1] == made[0].pk and seen[3][1] == made[1].pk
    assert made[0].pk < made[1].pk < compared.pk and not made[0]._state.adding
    columns = [
        f.attname
        for f in Visit._meta.concrete_fields
        if f.attname not in ("id", "content", "found", "problems")
    ]
    rows = {v["id"]: v for v in Visit.objects.filter(pk__in=[made[0].pk, made[1].pk, compared.pk]).values()}
    for obj, n in ((made[0], 1), (made[1], 2)):
        row = rows[obj.pk]
        assert row["uuid"] == obj.uuid and row["content"] == f"第{n}次"
        assert row["found"] == {"size": n, "说明": "中文"} and row["problems"] == ["道路"] * n
        same = {
            c: row[c]
            for c in columns
            if c not in ("uuid", "created_at", "updated_at", "latitude", "longitude")
        }
        assert same == {c: rows[compared.pk][c] for c in same}
    assert str(rows[made[0].pk]["latitude"]) == "26.123456" and rows[made[1].pk]["longitude"] is None


def test_an_insert_with_an_expression_or_a_primary_key_goes_through_save(db):
    from django.db.models.functions import Now

    template = Visit.objects.filter(household__isnull=False).order_by("id").first()
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Visit._meta.concrete_fields
        if f.attname not in ("id", "uuid", "created_at", "updated_at")
    }
    with_expression = Visit(**fields, created_at=Now())
    prepared.insert(with_expression)
    with_expression.refresh_from_db()
    assert abs(with_expression.created_at - timezone.now()).total_seconds() < 3600
    free = Visit.objects.order_by("-id").values_list("id", flat=True).first() + 1000
    with_pk = Visit(**fields, id=free)
    prepared.insert(with_pk)
    assert Visit.objects.filter(pk=free).exists()
