"""The template schema refuses what a person gets wrong in a template file — days that no
calendar has, true where a number belongs, misspelt keys, a minimum above its maximum —
each with its line, accepts a winter phase across the new year, and reads a file saved
with a byte-order mark or in GBK; adding a template with any error writes nothing."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from minqing.core.models import AuditEvent
from minqing.programs.models import ProgramTemplate
from minqing.programs.schema import TemplateInvalid, parse_template
from minqing.programs.services import campaign_change, resolve_config

from .conftest import verdict_for

HEAD = """key = "dongji"
name = "冬季走访"
"""

PHASE = """
[[phases]]
key = "all"
name = "全年"
start = "{start}"
end = "{end}"
"""

KIND = """
[[pairing_kinds]]
key = "contact"
name = "联系户"
target = "household"
"""

RULE = """
[[rules]]
key = "one_each"
type = "coverage.cadre_has_target"
name = "每名干部至少联系1户"
  [rules.params]
  min = 1
"""


def template(*, start="01-01", end="12-31", extra=""):
    return HEAD + PHASE.format(start=start, end=end) + KIND + RULE + extra


def errors_of(text) -> list[tuple[int | None, str, str]]:
    with translation.override("en"), pytest.raises(TemplateInvalid) as caught:
        parse_template(text)
    return [(e.line, e.path, e.message) for e in caught.value.errors]


def line_of(text, needle) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


# 1. Days of the calendar ------------------------------------------------------------


@pytest.mark.parametrize("day", ["02-30", "04-31", "06-31", "09-31", "11-31", "02-31"])
def test_a_day_no_calendar_has_is_refused_in_a_phase_with_its_line(day):
    text = template(start=day)
    assert errors_of(text) == [
        (
            line_of(text, "start ="),
            "phases[1].start",
            f"“{day}” is no day of the calendar: month {int(day[:2])} has no day {int(day[3:])}",
        )
    ]


def test_a_day_no_calendar_has_is_refused_as_a_due_date_and_a_summary_date():
    text = template(
        extra="""
[[rules]]
key = "summary"
type = "reports.team_summary"
name = "工作队总结"
  [rules.params]
  due = "04-31"

[cadence]
team_summary_due = "02-30"
"""
    )
    found = [(line, path) for line, path, _message in errors_of(text)]
    assert found == [
        (line_of(text, 'due = "04-31"'), "rules[2].params.due"),
        (line_of(text, "team_summary_due"), "cadence.team_summary_due"),
    ]


def test_the_29th_of_february_is_allowed_and_falls_on_the_28th_without_a_leap_year():
    text = template(
        extra="""
[[rules]]
key = "summary"
type = "reports.team_summary"
name = "工作队总结"
  [rules.params]
  due = "02-29"
"""
    )
    data = parse_template(text)
    plain, _fitted = resolve_config(data, dt.date(2026, 1, 1))
    assert plain["rules"][1]["params"]["due"] == "2026-02-28"
    # 29 February of 2027 has passed on 1 March: a campaign running into 2028 has it then.
    leap, _fitted = resolve_config(data, dt.date(2027, 3, 1), dt.date(2028, 12, 31))
    assert leap["rules"][1]["params"]["due"] == "2028-02-29"


# 2. Booleans are not numbers --------------------------------------------------------


def test_true_is_refused_where_a_number_is_expected():
    text = template(
        extra="""
[[rules]]
key = "days"
type = "service_days.monthly"
name = "固定服务日"
  [rules.params]
  days = [true, 7]

[cadence]
monthly_report_due_day = true

[deadlines]
township_days = true

[appraisal]
per_cadre = false
"""
    ).replace("  min = 1", "  min = true")
    assert errors_of(text) == [
        (line_of(text, "min = true"), "rules[1].params.min", "must be a whole number"),
        (line_of(text, "days = [true"), "rules[2].params.days", "must be a list of whole numbers"),
        (
            line_of(text, "monthly_report_due_day"),
            "cadence.monthly_report_due_day",
            "must be a day of the month from 1 to 28",
        ),
        (line_of(text, "township_days"), "deadlines.township_days", "must be a number of days from 0 to 365"),
        (line_of(text, "per_cadre"), "appraisal.per_cadre", "must be a number from 1 to 50"),
    ]


# 3. Unknown keys, with the nearest known one ---------------------------------------


def test_misspelt_keys_are_told_with_their_line_and_the_key_meant():
    text = (
        template()
        .replace('end = "12-31"', 'end = "12-31"\nstrat = "01-02"')
        .replace('type = "coverage', 'nmae = "x"\ntype = "coverage')
        + """
[[ledgers]]
key = "hot"
name = "热点难点"
feilds = []

[[rules]]
key = "slots"
type = "composition.slots"
name = "一联五"
  [rules.params]
  pairing_kind = "contact"
  deu = "04-15"

[cadence]
montly_report_due_day = 5

[deadlines]
townshp_days = 7
"""
    )
    found = errors_of(text)
    assert (line_of(text, "strat"), "phases[1].strat", "unknown key “strat”; did you mean “start”?") in found
    assert (line_of(text, "nmae"), "rules[1].nmae", "unknown key “nmae”; did you mean “name”?") in found
    assert (
        line_of(text, "feilds"),
        "ledgers[1].feilds",
        "unknown key “feilds”; did you mean “fields”?",
    ) in found
    assert (
        line_of(text, "deu ="),
        "rules[2].params.deu",
        "this rule has no parameter “deu”; did you mean “due”?",
    ) in found
    assert (
        line_of(text, "montly"),
        "cadence.montly_report_due_day",
        "unknown key “montly_report_due_day”; did you mean “monthly_report_due_day”?",
    ) in found
    assert (
        line_of(text, "townshp"),
        "deadlines.townshp_days",
        "unknown key “townshp_days”; did you mean “township_days”?",
    ) in found


def test_an_unknown_key_with_no_near_match_lists_the_keys_known_there():
    text = template().replace('end = "12-31"', 'end = "12-31"\ncolour = "red"')
    assert errors_of(text) == [
        (
            line_of(text, "colour"),
            "phases[1].colour",
            "unknown key “colour”; the keys known here are: end, key, name, start",
        )
    ]


def test_a_ticket_category_may_have_deadline_days_of_its_own():
    text = template(
        extra="""
[[ticket_categories]]
key = "safety"
name = "安全隐患"
description = "生产安全隐患"

[deadlines]
safety_days = 1
"""
    )
    assert parse_template(text)["deadlines"] == {"safety_days": 1}


# 4. Ordered parameters -------------------------------------------------------------


DEEDS = """
[[rules]]
key = "deeds"
type = "deeds.per_target"
name = "办1至2件实事"
  [rules.params]
  min = 3
"""


def test_a_minimum_above_its_maximum_is_refused_at_the_maximum():
    text = template(extra=DEEDS + "  max = 2\n")
    assert errors_of(text) == [
        (
            line_of(text, "max = 2"),
            "rules[2].params.max",
            "“Deeds per target, at least” (3) is more than “Deeds per target, expected at most” (2)",
        )
    ]


def test_a_minimum_above_the_default_maximum_is_refused_at_the_minimum():
    text = template(extra=DEEDS)
    assert [(line, path) for line, path, _message in errors_of(text)] == [
        (line_of(text, "min = 3"), "rules[2].params.min")
    ]


def test_the_change_page_refuses_a_minimum_above_the_maximum(scenario):
    from django.core.exceptions import ValidationError

    campaign = scenario.campaign("xiajiceng")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        campaign_change(
            actor=scenario.office,
            campaign=campaign,
            reason="调整",
            params={("deeds_per_household", "min"): 3},
        )
    assert "is more than" in caught.value.message_dict["deeds_per_household.min"][0]
    campaign.refresh_from_db()
    assert campaign.config["rules"][3]["params"]["min"] == 1


# 5. A winter phase across the new year ---------------------------------------------


WINTER = (
    HEAD
    + """
[[phases]]
key = "winter"
name = "冬季走访"
start = "11-15"
end = "02-28"

[[phases]]
key = "rest"
name = "其余时间"
start = "03-01"
end = "11-14"
"""
    + KIND
    + RULE
    + """
[[activities]]
key = "forum"
name = "一次座谈"

[[rules]]
key = "winter_forum"
type = "activities.held"
name = "冬季一次座谈"
  [rules.params]
  activities = ["forum"]
  per = "phase"
  phase = "winter"
"""
)


def test_a_winter_phase_across_the_new_year_is_accepted_and_counted(db, scenario, tmp_path):
    from minqing.fieldwork.services import activity_record
    from minqing.programs.services import campaign_start

    path = tmp_path / "winter.toml"
    path.write_text(WINTER, encoding="utf-8")
    call_command("program", "add", str(path))
    campaign = campaign_start(
        actor=scenario.office,
        program_key="dongji",
        name="冬季走访",
        region=scenario.county,
        start=dt.date(2024, 11, 15),
        end=dt.date(2025, 11, 14),
        units=[scenario.unit],
    )
    windows = {p["key"]: (p["start"], p["end"]) for p in campaign.config["phases"]}
    assert windows == {"winter": ("2024-11-15", "2025-02-28"), "rest": ("2025-03-01", "2025-11-14")}
    assert campaign.phase_on(dt.date(2025, 1, 10))["key"] == "winter"
    cadre = scenario.cadre()
    activity_record(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="forum",
        title="座谈",
        date=dt.date(2025, 1, 10),
    )
    verdict = verdict_for(campaign, "winter_forum", cadre.pk, as_of=dt.date(2025, 3, 5))
    assert (verdict.status, verdict.actual) == ("pass", "1/1")


def test_a_phase_typed_the_wrong_way_round_is_not_taken_for_a_winter(db):
    # May typed as "05-31" to "05-01" would run eleven months across the new year.
    swapped = WINTER.replace('start = "03-01"\nend = "11-14"', 'start = "05-31"\nend = "05-01"')
    assert swapped != WINTER
    ((line, path, message),) = errors_of(swapped)
    assert path == "phases[2].end" and line == line_of(swapped, 'end = "05-01"')
    assert "half a year at most" in message and "(336 days)" in message
    # The days as the reader's language writes a month and day, not as the file types them.
    assert "from May 31 to May 1 of the next year" in message
    with translation.override("zh-hans"), pytest.raises(TemplateInvalid) as caught:
        parse_template(swapped)
    assert "5月31日" in caught.value.errors[0].message and "05-31" not in caught.value.errors[0].message
    # Half a year across the new year is still a winter's work.
    parse_template(
        WINTER.replace('end = "02-28"', 'end = "05-14"').replace('start = "03-01"', 'start = "05-15"')
    )


# 6. How the file is saved ----------------------------------------------------------


def test_a_file_with_a_byte_order_mark_is_read_and_stored_without_it(db, tmp_path, capsys):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + template().encode("utf-8"))
    call_command("program", "validate", str(path))
    call_command("program", "add", str(path))
    assert ProgramTemplate.objects.get(key="dongji").source == template()


def test_a_file_saved_in_gbk_is_read(db, tmp_path):
    path = tmp_path / "gbk.toml"
    path.write_bytes(template().encode("gbk"))
    call_command("program", "add", str(path))
    assert ProgramTemplate.objects.get(key="dongji").name == "冬季走访"


def test_a_file_saved_as_utf16_by_notepad_is_read(db, tmp_path):
    path = tmp_path / "utf16.toml"
    path.write_bytes(template().encode("utf-16"))
    call_command("program", "validate", str(path))


def test_a_file_in_no_known_encoding_is_refused_saying_so(db, tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(template().encode("utf-8") + b'summary = "caf\xe9\xff"\n')
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("program", "add", str(path))
    assert "the file is not UTF-8 text (nor GBK/GB18030): save it as UTF-8" in str(caught.value)
    assert not ProgramTemplate.objects.exists()


def test_adding_a_template_with_any_of_these_errors_writes_nothing(db, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(template(start="02-30", extra=DEEDS).replace("min = 1", "min = true"), encoding="utf-8")
    before = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("program", "add", str(path))
    assert str(caught.value).count("line ") == 3
    assert not ProgramTemplate.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_misspelt_rule_type_is_told_with_the_type_meant():
    text = template().replace('type = "coverage.cadre_has_target"', 'type = "coverage.cadre_has_targt"')
    assert errors_of(text) == [
        (
            line_of(text, "cadre_has_targt"),
            "rules[1].type",
            "unknown rule type “coverage.cadre_has_targt”; did you mean “coverage.cadre_has_target”?",
        )
    ]


def test_a_stored_template_the_stricter_check_refuses_is_left_out_not_a_500(scenario, client_as):
    from django.core.exceptions import ValidationError

    from minqing.org.services import token_create
    from minqing.programs.services import campaign_start

    ProgramTemplate.objects.create(key="dongji", name="冬季走访", source=template(start="04-31"))
    client = client_as("office")
    listing = client.get("/programs/")
    assert listing.status_code == 200 and "机关干部下基层" in listing.content.decode()
    assert "冬季走访" not in listing.content.decode()
    assert client.get("/campaigns/start/").status_code == 200
    token = token_create(actor=None, account=scenario.office)
    api = client.get("/api/v1/programs", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200 and "dongji" not in {p["key"] for p in api.json()}
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        campaign_start(
            actor=scenario.office,
            program_key="dongji",
            name="冬季",
            region=scenario.county,
            start=dt.date(2026, 1, 1),
            units=[scenario.unit],
        )
    assert "no longer passes the template check" in caught.value.message_dict["program"][0]
