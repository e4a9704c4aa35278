"""Read-only queries run side by side, each on its own database connection.

A county dashboard is about twenty aggregate queries that do not depend on each other. Run one
after another, the page waits for each in turn while the application's own work waits too; run
on a few threads, the database answers some while Python reads the rows of others (the database
driver lets other threads run while it waits for an answer).

Each worker thread keeps its own connection, opened on its first job. Before every job it is
checked as a request's is at its start: closed when older than `CONN_MAX_AGE` or after an error
that left it unusable (then opened afresh). It stays open, idle, between dashboards: with N app
processes, count N × `DB_PARALLEL` connections more in PostgreSQL's `max_connections`. A job that
fails because the server dropped its connection (a restart) is run once more on a new one.

The jobs run here, one after another, when:
- the caller is inside a transaction: another connection could not see what it wrote, and the
  figures must include it (tests run inside one, too);
- `settings.DB_PARALLEL` (environment `MINQING_DB_PARALLEL`) is below 2, or `CONN_MAX_AGE` is 0
  (a connection per job would cost more than it saves);
- the database is SQLite: its queries are this process's own work, and a thread's new
  connection starts with a cold page cache (a county dashboard measured slower on two threads);
- another request of this process is using the workers (threaded servers): it is not made to
  wait behind them, nor they behind it;
- the caller is itself a worker (a job that makes figures);
- there is only one job.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

PREFIX = "minqing-db"
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None
_busy = 0  # batches running on the pool now
_opened: set = set()  # the workers' connections, closed by shutdown()


def workers() -> int:
    return int(getattr(settings, "DB_PARALLEL", 1) or 1)


def _executor() -> ThreadPoolExecutor:
    """One pool per process: a pool made before a fork (a preloading server) has no threads in the child."""
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        _pool = ThreadPoolExecutor(max_workers=workers(), thread_name_prefix=PREFIX)
        _pool_pid = os.getpid()
    return _pool


def _job(fn: Callable[[], Any], using: str) -> Any:
    connection = connections[using]
    connection.close_if_unusable_or_obsolete()
    try:
        try:
            return fn()
        except (OperationalError, InterfaceError):
            if connection.connection is None or connection.is_usable():
                raise
            # The server dropped this idle connection (a restart): the job only reads, so once
            # more on a new connection.
            connection.close()
            return fn()
    finally:
        with _lock:
            _opened.add(connection)


def shutdown() -> None:
    """Stop the workers and close their connections (a test database can then be dropped; a
    process may then fork with no other thread alive). The next `run` makes a new pool."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
        opened = list(_opened)
        _opened.clear()
    if pool is not None:
        pool.shutdown(wait=True)
    for connection in opened:
        connection.inc_thread_sharing()  # its thread has ended
        try:
            connection.close()
        finally:
            connection.dec_thread_sharing()


def serial(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether `run` would run jobs one after another here, whatever the pool is doing."""
    return _serial(using)


def _serial(using: str) -> bool:
    connection = connections[using]
    return (
        workers() < 2
        or connection.vendor == "sqlite"
        or connection.in_atomic_block
        or connection.settings_dict.get("CONN_MAX_AGE", 0) == 0  # None: kept without limit
        or threading.current_thread().name.startswith(PREFIX)
    )


def run(
    jobs: Sequence[Callable[[], Any]],
    *,
    meanwhile: Callable[[], Any] | None = None,
    using: str = DEFAULT_DB_ALIAS,
):
    """The results of `jobs` (functions of no argument that only read), in their order, and the
    result of `meanwhile`, which runs in this thread (on this thread's connection) while they do.
    If a job or `meanwhile` fails, the error is raised once every job has ended."""
    global _busy
    pool = None
    if len(jobs) >= 2 and not _serial(using):
        with _lock:
            if _busy == 0:
                _busy += 1
                pool = _executor()
    if pool is None:
        results = [job() for job in jobs]
        return results, (meanwhile() if meanwhile else None)
    try:
        futures = [pool.submit(_job, job, using) for job in jobs]
        try:
            extra = meanwhile() if meanwhile else None
        finally:
            wait(futures)
    finally:
        with _lock:
            _busy -= 1
    return [future.result() for future in futures], extra
