"""The dashboard's queries side by side on several connections (core.parallel): the same figures as
one after another, on threads only where that is safe. These tests read committed data."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from minqing.core import parallel
from minqing.demo.generate import database_is_empty, generate
from minqing.figures import selectors
from minqing.figures.periods import parse_period

from .conftest import TODAY, sel_for

MAIN = threading.current_thread().name


@pytest.fixture
def demo(transactional_db):
    parallel.shutdown()  # a pool made by an earlier test has its own number of workers
    if database_is_empty():
        generate(scale="village", seed=7)
    yield
    parallel.shutdown()
    call_command("flush", interactive=False, verbosity=0)


def _plain(figures):
    groups = [
        [(g.key, g.label, g.values) for g in groups]
        for groups in (figures.by_region, figures.by_unit, figures.by_team, figures.by_cadre)
    ]
    return figures.values, figures.rates, groups


def test_the_figures_on_several_connections_equal_those_on_one(demo, settings, monkeypatch):
    from minqing.org.models import Account
    from minqing.programs.models import Campaign

    threads = set()
    job = parallel._job

    def spied(fn, using):
        threads.add(threading.current_thread().name)
        return job(fn, using)

    monkeypatch.setattr(parallel, "_job", spied)

    office = Account.objects.get(username="office")
    campaign = Campaign.objects.select_related("region").get(program_key="xiajiceng")
    for period in ("2026", "2026-10"):
        sel = sel_for(office, campaign, parse_period(period, today=TODAY))
        settings.DB_PARALLEL = 1
        one = _plain(selectors.figures(user=office, sel=sel, deferred=False))
        settings.DB_PARALLEL = 3
        several = _plain(selectors.figures(user=office, sel=sel, deferred=False))
        assert one == several
        assert one[0]["visits"] > 0 and one[2][3]
    if connection.vendor == "postgresql":
        assert len(threads) >= 2 and all(name.startswith("minqing-db") for name in threads)
    else:
        assert threads == set()


def _where(_n=None):
    return threading.current_thread().name


def test_jobs_run_on_worker_threads_on_postgresql_and_here_on_sqlite(demo, settings):
    settings.DB_PARALLEL = 2
    names, here = parallel.run([_where, _where, _where], meanwhile=_where)
    assert here == MAIN
    if connection.vendor == "postgresql":
        assert all(name.startswith("minqing-db") for name in names)
    else:
        assert names == [MAIN] * 3


def test_inside_a_transaction_the_jobs_run_here_and_see_its_writes(demo, settings):
    from minqing.geo.models import Region

    settings.DB_PARALLEL = 2
    with transaction.atomic():
        Region.objects.create(code="431123199000", name="未提交镇", level=4, parent_id="431123000000")
        names, _ = parallel.run([_where, _where])
        counts, _ = parallel.run([lambda: Region.objects.filter(name="未提交镇").count()] * 2)
        transaction.set_rollback(True)
    assert names == [MAIN, MAIN]
    assert counts == [1, 1]


@pytest.mark.skipif(connection.vendor == "sqlite", reason="threads are used on PostgreSQL only")
def test_a_failing_job_or_meanwhile_raises_after_every_job_has_ended(demo, settings):
    settings.DB_PARALLEL = 2
    ended = []

    def slow():
        threading.Event().wait(0.3)
        ended.append("slow")
        return 1

    def fails():
        raise ValueError("bad job")

    with pytest.raises(ValueError, match="bad job"):
        parallel.run([fails, slow])
    assert ended == ["slow"]
    ended.clear()
    with pytest.raises(ValueError, match="bad job"):
        parallel.run([slow, slow], meanwhile=fails)
    assert ended == ["slow", "slow"]


def test_a_job_that_runs_jobs_runs_them_on_its_own_thread(demo, settings):
    settings.DB_PARALLEL = 2
    inner, _ = parallel.run([lambda: parallel.run([_where, _where])[0], _where])
    assert inner[0] == [inner[0][0]] * 2  # the inner jobs ran where the outer job did: no deadlock


@pytest.mark.skipif(connection.vendor == "sqlite", reason="threads are used on PostgreSQL only")
def test_a_second_request_does_not_wait_for_the_workers_of_another(demo, settings):
    settings.DB_PARALLEL = 2
    started, release = threading.Event(), threading.Event()

    def holds():
        started.set()
        release.wait(10)
        return _where()

    first = []
    thread = threading.Thread(target=lambda: first.append(parallel.run([holds, _where])[0]), name="request-1")
    thread.start()
    assert started.wait(10)
    try:
        second = []
        other = threading.Thread(
            target=lambda: second.append(parallel.run([_where, _where])[0]), name="request-2"
        )
        other.start()
        other.join(10)
        assert second == [["request-2", "request-2"]]  # in its own thread while the workers are busy
    finally:
        release.set()
        thread.join(10)
    assert all(name.startswith("minqing-db") for name in first[0])


def test_without_kept_connections_the_jobs_run_here(demo, settings, monkeypatch):
    settings.DB_PARALLEL = 2
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    assert parallel.run([_where, _where])[0] == [MAIN, MAIN]


def test_one_setting_turns_the_threads_off(demo, settings):
    settings.DB_PARALLEL = 1
    names, _ = parallel.run([_where, _where])
    assert names == [MAIN, MAIN]


@pytest.mark.skipif(connection.vendor == "sqlite", reason="threads are used on PostgreSQL only")
def test_a_worker_keeps_its_connection_and_replaces_a_broken_one(demo, settings):
    from django.db import connections

    settings.DB_PARALLEL = 2

    def on_both_workers(fn):
        """Two jobs, one on each worker (each waits for the other to start)."""
        both = threading.Barrier(2, timeout=10)

        def job():
            both.wait()
            return fn()

        return parallel.run([job, job])[0]

    def backend():
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    first = on_both_workers(backend)
    assert len(set(first)) == 2 and connection.cursor().connection.info.backend_pid not in first
    assert set(on_both_workers(backend)) == set(first)  # each worker kept its own connection

    with connection.cursor() as cursor:  # the database server drops both (a restart, say)
        cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [first])
        for _ in range(100):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s::int[])", [first])
            if cursor.fetchone()[0] == 0:
                break
            threading.Event().wait(0.05)

    after = on_both_workers(backend)  # each job run once more, on a new connection: no error
    assert len(set(after)) == 2 and not set(after) & set(first)
    assert set(on_both_workers(backend)) == set(after)

    def broken_query():
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    with pytest.raises(Exception, match="no_such_table"):  # an error of the query itself is not retried
        parallel.run([broken_query, backend])
