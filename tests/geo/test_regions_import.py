"""`minqing regions import` runs on the shared import engine: row-numbered errors, all or
nothing, a dry run, and a second import of the same file changes nothing."""

import json

import pytest
import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from minqing.geo.models import Region, level_of_code, parent_code


def test_levels_and_parents_follow_the_code():
    assert level_of_code("430000000000") == 1
    assert level_of_code("431100000000") == 2
    assert level_of_code("431123000000") == 3
    assert level_of_code("431123100000") == 4
    assert level_of_code("431123100201") == 5
    assert level_of_code("431123100201003") == 6
    assert parent_code("431123100201") == "431123100000"
    assert parent_code("431123100000") == "431123000000"
    assert parent_code("430000000000") is None


def test_a_csv_list_loads_into_the_tree_and_a_second_run_changes_nothing(db, tmp_path, capsys):
    path = tmp_path / "regions.csv"
    path.write_text(
        "统计用区划代码,名称\n431123900000,测试镇\n431123900201,测试村\n431123900201001,一组\n",
        encoding="utf-8",
    )
    call_command("regions", "import", str(path), "--dry-run", "--quiet")
    assert not Region.objects.filter(code="431123900000").exists()  # checked, nothing written
    capsys.readouterr()
    call_command("regions", "import", str(path), "--json", "--demo")
    first = json.loads(capsys.readouterr().out)
    assert first["written"] and first["counts"]["regions_created"] == 3
    village = Region.objects.get(code="431123900201")
    assert village.parent_id == "431123900000" and village.level == Region.Level.VILLAGE
    assert Region.objects.get(code="431123900201001").parent == village
    assert village.is_demo  # --demo marks what was made up
    call_command("regions", "import", str(path), "--json")
    again = json.loads(capsys.readouterr().out)
    assert again["counts"] == {"regions_created": 0, "regions_updated": 0, "regions_unchanged": 3}
    assert Region.objects.filter(code__startswith="4311239").count() == 3


def test_an_excel_list_loads_with_codes_kept_as_text(db, tmp_path):
    path = tmp_path / "regions.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["code", "name"])
    sheet.write_number(1, 0, 431123910000)  # a number cell, as Excel users type it
    sheet.write_string(1, 1, "数字镇")
    book.close()
    call_command("regions", "import", str(path))
    assert Region.objects.get(code="431123910000").name == "数字镇"


def test_a_bad_file_is_reported_row_by_row_and_nothing_is_written(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "code,name\n431123920000,好镇\n4311239,短码\n431123920000,重复\n431123999201,孤村\n", encoding="utf-8"
    )
    before = Region.objects.count()
    with pytest.raises(CommandError) as caught:
        call_command("regions", "import", str(path))
    message = str(caught.value)  # Chinese by default
    assert "第3行" in message and "第4行" in message and "第5行" in message
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("regions", "import", str(path))
    message = str(caught.value)
    assert "row 3" in message and "row 4" in message and "row 5" in message
    assert Region.objects.count() == before


def test_an_unsupported_file_type_is_refused(db, tmp_path):
    path = tmp_path / "regions.pdf"
    path.write_bytes(b"%PDF-1.4")
    with translation.override("en"), pytest.raises(CommandError, match="Unsupported file type"):
        call_command("regions", "import", str(path))
