"""A campaign started after some of its template's year has passed (a May start of a program
whose first phase is in April, or of one whose whole year is March–April): the phases that
had ended are left out (or placed in the next year when the campaign runs that long), never
put silently a year on; the phases are listed in date order; due dates lie in the campaign;
what changed is said on the page and by the command, and a refusal names the days once."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from minqing.programs.models import Campaign
from minqing.programs.services import campaign_start, fitted_phases, program_get, resolve_config


def _start(scenario, program, start, end=None, name="迟到的活动"):
    return campaign_start(
        actor=scenario.office,
        program_key=program,
        name=name,
        region=scenario.county,
        start=start,
        end=end,
        units=[scenario.unit],
    )


def _windows(campaign) -> list[tuple[str, str, str]]:
    return [(p["key"], p["start"], p["end"]) for p in campaign.config["phases"]]


def _dates_in_order(campaign):
    starts = [p["start"] for p in campaign.config["phases"]]
    assert starts == sorted(starts)


# The tester's first case: dazoufang (8 March – 30 April) from 1 May, no end -------------


def test_dazoufang_started_after_its_year_runs_next_year_and_says_so(scenario):
    campaign = _start(scenario, "dazoufang", dt.date(2027, 5, 1))
    assert _windows(campaign) == [
        ("mobilize", "2028-03-08", "2028-03-10"),
        ("field", "2028-03-11", "2028-03-25"),
        ("summary", "2028-03-26", "2028-04-05"),
        ("followup", "2028-04-06", "2028-04-30"),
    ]
    assert campaign.rule("team_summary")["params"]["due"] == "2028-04-05"
    with translation.override("en"):
        said = fitted_phases(campaign)
    assert said == [
        "Every phase of the program had ended before the campaign starts (March 8, 2027 – April 30, 2027): "
        "they are placed in the next year, March 8, 2028 – April 30, 2028. To run them sooner, move them on "
        "the campaign's Change page."
    ]


def test_the_start_page_says_where_dazoufang_went(scenario, client_as):
    response = client_as("office").post(
        "/campaigns/start/",
        {"program": "dazoufang", "name": "五月大走访", "region": scenario.county.code, "start": "2027-05-01"},
        follow=True,
    )
    assert response.status_code == 200
    assert Campaign.objects.filter(name="五月大走访").exists()
    page = response.content.decode()
    assert "2027年3月8日 – 2027年4月30日" in page and "2028年3月8日 – 2028年4月30日" in page


# The tester's second case: dundian from 10 May, no end ---------------------------------


def test_dundian_from_the_command_leaves_out_the_april_phase_and_its_due_dates(scenario):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command(
            "campaign",
            "start",
            "--program",
            "dundian",
            "--name",
            "五月蹲点",
            "--region",
            "431123",
            "--start",
            "2027-05-10",
            stdout=out,
            stderr=err,
        )
    campaign = Campaign.objects.get(pk=int(out.getvalue().strip()))
    assert _windows(campaign) == [("station", "2027-05-10", "2027-12-31")]
    for key in ("yilianwu", "first_stay"):
        rule = campaign.rule(key)
        assert rule["disabled"] is True
        assert rule["params"]["due"] == "2027-05-10"
    said = err.getvalue()
    assert (
        "Phase “启动与名单报送” (April 1, 2027 – April 30, 2027) had ended before the campaign starts" in said
    )
    assert (
        "List due by (April 15, 2027) had passed before the campaign starts: the rule is switched off" in said
    )
    assert "2028" not in said + str(campaign.config)


def test_a_rule_counting_in_a_left_out_phase_is_switched_off(scenario):
    campaign = _start(scenario, "xiajiceng", dt.date(2027, 5, 10))
    assert [p["key"] for p in campaign.config["phases"]] == ["deeds", "institutionalize"]
    assert campaign.rule("four_ones")["disabled"] is True
    with translation.override("en"):
        said = fitted_phases(campaign)
    assert any("counts in phase “调查摸底（四个一）”, which is left out" in line for line in said)


# The tester's third case: with an end date ------------------------------------------------


def test_dundian_from_may_to_december_starts_instead_of_being_refused(scenario):
    campaign = _start(scenario, "dundian", dt.date(2027, 5, 10), dt.date(2027, 12, 31))
    assert _windows(campaign) == [("station", "2027-05-10", "2027-12-31")]
    assert all(
        campaign.start.isoformat() <= r["params"]["due"] <= campaign.end.isoformat()
        for r in campaign.config["rules"]
        if "due" in r["params"]
    )


def test_dazoufang_that_cannot_run_is_refused_once_with_this_years_days(scenario, client_as):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        _start(scenario, "dazoufang", dt.date(2027, 5, 1), dt.date(2027, 12, 31))
    assert caught.value.message_dict["dates"][0] == (
        "The phases of “百乡千村万户大走访” (March 8, 2027 – April 30, 2027) had ended before the campaign "
        "starts (May 1, 2027), and next year they begin on March 8, 2028, after it ends (Dec. 31, 2027)."
    )
    assert len(caught.value.message_dict["dates"]) == 2  # and the hint
    response = client_as("office").post(
        "/campaigns/start/",
        {
            "program": "dazoufang",
            "name": "五月大走访",
            "region": scenario.county.code,
            "start": "2027-05-01",
            "end": "2027-12-31",
        },
    )
    page = response.content.decode()
    assert page.count("2027年3月8日 – 2027年4月30日") == 1
    assert page.count("请选择涵盖这些日期的活动起止日期") == 1
    assert not Campaign.objects.filter(name="五月大走访").exists()


# A campaign that runs that long, and winters --------------------------------------------


def test_a_campaign_running_into_next_year_has_the_passed_phase_then_in_date_order(scenario):
    campaign = _start(scenario, "dundian", dt.date(2027, 5, 10), dt.date(2028, 12, 31))
    assert _windows(campaign) == [
        ("station", "2027-05-10", "2027-12-31"),
        ("start", "2028-04-01", "2028-04-30"),
    ]
    _dates_in_order(campaign)
    assert campaign.rule("yilianwu")["params"]["due"] == "2028-04-15"
    assert not campaign.rule("yilianwu").get("disabled")
    with translation.override("en"):
        said = fitted_phases(campaign)
    assert (
        "Phase “启动与名单报送” (April 1, 2027 – April 30, 2027) had ended before the campaign starts: "
        "it is placed in the next year, April 1, 2028 – April 30, 2028." in said
    )


WINTER = {
    "phases": [
        {"key": "winter", "name": "冬季走访", "start": "11-15", "end": "02-28"},
        {"key": "rest", "name": "其余时间", "start": "03-01", "end": "11-14"},
    ],
    "cadence": {"summary_due": "01-31"},
}


@pytest.mark.parametrize(
    "start, windows, due",
    [
        # In the winter: it runs from the start; the rest of the year follows.
        (dt.date(2027, 1, 10), [("2027-01-10", "2027-02-28"), ("2027-03-01", "2027-11-14")], "2027-01-31"),
        # In May: the coming winter, across the new year, after the rest of this year.
        (dt.date(2027, 5, 1), [("2027-05-01", "2027-11-14"), ("2027-11-15", "2028-02-28")], "2028-01-31"),
    ],
)
def test_a_winter_phase_across_the_new_year_is_kept(db, start, windows, due):
    config, _fitted = resolve_config(WINTER, start)
    assert [(p["start"], p["end"]) for p in config["phases"]] == windows
    assert config["cadence"]["summary_due"] == due


def test_a_start_before_the_year_keeps_the_template_as_it_was(db):
    config, fitted = resolve_config(program_get("dundian"), dt.date(2027, 3, 1), dt.date(2027, 12, 31))
    assert [(p["key"], p["start"], p["end"]) for p in config["phases"]] == [
        ("start", "2027-04-01", "2027-04-30"),
        ("station", "2027-05-01", "2027-12-31"),
    ]
    assert fitted == [] and config["rules"][1]["params"]["due"] == "2027-04-15"


# A campaign across the new year (a tester's case): 三服务's one phase is 全年开展 ----------


def test_a_year_round_phase_runs_to_the_end_of_a_campaign_across_the_new_year(scenario):
    campaign = _start(scenario, "sanfuwu", dt.date(2026, 11, 1), dt.date(2027, 3, 31))
    assert _windows(campaign) == [("year", "2026-11-01", "2027-03-31")]
    with translation.override("en"):
        said = fitted_phases(campaign)
    assert said == [
        "Phase “全年开展” was fitted to the campaign's dates: Nov. 1, 2026 – March 31, 2027 instead of "
        "Jan. 1, 2026 – Dec. 31, 2026."
    ]


def test_days_after_the_last_phase_are_said(scenario):
    # 大走访's phases end on 30 April; a campaign to the end of May leaves May in no phase.
    campaign = _start(scenario, "dazoufang", dt.date(2027, 3, 1), dt.date(2027, 5, 31))
    assert _windows(campaign)[-1] == ("followup", "2027-04-06", "2027-04-30")
    with translation.override("en"):
        said = fitted_phases(campaign)
    assert said[-1] == (
        "From May 1, 2027 to the campaign's end (May 31, 2027) no phase of the program runs: records of "
        "those days count in no phase. Stretch a phase on the campaign's Change page if they should."
    )
