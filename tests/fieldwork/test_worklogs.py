"""A cadre's work log (工作日志, program 003): written on its page, on the phone (offline, through
the sync) and through the API; corrected by its own cadre; read by the office and leaders within
their scope, each list read recorded; a day in the future, an empty log or a point not the
cadre's refused and nothing written."""

import datetime as dt
import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone, translation

from minqing.core.models import AuditEvent
from minqing.core.roles import Role
from minqing.core.scope import scoped
from minqing.fieldwork.models import WorkLog
from minqing.fieldwork.selectors import worklog_points
from minqing.fieldwork.sync import sync_put
from minqing.org.models import Account, Grant
from minqing.org.services import token_create
from minqing.programs.models import LiaisonPoint, Pairing, Team


@pytest.fixture
def point(db):
    """The point the demo cadre is stationed at (包村)."""
    return Pairing.objects.filter(cadre__account__username="cadre", point__isnull=False).first().point


def _write(client, point, day, content="入户走访三户，召开院坝会。"):
    return client.post(
        "/fieldwork/worklogs/", {"point": point.pk, "date": day.isoformat(), "content": content}
    )


def test_a_cadre_writes_todays_work_log_on_its_page(client_as, point):
    client = client_as("cadre")
    page = client.get(f"/fieldwork/worklogs/?point={point.pk}").content.decode()
    assert 'id="worklog-form"' in page and point.name in page
    today = timezone.localdate()
    response = _write(client, point, today)
    assert response.status_code == 302
    log = WorkLog.objects.get(cadre__account__username="cadre", point=point, date=today)
    assert log.content == "入户走访三户，召开院坝会。" and log.created_by.username == "cadre"
    assert AuditEvent.objects.filter(action="worklog.write", object_id=str(log.pk), username="cadre").exists()
    page = client.get("/fieldwork/worklogs/").content.decode()
    assert "入户走访三户" in page and f"/fieldwork/worklogs/{log.pk}/edit/" in page
    read = AuditEvent.objects.filter(action="worklog.list", username="cadre").latest("id")
    assert read.detail["shown"] == 1


def test_bad_work_logs_are_refused_and_nothing_is_written(client_as, point):
    client = client_as("cadre")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    other = LiaisonPoint.objects.exclude(pk=point.pk).first()
    with translation.override("en"):
        future = _write(client, point, tomorrow).content.decode()
        empty = _write(client, point, timezone.localdate(), content="  ").content.decode()
        elsewhere = client.post(
            "/fieldwork/worklogs/",
            {"point": other.pk, "date": timezone.localdate().isoformat(), "content": "x"},
        ).content.decode()
    assert "The date lies in the future." in future
    assert "Write what was done that day." in empty
    assert "Select a valid choice." in elsewhere
    _write(client, point, timezone.localdate())
    with translation.override("en"):
        twice = _write(client, point, timezone.localdate()).content.decode()
    assert "There is already a work log for this day and point." in twice
    assert WorkLog.objects.filter(cadre__account__username="cadre").count() == 1


def test_the_cadre_corrects_their_own_log_and_nobody_else_does(client_as, point):
    client = client_as("cadre")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    _write(client, point, yesterday)
    log = WorkLog.objects.get(cadre__account__username="cadre")
    url = f"/fieldwork/worklogs/{log.pk}/edit/"
    response = client.post(
        url, {"point": point.pk, "date": yesterday.isoformat(), "content": "补记：走访五户。", "version": 1}
    )
    assert response.status_code == 302
    log.refresh_from_db()
    assert log.content == "补记：走访五户。" and log.version == 2
    edit = AuditEvent.objects.filter(action="worklog.edit", object_id=str(log.pk)).get()
    assert edit.detail["fields"] == ["content"]
    # A correction from the version before is stale; a day in the future is refused.
    with translation.override("en"):
        stale = client.post(
            url, {"point": point.pk, "date": yesterday.isoformat(), "content": "旧", "version": 1}
        ).content.decode()
        future = client.post(
            url,
            {
                "point": point.pk,
                "date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
                "content": "x",
                "version": 2,
            },
        ).content.decode()
    assert "changed elsewhere" in stale and "The date lies in the future." in future
    log.refresh_from_db()
    assert log.content == "补记：走访五户。" and log.date == yesterday
    # The county's office reads it (403 to change it); the other county's does not see it.
    assert client_as("office").get(url).status_code == 403
    assert client_as("office_jinan").get(url).status_code == 404


def test_the_office_and_leaders_read_the_logs_in_their_scope_and_the_read_is_recorded(client_as, point):
    _write(client_as("cadre"), point, timezone.localdate())
    for role in ("office", "leader"):
        page = client_as(role).get("/fieldwork/worklogs/").content.decode()
        assert "入户走访三户" in page, role
        assert AuditEvent.objects.filter(action="worklog.list", username=role).exists()
    assert "入户走访三户" not in client_as("office_jinan").get("/fieldwork/worklogs/").content.decode()


def test_the_api_lists_and_writes_work_logs(point):
    token = token_create(actor=None, account=Account.objects.get(username="cadre"))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def post(body):
        return client.post("/api/v1/worklogs", json.dumps(body), content_type="application/json")

    today = timezone.localdate().isoformat()
    created = post({"point": point.pk, "date": today, "content": "走访"})
    assert created.status_code == 201, created.content
    assert created.json()["point_name"] == point.name
    log = WorkLog.objects.get(pk=created.json()["id"])
    assert AuditEvent.objects.filter(action="worklog.write", object_id=str(log.pk)).exists()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert post({"point": point.pk, "date": tomorrow, "content": "走访"}).status_code == 422
    other = LiaisonPoint.objects.exclude(pk=point.pk).first()
    assert post({"point": other.pk, "date": today, "content": "走访"}).status_code == 422
    listed = client.get("/api/v1/worklogs").json()
    assert [item["id"] for item in listed["items"]] == [log.pk]
    assert AuditEvent.objects.filter(action="worklog.list", username="cadre").exists()
    office = token_create(actor=None, account=Account.objects.get(username="office_jinan"))
    assert Client(HTTP_AUTHORIZATION=f"Bearer {office}").get("/api/v1/worklogs").json()["count"] == 0


def test_the_phone_sync_refuses_a_work_log_of_a_future_day(point):
    cadre = Account.objects.get(username="cadre")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    result = sync_put(
        user=cadre,
        kind="worklog",
        uuid=uuid.uuid4(),
        payload={"point": point.pk, "date": tomorrow, "content": "x"},
    )
    assert result.status == 422 and "date" in result.errors
    assert not WorkLog.objects.exists()


def test_the_phone_sync_refuses_a_work_log_at_a_point_in_scope_not_the_cadres(point):
    """A cadre who also leads the township sees its other villages: the sync finds such a
    point in the scope; the service then asks, as the page and the API do, whether it is one
    of the cadre's own."""
    grant = Grant.objects.create(account=Account.objects.get(username="cadre"), role=Role.LEADER)
    grant.regions.add(point.region)
    cadre = Account.objects.get(username="cadre")
    own = {p.pk for p in worklog_points(user=cadre)}
    LiaisonPoint.objects.create(name="邻村", kind=point.kind, region=point.region)
    other = scoped(LiaisonPoint, cadre, "programs.view").exclude(pk__in=own).first()
    assert other is not None, "no point in the cadre's scope but theirs: the test proves nothing"
    today = timezone.localdate().isoformat()
    with translation.override("en"):
        result = sync_put(
            user=cadre,
            kind="worklog",
            uuid=uuid.uuid4(),
            payload={"point": other.pk, "date": today, "content": "走访"},
        )
    assert result.status == 422 and result.errors == {"point": ["This point is not among yours."]}
    assert not WorkLog.objects.exists()
    assert (
        sync_put(
            user=cadre,
            kind="worklog",
            uuid=uuid.uuid4(),
            payload={"point": point.pk, "date": today, "content": "走访"},
        ).status
        == 201
    )


def test_the_phone_page_offers_todays_work_log_at_a_point_and_the_hub_lists_them(client_as, point):
    page = client_as("cadre").get("/m/").content.decode()
    assert 'class="do-worklog' in page and 'id="worklog-dialog"' in page
    assert 'href="/fieldwork/worklogs/"' in page
    assert 'href="/fieldwork/worklogs/"' in client_as("office").get("/fieldwork/").content.decode()


def _paired_since(point, start, end=None):
    """The demo cadre's pairing at the point runs from start to end (the point theirs by it alone)."""
    pairing = Pairing.objects.get(cadre__account__username="cadre", point=point)
    pairing.start, pairing.end = start, end
    pairing.save(update_fields=["start", "end"])
    for team in Team.objects.filter(points=point):
        team.points.remove(point)
    cadre = Account.objects.get(username="cadre")
    before = start - dt.timedelta(days=1)
    assert point.pk not in {p.pk for p in worklog_points(user=cadre, as_of=before)}, "theirs by a team too"


def test_a_correction_cannot_move_a_log_to_a_day_the_point_was_not_the_cadres(client_as, point):
    today = timezone.localdate()
    _paired_since(point, today - dt.timedelta(days=2))
    client = client_as("cadre")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    _write(client, point, today - dt.timedelta(days=1))
    log = WorkLog.objects.get(cadre__account__username="cadre")
    early = (today - dt.timedelta(days=10)).isoformat()
    with translation.override("en"):
        page = client.post(
            f"/fieldwork/worklogs/{log.pk}/edit/",
            {"point": point.pk, "date": early, "content": "走访", "version": 1},
        ).content.decode()
    assert "This point is not among yours." in page
    log.refresh_from_db()
    assert log.date == today - dt.timedelta(days=1) and log.version == 1
    assert not AuditEvent.objects.filter(action="worklog.edit").exists()


def test_the_api_takes_a_log_of_a_past_day_at_a_pairing_ended_since(point):
    today = timezone.localdate()
    _paired_since(point, today - dt.timedelta(days=30), end=today - dt.timedelta(days=2))
    token = token_create(actor=None, account=Account.objects.get(username="cadre"))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")

    def post(day):
        body = {"point": point.pk, "date": day.isoformat(), "content": "走访"}
        return client.post("/api/v1/worklogs", json.dumps(body), content_type="application/json")

    created = post(today - dt.timedelta(days=3))
    assert created.status_code == 201, created.content
    with translation.override("en"):
        refused = post(today)
    assert refused.status_code == 422 and "This point is not among yours." in refused.json()["detail"]
    assert WorkLog.objects.filter(cadre__account__username="cadre").count() == 1
