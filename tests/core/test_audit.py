import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minqing.core.audit import audit_record, audit_verify
from minqing.core.models import AuditEvent, AuditHead


def write_rows(n):
    return [audit_record(action="test.write", detail={"n": i}) for i in range(n)]


def test_a_fresh_demo_trail_verifies(db, capsys):
    write_rows(3)
    call_command("audit", "verify")
    assert "审计日志完整" in capsys.readouterr().out


def test_an_edited_row_is_named(db):
    rows = write_rows(5)
    AuditEvent.objects.filter(pk=rows[2].pk).update(action="test.forged")
    result = audit_verify()
    assert not result.ok
    assert result.bad_id == rows[2].pk


def test_an_edited_row_with_a_recomputed_hash_names_the_row_after_it(db):
    from minqing.core.audit import event_hash

    rows = write_rows(5)
    forged = AuditEvent.objects.get(pk=rows[2].pk)
    forged.username = "mallory"
    AuditEvent.objects.filter(pk=forged.pk).update(
        username="mallory", hash=event_hash(forged, forged.prev_hash)
    )
    assert audit_verify().bad_id == rows[3].pk


def test_a_deleted_row_names_the_row_after_it(db):
    rows = write_rows(5)
    AuditEvent.objects.filter(pk=rows[1].pk).delete()
    result = audit_verify()
    assert not result.ok
    assert result.bad_id == rows[2].pk


def test_deleting_the_newest_rows_is_detected(db):
    rows = write_rows(4)
    AuditEvent.objects.filter(pk__gte=rows[2].pk).delete()
    result = audit_verify()
    assert not result.ok
    assert result.bad_id == rows[3].pk


def test_the_command_exits_non_zero_and_names_the_row(db):
    rows = write_rows(3)
    AuditEvent.objects.filter(pk=rows[1].pk).update(detail={"n": 99})
    with pytest.raises(CommandError, match=f"第 {rows[1].pk} 行"):
        call_command("audit", "verify")


def test_the_head_counts_every_row(db):
    before = AuditHead.objects.get(pk=1).count
    write_rows(2)
    assert AuditHead.objects.get(pk=1).count == before + 2 == AuditEvent.objects.count()


def test_an_emptied_trail_gets_its_head_back_on_the_next_append(db):
    AuditEvent.objects.all().delete()
    AuditHead.objects.all().delete()
    rows = write_rows(2)
    head = AuditHead.objects.get(pk=1)
    assert (head.count, head.last_id, head.last_hash) == (2, rows[1].pk, rows[1].hash)
    assert rows[1].prev_hash == rows[0].hash
    assert audit_verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement append is PostgreSQL's")
def test_an_append_on_postgresql_is_one_statement_that_hashes_as_verify_does(db):
    """The head is locked by the statement that inserts the row and moves the head, so a
    transaction holds it from its last statement to its COMMIT, no longer."""
    from minqing.core.audit import event_hash

    before = AuditHead.objects.get(pk=1)
    with CaptureQueriesContext(connection) as queries:
        event = audit_record(action="test.one_statement", detail={"名": "张三", "n": 1})
    assert len(queries) == 1
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.prev_hash == event.prev_hash == before.last_hash
    assert stored.hash == event.hash == event_hash(stored, before.last_hash)
    head = AuditHead.objects.get(pk=1)
    assert (head.count, head.last_id, head.last_hash) == (before.count + 1, event.pk, event.hash)


def test_login_failure_and_logout_are_audited(client, db, actor):
    from minqing.demo.generate import demo_password

    client.post("/login/", {"username": "office", "password": "wrong-password"})
    assert AuditEvent.objects.filter(
        action="auth.login_failed", object_repr="office", result="failed"
    ).exists()
    client.post("/login/", {"username": "office", "password": demo_password()[0]})
    login = AuditEvent.objects.filter(action="auth.login").latest("id")
    assert (
        login.username == "office" and login.role == "office" and login.ip == "127.0.0.1" and login.request_id
    )
    client.post("/logout/")
    assert AuditEvent.objects.filter(action="auth.logout", username="office").exists()
