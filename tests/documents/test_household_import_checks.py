"""The household roster's numbers and economic status, as review found them: a dry run says
which households the system will number (and the written import which it numbered); a 户编号
formed from another village's code is a row error; a list without 经济状况 stores "not given",
not a guess of 一般."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.html import escape

from minqing.core.personal import IdNumber, lookup_hash_for
from minqing.documents.imports.engine import import_run
from minqing.geo.models import Region
from minqing.people.models import EconomicStatus, Household, Member
from tests.documents.test_imports import counts, ids


@pytest.fixture
def village(db):
    """The first village of the office's county (双牌县) with its township and first group."""
    region = (
        Region.objects.filter(code__startswith="431123", level=Region.Level.VILLAGE).order_by("code").first()
    )
    return {"village": region, "township": region.parent, "group": region.children.order_by("code").first()}


def _heads(path, village, rows, *, economy=None):
    """A list of heads (户主姓名, 身份证号, 村, 组, and 户编号 when a row gives one)."""
    header = "户编号,户主姓名,身份证号,所属村,组" + (",经济状况" if economy is not None else "")
    lines = [header]
    for k, (code, name, number) in enumerate(rows):
        line = f"{code},{name},{number},{village['village'].name},{village['group'].name}"
        if economy is not None:
            line += f",{economy[k]}"
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _household_of(number: str) -> Household:
    return Member.objects.get(id_number_hash=lookup_hash_for(IdNumber, number)).household


# The households the system numbers ------------------------------------------------------


def test_a_dry_run_names_the_households_the_system_will_number_and_the_import_those_it_numbered(
    actor, village, tmp_path
):
    numbers = ids(3, start=1200)
    path = tmp_path / "heads.csv"
    _heads(
        path,
        village,
        [("", "编号甲", numbers[0]), ("IMP-7001", "编号乙", numbers[1]), ("", "编号丙", numbers[2])],
    )
    before = counts()
    with translation.override("en"):
        dry = import_run(actor=actor("office"), kind="households", path=path, dry_run=True)
    assert dry.ok and not dry.written and counts() == before, dry.messages()
    assert dry.counts["households_created"] == 3 and dry.counts["households_numbered"] == 2
    (note,) = dry.notes
    assert note.startswith("2 households have no 户编号: the system will number them")
    assert "row 2: " in note and "row 4: " in note and "row 3" not in note

    with translation.override("en"):
        done = import_run(actor=actor("office"), kind="households", path=path)
    assert done.written, done.messages()
    first, third = _household_of(numbers[0]), _household_of(numbers[2])
    assert first.code.startswith(village["village"].code + "-")
    # The dry run said the numbers the import then gave (nothing else was numbered between).
    assert f"row 2: {first.code}" in note and f"row 4: {third.code}" in note
    (written,) = done.notes
    assert written.startswith("2 households had no 户编号 and were numbered by the system")
    assert f"row 2: {first.code}" in written and f"row 4: {third.code}" in written
    # Imported again, every household is found: none is numbered, nothing is said.
    again = import_run(actor=actor("office"), kind="households", path=path, dry_run=True)
    assert again.counts["households_numbered"] == 0 and again.notes == []


def test_a_long_list_without_numbers_names_its_first_rows_and_counts_the_rest(actor, village, tmp_path):
    numbers = ids(13, start=1300)
    path = tmp_path / "heads.csv"
    _heads(path, village, [("", f"长单{k}", number) for k, number in enumerate(numbers)])
    with translation.override("en"):
        dry = import_run(actor=actor("office"), kind="households", path=path, dry_run=True)
    (note,) = dry.notes
    assert dry.counts["households_numbered"] == 13
    assert note.startswith("13 households have no 户编号") and note.endswith("; 3 more households.")
    assert "row 11: " in note and "row 12: " not in note


def test_the_page_the_command_and_the_api_show_the_households_to_number(client_as, village, tmp_path):
    numbers = ids(2, start=1400)
    path = tmp_path / "heads.csv"
    _heads(path, village, [("", "页面甲", numbers[0]), ("", "页面乙", numbers[1])])
    client = client_as("office")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with open(path, "rb") as fh:
        response = client.post("/imports/households/", {"file": fh})
    with translation.override("en"):
        out = io.StringIO()
        call_command("import", "households", str(path), "--dry-run", "--quiet", stdout=out)
    report = response.context["report"]
    assert report.notes and "import-note" in response.content.decode()
    assert escape(report.notes[0]) in response.content.decode()
    assert "2 households have no 户编号" in out.getvalue() and "row 3: " in out.getvalue()
    assert not Member.objects.filter(name="页面甲").exists()


# A number of another village -------------------------------------------------------------


def test_a_number_formed_from_another_villages_code_is_a_row_error(actor, village, tmp_path):
    other = (
        Region.objects.filter(parent=village["township"], level=Region.Level.VILLAGE)
        .exclude(pk=village["village"].pk)
        .order_by("code")
        .first()
    )
    numbers = ids(3, start=1500)
    path = tmp_path / "heads.csv"
    _heads(
        path,
        village,
        [
            (f"{village['village'].code}-8801", "本村号", numbers[0]),
            (f"{other.code}-8802", "别村号", numbers[1]),
            ("SELF-8803", "自编号", numbers[2]),
        ],
    )
    before = counts()
    with translation.override("en"):
        report = import_run(actor=actor("office"), kind="households", path=path)
    assert not report.written and counts() == before
    assert [(e.row, e.column) for e in report.errors] == [(3, "户编号")]
    message = report.errors[0].message
    assert message.startswith(f"This household number begins with the region code {other.code}, which is not")
    assert f"{village['village'].name} ({village['village'].code})" in message
    # With the number of its own village the file imports (a number of another form too).
    _heads(
        path,
        village,
        [
            (f"{village['village'].code}-8801", "本村号", numbers[0]),
            (f"{village['village'].code}-8802", "别村号", numbers[1]),
            ("SELF-8803", "自编号", numbers[2]),
        ],
    )
    assert import_run(actor=actor("office"), kind="households", path=path).written


def test_a_household_stored_with_another_villages_number_still_imports_where_it_is(actor, village, tmp_path):
    """A record made before the check (or by hand) is not made impossible to import again; the
    list may not move a household to a village its number does not name, though."""
    other = (
        Region.objects.filter(parent=village["township"], level=Region.Level.VILLAGE)
        .exclude(pk=village["village"].pk)
        .order_by("code")
        .first()
    )
    old = Household.objects.create(code=f"{other.code}-8901", region=village["group"], address="旧档")
    number = ids(1, start=1600)[0]
    Member.objects.create(household=old, name="旧档户主", relation="head", id_number=IdNumber(number))
    path = tmp_path / "heads.csv"
    _heads(path, village, [(old.code, "旧档户主", number)])
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert report.written and report.counts["households_unchanged"] == 1, report.messages()
    # The number of this village, listed under the other one: refused.
    own = Household.objects.create(
        code=f"{village['village'].code}-8902", region=village["group"], address="本村"
    )
    moved = {"village": other, "group": other.children.order_by("code").first()}
    _heads(path, moved, [(own.code, "搬走户主", ids(1, start=1601)[0])])
    report = import_run(actor=actor("office"), kind="households", path=path, dry_run=True)
    assert [(e.row, e.column) for e in report.errors] == [(2, "户编号")]


def test_the_demos_households_import_again_with_their_numbers(actor, tmp_path):
    """Every demo household's number is its village's code and a serial: a list of them, with
    their township, village and group, passes the check."""
    households = Household.objects.filter(region__code__startswith="431123").select_related(
        "region__parent__parent", "head"
    )
    lines = ["户编号,乡镇,所属村,组,户主姓名,身份证号"]
    for h in households:
        group, number = h.region, h.head.id_number.reveal() if h.head.id_number else ""
        lines.append(
            f"{h.code},{group.parent.parent.name},{group.parent.name},{group.name},{h.head.name},{number}"
        )
    path = tmp_path / "demo.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_run(actor=actor("office"), kind="households", path=path, dry_run=True)
    assert report.ok, report.messages()[:5]
    assert report.counts["households_unchanged"] == len(lines) - 1 > 100
    assert report.counts["members_created"] == 0


# Economic status --------------------------------------------------------------------------


def test_a_list_without_economic_status_stores_not_given_and_imports_again_unchanged(
    actor, village, tmp_path
):
    numbers = ids(2, start=1700)
    path = tmp_path / "heads.csv"
    _heads(path, village, [("", "经济甲", numbers[0]), ("", "经济乙", numbers[1])])
    assert import_run(actor=actor("office"), kind="households", path=path).written
    household = _household_of(numbers[0])
    assert household.economic_status == EconomicStatus.UNKNOWN
    with translation.override("en"):
        assert household.get_economic_status_display() == "Not given"
    before = counts()
    again = import_run(actor=actor("office"), kind="households", path=path)
    assert again.counts["households_unchanged"] == 2 and not again.changed and counts() == before
    # A list that gives it sets it; one without the column (or with 未填 from an export) again
    # leaves a household's status as recorded, or says it is not given.
    _heads(path, village, [("", "经济甲", numbers[0]), ("", "经济乙", numbers[1])], economy=["困难", "未填"])
    changed = import_run(actor=actor("office"), kind="households", path=path)
    assert changed.counts["households_updated"] == 1 and changed.counts["households_unchanged"] == 1
    assert _household_of(numbers[0]).economic_status == EconomicStatus.POOR
    assert _household_of(numbers[1]).economic_status == EconomicStatus.UNKNOWN
    _heads(path, village, [("", "经济甲", numbers[0])])
    assert import_run(actor=actor("office"), kind="households", path=path).counts["households_unchanged"] == 1
    assert _household_of(numbers[0]).economic_status == EconomicStatus.POOR


def test_the_household_page_says_the_economic_status_is_not_given(client_as, actor, village, tmp_path):
    number = ids(1, start=1800)[0]
    path = tmp_path / "heads.csv"
    _heads(path, village, [("", "页面经济", number)])
    assert import_run(actor=actor("office"), kind="households", path=path).written
    household = _household_of(number)
    client = client_as("office")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/people/households/{household.pk}/").content.decode()
    assert "Not given" in html and "Average" not in html


# A column the list does not have --------------------------------------------------------


def test_a_list_without_the_hardship_column_leaves_each_households_grading_as_it_is(actor, village, tmp_path):
    numbers = ids(2, start=1900)
    path = tmp_path / "graded.csv"
    place = f"{village['village'].name},{village['group'].name}"
    path.write_text(
        f"户主姓名,身份证号,所属村,组,困难等级\n分级甲,{numbers[0]},{place},特别困难\n分级乙,{numbers[1]},{place},\n",
        encoding="utf-8",
    )
    assert import_run(actor=actor("office"), kind="households", path=path).written
    graded = _household_of(numbers[0])
    assert graded.hardship_level == 3 and graded.gradings.count() == 1
    # The same households in a list that has no 困难等级 column: nobody is graded anew.
    _heads(path, village, [("", "分级甲", numbers[0]), ("", "分级乙", numbers[1])])
    before = counts()
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert report.counts["households_unchanged"] == 2 and not report.changed, report.counts
    graded.refresh_from_db()
    assert graded.hardship_level == 3 and counts() == before
    # With the column and an empty cell, the list says "not in hardship".
    path.write_text(f"户主姓名,身份证号,所属村,组,困难等级\n分级甲,{numbers[0]},{place},\n", encoding="utf-8")
    assert import_run(actor=actor("office"), kind="households", path=path).counts["households_updated"] == 1
    graded.refresh_from_db()
    assert graded.hardship_level == 0


# A list without the village column: the village its 户编号 names ------------------------


def _without_village(path, rows):
    """A list of heads with 户编号, 户主姓名, 身份证号, 地址 and 备注, and no 村 column."""
    lines = ["户编号,户主姓名,身份证号,地址,备注"]
    lines += [f"{code},{name},{number},{address},{note}" for code, name, number, address, note in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_list_without_villages_places_each_household_in_the_village_its_number_names(
    client_as, actor, village, tmp_path
):
    numbers = ids(2, start=1700)
    code = village["village"].code
    path = tmp_path / "heads.csv"
    address = f"{village['township'].name}{village['village'].name}一组15号"
    _without_village(
        path,
        [
            (f"{code}-0901", "无村甲", numbers[0], address, "因病致贫"),
            (f"{code}-0902", "无村乙", numbers[1], address, ""),
        ],
    )
    before = counts()
    with translation.override("en"):
        dry = import_run(actor=actor("office"), kind="households", path=path, dry_run=True)
    assert dry.ok and counts() == before, dry.messages()
    (note,) = dry.notes
    assert note.startswith("2 households name no village: each is placed in the village whose code")
    assert f"row 2: {village['village'].name}" in note and f"row 3: {village['village'].name}" in note

    done = import_run(actor=actor("office"), kind="households", path=path)
    assert done.written, done.messages()
    household = Household.objects.get(code=f"{code}-0901")
    assert household.region_id == code and household.address == address
    assert household.note == "因病致贫"
    # The import's 备注 shows on the household's page.
    html = client_as("office").get(f"/people/households/{household.pk}/").content.decode()
    assert "因病致贫" in html


def test_without_a_village_a_number_that_names_none_the_importer_reaches_is_still_refused(
    actor, village, tmp_path
):
    outside = Region.objects.filter(level=Region.Level.VILLAGE).exclude(code__startswith="431123").first()
    numbers = ids(3, start=1750)
    address = f"{village['township'].name}{village['village'].name}一组15号"
    path = tmp_path / "heads.csv"
    _without_village(
        path,
        [
            (f"{outside.code}-0901", "外村号", numbers[0], address, ""),
            (f"{village['township'].code}-0902", "乡镇号", numbers[1], address, ""),
            ("SELF-0903", "自编号", numbers[2], address, ""),  # the address names the village: no guess
        ],
    )
    before = counts()
    with translation.override("en"):
        report = import_run(actor=actor("office"), kind="households", path=path, dry_run=True)
    assert counts() == before and report.notes == []
    assert [e.row for e in report.errors] == [2, 3, 4]
    assert {e.message for e in report.errors} == {"Give the village (or the region code)."}


def test_a_village_the_row_names_wins_over_its_number(actor, village, tmp_path):
    """With the village column the row's village is taken (a number of another village is then
    refused, as before), and nothing is said of numbers."""
    numbers = ids(1, start=1780)
    path = tmp_path / "heads.csv"
    _heads(path, village, [(f"{village['village'].code}-0904", "有村号", numbers[0])])
    report = import_run(actor=actor("office"), kind="households", path=path, dry_run=True)
    assert report.ok and report.notes == [], report.messages()


# The township a row names ----------------------------------------------------------------


@pytest.fixture
def other_township(village):
    """A second township of the county (the test county has one), with a village of its own."""
    county = village["township"].parent
    township = Region.objects.create(
        code="431123188000", name="横岭镇", level=Region.Level.TOWNSHIP, parent=county
    )
    Region.objects.create(code="431123188201", name="横岭村", level=Region.Level.VILLAGE, parent=township)
    return township


def _with_township(path, village, rows, *, with_village=True):
    """A list of heads with 户编号, 乡镇, (村, 组,) 户主姓名 and 身份证号."""
    header = "户编号,乡镇," + ("所属村,组," if with_village else "") + "户主姓名,身份证号"
    place = f"{village['village'].name},{village['group'].name}," if with_village else ""
    lines = [header] + [f"{code},{township},{place}{name},{number}" for code, township, name, number in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_township_that_is_not_the_villages_is_a_row_error(actor, village, other_township, tmp_path):
    numbers = ids(4, start=2000)
    code = village["village"].code
    township = village["township"].name
    path = tmp_path / "heads.csv"
    _with_township(
        path,
        village,
        [
            (f"{code}-7701", township, "本乡甲", numbers[0]),
            (f"{code}-7702", other_township.name, "他乡乙", numbers[1]),
            (f"{code}-7703", "没有这个乡", "错乡丙", numbers[2]),
            # Written with 人民政府 after it: the same township.
            (f"{code}-7704", township + "人民政府", "本乡丁", numbers[3]),
        ],
    )
    before = counts()
    with translation.override("en"):
        report = import_run(actor=actor("office"), kind="households", path=path)
    assert not report.written and counts() == before
    assert [(e.row, e.column) for e in report.errors] == [(3, "乡镇"), (4, "乡镇")]
    message = report.errors[0].message
    assert message == (
        f"“{other_township.name}” is not the township of the row's village, {village['village'].name} "
        f"({code}), which lies in {township}."
    )
    # With the village's own township, as lists write it (without its 乡, or with 人民政府 after
    # it), the file imports.
    _with_township(
        path,
        village,
        [
            (f"{code}-7701", township, "本乡甲", numbers[0]),
            (f"{code}-7702", township[:-1], "他乡乙", numbers[1]),
            (f"{code}-7703", township + "人民政府", "错乡丙", numbers[2]),
        ],
    )
    assert import_run(actor=actor("office"), kind="households", path=path).written


def test_a_township_that_is_not_that_of_the_village_the_number_names_is_a_row_error(
    actor, village, other_township, tmp_path
):
    numbers = ids(2, start=2100)
    code = village["village"].code
    path = tmp_path / "heads.csv"
    _with_township(
        path,
        village,
        [
            (f"{code}-7801", village["township"].name, "号村甲", numbers[0]),
            (f"{code}-7802", other_township.name, "号村乙", numbers[1]),
        ],
        with_village=False,
    )
    with translation.override("en"):
        report = import_run(actor=actor("office"), kind="households", path=path, dry_run=True)
    assert [(e.row, e.column) for e in report.errors] == [(3, "乡镇")]
    assert report.errors[0].message == (
        f"“{other_township.name}” is not the township of {village['village'].name} ({code}), the village "
        f"the 户编号 names: that village lies in {village['township'].name}."
    )


def test_the_township_is_checked_once_per_place_not_per_row(actor, village, other_township, tmp_path):
    """Rows share their places: the queries of a check do not grow with the rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    code = village["village"].code

    def queries(n):
        numbers = ids(n, start=2200 + 100 * n)
        path = tmp_path / f"heads{n}.csv"
        rows = [
            (
                f"{code}-{7900 + k}",
                other_township.name if k % 2 else village["township"].name,
                f"查{k}",
                number,
            )
            for k, number in enumerate(numbers)
        ]
        _with_township(path, village, rows)
        with CaptureQueriesContext(connection) as captured:
            report = import_run(actor=actor("office"), kind="households", path=path, dry_run=True)
        assert [e.row for e in report.errors] == [k + 2 for k in range(n) if k % 2]
        return len(captured)

    assert queries(4) == queries(40)


def test_same_named_villages_are_told_apart_by_the_township_as_lists_write_it(
    actor, village, other_township, tmp_path
):
    """The township that tells two 横岭村 apart may be written without its 镇, or as its
    office (街道办, 管委会); a township that has no village of the name is said so (before: the
    stem found no township and the row was called outside the importer's area)."""
    Region.objects.create(
        code="431123188202", name="城关村", level=Region.Level.VILLAGE, parent=other_township
    )
    street = Region.objects.create(
        code="431123189000", name="城关街道", level=Region.Level.TOWNSHIP, parent=village["township"].parent
    )
    Region.objects.create(code="431123189201", name="城关村", level=Region.Level.VILLAGE, parent=street)
    numbers = ids(3, start=2300)
    path = tmp_path / "heads.csv"
    path.write_text(
        "乡镇,所属村,户主姓名,身份证号\n"
        f"横岭,城关村,横岭甲,{numbers[0]}\n"
        f"城关街道办,城关村,城关乙,{numbers[1]}\n"
        f"{village['township'].name},城关村,本乡丙,{numbers[2]}\n",
        encoding="utf-8",
    )
    with translation.override("en"):
        report = import_run(actor=actor("office"), kind="households", path=path, dry_run=True)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (4, "乡镇", f"No village of this name lies in “{village['township'].name}”.")
    ]
