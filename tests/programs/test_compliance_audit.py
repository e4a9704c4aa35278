"""The compliance verdicts name cadres and residents ("特别困难户 张某某家 has no cadre"): each
read of them (the page, the API, the Excel checklist, `minqing compliance`) is one row of
the audit trail naming the campaign, the day and how many verdicts were shown."""

import io
import json
import re

from django.core.management import call_command

from minqing.core.models import AuditEvent
from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.programs.models import Campaign

DAY = "2026-11-21"


def county_campaign():
    return Campaign.objects.get(program_key="xiajiceng")


def reads(action="compliance.view"):
    return AuditEvent.objects.filter(action=action).order_by("id")


def test_the_page_records_one_read_with_the_campaign_the_day_and_the_rows_shown(client_as, db):
    campaign = county_campaign()
    before = reads().count()
    html = (
        client_as("office")
        .get(f"/campaigns/{campaign.pk}/compliance/?as_of={DAY}&status=fail")
        .content.decode()
    )
    shown = len(re.findall(r'<tr class="status-(\w+)">', html))
    assert shown > 0
    assert reads().count() == before + 1  # one row for the page, not one per name on it
    event = reads().last()
    assert (event.username, event.channel) == ("office", "web")
    assert (event.object_type, event.object_id) == ("programs.campaign", str(campaign.pk))
    assert event.detail["as_of"] == DAY and event.detail["shown"] == shown
    assert event.detail["filters"] == {"status": "fail"} and event.detail["page"] == 1
    assert event.detail["total"] >= shown


def test_the_api_records_one_read_with_the_verdicts_it_gives(client, db):
    campaign = county_campaign()
    token = token_create(actor=None, account=Account.objects.get(username="office"))
    before = reads().count()
    data = client.get(
        f"/api/v1/campaigns/{campaign.pk}/compliance?as_of={DAY}&status=fail",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    ).json()
    assert reads().count() == before + 1
    event = reads().last()
    assert (event.username, event.channel, event.object_id) == ("office", "api", str(campaign.pk))
    assert event.detail == {"as_of": DAY, "filters": {"status": "fail"}, "shown": data["shown"]}


def test_the_checklist_download_records_one_read_with_its_row_count(client_as, db):
    campaign = county_campaign()
    before = reads("compliance.export").count()
    response = client_as("office").get(f"/campaigns/{campaign.pk}/compliance.xlsx?as_of={DAY}")
    assert response.status_code == 200
    assert reads("compliance.export").count() == before + 1
    event = reads("compliance.export").last()
    assert event.object_id == str(campaign.pk) and event.detail["as_of"] == DAY
    assert event.detail["shown"] > 0 and event.detail["filtered"] == []
    # A filtered download says so in its row, as on its sheet.
    client_as("office").get(f"/campaigns/{campaign.pk}/compliance.xlsx?as_of={DAY}&status=fail")
    filtered = reads("compliance.export").last()
    assert filtered.detail["filtered"] and filtered.detail["shown"] < event.detail["shown"]


def test_the_command_records_one_read_as_the_account_or_the_operator(db):
    campaign = county_campaign()
    before = reads().count()
    out = io.StringIO()
    call_command("compliance", "--campaign", str(campaign.pk), "--as-of", DAY, "--json", stdout=out)
    data = json.loads(out.getvalue())
    command = ["compliance", "--campaign", str(campaign.pk), "--as-of", DAY]
    call_command(*command, "--failures", "--as", "office", stdout=out)
    call_command(*command, stdout=out)
    operator, office, summary = reads()[before:]
    assert reads().count() == before + 3
    assert (operator.channel, operator.username, operator.object_id) == ("cli", "", str(campaign.pk))
    assert operator.detail == {"as_of": DAY, "filters": {}, "shown": len(data["verdicts"])}
    assert (office.channel, office.username) == ("cli", "office")
    assert office.detail["filters"] == {"status": "fail"} and office.detail["shown"] > 0
    assert summary.detail["shown"] == 0  # the summary names no one, but the read is recorded
