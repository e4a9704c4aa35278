"""Activities (the 五个一, 四个一, a team's training …) recorded on the web page, through the API
and from the phone, with the same checks and messages; listed per campaign for each user's
scope, filtered, exported and corrected or withdrawn by their organizer (the office at any
time), each change kept and audited; and a work team's members check in at its points."""

import datetime as dt
import io
import json
import re
import uuid

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from minqing.core.models import AuditEvent
from minqing.fieldwork.models import Activity, ActivityChange, AttendanceDay
from minqing.fieldwork.services import activity_record
from minqing.org.services import token_create
from minqing.programs.services import team_create
from tests.fieldwork.test_visit_changes import FieldScenario
from tests.programs.conftest import verdict_for

FIVE = ["party_meeting", "condolence_visit", "hardship_member_helped", "poor_student_funded", "deed_done"]


@pytest.fixture
def scenario(db, actor):
    return FieldScenario(actor("office"))


class Setting:
    """A running 三服务 campaign (五个一: each cadre holds the five over the campaign) of the
    scenario's unit; a work team led by `leader` with `member`, stationed at 活动村; and
    `outsider`, of the same unit, on no team and paired with nobody (the rules ask him too)."""

    def __init__(self, scenario):
        self.today = timezone.localdate()
        self.scenario = scenario
        self.campaign = scenario.campaign(
            "sanfuwu", start=self.today - dt.timedelta(days=60), end=self.today + dt.timedelta(days=60)
        )
        self.leader, self.member, self.outsider = (
            scenario.cadre("member", "队长甲"),
            scenario.cadre("staff", "队员乙"),
            scenario.cadre("staff", "干部丙"),
        )
        self.point = scenario.point(name="活动村")
        self.team = team_create(
            actor=scenario.office,
            campaign=self.campaign,
            name="活动一队",
            leader=self.leader,
            members=[self.member],
            points=[self.point],
        )

    def record(self, cadre, kind="party_meeting", day=None, **fields):
        return activity_record(
            actor=cadre.account,
            campaign=fields.pop("campaign", self.campaign),
            cadre=cadre,
            kind=kind,
            title=fields.pop("title", ""),
            date=day or self.today,
            **fields,
        )


@pytest.fixture
def setting(scenario):
    return Setting(scenario)


def _client(cadre) -> Client:
    client = Client()
    client.force_login(cadre.account)
    return client


def _sync(account, kind, key, payload):
    token = token_create(actor=None, account=account)
    return Client().put(
        f"/api/v1/sync/{kind}/{key}",
        json.dumps({"payload": payload}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _list(client, campaign, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in {"campaign": campaign.pk, **params}.items())
    response = client.get(f"/fieldwork/activities/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def _rows(page: str) -> str:
    return page.split('id="activities"')[1].split("</table>")[0]


def _app_data(cadre) -> dict:
    page = _client(cadre).get(reverse("fieldwork:app")).content.decode()
    return json.loads(page.split('id="app-data" type="application/json">')[1].split("</script>")[0])


def _day_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# Recording ----------------------------------------------------------------------------------


def test_a_cadre_records_an_activity_on_the_page_and_it_counts_for_the_five_ones(setting):
    client = _client(setting.leader)
    page = _list(client, setting.campaign)
    form = page.split('id="activity-form"')[1].split("</form>")[0]
    # The campaign's listed activities to choose from; its team and point of the organizer's.
    assert '<option value="party_meeting">参加一次村党组织会议</option>' in form
    assert "活动一队" in form and "活动村" in form
    before = verdict_for(setting.campaign, "five_ones", setting.leader.pk, as_of=setting.today)
    assert before.actual == "0/5"

    response = client.post(
        f"/fieldwork/activities/?campaign={setting.campaign.pk}",
        {
            "kind": "party_meeting",
            "title": "",
            "date": setting.today.isoformat(),
            "team": setting.team.pk,
            "point": setting.point.pk,
            "attendance": "12",
        },
    )

    activity = Activity.objects.get(cadre=setting.leader)
    assert response.status_code == 302 and response["Location"] == f"/fieldwork/activities/{activity.uuid}/"
    # No title given: the activity's name as the campaign lists it.
    assert activity.title == "参加一次村党组织会议" and activity.attendance == 12
    assert (activity.team, activity.point, activity.region_id) == (
        setting.team,
        setting.point,
        setting.point.region_id,
    )
    event = AuditEvent.objects.get(action="activity.record", object_id=str(activity.pk))
    assert event.object_repr == str(activity.uuid) and event.detail["kind"] == "party_meeting"
    after = verdict_for(setting.campaign, "five_ones", setting.leader.pk, as_of=setting.today)
    assert after.actual == "1/5"
    detail = client.get(response["Location"]).content.decode()
    assert "参加一次村党组织会议" in detail and _day_zh(setting.today) in detail


def test_bad_activities_are_refused_with_every_field_at_fault_and_nothing_is_stored(setting):
    other = setting.scenario.campaign("sanfuwu")
    foreign_team = team_create(actor=setting.scenario.office, campaign=other, name="他队")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        setting.record(
            setting.leader,
            kind="a_picnic",
            day=setting.today + dt.timedelta(days=1),
            team=foreign_team,
            attendance=-3,
        )
    assert refused.value.message_dict == {
        "date": ["The date lies in the future."],
        "kind": ["This campaign lists no activity “a_picnic”."],
        "attendance": ["Enter a whole number."],
        "team": ["This team is not one of the campaign's."],
    }
    # A team of the campaign the organizer is not on.
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        setting.record(setting.outsider, team=setting.team)
    assert refused.value.message_dict == {
        "team": ["The organizer is neither the leader nor a member of this team."]
    }
    # The phone's upload is refused in the same words.
    sent = _sync(
        setting.outsider.account,
        "activity",
        uuid.uuid4(),
        {"campaign": setting.campaign.pk, "kind": "a_picnic", "date": setting.today.isoformat()},
    )
    assert sent.status_code == 422
    assert sent.json()["errors"] == {"kind": ["This campaign lists no activity “a_picnic”."]}
    # And the page's form, with the message beside its field.
    page = (
        _client(setting.leader)
        .post(
            f"/fieldwork/activities/?campaign={setting.campaign.pk}",
            {"kind": "party_meeting", "date": setting.today.isoformat(), "attendance": "-1"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        .content.decode()
    )
    assert "Ensure this value is greater than or equal to 0." in page
    assert not Activity.records.filter(campaign=setting.campaign).exists()


def test_a_campaign_that_lists_no_activities_takes_the_kind_written_in(setting):
    station = setting.scenario.campaign(
        "dundian", start=setting.today - dt.timedelta(days=30), end=setting.today + dt.timedelta(days=30)
    )
    assert not station.config.get("activities")
    client = _client(setting.outsider)
    page = _list(client, station)
    assert '<input type="text" name="kind"' in page
    response = client.post(
        f"/fieldwork/activities/?campaign={station.pk}",
        {"kind": "院坝会", "title": "院坝会议政", "date": setting.today.isoformat(), "attendance": "40"},
    )
    assert response.status_code == 302
    assert Activity.objects.get(campaign=station).kind == "院坝会"
    # The kind is then among the list's filters.
    assert '<option value="院坝会">院坝会</option>' in _list(client, station)


def test_a_phone_s_activity_is_stored_once_also_for_a_cadre_asked_by_the_rules_alone(setting):
    """The outsider has no pairing and no team: the campaign is not among his by scope, but the
    five_ones rule asks him (his unit takes part), so his phone records his activities there."""
    key = uuid.uuid4()
    payload = {
        "campaign": setting.campaign.pk,
        "kind": "condolence_visit",
        "title": "走访慰问老党员",
        "date": setting.today.isoformat(),
        "attendance": 3,
    }
    first = _sync(setting.outsider.account, "activity", key, payload)
    assert first.status_code == 201, first.content
    again = _sync(setting.outsider.account, "activity", key, payload)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    changed = _sync(setting.outsider.account, "activity", key, {**payload, "attendance": 4})
    assert changed.status_code == 409
    assert Activity.objects.filter(uuid=key).count() == 1
    assert (
        verdict_for(setting.campaign, "five_ones", setting.outsider.pk, as_of=setting.today).actual == "1/5"
    )
    # A cadre of a unit not taking part is not asked, and may not.
    stranger = FieldScenario(setting.scenario.office).cadre("staff")
    refused = _sync(stranger.account, "activity", uuid.uuid4(), payload)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"campaign": ["This campaign is not among yours."]}


def test_a_team_s_leader_reads_its_campaign_as_its_members_do(setting):
    """Neither paired nor a member: the team's campaign is among his (Campaign's own scope),
    its activities listed on its own pages with the campaign's tabs."""
    for cadre in (setting.member, setting.leader):
        assert _client(cadre).get(f"/campaigns/{setting.campaign.pk}/").status_code == 200
        page = _list(_client(cadre), setting.campaign)
        assert f'href="/campaigns/{setting.campaign.pk}/compliance/"' in page  # the campaign's tabs


# The phone page -----------------------------------------------------------------------------


def test_a_team_member_checks_in_at_the_team_s_point_from_its_card_and_the_day_counts(setting):
    page = _client(setting.member).get(reverse("fieldwork:app")).content.decode()
    cards = page.split('id="team-points"')[1].split("</ul>")[0]
    assert f'data-target-id="{setting.point.pk}"' in cards and "活动村" in cards and "活动一队" in cards
    assert 'class="do-checkin' in cards and 'class="do-worklog' in cards and 'class="do-activity' in cards

    sent = _sync(
        setting.member.account,
        "attendance",
        uuid.uuid4(),
        {"point": setting.point.pk, "date": setting.today.isoformat()},
    )
    assert sent.status_code == 201, sent.content
    day = AttendanceDay.objects.get(cadre=setting.member, point=setting.point)
    assert AttendanceDay.objects.filter(AttendanceDay.in_campaign(setting.campaign), pk=day.pk).exists()

    # A dissolved team's point has no card, and is no longer the member's to check in at.
    setting.team.dissolved_on = setting.today - dt.timedelta(days=1)
    setting.team.save(update_fields=["dissolved_on"])
    assert 'id="team-points"' not in _client(setting.member).get(reverse("fieldwork:app")).content.decode()
    late = _sync(
        setting.member.account,
        "attendance",
        uuid.uuid4(),
        {"point": setting.point.pk, "date": (setting.today - dt.timedelta(days=1)).isoformat()},
    )
    assert late.status_code == 422 and "target" in late.json()["errors"]


def test_the_phone_page_offers_the_activity_form_filled_in_from_the_due_list(setting):
    data = _app_data(setting.leader)
    [campaign] = [c for c in data["activity_campaigns"] if c["id"] == setting.campaign.pk]
    assert [a["key"] for a in campaign["activities"]] == FIVE
    assert campaign["teams"] == [{"id": setting.team.pk, "name": "活动一队"}]
    assert campaign["points"] == [{"id": setting.point.pk, "name": "活动村"}]
    # The outsider records there too (the rule asks him), with no team and no point.
    [theirs] = [
        c for c in _app_data(setting.outsider)["activity_campaigns"] if c["id"] == setting.campaign.pk
    ]
    assert theirs["teams"] == [] and theirs["points"] == []

    def buttons(cadre):
        page = _client(cadre).get(reverse("fieldwork:app")).content.decode()
        due = page.split('id="due"')[1].split("</section>")[0]
        return re.findall(
            rf'data-do="activity" data-campaign="{setting.campaign.pk}" data-kind="(\w+)" data-team="" data-point=""',
            due,
        )

    assert buttons(setting.leader) == FIVE
    setting.record(setting.leader, kind="deed_done")
    assert buttons(setting.leader) == FIVE[:4]


def test_a_team_s_missing_activity_is_offered_with_the_team_filled_in(setting):
    dazou = setting.scenario.campaign(
        "dazoufang", start=dt.date(2026, 3, 8), end=setting.today + dt.timedelta(days=20)
    )
    for rule in dazou.config["rules"]:  # asked over the campaign, not in its field phase alone
        if rule["key"] == "team_activities":
            rule["params"]["per"] = "campaign"
    dazou.save(update_fields=["config"])
    team = team_create(
        actor=setting.scenario.office, campaign=dazou, name="大走访一队", members=[setting.member]
    )
    page = _client(setting.member).get(reverse("fieldwork:app")).content.decode()
    assert (
        f'data-do="activity" data-campaign="{dazou.pk}" data-kind="policy_training" data-team="{team.pk}"'
        in page
    )


# The list -----------------------------------------------------------------------------------


def test_each_user_lists_what_their_scope_holds(setting, client_as):
    of_team = setting.record(setting.leader, kind="party_meeting", team=setting.team, title="队务会")
    own = setting.record(setting.member, kind="condolence_visit", title="乙的慰问")
    theirs = setting.record(setting.outsider, kind="deed_done", title="丙的实事")

    def titles(client):
        return {t for t in ("队务会", "乙的慰问", "丙的实事") if t in _rows(_list(client, setting.campaign))}

    # A member sees the team's and their own; the outsider his own; the office all of them.
    assert titles(_client(setting.member)) == {"队务会", "乙的慰问"}
    assert titles(_client(setting.outsider)) == {"丙的实事"}
    assert titles(client_as("office")) == {"队务会", "乙的慰问", "丙的实事"}
    assert titles(client_as("leader")) == {"队务会", "乙的慰问", "丙的实事"}  # read only
    assert (
        client_as("office_jinan").get(f"/fieldwork/activities/?campaign={setting.campaign.pk}").status_code
        == 404
    )
    # One read row per view, naming the campaign and the filters, never a title.
    event = AuditEvent.objects.filter(action="activity.list").latest("id")
    assert event.object_id == str(setting.campaign.pk) and event.detail["shown"] == 3
    assert "队务会" not in json.dumps(event.detail, ensure_ascii=False)
    # The detail pages: in scope, else a 404.
    assert _client(setting.member).get(f"/fieldwork/activities/{of_team.uuid}/").status_code == 200
    assert _client(setting.outsider).get(f"/fieldwork/activities/{own.uuid}/").status_code == 404
    assert _client(setting.member).get(f"/fieldwork/activities/{theirs.uuid}/").status_code == 404
    assert AuditEvent.objects.filter(action="activity.view", object_id=str(of_team.pk)).exists()


def test_the_list_filters_by_kind_team_and_month_and_writes_its_days_as_people_read_them(setting, client_as):
    earlier = setting.today - dt.timedelta(days=35)
    setting.record(setting.leader, kind="party_meeting", day=earlier, team=setting.team, title="上月党会")
    setting.record(setting.leader, kind="deed_done", title="本月实事")
    setting.record(setting.member, kind="party_meeting", title="本月党会")
    office = client_as("office")

    page = _list(office, setting.campaign)
    assert _day_zh(earlier) in page and _day_zh(setting.today) in page
    assert "参加一次村党组织会议" in page  # the kind as the campaign names it
    rows = _rows(_list(office, setting.campaign, kind="party_meeting"))
    assert "上月党会" in rows and "本月党会" in rows and "本月实事" not in rows
    rows = _rows(_list(office, setting.campaign, team=setting.team.pk))
    assert "上月党会" in rows and "本月党会" not in rows
    rows = _rows(_list(office, setting.campaign, month=earlier.strftime("%Y-%m")))
    assert "上月党会" in rows and "本月实事" not in rows and "本月党会" not in rows
    event = AuditEvent.objects.filter(action="activity.list").latest("id")
    assert event.detail["filters"] == {"month": earlier.strftime("%Y-%m"), "status": "current"}

    english = office.get(
        f"/fieldwork/activities/?campaign={setting.campaign.pk}&month=2026-13", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Choose a month as YYYY-MM." in english and "Activity records" in english
    with translation.override("en"):
        assert date_format(setting.today, "DATE_FORMAT") in english  # Nov. 23, 2026


def test_the_list_s_queries_do_not_grow_with_its_rows(setting):
    client = _client(setting.leader)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _list(client, setting.campaign)
        return len(captured)

    setting.record(setting.leader, team=setting.team, point=setting.point)
    queries()  # the menu's once-a-session reads out of the way
    one = queries()
    for kind in FIVE[1:]:
        setting.record(setting.leader, kind=kind, team=setting.team, point=setting.point)
    assert queries() == one


# Corrections and withdrawals ----------------------------------------------------------------


def test_the_organizer_corrects_an_activity_and_the_change_is_kept(setting):
    activity = setting.record(setting.leader, team=setting.team, attendance=10, title="党会")
    client = _client(setting.leader)
    url = f"/fieldwork/activities/{activity.uuid}/edit/"
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(action="activity.view", object_id=str(activity.pk)).exists()
    assert _client(setting.member).get(url).status_code == 403  # the team's, not the member's to change

    response = client.post(
        url,
        {
            "kind": "party_meeting",
            "title": "村党支部会议",
            "date": setting.today.isoformat(),
            "team": setting.team.pk,
            "attendance": "15",
            "reason": "人数记错",
            "version": activity.version,
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.attendance, activity.version) == ("村党支部会议", 15, 2)
    change = ActivityChange.objects.get(activity=activity)
    assert change.before == {"title": "党会", "attendance": 10}
    assert change.after == {"title": "村党支部会议", "attendance": 15} and change.reason == "人数记错"
    event = AuditEvent.objects.get(action="activity.correct", object_id=str(activity.pk))
    assert event.detail["after"] == {"title": "村党支部会议", "attendance": 15}
    assert "人数记错" in client.get(f"/fieldwork/activities/{activity.uuid}/").content.decode()

    # From the version before: refused, nothing changed.
    stale = client.post(
        url,
        {"kind": "party_meeting", "title": "又改", "date": setting.today.isoformat(), "version": 1},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "changed elsewhere in the meantime" in stale.content.decode()
    activity.refresh_from_db()
    assert activity.title == "村党支部会议"


def test_a_withdrawn_activity_stays_on_record_and_stops_counting(setting, client_as):
    key = uuid.uuid4()
    payload = {"campaign": setting.campaign.pk, "kind": "deed_done", "date": setting.today.isoformat()}
    assert _sync(setting.leader.account, "activity", key, payload).status_code == 201
    activity = Activity.objects.get(uuid=key)
    client = _client(setting.leader)
    url = f"/fieldwork/activities/{key}/withdraw/"
    refused = client.post(url, {"reason": "", "version": activity.version}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    assert client.post(url, {"reason": "重复录入", "version": activity.version}).status_code == 302

    activity = Activity.records.get(uuid=key)
    assert activity.withdrawn_at is not None
    assert ActivityChange.objects.get(activity=activity).action == "withdrawn"
    assert (
        AuditEvent.objects.get(action="activity.withdraw", object_id=str(activity.pk)).detail["reason"]
        == "重复录入"
    )
    assert verdict_for(setting.campaign, "five_ones", setting.leader.pk, as_of=setting.today).actual == "0/5"
    office = client_as("office")
    assert "办成一件实事" not in _rows(_list(office, setting.campaign))
    assert "办成一件实事" in _rows(_list(office, setting.campaign, status="withdrawn"))
    # The phone sending it again gets it back as it is: withdrawn, not recorded anew.
    again = _sync(setting.leader.account, "activity", key, payload)
    assert again.status_code == 200 and again.json()["record"]["withdrawn"] is True
    assert Activity.records.filter(uuid=key).count() == 1
    # Once withdrawn, nobody changes it.
    assert client.get(f"/fieldwork/activities/{key}/edit/").status_code == 403


def test_after_the_days_for_it_only_the_office_changes_an_activity(setting, client_as, clock):
    activity = setting.record(setting.leader)
    clock.advance(days=settings.VISIT_EDIT_DAYS, minutes=1)
    client = _client(setting.leader)
    assert client.get(f"/fieldwork/activities/{activity.uuid}/edit/").status_code == 403
    detail = client.get(f"/fieldwork/activities/{activity.uuid}/").content.decode()
    assert 'id="activity-closed"' in detail
    assert client_as("office").get(f"/fieldwork/activities/{activity.uuid}/edit/").status_code == 200


# Export and API -----------------------------------------------------------------------------


def test_the_download_is_the_list_as_filtered_in_the_ledger_layout(setting, client_as):
    from python_calamine import CalamineWorkbook

    earlier = setting.today - dt.timedelta(days=35)
    setting.record(setting.leader, kind="party_meeting", day=earlier, team=setting.team, attendance=20)
    setting.record(setting.member, kind="deed_done", title="修好村口路灯")
    office = client_as("office")
    page = _list(office, setting.campaign, month=setting.today.strftime("%Y-%m"))
    link = re.search(r'id="activity-download" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    response = office.get(link)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(
        f'activities-{setting.campaign.pk}-{setting.today:%Y-%m}.xlsx"'
    )
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    # The title says the month it holds only (2026年11月).
    assert (
        setting.campaign.name in rows[0][0] and f"{setting.today.year}年{setting.today.month}月" in rows[0][0]
    )
    data = [row for row in rows[3:] if row[0]]
    assert len(data) == 1 and "修好村口路灯" in data[0] and "队员乙" in data[0]
    event = AuditEvent.objects.filter(action="activity.export").latest("id")
    assert event.detail["shown"] == 1 and event.object_id == str(setting.campaign.pk)


def test_the_api_lists_activities_as_the_page_does(setting, client_as):
    setting.record(setting.leader, kind="party_meeting", team=setting.team, attendance=9)
    setting.record(setting.outsider, kind="deed_done")
    token = token_create(actor=None, account=setting.member.account)
    client = Client()

    def get(query):
        return client.get(
            f"/api/v1/activities?{query}", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en"
        )

    found = get(f"campaign={setting.campaign.pk}").json()
    assert [(a["kind"], a["kind_name"], a["team_name"], a["attendance"]) for a in found["items"]] == [
        ("party_meeting", "参加一次村党组织会议", "活动一队", 9)
    ]
    assert get(f"campaign={setting.campaign.pk}&kind=deed_done").json()["count"] == 0
    assert get("month=2026-13").status_code == 422
    other = FieldScenario(setting.scenario.office).campaign("dundian")
    assert get(f"campaign={other.pk}").status_code == 404
    event = AuditEvent.objects.filter(action="activity.list").latest("id")
    assert event.channel == "api" and event.object_id == str(setting.campaign.pk)


# Links --------------------------------------------------------------------------------------


def test_the_campaign_pages_the_hub_and_the_phone_link_the_activities(setting, client_as):
    office = client_as("office")
    target = f'href="/fieldwork/activities/?campaign={setting.campaign.pk}"'
    assert target in office.get(f"/campaigns/{setting.campaign.pk}/").content.decode()
    assert 'href="/fieldwork/activities/"' in office.get("/fieldwork/").content.decode()
    assert 'id="activity-link"' in _client(setting.leader).get(reverse("fieldwork:app")).content.decode()


def test_a_missing_activity_on_the_compliance_page_links_the_campaign_s_activities(scenario, client_as):
    ended = scenario.campaign("sanfuwu", start=dt.date(2026, 3, 1), end=dt.date(2026, 5, 31))
    scenario.cadre("staff")
    page = (
        client_as("office")
        .get(f"/campaigns/{ended.pk}/compliance/?rule=five_ones&status=fail")
        .content.decode()
    )
    assert f'href="/fieldwork/activities/?campaign={ended.pk}"' in page
    # A team's verdict: the team's activities.
    teams = scenario.campaign("dazoufang", start=dt.date(2026, 3, 8), end=dt.date(2026, 4, 30))
    team = team_create(
        actor=scenario.office, campaign=teams, name="未开展队", members=[scenario.cadre("staff")]
    )
    page = client_as("office").get(f"/campaigns/{teams.pk}/compliance/?rule=team_activities&status=fail")
    assert f'href="/fieldwork/activities/?campaign={teams.pk}&amp;team={team.pk}"' in page.content.decode()
