"""The command line speaks one language at a time: Simplified Chinese by default, English when
MINQING_LANGUAGE or the locale asks for it; the common errors read the same in every command,
and a file the system cannot open is a translated message, never "[Errno 2] …"."""

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command, get_commands, load_command_class
from django.utils import timezone, translation
from django.utils.formats import date_format

from minqing.appraisal.models import FollowUpAction, Inspection
from minqing.core.cli import cli_language
from minqing.fieldwork.models import Visit
from minqing.org.models import Account, ApiToken
from minqing.org.services import token_create
from minqing.programs import engine
from minqing.programs.models import Campaign
from minqing.programs.schema import parse_template
from minqing.tickets.selectors import ticket_list

ROOT = Path(__file__).resolve().parents[2]
DUNDIAN = ROOT / "minqing" / "programs" / "library" / "dundian.toml"
AS_OF = "2026-11-21"


def run(*args, language=None):
    """call_command in a language (None: the default, settings.LANGUAGE_CODE, Simplified Chinese);
    its output, or the CommandError's message."""
    out = io.StringIO()
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            call_command(*args, stdout=out, stderr=io.StringIO())
        except CommandError as exc:
            return str(exc)
    return out.getvalue()


@pytest.fixture
def campaign(db):
    return Campaign.objects.select_related("region").get(program_key="xiajiceng")


@pytest.mark.parametrize(
    "environ, language",
    [
        ({}, "zh-hans"),
        ({"LANG": "C.UTF-8"}, "zh-hans"),
        ({"LANG": "zh_CN.UTF-8"}, "zh-hans"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh-hans"),
        ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "C"}, "zh-hans"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_ALL": "", "LANG": "en_US.UTF-8"}, "en"),
        ({"MINQING_LANGUAGE": "en", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"MINQING_LANGUAGE": "zh-hans", "LC_ALL": "en_US.UTF-8"}, "zh-hans"),
        ({"MINQING_LANGUAGE": "de", "LANG": "en_US.UTF-8"}, "zh-hans"),
    ],
)
def test_the_first_language_variable_set_decides_and_only_english_switches_from_chinese(environ, language):
    assert cli_language(environ) == language


def _minqing(*args, tmp_path, **env):
    """`python -m minqing ARGS` with only the given language variables set."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MINQING_", "LC_", "LANG", "DATABASE_URL")) and k != "LANGUAGE"
    }
    clean.update({"MINQING_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "minqing.settings"})
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "minqing", *args], capture_output=True, text=True, env=clean, cwd=ROOT
    )


def test_the_minqing_command_speaks_chinese_by_default_and_english_when_the_locale_is_english(tmp_path):
    missing = tmp_path / "nowhere.toml"
    chinese = _minqing("program", "validate", str(missing), tmp_path=tmp_path, LANG="C.UTF-8")
    assert chinese.returncode != 0
    assert f"文件 {missing} 不存在。" in chinese.stderr
    english = _minqing("program", "validate", str(missing), tmp_path=tmp_path, LANG="en_US.UTF-8")
    assert english.returncode != 0
    assert f"There is no file {missing}." in english.stderr
    chosen = _minqing(
        "program", "validate", str(DUNDIAN), tmp_path=tmp_path, LANG="zh_CN.UTF-8", MINQING_LANGUAGE="en"
    )
    assert chosen.returncode == 0 and chosen.stdout.startswith("Valid: dundian ("), chosen.stderr
    for result in (chinese, english):
        assert "Errno" not in result.stderr and "Traceback" not in result.stderr


def test_a_missing_campaign_reads_the_same_in_every_command(campaign):
    commands = [
        ("compliance", "--campaign", "999999"),
        ("import", "pairings", str(DUNDIAN), "--campaign", "999999"),
        ("inspection", "list", "--campaign", "999999"),
        ("ledger", "list", "--campaign", "999999"),
        ("figures", "--campaign", "999999"),
        ("appraisal", "draw", "--campaign", "999999", "--period", "2026-11"),
        ("assessment", "run", "--campaign", "999999", "--period", "2026"),
        ("fieldwork", "visits", "--campaign", "999999"),
        ("cards", "--campaign", "999999", "-o", "/dev/null"),
    ]
    for command in commands:
        assert run(*command) == "编号为 999999 的活动不存在。", command
        assert run(*command, language="en") == "There is no campaign 999999.", command


def test_a_bad_date_reads_the_same_in_every_command(campaign):
    commands = [
        ("compliance", "--campaign", str(campaign.pk), "--as-of", "2026-13-01"),
        (
            "campaign",
            "start",
            "--program",
            "dundian",
            "--name",
            "x",
            "--region",
            "431123",
            "--start",
            "2026-13-01",
        ),
        (
            "inspection",
            "results",
            "--campaign",
            str(campaign.pk),
            "--start",
            "2026-13-01",
            "--end",
            "2026-12-01",
        ),
        ("audit", "purge", "--before", "2026-13-01"),
    ]
    for command in commands:
        assert run(*command) == "不是有效日期（应为 YYYY-MM-DD）：2026-13-01", command
        assert run(*command, language="en") == "Not a date (YYYY-MM-DD): 2026-13-01", command


def test_a_missing_region_unit_and_account_are_said_in_the_language(campaign):
    start = ("campaign", "start", "--program", "dundian", "--name", "x", "--start", "2026-12-01")
    assert run(*start, "--region", "999999") == "代码为 999999 的区划不存在。"
    assert run(*start, "--region", "999999", language="en") == "There is no region with the code 999999."
    units = ("campaign", "units", "--campaign", str(campaign.pk), "--unit", "99999", "--reason", "x")
    assert run(*units) == "编号为 99999 的单位不存在。"
    assert run(*units, language="en") == "There is no unit 99999."
    assert run("token", "create", "nosuchuser") == "账号 nosuchuser 不存在。"
    assert run("token", "create", "nosuchuser", language="en") == "There is no account nosuchuser."
    assert (
        run("ticket", "list", "--as", "nosuchuser", language="en") == "There is no active account nosuchuser."
    )


def test_the_compliance_summary_is_said_in_the_language(campaign):
    report = engine.ComplianceReport(
        campaign, dt.date(2026, 11, 21), engine.evaluate(campaign, dt.date(2026, 11, 21))
    )
    t = report.totals
    chinese = run("compliance", "--campaign", str(campaign.pk), "--as-of", AS_OF)
    assert f"{campaign.name}（{campaign.program_name}），截至2026年11月21日" in chinese
    assert (
        f"合计：达标 {t['pass']}，未达标 {t['fail']}，暂无记录 {t['no_records']}，未到期 {t['not_due']}"
        in chinese
    )
    english = run("compliance", "--campaign", str(campaign.pk), "--as-of", AS_OF, language="en")
    assert f"{campaign.name} ({campaign.program_name}), as of Nov. 21, 2026" in english
    assert (
        f"In total: {t['pass']} pass, {t['fail']} fail, {t['no_records']} no records yet, "
        f"{t['not_due']} not yet due" in english
    )
    assert not any(word in chinese for word in ("pass,", "fail,", "as of", "not yet due"))


def chinese_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_the_tables_write_days_as_the_language_does_and_json_keeps_iso(campaign):
    start = campaign.start
    listed = run("campaign", "list")
    assert f"{chinese_day(start)} – " in listed and start.isoformat() not in listed
    english = run("campaign", "list", language="en")
    with translation.override("en"):
        assert f"{date_format(start, 'DATE_FORMAT')} – " in english and start.isoformat() not in english

    inspections = Inspection.objects.filter(campaign=campaign)
    assert inspections.exists()
    listed = run("inspection", "list", "--campaign", str(campaign.pk))
    assert all(chinese_day(day) in listed for day in inspections.values_list("date", flat=True))
    as_json = json.loads(run("inspection", "list", "--campaign", str(campaign.pk), "--json"))
    assert {row["date"] for row in as_json} == {
        day.isoformat() for day in inspections.values_list("date", flat=True)
    }
    overdue = FollowUpAction.objects.filter(
        inspection__campaign=campaign, done_on__isnull=True, deadline__lt=timezone.localdate()
    ).first()
    assert overdue is not None
    assert chinese_day(overdue.deadline) in run("inspection", "overdue", "--campaign", str(campaign.pk))

    visit = Visit.objects.filter(campaign=campaign).order_by("-date", "-id").first()
    listed = run("fieldwork", "visits", "--campaign", str(campaign.pk), "--limit", "1")
    assert listed.startswith(f"{chinese_day(visit.date)} ") and visit.date.isoformat() not in listed


def test_ticket_and_token_tables_write_moments_as_the_pages_do_and_json_keeps_iso(db):
    office = Account.objects.get(username="office")
    ticket = ticket_list(user=office).select_related("unit").order_by("deadline", "id").first()
    deadline = timezone.localtime(ticket.deadline)
    shown = f"{chinese_day(deadline.date())} {deadline:%H:%M}"
    listed = run("ticket", "list", "--as", "office", "--limit", "100000")
    line = next(line for line in listed.splitlines() if line.startswith(f"{ticket.code} "))
    assert f"  {shown}  " in line and deadline.date().isoformat() not in line
    rows = json.loads(run("ticket", "list", "--as", "office", "--limit", "100000", "--json"))
    assert next(r for r in rows if r["code"] == ticket.code)["deadline"] == deadline.isoformat(
        timespec="minutes"
    )
    event = ticket.events.order_by("at", "id").first()
    at = timezone.localtime(event.at)
    assert f"  {chinese_day(at.date())} {at:%H:%M}  " in run("ticket", "show", ticket.code, "--as", "office")

    token_create(actor=None, account=office, name="手机")
    created = timezone.localtime(ApiToken.objects.filter(account=office).latest("id").created_at)
    line = next(line for line in run("token", "list").splitlines() if "\t手机\t" in line)
    assert f"\t{chinese_day(created.date())} {created:%H:%M}\t—\t" in line


def test_the_import_summary_is_said_in_the_language(db, tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("统计用区划代码,名称\n431123900000,测试镇\n431123900201,测试村\n", encoding="utf-8")
    chinese = run("import", "regions", str(path), "--dry-run", "--quiet")
    assert chinese.startswith("已校验，未写入：regions.csv，2 行，用时 ")
    assert chinese.splitlines()[0].endswith(" 秒")
    english = run("import", "regions", str(path), "--quiet", language="en")
    assert english.startswith("Imported: regions.csv, 2 rows, ") and english.splitlines()[0].endswith(" s")


def test_the_program_validate_line_is_said_in_the_language(db):
    data = parse_template(DUNDIAN.read_text(encoding="utf-8"))
    rules = len(data["rules"])
    assert (
        run("program", "validate", str(DUNDIAN)).strip()
        == f"校验通过：dundian（{data['name']}），{rules} 条规则"
    )
    assert (
        run("program", "validate", str(DUNDIAN), language="en").strip()
        == f"Valid: dundian ({data['name']}), {rules} rules"
    )


def test_a_file_that_cannot_be_read_is_a_translated_message_not_an_errno(db, tmp_path):
    missing = tmp_path / "missing.toml"
    assert run("program", "validate", str(missing)) == f"文件 {missing} 不存在。"
    assert run("program", "add", str(missing), language="en") == f"There is no file {missing}."
    assert run("program", "validate", str(tmp_path)) == f"{tmp_path} 是文件夹，不是文件。"
    assert run("import", "regions", str(missing), language="en") == f"There is no file {missing}."
    assert run("restore", str(missing)) == f"文件 {missing} 不存在。"
    nowhere = tmp_path / "no-such-folder" / "out.pdf"
    said = run(
        "cards", "--board", "431123100201", "--site-url", "https://minqing.example.gov.cn", "-o", str(nowhere)
    )
    assert "Errno" not in said


def test_a_template_that_is_not_toml_is_reported_without_the_parsers_english(db, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('key = "x"\n[phases\n', encoding="utf-8")
    chinese = run("program", "validate", str(path))
    assert "第2行" in chinese and "表头缺少结尾的 ]（第 8 列）" in chinese
    assert "Expected" not in chinese and "declaration" not in chinese
    english = run("program", "validate", str(path), language="en")
    assert "line 2" in english and "a table header lacks its closing ]" in english


# What each command's --help says, in Chinese by default and in English when asked: the
# command's own description, one of its arguments' help, and argparse's words around them.
HELP = {
    "program": (
        "方案模板：list 列出，validate FILE 校验，add FILE 添加（无需编写代码即可新增方案）。",
        "校验模板文件",
        "Program templates: list, validate FILE, add FILE (a new program without code).",
        "check a template file",
    ),
    "campaign": (
        "活动：按方案模板启动一项活动（输出其编号），或列出活动。",
        "按方案模板启动活动",
        "Campaigns: start one from a program template (prints its id), or list them.",
        "start a campaign from a program template",
    ),
    "compliance": (
        "按某一日期评估活动的每条考核规则",
        "只列出该状态的评估结果",
        "Evaluate every rule of a campaign as of a date",
        "only verdicts of this status",
    ),
    "import": (
        "从 .xlsx、.xls、.ods 或 .csv 导入名单",
        "只校验，不写入",
        "Import a list from .xlsx, .xls, .ods or .csv",
        "check only, write nothing",
    ),
    "token": (
        "API 令牌：`minqing token create USERNAME [--name NAME]` 只输出新令牌",
        "为账号创建令牌",
        "API tokens: `minqing token create USERNAME [--name NAME]` prints only the new token",
        "create a token for an account",
    ),
}


def _flat(text):
    """argparse wraps help to the terminal's width (after a hyphen too): compare without spaces."""
    return "".join(text.split())


@pytest.mark.parametrize("command", sorted(HELP))
def test_a_commands_help_is_chinese_by_default_and_english_when_asked(command, tmp_path):
    description, argument, description_en, argument_en = HELP[command]
    chinese = _minqing(command, "--help", tmp_path=tmp_path)
    assert chinese.returncode == 0, chinese.stderr
    assert chinese.stdout.startswith("用法：") and f" {command} [-h]" in chinese.stdout
    said = _flat(chinese.stdout)
    for words in (description, argument, "选项", "显示本帮助信息并退出", "跳过系统检查。"):
        assert _flat(words) in said, words
    for words in ("usage:", "options:", "show this help message", "Skip system checks.", argument_en):
        assert _flat(words) not in said, words

    english = _minqing(command, "--help", tmp_path=tmp_path, MINQING_LANGUAGE="en", LANG="zh_CN.UTF-8")
    assert english.returncode == 0, english.stderr
    assert english.stdout.startswith("usage: ") and f" {command} [-h]" in english.stdout
    said = _flat(english.stdout)
    for words in (description_en, argument_en, "options:", "show this help message and exit"):
        assert _flat(words) in said, words
    assert "用法" not in said and "选项" not in said


def test_a_percent_sign_in_a_help_text_is_shown_once(tmp_path):
    chinese = _minqing("fieldwork", "plan-progress", "--help", tmp_path=tmp_path)
    assert "0-100（%）" in chinese.stdout, chinese.stderr
    english = _minqing("fieldwork", "plan-progress", "--help", tmp_path=tmp_path, MINQING_LANGUAGE="en")
    assert "0-100 (%)" in english.stdout, english.stderr


def test_argparse_refuses_a_bad_command_line_in_the_language_with_a_nonzero_exit(tmp_path):
    missing = _minqing("campaign", "start", tmp_path=tmp_path)
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.startswith("用法：")
    assert " campaign start：错误：缺少必需的参数：--program, --name, --region, --start" in missing.stderr
    not_a_number = _minqing("compliance", "--campaign", "x", tmp_path=tmp_path)
    assert not_a_number.returncode == 2
    assert " compliance：错误：参数 --campaign：无效的 int 值：'x'" in not_a_number.stderr
    unknown = _minqing("import", "ledgers", "x.xlsx", tmp_path=tmp_path)
    assert unknown.returncode == 2
    assert "参数 kind：无效的选择：'ledgers'（可选：" in unknown.stderr

    english = _minqing("campaign", "start", tmp_path=tmp_path, LANG="en_US.UTF-8")
    assert english.returncode == 2
    assert english.stderr.startswith("usage: ")
    assert (
        " campaign start: error: the following arguments are required: "
        "--program, --name, --region, --start" in english.stderr
    )
    for result in (missing, not_a_number, unknown, english):
        assert "Traceback" not in result.stderr


def _parsers(parser):
    """A parser and every subcommand's parser under it."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_every_minqing_command_describes_itself_in_both_languages():
    """The help texts are lazy and read when the help is formatted: every command's and
    subcommand's help formats, and each command's description is said in the language asked."""
    commands = {name: app for name, app in get_commands().items() if app.startswith("minqing.")}
    assert {"campaign", "compliance", "import", "program", "token"} <= set(commands)
    for name, app in commands.items():
        command = load_command_class(app, name)
        said = {}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                parser = command.create_parser("minqing", name)
                helps = [sub.format_help() for sub in _parsers(parser)]
                said[language] = str(command.help)
            assert _flat(said[language]) in _flat(helps[0]), (name, language)
        assert said["zh-hans"] != said["en"], name
