"""Program templates: the five seeds load; a malformed template lists every error with its
line and changes nothing; a sixth program is added without code and can be started."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from minqing.programs.models import Campaign, ProgramTemplate
from minqing.programs.schema import TemplateInvalid, library_files, parse_template
from minqing.programs.services import campaign_start, program_add

BAD = """key = "Bad Key"
name = "坏模板"
color = "red"

[[phases]]
key = "p1"
name = "阶段一"
start = "04-31x"
end = "04-01"

[[pairing_kinds]]
key = "bangfu"
name = "帮扶"
target = "village"

[[rules]]
key = "r1"
type = "coverage.cadre_has_target"
name = "规则一"
  [rules.params]
  min = 0
  kinds = ["nope"]
  extra = 1

[[rules]]
key = "r1"
type = "no.such.rule"
name = "重复"
"""

SIXTH = """key = "jieduigongjian"
name = "结对共建示范"
summary = "一个单位结对一个村，每名干部至少联系一户。"

[[phases]]
key = "all"
name = "全年"
start = "01-01"
end = "12-31"

[[pairing_kinds]]
key = "contact"
name = "联系户"
target = "household"

[[rules]]
key = "one_each"
type = "coverage.cadre_has_target"
name = "每名干部至少联系1户"
  [rules.params]
  min = 1
"""


def test_the_five_seed_programs_load_with_their_keys():
    keys = set(library_files())
    assert keys == {"xiajiceng", "shugen", "sanfuwu", "dundian", "dazoufang"}
    seeds = {parse_template(path.read_text())["seed"] for path in library_files().values()}
    assert seeds == {"000", "001", "002", "003", "004"}


def test_a_malformed_template_gives_every_error_with_its_line():
    with translation.override("en"), pytest.raises(TemplateInvalid) as caught:
        parse_template(BAD)
    found = [(e.line, e.path) for e in caught.value.errors]
    assert found == [
        (1, "key"),
        (3, "color"),
        (8, "phases[1].start"),
        (14, "pairing_kinds[1].target"),
        (21, "rules[1].params.min"),
        (22, "rules[1].params.kinds"),
        (23, "rules[1].params.extra"),
        (26, "rules[2].key"),
        (27, "rules[2].type"),
    ]


def test_a_toml_syntax_error_names_its_line():
    with pytest.raises(TemplateInvalid) as caught:
        parse_template('key = "x"\nname = \n')
    assert caught.value.errors[0].line == 2


def test_adding_a_malformed_template_changes_nothing(db, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("program", "add", str(path))
    assert "line 8" in str(caught.value) and "line 27" in str(caught.value)
    assert not ProgramTemplate.objects.exists()


def test_a_sixth_program_is_added_without_code_and_started(db, tmp_path, capsys, actor):
    path = tmp_path / "sixth.toml"
    path.write_text(SIXTH, encoding="utf-8")
    call_command("program", "validate", str(path))
    call_command("program", "add", str(path))
    call_command("program", "list", "--json")
    assert "jieduigongjian" in capsys.readouterr().out
    from minqing.geo.models import Region

    campaign = campaign_start(
        actor=actor("office"),
        program_key="jieduigongjian",
        name="示范",
        region=Region.objects.get(code="431123000000"),
        start=dt.date(2026, 1, 1),
    )
    assert campaign.config["rules"][0]["type"] == "coverage.cadre_has_target"
    with pytest.raises(TemplateInvalid):
        program_add(actor=None, text=SIXTH)  # the key exists now


def test_campaign_start_from_the_command_line_prints_the_id(db, capsys):
    call_command(
        "campaign",
        "start",
        "--program",
        "dundian",
        "--name",
        "测试蹲点",
        "--region",
        "431123",
        "--start",
        "2026-04-01",
        "--end",
        "2026-12-31",
    )
    campaign = Campaign.objects.get(pk=int(capsys.readouterr().out.strip()))
    assert campaign.config["phases"][0]["start"] == "2026-04-01"
    assert campaign.rule("yilianwu")["params"]["due"] == "2026-04-15"
