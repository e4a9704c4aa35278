"""A liaison point is retired (合村并组, an enterprise closed) on a day that has come, with a
reason, once no cadre's or unit's pairing with it still counts after that day (those are
ended first, each with its own reason): it is kept with its history, shown as retired, no
longer offered in forms, and the rules count it through that day and not after. Audited."""

import datetime as dt
import json
import uuid

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from minqing.core.dates import day_text
from minqing.core.models import AuditEvent
from minqing.fieldwork.forms import IncidentForm
from minqing.fieldwork.models import Activity, AttendanceDay, Deed, Visit, WorkLog
from minqing.fieldwork.services import (
    activity_record,
    attendance_check_in,
    deed_record,
    visit_correct,
    visit_record,
    worklog_write,
)
from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.programs import engine, selectors
from minqing.programs.models import LiaisonPoint
from minqing.programs.services import (
    pairing_create,
    pairing_end,
    point_regrade,
    point_retire,
    team_create,
    team_update,
    unit_pairing_create,
    unit_pairing_end,
)


def _en(day) -> str:
    with translation.override("en"):
        return day_text(day)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def campaign(scenario, today):
    """A 大走访 campaign that started two months ago (its points are paired as team points)."""
    return scenario.campaign(
        "dazoufang", start=today - dt.timedelta(days=60), end=today + dt.timedelta(days=300)
    )


def _pair(scenario, campaign, point, cadre=None):
    return pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre or scenario.cadre(),
        kind="team_point",
        target=point,
        start=campaign.start,
    )


def _unit_pair(scenario, campaign, point):
    return unit_pairing_create(
        actor=scenario.office,
        campaign=campaign,
        unit=scenario.unit,
        point=point,
        kind="twinning",
        start=campaign.start,
    )


def _audits(point):
    return AuditEvent.objects.filter(action="point.retire", object_id=str(point.pk))


# The service ----------------------------------------------------------------------------


def test_a_point_is_retired_with_its_day_and_reason_in_the_audit_trail(scenario, today):
    point = scenario.point()
    point_retire(actor=scenario.office, point=point, retired_on=today, reason=" 合村并组 ")
    point.refresh_from_db()
    assert (point.retired_on, point.retired_reason) == (today, "合村并组")
    event = _audits(point).get()
    assert event.user_id == scenario.office.pk
    assert event.detail == {"on": today.isoformat(), "reason": "合村并组", "teams": 0}


@pytest.mark.parametrize(
    "when, reason, field, message",
    [
        ("today", "  ", "reason", "Give the reason for retiring the point."),
        ("today", "x" * 201, "reason", "A reason has at most 200 characters."),
        (
            "before",
            "合村并组",
            "retired_on",
            "The point was entered on {today}: it cannot be retired before that day.",
        ),
        (
            "tomorrow",
            "合村并组",
            "retired_on",
            "The retirement date ({tomorrow}) cannot be later than today ({today}): retire the point when "
            "it has ended.",
        ),
    ],
)
def test_a_bad_day_or_no_reason_is_refused_and_changes_nothing(scenario, today, when, reason, field, message):
    point = scenario.point()
    day = {"today": today, "before": today - dt.timedelta(days=1), "tomorrow": today + dt.timedelta(days=1)}[
        when
    ]
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        point_retire(actor=scenario.office, point=point, retired_on=day, reason=reason)
    assert caught.value.message_dict == {
        field: [message.format(today=_en(today), tomorrow=_en(today + dt.timedelta(days=1)))]
    }
    point.refresh_from_db()
    assert point.retired_on is None and point.retired_reason == ""
    assert not _audits(point).exists()


def test_a_retired_point_is_not_retired_again_nor_regraded(scenario, today):
    point = scenario.point()
    point_retire(actor=scenario.office, point=point, retired_on=today, reason="企业关停")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        point_retire(actor=scenario.office, point=point, retired_on=today, reason="再次")
    assert caught.value.messages == [f"{point.name} was already retired on {_en(today)}."]
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        point_regrade(actor=scenario.office, point=point, grade="一类村", graded_on=today, reason="复评")
    assert caught.value.messages == [
        f"{point.name} was retired on {_en(today)}: its grade is kept as it was."
    ]
    assert _audits(point).count() == 1 and not point.gradings.exists()


def test_only_who_manages_points_of_its_region_retires_one(scenario, actor, today):
    point = scenario.point()
    for username in ("leader", "office_jinan", "cadre", "village", "inspector"):
        with pytest.raises(PermissionDenied):
            point_retire(actor=actor(username), point=point, retired_on=today, reason="合村并组")
    point.refresh_from_db()
    assert point.retired_on is None and not _audits(point).exists()


def test_pairings_still_running_refuse_the_retirement_until_each_is_ended(scenario, campaign, today):
    point = scenario.point()
    pairings = [_pair(scenario, campaign, point), _pair(scenario, campaign, point)]
    unit_pairing = _unit_pair(scenario, campaign, point)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        point_retire(actor=scenario.office, point=point, retired_on=today, reason="合村并组")
    assert caught.value.messages == [
        f"Pairings with {point.name} still count after {_en(today)} (cadres' pairings: 2, units' pairings: 1; "
        f"in {campaign.name}). End each of them first, with its own reason, on its campaign's Pairings or "
        "Unit pairings page (the point's page links them); then retire the point."
    ]
    point.refresh_from_db()
    assert point.retired_on is None and not _audits(point).exists()
    # Ended (each with its own reason), through the day of retirement: then it goes.
    for pairing in pairings:
        pairing_end(actor=scenario.office, pairing=pairing, end=today, reason="合村并组")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        point_retire(actor=scenario.office, point=point, retired_on=today, reason="合村并组")
    assert "(cadres' pairings: 0, units' pairings: 1;" in caught.value.messages[0]
    unit_pairing_end(actor=scenario.office, unit_pairing=unit_pairing, end=today, reason="合村并组")
    point_retire(actor=scenario.office, point=point, retired_on=today, reason="合村并组")
    assert _audits(point).count() == 1


def test_a_pairing_that_ended_before_the_day_does_not_hold_the_point_and_one_after_it_does(
    scenario, campaign, today
):
    point = scenario.point()
    pairing = _pair(scenario, campaign, point)
    yesterday = today - dt.timedelta(days=1)
    pairing_end(actor=scenario.office, pairing=pairing, end=today, reason="调整")
    # Retired yesterday, it would be left with a pairing that counts today.
    LiaisonPoint.objects.filter(pk=point.pk).update(created_at=timezone.now() - dt.timedelta(days=90))
    with pytest.raises(ValidationError):
        point_retire(actor=scenario.office, point=point, retired_on=yesterday, reason="合村并组")
    point_retire(actor=scenario.office, point=point, retired_on=today, reason="合村并组")


def test_a_retired_point_takes_no_new_pairing_unit_pairing_or_team(scenario, campaign, today):
    point = scenario.point()
    point_retire(actor=scenario.office, point=point, retired_on=today, reason="合村并组")
    point.refresh_from_db()
    told = f"{point.name} was retired on {_en(today)}: it takes no new pairing or team."
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        _pair(scenario, campaign, point)
    assert caught.value.message_dict == {"target": [told]}
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        _unit_pair(scenario, campaign, point)
    assert caught.value.message_dict == {"point": [told]}
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        team_create(actor=scenario.office, campaign=campaign, name="第三工作队", points=[point])
    assert caught.value.message_dict == {
        "points": [f"These points were retired and take no new team: {point.name}"]
    }


def test_a_team_keeps_a_point_retired_after_it_was_given_and_saves_with_it(scenario, campaign, today):
    point, other = scenario.point(), scenario.point()
    team = team_create(actor=scenario.office, campaign=campaign, name="第一工作队", points=[point])
    point_retire(actor=scenario.office, point=point, retired_on=today, reason="合村并组")
    point.refresh_from_db()
    team_update(
        actor=scenario.office, team=team, name="第一工作队（调整）", kind="work_team", points=[point, other]
    )
    assert set(team.points.all()) == {point, other}


# Records at a retired point ----------------------------------------------------------------


@pytest.fixture
def retired(scenario, campaign, today):
    """A point entered long ago and retired yesterday, and a cadre who worked there (paired
    with it until then: a work log names only the cadre's own points)."""
    point = scenario.point()
    LiaisonPoint.objects.filter(pk=point.pk).update(created_at=timezone.now() - dt.timedelta(days=90))
    point.refresh_from_db()
    yesterday = today - dt.timedelta(days=1)
    cadre = scenario.cadre()
    pairing = _pair(scenario, campaign, point, cadre)
    pairing_end(actor=scenario.office, pairing=pairing, end=yesterday, reason="合村并组")
    point_retire(actor=scenario.office, point=point, retired_on=yesterday, reason="合村并组")
    point.refresh_from_db()
    return point, yesterday, cadre


def _records(scenario, campaign, point, cadre, day):
    """Each kind of field record at the point, on the day, through its service."""
    common = {"actor": scenario.office, "cadre": cadre}
    return {
        "visit": lambda: visit_record(
            campaign=campaign, date=day, form="home_visit", target=point, content="座谈", **common
        ),
        "attendance": lambda: attendance_check_in(point=point, date=day, **common),
        "worklog": lambda: worklog_write(point=point, date=day, content="走访三户", **common),
        "deed": lambda: deed_record(
            campaign=campaign, kind="project", title="修路", beneficiary=point, date=day, **common
        ),
        "activity": lambda: activity_record(
            campaign=campaign, kind="policy_training", title="培训", date=day, point=point, **common
        ),
    }


@pytest.mark.parametrize(
    "kind, field",
    [
        ("visit", "target"),
        ("attendance", "point"),
        ("worklog", "point"),
        ("deed", "beneficiary"),
        ("activity", "point"),
    ],
)
def test_a_record_at_a_retired_point_is_refused_after_its_day_and_accepted_on_it(
    scenario, campaign, retired, today, kind, field
):
    point, yesterday, cadre = retired
    model = {
        "visit": Visit,
        "attendance": AttendanceDay,
        "worklog": WorkLog,
        "deed": Deed,
        "activity": Activity,
    }
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        _records(scenario, campaign, point, cadre, today)[kind]()
    assert caught.value.message_dict == {
        field: [f"{point.name} was retired on {_en(yesterday)}: a record of a later day cannot name it."]
    }
    assert not model[kind].objects.filter(point=point).exists()
    # One of a day it still counted (entered late, or synced from a phone) is kept.
    _records(scenario, campaign, point, cadre, yesterday)[kind]()
    assert model[kind].objects.filter(point=point, date=yesterday).count() == 1


def test_a_visit_at_a_retired_point_is_not_moved_past_its_day(scenario, campaign, retired, today):
    point, yesterday, cadre = retired
    visit = visit_record(
        actor=scenario.office, campaign=campaign, cadre=cadre, date=yesterday, form="home_visit", target=point
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        visit_correct(
            actor=scenario.office, visit=visit, date=today, form="home_visit", content="", outcome=""
        )
    assert caught.value.message_dict == {
        "date": [f"{point.name} was retired on {_en(yesterday)}: a record of a later day cannot name it."]
    }
    visit.refresh_from_db()
    assert visit.date == yesterday and visit.version == 1


def test_the_phone_is_told_why_a_record_at_a_retired_point_is_refused(
    scenario, campaign, retired, client, today
):
    point, yesterday, _cadre = retired
    token = token_create(actor=None, account=scenario.office)  # the demo office is also a cadre
    told = f"{point.name} was retired on {_en(yesterday)}: a record of a later day cannot name it."
    sent = {
        "visit": {
            "campaign": campaign.pk,
            "date": today.isoformat(),
            "form": "home_visit",
            "target": {"type": "point", "id": point.pk},
            "content": "离线座谈",
        },
        "attendance": {"point": point.pk, "date": today.isoformat()},
        "deed": {
            "campaign": campaign.pk,
            "kind": "project",
            "title": "修路",
            "target": {"type": "point", "id": point.pk},
            "date": today.isoformat(),
        },
    }
    for kind, payload in sent.items():
        response = client.put(
            f"/api/v1/sync/{kind}/{uuid.uuid4()}",
            json.dumps({"payload": payload}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 422, (kind, response.content)
        assert told in sum(response.json()["errors"].values(), []), kind
    assert not Visit.records.filter(point=point).exists()
    assert (
        not AttendanceDay.objects.filter(point=point).exists()
        and not Deed.objects.filter(point=point).exists()
    )


# The rules ------------------------------------------------------------------------------


def _point_subjects(campaign, as_of):
    return {v.subject_id for v in engine.evaluate(campaign, as_of) if v.rule == "deeds_per_point"}


def test_the_rules_count_a_retired_point_through_its_day_and_not_after(scenario, campaign, today):
    team_point, paired_point = scenario.point(), scenario.point()
    team_create(actor=scenario.office, campaign=campaign, name="第一工作队", points=[team_point])
    pairing = _pair(scenario, campaign, paired_point)
    pairing_end(actor=scenario.office, pairing=pairing, end=today, reason="合村并组")
    for point in (team_point, paired_point):
        point_retire(actor=scenario.office, point=point, retired_on=today, reason="合村并组")
    tomorrow = today + dt.timedelta(days=1)
    assert {team_point.pk, paired_point.pk} <= _point_subjects(campaign, today)
    assert not {team_point.pk, paired_point.pk} & _point_subjects(campaign, tomorrow)


# Forms and pages ------------------------------------------------------------------------


def test_a_retired_point_is_offered_in_no_form_but_its_own_team_s(scenario, campaign, client_as, today):
    point, other = scenario.point(), scenario.point()
    team = team_create(actor=scenario.office, campaign=campaign, name="第一工作队", points=[point])
    point_retire(actor=scenario.office, point=point, retired_on=today, reason="合村并组")
    assert point not in selectors.campaign_points(user=scenario.office, campaign=campaign)
    assert other in selectors.campaign_points(user=scenario.office, campaign=campaign)
    incidents = IncidentForm(user=scenario.office, permission="programs.manage").fields["point"].queryset
    assert point not in incidents and other in incidents
    client = client_as("office")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (f"/campaigns/{campaign.pk}/pairings/", f"/campaigns/{campaign.pk}/unit-pairings/"):
        points = client.get(url).context["form"].fields["point"].queryset
        assert point not in points and other in points, url
    points = client.get(f"/campaigns/{campaign.pk}/teams/").context["form"].fields["points"].queryset
    assert point not in points and other in points
    # Its own team still lists it (saving keeps it), marked as retired.
    html = client.get(f"/campaigns/{campaign.pk}/teams/{team.pk}/").content.decode()
    assert f"{point.name} (retired on {_en(today)})" in html


def test_the_point_page_lists_what_holds_it_and_retires_it_once_ended(scenario, campaign, client_as, today):
    point = scenario.point()
    pairing = _pair(scenario, campaign, point)
    client = client_as("office")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = f"/points/{point.pk}/"
    html = client.get(url).content.decode()
    assert f'action="{url}retire/"' in html and 'id="point-running"' in html
    assert f'href="/campaigns/{campaign.pk}/pairings/?q=' in html and "1 cadre's pairing" in html
    response = client.post(f"{url}retire/", {"retired_on": today.isoformat(), "reason": "合村并组"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<details id="retire" open>' in html and "cadres&#x27; pairings: 1" in html
    point.refresh_from_db()
    assert point.retired_on is None

    pairing_end(actor=scenario.office, pairing=pairing, end=today, reason="合村并组")
    response = client.post(
        f"{url}retire/", {"retired_on": today.isoformat(), "reason": "合村并组"}, follow=True
    )
    assert response.redirect_chain[-1][0] == url
    html = response.content.decode()
    assert f"{point.name} was retired on {_en(today)}." in html
    assert f"Retired on {_en(today)}: 合村并组." in html
    assert "retire/" not in html and "regrade/" not in html
    assert _audits(point).count() == 1


def test_the_point_list_shows_points_in_use_by_default_and_retired_ones_under_their_filter(
    scenario, client_as, today
):
    point, other = scenario.point(), scenario.point()
    point_retire(actor=scenario.office, point=point, retired_on=today, reason="合村并组")
    client = client_as("office")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def listed(query=""):
        return {p.pk for p in client.get("/points/" + query).context["page"].paginator.object_list}

    assert other.pk in listed() and point.pk not in listed()
    assert listed("?status=nonsense") == listed()
    assert point.pk in listed("?status=retired") and other.pk not in listed("?status=retired")
    assert {point.pk, other.pk} <= listed("?status=all")
    assert f"Retired on {_en(today)}" in client.get("/points/?status=retired").content.decode()


def test_an_office_of_another_county_gets_404_and_a_viewer_who_does_not_manage_403(
    scenario, client_as, today
):
    point = scenario.point()
    url = f"/points/{point.pk}/retire/"
    body = {"retired_on": today.isoformat(), "reason": "合村并组"}
    assert client_as("office_jinan").post(url, body).status_code == 404
    assert client_as("leader").post(url, body).status_code == 403
    point.refresh_from_db()
    assert point.retired_on is None and not _audits(point).exists()


# The API --------------------------------------------------------------------------------


def _auth(username):
    token = token_create(actor=None, account=Account.objects.get(username=username))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_api_retires_a_point_and_lists_points_by_status(scenario, client, today):
    point = scenario.point()
    url = f"/api/v1/points/{point.pk}/retire"
    body = {"retired_on": today.isoformat(), "reason": "企业关停"}
    assert client.post(url, body, content_type="application/json", **_auth("office_jinan")).status_code == 404
    assert client.post(url, body, content_type="application/json", **_auth("leader")).status_code == 403
    office = _auth("office")
    refused = client.post(url, {**body, "reason": ""}, content_type="application/json", **office)
    assert refused.status_code == 422 and refused.json() == {
        "detail": "Give the reason for retiring the point."
    }
    done = client.post(url, body, content_type="application/json", **office)
    assert done.status_code == 200
    assert done.json() == {
        "id": point.pk,
        "name": point.name,
        "kind": "village",
        "region": point.region_id,
        "grade": "",
        "grade_label": "",
        "grades": [
            {"key": "first", "label": "Grade one"},
            {"key": "second", "label": "Grade two"},
            {"key": "third", "label": "Grade three"},
        ],
        "retired_on": today.isoformat(),
        "retired_reason": "企业关停",
    }

    def listed(query=""):
        found, page = set(), 1
        while True:
            body = client.get(f"/api/v1/points?size=500&page={page}{query}", **office).json()
            found |= {item["id"] for item in body["items"]}
            if len(found) >= body["count"] or not body["items"]:
                return found
            page += 1

    assert (
        point.pk not in listed()
        and point.pk in listed("&status=retired")
        and point.pk in listed("&status=all")
    )
    assert client.get("/api/v1/points?status=nonsense", **office).status_code == 422
    assert _audits(point).count() == 1
