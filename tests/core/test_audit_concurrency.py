"""The audit chain stays one valid chain when several connections append at once."""

import threading

import pytest
from django.db import connection, connections

from minqing.core.audit import audit_record, audit_verify
from minqing.core.models import AuditEvent

WRITERS, EACH = 6, 20


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite has one writer at a time by design")
def test_concurrent_writers_keep_one_valid_chain(transactional_db):
    before = AuditEvent.objects.count()
    errors = []
    start = threading.Barrier(WRITERS)

    def writer(n):
        try:
            start.wait()
            for i in range(EACH):
                audit_record(action="test.concurrent", detail={"writer": n, "i": i})
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert AuditEvent.objects.count() == before + WRITERS * EACH
    result = audit_verify()
    assert result.ok, result
