"""Importing the lists offices keep: their real layouts, all-or-nothing writes, re-imports
that change nothing, numbers Excel mangled, hostile files, scope and permissions."""

import datetime as dt
import io
import zipfile

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import translation

from minqing.core.identity import id_check_char
from minqing.core.models import AuditEvent
from minqing.core.personal import IdNumber, lookup_hash_for
from minqing.documents.imports.engine import id_ranges, import_run
from minqing.geo.models import Region
from minqing.org.models import Account, Cadre
from minqing.people.models import HardshipGrading, Household, Member, Tagging
from minqing.programs.models import Campaign, LiaisonPoint, Pairing
from minqing.programs.selectors import campaign_cadres


def make_id(seq: int, birth: dt.date = dt.date(1936, 3, 1)) -> str:
    first17 = f"431123{birth:%Y%m%d}{seq // 10 % 100:02d}{seq % 10}"
    return first17 + id_check_char(first17)


def ids(n: int, start: int = 0) -> list[str]:
    """n valid ID numbers that no demo resident has (born 1930-1939; the demo's are younger)."""
    result = []
    for k in range(start, start + n):
        birth = dt.date(1930 + k // 3000 % 10, 1 + k // 100 % 12, 1 + k // 1000 % 3)
        result.append(make_id(k % 1000, birth))
    return result


def counts():
    return (
        Household.objects.count(),
        Member.objects.count(),
        HardshipGrading.objects.count(),
        Tagging.objects.count(),
        Cadre.objects.count(),
        LiaisonPoint.objects.count(),
        Pairing.objects.count(),
        Region.objects.count(),
    )


@pytest.fixture
def village(db):
    """A village of the office's county (双牌县) with its township and first group."""
    region = (
        Region.objects.filter(code__startswith="431123", level=Region.Level.VILLAGE).order_by("code").first()
    )
    return {
        "village": region,
        "township": region.parent,
        "group": region.children.order_by("code").first(),
    }


def office_roster(path, village, people, *, traditional_name=False):
    """The layout of a township's own roster: title, filing line, two header rows with a merged
    group, household cells merged down over the member rows, a 合计 row, a blank row."""
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, 9, "双牌县江村镇农户家庭成员花名册")
    sheet.merge_range(1, 0, 1, 9, "填报单位（盖章）：江村镇人民政府      填报日期：2026年4月10日")
    # Two header rows: single headings merged over both, a group over its two parts.
    for col, heading in enumerate(
        [
            "序号",
            "户编号",
            "村（社区）",
            "村民小组",
            "家庭住址",
            "困难程度",
            "成员姓名",
            "与户主关系",
            "公民身份号码",
        ]
    ):
        sheet.merge_range(2, col, 3, col, heading)
    sheet.merge_range(2, 9, 2, 10, "联系方式")
    sheet.write(3, 9, "手机")
    sheet.write(3, 10, "固定电话")
    row = 4
    for number, household in enumerate(people, start=1):
        members = household["members"]
        last = row + len(members) - 1
        for col, value in (
            (0, str(number)),
            (1, household["code"]),
            (2, village["village"].name),
            (3, village["group"].name),
            (4, household["address"]),
            (5, household["hardship"]),
        ):
            if last > row:
                sheet.merge_range(row, col, last, col, value)
            else:
                sheet.write_string(row, col, value)
        for name, relation, number_text, phone in members:
            sheet.write_string(row, 6, name)
            sheet.write_string(row, 7, relation)
            sheet.write_string(row, 8, number_text)
            if phone:
                sheet.write_string(row, 9, phone)
            row += 1
    row += 1  # a blank row
    sheet.write_string(row, 0, "合计")
    sheet.write_number(row, 6, sum(len(h["members"]) for h in people))
    book.close()


def two_households(numbers):
    return [
        {
            "code": "IMP-0001",
            "address": "江村镇桐木村一组8号",
            "hardship": "特别困难",
            "members": [
                ("張 三", "户主", numbers[0], "１３８ 1234 5678"),
                ("李四", "妻", numbers[1], ""),
                ("张小五", "子", numbers[2], ""),
            ],
        },
        {
            "code": "IMP-0002",
            "address": "江村镇桐木村一组9号",
            "hardship": "",
            "members": [("王六", "户主", numbers[3], "13912345678"), ("王七", "女", "", "")],
        },
    ]


def test_a_roster_with_title_filing_line_two_row_header_and_merged_households_imports(
    actor, village, tmp_path
):
    numbers = ids(4)
    path = tmp_path / "花名册.xlsx"
    office_roster(path, village, two_households(numbers))
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert report.ok, report.messages()
    assert report.written
    assert report.counts["households_created"] == 2 and report.counts["members_created"] == 5
    first = Household.objects.get(code="IMP-0001")
    assert first.region_id == village["group"].code
    assert first.hardship_level == 3 and first.size == 3
    assert first.gradings.get().level == 3
    head = first.head
    assert head.name == "张三" and head.relation == "head"  # Traditional → Simplified, stray space gone
    assert head.phone.reveal() == "13812345678"  # full-width digits and spaces
    assert head.birth_date == dt.date(1936, 1, 1) or head.birth_date is not None
    assert {m.name for m in first.members.all()} == {"张三", "李四", "张小五"}
    second = Household.objects.get(code="IMP-0002")
    assert second.members.count() == 2 and second.head.name == "王六"
    event = AuditEvent.objects.filter(action="import.households").latest("id")
    assert event.detail["file"] == "花名册.xlsx" and event.detail["households_created"] == 2
    # Each record traces back to the import that made it: the audit row lists the ids.
    assert event.detail["households_created_ids"] == id_ranges([first.pk, second.pk])
    assert event.detail["members_created_ids"] == id_ranges(
        Member.objects.filter(household__in=[first, second]).values_list("pk", flat=True)
    )
    assert "households_updated_ids" not in event.detail


def test_id_ranges_compress_runs_and_list_codes():
    assert id_ranges([9, 1, 2, 3, 7, 10, 3]) == "1-3,7,9-10"
    assert id_ranges([5]) == "5" and id_ranges([]) == ""
    assert id_ranges(["431123100201", "431123100200"]) == "431123100200,431123100201"


def test_reimporting_the_same_file_twice_creates_nothing_new(actor, village, tmp_path):
    path = tmp_path / "roster.xlsx"
    office_roster(path, village, two_households(ids(4)))
    import_run(actor=actor("office"), kind="households", path=path)
    before = counts()
    for _ in range(2):
        report = import_run(actor=actor("office"), kind="households", path=path)
        assert report.ok
        assert report.counts["households_created"] == 0 and report.counts["members_created"] == 0
        assert report.counts["households_unchanged"] == 2 and report.counts["members_unchanged"] == 5
    assert counts() == before


def test_a_reimport_with_a_new_name_phone_and_hardship_changes_those_and_nothing_else(
    actor, village, tmp_path
):
    numbers = ids(4, start=60)
    path = tmp_path / "roster.xlsx"
    office_roster(path, village, two_households(numbers))
    import_run(actor=actor("office"), kind="households", path=path)
    before = counts()
    changed = two_households(numbers)
    changed[0]["hardship"] = "一般困难"
    changed[1]["members"][0] = ("王六一", "户主", numbers[3], "13700001111")
    office_roster(path, village, changed)
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert report.ok, report.messages()
    assert report.counts["households_updated"] == 1 and report.counts["households_unchanged"] == 1
    assert report.counts["members_updated"] == 1 and report.counts["members_unchanged"] == 4
    member = Member.objects.get(id_number_hash=lookup_hash_for(IdNumber, numbers[3]))
    assert member.name == "王六一" and member.name_initials == "wly"
    assert member.phone.reveal() == "13700001111"
    first = Household.objects.get(code="IMP-0001")
    assert first.hardship_level == 1
    assert [(g.previous_level, g.level) for g in first.gradings.order_by("id")] == [(0, 3), (3, 1)]
    # One more grading; no household or member added.
    assert counts()[:2] == before[:2] and counts()[2] == before[2] + 1


def test_a_household_without_a_number_is_matched_again_by_its_heads_id_number(actor, village, tmp_path):
    numbers = ids(2, start=40)
    path = tmp_path / "heads.csv"
    path.write_text(
        "户主姓名,身份证号,所属村,组,人口,困难等级\n"
        f"赵大,{numbers[0]},{village['village'].name},{village['group'].name},2,一般困难\n"
        f"钱二,{numbers[1]},{village['village'].name},,1,\n",
        encoding="utf-8",
    )
    first = import_run(actor=actor("office"), kind="households", path=path)
    assert first.ok and first.counts["households_created"] == 2, first.messages()
    household = Member.objects.get(id_number_hash=lookup_hash_for(IdNumber, numbers[0])).household
    assert household.code.startswith(village["village"].code + "-") and household.size == 2
    before = counts()
    again = import_run(actor=actor("office"), kind="households", path=path)
    assert again.counts["households_unchanged"] == 2 and counts() == before


def test_a_malformed_file_reports_every_error_with_its_row_and_leaves_the_database_unchanged(
    actor, village, tmp_path
):
    good = ids(3, start=100)
    bad_check = good[2][:17] + ("0" if good[2][17] != "0" else "1")
    name = village["village"].name
    path = tmp_path / "bad.csv"
    path.write_text(
        "户编号,姓名,身份证号,联系电话,村,困难等级,与户主关系\n"
        f"BAD-1,甲,{good[0]},13800000000,{name},一般困难,户主\n"
        f"BAD-2,乙,{bad_check},,{name},,户主\n"
        f"BAD-3,丙,{good[1]},12345,{name},,户主\n"
        f"BAD-4,丁,,,没有这个村,,户主\n"
        f"BAD-5,戊,,,{name},很困难,户主\n"
        f"BAD-6,,{good[1]},,{name},,户主\n",
        encoding="utf-8",
    )
    before, audit_before = counts(), AuditEvent.objects.count()
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert not report.written
    found = {(e.row, e.column) for e in report.errors}
    assert {
        (3, "身份证号"),
        (4, "联系电话"),
        (5, "村"),
        (6, "困难等级"),
        (7, "姓名"),
        (7, "身份证号"),
    } <= found
    assert all(e.message for e in report.errors)
    assert counts() == before
    # Nothing written but the run's own audit row, which says what was refused.
    assert AuditEvent.objects.count() == audit_before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.result) == ("import.households", "failed")
    assert event.detail["errors"] == len(report.errors) and not event.detail["dry_run"]


def test_a_file_with_one_bad_row_in_a_thousand_writes_nothing(actor, village, tmp_path):
    numbers = ids(1000, start=2000)
    lines = ["户编号,姓名,身份证号,村,组,与户主关系"]
    for k, number in enumerate(numbers):
        if k == 637:
            number = number[:-1] + ("X" if number[-1] != "X" else "0")
        lines.append(f"K{k:04d},居民{k},{number},{village['village'].name},{village['group'].name},户主")
    path = tmp_path / "thousand.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    before = counts()
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert report.rows == 1000
    assert [(e.row, e.column) for e in report.errors] == [(639, "身份证号")]
    assert not report.written and counts() == before


def test_an_id_number_that_excel_stored_as_a_number_is_reported_and_never_guessed(actor, village, tmp_path):
    path = tmp_path / "numbers.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "身份证号", "村", "与户主关系"])
    sheet.write_row(1, 0, ["甲", "", village["village"].name, "户主"])
    sheet.write_number(1, 1, 431123198507150123)
    sheet.write_row(2, 0, ["乙", "", village["village"].name, "户主"])
    sheet.write_number(2, 1, 431123193601010000)
    book.close()
    csv_path = tmp_path / "numbers.csv"
    csv_path.write_text(
        f"姓名,身份证号,村,与户主关系\n丙,4.31123E+17,{village['village'].name},户主\n", encoding="utf-8"
    )
    before = counts()
    for file, rows in ((path, [2, 3]), (csv_path, [2])):
        report = import_run(actor=actor("office"), kind="households", path=file)
        assert [e.row for e in report.errors] == rows
        assert all("Excel" in e.message for e in report.errors)
    assert counts() == before


def test_a_gbk_csv_with_blank_household_cells_and_subtotals_imports(actor, village, tmp_path):
    numbers = ids(3, start=300)
    name, group = village["village"].name, village["group"].name
    text = (
        "江村镇困难群众台账\n"
        "填报单位：江村镇,,,,,,\n"
        "序号,戶編號,村,組,姓名,與戶主關係,身份證號,人員類別\n"
        f"1,GBK-1,{name},{group},孫大,戶主,{numbers[0]},低保户\n"
        f",,,,孫二,子,{numbers[1]},留守兒童、低保户\n"
        "小计,,,,,,,\n"
        f"2,GBK-2,{name},{group},周三,户主,{numbers[2]},\n"
        "合计,,,,3人,,,\n"
        "填表人：李某,,,,,,,\n"
    )
    path = tmp_path / "gbk.csv"
    path.write_bytes(text.encode("gbk"))
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert report.ok, report.messages()
    assert report.counts["households_created"] == 2 and report.counts["members_created"] == 3
    household = Household.objects.get(code="GBK-1")
    assert sorted(m.name for m in household.members.all()) == ["孙二", "孙大"]
    # 低保户 is the household's, once, though two rows name it; 留守儿童 is the child's.
    assert sorted(household.taggings.values_list("tag", "member__name")) == [
        ("dibao", None),
        ("left_behind_child", "孙二"),
    ]
    before = counts()
    assert import_run(actor=actor("office"), kind="households", path=path).ok
    assert counts() == before


def test_a_household_outside_the_importers_area_is_a_row_error(actor, tmp_path):
    from minqing.org.models import Grant

    own = Grant.objects.get(account__username="village").regions.get()
    outside = (
        Region.objects.filter(code__startswith="431123", level=Region.Level.VILLAGE)
        .exclude(code=own.code)
        .exclude(name=own.name)
        .first()
    )
    path = tmp_path / "scope.csv"
    path.write_text(
        f"姓名,身份证号,村,与户主关系\n甲,{ids(1, start=500)[0]},{outside.name},户主\n", encoding="utf-8"
    )
    before = counts()
    report = import_run(actor=actor("village"), kind="households", path=path)
    assert [(e.row, e.column) for e in report.errors] == [(2, "村")]
    assert counts() == before


def test_an_account_without_the_permission_cannot_import(actor, village, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("姓名,村\n甲,乙\n", encoding="utf-8")
    for username, kind in (
        ("cadre", "households"),
        ("village", "cadres"),
        ("leader", "points"),
        ("cadre", "regions"),
    ):
        with pytest.raises(PermissionDenied):
            import_run(actor=actor(username), kind=kind, path=path)


# Hostile files -----------------------------------------------------------------------


def _zip(path, parts: dict[str, bytes], compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _minimal_xlsx(tmp_path) -> bytes:
    path = tmp_path / "base.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet().write_row(0, 0, ["姓名", "村"])
    book.close()
    return path.read_bytes()


def test_each_hostile_file_is_refused_with_a_message_and_no_crash(actor, tmp_path):
    base = zipfile.ZipFile(io.BytesIO(_minimal_xlsx(tmp_path)))
    parts = {name: base.read(name) for name in base.namelist()}
    files = {}
    files["big.csv"] = None
    (tmp_path / "big.csv").write_bytes(b"a,b\n" * (3 * 1024 * 1024))
    _zip(tmp_path / "bomb.xlsx", {**parts, "xl/media/zeros.bin": b"\0" * (30 * 1024 * 1024)})
    _zip(
        tmp_path / "many.xlsx",
        {**parts, **{f"xl/media/p{k}.txt": b"x" for k in range(10_001)}},
        zipfile.ZIP_STORED,
    )
    entity = parts["xl/workbook.xml"].replace(
        b"?>", b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', 1
    )
    _zip(tmp_path / "xxe.xlsx", {**parts, "xl/workbook.xml": entity})
    _zip(tmp_path / "macro.xlsx", {**parts, "xl/vbaProject.bin": b"VBA"})
    (tmp_path / "macro.xlsm").write_bytes(_minimal_xlsx(tmp_path))
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "list.exe").write_bytes(b"MZ")
    expected = {
        "big.csv": "10 MB",
        "bomb.xlsx": "zip",
        "many.xlsx": "10011",
        "xxe.xlsx": "DTD",
        "macro.xlsx": "macro",
        "macro.xlsm": "macro",
        "broken.xlsx": "",
        "list.exe": ".exe",
    }
    before = counts()
    for name, phrase in expected.items():
        with translation.override("en"):
            report = import_run(actor=actor("office"), kind="households", path=tmp_path / name)
        assert report.refused, name
        assert phrase.lower() in report.refused.lower(), (name, report.refused)
        assert not report.written
    assert counts() == before
    assert AuditEvent.objects.filter(action="import.households", result="denied").count() >= len(expected)


def _sheet_xml(sheet_data: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>' + sheet_data + b"</sheetData></worksheet>"
    )


def _with_sheet(tmp_path, name, sheet_data: bytes):
    base = zipfile.ZipFile(io.BytesIO(_minimal_xlsx(tmp_path)))
    parts = {part: base.read(part) for part in base.namelist()}
    _zip(tmp_path / name, {**parts, "xl/worksheets/sheet1.xml": _sheet_xml(sheet_data)})
    return tmp_path / name


def _cell(ref: str = "") -> bytes:
    where = f' r="{ref}"'.encode() if ref else b""
    return b"<c" + where + b' t="inlineStr"><is><t>x</t></is></c>'


def test_a_sheet_whose_far_cell_would_ask_for_millions_of_cells_is_refused(actor, tmp_path):
    """The reader lays a sheet out from A1 to its farthest cell holding something: a 5 KB
    file could ask for billions of cells and abort the process. Such a file is refused
    before the reader sees it. (The far cell here asks for 15 million, which the machine
    would survive should the check ever miss it.)"""
    far = _with_sheet(
        tmp_path,
        "far.xlsx",
        b'<row r="1">' + _cell("A1") + b'</row><row r="500000">' + _cell("AD500000") + b"</row>",
    )
    assert far.stat().st_size < 10_000
    before = counts()
    with translation.override("en"):
        report = import_run(actor=actor("office"), kind="households", path=far, dry_run=True)
    assert report.refused.startswith("The sheet reaches row 500000 and column 30: 15000000 cells")
    assert counts() == before


def test_the_far_corner_is_counted_as_the_reader_places_cells():
    from minqing.documents.imports.files import MAX_CELLS, ods_extent, sheet_extent

    # Every cell named and none far: plainly small, nothing counted.
    assert sheet_extent(_sheet_xml(b'<row r="1">' + _cell("A1") + _cell("K1") + b"</row>")) is None
    # One value at XFD1048576: 17 billion cells.
    assert sheet_extent(_sheet_xml(_cell("A1") + _cell("XFD1048576"))) == (1_048_576, 16_384)
    # A far cell that holds nothing (a border, say) is skipped by the reader, and here.
    assert sheet_extent(_sheet_xml(_cell("A1") + b'<c r="XFD1048576" s="1"/>')) == (1, 1)
    # Cells and rows that do not name their place follow the one before.
    unnamed = b'<row r="1">' + _cell("A1") + b'</row><row r="900000">' + _cell() * 30 + b"</row>"
    assert sheet_extent(_sheet_xml(unnamed)) == (900_000, 30)
    assert sheet_extent(_sheet_xml(b"<row>" + _cell() * 3 + b"</row><row>" + _cell() + b"</row>")) == (2, 3)
    assert 900_000 * 30 > MAX_CELLS

    table = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        '<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string">'
        "<text:p>户编号</text:p></table:table-cell></table:table-row>{rows}</table:table>"
        "</office:spreadsheet></office:body></office:document-content>"
    )
    # LibreOffice's trailing empty rows and columns, repeated a million times, hold nothing.
    trailing = '<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    assert ods_extent(table.format(rows=trailing).encode()) == (1, 1)
    # A value repeated over 200,000 rows and 100 columns asks for 20 million cells.
    repeated = (
        '<table:table-row table:number-rows-repeated="200000"><table:table-cell '
        'table:number-columns-repeated="100" office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>"
    )
    assert ods_extent(table.format(rows=repeated).encode()) == (200_001, 100)


def test_a_repeated_ods_bomb_is_refused_and_a_far_empty_cell_is_not(actor, tmp_path):
    from minqing.documents.imports.files import read_sheet

    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        '<office:spreadsheet><table:table table:name="S"><table:table-row><table:table-cell '
        'office:value-type="string"><text:p>姓名</text:p></table:table-cell></table:table-row>'
        '<table:table-row table:number-rows-repeated="200000"><table:table-cell '
        'table:number-columns-repeated="100" office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    _zip(
        tmp_path / "bomb.ods",
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": content.encode()},
    )
    before = counts()
    with translation.override("en"):
        report = import_run(
            actor=actor("office"), kind="households", path=tmp_path / "bomb.ods", dry_run=True
        )
    assert "20000100 cells" in report.refused
    assert counts() == before

    # A border drawn on XFD1048576 leaves the sheet as it is.
    styled = _with_sheet(
        tmp_path,
        "styled.xlsx",
        b'<row r="1">' + _cell("A1") + b'</row><row r="1048576"><c r="XFD1048576" s="1"/></row>',
    )
    assert read_sheet(styled, ".xlsx").rows == [["x"]]


# The other lists ---------------------------------------------------------------------


def test_cadres_import_and_reimport_changes_nothing(actor, tmp_path):
    unit = Cadre.objects.get(account__username="unit").unit
    path = tmp_path / "cadres.csv"
    path.write_text(
        "姓名,单位,职务,职级,政治面貌,手机\n"
        f"新干部甲,{unit.name},科员,一般干部,中共党员,13700000001\n"
        f"新干部乙,{unit.name},副局长,班子成员,群众,13700000002\n",
        encoding="utf-8",
    )
    report = import_run(actor=actor("office"), kind="cadres", path=path)
    assert report.ok and report.counts["cadres_created"] == 2, report.messages()
    cadre = Cadre.objects.get(account__full_name="新干部乙")
    assert cadre.rank == "member" and not cadre.is_party_member and cadre.unit == unit
    assert not cadre.account.has_usable_password()
    event = AuditEvent.objects.filter(action="import.cadres").latest("id")
    made = Cadre.objects.filter(account__full_name__in=["新干部甲", "新干部乙"]).values_list("pk", flat=True)
    assert event.detail["cadres_created_ids"] == id_ranges(made)
    before = counts()
    again = import_run(actor=actor("office"), kind="cadres", path=path)
    assert again.counts == {"cadres_created": 0, "cadres_updated": 0, "cadres_unchanged": 2}
    assert counts() == before
    assert not any(
        k.endswith("_ids") for k in AuditEvent.objects.filter(action="import.cadres").latest("id").detail
    )
    path.write_text(
        f"姓名,单位,职务,职级,政治面貌,手机\n新干部甲,{unit.name},副科长,一般干部,中共党员,13700000001\n",
        encoding="utf-8",
    )
    changed = import_run(actor=actor("office"), kind="cadres", path=path)
    assert changed.counts["cadres_updated"] == 1, changed.messages()
    first = Cadre.objects.get(account__full_name="新干部甲")
    assert AuditEvent.objects.filter(action="import.cadres").latest("id").detail["cadres_updated_ids"] == str(
        first.pk
    )


def test_a_cadre_list_without_usernames_or_phones_is_imported_twice_without_duplicates(actor, tmp_path):
    unit = Cadre.objects.get(account__username="unit").unit
    path = tmp_path / "cadres.csv"
    path.write_text(f"姓名,单位,职务\n无号甲,{unit.name},科员\n无号乙,{unit.name},股长\n", encoding="utf-8")
    first = import_run(actor=actor("office"), kind="cadres", path=path)
    assert first.written and first.counts["cadres_created"] == 2, first.messages()
    before = counts()
    again = import_run(actor=actor("office"), kind="cadres", path=path)
    assert again.counts == {"cadres_created": 0, "cadres_updated": 0, "cadres_unchanged": 2}
    assert counts() == before
    # A phone added later updates the same cadre; a new post too.
    path.write_text(
        f"姓名,单位,职务,手机\n无号甲,{unit.name},副股长,13700000071\n无号乙,{unit.name},股长,\n",
        encoding="utf-8",
    )
    third = import_run(actor=actor("office"), kind="cadres", path=path)
    assert third.counts == {"cadres_created": 0, "cadres_updated": 1, "cadres_unchanged": 1}
    assert counts() == before
    assert Cadre.objects.get(account__full_name="无号甲", unit=unit).post == "副股长"
    # Two namesakes in the unit: the file must say which (nothing written).
    namesake = Cadre.objects.get(account__full_name="无号乙", unit=unit)
    twin = Account.objects.create(username="wuhaoyi_twin", full_name="无号乙")
    Cadre.objects.create(account=twin, unit=unit)
    before = counts()
    with translation.override("en"):
        fourth = import_run(actor=actor("office"), kind="cadres", path=path)
    assert not fourth.written and counts() == before
    assert [(e.row, e.message[:28]) for e in fourth.errors] == [(3, "Several cadres of this unit ")]
    assert namesake.pk


def test_a_cadre_username_too_long_or_malformed_is_a_row_error(actor, tmp_path):
    unit = Cadre.objects.get(account__username="unit").unit
    path = tmp_path / "cadres.csv"
    path.write_text(
        f"姓名,单位,用户名\n长名甲,{unit.name},{'a' * 151}\n怪名乙,{unit.name},bad user!\n"
        f"{'长' * 61},{unit.name},\n",
        encoding="utf-8",
    )
    before = counts()
    report = import_run(actor=actor("office"), kind="cadres", path=path)
    assert not report.written and counts() == before
    assert sorted((e.row, e.column) for e in report.errors) == [(2, "用户名"), (3, "用户名"), (4, "姓名")]


def test_a_household_list_without_numbers_or_id_numbers_is_imported_twice_without_duplicates(
    actor, village, tmp_path
):
    path = tmp_path / "heads.csv"
    place = f"{village['village'].name},{village['group'].name}"
    path.write_text(
        f"户主姓名,所属村,组,联系电话,困难等级\n无证孙甲,{place},13700000081,一般困难\n无证孙乙,{place},,\n",
        encoding="utf-8",
    )
    first = import_run(actor=actor("office"), kind="households", path=path)
    assert first.written and first.counts["households_created"] == 2, first.messages()
    before = counts()
    again = import_run(actor=actor("office"), kind="households", path=path)
    assert again.counts["households_created"] == 0 and again.counts["households_unchanged"] == 2
    assert again.counts["members_created"] == 0 and counts() == before
    # A second household whose head has the same name in the same place: the file must say which.
    household = Member.objects.get(name="无证孙乙").household
    other = Household.objects.create(code="TWIN-0001", region=household.region, address="别处")
    other.head = Member.objects.create(household=other, name="无证孙乙", relation="head")
    other.save()
    before = counts()
    with translation.override("en"):
        third = import_run(actor=actor("office"), kind="households", path=path, dry_run=True)
    assert [(e.row, e.message[:26]) for e in third.errors] == [(3, "Several households here ha")]
    # The head's phone tells the first one apart from a namesake without one.
    namesake = Household.objects.create(code="TWIN-0002", region=household.region, address="别处")
    namesake.head = Member.objects.create(household=namesake, name="无证孙甲", relation="head")
    namesake.save()
    before = counts()
    path.write_text(
        f"户主姓名,所属村,组,联系电话,困难等级\n无证孙甲,{place},13700000081,一般困难\n", encoding="utf-8"
    )
    fourth = import_run(actor=actor("office"), kind="households", path=path)
    assert fourth.written and fourth.counts["households_unchanged"] == 1, fourth.messages()
    assert counts() == before


def test_points_import_and_reimport_changes_nothing(actor, village, tmp_path):
    path = tmp_path / "points.csv"
    path.write_text(
        "联系点名称,类型,乡镇,所属村,分类定级\n"
        f"双牌竹木加工厂,企业,{village['township'].name},{village['village'].name},一类\n"
        f"{village['township'].name}污水处理项目,重点项目,{village['township'].name},,\n",
        encoding="utf-8",
    )
    report = import_run(actor=actor("office"), kind="points", path=path)
    assert report.ok and report.counts["points_created"] == 2, report.messages()
    point = LiaisonPoint.objects.get(name="双牌竹木加工厂")
    assert point.region == village["village"] and point.gradings.get().grade == "first"  # 一类
    detail = AuditEvent.objects.filter(action="import.points").latest("id").detail
    assert str(point.pk) in detail["points_created_ids"].replace("-", ",").split(",")
    before = counts()
    assert import_run(actor=actor("office"), kind="points", path=path).counts["points_unchanged"] == 2
    assert counts() == before


def test_a_point_s_grade_in_a_file_must_be_one_of_the_list_and_is_kept_by_its_key(actor, village, tmp_path):
    path = tmp_path / "points.csv"
    rows = (
        "联系点名称,类型,乡镇,所属村,分类定级\n"
        f"甲村部,村（社区）,{village['township'].name},{village['village'].name},二类村\n"
        f"乙企业,企业,{village['township'].name},{village['village'].name},A级\n"
    )
    path.write_text(rows, encoding="utf-8")
    before = LiaisonPoint.objects.count()
    with translation.override("en"):
        report = import_run(actor=actor("office"), kind="points", path=path)
    assert not report.ok and LiaisonPoint.objects.count() == before
    assert any(
        "“A级” is not one of the grades here: Grade one, Grade two, Grade three." in m
        for m in report.messages()
    ), report.messages()
    path.write_text(rows.replace("A级", "三类"), encoding="utf-8")
    assert import_run(actor=actor("office"), kind="points", path=path).ok
    assert set(
        LiaisonPoint.objects.filter(name__in=("甲村部", "乙企业")).values_list("grade", flat=True)
    ) == {
        "second",
        "third",
    }


def test_pairings_import_for_a_campaign_and_reimport_changes_nothing(actor, village, tmp_path):
    campaign = Campaign.objects.get(program_key="xiajiceng")
    cadre = Cadre.objects.select_related("account").get(account__username="cadre")
    household = (
        Household.objects.filter(region__code__startswith="431123").exclude(pairings__cadre=cadre).first()
    )
    point = LiaisonPoint.objects.filter(region=village["village"]).first()
    path = tmp_path / "pairings.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, 4, "结对帮扶名单")
    sheet.write_row(1, 0, ["干部用户名", "结对类型", "户编号", "联系点", "所属村"])
    sheet.write_row(2, 0, ["cadre", "结对帮扶", household.code, "", ""])
    sheet.write_row(3, 0, ["cadre", "百名干部包百村", "", point.name, village["village"].name])
    book.close()
    report = import_run(actor=actor("office"), kind="pairings", path=path, campaign=campaign)
    assert report.ok and report.counts["pairings_created"] == 2, report.messages()
    assert Pairing.objects.filter(campaign=campaign, cadre=cadre, household=household, kind="bangfu").exists()
    made = Pairing.objects.filter(campaign=campaign, cadre=cadre).order_by("-pk")[:2]
    detail = AuditEvent.objects.filter(action="import.pairings").latest("id").detail
    assert detail["pairings_created_ids"] == id_ranges([p.pk for p in made])
    before = counts()
    again = import_run(actor=actor("office"), kind="pairings", path=path, campaign=campaign)
    assert again.counts == {"pairings_created": 0, "pairings_unchanged": 2} and counts() == before


def test_a_pairing_starting_outside_its_campaign_is_a_row_error(actor, village, tmp_path):
    campaign = Campaign.objects.get(program_key="xiajiceng")
    household = Household.objects.filter(region__code__startswith="431123").first()
    path = tmp_path / "pairings.csv"
    path.write_text(
        "干部用户名,结对类型,户编号,开始日期\n"
        f"cadre,结对帮扶,{household.code},1999-01-01\n"
        f"cadre,结对帮扶,{household.code},2031-01-01\n",
        encoding="utf-8",
    )
    before = counts()
    report = import_run(actor=actor("office"), kind="pairings", path=path, campaign=campaign)
    assert not report.written and counts() == before
    assert [(e.row, e.column) for e in report.errors] == [(2, "开始日期"), (3, "开始日期")]


def test_regions_import_below_the_offices_county_and_not_outside_it(actor, village, tmp_path):
    path = tmp_path / "regions.csv"
    new_group = village["village"].code + "099"
    path.write_text(f"区划代码,名称\n{new_group},九十九组\n350111100200099,外县的组\n", encoding="utf-8")
    report = import_run(actor=actor("office"), kind="regions", path=path)
    assert [(e.row, e.column) for e in report.errors] == [(3, "区划代码")]
    path.write_text(f"区划代码,名称\n{new_group},九十九组\n", encoding="utf-8")
    assert import_run(actor=actor("office"), kind="regions", path=path).counts["regions_created"] == 1
    assert Region.objects.get(code=new_group).parent == village["village"]
    assert (
        AuditEvent.objects.filter(action="import.regions").latest("id").detail["regions_created_ids"]
        == new_group
    )
    assert import_run(actor=actor("office"), kind="regions", path=path).counts["regions_unchanged"] == 1


def test_an_office_lists_its_own_county_in_a_region_file_but_does_not_rename_it(actor, tmp_path):
    county = Region.objects.get(code="431123000000")
    path = tmp_path / "regions.csv"
    path.write_text(f"区划代码,名称\n{county.code},{county.name}\n", encoding="utf-8")
    assert import_run(actor=actor("office"), kind="regions", path=path).ok
    path.write_text(f"区划代码,名称\n{county.code},改名县\n", encoding="utf-8")
    with translation.override("en"):
        report = import_run(actor=actor("office"), kind="regions", path=path)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (
            2,
            "名称",
            f"An office imports the regions below its own: {county.name} itself is renamed by the "
            "system administrator.",
        )
    ]
    county.refresh_from_db()
    assert county.name != "改名县"
    # The command line (the system administrator's) renames it.
    assert import_run(actor=None, kind="regions", path=path).counts["regions_updated"] == 1


# Pages, API, command line ---------------------------------------------------------------


def test_the_import_page_checks_first_and_writes_only_on_confirmation(client_as, village, tmp_path):
    path = tmp_path / "roster.xlsx"
    office_roster(path, village, two_households(ids(4, start=700)))
    client = client_as("office")
    assert client.get("/imports/households/").status_code == 200
    with open(path, "rb") as fh:
        response = client.post("/imports/households/", {"file": fh})
    assert response.status_code == 200
    token = response.context["token"]
    assert token and response.context["report"].counts["households_created"] == 2
    assert not Household.objects.filter(code="IMP-0001").exists()
    response = client.post("/imports/households/confirm/", {"token": token})
    assert response.status_code == 200 and response.context["report"].written
    assert Household.objects.filter(code__in=["IMP-0001", "IMP-0002"]).count() == 2
    # The token is spent.
    assert client.post("/imports/households/confirm/", {"token": token}).status_code == 302


def test_the_page_lists_every_bad_row_and_keeps_no_file(client_as, village, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("姓名,身份证号,村\n甲,123,没有的村\n", encoding="utf-8")
    with open(path, "rb") as fh:
        response = client_as("office").post("/imports/households/", {"file": fh})
    report = response.context["report"]
    assert {(e.row, e.column) for e in report.errors} == {(2, "身份证号"), (2, "村")}
    assert response.context["token"] == ""
    assert "import-error-table" in response.content.decode()


def test_every_template_downloads_and_reads_back_as_its_own_list(client_as, tmp_path):
    from minqing.documents.imports import IMPORTERS
    from minqing.documents.imports.engine import _fill_merged, locate
    from minqing.documents.imports.files import read_sheet
    from minqing.documents.imports.template import scope_examples

    office = Account.objects.get(username="office")
    for kind, importer in IMPORTERS.items():
        client = client_as("office")
        response = client.get(f"/imports/{kind}/template.xlsx")
        assert response.status_code == 200, kind
        path = tmp_path / f"{kind}.xlsx"
        path.write_bytes(response.content)
        sheet = read_sheet(path, ".xlsx")
        _fill_merged(sheet.rows, sheet.merged)
        # The example names places of the office's own area, as its imports know them.
        table = locate(
            sheet.rows, importer.columns, place_examples=lambda i=importer: scope_examples(i, office)
        )
        # The example row (序号 示例) is found and skipped: it is no data row.
        assert sheet.rows[3][0] == "示例", kind
        assert table.header_row == 3 and not table.missing and table.rows == [], kind
        assert table.examples_skipped == 1 and table.examples_changed == [], kind
        assert set(table.headings) == {c.key for c in importer.columns}


def test_each_templates_example_names_places_of_the_accounts_own_area(client_as, tmp_path):
    from minqing.org.models import Unit

    def example(kind: str, username: str) -> dict:
        rows = _template_rows(client_as(username), kind, tmp_path)
        return dict(zip(rows[2], rows[3], strict=False))

    for username, county in (("office", "431123"), ("office_jinan", "350111")):
        row = example("households", username)
        village = Region.objects.get(
            name=row["村（社区）"], code__startswith=county, level=Region.Level.VILLAGE
        )
        assert village.parent.name == row["乡镇"]
        assert village.children.filter(name=row["组"]).exists()
        assert row["户编号"] == f"{village.code}-0001"
        assert row["住址"].startswith(row["乡镇"] + row["村（社区）"] + row["组"])
        point = example("points", username)
        assert (point["名称"], point["乡镇"], point["所属村"]) == (
            village.name,
            village.parent.name,
            village.name,
        )
        region = example("regions", username)
        assert Region.objects.filter(code=region["区划代码"], name=region["名称"]).exists()
        assert region["区划代码"].startswith(county)
        pairing = example("pairings", username)
        assert Household.objects.filter(code=pairing["户编号"], region__code__startswith=county).exists()
        cadre = example("cadres", username)
        assert Unit.objects.filter(name=cadre["单位"], region__code__startswith=county).exists()


def _template_rows(client, kind: str, tmp_path, **query) -> list[list]:
    from minqing.documents.imports.files import read_sheet

    response = client.get(f"/imports/{kind}/template.xlsx", query)
    assert response.status_code == 200
    path = tmp_path / f"template-{kind}.xlsx"
    path.write_bytes(response.content)
    return read_sheet(path, ".xlsx").rows


def _as_filled(rows: list[list], path, extra: list[dict]) -> None:
    """The template as an office fills it: its rows kept, `extra` rows (heading → value) added."""
    header = rows[2]
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, ["" if v is None else v for v in row])
    for k, values in enumerate(extra, start=len(rows)):
        sheet.write_row(k, 0, [values.get(h, "") if h != "序号" else str(k - 2) for h in header])
    book.close()


def test_the_templates_example_row_is_never_imported(client_as, actor, village, tmp_path):
    client = client_as("office")
    rows = _template_rows(client, "households", tmp_path)
    assert rows[3][rows[2].index("姓名")] == "张三"
    # Downloaded and sent back as it is: no data, said so at the example's row, nothing written.
    untouched = tmp_path / "untouched.xlsx"
    _as_filled(rows, untouched, [])
    before = counts()
    with translation.override("en"):
        report = import_run(actor=actor("office"), kind="households", path=untouched)
    assert not report.ok and [e.row for e in report.errors] == [4]
    assert report.errors[0].message.startswith("There is only the template's example row")
    assert counts() == before
    # A row typed under the example: that row alone is imported.
    number = ids(1, start=930)[0]
    filled = tmp_path / "filled.xlsx"
    person = {
        "乡镇": village["township"].name,
        "村（社区）": village["village"].name,
        "姓名": "示例下甲",
        "身份证号": number,
        "与户主关系": "户主",
    }
    _as_filled(rows, filled, [person])
    report = import_run(actor=actor("office"), kind="households", path=filled)
    assert report.written and report.rows == 1, report.messages()
    assert report.counts["households_created"] == 1 and report.counts["members_created"] == 1
    assert Member.objects.filter(id_number_hash=lookup_hash_for(IdNumber, number)).get().name == "示例下甲"
    assert not Member.objects.filter(name="张三", household__code="431123101200-0001").exists()
    assert Household.objects.count() == before[0] + 1
    # The example typed over with a real person but still marked 示例: asked, nothing written.
    over = [list(r) for r in rows]
    header = over[2]
    over[3][header.index("姓名")] = "覆盖乙"
    over[3][header.index("身份证号")] = ids(1, start=931)[0]
    over[3][header.index("乡镇")] = village["township"].name
    over[3][header.index("村（社区）")] = village["village"].name
    over[3][header.index("户编号")] = ""
    typed_over = tmp_path / "typed-over.xlsx"
    _as_filled(over, typed_over, [])
    before = counts()
    with translation.override("en"):
        report = import_run(actor=actor("office"), kind="households", path=typed_over, dry_run=True)
    assert [e.row for e in report.errors] == [4]
    assert report.errors[0].message.startswith("This row is marked 示例 (the template's example)")
    assert not import_run(actor=actor("office"), kind="households", path=typed_over).written
    assert counts() == before
    # Replacing 示例 with a number imports it.
    over[3][0] = "1"
    _as_filled(over, typed_over, [])
    assert import_run(actor=actor("office"), kind="households", path=typed_over).written


def test_a_campaigns_pairing_template_example_is_skipped_too(client_as, actor, tmp_path):
    campaign = Campaign.objects.get(program_key="xiajiceng")
    rows = _template_rows(client_as("office"), "pairings", tmp_path, campaign=campaign.pk)
    kind = rows[3][rows[2].index("结对类型")]
    assert kind == campaign.config["pairing_kinds"][0]["name"]
    path = tmp_path / "pairings.xlsx"
    _as_filled(rows, path, [])
    report = import_run(actor=actor("office"), kind="pairings", path=path, campaign=campaign)
    assert [e.row for e in report.errors] == [4] and "示例" in report.errors[0].message


def test_the_api_imports_with_a_dry_run_and_reports_bad_rows(client_as, village, tmp_path):
    from minqing.org.models import Account
    from minqing.org.services import token_create

    token = token_create(actor=None, account=Account.objects.get(username="office"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    path = tmp_path / "api.csv"
    numbers = ids(1, start=800)
    path.write_text(
        f"姓名,身份证号,村,与户主关系\n接口甲,{numbers[0]},{village['village'].name},户主\n", encoding="utf-8"
    )
    client = client_as(None)
    with open(path, "rb") as fh:
        response = client.post("/api/v1/imports/households?dry_run=true", {"file": fh}, **auth)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] and not body["written"] and body["counts"]["households_created"] == 1
    assert not Member.objects.filter(id_number_hash=lookup_hash_for(IdNumber, numbers[0])).exists()
    with open(path, "rb") as fh:
        response = client.post("/api/v1/imports/households", {"file": fh}, **auth)
    assert response.status_code == 200 and response.json()["written"]
    path.write_text("姓名,身份证号,村\n接口乙,1,没有的村\n", encoding="utf-8")
    with open(path, "rb") as fh:
        response = client.post("/api/v1/imports/households", {"file": fh}, **auth)
    assert response.status_code == 422
    assert {(e["row"], e["column"]) for e in response.json()["errors"]} == {(2, "身份证号"), (2, "村")}


def test_the_command_line_imports_with_a_dry_run_first(village, tmp_path, capsys):
    path = tmp_path / "cli.csv"
    numbers = ids(2, start=900)
    path.write_text(
        f"姓名,身份证号,村,与户主关系\n命令甲,{numbers[0]},{village['village'].name},户主\n"
        f"命令乙,{numbers[1]},{village['village'].name},户主\n",
        encoding="utf-8",
    )
    call_command("import", "households", str(path), "--dry-run", "--quiet")
    assert not Member.objects.filter(name="命令甲").exists()
    call_command("import", "households", str(path), "--quiet")
    assert Member.objects.filter(name__in=["命令甲", "命令乙"]).count() == 2
    path.write_text("姓名,身份证号,村\n命令丙,1,没有的村\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第2行|row 2"):
        call_command("import", "households", str(path), "--quiet")


def test_a_file_without_a_header_says_so_and_long_cells_are_row_errors(actor, village, tmp_path):
    path = tmp_path / "noheader.csv"
    path.write_text("张三,13700000001\n李四,13700000002\n", encoding="utf-8")
    with translation.override("en"):
        report = import_run(actor=actor("office"), kind="households", path=path)
        assert [(e.row, e.column) for e in report.errors] == [(1, "")]
        assert report.messages()[0].startswith("row 1: No header row was found")
        assert "户编号" in report.messages()[0]
    points = tmp_path / "points.csv"
    points.write_text(
        f"联系点名称,类型,所属村\n{'长' * 121},企业,{village['village'].name}\n", encoding="utf-8"
    )
    before = counts()
    report = import_run(actor=actor("office"), kind="points", path=points)
    assert not report.written and counts() == before
    assert [(e.row, e.column) for e in report.errors] == [(2, "联系点名称")]
    assert "121" in report.errors[0].message


def test_pairing_rows_name_the_columns_the_file_has_and_list_the_slots(actor, village, tmp_path):
    campaign = Campaign.objects.get(program_key="xiajiceng")
    household = Household.objects.filter(region__code__startswith="431123").first()
    dundian = Campaign.objects.get(program_key="dundian")
    with_slots = next(k for k in dundian.config["pairing_kinds"] if k.get("slots"))
    path = tmp_path / "pairings.csv"
    path.write_text(
        f"干部用户名,结对类型,户编号\ncadre,结对帮扶,{household.code}\ncadre,结对帮扶,{household.code}\n",
        encoding="utf-8",
    )
    report = import_run(actor=actor("office"), kind="pairings", path=path, campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(3, "干部用户名")]
    path.write_text(
        f"干部用户名,结对类型,对象类别,户编号\ncadre,{with_slots['name']},没有的类别,{household.code}\n",
        encoding="utf-8",
    )
    report = import_run(actor=actor("office"), kind="pairings", path=path, campaign=dundian)
    slot_errors = [e.message for e in report.errors if e.column == "对象类别"]
    assert slot_errors, report.messages()
    assert all(s["name"] in slot_errors[0] for s in with_slots["slots"])


def test_a_request_body_larger_than_any_file_is_refused_before_it_is_read(client_as, db):
    """A multi-gigabyte upload would be written to a temporary file before the view could
    refuse it: the length it announces is refused first (413), on the pages and the API."""
    from django.conf import settings

    too_big = str(settings.MINQING_MAX_REQUEST_BYTES + 1)
    client = client_as("office")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post("/imports/households/", {"file": io.BytesIO(b"x")}, CONTENT_LENGTH=too_big)
    assert page.status_code == 413
    assert page.content.decode().startswith("The request is 20.0 MB; at most 20 MB is accepted")
    token = Account.objects.get(username="office")
    from minqing.org.services import token_create

    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=None, account=token)}"}
    api = client.post(
        "/api/v1/imports/households", {"file": io.BytesIO(b"x")}, CONTENT_LENGTH=too_big, **auth
    )
    assert api.status_code == 413 and api.json()["detail"].startswith("The request is 20.0 MB")
    # Within the cap the page answers as before (here: the file is not a list).
    small = client.post("/imports/households/", {"file": io.BytesIO(b"x")})
    assert small.status_code == 200


def test_a_campaigns_pairing_template_is_dated_and_described_by_the_campaign(client_as, actor, tmp_path):
    from python_calamine import CalamineWorkbook

    from minqing.programs.services import campaign_start

    office = actor("office")
    campaign = campaign_start(
        actor=office,
        program_key="dazoufang",
        name="二〇二七年大走访",
        region=Region.objects.get(code="431123000000"),
        start=dt.date(2027, 3, 8),
        end=dt.date(2027, 4, 30),
    )
    client = client_as("office")
    client.cookies["django_language"] = "en"
    response = client.get("/imports/pairings/template.xlsx", {"campaign": campaign.pk})
    path = tmp_path / "pairings-2027.xlsx"
    path.write_bytes(response.content)
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[3][rows[2].index("开始日期")] == "2027-03-08"
    notes = {row[0]: row for row in book.get_sheet_by_index(1).to_python()[1:]}
    assert notes["开始日期"][2] == "first day of the pairing (such as 2027-03-08)"
    kinds = [k["name"] for k in campaign.config["pairing_kinds"]]
    assert notes["结对类型"][2] == "pairing kind, as the campaign names it: " + ", ".join(kinds)
    assert notes["结对类型"][3] == "required" and notes["备注"][3] == "optional"
    # Sent back as downloaded, its example row (dated as the campaign) is still only the example.
    _as_filled(rows, path, [])
    report = import_run(actor=office, kind="pairings", path=path, campaign=campaign)
    assert [e.row for e in report.errors] == [4] and "示例" in report.errors[0].message


def test_the_imports_page_offers_the_pairing_template_of_the_chosen_campaign(client_as, db):
    html = client_as("office").get("/imports/").content.decode()
    form = html.split('id="pairings"')[1].split("</article>")[0]
    assert 'formaction="/imports/pairings/template.xlsx"' in form and 'name="campaign"' in form


def test_the_imports_page_offers_each_list_the_account_may_import(client_as, db):
    office = client_as("office")
    html = office.get("/imports/").content.decode()
    for kind in ("households", "cadres", "points", "regions"):
        assert f'href="/imports/{kind}/"' in html and f'href="/imports/{kind}/template.xlsx"' in html
    campaign = Campaign.objects.filter(program_key="xiajiceng").first()
    assert f'<option value="{campaign.pk}">{campaign.name}</option>' in html
    assert 'href="/imports/"' in html  # in the menu
    village = client_as("village").get("/imports/").content.decode()
    assert 'href="/imports/households/"' in village and "/imports/cadres/" not in village
    assert client_as("cadre").get("/imports/").status_code == 403
    assert 'href="/imports/"' not in client_as("cadre").get("/").content.decode()

    # A pairing list opened without its campaign: the index, to choose one.
    response = office.get("/imports/pairings/", follow=True)
    assert response.redirect_chain[-1][0] == "/imports/#pairings"
    assert "结对名单要导入到某一次活动中：请先选择活动。" in response.content.decode()


def test_the_command_asks_for_the_campaign_of_a_pairing_list(db, tmp_path):
    path = tmp_path / "pairings.csv"
    path.write_text("干部姓名,户编号\n甲,1\n", encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("import", "pairings", str(path), "--quiet")
    assert str(caught.value) == "A pairing list is imported into one campaign: give it with --campaign ID."


def test_a_group_the_village_lacks_is_told_with_the_groups_it_has(actor, village, tmp_path):
    v = village["village"]
    groups = [g.name for g in Region.objects.filter(parent=v).order_by("code")]
    path = tmp_path / "group.csv"
    path.write_text(
        f"姓名,身份证号,村,组,与户主关系\n甲,{ids(1, start=900)[0]},{v.name},九十九组,户主\n",
        encoding="utf-8",
    )
    report = import_run(actor=actor("office"), kind="households", path=path, dry_run=True)
    assert [(e.row, e.column) for e in report.errors] == [(2, "组")]
    assert report.errors[0].message == f"该村没有此名称的村民小组；该村的村民小组有：{'、'.join(groups)}。"


def test_the_cadres_import_page_says_new_accounts_need_the_administrators(client_as, db):
    html = client_as("office").get("/imports/cadres/").content.decode()
    assert 'id="import-note"' in html and "须由系统管理员设置密码、安全管理员授予角色" in html
    assert 'id="import-note"' not in client_as("office").get("/imports/households/").content.decode()


def test_the_far_corner_is_found_however_the_cells_are_written(tmp_path):
    """The reader accepts a cell's name in lower case, in single quotes, with spaces, leading
    zeros, a namespace prefix, or "r" not first; so does the check. And it looks at every part
    holding sheet data, not the one a (bendable) workbook list points at."""
    from minqing.documents.imports.files import FileRefused, _check_extent, sheet_extent

    far = (1_048_576, 16_384)
    for cell in [
        b'<c r="xfd1048576"><v>1</v></c>',
        b"<c r='XFD1048576'><v>1</v></c>",
        b'<c\tr = "XFD1048576"><v>1</v></c>',
        b'<c r="XFD01048576"><v>1</v></c>',
        b'<c s="0" r="XFD1048576"><v>1</v></c>',
    ]:
        assert sheet_extent(_sheet_xml(b'<row r="1048576">' + cell + b"</row>")) == far, cell
    prefixed = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        b'<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    )
    assert sheet_extent(prefixed) == far
    # A sheet the XML parser cannot read is refused rather than left to a lenient reader.
    with pytest.raises(FileRefused):
        sheet_extent(_sheet_xml(b'<row><c r="a1"><v>1</v></c></row><row><c r="A2"><v>1</c></row>'))
    # A far sheet stored beside the one the workbook's list names (a comment there, say).
    base = zipfile.ZipFile(io.BytesIO(_minimal_xlsx(tmp_path)))
    parts = {name: base.read(name) for name in base.namelist()}
    parts["xl/worksheets/sheet9.xml"] = _sheet_xml(b'<row r="500000"><c r="AD500000"><v>1</v></c></row>')
    _zip(tmp_path / "decoy.xlsx", parts)
    with pytest.raises(FileRefused):
        _check_extent(tmp_path / "decoy.xlsx", ".xlsx")


def test_a_kind_or_point_named_with_full_width_brackets_matches_as_typed_or_without_its_note(
    actor, village, tmp_path
):
    """The template's own names hold full-width brackets, which a cell is cleaned of: the kind
    copied from the campaign's list, its half-width form and its short name all match, and
    so does a point kept with full-width brackets."""
    campaign = Campaign.objects.get(program_key="sanfuwu")
    region = (
        Region.objects.filter(code__startswith=campaign.region.prefix, level=Region.Level.VILLAGE)
        .order_by("code")
        .first()
    )
    points = [
        LiaisonPoint.objects.create(
            name=f"桐木村（{n}）项目", kind=LiaisonPoint.Kind.KEY_PROJECT, region=region
        )
        for n in ("一期", "二期", "三期")
    ]
    cadre = campaign_cadres(campaign).select_related("account").first()
    path = tmp_path / "pairings.csv"
    path.write_text(
        "干部姓名,干部用户名,结对类型,联系点,所属村\n"
        f"{cadre.account.full_name},{cadre.account.username},挂钩联系（乡镇、村、企业、项目）,{points[0].name},{region.name}\n"
        f"{cadre.account.full_name},{cadre.account.username},挂钩联系(乡镇、村、企业、项目),桐木村(二期)项目,{region.name}\n"
        f"{cadre.account.full_name},{cadre.account.username},挂钩联系,桐木村 （三期） 项目,\n",
        encoding="utf-8",
    )
    report = import_run(actor=None, kind="pairings", path=path, campaign=campaign)
    assert report.ok and report.counts["pairings_created"] == 3, report.messages()
    made = Pairing.objects.filter(campaign=campaign, point__in=points)
    assert sorted(made.values_list("kind", flat=True)) == ["four_links"] * 3


def test_a_unit_and_a_point_kept_with_full_width_brackets_are_matched_by_the_cell_that_copies_them(
    actor, village, tmp_path
):
    unit = Cadre.objects.get(account__username="unit").unit
    unit.name = "县委办公室（县档案局）"
    unit.save(update_fields=["name"])
    path = tmp_path / "cadres.csv"
    path.write_text(f"姓名,单位,职务\n括号干部,{unit.name},科员\n", encoding="utf-8")
    report = import_run(actor=actor("office"), kind="cadres", path=path)
    assert report.ok and report.counts["cadres_created"] == 1, report.messages()
    assert Cadre.objects.get(account__full_name="括号干部").unit == unit
    point = LiaisonPoint.objects.create(
        name="竹木加工厂（二分厂）", kind=LiaisonPoint.Kind.ENTERPRISE, region=village["village"]
    )
    path = tmp_path / "points.csv"
    path.write_text(
        f"联系点名称,类型,乡镇,所属村,分类定级\n竹木加工厂 (二分厂),企业,{village['township'].name},"
        f"{village['village'].name},一类\n",
        encoding="utf-8",
    )
    before = LiaisonPoint.objects.count()
    report = import_run(actor=actor("office"), kind="points", path=path)
    assert report.ok and report.counts["points_updated"] == 1, (report.messages(), report.counts)
    assert LiaisonPoint.objects.count() == before
    point.refresh_from_db()
    assert point.name == "竹木加工厂（二分厂）" and point.grade == "first"


def test_an_id_number_beside_a_household_number_must_be_valid_and_of_that_household(actor, village, tmp_path):
    numbers = ids(4, start=700)
    roster = tmp_path / "roster.xlsx"
    office_roster(roster, village, two_households(numbers))
    assert import_run(actor=actor("office"), kind="households", path=roster).written
    campaign = Campaign.objects.get(program_key="xiajiceng")
    bad = numbers[0][:-1] + ("0" if numbers[0][-1] != "0" else "1")  # a wrong check digit
    path = tmp_path / "pairings.csv"
    path.write_text(
        "干部用户名,结对类型,户编号,户主身份证号\n"
        f"cadre,结对帮扶,IMP-0001,{bad}\n"
        f"cadre,结对帮扶,IMP-0001,{numbers[3]}\n"
        f"cadre,结对帮扶,IMP-0002,{numbers[3]}\n",
        encoding="utf-8",
    )
    before = counts()
    report = import_run(actor=actor("office"), kind="pairings", path=path, campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(2, "户主身份证号"), (3, "户主身份证号")]
    assert "IMP-0001" in report.errors[1].message and not report.written and counts() == before


def test_a_retired_point_takes_no_new_pairing_from_a_list(actor, village, tmp_path):
    from minqing.programs.services import point_retire

    campaign = Campaign.objects.get(program_key="xiajiceng")
    point = LiaisonPoint.objects.create(
        name="旧村部",
        kind=LiaisonPoint.Kind.VILLAGE,
        region=village["village"],
        created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    point_retire(actor=actor("office"), point=point, retired_on=dt.date(2021, 6, 1), reason="合村并组")
    path = tmp_path / "pairings.csv"
    path.write_text(
        f"干部用户名,结对类型,联系点,所属村\ncadre,百名干部包百村,旧村部,{village['village'].name}\n",
        encoding="utf-8",
    )
    before = counts()
    report = import_run(actor=actor("office"), kind="pairings", path=path, campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(2, "联系点")]
    assert "2021年6月1日" in report.errors[0].message and counts() == before


def test_a_township_office_may_not_regrade_by_file_a_point_the_countys_campaign_uses(actor, tmp_path):
    """A point at a village of 江村乡 paired in the county's campaign is the county office's to
    regrade (point_check_change): office_jiangcun's file that changes it gets that row's error
    and nothing is written; a point no higher campaign uses still regrades, an unchanged held
    one is not refused, and the county office regrades the held one."""
    from minqing.org.models import Grant
    from minqing.programs.models import PointGrading
    from minqing.programs.services import pairing_create, point_create
    from tests.programs.conftest import Scenario

    scenario = Scenario(actor("office"))
    township = Grant.objects.get(account__username="office_jiangcun").regions.get()
    village = Region.objects.filter(code__startswith=township.prefix, level=Region.Level.VILLAGE).first()
    held = point_create(actor=scenario.office, name="柏利测试村", kind="village", region=village)
    free = point_create(actor=scenario.office, name="柏利测试厂", kind="enterprise", region=village)
    same = point_create(actor=scenario.office, name="柏利测试项目", kind="key_project", region=village)
    today = dt.date.today()
    campaign = scenario.campaign(
        "xiajiceng", start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=200)
    )
    campaign.name = "县下基层"
    campaign.save(update_fields=["name"])
    for point in (held, same):
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=scenario.cadre(),
            kind="baocun",
            target=point,
            start=campaign.start,
        )
    path = tmp_path / "points.csv"
    path.write_text(
        "联系点名称,类型,乡镇,所属村,分类定级\n"
        f"柏利测试厂,企业,{township.name},{village.name},一类\n"
        f"柏利测试村,村,{township.name},{village.name},一类\n"
        f"柏利测试项目,重点项目,{township.name},{village.name},\n",
        encoding="utf-8",
    )
    gradings = PointGrading.objects.count()
    with translation.override("en"):
        report = import_run(actor=actor("office_jiangcun"), kind="points", path=path)
    assert not report.ok and [e.row for e in report.errors] == [3], report.messages()
    assert "run by a higher level" in report.errors[0].message and "县下基层" in report.errors[0].message
    assert set(LiaisonPoint.objects.filter(pk__in=(held.pk, free.pk)).values_list("grade", flat=True)) == {""}
    assert PointGrading.objects.count() == gradings
    # Without the held point's row, the file regrades the one no higher campaign uses; the
    # unchanged held one (no grade given) is not refused.
    path.write_text(
        "联系点名称,类型,乡镇,所属村,分类定级\n"
        f"柏利测试厂,企业,{township.name},{village.name},一类\n"
        f"柏利测试项目,重点项目,{township.name},{village.name},\n",
        encoding="utf-8",
    )
    report = import_run(actor=actor("office_jiangcun"), kind="points", path=path)
    assert report.ok and report.counts["points_updated"] == 1, report.messages()
    assert report.counts["points_unchanged"] == 1
    free.refresh_from_db()
    assert free.grade == "first"
    # The county office still regrades it.
    path.write_text(
        f"联系点名称,类型,乡镇,所属村,分类定级\n柏利测试村,村,{township.name},{village.name},一类\n",
        encoding="utf-8",
    )
    assert import_run(actor=actor("office"), kind="points", path=path).ok
    held.refresh_from_db()
    assert held.grade == "first"
