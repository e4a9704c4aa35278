"""A campaign's dates: the start, end, phases and due dates lie in a sane span of years and
within the campaign; bad ones are refused by page, API and command with a message that names
them, and nothing changes; a campaign already stored with such dates opens without a 500."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.programs.models import Campaign
from minqing.programs.services import campaign_change, campaign_start, program_get, resolve_config


def _start(scenario, program="dundian", start=dt.date(2026, 4, 1), end=dt.date(2026, 12, 31)):
    return campaign_start(
        actor=scenario.office,
        program_key=program,
        name="日期测试",
        region=scenario.county,
        start=start,
        end=end,
        units=[scenario.unit],
    )


def _edit_data(client, campaign) -> dict:
    """What the Change page would send back unchanged."""
    form = client.get(f"/campaigns/{campaign.pk}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    for key, value in list(data.items()):
        if isinstance(value, dt.date):
            data[key] = value.isoformat()
        elif isinstance(value, list) and key != "units" and not hasattr(form.fields[key], "choices"):
            # A list typed as text; lists with choices are ticked boxes, sent as they are.
            data[key] = ", ".join(str(v) for v in value)
    data["reason"] = "测试"
    return data


# 1a, 1b: the start page, the API and the command ---------------------------------------


def test_a_start_in_the_year_9999_is_refused_on_the_page_without_a_500(scenario, client_as):
    response = client_as("office").post(
        "/campaigns/start/",
        {"program": "dundian", "name": "九九九九", "region": scenario.county.code, "start": "9999-12-31"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "活动开始日期（9999年12月31日）必须在2000年1月1日至2099年12月31日之间" in page
    assert not Campaign.objects.filter(name="九九九九").exists()


@pytest.mark.parametrize(
    ("start", "written"), [(dt.date(202, 5, 1), "May 1, 0202"), (dt.date(1, 1, 1), "Jan. 1, 0001")]
)
def test_a_mistyped_year_is_refused_and_nothing_is_started(scenario, start, written):
    before = Campaign.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        _start(scenario, start=start, end=dt.date(2026, 12, 31))
    assert caught.value.message_dict["start"] == [
        f"The campaign's start ({written}) must lie between Jan. 1, 2000 and Dec. 31, 2099: check the year."
    ]
    assert Campaign.objects.count() == before


def test_an_end_beyond_the_span_is_refused_at_the_start(scenario):
    with pytest.raises(ValidationError) as caught:
        _start(scenario, end=dt.date(9999, 12, 31))
    assert set(caught.value.message_dict) == {"end"}


def test_the_api_and_the_command_refuse_a_start_outside_the_span(scenario):
    office = Client(
        HTTP_AUTHORIZATION=f"Bearer {token_create(actor=None, account=Account.objects.get(username='office'))}"
    )
    before = Campaign.objects.count()
    for start in ("9999-12-31", "0202-05-01"):
        response = office.post(
            "/api/v1/campaigns",
            json.dumps(
                {"program": "dundian", "name": "接口", "region": scenario.county.code, "start": start}
            ),
            content_type="application/json",
        )
        assert response.status_code == 422, response.content
        assert "2000年1月1日" in response.json()["detail"]
    with pytest.raises(CommandError, match="2099年12月31日"):
        call_command(
            "campaign",
            "start",
            "--program",
            "dundian",
            "--name",
            "命令",
            "--region",
            scenario.county.code,
            "--start",
            "9999-12-31",
        )
    assert Campaign.objects.count() == before


def test_phases_are_written_with_four_digit_years(db):
    config, _fitted = resolve_config(program_get("dundian"), dt.date(999, 5, 1))
    station = next(p for p in config["phases"] if p["key"] == "station")
    assert (station["start"], station["end"]) == ("0999-05-01", "0999-12-31")
    dt.date.fromisoformat(station["start"])


def test_the_edit_page_opens_a_campaign_stored_with_a_three_digit_year(scenario, client_as):
    campaign = _start(scenario)
    config = campaign.config
    config["phases"][0].update(start="203-04-01", end="203-04-30")
    Campaign.objects.filter(pk=campaign.pk).update(start=dt.date(202, 5, 1), config=config)
    client = client_as("office")
    response = client.get(f"/campaigns/{campaign.pk}/edit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="0202-05-01"' in page and 'value="0203-04-01"' in page
    # Sent back as it is, the stored start is refused; corrected, the phase is named.
    data = _edit_data(client, campaign)
    response = client.post(f"/campaigns/{campaign.pk}/edit/", data)
    assert response.status_code == 200
    assert "活动开始日期（0202年5月1日）必须在2000年1月1日至2099年12月31日之间" in response.content.decode()
    data["start"] = "2026-04-01"
    response = client.post(f"/campaigns/{campaign.pk}/edit/", data)
    assert response.status_code == 200
    assert (
        "阶段“启动与名单报送”（0203年4月1日 – 0203年4月30日）在活动开始（2026年4月1日）之前"
        in response.content.decode()
    )
    data.update({"phase__start__start": "2026-04-01", "phase__start__end": "2026-04-30"})
    assert client.post(f"/campaigns/{campaign.pk}/edit/", data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.start == dt.date(2026, 4, 1) and campaign.config["phases"][0]["start"] == "2026-04-01"


# 1c: an end in the year 9999 and the day verdicts are taken on ---------------------------


def test_an_end_in_the_year_9999_is_refused_on_the_edit_page(scenario, client_as):
    campaign = _start(scenario)
    client = client_as("office")
    data = _edit_data(client, campaign)
    data["end"] = "9999-12-31"
    response = client.post(f"/campaigns/{campaign.pk}/edit/", data)
    assert response.status_code == 200
    assert "活动结束日期（9999年12月31日）必须在2000年1月1日至2099年12月31日之间" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.end == dt.date(2026, 12, 31) and campaign.version == 1


def test_an_as_of_day_outside_the_span_is_said_and_not_a_500(scenario, client_as):
    campaign = _start(scenario)
    client = client_as("office")
    response = client.get(f"/campaigns/{campaign.pk}/compliance/?as_of=9999-12-31")
    assert response.status_code == 200
    page = response.content.decode()
    assert "统计日期（9999年12月31日）必须在2000年1月1日至2099年12月31日之间" in page
    assert response.context["as_of"] <= campaign.end
    export = client.get(f"/campaigns/{campaign.pk}/compliance.xlsx?as_of=9999-12-31")
    assert export.status_code == 302
    assert export["Location"] == f"/campaigns/{campaign.pk}/compliance/?as_of=9999-12-31"


def test_an_as_of_that_is_no_date_is_said_on_the_page(scenario, client_as):
    campaign = _start(scenario)
    response = client_as("office").get(f"/campaigns/{campaign.pk}/compliance/?as_of=abc")
    assert response.status_code == 200
    assert "“abc”不是日期" in response.content.decode()


def test_the_api_and_the_command_refuse_an_as_of_outside_the_span(scenario):
    campaign = _start(scenario)
    office = Client(
        HTTP_AUTHORIZATION=f"Bearer {token_create(actor=None, account=Account.objects.get(username='office'))}"
    )
    for as_of in ("9999-12-31", "abc"):
        response = office.get(f"/api/v1/campaigns/{campaign.pk}/compliance?as_of={as_of}")
        assert response.status_code == 422, (as_of, response.content)
    with pytest.raises(CommandError, match="9999年12月31日"):
        call_command("compliance", "--campaign", str(campaign.pk), "--as-of", "9999-12-31")


def test_a_campaign_stored_with_an_end_in_9999_shows_why_it_has_no_verdicts(scenario, client_as):
    campaign = _start(scenario)
    Campaign.objects.filter(pk=campaign.pk).update(end=dt.date(9999, 12, 31))
    client = client_as("office")
    response = client.get(f"/campaigns/{campaign.pk}/compliance/?as_of=2026-06-01")
    assert response.status_code == 200
    assert "活动结束日期（9999年12月31日）" in response.content.decode()
    assert client.get(f"/campaigns/{campaign.pk}/compliance.xlsx?as_of=2026-06-01").status_code == 302


# 2: phases, due dates, activities and numbers on the Change page ----------------------


def _refused(campaign, **change):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        campaign_change(actor=None, campaign=campaign, reason="测试", **change)
    campaign.refresh_from_db()
    assert campaign.version == 1
    return caught.value.message_dict


def test_a_phase_reaching_past_the_campaign_is_refused_naming_it(scenario):
    campaign = _start(scenario, start=dt.date(2026, 4, 1), end=dt.date(2026, 12, 31))
    errors = _refused(campaign, phases={"station": (dt.date(2026, 5, 1), dt.date(2027, 1, 31))})
    assert errors == {
        "phase.station": ["Phase “蹲点服务” ends on Jan. 31, 2027, after the campaign ends (Dec. 31, 2026)."]
    }
    errors = _refused(campaign, phases={"start": (dt.date(2026, 3, 20), dt.date(2026, 4, 30))})
    assert errors == {
        "phase.start": [
            "Phase “启动与名单报送” starts on March 20, 2026, before the campaign starts (April 1, 2026)."
        ]
    }


def test_overlapping_phases_are_refused(scenario):
    campaign = _start(scenario)
    errors = _refused(campaign, phases={"start": (dt.date(2026, 4, 1), dt.date(2026, 5, 10))})
    assert errors == {
        "phase.start": [
            "Phase “启动与名单报送” (April 1, 2026 – May 10, 2026) overlaps phase “蹲点服务” (May 1, 2026 – Dec. 31, 2026)."
        ]
    }


def test_moving_the_campaign_end_before_a_phase_end_is_refused(scenario):
    campaign = _start(scenario)
    errors = _refused(campaign, end=dt.date(2026, 10, 31))
    assert errors == {
        "phase.station": ["Phase “蹲点服务” ends on Dec. 31, 2026, after the campaign ends (Oct. 31, 2026)."]
    }


def test_a_due_date_outside_the_campaign_is_refused_naming_the_rule(scenario):
    campaign = _start(scenario)
    errors = _refused(campaign, params={("yilianwu", "due"): dt.date(2027, 4, 15)})
    assert errors == {
        "yilianwu.due": [
            "““一联五”名单4月15日前报送” · List due by (April 15, 2027) lies after the campaign ends (Dec. 31, 2026)."
        ]
    }
    errors = _refused(campaign, params={("first_stay", "due"): dt.date(2026, 3, 1)})
    assert (
        list(errors) == ["first_stay.due"]
        and "before the campaign starts (April 1, 2026)" in errors["first_stay.due"][0]
    )


def test_an_empty_activity_list_is_refused(scenario):
    campaign = _start(scenario, program="xiajiceng", start=dt.date(2026, 4, 15))
    errors = _refused(campaign, params={("four_ones", "activities"): []})
    assert errors == {"four_ones.activities": ["“调查阶段“四个一”” · Activities: choose at least one"]}


def test_an_absurd_number_is_refused(scenario):
    campaign = _start(scenario, program="dazoufang", start=dt.date(2026, 3, 8), end=dt.date(2026, 4, 30))
    errors = _refused(campaign, params={("care_for_vulnerable", "min_yuan"): 99999999999999999999999})
    assert errors == {
        "care_for_vulnerable.min_yuan": [
            "“每个工作队走访慰问不少于20户，每户不少于200元” · Yuan per household, at least: must be at most 10000000"
        ]
    }
    errors = _refused(campaign, params={("care_for_vulnerable", "min_households"): 5000})
    assert "must be at most 1000" in errors["care_for_vulnerable.min_households"][0]


def test_the_change_page_refuses_bad_values_and_keeps_the_campaign(scenario, client_as):
    campaign = _start(scenario, program="dazoufang", start=dt.date(2026, 3, 8), end=dt.date(2026, 4, 30))
    client = client_as("office")
    data = _edit_data(client, campaign)
    data["rule__care_for_vulnerable__min_yuan"] = "99999999999999999999999"
    response = client.post(f"/campaigns/{campaign.pk}/edit/", data)
    assert response.status_code == 200
    assert "10000000" in response.content.decode()
    data = _edit_data(client, campaign)
    data.pop("rule__team_activities__activities", None)  # every box unticked: nothing is sent
    data["phase__mobilize__end"] = "2026-03-12"
    response = client.post(f"/campaigns/{campaign.pk}/edit/", data)
    assert response.status_code == 200, response.content.decode()[:500]
    page = response.content.decode()
    assert "至少选择一项" in page and "与阶段“组织实施”" in page
    campaign.refresh_from_db()
    assert campaign.version == 1


# 3: the template's dates against the campaign's --------------------------------------


def test_a_template_phase_outside_the_chosen_dates_is_refused_saying_which(scenario):
    before = Campaign.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        _start(scenario, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    messages = caught.value.message_dict["dates"]
    assert (
        "Phase “启动与名单报送” (April 1, 2026 – April 30, 2026) lies after the campaign ends (March 31, 2026)."
        in messages
    )
    assert any("List due by (April 15, 2026) lies after the campaign ends" in m for m in messages)
    assert messages[-1].startswith("Choose campaign dates that cover them")
    assert Campaign.objects.count() == before


def test_the_start_page_says_which_template_dates_fall_outside(scenario, client_as):
    response = client_as("office").post(
        "/campaigns/start/",
        {
            "program": "dundian",
            "name": "三月蹲点",
            "region": scenario.county.code,
            "start": "2026-03-01",
            "end": "2026-03-31",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    said = "阶段“启动与名单报送”（2026年4月1日 – 2026年4月30日）在活动结束（2026年3月31日）之后"
    assert page.count(said) == 1
    assert page.count("请选择涵盖这些日期的活动起止日期") == 1
    assert not Campaign.objects.filter(name="三月蹲点").exists()


def test_a_phase_reaching_over_the_campaign_dates_is_fitted_and_said(scenario, client_as):
    response = client_as("office").post(
        "/campaigns/start/",
        {
            "program": "shugen",
            "name": "三月起的树根",
            "region": scenario.county.code,
            "start": "2026-03-01",
            "end": "2026-10-31",
        },
        follow=True,
    )
    campaign = Campaign.objects.get(name="三月起的树根")
    phase = campaign.config["phases"][0]
    assert (phase["start"], phase["end"]) == ("2026-03-01", "2026-10-31")
    fitted = campaign.versions.get(number=1).changes[0]["fitted"]
    assert fitted == [
        {"phase": phase["key"], "from": ["2026-01-01", "2026-12-31"], "to": ["2026-03-01", "2026-10-31"]}
    ]
    assert "已按活动日期调整为2026年3月1日 – 2026年10月31日" in response.content.decode()


def test_a_campaign_name_too_long_for_its_field_is_refused(scenario):
    before = Campaign.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        campaign_start(
            actor=scenario.office,
            program_key="dundian",
            name="长" * 121,
            region=scenario.county,
            start=dt.date(2026, 4, 1),
        )
    assert caught.value.message_dict["name"] == ["A campaign's name has at most 120 characters."]
    assert Campaign.objects.count() == before
