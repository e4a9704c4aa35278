"""A work team is dissolved (工作队撤销, 任务完成) on a day that has come, with a reason: it is
kept as it was, shown as dissolved, no longer offered in forms nor changed, and the rules
count it through that day and not after. Who manages its campaign does it; audited."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from minqing.core.dates import day_text
from minqing.core.models import AuditEvent
from minqing.fieldwork.forms import ReliefForm
from minqing.fieldwork.services import relief_pay
from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.programs import engine, selectors
from minqing.programs.models import Campaign, Team
from minqing.programs.services import cadre_handover, team_create, team_dissolve, team_update


def _en(day) -> str:
    with translation.override("en"):
        return day_text(day)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def zone(scenario, today):
    """A 大走访 campaign that started two months ago, with one team: a leader, a member, a point."""
    campaign = scenario.campaign(
        "dazoufang", start=today - dt.timedelta(days=60), end=today + dt.timedelta(days=300)
    )
    leader, member = scenario.cadre("member"), scenario.cadre()
    point = scenario.point()
    team = team_create(
        actor=scenario.office,
        campaign=campaign,
        name="第一工作队",
        leader=leader,
        members=[member],
        points=[point],
    )
    return campaign, team, point, leader, member


def _audits(team):
    return AuditEvent.objects.filter(action="team.dissolve", object_id=str(team.pk))


# The service ----------------------------------------------------------------------------


def test_a_team_is_dissolved_with_its_day_and_reason_in_the_audit_trail(scenario, zone, today):
    campaign, team, point, leader, member = zone
    team_dissolve(actor=scenario.office, team=team, dissolved_on=today, reason=" 任务完成 ")
    team.refresh_from_db()
    assert (team.dissolved_on, team.dissolved_reason) == (today, "任务完成")
    # Kept as it was: leader, members, points.
    assert (
        team.leader == leader and list(team.members.all()) == [member] and list(team.points.all()) == [point]
    )
    event = _audits(team).get()
    assert event.user_id == scenario.office.pk
    assert event.detail == {"campaign": campaign.pk, "on": today.isoformat(), "reason": "任务完成"}


@pytest.mark.parametrize(
    "when, reason, field, message",
    [
        ("today", "", "reason", "Give the reason for dissolving the team."),
        ("today", "x" * 201, "reason", "A reason has at most 200 characters."),
        (
            "before",
            "任务完成",
            "dissolved_on",
            "A team cannot be dissolved before its campaign starts ({start}): it counts from that day.",
        ),
        (
            "tomorrow",
            "任务完成",
            "dissolved_on",
            "The dissolution date ({tomorrow}) cannot be later than today ({today}): dissolve the team "
            "when its task has ended.",
        ),
    ],
)
def test_a_bad_day_or_no_reason_is_refused_and_changes_nothing(
    scenario, zone, today, when, reason, field, message
):
    campaign, team, *_ = zone
    day = {
        "today": today,
        "before": campaign.start - dt.timedelta(days=1),
        "tomorrow": today + dt.timedelta(days=1),
    }[when]
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        team_dissolve(actor=scenario.office, team=team, dissolved_on=day, reason=reason)
    expected = message.format(
        start=_en(campaign.start), tomorrow=_en(today + dt.timedelta(days=1)), today=_en(today)
    )
    assert caught.value.message_dict == {field: [expected]}
    team.refresh_from_db()
    assert team.dissolved_on is None and team.dissolved_reason == ""
    assert not _audits(team).exists()


def test_a_team_is_not_dissolved_after_its_campaign_ended(scenario, today):
    campaign = scenario.campaign(
        "xiajiceng", start=today - dt.timedelta(days=60), end=today + dt.timedelta(days=300)
    )
    Campaign.objects.filter(pk=campaign.pk).update(end=today - dt.timedelta(days=10))
    campaign.refresh_from_db()
    team = team_create(actor=scenario.office, campaign=campaign, name="第二工作队")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        team_dissolve(actor=scenario.office, team=team, dissolved_on=today, reason="任务完成")
    assert caught.value.message_dict == {
        "dissolved_on": [f"A team cannot be dissolved after its campaign ends ({_en(campaign.end)})."]
    }
    team_dissolve(actor=scenario.office, team=team, dissolved_on=campaign.end, reason="任务完成")


def test_a_dissolved_team_is_neither_dissolved_again_nor_changed(scenario, zone, today):
    campaign, team, point, leader, member = zone
    yesterday = today - dt.timedelta(days=1)
    team_dissolve(actor=scenario.office, team=team, dissolved_on=yesterday, reason="任务完成")
    told = f"第一工作队 was dissolved on {_en(yesterday)}: it is kept as it was then and can no longer be changed."
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        team_dissolve(actor=scenario.office, team=team, dissolved_on=today, reason="再次")
    assert caught.value.messages == [told]
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        team_update(actor=scenario.office, team=team, name="改名", kind="work_team", leader=None)
    assert caught.value.messages == [told]
    team.refresh_from_db()
    assert (team.name, team.leader, team.dissolved_on) == ("第一工作队", leader, yesterday)
    assert _audits(team).count() == 1


def test_only_who_manages_the_campaign_dissolves_a_team(scenario, zone, actor, today):
    _campaign, team, *_ = zone
    for username in ("leader", "office_jinan", "cadre", "inspector"):
        with pytest.raises(PermissionDenied):
            team_dissolve(actor=actor(username), team=team, dissolved_on=today, reason="任务完成")
    team.refresh_from_db()
    assert team.dissolved_on is None and not _audits(team).exists()


def test_a_handover_leaves_a_dissolved_team_as_it_was(scenario, zone, today):
    campaign, team, _point, leader, member = zone
    other = team_create(actor=scenario.office, campaign=campaign, name="第二工作队", leader=leader)
    team_dissolve(actor=scenario.office, team=team, dissolved_on=today, reason="任务完成")
    successor = scenario.cadre("member")
    handover = cadre_handover(
        actor=scenario.office, from_cadre=leader, to_cadre=successor, on_date=today, reason="调任"
    )
    team.refresh_from_db()
    other.refresh_from_db()
    assert team.leader == leader and other.leader == successor and handover.teams_moved == 1


# The rules ------------------------------------------------------------------------------


def _subjects(campaign, rule, as_of):
    return {(v.subject_type, v.subject_id) for v in engine.evaluate(campaign, as_of) if v.rule == rule}


def test_the_rules_count_a_team_and_its_points_through_its_dissolution_day_and_not_after(
    scenario, zone, today
):
    campaign, team, point, *_ = zone
    team_dissolve(actor=scenario.office, team=team, dissolved_on=today, reason="任务完成")
    tomorrow = today + dt.timedelta(days=1)
    for rule in ("care_for_vulnerable", "team_summary"):
        assert _subjects(campaign, rule, today) == {("team", team.pk)}
        assert _subjects(campaign, rule, tomorrow) == set()
    # The point was the team's only link to the campaign: it goes with the team.
    assert ("point", point.pk) in _subjects(campaign, "deeds_per_point", today)
    assert ("point", point.pk) not in _subjects(campaign, "deeds_per_point", tomorrow)


def test_a_day_at_a_dissolved_team_s_point_counts_through_its_dissolution_day_and_not_after(
    scenario, zone, today
):
    """AttendanceDay.in_campaign (the dashboard's days and the stay rules'): a member's day at
    the team's point counts through the team until the day it was dissolved, not after."""
    from minqing.fieldwork.models import AttendanceDay

    campaign, team, point, leader, member = zone
    dissolved_on = today - dt.timedelta(days=5)
    for cadre in (leader, member):
        scenario.days_at(cadre, point, dissolved_on - dt.timedelta(days=1), dissolved_on)
        scenario.days_at(
            cadre, point, dissolved_on + dt.timedelta(days=1), dissolved_on + dt.timedelta(days=2)
        )

    def counted():
        return sorted(
            AttendanceDay.objects.filter(AttendanceDay.in_campaign(campaign), cadre__in=[leader, member])
            .order_by()
            .values_list("date", flat=True)
        )

    assert len(counted()) == 8
    team_dissolve(actor=scenario.office, team=team, dissolved_on=dissolved_on, reason="任务完成")
    assert counted() == [dissolved_on - dt.timedelta(days=1)] * 2 + [dissolved_on] * 2


def test_the_by_team_report_has_no_line_for_a_team_after_its_dissolution(scenario, zone, today):
    campaign, team, *_ = zone
    team_dissolve(actor=scenario.office, team=team, dissolved_on=today, reason="任务完成")
    teams = selectors.compliance_teams(user=scenario.office, campaign=campaign)
    for day, lines in ((today, [team.pk]), (today + dt.timedelta(days=1), [])):
        report = engine.ComplianceReport(campaign, day, engine.evaluate(campaign, day))
        assert [tally.key for tally in report.by_team(teams)] == lines


def test_the_rules_read_teams_in_a_fixed_number_of_queries_whatever_the_number_dissolved(
    scenario, zone, today
):
    campaign, team, point, leader, member = zone
    tomorrow = today + dt.timedelta(days=1)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            engine.evaluate(Campaign.objects.get(pk=campaign.pk), tomorrow)
        return len(captured)

    before = queries()
    for n in range(3):
        more = team_create(
            actor=scenario.office,
            campaign=campaign,
            name=f"工作队{n}",
            leader=leader,
            points=[scenario.point()],
        )
        if n:
            team_dissolve(actor=scenario.office, team=more, dissolved_on=today, reason="任务完成")
    assert queries() == before


# Forms and pages ------------------------------------------------------------------------


def test_a_dissolved_team_is_no_longer_offered_for_relief_nor_named_by_a_later_payment(scenario, zone, today):
    campaign, team, _point, leader, _member = zone
    other = team_create(actor=scenario.office, campaign=campaign, name="第二工作队")
    yesterday = today - dt.timedelta(days=1)
    team_dissolve(actor=scenario.office, team=team, dissolved_on=yesterday, reason="任务完成")
    team.refresh_from_db()
    form = ReliefForm(user=scenario.office, campaigns=Campaign.objects.filter(pk=campaign.pk), households=[])
    offered = set(form.fields["team"].queryset.filter(campaign=campaign))
    assert offered == {other}
    household = scenario.household()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        relief_pay(
            actor=scenario.office,
            campaign=campaign,
            cadre=leader,
            household=household,
            amount_yuan=200,
            date=today,
            team=team,
        )
    assert caught.value.message_dict == {
        "team": [f"第一工作队 was dissolved on {_en(yesterday)}: a record of a later day cannot name it."]
    }
    # A payment of a day it still counted (entered late, or synced from a phone) names it.
    relief_pay(
        actor=scenario.office,
        campaign=campaign,
        cadre=leader,
        household=household,
        amount_yuan=200,
        date=yesterday,
        team=team,
    )


def _client(client_as):
    client = client_as("office")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_team_page_dissolves_a_team_and_shows_it_dissolved(scenario, zone, client_as, today):
    campaign, team, *_ = zone
    client = _client(client_as)
    url = f"/campaigns/{campaign.pk}/teams/{team.pk}/"
    html = client.get(url).content.decode()
    assert f'action="{url}dissolve/"' in html and 'id="team-edit"' in html
    response = client.post(
        f"{url}dissolve/", {"dissolved_on": today.isoformat(), "reason": "任务完成"}, follow=True
    )
    assert response.redirect_chain[-1][0] == url
    html = response.content.decode()
    assert f"第一工作队 was dissolved on {_en(today)}." in html
    assert f"Dissolved on {_en(today)}: 任务完成." in html
    # Kept as it was: no Change form, no Dissolve form; a Change sent from an old page is told.
    assert 'id="team-edit"' not in html and "dissolve/" not in html
    response = client.post(url, {"name": "改名", "kind": "work_team"})
    assert response.status_code == 200 and "can no longer be changed" in response.content.decode()
    team.refresh_from_db()
    assert team.name == "第一工作队" and team.dissolved_on == today


def test_a_refused_dissolution_shows_the_errors_on_the_team_page(scenario, zone, client_as, today):
    campaign, team, *_ = zone
    client = _client(client_as)
    later = today + dt.timedelta(days=3)
    response = client.post(
        f"/campaigns/{campaign.pk}/teams/{team.pk}/dissolve/",
        {"dissolved_on": later.isoformat(), "reason": ""},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<details open id="team-dissolve">' in html
    assert "This field is required." in html  # the form's own check of the reason
    assert f'value="{later.isoformat()}"' in html
    response = client.post(
        f"/campaigns/{campaign.pk}/teams/{team.pk}/dissolve/",
        {"dissolved_on": later.isoformat(), "reason": "完成"},
    )
    assert f"The dissolution date ({_en(later)}) cannot be later than today" in response.content.decode()
    team.refresh_from_db()
    assert team.dissolved_on is None and not _audits(team).exists()


def test_the_team_list_shows_current_teams_by_default_and_dissolved_ones_under_their_filter(
    scenario, zone, client_as, today
):
    campaign, team, *_ = zone
    other = team_create(actor=scenario.office, campaign=campaign, name="第二工作队")
    team_dissolve(actor=scenario.office, team=team, dissolved_on=today, reason="任务完成")
    client = _client(client_as)
    url = f"/campaigns/{campaign.pk}/teams/"

    def names(query=""):
        return [t.name for t in client.get(url + query).context["teams"]]

    assert names() == ["第二工作队"] == names("?status=current") == names("?status=nonsense")
    assert names("?status=dissolved") == ["第一工作队"]
    assert names("?status=all") == ["第一工作队", "第二工作队"]
    html = client.get(url + "?status=all").content.decode()
    assert f"Dissolved on {_en(today)}" in html
    assert other.dissolved_on is None


def test_an_office_of_another_county_gets_404_and_a_viewer_who_does_not_manage_403(
    scenario, zone, client_as, today
):
    campaign, team, *_ = zone
    url = f"/campaigns/{campaign.pk}/teams/{team.pk}/dissolve/"
    body = {"dissolved_on": today.isoformat(), "reason": "任务完成"}
    assert client_as("office_jinan").post(url, body).status_code == 404
    assert client_as("leader").post(url, body).status_code == 403
    assert client_as("cadre").post(url, body).status_code == 404
    team.refresh_from_db()
    assert team.dissolved_on is None and not _audits(team).exists()


# The API --------------------------------------------------------------------------------


def _auth(username):
    token = token_create(actor=None, account=Account.objects.get(username=username))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_api_dissolves_a_team(scenario, zone, client, today):
    campaign, team, point, leader, member = zone
    url = f"/api/v1/teams/{team.pk}/dissolve"
    body = {"dissolved_on": today.isoformat(), "reason": "任务完成"}
    assert client.post(url, body, content_type="application/json", **_auth("office_jinan")).status_code == 404
    assert client.post(url, body, content_type="application/json", **_auth("leader")).status_code == 403
    office = _auth("office")
    refused = client.post(url, {**body, "reason": " "}, content_type="application/json", **office)
    assert refused.status_code == 422
    assert refused.json() == {"detail": "Give the reason for dissolving the team."}
    done = client.post(url, body, content_type="application/json", **office)
    assert done.status_code == 200
    assert done.json() == {
        "id": team.pk,
        "campaign": campaign.pk,
        "name": "第一工作队",
        "kind": "work_team",
        "leader": leader.pk,
        "members": [member.pk],
        "points": [point.pk],
        "dissolved_on": today.isoformat(),
        "dissolved_reason": "任务完成",
    }
    again = client.post(url, body, content_type="application/json", **office)
    assert again.status_code == 422 and "can no longer be changed" in again.json()["detail"]
    assert _audits(team).count() == 1
    assert Team.objects.get(pk=team.pk).dissolved_on == today
