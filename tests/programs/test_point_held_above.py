"""A liaison point used by a campaign of a higher level (the county's, at a village of a
township) is read by the township office, as it reads that campaign, but not changed by it:
no form to rename, regrade or retire it, and a POST is refused (403) saying why. The county
office still changes it; the township office changes a point only its own campaigns use. The
point's page lists the corrections of its name and address, from the audit trail."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from minqing.geo.models import Region
from minqing.org.models import Grant
from minqing.programs.models import LiaisonPoint
from minqing.programs.services import pairing_create, point_create, point_regrade, point_update, team_create


@pytest.fixture
def township(db):
    grant = Grant.objects.get(account__username="office_jiangcun")
    return grant.regions.get()


@pytest.fixture
def village(township):
    return Region.objects.filter(code__startswith=township.prefix, level=Region.Level.VILLAGE).first()


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def county_point(scenario, village, today):
    """A point at a village of 江村乡, paired in a campaign of the county."""
    point = point_create(actor=scenario.office, name="柏利测试村", kind="village", region=village)
    campaign = scenario.campaign(
        "xiajiceng", start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=200)
    )
    campaign.name = "县下基层"
    campaign.save(update_fields=["name"])
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=scenario.cadre(),
        kind="baocun",
        target=point,
        start=campaign.start,
    )
    return point


def test_the_township_office_reads_a_point_of_the_countys_campaign_without_its_forms(client_as, county_point):
    response = client_as("office_jiangcun").get(reverse("programs:point-detail", args=[county_point.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="point-held-above"' in page
    assert "县下基层" in page
    region = county_point.region
    assert f"<dd>{region.parent.name}·{region.name}</dd>" in page
    for name in ("programs:point-edit", "programs:point-regrade", "programs:point-retire"):
        assert reverse(name, args=[county_point.pk]) not in page


@pytest.mark.parametrize(
    "name, data",
    [
        ("programs:point-edit", {"name": "改名村", "address": "新地址"}),
        ("programs:point-regrade", {"grade": "complex", "graded_on": "2026-01-01", "reason": "复杂"}),
        ("programs:point-retire", {"retired_on": "2026-01-01", "reason": "合村并组"}),
    ],
)
def test_the_township_office_may_not_change_a_point_of_the_countys_campaign(
    client_as, county_point, name, data
):
    client = client_as("office_jiangcun")
    with translation.override("en"):
        response = client.post(reverse(name, args=[county_point.pk]), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "run by a higher level" in response.content.decode()
    assert "县下基层" in response.content.decode()
    point = LiaisonPoint.objects.get(pk=county_point.pk)
    assert (point.name, point.address, point.grade, point.retired_on) == ("柏利测试村", "", "", None)


def test_the_refusal_names_the_campaign_in_the_default_language_too(client_as, county_point):
    response = client_as("office_jiangcun").post(
        reverse("programs:point-edit", args=[county_point.pk]), {"name": "改名村"}
    )
    assert response.status_code == 403
    assert 'id="denied-reason"' in response.content.decode()
    assert "县下基层" in response.content.decode()


def test_the_services_refuse_the_township_office_too(actor, county_point, today):
    office = actor("office_jiangcun")
    with pytest.raises(PermissionDenied):
        point_update(actor=office, point=county_point, name="改名村", address="")
    with pytest.raises(PermissionDenied):
        point_regrade(actor=office, point=county_point, grade="complex", graded_on=today, reason="复杂")


def test_a_team_point_of_the_countys_campaign_is_kept_above_too(actor, scenario, village, today):
    point = point_create(actor=scenario.office, name="队点测试村", kind="village", region=village)
    campaign = scenario.campaign(
        "xiajiceng", start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=200)
    )
    team_create(
        actor=scenario.office, campaign=campaign, name="一组", leader=None, members=[], points=[point]
    )
    with pytest.raises(PermissionDenied):
        point_update(actor=actor("office_jiangcun"), point=point, name="改名村", address="")


def test_the_county_office_still_corrects_the_point_and_its_page_keeps_the_old_name(client_as, county_point):
    client = client_as("office")
    response = client.post(
        reverse("programs:point-edit", args=[county_point.pk]), {"name": "柏利新村", "address": "村部"}
    )
    assert response.status_code == 302
    with translation.override("en"):
        page = client.get(
            reverse("programs:point-detail", args=[county_point.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    history = page.split('id="point-name-history"')[1].split("</table>")[0]
    assert "柏利测试村 → 柏利新村" in history
    assert "— → 村部" in history
    # The township office reads the history too.
    page = client_as("office_jiangcun").get(reverse("programs:point-detail", args=[county_point.pk]))
    assert "柏利测试村 → 柏利新村" in page.content.decode()


def test_the_township_office_changes_a_point_no_higher_campaign_uses(client_as, scenario, village):
    point = point_create(actor=scenario.office, name="乡自管测试村", kind="village", region=village)
    client = client_as("office_jiangcun")
    page = client.get(reverse("programs:point-detail", args=[point.pk])).content.decode()
    assert reverse("programs:point-edit", args=[point.pk]) in page
    assert 'id="point-held-above"' not in page
    response = client.post(reverse("programs:point-edit", args=[point.pk]), {"name": "乡改名测试村"})
    assert response.status_code == 302
    assert LiaisonPoint.objects.get(pk=point.pk).name == "乡改名测试村"


def test_the_api_refuses_the_township_office_saying_why(client, county_point, today):
    from minqing.org.models import Account
    from minqing.org.services import token_create

    token = token_create(actor=None, account=Account.objects.get(username="office_jiangcun"))
    response = client.post(
        f"/api/v1/points/{county_point.pk}/retire",
        {"retired_on": today.isoformat(), "reason": "合村并组"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403
    assert "run by a higher level" in response.json()["detail"]
    assert LiaisonPoint.objects.get(pk=county_point.pk).retired_on is None
