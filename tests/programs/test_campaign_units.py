"""A campaign's participating units: set when it starts and changed later, by page, API and
command; each change a version with its reason, audited; the rules judge the units' cadres."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from minqing.core.models import AuditEvent
from minqing.org.models import Account, Unit
from minqing.org.services import token_create, unit_create
from minqing.programs.models import Campaign
from minqing.programs.services import campaign_change, pairing_create

from .conftest import verdicts


def _chief_with_a_household(scenario, campaign):
    chief = scenario.cadre("principal")
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=chief,
        kind="bangfu",
        target=scenario.household(level=1),
        start=dt.date(2026, 3, 5),
    )
    return chief


def test_changing_the_units_is_a_version_and_changes_who_is_judged(scenario):
    campaign = scenario.campaign("shugen")
    chief = _chief_with_a_household(scenario, campaign)
    assert chief.pk in {v.subject_id for v in verdicts(campaign, "hardship_quota")}
    other = unit_create(actor=scenario.office, name="另一个局", region=scenario.county)
    campaign_change(actor=scenario.office, campaign=campaign, units=[other], reason="改由另一个局参加")
    campaign.refresh_from_db()
    assert campaign.version == 2 and list(campaign.units.all()) == [other]
    change = campaign.versions.get(number=2).changes
    assert change == [
        {
            "what": "units",
            "from": [f"{scenario.unit.pk}:{scenario.unit.name}"],
            "to": [f"{other.pk}:另一个局"],
        }
    ]
    event = AuditEvent.objects.filter(action="campaign.change", object_id=str(campaign.pk)).latest("id")
    assert event.detail["changes"] == change and event.detail["reason"] == "改由另一个局参加"
    assert chief.pk not in {v.subject_id for v in verdicts(campaign, "hardship_quota")}
    # The same units again: no new version.
    campaign_change(actor=scenario.office, campaign=campaign, units=[other], reason="再确认")
    campaign.refresh_from_db()
    assert campaign.version == 2


def test_a_unit_outside_the_region_is_refused_and_nothing_changes(scenario):
    campaign = scenario.campaign("shugen")
    outside = Unit.objects.filter(region__code__startswith="350111").first()
    with pytest.raises(ValidationError):
        campaign_change(actor=scenario.office, campaign=campaign, units=[outside], reason="错误")
    campaign.refresh_from_db()
    assert campaign.version == 1 and list(campaign.units.all()) == [scenario.unit]


def test_the_start_and_edit_pages_set_the_units(scenario, client_as):
    client = client_as("office")
    response = client.post(
        "/campaigns/start/",
        {
            "program": "dundian",
            "name": "页面启动的蹲点",
            "region": scenario.county.code,
            "start": "2026-04-01",
            "units": [scenario.unit.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get(name="页面启动的蹲点")
    assert list(campaign.units.all()) == [scenario.unit]
    assert campaign.versions.get(number=1).changes[0]["units"] == [f"{scenario.unit.pk}:{scenario.unit.name}"]
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert scenario.unit.name in page
    edit = client.get(f"/campaigns/{campaign.pk}/edit/")
    form = edit.context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    data.update({"units": [], "reason": "全县单位都参加"})
    for key, value in list(data.items()):
        if isinstance(value, dt.date):
            data[key] = value.isoformat()
    assert client.post(f"/campaigns/{campaign.pk}/edit/", data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.version == 2 and not campaign.units.exists()
    assert "区域内全部单位" in client.get(f"/campaigns/{campaign.pk}/").content.decode()


def test_the_api_and_the_command_set_the_units(scenario):
    office = Client(
        HTTP_AUTHORIZATION=f"Bearer {token_create(actor=None, account=Account.objects.get(username='office'))}"
    )
    created = office.post(
        "/api/v1/campaigns",
        json.dumps(
            {
                "program": "dundian",
                "name": "接口启动",
                "region": scenario.county.code,
                "start": "2026-04-01",
                "units": [scenario.unit.pk],
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["units"] == [scenario.unit.pk]
    campaign_id = created.json()["id"]
    outside = Unit.objects.filter(region__code__startswith="350111").first()
    refused = office.put(
        f"/api/v1/campaigns/{campaign_id}/units",
        json.dumps({"units": [outside.pk], "reason": "错"}),
        content_type="application/json",
    )
    assert refused.status_code == 422 and Campaign.objects.get(pk=campaign_id).version == 1
    other = unit_create(actor=scenario.office, name="接口局", region=scenario.county)
    changed = office.put(
        f"/api/v1/campaigns/{campaign_id}/units",
        json.dumps({"units": [other.pk, scenario.unit.pk], "reason": "增加接口局"}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert sorted(changed.json()["units"]) == sorted([other.pk, scenario.unit.pk])
    call_command(
        "campaign", "units", "--campaign", str(campaign_id), "--unit", str(other.pk), "--reason", "只留接口局"
    )
    campaign = Campaign.objects.get(pk=campaign_id)
    assert campaign.version == 3 and list(campaign.units.all()) == [other]
