"""Retention: `minqing audit purge --before DATE` removes only the oldest rows past their
floor (180 days for security events, 3 years for personal-data processing), and the
chain still verifies from the checkpoint the purge leaves in the head."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minqing.core.audit import audit_purge, audit_record, audit_verify
from minqing.core.models import AuditEvent, AuditHead


@pytest.fixture
def empty_trail(db):
    """This test's own trail (the demo's rows are removed inside the test transaction)."""
    AuditEvent.objects.all().delete()
    AuditHead.objects.update_or_create(
        pk=1, defaults={"last_id": 0, "last_hash": "0" * 64, "count": 0, "purged_count": 0}
    )


def write(clock, days_ago: int, action: str, n: int = 1):
    clock.offset = -dt.timedelta(days=days_ago)
    rows = [audit_record(action=action, detail={"n": i}) for i in range(n)]
    clock.offset = dt.timedelta()
    return rows


def test_purge_removes_the_oldest_rows_and_the_chain_still_verifies(empty_trail, clock):
    old = write(clock, 4 * 365, "household.view", 3) + write(clock, 4 * 365, "auth.login", 2)
    young = write(clock, 10, "people.search", 2)
    result = audit_purge(before=clock.now())
    assert result.removed == 5
    assert not AuditEvent.objects.filter(id__in=[r.pk for r in old]).exists()
    assert AuditEvent.objects.filter(id__in=[r.pk for r in young]).count() == 2
    head = AuditHead.objects.get(pk=1)
    assert (
        head.purged_count == 5 and head.purged_last_id == old[-1].pk and head.purged_last_hash == old[-1].hash
    )
    verified = audit_verify()
    assert verified.ok, verified.message
    purge_row = AuditEvent.objects.get(action="audit.purge")
    assert purge_row.detail["removed"] == 5 and purge_row.detail["last_removed_hash"] == old[-1].hash


def test_processing_records_younger_than_three_years_are_kept(empty_trail, clock):
    kept = write(clock, 2 * 365, "personal.unmask", 2)
    write(clock, 100, "auth.login", 1)
    assert audit_purge(before=clock.now()).removed == 0
    assert AuditEvent.objects.filter(id__in=[r.pk for r in kept]).count() == 2


def test_security_events_younger_than_180_days_are_kept(empty_trail, clock):
    gone = write(clock, 200, "auth.login_failed", 2)
    kept = write(clock, 170, "auth.lockout", 1)
    assert audit_purge(before=clock.now()).removed == 2
    assert not AuditEvent.objects.filter(id__in=[r.pk for r in gone]).exists()
    assert AuditEvent.objects.filter(pk=kept[0].pk).exists()
    assert audit_verify().ok


def test_only_a_run_of_the_oldest_rows_goes_so_the_chain_stays_whole(empty_trail, clock):
    write(clock, 400, "auth.login", 2)
    kept = write(clock, 390, "household.view", 1)  # processing: 3 years
    later_security = write(clock, 380, "auth.logout", 2)  # old enough, but after a kept row
    assert audit_purge(before=clock.now()).removed == 2
    assert AuditEvent.objects.filter(id__in=[kept[0].pk] + [r.pk for r in later_security]).count() == 3
    assert audit_verify().ok


def test_purging_twice_keeps_one_checkpoint_and_tampering_is_still_found(empty_trail, clock):
    write(clock, 4 * 365, "household.view", 2)
    write(clock, 3 * 365 + 100, "household.view", 2)
    rows = write(clock, 5, "household.view", 3)
    assert audit_purge(before=clock.now() - dt.timedelta(days=3 * 365 + 200)).removed == 2
    assert audit_purge(before=clock.now()).removed == 2
    assert audit_verify().ok
    assert AuditHead.objects.get(pk=1).purged_count == 4
    AuditEvent.objects.filter(pk=rows[1].pk).update(action="household.edit")
    assert audit_verify().bad_id == rows[1].pk


def test_deleting_old_rows_without_the_purge_is_still_detected(empty_trail, clock):
    rows = write(clock, 4 * 365, "household.view", 3)
    AuditEvent.objects.filter(pk=rows[0].pk).delete()
    assert not audit_verify().ok


def test_the_purge_command_takes_a_date_and_keeps_young_rows(empty_trail, clock, capsys):
    write(clock, 4 * 365, "household.view", 2)
    young = write(clock, 1, "household.view", 1)
    call_command("audit", "purge", "--before", "2999-01-01")
    assert "已删除 2 行" in capsys.readouterr().out
    assert AuditEvent.objects.filter(pk=young[0].pk).exists()
    call_command("audit", "verify")
    with pytest.raises(CommandError):
        call_command("audit", "purge", "--before", "yesterday")
