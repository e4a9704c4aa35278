"""Records made offline reach the server exactly once: retries after lost answers, and
duplicates sent at once, create nothing twice; a different payload under a used UUID is
a conflict; an edit from an old version is refused."""

import datetime as dt
import json
import random
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minqing.core.models import AuditEvent
from minqing.fieldwork.models import Deed, Visit
from minqing.fieldwork.sync import _whole
from minqing.org.models import Account, Grant
from minqing.org.services import token_create
from minqing.programs.models import Campaign, Pairing


@pytest.fixture
def phone(db):
    account = Account.objects.get(username="cadre")
    token = token_create(actor=None, account=account)
    campaign = Campaign.objects.get(program_key="xiajiceng")
    targets = list(
        Pairing.objects.filter(
            cadre__account=account, campaign=campaign, household__isnull=False
        ).values_list("household_id", flat=True)
    )

    def put(kind, key, payload, base_version=None):
        body = {"payload": payload, **({"base_version": base_version} if base_version is not None else {})}
        return Client().put(
            f"/api/v1/sync/{kind}/{key}",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    return put, campaign, targets, token


def visit_payload(campaign, household_id, n):
    return {
        "campaign": campaign.pk,
        "date": "2026-06-01",
        "form": "home_visit",
        "target": {"type": "household", "id": household_id},
        "content": f"第{n}次离线走访",
        "problems": ["道路需要硬化"] if n % 5 == 0 else [],
    }


def test_lost_answers_and_retries_create_each_record_once(phone):
    put, campaign, targets, _token = phone
    rng = random.Random(5)
    before = Visit.objects.count()
    records = {str(uuid.uuid4()): visit_payload(campaign, targets[n % len(targets)], n) for n in range(60)}
    confirmed = {}
    for key, payload in records.items():
        for _attempt in range(4):  # the first try and up to 3 retries
            response = put("visit", key, payload)
            if rng.random() < 0.3:
                continue  # the answer was lost on the way back: the phone tries again
            assert response.status_code in (200, 201), response.content
            confirmed[key] = response.json()["id"]
            break
        else:
            response = put("visit", key, payload)  # back online for good
            confirmed[key] = response.json()["id"]
        if rng.random() < 0.2:
            duplicate = put("visit", key, payload)  # the same record sent twice
            assert duplicate.status_code == 200 and duplicate.json()["id"] == confirmed[key]
    assert Visit.objects.count() == before + len(records)  # nothing lost, nothing twice
    assert set(
        str(u) for u in Visit.objects.filter(uuid__in=list(records)).values_list("uuid", flat=True)
    ) == set(records)


def test_a_different_payload_under_a_used_uuid_is_a_conflict_with_both_versions(phone):
    put, campaign, targets, _token = phone
    key = str(uuid.uuid4())
    first = visit_payload(campaign, targets[0], 1)
    assert put("visit", key, first).status_code == 201
    changed = {**first, "content": "另一个内容"}
    response = put("visit", key, changed)
    assert response.status_code == 409
    body = response.json()
    assert body["conflict"]["stored"]["content"] == first["content"]
    assert body["conflict"]["sent"]["content"] == "另一个内容"
    assert Visit.objects.get(uuid=key).content == first["content"]


def test_an_edit_from_the_current_version_applies_and_a_stale_one_is_refused(phone):
    put, campaign, targets, _token = phone
    key = str(uuid.uuid4())
    payload = visit_payload(campaign, targets[0], 2)
    assert put("visit", key, payload).status_code == 201
    edited = {**payload, "content": "补充：已联系村委"}
    ok = put("visit", key, edited, base_version=1)
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = put("visit", key, {**payload, "content": "旧版本上的修改"}, base_version=1)
    assert stale.status_code == 409
    assert Visit.objects.get(uuid=key).content == "补充：已联系村委"


def test_an_invalid_record_changes_nothing_and_says_why(phone):
    put, campaign, targets, _token = phone
    before = Visit.objects.count()
    response = put(
        "visit", str(uuid.uuid4()), {**visit_payload(campaign, targets[0], 3), "form": "telepathy"}
    )
    assert response.status_code == 422 and "form" in response.json()["errors"]
    other = put(
        "visit",
        str(uuid.uuid4()),
        {**visit_payload(campaign, targets[0], 4), "target": {"type": "household", "id": 10**9}},
    )
    assert other.status_code == 422 and "target" in other.json()["errors"]
    assert Visit.objects.count() == before


def test_deeds_sync_the_same_way(phone):
    put, campaign, targets, _token = phone
    key = str(uuid.uuid4())
    payload = {
        "campaign": campaign.pk,
        "kind": "errand",
        "title": "代办医保续费",
        "date": "2026-06-03",
        "target": {"type": "household", "id": targets[0]},
        "value_yuan": "320.50",
    }
    assert put("deed", key, payload).status_code == 201
    assert put("deed", key, payload).status_code == 200
    assert Deed.objects.filter(uuid=key).count() == 1


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite has one writer at a time by design")
def test_parallel_duplicates_create_one_record(transactional_db):
    from minqing.demo.generate import database_is_empty, generate

    if database_is_empty():
        generate(scale="village", seed=7)
    account = Account.objects.get(username="cadre")
    token = token_create(actor=None, account=account)
    campaign = Campaign.objects.get(program_key="xiajiceng")
    household = Pairing.objects.filter(
        cadre__account=account, campaign=campaign, household__isnull=False
    ).first()
    payloads = [(str(uuid.uuid4()), visit_payload(campaign, household.household_id, n)) for n in range(10)]
    statuses = []
    lock = threading.Lock()

    def send(key, payload):
        try:
            response = Client().put(
                f"/api/v1/sync/visit/{key}",
                json.dumps({"payload": payload}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=item) for item in payloads for _copy in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses).count(201) == len(payloads)
    assert set(statuses) <= {200, 201}
    assert Visit.objects.filter(uuid__in=[k for k, _p in payloads]).count() == len(payloads)


def test_what_a_visit_found_updates_the_household_and_keeps_the_history(phone, client_as):
    from minqing.people.models import Household, HouseholdChange

    put, campaign, targets, _token = phone
    household = Household.objects.get(pk=targets[0])
    new_size = household.size + 1
    payload = {
        **visit_payload(campaign, household.pk, 7),
        "found": {"size": new_size, "income_sources": ["pension"]},
    }
    assert put("visit", str(uuid.uuid4()), payload).status_code == 201
    household.refresh_from_db()
    assert household.size == new_size and household.income_sources == ["pension"]
    change = HouseholdChange.objects.filter(household=household, field="size").latest("changed_at")
    assert change.new == new_size and change.source.startswith("visit:")
    page = client_as("office").get(f"/people/households/{household.pk}/").content.decode()
    assert "养老金" in page or "Pension" in page
    bad = put("visit", str(uuid.uuid4()), {**visit_payload(campaign, household.pk, 8), "found": {"size": 99}})
    assert bad.status_code == 422


def test_each_problem_raised_on_a_visit_becomes_a_demand(phone):
    from minqing.tickets.models import Ticket

    put, campaign, targets, _token = phone
    key = str(uuid.uuid4())
    payload = {**visit_payload(campaign, targets[0], 9), "problems": ["灌溉水渠需要清淤", "希望提供就业培训"]}
    assert put("visit", key, payload).status_code == 201
    demands = Ticket.objects.filter(extra__visit=key)
    assert sorted(demands.values_list("title", flat=True)) == ["希望提供就业培训", "灌溉水渠需要清淤"]
    assert set(demands.values_list("channel", flat=True)) == {"visit"}
    assert put("visit", key, payload).status_code == 200  # a retry makes no second demand
    assert Ticket.objects.filter(extra__visit=key).count() == 2


def test_an_upload_about_a_target_whose_pairing_ended_is_refused(phone):
    """The checks of an upload run from SQL compiled once per scope and day: what they
    answer still follows the pairings as they are now."""
    put, campaign, targets, _token = phone
    target = targets[0]
    assert put("visit", uuid.uuid4(), visit_payload(campaign, target, 1)).status_code == 201
    Pairing.objects.filter(cadre__account__username="cadre").filter(
        Q(household_id=target) | Q(member__household_id=target)
    ).update(end=dt.date(2026, 1, 1))
    response = put("visit", uuid.uuid4(), visit_payload(campaign, target, 2))
    assert response.status_code == 422 and "target" in response.json()["errors"]
    assert put("visit", uuid.uuid4(), visit_payload(campaign, targets[1], 3)).status_code == 201


def test_an_upload_after_the_grant_is_withdrawn_is_refused(phone):
    put, campaign, targets, _token = phone
    assert put("visit", uuid.uuid4(), visit_payload(campaign, targets[0], 1)).status_code == 201
    Grant.objects.filter(account__username="cadre").delete()
    before = Visit.objects.count()
    response = put("visit", uuid.uuid4(), visit_payload(campaign, targets[0], 2))
    assert response.status_code == 422 and "campaign" in response.json()["errors"]
    assert Visit.objects.count() == before


def test_a_retry_of_a_stored_visit_answers_from_the_stored_record(phone):
    put, campaign, targets, _token = phone
    key = uuid.uuid4()
    first = put("visit", key, visit_payload(campaign, targets[0], 1))
    # The retry writes nothing and is refused nothing: the INSERT leaves the stored visit as
    # it is, so there is no rollback (on PostgreSQL it would drop the connection's prepared
    # statements, and the refused statement would be logged as an error) and no audit row.
    audit_before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        again = put("visit", str(key).upper(), visit_payload(campaign, targets[0], 1))
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert not [q["sql"] for q in queries.captured_queries if "ROLLBACK" in q["sql"].upper()]
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.parametrize("change", [{"problems": 5}, {"problems": [1]}, {"found": 5}, {"found": ["size"]}])
def test_a_field_of_the_wrong_type_is_refused_with_a_message(phone, change):
    put, campaign, targets, _token = phone
    payload = visit_payload(campaign, targets[0], 1)
    # The same record with the field as it should be is stored: only the field is wrong.
    assert put("visit", uuid.uuid4(), payload).status_code == 201
    before = Visit.objects.count()
    answer = put("visit", uuid.uuid4(), {**payload, **change})
    assert answer.status_code == 422 and answer.json()["errors"], answer.content
    assert Visit.objects.count() == before


def test_a_count_is_a_whole_number_or_refused():
    assert [_whole(v, "attendance") for v in (None, "", 0, 35, "35")] == [0, 0, 0, 35, 35]
    for wrong in ("很多", [3], 3.5, True, "-2", {"n": 1}):
        with pytest.raises(ValidationError):
            _whole(wrong, "attendance")


def test_a_retry_that_no_longer_passes_the_checks_still_answers_from_the_stored_record(phone):
    """A retry whose checks would fail now (the campaign closed since) is answered from what
    is stored, as if it had been looked up first."""
    put, campaign, targets, _token = phone
    key = uuid.uuid4()
    payload = visit_payload(campaign, targets[0], 1)
    first = put("visit", key, payload)
    assert first.status_code == 201
    Campaign.objects.filter(pk=campaign.pk).update(end=dt.date(2026, 5, 31))
    again = put("visit", key, payload)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    changed = put("visit", key, {**payload, "content": "另一个内容"})
    assert (
        changed.status_code == 409 and changed.json()["conflict"]["stored"]["content"] == payload["content"]
    )
    fresh = put("visit", uuid.uuid4(), payload)
    assert fresh.status_code == 422 and "date" in fresh.json()["errors"]


def test_recording_a_visit_takes_a_fixed_number_of_queries(phone, django_assert_num_queries):
    """Token with its account, the rate count (one upsert), cadre, campaign, target, then the
    service's transaction (a savepoint here, inside the test's): the visit (which leaves one
    stored under the UUID as it is) and the audit append (one statement on PostgreSQL; head,
    row and head update on SQLite). A new visit's UUID is not looked up first. No savepoint
    around the service's own transaction: its append is followed by its COMMIT."""
    put, campaign, targets, _token = phone
    put("visit", uuid.uuid4(), visit_payload(campaign, targets[0], 1))  # the token's last use is written once
    with django_assert_num_queries(9 if connection.vendor == "postgresql" else 11):
        assert put("visit", uuid.uuid4(), visit_payload(campaign, targets[1], 2)).status_code == 201
