"""A leader writes their own weekly work record (002 三服务 "区领导每周工作记录"): the cadre the
rule counts can write what it counts, on the page, from the phone and through the API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from minqing.assessment import selectors
from minqing.assessment.models import LeaderRecord
from minqing.assessment.services import leader_record_write
from minqing.core.models import AuditEvent
from minqing.core.scope import forget_scope
from minqing.org.models import Cadre
from minqing.org.services import grant_set, token_create
from minqing.programs.services import campaign_start
from tests.programs.conftest import verdict_for


def _cadre_with_role(scenario, rank: str, name: str):
    """A cadre of the scenario's unit who signs in with the cadre role (own records only)."""
    cadre = scenario.cadre(rank, name)
    grant_set(actor=None, account=cadre.account, role="cadre", own_records=True)
    forget_scope(cadre.account)
    return cadre


def test_the_leader_s_own_record_flips_the_rule_s_week_from_missing_to_present(scenario):
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 5, 4))  # a Monday
    leader = _cadre_with_role(scenario, "principal", "李区长")
    as_of = dt.date(2026, 5, 18)  # two weeks over
    before = verdict_for(campaign, "leader_weekly", leader.pk, as_of=as_of)
    assert (before.status, before.actual) == ("fail", "0/2")
    assert any("2026年5月4日" in line for line in before.missing)

    record = leader_record_write(
        actor=leader.account,
        cadre=leader,
        day=dt.date(2026, 5, 6),
        text="走访两户，协调一件。",
        submit=True,
        today=as_of,
    )
    assert (record.start, record.end, record.status) == (
        dt.date(2026, 5, 4),
        dt.date(2026, 5, 10),
        "submitted",
    )
    after = verdict_for(campaign, "leader_weekly", leader.pk, as_of=as_of)
    assert after.actual == "1/2" and not any("2026年5月4日" in line for line in after.missing)
    event = AuditEvent.objects.filter(action="leader_record.submit", object_id=str(record.pk)).get()
    assert event.username == leader.account.username and event.detail["start"] == "2026-05-04"

    # The second week: a draft, changed the next day (the same record), then submitted.
    draft = leader_record_write(
        actor=leader.account, cadre=leader, day=dt.date(2026, 5, 11), text="周一", today=as_of
    )
    assert verdict_for(campaign, "leader_weekly", leader.pk, as_of=as_of).actual == "1/2"
    again = leader_record_write(
        actor=leader.account,
        cadre=leader,
        day=dt.date(2026, 5, 15),
        text="周一、周五",
        version=draft.version,
        submit=True,
        today=as_of,
    )
    assert again.pk == draft.pk and again.text == "周一、周五"
    assert LeaderRecord.objects.filter(cadre=leader, kind="weekly").count() == 2
    assert verdict_for(campaign, "leader_weekly", leader.pk, as_of=as_of).status == "pass"


def test_a_submitted_week_and_a_stale_draft_are_refused_and_left_as_they_were(scenario):
    scenario.campaign("sanfuwu", start=dt.date(2026, 5, 4))
    leader = _cadre_with_role(scenario, "member", "林副区长")
    today = dt.date(2026, 5, 20)
    draft = leader_record_write(
        actor=leader.account, cadre=leader, day=dt.date(2026, 5, 5), text="初稿", today=today
    )
    with pytest.raises(ValidationError):
        leader_record_write(
            actor=leader.account,
            cadre=leader,
            day=dt.date(2026, 5, 5),
            text="旧页面",
            version=draft.version - 1,
            today=today,
        )
    leader_record_write(
        actor=leader.account, cadre=leader, day=dt.date(2026, 5, 5), text="定稿", submit=True, today=today
    )
    with pytest.raises(ValidationError) as refused:
        leader_record_write(
            actor=leader.account, cadre=leader, day=dt.date(2026, 5, 7), text="再改", today=today
        )
    assert "day" in refused.value.error_dict
    draft.refresh_from_db()
    assert draft.text == "定稿" and draft.status == "submitted"


@pytest.mark.parametrize(
    "day, text, field",
    [
        (dt.date(2026, 4, 20), "上一周", "day"),  # before the campaign
        (dt.date(2027, 1, 6), "明年", "day"),  # after it
        (dt.date(2026, 5, 25), "下周", "day"),  # a week not begun yet
        (dt.date(2026, 5, 6), "   ", "text"),
    ],
)
def test_bad_input_is_explained_at_its_field_and_writes_nothing(scenario, day, text, field):
    scenario.campaign("sanfuwu", start=dt.date(2026, 5, 4), end=dt.date(2026, 12, 31))
    leader = _cadre_with_role(scenario, "principal", "李区长")
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        leader_record_write(
            actor=leader.account, cadre=leader, day=day, text=text, today=dt.date(2026, 5, 20)
        )
    assert list(refused.value.error_dict) == [field]
    assert not LeaderRecord.objects.filter(cadre=leader).exists() and AuditEvent.objects.count() == events


def test_the_message_for_a_week_outside_the_campaign_names_the_campaign_s_dates(scenario):
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 5, 4), end=dt.date(2026, 12, 31))
    leader = _cadre_with_role(scenario, "principal", "李区长")
    with pytest.raises(ValidationError) as refused:
        leader_record_write(
            actor=leader.account, cadre=leader, day=dt.date(2026, 4, 22), text="x", today=dt.date(2026, 5, 20)
        )
    message = refused.value.error_dict["day"][0].messages[0]
    assert "2026年4月20日" in message and campaign.name in message and "2026年12月31日" in message
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            leader_record_write(
                actor=leader.account,
                cadre=leader,
                day=dt.date(2026, 4, 22),
                text="x",
                today=dt.date(2026, 5, 20),
            )
    assert "outside the campaign" in refused.value.error_dict["day"][0].messages[0]


def test_a_cadre_cannot_write_another_cadre_s_record_nor_one_the_rule_does_not_ask_of_them(scenario):
    scenario.campaign("sanfuwu", start=dt.date(2026, 5, 4))
    leader = _cadre_with_role(scenario, "principal", "李区长")
    other = _cadre_with_role(scenario, "member", "王副区长")
    staff = _cadre_with_role(scenario, "staff", "张科员")
    with pytest.raises(PermissionDenied):
        leader_record_write(
            actor=other.account,
            cadre=leader,
            day=dt.date(2026, 5, 6),
            text="代写",
            today=dt.date(2026, 5, 20),
        )
    with pytest.raises(PermissionDenied):
        leader_record_write(
            actor=staff.account, cadre=staff, day=dt.date(2026, 5, 6), text="本周", today=dt.date(2026, 5, 20)
        )
    assert not LeaderRecord.objects.filter(cadre__in=[leader, other, staff]).exists()
    assert selectors.weekly_record_campaigns(staff) == []


def test_the_rule_s_ranks_and_the_campaign_s_units_decide_who_is_asked(scenario):
    campaign = scenario.campaign("sanfuwu", start=dt.date(2026, 5, 4))
    section_head = _cadre_with_role(scenario, "section_head", "赵股长")
    assert selectors.weekly_record_campaigns(section_head) == []
    rules = campaign.config["rules"]
    next(r for r in rules if r["key"] == "leader_weekly")["params"]["ranks"] = ["section_head"]
    campaign.save(update_fields=["config"])
    assert selectors.weekly_record_campaigns(section_head) == [campaign]
    outsider = Cadre.objects.select_related("account").get(account__username="cadre")
    assert campaign not in selectors.weekly_record_campaigns(outsider)


# The pages, the phone and the API, as the demo cadre 李建军 (主要领导) -------------------------


@pytest.fixture
def cadre_campaign(scenario):
    """A 三服务 campaign the demo cadre takes part in, begun three weeks before today's week."""
    cadre = Cadre.objects.select_related("account", "unit").get(account__username="cadre")
    assert cadre.rank in ("principal", "member")
    this_monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    campaign = campaign_start(
        actor=scenario.office,
        program_key="sanfuwu",
        name="测试三服务",
        region=scenario.county,
        start=this_monday - dt.timedelta(days=21),
        end=this_monday + dt.timedelta(days=90),
        units=[cadre.unit],
    )
    return campaign, cadre, this_monday - dt.timedelta(days=7)


def test_the_demo_cadre_writes_the_week_in_the_page_and_the_rule_counts_it(client_as, cadre_campaign):
    campaign, cadre, last_monday = cadre_campaign
    as_of = last_monday + dt.timedelta(days=7)
    assert verdict_for(campaign, "leader_weekly", cadre.pk, as_of=as_of).actual == "0/3"
    client = client_as("cadre")
    home = client.get("/").content.decode()
    assert 'href="/assessment/leader-records/week/"' in home
    page = client.get("/assessment/leader-records/week/", {"day": last_monday.isoformat()})
    assert page.status_code == 200 and 'id="write-form"' in page.content.decode()
    assert campaign.name in page.content.decode()
    response = client.post(
        "/assessment/leader-records/week/",
        {"day": (last_monday + dt.timedelta(days=2)).isoformat(), "text": "走访企业一家", "submit": "1"},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"?day={last_monday.isoformat()}")
    record = LeaderRecord.objects.get(cadre=cadre, start=last_monday)
    assert record.status == "submitted" and record.created_by.username == "cadre"
    assert verdict_for(campaign, "leader_weekly", cadre.pk, as_of=as_of).actual == "1/3"
    # The week, shown again, is the submitted record; the weeks list links it.
    page = client.get("/assessment/leader-records/week/", {"day": last_monday.isoformat()}).content.decode()
    assert (
        'id="write-form"' not in page
        and "走访企业一家" in page
        and f"/assessment/leader-records/{record.pk}/" in page
    )
    assert (
        client.get("/assessment/leader-records/").content.decode().count(f"/leader-records/{record.pk}/") == 1
    )
    # The office of the county sees it; the other county's does not.
    assert client_as("office").get(f"/assessment/leader-records/{record.pk}/").status_code == 200
    assert client_as("office_jinan").get(f"/assessment/leader-records/{record.pk}/").status_code == 404


def test_a_refused_week_comes_back_with_the_text_and_why(client_as, cadre_campaign):
    campaign, cadre, _last_monday = cadre_campaign
    before = campaign.start - dt.timedelta(days=10)
    with translation.override("en"):
        response = client_as("cadre").post(
            "/assessment/leader-records/week/",
            {"day": before.isoformat(), "text": "我写的内容", "submit": "1"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    body = response.content.decode()
    assert response.status_code == 200 and "我写的内容" in body and "outside the campaign" in body
    response = client_as("cadre").post(
        "/assessment/leader-records/week/", {"day": campaign.start.isoformat(), "text": " "}
    )
    assert response.status_code == 200 and "记录内容不能为空。" in response.content.decode()
    assert not LeaderRecord.objects.filter(cadre=cadre).exists()


def test_the_phone_page_links_the_weekly_record_for_who_is_asked_for_one(client_as, cadre_campaign):
    assert 'id="weekly-record-link"' in client_as("cadre").get("/m/").content.decode()
    assert 'id="weekly-record-link"' not in client_as("village").get("/m/").content.decode()


def test_a_cadre_no_campaign_asks_gets_no_menu_entry_and_no_form(client_as, db):
    client = client_as("cadre")
    assert "/assessment/leader-records/week/" not in client.get("/").content.decode()
    page = client.get("/assessment/leader-records/week/").content.decode()
    assert 'id="no-weekly-record"' in page and 'id="write-form"' not in page
    assert (
        client.post("/assessment/leader-records/week/", {"day": "2026-06-03", "text": "x"}).status_code == 403
    )


def test_the_api_writes_the_caller_s_own_week(client_as, actor, cadre_campaign):
    campaign, cadre, last_monday = cadre_campaign
    token = token_create(actor=None, account=cadre.account)
    client = client_as(None)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.post(
        "/api/v1/leader-records/weekly",
        {"day": last_monday.isoformat(), "text": "草稿"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201 and response.json()["status"] == "draft"
    version = LeaderRecord.objects.get(pk=response.json()["id"]).version
    response = client.post(
        "/api/v1/leader-records/weekly",
        {
            "day": (last_monday + dt.timedelta(days=3)).isoformat(),
            "text": "定稿",
            "submit": True,
            "version": version,
        },
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert LeaderRecord.objects.filter(cadre=cadre).count() == 1
    response = client.post(
        "/api/v1/leader-records/weekly",
        {"day": (campaign.start - dt.timedelta(days=30)).isoformat(), "text": "x"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422
    office = token_create(actor=None, account=actor("unit"))
    response = client.post(
        "/api/v1/leader-records/weekly",
        {"day": last_monday.isoformat(), "text": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {office}",
    )
    assert response.status_code == 403


def test_my_weeks_say_a_part_week_the_rule_does_not_ask_for_is_not_asked_for(client_as, scenario):
    """A campaign begun on a Thursday ran on two working days of its first week: the rule asks
    nothing for it, and the leader's list of weeks says so rather than "Not written"."""
    cadre = Cadre.objects.select_related("account", "unit").get(account__username="cadre")
    this_monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    first_monday = this_monday - dt.timedelta(days=14)
    campaign = campaign_start(
        actor=scenario.office,
        program_key="sanfuwu",
        name="周四开始的三服务",
        region=scenario.county,
        start=first_monday + dt.timedelta(days=3),
        end=this_monday + dt.timedelta(days=90),
        units=[cadre.unit],
    )
    weeks = selectors.my_weeks(user=cadre.account, cadre=cadre, campaigns=[campaign])
    assert [(w.start, w.due) for w in weeks][-2:] == [
        (first_monday + dt.timedelta(days=7), True),
        (first_monday, False),
    ]
    with translation.override("en"):
        page = client_as("cadre").get("/assessment/leader-records/week/", HTTP_ACCEPT_LANGUAGE="en")
    rows = page.content.decode().split('id="weeks"')[1].split("</tbody>")[0].split("<tr>")
    first = next(row for row in rows if f"?day={first_monday.isoformat()}" in row)
    second = next(row for row in rows if f"?day={(first_monday + dt.timedelta(days=7)).isoformat()}" in row)
    assert "Not asked for" in first and "Not written" not in first
    assert "Not written" in second
