"""A visit is corrected or withdrawn by its own cadre within settings.VISIT_EDIT_DAYS of
recording it, or by the campaign office at any time; each change is kept (VisitChange) and
audited without quoting what was written; a withdrawn visit stays on record and stops counting
in every figure, rule and report, and a phone sending it again does not bring it back."""

import datetime as dt
import json
import re
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from minqing.core.dates import day_text
from minqing.core.models import AuditEvent
from minqing.core.roles import Role
from minqing.core.scope import forget_scope
from minqing.fieldwork.models import Visit, VisitChange, VisitPresence
from minqing.fieldwork.services import month_figures, visit_correct, visit_record, visit_withdraw
from minqing.fieldwork.sync import sync_put
from minqing.figures import selectors as figures
from minqing.figures.periods import parse_period
from minqing.org.models import Account, Grant
from minqing.programs.services import pairing_create
from minqing.tickets.models import Ticket
from tests.programs.conftest import Scenario, verdict_for


def _months_back(day: dt.date, n: int) -> dt.date:
    """The first day of the month n months before the month of `day`."""
    first = day.replace(day=1)
    for _step in range(n):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first


class FieldScenario(Scenario):
    def cadre(self, rank="staff", name=None):
        """A cadre whose account signs in as the demo cadre does: its own records, no password
        to change first."""
        cadre = super().cadre(rank, name)
        Grant.objects.create(account=cadre.account, role=Role.CADRE, own_records=True)
        Account.objects.filter(pk=cadre.account_id).update(must_change_password=False)
        cadre.account.refresh_from_db()
        forget_scope(cadre.account)
        return cadre


@pytest.fixture
def scenario(db, actor):
    return FieldScenario(actor("office"))


@pytest.fixture
def setting(scenario):
    """A running 三服务 campaign (every household visited every month), a cadre paired with a
    household, and one visit recorded today by the cadre's own account."""
    today = timezone.localdate()
    campaign = scenario.campaign("sanfuwu", start=_months_back(today, 3), end=today + dt.timedelta(days=60))
    cadre = scenario.cadre("member")
    household = scenario.household()
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=cadre,
        kind="household_visits",
        target=household,
        start=campaign.start,
    )
    visit = visit_record(
        actor=cadre.account,
        campaign=campaign,
        cadre=cadre,
        date=today,
        form="home_visit",
        target=household,
        content="了解到王大爷家屋顶漏雨",
    )
    return campaign, cadre, household, visit


def _correct(actor, visit, **changes):
    values = {
        "date": visit.date,
        "form": visit.form,
        "content": visit.content,
        "outcome": visit.outcome,
        "others_present": list(visit.others_present.all()),
        **changes,
    }
    return visit_correct(actor=actor, visit=visit, **values)


def test_the_cadre_corrects_the_date_and_the_visit_moves_to_its_month(setting):
    campaign, cadre, _household, visit = setting
    today = timezone.localdate()
    earlier = _months_back(today, 1) + dt.timedelta(days=4)
    this_month = today.replace(day=1)
    assert month_figures(campaign=campaign, cadre=cadre, month=this_month)["visits"] == 1

    corrected = _correct(
        cadre.account, visit, date=earlier, content="了解到王大爷家屋顶漏水", reason="日期记错"
    )

    assert corrected.version == visit.version + 1
    assert month_figures(campaign=campaign, cadre=cadre, month=this_month)["visits"] == 0
    assert month_figures(campaign=campaign, cadre=cadre, month=earlier.replace(day=1))["visits"] == 1
    change = VisitChange.objects.get(visit=visit)
    assert change.action == "corrected" and change.changed_by == cadre.account
    assert change.before == {"date": today.isoformat(), "content": "了解到王大爷家屋顶漏雨"}
    assert change.after == {"date": earlier.isoformat(), "content": "了解到王大爷家屋顶漏水"}
    # The audit row says what changed, never what was written about the residents.
    event = AuditEvent.objects.get(action="visit.correct", object_id=str(visit.pk))
    assert event.detail["before"] == {"date": today.isoformat(), "content": {"chars": 11}}
    assert event.detail["after"]["date"] == earlier.isoformat() and event.detail["reason"] == "日期记错"
    assert "王大爷" not in json.dumps(event.detail, ensure_ascii=False)


def test_a_correction_that_changes_nothing_writes_nothing(setting):
    _campaign, cadre, _household, visit = setting
    assert _correct(cadre.account, visit).version == visit.version
    assert not VisitChange.objects.filter(visit=visit).exists()
    assert not AuditEvent.objects.filter(action="visit.correct", object_id=str(visit.pk)).exists()


def test_a_withdrawn_visit_stops_counting_in_the_rule_and_the_dashboard(setting, actor):
    campaign, cadre, household, visit = setting
    today = timezone.localdate()
    # The campaign's earlier months visited too, so that this month's visit decides the verdict.
    for months in (1, 2, 3):
        day = _months_back(today, months) + dt.timedelta(days=2)
        if day >= campaign.start:
            visit_record(
                actor=None, campaign=campaign, cadre=cadre, date=day, form="home_visit", target=household
            )
    as_of = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)  # this month has ended
    before = verdict_for(campaign, "monthly_visits", cadre.pk, as_of=as_of)
    sel = figures.selection_for(
        user=actor("office"), campaign=campaign, period=parse_period(today.strftime("%Y-%m"), today=today)
    )
    shown = figures.figures(user=actor("office"), sel=sel).values["visits"]
    assert shown == 1 and before.status == "pass"

    visit_withdraw(actor=cadre.account, visit=visit, reason="录入重复")

    visit.refresh_from_db()
    assert visit.withdrawn_at is not None and Visit.records.filter(pk=visit.pk).exists()
    assert not Visit.objects.filter(pk=visit.pk).exists()
    assert figures.figures(user=actor("office"), sel=sel).values["visits"] == 0
    after = verdict_for(campaign, "monthly_visits", cadre.pk, as_of=as_of)
    assert after.status == "fail" and len(after.missing) == 1
    change = VisitChange.objects.get(visit=visit)
    assert change.action == "withdrawn" and change.reason == "录入重复"
    event = AuditEvent.objects.get(action="visit.withdraw", object_id=str(visit.pk))
    assert event.detail["reason"] == "录入重复" and event.detail["cadre"] == cadre.pk


def test_a_cadre_present_at_a_withdrawn_visit_no_longer_counts_it(setting, scenario):
    campaign, cadre, _household, visit = setting
    colleague = scenario.cadre()
    _correct(cadre.account, visit, others_present=[colleague])
    assert VisitPresence.objects.filter(cadre=colleague).count() == 1
    visit_withdraw(actor=cadre.account, visit=visit, reason="录错了对象")
    assert VisitPresence.objects.filter(cadre=colleague).count() == 0
    assert VisitPresence.records.filter(cadre=colleague).count() == 1  # still on record


def test_another_cadre_cannot_correct_or_withdraw_the_visit(setting, scenario):
    _campaign, _cadre, _household, visit = setting
    other = scenario.cadre()
    with pytest.raises(PermissionDenied):
        _correct(other.account, visit, content="别人的改动")
    with pytest.raises(PermissionDenied):
        visit_withdraw(actor=other.account, visit=visit, reason="不是我的")
    client = Client()
    client.force_login(other.account)
    # Another cadre does not see the visit at all.
    assert client.get(reverse("fieldwork:visit-edit", args=[visit.uuid])).status_code == 404
    visit.refresh_from_db()
    assert visit.version == 1 and visit.withdrawn_at is None


def test_a_leader_who_sees_the_visit_may_not_change_it(setting, client_as):
    _campaign, _cadre, _household, visit = setting
    leader = client_as("leader")
    assert leader.get(reverse("fieldwork:visit-detail", args=[visit.uuid])).status_code == 200
    assert leader.get(reverse("fieldwork:visit-edit", args=[visit.uuid])).status_code == 403
    assert (
        leader.post(reverse("fieldwork:visit-withdraw", args=[visit.uuid]), {"reason": "x"}).status_code
        == 403
    )


def test_after_the_window_the_cadre_cannot_but_the_office_can(setting, clock, actor, settings):
    _campaign, cadre, _household, visit = setting
    settings.VISIT_EDIT_DAYS = 7
    clock.advance(days=7, hours=1)
    with pytest.raises(PermissionDenied):
        _correct(cadre.account, visit, content="过期后的改动")
    client = Client()
    client.force_login(cadre.account)
    page = client.get(reverse("fieldwork:visit-detail", args=[visit.uuid])).content.decode()
    assert 'id="visit-closed"' in page and 'id="visit-actions"' not in page
    assert client.get(reverse("fieldwork:visit-edit", args=[visit.uuid])).status_code == 403

    corrected = _correct(actor("office"), visit, content="办公室更正", reason="核实后更正")
    assert corrected.content == "办公室更正"
    visit_withdraw(actor=actor("office"), visit=visit, reason="核实为误录")
    assert VisitChange.objects.filter(visit=visit, changed_by=actor("office")).count() == 2


def test_bad_input_is_refused_with_a_translated_message_and_changes_nothing(setting):
    campaign, cadre, _household, visit = setting
    today = timezone.localdate()
    with translation.override("en"):
        with pytest.raises(ValidationError) as future:
            _correct(cadre.account, visit, date=today + dt.timedelta(days=1))
        assert future.value.message_dict["date"] == ["The date lies in the future."]
        with pytest.raises(ValidationError) as outside:
            _correct(cadre.account, visit, date=campaign.start - dt.timedelta(days=1))
        assert outside.value.message_dict["date"] == ["The date lies outside the campaign."]
        with pytest.raises(ValidationError) as form:
            _correct(cadre.account, visit, form="no_such_form")
        assert "no_such_form" in form.value.message_dict["form"][0]
        with pytest.raises(ValidationError) as reason:
            visit_withdraw(actor=cadre.account, visit=visit, reason="  ")
        assert reason.value.message_dict["reason"] == ["Give the reason for withdrawing the visit."]
    with pytest.raises(ValidationError) as chinese:
        _correct(cadre.account, visit, date=today + dt.timedelta(days=1))
    assert chinese.value.message_dict["date"] == ["日期晚于今天。"]
    visit.refresh_from_db()
    assert visit.version == 1 and visit.date == today and visit.withdrawn_at is None
    assert not VisitChange.objects.filter(visit=visit).exists()


def test_the_correction_page_refuses_a_future_date_in_the_page(setting):
    _campaign, cadre, _household, visit = setting
    client = Client()
    client.force_login(cadre.account)
    url = reverse("fieldwork:visit-edit", args=[visit.uuid])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with translation.override("en"):
        response = client.post(
            url,
            {"date": tomorrow.isoformat(), "form": "home_visit", "content": "x", "version": visit.version},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200 and "The date lies in the future." in response.content.decode()
    visit.refresh_from_db()
    assert visit.content == "了解到王大爷家屋顶漏雨"


def test_the_cadre_corrects_and_withdraws_from_the_pages(setting):
    _campaign, cadre, _household, visit = setting
    client = Client()
    client.force_login(cadre.account)
    detail = reverse("fieldwork:visit-detail", args=[visit.uuid])
    assert 'id="visit-actions"' in client.get(detail).content.decode()
    response = client.post(
        reverse("fieldwork:visit-edit", args=[visit.uuid]),
        {"date": visit.date.isoformat(), "form": "home_visit", "content": "更正后的内容", "version": 1},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.content == "更正后的内容" and visit.version == 2
    # A second tab still at version 1 is told, and changes nothing.
    stale = client.post(
        reverse("fieldwork:visit-withdraw", args=[visit.uuid]), {"reason": "误录", "version": 1}
    )
    assert stale.status_code == 200
    visit.refresh_from_db()
    assert visit.withdrawn_at is None
    confirm = client.get(reverse("fieldwork:visit-withdraw", args=[visit.uuid])).content.decode()
    assert 'id="visit-withdraw-form"' in confirm
    assert (
        client.post(
            reverse("fieldwork:visit-withdraw", args=[visit.uuid]), {"reason": "误录", "version": 2}
        ).status_code
        == 302
    )
    page = client.get(detail).content.decode()
    assert 'id="withdrawn"' in page and "误录" in page and 'id="visit-actions"' not in page
    assert client.get(reverse("fieldwork:visit-edit", args=[visit.uuid])).status_code == 403


def test_the_visit_page_links_each_problem_to_its_demand_and_withdrawal_leaves_the_demands(client_as, actor):
    from minqing.programs.models import Campaign, Pairing

    account = actor("cadre")
    campaign = Campaign.objects.get(program_key="xiajiceng")
    pairing = Pairing.objects.filter(
        campaign=campaign, cadre__account=account, household__isnull=False
    ).first()
    visit = visit_record(
        actor=account,
        campaign=campaign,
        cadre=pairing.cadre,
        date=max(campaign.start, timezone.localdate() - dt.timedelta(days=1)),
        form="home_visit",
        target=pairing.household,
        problems=["村口路灯不亮"],
    )
    ticket = Ticket.objects.get(extra__visit=str(visit.uuid))
    client = client_as("cadre")
    page = client.get(reverse("fieldwork:visit-detail", args=[visit.uuid])).content.decode()
    assert reverse("tickets:ticket-detail", args=[ticket.pk]) in page and ticket.code in page
    confirm = client.get(reverse("fieldwork:visit-withdraw", args=[visit.uuid])).content.decode()
    assert 'id="tickets-stay"' in confirm and ticket.code in confirm
    visit_withdraw(actor=account, visit=visit, reason="误录")
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_a_problem_with_a_phone_number_becomes_a_demand_titled_without_it_and_still_linked(client_as, actor):
    from minqing.fieldwork.selectors import visit_problems
    from minqing.programs.models import Campaign, Pairing

    account = actor("cadre")
    campaign = Campaign.objects.get(program_key="xiajiceng")
    pairing = Pairing.objects.filter(
        campaign=campaign, cadre__account=account, household__isnull=False
    ).first()
    # The number straddles the 60th character: cut first, its first digits would stay.
    problem = ("低保申请材料交到村委会两个月了还没有消息，请帮忙催一下" * 2)[:50] + "联系电话13907461234"
    visit = visit_record(
        actor=account,
        campaign=campaign,
        cadre=pairing.cadre,
        date=max(campaign.start, timezone.localdate() - dt.timedelta(days=1)),
        form="home_visit",
        target=pairing.household,
        problems=[problem],
    )
    ticket = Ticket.objects.get(extra__visit=str(visit.uuid))
    assert "1390" not in ticket.title and ticket.title == problem[:54] + "139***"
    # Shown masked (Visit.masked_problems), still linked to its demand.
    assert visit_problems(user=account, visit=visit) == [(problem[:54] + "139****1234", ticket)]


def test_a_withdrawn_visit_sent_again_by_the_phone_stays_withdrawn(setting):
    campaign, cadre, household, _visit = setting
    key = uuid.uuid4()
    payload = {
        "campaign": campaign.pk,
        "date": timezone.localdate().isoformat(),
        "form": "home_visit",
        "target": {"type": "household", "id": household.pk},
        "content": "离线记录",
        "problems": ["水管破裂"],
    }
    first = sync_put(user=cadre.account, kind="visit", uuid=key, payload=payload)
    assert first.status == 201
    tickets = Ticket.objects.filter(extra__visit=str(key)).count()
    visit_withdraw(actor=cadre.account, visit=first.record, reason="重复记录")
    counted = Visit.objects.count()

    again = sync_put(user=cadre.account, kind="visit", uuid=key, payload=payload)

    assert again.status == 200 and again.record.withdrawn_at is not None
    assert Visit.objects.count() == counted and Visit.records.filter(uuid=key).count() == 1
    assert Ticket.objects.filter(extra__visit=str(key)).count() == tickets
    # An edit sent from the phone's version is refused too.
    edit = sync_put(
        user=cadre.account,
        kind="visit",
        uuid=key,
        payload={**payload, "content": "改"},
        base_version=again.record.version,
    )
    assert edit.status == 409 and Visit.records.get(uuid=key).content == "离线记录"


def _phone_visit(setting):
    """A visit the cadre's phone sent (sync), and its payload."""
    campaign, cadre, household, _visit = setting
    key = uuid.uuid4()
    payload = {
        "campaign": campaign.pk,
        "date": timezone.localdate().isoformat(),
        "form": "home_visit",
        "target": {"type": "household", "id": household.pk},
        "content": "离线记录：屋顶漏雨",
        "problems": ["屋顶需要修缮"],
    }
    assert sync_put(user=cadre.account, kind="visit", uuid=key, payload=payload).status == 201
    return key, payload


def test_an_edit_from_the_phone_is_a_correction_kept_in_the_history(setting):
    _campaign, cadre, _household, _visit = setting
    key, payload = _phone_visit(setting)
    edited = {**payload, "content": "离线记录：屋顶漏雨，已联系村委", "reason": "补充"}

    edit = sync_put(user=cadre.account, kind="visit", uuid=key, payload=edited, base_version=1)

    assert edit.status == 200 and edit.record.version == 2
    visit = Visit.records.get(uuid=key)
    change = VisitChange.objects.get(visit=visit)
    assert (change.action, change.version, change.changed_by, change.reason) == (
        "corrected",
        2,
        cadre.account,
        "补充",
    )
    assert change.before == {"content": payload["content"]} and change.after == {"content": edited["content"]}
    event = AuditEvent.objects.get(action="visit.correct", object_id=str(visit.pk))
    assert event.detail["before"] == {"content": {"chars": len(payload["content"])}}
    # The answer to the edit lost on the way back: its retry is the same edit, not a second one.
    again = sync_put(user=cadre.account, kind="visit", uuid=key, payload=edited, base_version=1)
    assert again.status == 200 and again.record.version == 2
    assert VisitChange.objects.filter(visit=visit).count() == 1


def test_an_edit_from_the_phone_after_the_days_for_correcting_is_refused_with_the_reason(
    setting, clock, actor, settings
):
    _campaign, cadre, _household, _visit = setting
    key, payload = _phone_visit(setting)
    settings.VISIT_EDIT_DAYS = 7
    deadline = timezone.localdate(Visit.records.get(uuid=key).created_at + dt.timedelta(days=7))
    clock.advance(days=7, hours=1)
    edited = {**payload, "content": "过期后的修改"}

    with translation.override("en"):
        edit = sync_put(user=cadre.account, kind="visit", uuid=key, payload=edited, base_version=1)
        told = (
            "The days for correcting this visit have passed (7 days after it was recorded, until "
            f"{day_text(deadline)}): ask the campaign office to correct it."
        )
    assert edit.status == 409 and edit.conflict["reason"] == told
    assert edit.conflict["stored"]["content"] == payload["content"] and edit.conflict["sent"] == edited
    visit = Visit.records.get(uuid=key)
    assert (visit.content, visit.version) == (payload["content"], 1)
    assert not VisitChange.objects.filter(visit=visit).exists()
    # Through the sync endpoint the phone gets the stored visit and the reason to show.
    client = Client()
    client.force_login(cadre.account)
    response = client.put(
        f"/api/v1/sync/visit/{key}",
        json.dumps({"payload": edited, "base_version": 1}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert response.json()["conflict"]["reason"] == told and response.json()["version"] == 1
    # The office still corrects it.
    _correct(actor("office"), visit, content="办公室核实后更正", reason="核实")
    assert Visit.records.get(uuid=key).content == "办公室核实后更正"


def test_an_edit_from_the_phone_does_not_change_the_problems_that_became_demands(setting):
    _campaign, cadre, _household, _visit = setting
    key, payload = _phone_visit(setting)
    tickets = Ticket.objects.filter(extra__visit=str(key)).count()
    with translation.override("en"):
        edit = sync_put(
            user=cadre.account,
            kind="visit",
            uuid=key,
            payload={**payload, "content": "改", "problems": ["屋顶需要修缮", "另一个问题"]},
            base_version=1,
        )
    assert edit.status == 422 and edit.errors == {
        "problems": [
            "The problems raised on a visit became demands: they are not changed on the visit (each "
            "demand is followed up on its own)."
        ]
    }
    visit = Visit.records.get(uuid=key)
    assert (visit.content, visit.problems, visit.version) == (payload["content"], ["屋顶需要修缮"], 1)
    assert Ticket.objects.filter(extra__visit=str(key)).count() == tickets == 1


def test_the_api_corrects_and_withdraws_with_versions(setting):
    _campaign, cadre, _household, visit = setting
    client = Client()
    client.force_login(cadre.account)
    url = f"/api/v1/visits/{visit.uuid}"
    body = {"date": visit.date.isoformat(), "form": "home_visit", "content": "接口更正", "base_version": 1}
    response = client.put(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = client.put(url, json.dumps({**body, "content": "旧版本"}), content_type="application/json")
    assert stale.status_code == 409 and stale.json()["content"] == "接口更正"
    with translation.override("en"):
        bad = client.put(
            url,
            json.dumps({**body, "date": "2000-01-01", "base_version": 2}),
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert bad.status_code == 422 and "outside the campaign" in bad.json()["detail"]
    withdrawn = client.post(
        f"{url}/withdrawal",
        json.dumps({"reason": "误录", "base_version": 2}),
        content_type="application/json",
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    again = client.post(
        f"{url}/withdrawal",
        json.dumps({"reason": "误录", "base_version": 3}),
        content_type="application/json",
    )
    assert again.status_code == 403


def test_the_visit_list_counts_the_visits_that_stand_and_shows_the_withdrawn_apart(setting):
    campaign, cadre, household, withdrawn = setting
    standing = visit_record(
        actor=cadre.account,
        campaign=campaign,
        cadre=cadre,
        date=timezone.localdate(),
        form="home_visit",
        target=household,
        content="再次走访",
    )
    visit_withdraw(actor=cadre.account, visit=withdrawn, reason="录入重复")
    client = Client()
    client.force_login(cadre.account)
    url = reverse("fieldwork:visit-list")

    def listed(query=""):
        response = client.get(url + query)
        return [v.pk for v in response.context["page"].object_list], response

    shown, response = listed()
    assert shown == [standing.pk] and response.context["page"].paginator.count == 1
    page = response.content.decode()
    assert 'id="withdrawn-count"' in page and "?status=withdrawn" in page
    assert listed("?status=nonsense")[0] == shown
    shown, response = listed("?status=withdrawn")
    assert shown == [withdrawn.pk] and 'id="withdrawn-count"' not in response.content.decode()
    shown, response = listed("?status=all")
    assert sorted(shown) == sorted([standing.pk, withdrawn.pk])
    with translation.override("en"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Withdrawn, not counted here: 1" in page

    def api(query=""):
        return client.get(f"/api/v1/visits{query}")

    assert [v["uuid"] for v in api().json()["items"]] == [str(standing.uuid)] and api().json()["count"] == 1
    only = api("?status=withdrawn").json()
    assert only["count"] == 1 and only["items"][0]["uuid"] == str(withdrawn.uuid)
    assert only["items"][0]["withdrawn_at"]
    assert api("?status=all").json()["count"] == 2
    assert api("?status=nonsense").status_code == 422


def test_the_phone_page_says_today_and_yesterday(setting):
    _campaign, cadre, _household, _visit = setting
    client = Client()
    client.force_login(cadre.account)
    with translation.override("en"):
        page = client.get(reverse("fieldwork:app"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Last visit: today" in page and "0 days ago" not in page
    data = json.loads(page.split('id="app-data" type="application/json">')[1].split("</script>")[0])
    assert data["today"] == timezone.localdate().isoformat() and data["utc_offset_minutes"] == 480
    assert data["day_format"]["pattern"] == "F j" and data["labels"]["yesterday"] == "Last visit: yesterday"
    assert data["labels"]["days"] == "Last visit: %(n)s days ago"


def test_the_phone_page_says_how_long_ago_the_last_visit_was(setting):
    """A bare "68天前" on a card left the cadre guessing what it counted (a tester)."""
    campaign, cadre, household, visit = setting
    Visit.records.filter(pk=visit.pk).update(date=timezone.localdate() - dt.timedelta(days=20))
    client = Client()
    client.force_login(cadre.account)
    with translation.override("en"):
        page = client.get(reverse("fieldwork:app"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    card = re.search(r'<div class="when"[^>]*>(.*?)</div>', page).group(1)
    assert card == "Last visit: 20 days ago"


def test_a_visit_records_an_economic_status_found_never_that_it_is_not_given(scenario, setting):
    """A household's status "not given" (未填, a list without the column) is no finding: the
    field app does not offer it and a visit cannot record it; a status found replaces it."""
    from minqing.people.models import EconomicStatus

    campaign, cadre, household, _visit = setting
    assert household.economic_status == EconomicStatus.UNKNOWN
    record = {"campaign": campaign, "cadre": cadre, "date": timezone.localdate(), "form": "home_visit"}
    with pytest.raises(ValidationError):
        visit_record(actor=cadre.account, target=household, found={"economic_status": "unknown"}, **record)
    visit_record(actor=cadre.account, target=household, found={"economic_status": "poor"}, **record)
    household.refresh_from_db()
    assert household.economic_status == EconomicStatus.POOR
    client = Client()
    client.force_login(cadre.account)
    html = client.get(reverse("fieldwork:app")).content.decode()
    assert 'name="economic_status"' in html and 'value="poor"' in html and 'value="unknown"' not in html


def test_the_correction_page_in_chinese_opens_with_the_date_and_saves_a_text_only_change(setting):
    """A date box takes ISO text only: the Chinese page once wrote 2026/11/20, the box opened
    empty, and saving a change of the words alone was refused for want of a date (Chinese, the
    default language, is what the page is in here)."""
    _campaign, cadre, _household, visit = setting
    client = Client()
    client.force_login(cadre.account)
    url = reverse("fieldwork:visit-edit", args=[visit.uuid])
    page = client.get(url).content.decode()
    assert 'lang="zh-Hans"' in page
    box = re.search(r'<input type="date" name="date"[^>]*>', page).group(0)
    sent = re.search(r'value="([^"]*)"', box).group(1)
    assert sent == visit.date.isoformat()
    response = client.post(
        url, {"date": sent, "form": visit.form, "content": "更正：屋顶已修好", "version": visit.version}
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.content == "更正：屋顶已修好" and visit.version == 2


def test_the_rows_of_a_visits_record_correction_and_withdrawal_name_it_by_its_uuid(setting, scenario):
    """A visit's own label names the cadre and the resident visited (a member by name): the trail
    names the visit by its UUID, as its reads do (visit.view)."""
    campaign, cadre, _household, _visit = setting
    member = scenario.member("王秀英")
    form = campaign.visit_forms_for("member", "")[0]["key"]
    visit = visit_record(
        actor=cadre.account,
        campaign=campaign,
        cadre=cadre,
        date=timezone.localdate(),
        form=form,
        target=member,
    )
    assert "王秀英" in str(visit)
    _correct(cadre.account, visit, content="更正", reason="补记")
    visit_withdraw(actor=cadre.account, visit=visit, reason="误录")
    events = AuditEvent.objects.filter(object_type="fieldwork.visit", object_id=str(visit.pk)).order_by("id")
    assert [(e.action, e.object_repr) for e in events] == [
        ("visit.record", str(visit.uuid)),
        ("visit.correct", str(visit.uuid)),
        ("visit.withdraw", str(visit.uuid)),
    ]
    assert not [e for e in events if "王秀英" in json.dumps(e.detail, ensure_ascii=False)]
