"""The imports' bulk inserts: ids allocated before the rows are written, inside the
import's transaction only, and a refused row leaving nothing behind; on SQLite, many rows
staged in a temporary table and moved into their table on a helper thread, storing what
a direct insert stores."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from minqing.core.identity import parse_id_number
from minqing.core.personal import IdNumber, lookup_hash_for
from minqing.documents.imports import bulk, households
from minqing.documents.imports.bulk import Inserter, allocate_ids, insert_rows
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


@pytest.fixture(params=["direct", "staged"])
def way(request, monkeypatch):
    """Each batch inserted row by row (SQLite; PostgreSQL always sends a COPY on the helper
    thread), or (SQLite) staged and moved on the helper thread, the members of an import in
    batches of two."""
    if request.param == "staged":
        if connection.vendor != "sqlite":
            pytest.skip("PostgreSQL sends every batch by COPY on the helper thread: no staging")
        monkeypatch.setattr(bulk, "STAGE_FROM", 1)
        monkeypatch.setattr(households, "MEMBER_BATCH", 2)
    else:
        monkeypatch.setattr(bulk, "STAGE_FROM", 10**9)
    return request.param


def no_stage_left():
    if connection.vendor != "sqlite":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_temp_master WHERE name = %s", [Inserter.STAGE])
        return cursor.fetchone()[0] == 0


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_a_staged_batch_stores_each_value_as_a_direct_insert_stores_it(household, monkeypatch):
    columns = (
        *("id", "household_id", "name", "id_number", "id_number_hash", "birth_date", "sex", "relation"),
        *("name_pinyin", "name_initials"),
    )
    digests = [lookup_hash_for(IdNumber, n) for n in ids(4, start=960)]
    # Text, whole numbers, a date as the backend adapts it, NULLs, and an id as text
    # (SQLite's column types turn it into a number either way).
    values = [
        ("v1:abc", connection.ops.adapt_datefield_value(date(1950, 2, 3)), "F"),
        (None, None, ""),
    ]

    def rows(ids_, hashes):
        return [
            (i if k else str(i), household.pk, f"同值{k}", v[0], d, v[1], v[2], "other", "tongzhi", "tz")
            for k, (i, d, v) in enumerate(zip(ids_, hashes, values, strict=True))
        ]

    with transaction.atomic():
        direct = list(allocate_ids(Member, 2))
        monkeypatch.setattr(bulk, "STAGE_FROM", 10**9)
        insert_rows(Member, columns, rows(direct, digests[:2]))
        staged = list(allocate_ids(Member, 2))
        monkeypatch.setattr(bulk, "STAGE_FROM", 1)
        insert_rows(Member, columns, rows(staged, digests[2:]))
    stored = {}
    with connection.cursor() as cursor:
        for member_id in direct + staged:
            cursor.execute(
                "SELECT "
                + ", ".join(f"typeof({c}), {c}" for c in columns if c not in ("id_number_hash",))
                + " FROM people_member WHERE id = %s",
                [member_id],
            )
            stored[member_id] = cursor.fetchone()
    assert len(stored) == 4 and all(stored.values())
    for a, b in zip(direct, staged, strict=True):
        # Everything but the id itself is stored the same way, type included.
        assert stored[a][2:] == stored[b][2:], (stored[a], stored[b])
        assert stored[a][:2] == ("integer", a) and stored[b][:2] == ("integer", b)
    assert no_stage_left()


def test_rows_get_the_ids_allocated_for_them_and_land_with_the_transaction(household):
    digests = [lookup_hash_for(IdNumber, n) for n in ids(3, start=900)]
    with transaction.atomic():
        allocated = list(allocate_ids(Member, 3))
        rows = [
            member_row(i, household.pk, f"成员{k}", d)
            for k, (i, d) in enumerate(zip(allocated, digests, strict=True))
        ]
        insert_rows(Member, COLUMNS, rows)
    # Ids past every id handed out so far, in order, each on the row it was meant for.
    assert allocated == sorted(allocated) and allocated[0] > 0
    assert list(Member.objects.filter(household=household).order_by("id").values_list("id", "name")) == [
        (allocated[k], f"成员{k}") for k in range(3)
    ]
    # The next allocation starts after them.
    with transaction.atomic():
        assert list(allocate_ids(Member, 1))[0] > allocated[-1]


def test_a_row_the_database_refuses_raises_and_the_whole_transaction_is_undone(household, way):
    digest = lookup_hash_for(IdNumber, ids(1, start=950)[0])
    before = Member.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        first, second, third = allocate_ids(Member, 3)
        insert_rows(Member, COLUMNS, [member_row(first, household.pk, "甲", None)])
        # The same keyed hash twice: the unique index refuses the second row.
        insert_rows(
            Member,
            COLUMNS,
            [member_row(second, household.pk, "乙", digest), member_row(third, household.pk, "丙", digest)],
        )
    assert Member.objects.count() == before
    assert no_stage_left()


def test_a_refused_batch_is_raised_when_the_next_batch_is_added_and_nothing_stays(household, way):
    digest = lookup_hash_for(IdNumber, ids(1, start=970)[0])
    before = Member.objects.count()
    added = []
    with pytest.raises(IntegrityError), transaction.atomic(), Inserter() as inserter:
        first, second, third = allocate_ids(Member, 3)
        inserter.add(Member, COLUMNS, [member_row(first, household.pk, "甲", digest)])
        inserter.add(Member, COLUMNS, [member_row(second, household.pk, "乙", digest)])
        added.append(second)  # the staged batch fails on the helper thread: raised by the next add
        inserter.add(Member, COLUMNS, [member_row(third, household.pk, "丙", None)])
        added.append(third)
    # Inserted at once (SQLite, few rows), it fails in its own add; sent on the helper thread
    # (SQLite's staged batches, PostgreSQL's COPY), the next add raises it.
    assert added == ([] if way == "direct" and connection.vendor == "sqlite" else [second])
    assert Member.objects.count() == before
    assert no_stage_left()


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


def roster_csv(path, where, numbers, codes):
    """One household per row (a head each), with the 户编号 column as given (blank for none)."""
    lines = ["户编号,姓名,身份证号,村,组,与户主关系"]
    for k, (number, code) in enumerate(zip(numbers, codes, strict=True)):
        lines.append(f"{code},居民{k},{number},{where['village'].name},{where['group'].name},户主")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_households_numbered_by_us_skip_the_numbers_the_file_gives(actor, village, tmp_path):  # noqa: F811
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
    path = roster_csv(tmp_path / "codes.csv", village, numbers, ["", "", next_code])
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert report.ok and report.written, report.messages()
    by_head = {
        h.head.name: h.code
        for h in Household.objects.filter(code__startswith=prefix, head__name__startswith="居民")
    }
    assert by_head["居民2"] == next_code
    assert next_code not in (by_head["居民0"], by_head["居民1"]) and len(set(by_head.values())) == 3


def test_a_record_saved_between_the_check_and_the_write_gives_a_message_and_writes_nothing(
    actor,
    village,  # noqa: F811
    tmp_path,
    way,
):
    path = tmp_path / "roster.xlsx"
    office_roster(path, village, two_households(ids(4, start=1500)))

    def someone_else_saves_first(stage, rows):
        # Another import (or an edit) stores a household with the file's first number after
        # this file was checked and before it is written.
        if stage == "validated":
            Household.objects.create(code="IMP-0001", region=village["village"], address="桐木村一组1号")

    before = Household.objects.count(), Member.objects.count()
    with translation.override("en"):
        report = import_run(
            actor=actor("office"), kind="households", path=path, progress=someone_else_saves_first
        )
    assert not report.written and not report.counts
    assert [(e.column, "import the file again" in e.message) for e in report.errors] == [("", True)], (
        report.errors
    )
    # Only the other household is there: nothing of the file.
    assert (Household.objects.count(), Member.objects.count()) == (before[0] + 1, before[1])
    assert not Household.objects.filter(code="IMP-0002").exists()
    assert no_stage_left()


def test_a_roster_written_in_staged_batches_is_whole_and_a_reimport_finds_it(
    actor,
    village,  # noqa: F811
    tmp_path,
    way,
):
    numbers = ids(4, start=1600)
    path = tmp_path / "roster.xlsx"
    office_roster(path, village, two_households(numbers))
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert report.written and report.counts["members_created"] == 5, report.messages()
    first, second = Household.objects.get(code="IMP-0001"), Household.objects.get(code="IMP-0002")
    assert [m.name for m in first.members.order_by("id")] == ["张三", "李四", "张小五"]
    assert first.head.name == "张三" and first.head.id_number_hash == lookup_hash_for(IdNumber, numbers[0])
    assert first.head.phone.reveal() == "13812345678" and first.head.id_number.reveal() == numbers[0]
    assert second.head.name == "王六" and second.members.count() == 2
    # Each kind of value as the ORM reads it back: dates, choices, pinyin, numbers, times.
    facts = parse_id_number(numbers[0])
    head = first.head
    assert (head.birth_date, head.sex, head.relation) == (facts.birth_date, facts.sex, "head")
    assert (head.name_pinyin, head.name_initials) == ("zhangsan", "zs")
    assert (first.hardship_level, first.size, first.income_sources) == (3, 3, [])
    assert abs((timezone.now() - first.created_at).total_seconds()) < 600
    assert second.members.get(name="王七").id_number_hash is None
    assert no_stage_left()
    again = import_run(actor=actor("office"), kind="households", path=path)
    assert again.counts["members_created"] == 0 and again.counts["households_created"] == 0


def test_a_reimport_compares_income_sources_as_lists(actor, village, tmp_path):  # noqa: F811
    numbers = ids(2, start=1700)

    def roster(income_first):
        path = tmp_path / "income.csv"
        lines = ["户编号,姓名,身份证号,村,组,与户主关系,收入来源,经济状况"]
        for k, (number, income) in enumerate(zip(numbers, (income_first, ""), strict=True)):
            where = f"{village['village'].name},{village['group'].name}"
            lines.append(f"INC-000{k + 1},收入{k},{number},{where},户主,{income},一般")
        path.write_text("\n".join(lines), encoding="utf-8")
        return path

    first = import_run(actor=actor("office"), kind="households", path=roster("务工、养老金"))
    assert first.written and first.counts["households_created"] == 2, first.messages()
    stored = Household.objects.get(code="INC-0001")
    assert sorted(stored.income_sources) == sorted(["migrant_work", "pension"]), stored.income_sources
    again = import_run(actor=actor("office"), kind="households", path=roster("养老金、务工"))
    assert again.counts["households_unchanged"] == 2 and again.counts["households_updated"] == 0, again.counts
    changed = import_run(actor=actor("office"), kind="households", path=roster("务农"))
    assert changed.counts["households_updated"] == 1 and changed.counts["households_unchanged"] == 1
    stored.refresh_from_db()
    assert stored.income_sources == ["farming"]


def test_an_import_runs_with_the_collector_paused_and_leaves_it_on(actor, village, tmp_path):  # noqa: F811
    import gc

    path = tmp_path / "roster.xlsx"
    office_roster(path, village, two_households(ids(4, start=1800)))
    seen = []
    gc.enable()
    report = import_run(
        actor=actor("office"),
        kind="households",
        path=path,
        progress=lambda stage, rows: seen.append(gc.isenabled()),
    )
    assert report.written and seen and not any(seen)
    assert gc.isenabled()


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_members_without_an_id_number_are_looked_up_by_household_not_by_the_hash_index(db):
    # SQLite takes `id_number_hash IS NULL` for a one-row look-up in the unique index and
    # walks every member without an ID number: the condition keeps it on the household's.
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM people_member WHERE household_id IN "
            f"(SELECT value FROM json_each(%s)) AND {households.NO_ID_NUMBER}",
            ["[1, 2]"],
        )
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "household" in plan and "autoindex" not in plan and "hash" not in plan, plan


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_an_import_gives_the_connection_its_page_caches_back(actor, village, tmp_path):  # noqa: F811
    path = tmp_path / "roster.xlsx"
    office_roster(path, village, two_households(ids(4, start=1900)))

    def caches():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            main = cursor.fetchone()[0]
            cursor.execute("PRAGMA temp.cache_size")
            return main, cursor.fetchone()[0]

    before = caches()
    assert import_run(actor=actor("office"), kind="households", path=path).written
    assert caches() == before


def test_awkward_text_json_and_times_are_stored_as_a_bound_insert_stores_them(db, monkeypatch):
    """Tabs, line breaks, backslashes, COPY's own markers, emoji, JSON of every shape and
    times in other zones: sent in a batch (SQLite staged, PostgreSQL by COPY) as stored by
    one INSERT with bound values."""
    import datetime as dt

    from minqing.documents.imports.households import HOUSEHOLD_COLUMNS

    monkeypatch.setattr(bulk, "STAGE_FROM", 1)
    region = Region.objects.filter(code__startswith="431123", level=Region.Level.VILLAGE).first()
    texts = ["a\tb", "l1\nl2", "cr\rx", "\\", "\\N", "\\.", "x\n\\.\ny", "", "中文\u3000", "😀𠀀", "q'\""]
    jsons = ["[]", '["farming"]', '"[]"', "null", '{"a": "\\t"}', "[1, 2.5, true]"]
    zones = [dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=8, minutes=5))]
    stamp = connection.ops.adapt_datetimefield_value

    def rows(ids, tag):
        return [
            (
                i,
                f"AWK-{tag}-{k}",
                region.pk,
                texts[k % len(texts)],
                1 + k % 5,
                "average",
                jsons[k % len(jsons)],
                k % 4,
                texts[(k + 3) % len(texts)],
                None,
                stamp(dt.datetime(2026, 3, 8, 9, 30, tzinfo=zones[k % 3])),
                stamp(dt.datetime(1999, 12, 31, 23, 59, tzinfo=zones[(k + 1) % 3])),
            )
            for k, i in enumerate(ids)
        ]

    text = "::text" if connection.vendor == "postgresql" else ""
    shape = "jsonb_typeof" if connection.vendor == "postgresql" else "json_type"
    read = (
        f"SELECT {', '.join(c + text for c in HOUSEHOLD_COLUMNS[2:])}, {shape}(income_sources) "  # noqa: S608
        "FROM people_household WHERE code LIKE %s ORDER BY id"
    )
    names = ", ".join(HOUSEHOLD_COLUMNS)
    with transaction.atomic():
        batch = allocate_ids(Household, 22)
        with Inserter() as inserter:
            inserter.add(Household, HOUSEHOLD_COLUMNS, rows(batch, "B"))
        bound = allocate_ids(Household, 22)
        with connection.cursor() as cursor:
            for row in rows(bound, "D"):
                cursor.execute(
                    f"INSERT INTO people_household ({names}) VALUES ({', '.join(['%s'] * len(row))})",  # noqa: S608
                    row,
                )
            cursor.execute(read, ["AWK-B-%"])
            sent = cursor.fetchall()
            cursor.execute(read, ["AWK-D-%"])
            direct = cursor.fetchall()
    assert len(sent) == 22 and sent == direct
    # A JSON array, a JSON string ("string" to PostgreSQL, "text" to SQLite), null, an object.
    assert {row[-1] for row in sent} >= {"array", "null", "object"}
    assert {row[-1] for row in sent} & {"string", "text"}
    assert no_stage_left()


def test_a_csv_cell_that_starts_with_a_quote_keeps_its_quotes(actor, village, tmp_path):  # noqa: F811
    # As Excel saves it: a quote inside a quoted cell written twice, here at the cell's start.
    number = ids(1, start=2000)[0]
    where = f"{village['village'].name},{village['group'].name}"
    path = tmp_path / "quotes.csv"
    path.write_text(
        "户编号,姓名,身份证号,村,组,与户主关系,家庭住址\r\n"
        f'QUO-0001,引号,{number},{where},户主,"""老屋"" 9号"\r\n',
        encoding="utf-8",
    )
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert report.written, report.messages()
    assert Household.objects.get(code="QUO-0001").address == '"老屋" 9号'


def test_the_page_says_so_when_a_file_changes_nothing_and_when_a_spent_upload_comes_back(
    client_as,
    village,  # noqa: F811
    tmp_path,
):
    path = tmp_path / "roster.xlsx"
    office_roster(path, village, two_households(ids(4, start=2100)))
    client = client_as("office")

    def check_and_confirm():
        with open(path, "rb") as fh:
            token = client.post("/imports/households/", {"file": fh}).context["token"]
        with translation.override("en"):
            return token, client.post(
                "/imports/households/confirm/", {"token": token}, HTTP_ACCEPT_LANGUAGE="en"
            )

    _token, first = check_and_confirm()
    assert first.context["report"].changed and "rows imported" in first.content.decode()
    token, again = check_and_confirm()
    page = again.content.decode()
    assert again.context["report"].written and not again.context["report"].changed
    assert "already recorded, nothing was changed" in page and "rows imported" not in page
    # The same confirmation sent again (a reload): not "expired" alone, but where to look.
    back = client.post(
        "/imports/households/confirm/", {"token": token}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert "already been imported, or it has expired" in back.content.decode()


def test_a_row_error_names_the_column_as_the_file_heads_it(actor, village, tmp_path):  # noqa: F811
    path = tmp_path / "unknown.csv"
    path.write_text(
        "户编号,姓名,身份证号,村（社区）,组,与户主关系\r\n"
        f"UNK-0001,无村,{ids(1, start=2200)[0]},没有这个村,一组,户主\r\n",
        encoding="utf-8",
    )
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert not report.written and [e.column for e in report.errors] == ["村（社区）"], report.errors
