"""Read-only queries run side by side, each on its own database connection.

A county dashboard is about twenty aggregate queries that do not depend on each other. Run one
after another, the page waits for each in turn while the application's own work waits too; run
on a few threads, the database answers some while Python reads the rows of others (the database
driver lets other threads run while it waits for an answer).

Each worker thread keeps its own connection, opened on first use and closed by the same rule as
a request's (`CONN_MAX_AGE`, or when it has become unusable), checked before every job.

The jobs run here, one after another, when:
- the caller is inside a transaction: another connection could not see what it wrote, and the
  figures must include it (tests run inside one, too);
- `settings.DB_PARALLEL` (environment `MINQING_DB_PARALLEL`) is below 2;
- the database is SQLite: its queries are this process's own work, and a thread's new
  connection starts with a cold page cache (a county dashboard measured slower on two threads);
- there is only one job.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None
_opened: set = set()  # the workers' connections, closed by shutdown()


def workers() -> int:
    return int(getattr(settings, "DB_PARALLEL", 1) or 1)


def _executor() -> ThreadPoolExecutor:
    """One pool per process: a pool made before a fork (a preloading server) has no threads in the child."""
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="minqing-db")
            _pool_pid = os.getpid()
        return _pool


def _job(fn: Callable[[], Any]) -> Any:
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
    try:
        return fn()
    finally:
        with _lock:
            _opened.update(connections.all(initialized_only=True))


def shutdown() -> None:
    """Stop the workers and close their connections (a test database can then be dropped)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True)
    with _lock:
        opened = list(_opened)
        _opened.clear()
    for connection in opened:
        connection.inc_thread_sharing()  # its thread has ended
        try:
            connection.close()
        finally:
            connection.dec_thread_sharing()


def run(
    jobs: Sequence[Callable[[], Any]],
    *,
    meanwhile: Callable[[], Any] | None = None,
    using: str = DEFAULT_DB_ALIAS,
):
    """The results of `jobs` (functions of no argument that only read), in their order, and the
    result of `meanwhile`, which runs in this thread (on this thread's connection) while they do."""
    connection = connections[using]
    if len(jobs) < 2 or workers() < 2 or connection.vendor == "sqlite" or connection.in_atomic_block:
        results = [job() for job in jobs]
        return results, (meanwhile() if meanwhile else None)
    futures = [_executor().submit(_job, job) for job in jobs]
    try:
        extra = meanwhile() if meanwhile else None
    finally:
        # Every job ends before the request goes on (even after an error here).
        wait(futures)
    return [future.result() for future in futures], extra
