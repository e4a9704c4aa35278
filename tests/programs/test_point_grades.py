"""Point grades (分类定级) are a defined list: the default 一类/二类/三类, and a program's own
where its template names one (三服务 also singles out 复杂村), for the points in the region of
one of its campaigns. A grade outside the list is refused with the list named and nothing
written (service, page, API, import); the page and the API offer the list; grades stored as
free text before are mapped by the migration where they name one of the list, and shown as
they were written where they do not."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation

from minqing.core.models import AuditEvent
from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.programs.grades import GradeLists, grade_key
from minqing.programs.models import LiaisonPoint, PointGrading
from minqing.programs.schema import TemplateInvalid, parse_template
from minqing.programs.services import point_create, point_regrade

from .test_template_schema import template


def _en(username):
    token = token_create(actor=None, account=Account.objects.get(username=username))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_grade_outside_the_list_is_refused_naming_the_grades_and_nothing_is_written(scenario):
    point = scenario.point()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        point_regrade(
            actor=scenario.office, point=point, grade="A级", graded_on=dt.date(2026, 3, 1), reason="复评"
        )
    assert refused.value.message_dict == {
        "grade": ["“A级” is not one of the grades here: Grade one, Grade two, Grade three."]
    }
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        point_create(
            actor=scenario.office, name="新村部", kind="village", region=scenario.village, grade="复杂"
        )
    assert refused.value.message_dict["grade"][0].startswith("“Complex” is not one of the grades here")
    point.refresh_from_db()
    assert point.grade == "" and not point.gradings.exists()
    assert not LiaisonPoint.objects.filter(name="新村部").exists()
    assert not AuditEvent.objects.filter(action="point.regrade", object_id=str(point.pk)).exists()


def test_a_grade_is_given_by_its_key_its_label_or_as_it_was_written_before(scenario):
    point = scenario.point()
    for text, key in (("first", "first"), ("二类", "second"), ("三类村", "third"), ("Grade one", "first")):
        assert grade_key(text) == key
    point_regrade(
        actor=scenario.office, point=point, grade="二类村", graded_on=dt.date(2026, 3, 1), reason="定级"
    )
    point.refresh_from_db()
    assert point.grade == "second"
    with translation.override("en"):
        assert point.grade_label == "Grade two"


def test_a_program_that_names_its_grades_gives_them_to_the_points_of_its_campaigns_regions(scenario):
    """三服务 grades the complex villages too (16 复杂村 in the seed): a point in the region of
    one of its campaigns may be graded 复杂; elsewhere the default list holds."""
    point = scenario.point()
    assert GradeLists().for_region(point.region_id) == ["first", "second", "third"]
    scenario.campaign("sanfuwu")  # in the scenario's county
    assert GradeLists().for_region(point.region_id) == ["first", "second", "third", "complex"]
    point_regrade(
        actor=scenario.office, point=point, grade="复杂村", graded_on=dt.date(2026, 3, 1), reason="排查"
    )
    point.refresh_from_db()
    assert point.grade == "complex"


def test_a_campaign_started_before_its_template_named_grades_takes_its_program_s_list(scenario):
    campaign = scenario.campaign("sanfuwu")
    del campaign.config["point_grades"]  # as a campaign started before the list was kept with it
    campaign.save(update_fields=["config"])
    assert "complex" in GradeLists().for_region(scenario.point().region_id)


def test_the_page_offers_the_point_s_grades_and_shows_labels_and_grades_kept_as_written(scenario, client_as):
    scenario.campaign("sanfuwu")
    point = scenario.point()
    point_regrade(
        actor=scenario.office, point=point, grade="first", graded_on=dt.date(2026, 1, 10), reason="年初"
    )
    PointGrading.objects.filter(point=point).update(previous_grade="A级")  # free text from before the list
    client = client_as("office")
    with translation.override("en"):
        page = client.get(f"/points/{point.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    select = page.split('name="grade"')[1].split("</select>")[0]
    for key, label in (("first", "Grade one"), ("third", "Grade three"), ("complex", "Complex")):
        assert f'<option value="{key}">{label}</option>' in select
    assert '<dd id="point-grade">Grade one</dd>' in page
    assert ">A级</td>" in page  # the previous grade as it was written
    # A grade not offered is refused at the field, and nothing changes.
    with translation.override("en"):
        refused = client.post(
            f"/points/{point.pk}/regrade/",
            {"grade": "A级", "graded_on": "2026-03-01", "reason": "复评"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    client.post(
        f"/points/{point.pk}/regrade/", {"grade": "complex", "graded_on": "2026-03-01", "reason": "排查"}
    )
    point.refresh_from_db()
    assert point.grade == "complex"


def test_the_api_offers_the_grades_and_regrades_a_point_by_one_of_them(scenario, client):
    point = scenario.point()
    office = _en("office")
    listed = client.get("/api/v1/points?size=500", **office).json()["items"]
    item = next(i for i in listed if i["id"] == point.pk)
    assert [g["key"] for g in item["grades"]] == ["first", "second", "third"]
    url = f"/api/v1/points/{point.pk}/regrade"
    body = {"grade": "A级", "graded_on": "2026-03-01", "reason": "复评"}
    refused = client.post(url, body, content_type="application/json", **office)
    assert refused.status_code == 422 and refused.json() == {
        "detail": "“A级” is not one of the grades here: Grade one, Grade two, Grade three."
    }
    done = client.post(url, {**body, "grade": "third"}, content_type="application/json", **office)
    assert done.status_code == 200
    assert (done.json()["grade"], done.json()["grade_label"]) == ("third", "Grade three")
    assert client.post(
        url, {**body, "grade": "first"}, content_type="application/json", **_en("cadre")
    ).status_code in (
        403,
        404,
    )
    point.refresh_from_db()
    assert point.grade == "third" and point.gradings.count() == 1


def test_the_migration_maps_the_grades_it_knows_and_keeps_the_others_as_written(scenario):
    migration = importlib.import_module("minqing.programs.migrations.0004_point_grades_as_keys")
    known, unknown = scenario.point(), scenario.point()
    LiaisonPoint.objects.filter(pk=known.pk).update(grade="复杂村")
    LiaisonPoint.objects.filter(pk=unknown.pk).update(grade="A级")
    PointGrading.objects.create(
        point=known, grade="复杂村", previous_grade="二类村", graded_on=dt.date(2026, 1, 1)
    )
    PointGrading.objects.create(
        point=unknown, grade="A级", previous_grade="一类", graded_on=dt.date(2026, 1, 1)
    )
    migration.forwards(apps, None)
    known.refresh_from_db(), unknown.refresh_from_db()
    assert (known.grade, unknown.grade) == ("complex", "A级")
    assert [(g.previous_grade, g.grade) for g in known.gradings.all()] == [("second", "complex")]
    assert [(g.previous_grade, g.grade) for g in unknown.gradings.all()] == [("first", "A级")]
    with translation.override("en"):
        assert (known.grade_label, unknown.grade_label) == ("Complex", "A级")
    migration.backwards(apps, None)
    known.refresh_from_db()
    assert known.grade == "复杂"


@pytest.mark.parametrize("grades", ['["first", "gold"]', "[]", '"first"', '["first", "first"]'])
def test_a_template_s_grades_must_be_grades_of_the_list(grades):
    with translation.override("en"), pytest.raises(TemplateInvalid) as caught:
        parse_template(f"point_grades = {grades}\n" + template())
    (error,) = caught.value.errors
    assert error.path == "point_grades"
    assert error.message == "must be a list of different grades, each one of: first, second, third, complex"
