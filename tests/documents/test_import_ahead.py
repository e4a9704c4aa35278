"""A large roster's keyed hashes, ciphertexts and pinyin are computed ahead by a forked
child while the import reads and checks the rows: the same records and the same report as
without it, nothing left running, and no fork beside other threads."""

import logging
import os
import signal
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection

from minqing.core import crypto, parallel
from minqing.documents.imports import ahead
from minqing.documents.imports.engine import import_run
from minqing.documents.imports.households import HouseholdImporter
from minqing.people.models import Household, Member

from .test_imports import counts, ids, office_roster, two_households, village  # noqa: F401


def test_a_child_computes_in_another_process_from_the_input_it_is_sent():
    def work(message, reply):
        reply((os.getpid(), message))
        reply("second")

    pending = ahead.start(work)
    assert pending is not None
    pending.send("cells")
    pid, message = pending.receive()
    assert pid != os.getpid() and message == "cells"
    assert pending.receive() == "second"
    assert pending.receive() is None  # it has ended
    with pytest.raises(ChildProcessError):
        os.waitpid(pending.pid, os.WNOHANG)


def test_a_child_that_fails_gives_nothing_is_reaped_and_is_logged(caplog):
    pending = ahead.start(lambda message, reply: 1 / 0)
    pending.send("cells")
    with caplog.at_level(logging.WARNING, logger=ahead.__name__):
        assert pending.receive() is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pending.pid, os.WNOHANG)
    assert f"Forked child {pending.pid} ended without a reply" in caplog.text


def test_a_reply_that_does_not_match_its_input_counts_as_none(caplog):
    importer = HouseholdImporter()
    importer._pending = ahead.start(lambda message, reply: reply({"id_hashes": ["one hash"]}))
    importer._sent = (["110101199001011234", "110101199001015678"], [], [])
    importer._pending.send(importer._sent)
    with caplog.at_level(logging.WARNING, logger=ahead.__name__):
        assert importer._received() == {}
    assert importer._pending.done
    assert "replied with lists that do not match its input" in caplog.text


def test_a_child_still_running_is_stopped_and_reaped_on_release():
    pending = ahead.start(lambda message, reply: time.sleep(60))
    pending.send("cells")
    pending.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pending.pid, os.WNOHANG)


def test_a_child_too_slow_is_given_up():
    pending = ahead.start(lambda message, reply: time.sleep(60), timeout=0.2)
    pending.send("cells")
    assert pending.receive() is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pending.pid, os.WNOHANG)


def test_a_child_that_does_not_read_its_input_is_given_up(alarm):
    pending = ahead.start(lambda message, reply: reply(message), timeout=0.2)
    os.kill(pending.pid, signal.SIGSTOP)
    pending.send("x" * 400_000)  # more than a pipe holds
    assert pending.done
    assert pending.receive() is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pending.pid, os.WNOHANG)


@pytest.fixture
def alarm():
    """A test that would hang without the change fails after 30 s instead."""

    def late(number, frame):
        raise AssertionError("still waiting after 30 s")

    previous = signal.signal(signal.SIGALRM, late)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


_signal_in_child = []  # armed: the next forked child is signalled as soon as it exists


def _signal_self():
    if _signal_in_child:
        os.kill(os.getpid(), signal.SIGUSR1)


os.register_at_fork(after_in_child=_signal_self)


def test_a_signal_at_the_fork_does_not_run_the_parents_handler_in_the_child(tmp_path):
    ran_in = tmp_path / "handled"

    def handler(number, frame):
        with ran_in.open("a") as out:
            out.write(f"{os.getpid()}\n")

    previous = signal.signal(signal.SIGUSR1, handler)
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    _signal_in_child.append(True)
    try:
        pending = ahead.start(lambda message, reply: reply(message))
    finally:
        _signal_in_child.clear()
        signal.signal(signal.SIGUSR1, previous)
    pending.send("cells")
    pending.receive()  # the child ends by the signal's default action
    pending.close()
    assert not ran_in.exists(), "the parent's handler ran in the child"
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == mask


def test_no_child_is_forked_beside_another_thread():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert ahead.start(lambda message, reply: None) is None
    finally:
        stop.set()
        other.join()


def _thread_name():
    return threading.current_thread().name


@pytest.fixture
def db_workers(transactional_db, settings):
    """The dashboard's database workers alive, as a process has them after its first
    dashboard on PostgreSQL (jobs run outside a transaction)."""
    settings.DB_PARALLEL = 2
    names, _ = parallel.run([_thread_name] * 2)
    if connection.vendor == "sqlite":  # it runs the jobs in turn here: start the workers
        names = [parallel._executor().submit(_thread_name).result()]
    assert all(name.startswith(parallel.PREFIX) for name in names)
    yield
    parallel.shutdown()


def test_the_dashboards_idle_database_workers_are_stopped_for_a_child(db_workers):
    pending = ahead.start(lambda message, reply: reply(message))
    assert pending is not None, "the child was forked"
    assert threading.active_count() == 1
    pending.send("cells")
    assert pending.receive() == "cells"
    pending.close()
    names, _ = parallel.run([_thread_name] * 2)
    if connection.vendor == "postgresql":  # the next dashboard makes them again
        assert all(name.startswith(parallel.PREFIX) for name in names)


def test_no_child_is_forked_beside_database_workers_and_another_thread(db_workers):
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert ahead.start(lambda message, reply: None) is None
        assert any(parallel.is_worker(t) for t in threading.enumerate()), "nothing was stopped"
    finally:
        stop.set()
        other.join()


@pytest.fixture
def children(monkeypatch):
    """Every roster counts as large; the children started are recorded with their replies
    and how many atomic blocks were open when each was waited for."""
    started = []

    def start(fn, **kwargs):
        pending = real_start(fn, **kwargs)
        if pending is not None:
            receive, pending.replies, pending.depths = pending.receive, [], []

            def recording():
                pending.depths.append(len(connection.atomic_blocks))
                pending.replies.append(receive())
                return pending.replies[-1]

            pending.receive = recording
        started.append(pending)
        return pending

    real_start = ahead.start
    monkeypatch.setattr(ahead, "MIN_BYTES", 0)
    monkeypatch.setattr(ahead, "start", start)
    return started


def stored(codes):
    """The members of these households as stored, ciphertexts decrypted."""
    rows = []
    for m in Member.objects.filter(household__code__in=codes).order_by("household__code", "id"):
        rows.append(
            (
                m.household.code,
                m.household.head_id == m.id,
                m.name,
                m.id_number.reveal() if m.id_number else "",
                m.id_number_hash,
                m.birth_date,
                m.sex,
                m.phone.reveal() if m.phone else "",
                m.phone_hash,
                m.relation,
                m.name_pinyin,
                m.name_initials,
            )
        )
    return rows


def test_a_roster_computed_ahead_is_stored_as_one_computed_in_process(actor, village, tmp_path, children):  # noqa: F811
    people = two_households(ids(4, start=800))
    # A phone two members share: each ciphertext gets its own nonce.
    people[1]["members"][1] = ("王七", "女", "", "13912345678")
    path = tmp_path / "roster.xlsx"
    office_roster(path, village, people)
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert report.ok and report.written, report.messages()
    assert len(children) == 1
    hashes, sealed = children[0].replies
    assert len(hashes["id_hashes"]) == 4 and hashes["phone_hashes"], "the child computed the hashes"
    assert len(sealed["id_sealed"]) == 4 and sealed["names"], "and the ciphertexts and pinyin"
    ahead_rows = stored(["IMP-0001", "IMP-0002"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone FROM people_member WHERE household_id = %s",
            [Household.objects.get(code="IMP-0002").id],
        )
        sealed = [row[0] for row in cursor.fetchall()]
    assert len(set(sealed)) == 2
    assert {crypto.decrypt(s, context=b"phone") for s in sealed} == {"13912345678"}

    Household.objects.filter(code__in=["IMP-0001", "IMP-0002"]).delete()
    ahead.MIN_BYTES = 1 << 40
    again = import_run(actor=actor("office"), kind="households", path=path)
    assert len(children) == 1 and again.counts == report.counts
    assert stored(["IMP-0001", "IMP-0002"]) == ahead_rows


def test_the_child_is_waited_for_before_the_write_transaction_opens(actor, village, tmp_path, children):  # noqa: F811
    # SQLite takes its write lock at BEGIN: waiting inside the transaction would hold it.
    path = tmp_path / "roster.xlsx"
    office_roster(path, village, two_households(ids(4, start=840)))
    outside = len(connection.atomic_blocks)  # the test's own transaction
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert report.written and len(children) == 1
    assert len(children[0].replies) == 2 and all(children[0].replies)
    assert children[0].depths == [outside, outside]


def test_a_bad_row_gives_the_same_report_with_a_child_and_writes_nothing(actor, village, tmp_path, children):  # noqa: F811
    numbers = ids(300, start=2400)
    lines = ["户编号,姓名,身份证号,联系电话,村,组,与户主关系"]
    for k, number in enumerate(numbers):
        if k == 137:
            number = number[:-1] + ("X" if number[-1] != "X" else "0")
        lines.append(
            f"A{k:04d},居民{k},{number},1380000{k:04d},{village['village'].name},{village['group'].name},户主"
        )
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    before = counts()
    report = import_run(actor=actor("office"), kind="households", path=path)
    assert len(children) == 1 and children[0].replies == [], "the child was not waited for"
    ahead.MIN_BYTES = 1 << 40
    alone = import_run(actor=actor("office"), kind="households", path=path)
    assert report.messages() == alone.messages() and [e.row for e in report.errors] == [139]
    assert not report.written and counts() == before


def test_the_import_command_with_its_progress_bar_computes_ahead(village, tmp_path, children):  # noqa: F811
    path = tmp_path / "roster.xlsx"
    office_roster(path, village, two_households(ids(4, start=820)))
    call_command("import", "households", str(path))
    assert len(children) == 1 and children[0] is not None
    assert Household.objects.filter(code="IMP-0001").exists()
