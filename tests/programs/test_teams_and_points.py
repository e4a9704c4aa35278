"""Teams have names of their own within a campaign and points inside its region; a point's
grade is never dated in the future, and its history reads in the order of the days; only who
manages points over a point's region corrects or regrades it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from minqing.core.models import AuditEvent
from minqing.geo.models import Region
from minqing.programs.models import LiaisonPoint, PointGrading, Team
from minqing.programs.services import point_regrade, point_update, team_create


def _elsewhere():
    return Region.objects.get(code="350111000000").children.first().children.first()


# 6: teams ------------------------------------------------------------------------------


def test_a_second_team_of_the_same_name_in_a_campaign_is_refused(scenario):
    campaign = scenario.campaign("dazoufang", start=dt.date(2026, 3, 8), end=dt.date(2026, 4, 30))
    team_create(actor=scenario.office, campaign=campaign, name="第一工作队")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        team_create(actor=scenario.office, campaign=campaign, name=" 第一工作队 ")
    assert caught.value.message_dict == {"name": ["This campaign already has a team named “第一工作队”."]}
    other = scenario.campaign("dazoufang", start=dt.date(2026, 3, 8), end=dt.date(2026, 4, 30))
    team_create(actor=scenario.office, campaign=other, name="第一工作队")  # another campaign's is fine
    assert Team.objects.filter(campaign=campaign).count() == 1


def test_a_team_with_a_point_outside_the_region_is_refused(scenario):
    campaign = scenario.campaign("dazoufang", start=dt.date(2026, 3, 8), end=dt.date(2026, 4, 30))
    inside, outside = scenario.point(), scenario.point(region=_elsewhere())
    with pytest.raises(ValidationError) as caught:
        team_create(actor=scenario.office, campaign=campaign, name="第二工作队", points=[inside, outside])
    assert caught.value.message_dict == {"points": [f"以下联系点不在本活动的区域范围内：{outside.name}"]}
    assert not Team.objects.filter(campaign=campaign).exists()


def test_the_team_page_shows_the_refusal_instead_of_a_500(scenario, client_as):
    campaign = scenario.campaign("dazoufang", start=dt.date(2026, 3, 8), end=dt.date(2026, 4, 30))
    team_create(actor=scenario.office, campaign=campaign, name="第一工作队")
    response = client_as("office").post(
        f"/campaigns/{campaign.pk}/teams/", {"name": "第一工作队", "kind": "work_team"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "本活动已有名为“第一工作队”的工作队" in page and "<details open>" in page
    assert Team.objects.filter(campaign=campaign).count() == 1


# 7: point grades -----------------------------------------------------------------------


def _graded_point(scenario, grade="一类村", on=dt.date(2026, 1, 10)):
    point = scenario.point()
    point_regrade(actor=scenario.office, point=point, grade=grade, graded_on=on, reason="年初定级")
    return point


def test_a_grade_dated_in_the_future_is_refused(scenario, client_as):
    point = _graded_point(scenario)
    later = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        point_regrade(actor=scenario.office, point=point, grade="三类村", graded_on=later, reason="提前")
    assert list(caught.value.message_dict) == ["graded_on"]
    response = client_as("office").post(
        f"/points/{point.pk}/regrade/",
        {"grade": "third", "graded_on": "2030-01-01", "reason": "提前"},
        follow=True,
    )
    assert "定级日期（2030年1月1日）不能晚于今天" in response.content.decode()
    point.refresh_from_db()
    assert point.grade == "first" and point.gradings.count() == 1


def test_a_back_dated_grade_takes_its_place_in_the_history(scenario):
    point = _graded_point(scenario, "一类村", dt.date(2026, 1, 10))
    point_regrade(
        actor=scenario.office, point=point, grade="三类村", graded_on=dt.date(2026, 6, 1), reason="复评"
    )
    back = point_regrade(
        actor=scenario.office,
        point=point,
        grade="二类村",
        graded_on=dt.date(2026, 3, 1),
        reason="补录季度评定",
    )
    assert back.previous_grade == "first"
    point.refresh_from_db()
    assert point.grade == "third"  # the latest by date stays the current grade
    history = [
        (g.graded_on, g.previous_grade, g.grade)
        for g in PointGrading.objects.filter(point=point).order_by("graded_on")
    ]
    assert history == [
        (dt.date(2026, 1, 10), "", "first"),
        (dt.date(2026, 3, 1), "first", "second"),
        (dt.date(2026, 6, 1), "second", "third"),
    ]
    event = AuditEvent.objects.filter(action="point.regrade", object_id=str(point.pk)).latest("id")
    assert event.detail == {"from": "first", "to": "second", "on": "2026-03-01", "current": "third"}


def test_a_grade_dated_before_every_other_keeps_the_point_current_grade(scenario):
    point = LiaisonPoint.objects.get(pk=_graded_point(scenario, "二类村", dt.date(2026, 2, 1)).pk)
    point_regrade(
        actor=scenario.office, point=point, grade="三类村", graded_on=dt.date(2025, 12, 1), reason="补录"
    )
    point.refresh_from_db()
    assert point.grade == "second"
    assert [(g.previous_grade, g.grade) for g in point.gradings.order_by("graded_on")] == [
        ("", "third"),
        ("third", "second"),
    ]


# 8: who corrects or regrades a point ----------------------------------------------------


@pytest.mark.parametrize("username", ["leader", "office_jinan", "cadre", "village", "inspector"])
def test_only_who_manages_points_of_its_region_corrects_or_regrades_one(scenario, actor, username):
    point = _graded_point(scenario)
    with pytest.raises(PermissionDenied):
        point_update(actor=actor(username), point=point, name="改名村", address="别处")
    with pytest.raises(PermissionDenied):
        point_regrade(
            actor=actor(username), point=point, grade="三类村", graded_on=dt.date(2026, 3, 1), reason="复评"
        )
    point.refresh_from_db()
    assert (point.name, point.grade, point.gradings.count()) == (point.name, "first", 1)
    assert not LiaisonPoint.objects.filter(name="改名村").exists()
    assert not AuditEvent.objects.filter(
        action__in=("point.update", "point.regrade"), object_id=str(point.pk), user_id=actor(username).pk
    ).exists()
    # The office over its region does both (no actor: the system, as in imports and commands).
    point_update(actor=scenario.office, point=point, name="改名村", address="新址")
    point_regrade(actor=None, point=point, grade="三类村", graded_on=dt.date(2026, 3, 1), reason="复评")
    point.refresh_from_db()
    assert (point.name, point.grade) == ("改名村", "third")
