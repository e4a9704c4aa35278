"""Python's cyclic garbage collector paused during bulk work.

An import builds a few million objects (the sheet's cells, a row and a plan per line,
the rows to store) and frees nearly all of them by reference counting when it ends.
While they pile up, the collector runs full passes over every one of them again and
again, and finds nothing: measured, a third of a 100,000-row dry run. `paused()` turns
it off for the block and on again after, counted across threads, so that two imports
at once leave it as it was before the first."""

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused():
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
