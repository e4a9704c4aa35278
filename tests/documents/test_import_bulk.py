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


def roster_csv(path, where, numbers, *, bad_row=None, outside_row=None, codes=None):
    """One household per row (a head each); `bad_row` gets a wrong check digit, `outside_row`
    a village that does not exist; `codes` the 户编号 column (blank for none)."""
    lines = ["户编号,姓名,身份证号,村,组,与户主关系,困难等级"]
    for k, number in enumerate(numbers):
        if k == bad_row:
            number = number[:-1] + ("X" if number[-1] != "X" else "0")
        place = "没有这个村" if k == outside_row else where["village"].name
        code = codes[k] if codes is not None else f"S{k:04d}"
        level = "一般困难" if k % 3 == 0 else ""
        lines.append(f"{code},居民{k},{number},{place},{where['group'].name},户主,{level}")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def small_slices(monkeypatch):
    """Slices of two members: a small file is written in many slices, as a big one is."""
    from minqing.documents.imports import households

    monkeypatch.setattr(households, "MEMBER_SLICE", 2)


def test_a_file_written_in_many_slices_lands_whole(actor, village, tmp_path, small_slices):  # noqa: F811
    numbers = ids(9, start=1200)
    path = roster_csv(tmp_path / "slices.csv", village, numbers)
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert report.ok and report.written, report.messages()
    assert report.counts["households_created"] == 9 and report.counts["members_created"] == 9
    households = Household.objects.filter(code__startswith="S0").order_by("code")
    assert [h.head.name for h in households] == [f"居民{k}" for k in range(9)]
    assert [h.gradings.count() for h in households] == [1 if k % 3 == 0 else 0 for k in range(9)]
    # And a re-import in slices finds every one of them.
    again = import_run(actor=actor("office"), kind="households", path=path)
    assert again.counts["households_unchanged"] == 9 and again.counts["members_unchanged"] == 9


@pytest.mark.parametrize("where", ["bad_row", "outside_row"])
def test_an_error_in_a_late_slice_undoes_the_slices_written_before_it(
    actor,
    village,  # noqa: F811
    tmp_path,
    small_slices,
    where,
):
    numbers = ids(9, start=1300)
    path = roster_csv(tmp_path / "late.csv", village, numbers, **{where: 7})
    before = Household.objects.count(), Member.objects.count()
    dry = import_run(actor=actor("office"), kind="households", path=path, dry_run=True)
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert not report.written and (Household.objects.count(), Member.objects.count()) == before
    # The same errors as the dry run shows: row 9 is the file's eighth household.
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (e.row, e.column, e.message) for e in dry.errors
    ]
    assert [e.row for e in report.errors] == [9]


def test_households_numbered_by_us_skip_the_numbers_the_file_gives(actor, village, tmp_path, small_slices):  # noqa: F811
    numbers = ids(3, start=1400)
    prefix = village["village"].code[:12] + "-"
    highest = max(
        [
            int(c.partition("-")[2])
            for c in Household.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        ],
        default=0,
    )
    next_code = f"{prefix}{highest + 1:04d}"
    # The last household carries the number the first would otherwise be given.
    path = roster_csv(tmp_path / "codes.csv", village, numbers, codes=["", "", next_code])
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert report.ok and report.written, report.messages()
    by_head = {
        h.head.name: h.code
        for h in Household.objects.filter(code__startswith=prefix, head__name__startswith="居民")
    }
    assert by_head["居民2"] == next_code
    assert next_code not in (by_head["居民0"], by_head["居民1"]) and len(set(by_head.values())) == 3
