"""The garbage collector paused during bulk work, and left as it was found afterwards,
however many imports run at once."""

import gc
import threading

import pytest

from minqing.core import collector


@pytest.fixture(autouse=True)
def collector_restored():
    enabled = gc.isenabled()
    yield
    (gc.enable if enabled else gc.disable)()


def test_paused_turns_the_collector_off_and_on_again():
    gc.enable()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with collector.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_it_is_on_again_after_an_error():
    gc.enable()
    with pytest.raises(ValueError), collector.paused():
        raise ValueError
    assert gc.isenabled()


def test_overlapping_pauses_on_two_threads_end_with_the_last_one():
    gc.enable()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with collector.paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with collector.paused():
            second_in.set()
            first_out.wait(5)
            # The first pause ended while this one runs: still off.
            seen["during"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"during": False}
    assert gc.isenabled()
