"""Pairings recorded, ended and withdrawn through the API as on the pages; a unit pairing
still to come is withdrawn (it could be neither ended nor removed); ending or withdrawing a
cadre's pairing checks, in the service itself, who may and why."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format

from minqing.core.dates import day_text
from minqing.core.models import AuditEvent
from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.programs.models import Pairing, UnitPairing
from minqing.programs.services import (
    pairing_create,
    pairing_end,
    pairing_withdraw,
    unit_pairing_create,
    unit_pairing_withdraw,
)


def _en(day) -> str:
    """A day as an English message writes it."""
    with translation.override("en"):
        return day_text(day)


def _campaign(scenario):
    today = timezone.localdate()
    return scenario.campaign(
        "xiajiceng", start=today - dt.timedelta(days=60), end=today + dt.timedelta(days=300)
    )


def _auth(username):
    token = token_create(actor=None, account=Account.objects.get(username=username))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}


def _post(client, url, body, username="office"):
    return client.post(url, body, content_type="application/json", **_auth(username))


def _bangfu(scenario, campaign, start=None):
    return pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=scenario.cadre("member"),
        kind="bangfu",
        target=scenario.household(level=1),
        start=start or campaign.start,
    )


def _unit_pairing(scenario, campaign, start):
    return unit_pairing_create(
        actor=scenario.office,
        campaign=campaign,
        unit=scenario.unit,
        point=scenario.point(),
        kind="covers_village",
        start=start,
    )


# The service checks who may and why ---------------------------------------------------


def test_only_who_manages_the_campaign_ends_or_withdraws_a_cadre_pairing(scenario, actor):
    campaign = _campaign(scenario)
    begun = _bangfu(scenario, campaign)
    to_come = _bangfu(scenario, campaign, start=timezone.localdate() + dt.timedelta(days=5))
    for username in ("leader", "office_jinan", "cadre"):
        with pytest.raises(PermissionDenied):
            pairing_end(actor=actor(username), pairing=begun, end=timezone.localdate(), reason="调整")
        with pytest.raises(PermissionDenied):
            pairing_withdraw(actor=actor(username), pairing=to_come, reason="录入错误")
    begun.refresh_from_db()
    assert begun.end is None and Pairing.objects.filter(pk=to_come.pk).exists()
    assert not AuditEvent.objects.filter(action__in=["pairing.end", "pairing.withdraw"]).exists()


@pytest.mark.parametrize(
    "reason, message",
    [("", "Give the reason for ending the pairing."), ("因" * 201, "A reason has at most 200 characters.")],
)
def test_ending_a_cadre_pairing_needs_a_reason(scenario, reason, message):
    pairing = _bangfu(scenario, _campaign(scenario))
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        pairing_end(actor=scenario.office, pairing=pairing, end=timezone.localdate(), reason=reason)
    assert caught.value.message_dict == {"reason": [message]}
    pairing.refresh_from_db()
    assert pairing.end is None


# A unit pairing still to come is withdrawn ----------------------------------------------


def test_a_unit_pairing_still_to_come_is_withdrawn_and_the_audit_keeps_it(scenario):
    campaign = _campaign(scenario)
    start = timezone.localdate() + dt.timedelta(days=3)
    up = _unit_pairing(scenario, campaign, start)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        unit_pairing_withdraw(actor=scenario.office, unit_pairing=up, reason="  ")
    assert caught.value.message_dict == {"reason": ["Give the reason for withdrawing the pairing."]}
    unit_pairing_withdraw(actor=scenario.office, unit_pairing=up, reason=" 录入错误 ")
    assert not UnitPairing.objects.filter(pk=up.pk).exists()
    event = AuditEvent.objects.get(action="unit_pairing.withdraw", object_id=str(up.pk))
    assert event.detail == {
        "campaign": campaign.pk,
        "unit": scenario.unit.pk,
        "point": up.point_id,
        "kind": "covers_village",
        "start": start.isoformat(),
        "reason": "录入错误",
    }


def test_a_unit_pairing_that_has_begun_is_not_withdrawn_but_ended(scenario, actor):
    campaign = _campaign(scenario)
    up = _unit_pairing(scenario, campaign, timezone.localdate())
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        unit_pairing_withdraw(actor=scenario.office, unit_pairing=up, reason="录入错误")
    assert caught.value.messages == [
        f"This pairing began on {_en(timezone.localdate())}: end it instead. "
        "Only a pairing that has not begun is withdrawn."
    ]
    to_come = _unit_pairing(scenario, campaign, timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        unit_pairing_withdraw(actor=actor("leader"), unit_pairing=to_come, reason="录入错误")
    assert UnitPairing.objects.filter(pk__in=[up.pk, to_come.pk]).count() == 2
    assert not AuditEvent.objects.filter(action="unit_pairing.withdraw").exists()


def _row(html: str, up) -> str:
    return re.search(rf'<tr id="unit-pairing-{up.pk}".*?</tr>', html, re.S).group(0)


def test_the_unit_pairing_page_offers_withdraw_for_one_to_come_and_end_for_one_begun(scenario, client_as):
    campaign = _campaign(scenario)
    begun = _unit_pairing(scenario, campaign, campaign.start)
    to_come = _unit_pairing(scenario, campaign, timezone.localdate() + dt.timedelta(days=7))
    client = client_as("office")
    url = f"/campaigns/{campaign.pk}/unit-pairings/"
    html = client.get(url).content.decode()
    assert f'action="{url}{begun.pk}/end/"' in _row(html, begun) and "/withdraw/" not in _row(html, begun)
    row = _row(html, to_come)
    assert f'action="{url}{to_come.pk}/withdraw/"' in row and "/end/" not in row
    assert "<summary>撤销</summary>" in row

    # Refused without a reason: the page again, that row's form open with the error.
    refused = client.post(f"{url}{to_come.pk}/withdraw/", {"reason": ""})
    assert refused.status_code == 200
    row = _row(refused.content.decode(), to_come)
    assert "<details open>" in row and 'class="errorlist"' in row

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    done = client.post(f"{url}{to_come.pk}/withdraw/", {"reason": "计划调整"}, follow=True)
    assert done.redirect_chain[-1][0] == url
    html = done.content.decode()
    assert f"The pairing of {scenario.unit.name} with {to_come.point.name} was withdrawn." in html
    assert f'id="unit-pairing-{to_come.pk}"' not in html
    assert AuditEvent.objects.get(action="unit_pairing.withdraw").detail["reason"] == "计划调整"

    # Who sees but does not manage may not; who does not see finds nothing.
    other = _unit_pairing(scenario, campaign, timezone.localdate() + dt.timedelta(days=7))
    withdraw = f"{url}{other.pk}/withdraw/"
    assert client_as("leader").post(withdraw, {"reason": "x"}).status_code == 403
    assert client_as("office_jinan").post(withdraw, {"reason": "x"}).status_code == 404
    assert UnitPairing.objects.filter(pk=other.pk).exists()


# The API ---------------------------------------------------------------------------------


def test_the_api_records_a_cadre_pairing_as_the_page_does(scenario, client):
    campaign = _campaign(scenario)
    cadre = scenario.cadre("member")
    household = scenario.household(level=1)
    url = f"/api/v1/campaigns/{campaign.pk}/pairings"
    body = {
        "cadre": cadre.pk,
        "kind": "bangfu",
        "household": household.pk,
        "start": campaign.start.isoformat(),
    }

    made = _post(client, url, body)
    assert made.status_code == 201, made.content
    out = made.json()
    pairing = Pairing.objects.get(pk=out["id"])
    assert (pairing.cadre, pairing.household, pairing.kind) == (cadre, household, "bangfu")
    assert out["target_type"] == "household" and out["target_id"] == household.pk and out["end"] is None
    assert AuditEvent.objects.filter(action="pairing.create", object_id=str(pairing.pk)).exists()

    again = _post(client, url, body)
    assert again.status_code == 422
    assert again.json() == {"detail": "This cadre is already paired with this target."}

    for wrong, message in [
        (
            {**body, "point": scenario.point().pk},
            "Name one target: a household, a member or a liaison point.",
        ),
        ({**body, "household": 10**9}, "No such target among those you may see."),
        ({**body, "cadre": 10**9}, "This cadre does not take part in the campaign, or is not among yours."),
        ({**body, "kind": "nope"}, "This campaign has no pairing kind “nope”."),
    ]:
        refused = _post(client, url, wrong)
        assert (refused.status_code, refused.json()) == (422, {"detail": message})
    assert Pairing.objects.filter(campaign=campaign).count() == 1

    assert _post(client, url, body, "leader").status_code == 403
    assert _post(client, url, body, "office_jinan").status_code == 404


def test_the_api_ends_and_withdraws_a_cadre_pairing(scenario, client):
    campaign = _campaign(scenario)
    begun = _bangfu(scenario, campaign)
    to_come = _bangfu(scenario, campaign, start=timezone.localdate() + dt.timedelta(days=2))
    base = f"/api/v1/campaigns/{campaign.pk}/pairings"
    today = timezone.localdate().isoformat()

    refused = _post(client, f"{base}/{begun.pk}/end", {"end": today, "reason": ""})
    assert (refused.status_code, refused.json()) == (
        422,
        {"detail": "Give the reason for ending the pairing."},
    )
    assert (
        _post(client, f"{base}/{begun.pk}/end", {"end": today, "reason": "调整"}, "leader").status_code == 403
    )
    ended = _post(client, f"{base}/{begun.pk}/end", {"end": today, "reason": "调整"})
    assert ended.status_code == 200 and ended.json()["end"] == today

    not_yet = _post(client, f"{base}/{begun.pk}/withdraw", {"reason": "录入错误"})
    assert not_yet.status_code == 422 and "end it instead" in not_yet.json()["detail"]
    assert _post(client, f"{base}/{to_come.pk}/withdraw", {"reason": "x"}, "office_jinan").status_code == 404
    gone = _post(client, f"{base}/{to_come.pk}/withdraw", {"reason": "录入错误"})
    assert gone.status_code == 204
    assert not Pairing.objects.filter(pk=to_come.pk).exists()
    assert AuditEvent.objects.get(action="pairing.withdraw").detail["reason"] == "录入错误"
    assert _post(client, f"{base}/{to_come.pk}/withdraw", {"reason": "录入错误"}).status_code == 404


def test_the_api_records_and_withdraws_a_unit_pairing(scenario, client):
    campaign = _campaign(scenario)
    point = scenario.point()
    url = f"/api/v1/campaigns/{campaign.pk}/unit-pairings"
    start = timezone.localdate() + dt.timedelta(days=10)
    body = {"unit": scenario.unit.pk, "point": point.pk, "kind": "covers_village", "start": start.isoformat()}
    assert _post(client, url, body, "leader").status_code == 403
    made = _post(client, url, body)
    assert made.status_code == 201, made.content
    out = made.json()
    assert (out["unit"], out["point"], out["kind"], out["start"]) == (
        scenario.unit.pk,
        point.pk,
        "covers_village",
        start.isoformat(),
    )
    twice = _post(client, url, body)
    assert twice.status_code == 422
    assert twice.json() == {
        "detail": f"{scenario.unit.name} is already paired with {point.name} in this way."
    }
    bad = _post(client, url, {**body, "kind": "nope"})
    assert (bad.status_code, bad.json()) == (422, {"detail": "Choose a kind of unit pairing from the list."})

    withdraw = f"{url}/{out['id']}/withdraw"
    assert _post(client, withdraw, {"reason": "x"}, "leader").status_code == 403
    assert _post(client, withdraw, {"reason": "计划调整"}).status_code == 204
    assert not UnitPairing.objects.filter(campaign=campaign).exists()


# Handover: what it moves, and the days a pairing ran ------------------------------------


def test_a_handover_dated_before_a_begun_pairing_started_is_refused(scenario):
    from minqing.programs.models import Handover
    from minqing.programs.services import cadre_handover

    today = timezone.localdate()
    campaign = scenario.campaign(
        "shugen", start=today - dt.timedelta(days=60), end=today + dt.timedelta(days=60)
    )
    leaving, successor = scenario.cadre("member"), scenario.cadre("member")
    begun = pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=leaving,
        kind="bangfu",
        target=scenario.household(level=1),
        start=today - dt.timedelta(days=10),
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        cadre_handover(
            actor=scenario.office,
            from_cadre=leaving,
            to_cadre=successor,
            on_date=today - dt.timedelta(days=30),
            reason="调动",
        )
    assert caught.value.message_dict["on_date"][0].endswith(f"Date the handover {_en(begun.start)} or later.")
    begun.refresh_from_db()
    assert (
        begun.cadre == leaving
        and begun.end is None
        and not Handover.objects.filter(from_cadre=leaving).exists()
    )

    # Dated after it began: the leaving cadre keeps the days it ran, the successor goes on.
    cadre_handover(
        actor=scenario.office,
        from_cadre=leaving,
        to_cadre=successor,
        on_date=today - dt.timedelta(days=5),
        reason="调动",
    )
    begun.refresh_from_db()
    assert (begun.cadre, begun.end) == (leaving, today - dt.timedelta(days=6))
    follow = Pairing.objects.get(handed_over_from=begun)
    assert (follow.cadre, follow.start) == (successor, today - dt.timedelta(days=5))


def test_a_pairing_begun_on_the_handover_day_moves_whole_and_stays_on_the_predecessors_page(
    scenario, client_as
):
    """Begun on the handover's day, a pairing changes hands whole (its predecessor held none of
    its days), as one to begin later does; the predecessor's pairings page still lists both as
    handed over, the same as the running one that ended the day before."""
    from minqing.programs.models import Handover
    from minqing.programs.services import cadre_handover

    today = timezone.localdate()
    campaign = _campaign(scenario)
    leaving, successor = scenario.cadre("member"), scenario.cadre("member", name="接任者")
    targets = [scenario.household(level=1, head=head) for head in ("已在户", "当天户", "将来户")]
    running, same_day, later = (
        pairing_create(
            actor=scenario.office, campaign=campaign, cadre=leaving, kind="bangfu", target=target, start=start
        )
        for target, start in zip(
            targets, (today - dt.timedelta(days=10), today, today + dt.timedelta(days=5)), strict=True
        )
    )
    handover = cadre_handover(
        actor=scenario.office, from_cadre=leaving, to_cadre=successor, on_date=today, reason="调动"
    )
    for pairing in (running, same_day, later):
        pairing.refresh_from_db()
    assert (running.cadre, running.end) == (leaving, today - dt.timedelta(days=1))
    assert (same_day.cadre, same_day.start, same_day.end) == (successor, today, None)
    assert later.cadre == successor and handover.pairings_moved == 3
    assert set(Handover.objects.get(pk=handover.pk).moved_whole.all()) == {same_day, later}
    event = AuditEvent.objects.get(action="cadre.handover", object_id=str(handover.pk))
    assert sorted(event.detail["pairings_moved_whole"]) == sorted([same_day.pk, later.pk])

    client = client_as("office")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/cadres/{leaving.pk}/pairings/").content.decode()
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]
    assert len(rows) == 3
    with translation.override("en"):
        said = f"handed over on {date_format(today, 'DATE_FORMAT')} to 接任者"
    for head in ("已在户", "当天户", "将来户"):
        (row,) = (r for r in rows if head in r)
        assert said in row, head
    # The successor's page lists what it holds, none of it as handed over.
    html = client.get(f"/cadres/{successor.pk}/pairings/").content.decode()
    assert "handed-over" not in html and html.count("<tr>") == 4


def test_the_handover_page_lists_only_what_it_moves_and_counts_the_rest(scenario, client_as):
    from minqing.geo.models import Region
    from minqing.org.services import account_create, grant_set, unit_create

    today = timezone.localdate()
    township = scenario.village.parent
    # A village of another township of the county (made here: the test demo has one township).
    other_township = Region.objects.create(
        code=scenario.county.prefix + "299000",
        name="外乡",
        level=Region.Level.TOWNSHIP,
        parent=scenario.county,
    )
    other_village = Region.objects.create(
        code=other_township.prefix + "201", name="外乡村", level=Region.Level.VILLAGE, parent=other_township
    )
    office = account_create(actor=None, username="township_office", full_name="乡镇办", password=None)
    grant_set(actor=None, account=office, role="office", regions=[township])
    unit = unit_create(actor=scenario.office, name="乡政府测试站", region=township)
    cadre = scenario.cadre("member")
    cadre.unit = unit
    cadre.save(update_fields=["unit"])
    # A county campaign, the cadre paired with a household of another township…
    county = scenario.campaign(
        "shugen", start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=30)
    )
    county.name = "全县结对活动"
    county.save(update_fields=["name"])
    far = scenario.household(level=1, head="外乡户主")
    far.region = other_village
    far.save(update_fields=["region"])
    pairing_create(
        actor=scenario.office, campaign=county, cadre=cadre, kind="bangfu", target=far, start=county.start
    )
    # … and a township campaign, with a household of the township.
    local = scenario.campaign(
        "shugen", start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=30), region=township
    )
    pairing_create(
        actor=scenario.office,
        campaign=local,
        cadre=cadre,
        kind="bangfu",
        target=scenario.household(level=1, head="本乡户主"),
        start=local.start,
    )
    Account.objects.filter(pk=office.pk).update(must_change_password=False)
    client = client_as("township_office", verified=True)
    response = client.get(f"/cadres/{cadre.pk}/handover/")
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    listed = re.search(r'<ul id="handover-pairings">(.*?)</ul>', html, re.S).group(1)
    assert "本乡户主家" in listed and local.name in listed
    assert "外乡户主" not in html and county.name not in html
    assert "1 个结对所在的活动不归您管理" in html or "1" in re.search(
        r'id="handover-staying">(.*?)</p>', html, re.S
    ).group(1)

    successor = scenario.cadre("member")
    successor.unit = unit
    successor.save(update_fields=["unit"])
    done = client.post(
        f"/cadres/{cadre.pk}/handover/",
        {"successor": successor.pk, "on_date": today.isoformat(), "reason": "调动"},
    )
    assert done.status_code == 302
    assert Pairing.objects.filter(cadre=cadre, campaign=county, end__isnull=True).count() == 1
    assert Pairing.objects.filter(cadre=successor, campaign=local).count() == 1


def test_a_unit_covers_the_kind_of_point_its_pairing_says(scenario):
    campaign = _campaign(scenario)
    enterprise = scenario.point(kind="enterprise")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        unit_pairing_create(
            actor=scenario.office,
            campaign=campaign,
            unit=scenario.unit,
            point=enterprise,
            kind="covers_village",
            start=campaign.start,
        )
    assert caught.value.message_dict == {
        "point": ["A unit covering a village or community links a village or community point."]
    }
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        unit_pairing_create(
            actor=scenario.office,
            campaign=campaign,
            unit=scenario.unit,
            point=scenario.point(),
            kind="covers_enterprise",
            start=campaign.start,
        )
    assert list(caught.value.message_dict) == ["point"]
    for kind in ("covers_enterprise", "twinning"):
        unit_pairing_create(
            actor=scenario.office,
            campaign=campaign,
            unit=scenario.unit,
            point=enterprise,
            kind=kind,
            start=campaign.start,
        )
    assert UnitPairing.objects.filter(campaign=campaign).count() == 2


def test_pairing_again_after_an_end_says_from_which_day(scenario):
    campaign = _campaign(scenario)
    cadre, household = scenario.cadre("member"), scenario.household(level=1)
    first = pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="bangfu",
        target=household,
        start=campaign.start,
    )
    today = timezone.localdate()
    pairing_end(actor=scenario.office, pairing=first, end=today, reason="调整")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadre,
            kind="bangfu",
            target=household,
            start=today,
        )
    tomorrow = today + dt.timedelta(days=1)
    assert caught.value.message_dict == {
        "start": [
            f"This cadre's pairing with this target was ended on {_en(today)} and counts through "
            f"that day: a new one starts on {_en(tomorrow)} at the earliest."
        ]
    }
    again = pairing_create(
        actor=scenario.office, campaign=campaign, cadre=cadre, kind="bangfu", target=household, start=tomorrow
    )
    assert again.start == tomorrow


# Liaison points: no duplicate swallowing what was typed; name and address corrected ----


def test_a_point_entered_again_is_refused_with_what_was_typed_kept(scenario, client_as):
    from minqing.programs.models import LiaisonPoint

    point = scenario.point(kind="enterprise", name="测试企业甲")
    LiaisonPoint.objects.filter(pk=point.pk).update(address="工业园1号")
    client = client_as("office")
    response = client.post(
        "/points/new/",
        {
            "name": "测试企业甲",
            "kind": "enterprise",
            "region": scenario.village.code,
            "address": "工业园2号",
            "grade": "second",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已有名为“测试企业甲”的企业" in html and 'value="工业园2号"' in html
    assert '<option value="second" selected>' in html
    point.refresh_from_db()
    assert point.address == "工业园1号" and LiaisonPoint.objects.filter(name="测试企业甲").count() == 1


def test_a_points_name_and_address_are_corrected_and_audited(scenario, client_as):
    from minqing.programs.models import LiaisonPoint

    point = scenario.point(name="错别字村")
    scenario.point(name="已有村")
    client = client_as("office")
    url = f"/points/{point.pk}/edit/"
    clash = client.post(url, {"name": "已有村", "address": ""})
    assert clash.status_code == 200 and '<details id="edit" open>' in clash.content.decode()
    done = client.post(url, {"name": "正字村", "address": "村部"})
    assert done.status_code == 302
    point.refresh_from_db()
    assert (point.name, point.address) == ("正字村", "村部")
    event = AuditEvent.objects.get(action="point.update", object_id=str(point.pk))
    assert event.detail["before"]["name"] == "错别字村" and event.detail["after"]["name"] == "正字村"
    assert client_as("leader").post(url, {"name": "x", "address": ""}).status_code == 403
    assert client_as("office_jinan").post(url, {"name": "x", "address": ""}).status_code == 404
    assert LiaisonPoint.objects.get(pk=point.pk).name == "正字村"


# Teams: a page of their own, changed there, listed as they were formed -----------------


def test_a_team_has_a_page_and_is_changed_there_and_audited(scenario, client_as):
    from minqing.programs.models import Team
    from minqing.programs.services import team_create

    campaign = _campaign(scenario)
    leader, member, other = scenario.cadre("member"), scenario.cadre("staff"), scenario.cadre("staff")
    teams = [team_create(actor=scenario.office, campaign=campaign, name=n) for n in ("一组", "三组", "二组")]
    team = team_create(
        actor=scenario.office, campaign=campaign, name="五组", leader=leader, members=[member], points=[]
    )
    client = client_as("office")
    listing = client.get(f"/campaigns/{campaign.pk}/teams/").content.decode()
    names = re.findall(r'/teams/\d+/">([^<]+)</a>', listing)
    assert names == ["一组", "三组", "二组", "五组"]  # as formed
    url = f"/campaigns/{campaign.pk}/teams/{team.pk}/"
    page = client.get(url).content.decode()
    members = re.search(r'<ul id="team-members">(.*?)</ul>', page, re.S).group(1)
    assert str(member.account) in members and leader.account.full_name in page

    clash = client.post(
        url, {"name": "一组", "kind": "work_team", "leader": leader.pk, "members": [member.pk]}
    )
    assert clash.status_code == 200 and "已有名为“一组”的工作队" in clash.content.decode()
    done = client.post(
        url, {"name": "第五组", "kind": "task_force", "leader": other.pk, "members": [member.pk, leader.pk]}
    )
    assert done.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.kind, team.leader) == ("第五组", "task_force", other)
    assert set(team.members.all()) == {member, leader}
    event = AuditEvent.objects.get(action="team.update", object_id=str(team.pk))
    assert event.detail["before"]["name"] == "五组" and event.detail["after"]["leader"] == other.pk
    assert client_as("leader").post(url, {"name": "x", "kind": "work_team"}).status_code == 403
    assert client_as("leader").get(url).status_code == 200
    assert client_as("office_jinan").get(url).status_code == 404
    assert Team.objects.filter(pk__in=[t.pk for t in teams]).count() == 3


def test_the_team_and_unit_pairing_forms_offer_only_points_in_the_campaigns_region(scenario, client_as):
    from minqing.geo.models import Region

    township = scenario.village.parent
    campaign = scenario.campaign("shugen", region=township)
    inside = scenario.point(name="乡内联系点")
    other_township = Region.objects.create(
        code=scenario.county.prefix + "298000",
        name="别乡",
        level=Region.Level.TOWNSHIP,
        parent=scenario.county,
    )
    outside = scenario.point(name="乡外联系点", region=other_township)
    client = client_as("office")
    for url in (f"/campaigns/{campaign.pk}/teams/", f"/campaigns/{campaign.pk}/unit-pairings/"):
        html = client.get(url).content.decode()
        assert f'value="{inside.pk}"' in html and "乡内联系点" in html
        assert "乡外联系点" not in html, url
    assert outside.pk


def test_the_pairing_list_filters_by_kind_status_and_cadre_point_or_household(scenario, client_as):
    campaign = _campaign(scenario)
    today = timezone.localdate()
    zhao = scenario.cadre("member", name="赵筛选")
    qian = scenario.cadre("member", name="钱筛选")
    household = scenario.household(level=1)
    running = pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=zhao,
        kind="bangfu",
        target=household,
        start=campaign.start,
    )
    point = scenario.point(name="筛选村")
    later = pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=qian,
        kind="baocun",
        target=point,
        start=today + dt.timedelta(days=3),
    )
    client = client_as("office")
    url = f"/campaigns/{campaign.pk}/pairings/"

    def rows(**query):
        html = client.get(url, query).content.decode()
        return {int(n) for n in re.findall(r"/pairings/(\d+)/(?:end|withdraw)/", html)}

    assert {running.pk, later.pk} <= rows()
    assert rows(q="赵筛选") == {running.pk}
    assert rows(q="筛选村") == {later.pk}
    assert rows(q=household.code) == {running.pk}
    assert rows(kind="baocun", q="筛选") == {later.pk}
    assert running.pk in rows(status="active") and later.pk not in rows(status="active")
    assert rows(status="to_come", q="筛选") == {later.pk}
    # Filtered by a cadre, the form to add a pairing has that cadre chosen.
    html = client.get(url, {"cadre": zhao.pk}).content.decode()
    assert re.search(rf'<option value="{zhao.pk}" selected', html)


def test_the_point_list_filters_by_grade(scenario, client_as):
    """By the grades the points in sight have, shown by their labels; a grade kept as written
    from before there was a list is offered and shown as it was written."""
    from minqing.programs.models import LiaisonPoint
    from minqing.programs.services import point_create

    a = point_create(
        actor=scenario.office, name="甲级测试村", kind="village", region=scenario.village, grade="first"
    )
    b = point_create(
        actor=scenario.office, name="乙级测试村", kind="village", region=scenario.village, grade="second"
    )
    c = point_create(actor=scenario.office, name="丙级测试村", kind="village", region=scenario.village)
    LiaisonPoint.objects.filter(pk=c.pk).update(grade="D级")  # free text, from before the list
    client = client_as("office")
    with translation.override("en"):
        html = client.get(
            "/points/", {"grade": "first", "kind": "village"}, HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert '<option value="first" selected>Grade one</option>' in html
    assert '<option value="D级">D级</option>' in html
    assert f"/points/{a.pk}/" in html and f"/points/{b.pk}/" not in html
    html = client.get("/points/", {"grade": "D级", "kind": "village"}).content.decode()
    assert f"/points/{c.pk}/" in html and f"/points/{a.pk}/" not in html and ">D级<" in html


def test_a_member_who_no_longer_takes_part_is_named_on_save_not_dropped(scenario, client_as):
    from minqing.org.models import Account
    from minqing.programs.models import Team
    from minqing.programs.services import team_create

    campaign = _campaign(scenario)
    staying, leaving = scenario.cadre("member"), scenario.cadre("staff", name="已停用干部")
    team = team_create(actor=scenario.office, campaign=campaign, name="核查组", members=[staying, leaving])
    Account.objects.filter(pk=leaving.account_id).update(is_active=False)
    client = client_as("office")
    url = f"/campaigns/{campaign.pk}/teams/{team.pk}/"
    page = client.get(url).content.decode()
    assert re.search(rf'<option value="{leaving.pk}" selected', page)
    response = client.post(url, {"name": "核查组", "kind": "work_team", "members": [staying.pk, leaving.pk]})
    assert response.status_code == 200 and "已停用干部" in response.content.decode()
    assert set(Team.objects.get(pk=team.pk).members.all()) == {staying, leaving}
    assert (
        client.post(url, {"name": "核查组", "kind": "work_team", "members": [staying.pk]}).status_code == 302
    )
    assert set(Team.objects.get(pk=team.pk).members.all()) == {staying}
