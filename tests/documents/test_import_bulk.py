"""The imports' bulk writer: ids allocated before the rows are written, rows written on a
background thread (SQLite) inside the importer's transaction, and every failure — in the
writer or in the importer — leaving nothing behind."""

import pytest
from django.db import IntegrityError, connection, transaction

from minqing.core.personal import IdNumber, lookup_hash_for
from minqing.documents.imports.bulk import BulkWriter
from minqing.documents.imports.engine import import_run
from minqing.geo.models import Region
from minqing.people.models import Household, Member

from .test_imports import ids, office_roster, two_households, village  # noqa: F401 - a fixture

COLUMNS = ("id", "household_id", "name", "id_number_hash", "sex", "relation", "name_pinyin", "name_initials")


@pytest.fixture
def household(db):
    region = Region.objects.filter(code__startswith="431123", level=Region.Level.VILLAGE).first()
    return Household.objects.create(code="BULK-0001", region=region, address="桐木村一组1号")


def member_row(member_id, household_id, name, digest):
    return (member_id, household_id, name, digest, "", "other", "", "")


def test_rows_get_the_ids_allocated_for_them_and_land_with_the_transaction(household):
    digests = [lookup_hash_for(IdNumber, n) for n in ids(3, start=900)]
    with transaction.atomic():
        with BulkWriter(connection) as writer:
            allocated = list(writer.allocate(Member, 3))
            writer.insert(
                Member,
                COLUMNS,
                [
                    member_row(i, household.pk, f"成员{k}", d)
                    for k, (i, d) in enumerate(zip(allocated, digests, strict=True))
                ],
            )
            writer.update_many(
                f"UPDATE {Household._meta.db_table} SET head_id = %s WHERE id = %s",  # noqa: S608
                [(allocated[0], household.pk)],
            )
        # Ids past every id handed out so far, in order, each on the row it was meant for.
        assert allocated == sorted(allocated) and allocated[0] > 0
        assert list(Member.objects.filter(household=household).order_by("id").values_list("id", "name")) == [
            (allocated[k], f"成员{k}") for k in range(3)
        ]
    household.refresh_from_db()
    assert household.head_id == allocated[0]
    # The next allocation starts after them.
    with transaction.atomic(), BulkWriter(connection) as writer:
        assert list(writer.allocate(Member, 1))[0] > allocated[-1]


def test_a_row_the_database_refuses_raises_and_the_whole_transaction_is_undone(household):
    digest = lookup_hash_for(IdNumber, ids(1, start=950)[0])
    before = Member.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        with BulkWriter(connection) as writer:
            first, second = writer.allocate(Member, 2)
            writer.insert(Member, COLUMNS, [member_row(first, household.pk, "甲", None)])
            # The same keyed hash twice: the unique index refuses the second statement.
            writer.insert(Member, COLUMNS, [member_row(second, household.pk, "乙", digest)])
            writer.insert(Member, COLUMNS, [member_row(second + 1, household.pk, "丙", digest)])
    assert Member.objects.count() == before


def test_a_failure_in_the_importer_stops_the_writer_before_the_rollback(household):
    before = Member.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        with BulkWriter(connection) as writer:
            (member_id,) = writer.allocate(Member, 1)
            writer.insert(Member, COLUMNS, [member_row(member_id, household.pk, "甲", None)])
            1 / 0  # noqa: B018 - the importer's own failure, after rows were queued
    assert Member.objects.count() == before
    assert not any(t.name == "minqing-bulk-writer" for t in __import__("threading").enumerate())


def test_an_existing_household_without_a_head_gets_one_from_a_reimport(actor, village, tmp_path):  # noqa: F811
    numbers = ids(4, start=700)
    path = tmp_path / "roster.xlsx"
    office_roster(path, village, two_households(numbers))
    import_run(actor=actor("office"), kind="households", path=path)
    first = Household.objects.get(code="IMP-0001")
    head = first.head
    assert head is not None and head.name == "张三"
    # The head leaves the register (and the household record loses its head) ...
    Household.objects.filter(pk=first.pk).update(head=None)
    head.delete()
    # ... and comes back with the next import of the same roster.
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert report.ok and report.counts["members_created"] == 1, report.counts
    first.refresh_from_db()
    assert first.head.name == "张三" and first.head.id_number_hash == lookup_hash_for(IdNumber, numbers[0])
    second = Household.objects.get(code="IMP-0002")
    assert second.head.name == "王六" and second.members.count() == 2
