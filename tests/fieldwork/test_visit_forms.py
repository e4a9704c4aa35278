"""Visit forms fit their targets: the 三服务 template offers the visits its seed describes (to a
village, a township, an enterprise, a key project, the households, and meetings at the linked
points), each naming the targets it is for; the phone and the visit page offer those that fit,
the service refuses one that does not (a clear message, nothing written), and a campaign started
before keeps its own forms, which fit every target as they did."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from minqing.fieldwork.models import Visit
from minqing.fieldwork.services import visit_correct, visit_record
from minqing.programs.schema import TemplateInvalid, parse_template
from minqing.programs.services import pairing_create
from tests.fieldwork.test_visit_changes import FieldScenario
from tests.programs.test_template_schema import template


@pytest.fixture
def scenario(db, actor):
    return FieldScenario(actor("office"))


@pytest.fixture
def campaign(scenario):
    today = timezone.localdate()
    return scenario.campaign(
        "sanfuwu", start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=60)
    )


def _keys(forms):
    return [f["key"] for f in forms]


def test_the_sanfuwu_template_offers_the_forms_that_fit_each_target(campaign):
    assert _keys(campaign.visit_forms_for("household")) == ["home_visit"]
    assert _keys(campaign.visit_forms_for("member")) == ["home_visit"]
    assert _keys(campaign.visit_forms_for("point", "village")) == ["village_visit", "meeting"]
    assert _keys(campaign.visit_forms_for("point", "township")) == ["township_visit", "meeting"]
    assert _keys(campaign.visit_forms_for("point", "enterprise")) == ["enterprise_visit", "meeting"]
    assert _keys(campaign.visit_forms_for("point", "key_project")) == ["project_visit", "meeting"]
    assert campaign.visit_form_name("village_visit") == "走访村（社区）"
    assert campaign.visit_form_name("project_visit") == "走访项目"


def test_a_form_that_does_not_fit_the_target_is_refused_and_nothing_is_written(scenario, campaign):
    cadre = scenario.cadre("member")
    household, village = scenario.household(), scenario.point(kind="village", name="民主村")
    today = timezone.localdate()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        visit_record(
            actor=scenario.office, campaign=campaign, cadre=cadre, date=today, form="enterprise_visit",
            target=household, content="走访",
        )  # fmt: skip
    assert refused.value.message_dict["form"] == [
        "“走访企业” does not fit this target (household); the forms for it: “入户走访”."
    ]
    with pytest.raises(ValidationError) as refused:
        visit_record(
            actor=scenario.office, campaign=campaign, cadre=cadre, date=today, form="home_visit",
            target=village, content="走访",
        )  # fmt: skip
    assert "走访村（社区）" in refused.value.message_dict["form"][0]
    assert not Visit.records.filter(cadre=cadre).exists()
    visit = visit_record(
        actor=scenario.office, campaign=campaign, cadre=cadre, date=today, form="village_visit",
        target=village, content="走访村两委",
    )  # fmt: skip
    assert visit.form_name == "走访村（社区）"
    # A correction to a form that does not fit is refused too; one that fits is taken.
    with pytest.raises(ValidationError):
        visit_correct(
            actor=scenario.office, visit=visit, date=today, form="project_visit", content=visit.content,
            outcome="",
        )  # fmt: skip
    changed = visit_correct(
        actor=scenario.office, visit=visit, date=today, form="meeting", content=visit.content, outcome=""
    )
    assert changed.form == "meeting"


def test_the_phone_offers_each_target_the_forms_that_fit_it(scenario, campaign):
    cadre = scenario.cadre("member")
    for kind, target in (
        ("household_visits", scenario.household(head="赵六")),
        ("four_links", scenario.point(kind="village", name="联系村")),
        ("four_links", scenario.point(kind="key_project", name="重点项目工地")),
    ):
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadre,
            kind=kind,
            target=target,
            start=campaign.start,
        )
    client = Client()
    client.force_login(cadre.account)
    page = client.get(reverse("fieldwork:app")).content.decode()
    items = {
        name: item.split(">", 1)[0]
        for item in page.split('<li class="target"')[1:]
        for name in ("赵六", "联系村", "重点项目工地")
        if f"<strong>{name}</strong>" in item
    }
    assert 'data-forms="home_visit"' in items["赵六"]
    assert 'data-forms="village_visit meeting"' in items["联系村"]
    assert 'data-forms="project_visit meeting"' in items["重点项目工地"]


def test_the_visit_page_offers_the_forms_that_fit_the_visit_s_target(scenario, campaign, client_as):
    cadre = scenario.cadre("member")
    village = scenario.point(kind="village", name="民主村")
    visit = visit_record(
        actor=scenario.office, campaign=campaign, cadre=cadre, date=timezone.localdate(), form="village_visit",
        target=village, content="走访",
    )  # fmt: skip
    page = client_as("office").get(reverse("fieldwork:visit-edit", args=[visit.uuid])).content.decode()
    select = page.split('name="form"')[1].split("</select>")[0]
    assert 'value="village_visit"' in select and 'value="meeting"' in select
    assert 'value="home_visit"' not in select and 'value="enterprise_visit"' not in select


def test_a_campaign_started_before_the_forms_named_targets_keeps_offering_every_form(scenario, campaign):
    """A campaign keeps its own copy of the template: one started when 三服务 had only 入户走访
    and 走访企业 (no targets) offers both for every target, as before, and a visit recorded then
    with 走访企业 at a household stays valid."""
    campaign.config["visit_forms"] = [
        {"key": "home_visit", "name": "入户走访"},
        {"key": "enterprise_visit", "name": "走访企业"},
    ]
    campaign.save(update_fields=["config"])
    cadre = scenario.cadre("member")
    village, household = scenario.point(kind="village"), scenario.household()
    assert _keys(campaign.visit_forms_for("point", "village")) == ["home_visit", "enterprise_visit"]
    assert _keys(campaign.visit_forms_for("household")) == ["home_visit", "enterprise_visit"]
    today = timezone.localdate()
    for target in (village, household):
        visit = visit_record(
            actor=scenario.office, campaign=campaign, cadre=cadre, date=today, form="enterprise_visit",
            target=target, content="走访",
        )  # fmt: skip
        corrected = visit_correct(
            actor=scenario.office,
            visit=visit,
            date=today,
            form="enterprise_visit",
            content="走访了解",
            outcome="",
        )
        assert corrected.form == "enterprise_visit"


def test_a_form_with_none_fitting_a_target_leaves_every_form_to_that_target(scenario, campaign):
    """A template that names no form for a kind of target (a party organization here) does not
    stop its visits: every form is offered for it."""
    assert _keys(campaign.visit_forms_for("point", "party_org")) == ["meeting"]
    campaign.config["visit_forms"] = [f for f in campaign.config["visit_forms"] if f["key"] != "meeting"]
    campaign.save(update_fields=["config"])
    assert len(campaign.visit_forms_for("point", "party_org")) == 5


@pytest.mark.parametrize("targets", ['["farm"]', "[]", '"village"', "[1]"])
def test_a_template_s_form_targets_must_be_kinds_of_target(targets):
    text = template(extra=f'\n[[visit_forms]]\nkey = "v"\nname = "走访"\ntargets = {targets}\n')
    with translation.override("en"), pytest.raises(TemplateInvalid) as caught:
        parse_template(text)
    (error,) = caught.value.errors
    assert error.path == "visit_forms[1].targets"
    assert error.message.startswith("must be a list of some of: household, member, point, village")


def test_a_template_s_form_targets_are_kept():
    text = template(extra='\n[[visit_forms]]\nkey = "v"\nname = "走访"\ntargets = ["household", "park"]\n')
    assert parse_template(text)["visit_forms"] == [
        {"key": "v", "name": "走访", "targets": ["household", "park"]}
    ]
