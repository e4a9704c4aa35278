"""Ending a unit's pairing with a point (结对共建, 部门包村/包社区/包企业): on a day that has come,
within its campaign and not before it started, with a reason, once, by whom may record it,
audited; active through its end day and ended from the next, on the pages and in the API."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format

from minqing.core.dates import day_text
from minqing.core.models import AuditEvent
from minqing.org.models import Account
from minqing.org.services import account_create, grant_set, token_create
from minqing.programs.models import UnitPairing
from minqing.programs.services import unit_pairing_create, unit_pairing_end


def _en(day) -> str:
    """A day as an English message writes it."""
    with translation.override("en"):
        return day_text(day)


def _campaign(scenario, region=None):
    """A campaign that started two months ago and runs for most of a year more."""
    today = timezone.localdate()
    return scenario.campaign(
        "xiajiceng",
        start=today - dt.timedelta(days=60),
        end=today + dt.timedelta(days=300),
        region=region,
    )


def _pair(scenario, campaign, point=None, kind="covers_village"):
    return unit_pairing_create(
        actor=scenario.office,
        campaign=campaign,
        unit=scenario.unit,
        point=point or scenario.point(),
        kind=kind,
        start=campaign.start,
    )


def _audits(unit_pairing):
    return AuditEvent.objects.filter(action="unit_pairing.end", object_id=str(unit_pairing.pk))


# The service ----------------------------------------------------------------------------


def test_a_unit_pairing_ends_with_its_date_and_reason_in_the_audit_trail(scenario):
    campaign = _campaign(scenario)
    up = _pair(scenario, campaign)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    unit_pairing_end(actor=scenario.office, unit_pairing=up, end=yesterday, reason="  单位职能调整  ")
    up.refresh_from_db()
    assert up.end == yesterday
    event = _audits(up).get()
    assert event.user == scenario.office and event.object_type == "programs.unitpairing"
    assert event.detail["end"] == yesterday.isoformat()
    assert event.detail["reason"] == "单位职能调整"
    assert (event.detail["unit"], event.detail["point"]) == (scenario.unit.pk, up.point_id)


def test_a_unit_pairing_is_active_through_its_end_day_and_ended_from_the_next(scenario):
    campaign = _campaign(scenario)
    up = _pair(scenario, campaign)
    end = timezone.localdate() - dt.timedelta(days=10)
    unit_pairing_end(actor=scenario.office, unit_pairing=up, end=end, reason="调整")
    active = UnitPairing.objects.filter(campaign=campaign)
    assert list(active.active_on(end)) == [up]
    assert not active.active_on(end + dt.timedelta(days=1)).exists()


def test_a_unit_pairing_does_not_end_before_it_starts_on_a_day_to_come_or_after_its_campaign(scenario):
    campaign = _campaign(scenario)
    up = _pair(scenario, campaign)
    today = timezone.localdate()
    with translation.override("en"):
        for end, message in [
            (campaign.start - dt.timedelta(days=1), "A pairing cannot end before it starts."),
            (
                today + dt.timedelta(days=1),
                f"The end date ({_en(today + dt.timedelta(days=1))}) cannot be later than "
                f"today ({_en(today)}): end the pairing when it ends.",
            ),
        ]:
            with pytest.raises(ValidationError) as caught:
                unit_pairing_end(actor=scenario.office, unit_pairing=up, end=end, reason="调整")
            assert caught.value.message_dict == {"end": [message]}
    up.refresh_from_db()
    assert up.end is None and not _audits(up).exists()


def test_a_unit_pairing_of_a_campaign_that_has_ended_does_not_end_after_it(scenario):
    today = timezone.localdate()
    campaign = scenario.campaign(
        "shugen", start=today - dt.timedelta(days=90), end=today - dt.timedelta(days=30)
    )
    up = _pair(scenario, campaign)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        unit_pairing_end(actor=scenario.office, unit_pairing=up, end=today, reason="补录")
    assert caught.value.message_dict == {
        "end": [f"A pairing cannot end after its campaign ends ({_en(campaign.end)})."]
    }
    unit_pairing_end(actor=scenario.office, unit_pairing=up, end=campaign.end, reason="补录")
    up.refresh_from_db()
    assert up.end == campaign.end


@pytest.mark.parametrize(
    "reason, message",
    [
        ("", "Give the reason for ending the pairing."),
        ("   ", "Give the reason for ending the pairing."),
        ("因" * 201, "A reason has at most 200 characters."),
    ],
)
def test_ending_a_unit_pairing_needs_a_reason_of_at_most_200_characters(scenario, reason, message):
    up = _pair(scenario, _campaign(scenario))
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        unit_pairing_end(actor=scenario.office, unit_pairing=up, end=timezone.localdate(), reason=reason)
    assert caught.value.message_dict == {"reason": [message]}
    up.refresh_from_db()
    assert up.end is None and not _audits(up).exists()
    unit_pairing_end(actor=scenario.office, unit_pairing=up, end=timezone.localdate(), reason="因" * 200)


def test_a_bad_date_and_a_missing_reason_are_told_together(scenario):
    up = _pair(scenario, _campaign(scenario))
    with pytest.raises(ValidationError) as caught:
        unit_pairing_end(actor=scenario.office, unit_pairing=up, end=dt.date(2099, 1, 1), reason="")
    assert set(caught.value.message_dict) == {"end", "reason"}


def test_a_unit_pairing_that_has_ended_is_not_ended_again(scenario):
    up = _pair(scenario, _campaign(scenario))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    unit_pairing_end(actor=scenario.office, unit_pairing=up, end=yesterday, reason="调整")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        unit_pairing_end(actor=scenario.office, unit_pairing=up, end=timezone.localdate(), reason="再次")
    assert caught.value.messages == ["This pairing has already ended."]
    up.refresh_from_db()
    assert up.end == yesterday and _audits(up).count() == 1


def _township_office(scenario):
    """An office of the township the scenario's village lies in: it manages that township's
    campaigns, not the county's units."""
    account = account_create(actor=None, username="township_office", full_name="乡镇办", password=None)
    grant_set(actor=None, account=account, role="office", regions=[scenario.village.parent])
    return Account.objects.get(pk=account.pk)


def test_only_who_manages_the_campaign_and_the_unit_ends_a_unit_pairing(scenario, actor):
    up = _pair(scenario, _campaign(scenario))
    today = timezone.localdate()
    for username in ("leader", "office_jinan", "cadre"):
        with pytest.raises(PermissionDenied):
            unit_pairing_end(actor=actor(username), unit_pairing=up, end=today, reason="调整")
    # A township's campaign, with a county bureau among its units: the township office
    # manages the campaign and sees the point but cannot pick (or end for) the bureau.
    township = _township_office(scenario)
    local = _pair(scenario, _campaign(scenario, region=scenario.village.parent))
    with pytest.raises(PermissionDenied):
        unit_pairing_end(actor=township, unit_pairing=local, end=today, reason="调整")
    assert not UnitPairing.objects.filter(pk__in=[up.pk, local.pk], end__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="unit_pairing.end").exists()
    unit_pairing_end(actor=scenario.office, unit_pairing=local, end=today, reason="调整")


# The page -------------------------------------------------------------------------------


def _shown(day: dt.date) -> str:
    """A date as an English page writes it."""
    with translation.override("en"):
        return date_format(day, "DATE_FORMAT")


def _row(html: str, up) -> str:
    return re.search(rf'<tr id="unit-pairing-{up.pk}".*?</tr>', html, re.S).group(0)


def test_the_unit_pairing_page_ends_a_pairing_and_shows_it_ended(scenario, client_as):
    campaign = _campaign(scenario)
    up, other = _pair(scenario, campaign), _pair(scenario, campaign)
    client = client_as("office")
    url = f"/campaigns/{campaign.pk}/unit-pairings/"
    end_url = f"{url}{up.pk}/end/"
    html = client.get(url).content.decode()
    assert f'action="{end_url}"' in _row(html, up) and "<summary>结束</summary>" in _row(html, up)

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(end_url, {"end": yesterday.isoformat(), "reason": "单位职能调整"}, follow=True)
    assert response.redirect_chain[-1][0] == url
    html = response.content.decode()
    assert f"The pairing of {scenario.unit.name} with {up.point.name} was ended." in html
    row = _row(html, up)
    assert _shown(yesterday) in row and "Ended" in row and "/end/" not in row
    assert f'action="{url}{other.pk}/end/"' in _row(html, other)  # the other one still runs
    up.refresh_from_db()
    assert up.end == yesterday and _audits(up).get().detail["reason"] == "单位职能调整"


def test_a_refused_end_shows_the_errors_at_the_fields_and_keeps_the_input(scenario, client_as):
    campaign = _campaign(scenario)
    up = _pair(scenario, campaign)
    response = client_as("office").post(
        f"/campaigns/{campaign.pk}/unit-pairings/{up.pk}/end/",
        {"end": "2099-01-01", "reason": "单位职能调整"},
    )
    assert response.status_code == 200
    row = _row(response.content.decode(), up)
    assert "<details open>" in row
    # The message sits with the date field, before the reason's.
    end_field = re.search(r"<div>\s*<label for=\"end-\d+-end\".*?</div>", row, re.S).group(0)
    assert "解除日期（2099年1月1日）不能晚于今天" in end_field and 'value="2099-01-01"' in end_field
    assert 'value="单位职能调整"' in row
    up.refresh_from_db()
    assert up.end is None and not _audits(up).exists()

    response = client_as("office").post(
        f"/campaigns/{campaign.pk}/unit-pairings/{up.pk}/end/", {"end": "", "reason": ""}
    )
    row = _row(response.content.decode(), up)
    assert row.count('class="errorlist"') == 2


def test_a_second_end_of_the_same_pairing_is_told_on_the_page(scenario, client_as):
    campaign = _campaign(scenario)
    up = _pair(scenario, campaign)
    today = timezone.localdate().isoformat()
    client = client_as("office")
    client.post(f"/campaigns/{campaign.pk}/unit-pairings/{up.pk}/end/", {"end": today, "reason": "调整"})
    response = client.post(
        f"/campaigns/{campaign.pk}/unit-pairings/{up.pk}/end/", {"end": today, "reason": "又一次"}
    )
    assert response.status_code == 200
    assert "该结对已解除。" in _row(response.content.decode(), up)
    assert _audits(up).count() == 1


def test_viewers_who_do_not_manage_see_no_end_action_and_may_not_post_one(scenario, client_as):
    campaign = _campaign(scenario)
    up = _pair(scenario, campaign)
    leader = client_as("leader")
    html = leader.get(f"/campaigns/{campaign.pk}/unit-pairings/").content.decode()
    assert "/end/" not in _row(html, up)
    today = timezone.localdate().isoformat()
    url = f"/campaigns/{campaign.pk}/unit-pairings/{up.pk}/end/"
    assert leader.post(url, {"end": today, "reason": "调整"}).status_code == 403
    assert client_as("office_jinan").post(url, {"end": today, "reason": "调整"}).status_code == 404
    up.refresh_from_db()
    assert up.end is None


def test_the_unit_pairing_page_counts_its_queries_whatever_the_rows(scenario, client_as):
    campaign = _campaign(scenario)
    client = client_as("office")
    url = f"/campaigns/{campaign.pk}/unit-pairings/"
    counts = []
    for _ in range(2):
        _pair(scenario, campaign)
        ended = _pair(scenario, campaign)
        unit_pairing_end(actor=scenario.office, unit_pairing=ended, end=timezone.localdate(), reason="调整")
        client.get(url)  # the session and the scope are read once
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_point_page_shows_a_unit_pairing_ended_with_its_dates(scenario, client_as):
    campaign = _campaign(scenario)
    up = _pair(scenario, campaign)
    end = timezone.localdate() - dt.timedelta(days=3)
    unit_pairing_end(actor=scenario.office, unit_pairing=up, end=end, reason="调整")
    client = client_as("office")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/points/{up.point_id}/").content.decode()
    units = re.search(r"<h2>Units paired</h2>\s*<ul>.*?</ul>", html, re.S).group(0)
    assert f"{_shown(campaign.start)} – {_shown(end)}" in units and "Ended" in units


# The API --------------------------------------------------------------------------------


def _auth(username):
    token = token_create(actor=None, account=Account.objects.get(username=username))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_api_lists_unit_pairings_and_ends_one(scenario, client):
    campaign = _campaign(scenario)
    up = _pair(scenario, campaign)
    office = _auth("office")
    listed = client.get(f"/api/v1/campaigns/{campaign.pk}/unit-pairings", **office).json()
    assert listed["count"] == 1
    assert listed["items"][0] == {
        "id": up.pk,
        "unit": scenario.unit.pk,
        "unit_name": scenario.unit.name,
        "point": up.point_id,
        "point_name": up.point.name,
        "kind": "covers_village",
        "start": campaign.start.isoformat(),
        "end": None,
    }
    url = f"/api/v1/campaigns/{campaign.pk}/unit-pairings/{up.pk}/end"
    today = timezone.localdate().isoformat()

    refused = client.post(url, {"end": today, "reason": " "}, content_type="application/json", **office)
    assert refused.status_code == 422
    assert refused.json() == {"detail": "Give the reason for ending the pairing."}

    ended = client.post(url, {"end": today, "reason": "调整"}, content_type="application/json", **office)
    assert ended.status_code == 200 and ended.json()["end"] == today
    assert _audits(up).get().detail["reason"] == "调整"

    again = client.post(url, {"end": today, "reason": "调整"}, content_type="application/json", **office)
    assert again.status_code == 422 and again.json() == {"detail": "This pairing has already ended."}
    listed = client.get(f"/api/v1/campaigns/{campaign.pk}/unit-pairings", **office).json()
    assert listed["items"][0]["end"] == today


def test_the_api_refuses_to_end_a_unit_pairing_for_who_may_not(scenario, client):
    campaign = _campaign(scenario)
    up = _pair(scenario, campaign)
    url = f"/api/v1/campaigns/{campaign.pk}/unit-pairings/{up.pk}/end"
    body = {"end": timezone.localdate().isoformat(), "reason": "调整"}
    assert client.post(url, body, content_type="application/json", **_auth("leader")).status_code == 403
    assert client.post(url, body, content_type="application/json", **_auth("office_jinan")).status_code == 404
    up.refresh_from_db()
    assert up.end is None
