"""A campaign's name is changed on its Change page like its dates: a new version with the
reason, in the history in words, audited."""

import re

from minqing.core.models import AuditEvent
from minqing.programs.models import Campaign

from .test_campaign_dates import _edit_data


def test_a_campaign_is_renamed_with_a_reason_and_the_history_says_so(scenario, client_as):
    campaign = scenario.campaign("dundian")
    client = client_as("office")
    data = _edit_data(client, campaign)
    assert data["name"] == campaign.name
    empty = client.post(f"/campaigns/{campaign.pk}/edit/", {**data, "name": "  "})
    assert empty.status_code == 200
    data["name"] = "2026年春季蹲点服务"
    assert client.post(f"/campaigns/{campaign.pk}/edit/", data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "2026年春季蹲点服务" and campaign.version == 2
    version = campaign.versions.get(number=2)
    assert version.changes == [{"what": "name", "from": "测试dundian", "to": "2026年春季蹲点服务"}]
    event = AuditEvent.objects.filter(action="campaign.change", object_id=str(campaign.pk)).latest("id")
    assert event.detail["changes"][0]["what"] == "name"
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert re.search(r"名称.{0,40}测试dundian.{0,40}2026年春季蹲点服务", page, re.S)
    # Nothing else changed: no new version.
    assert client.post(f"/campaigns/{campaign.pk}/edit/", data).status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).version == 2
