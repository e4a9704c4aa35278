"""Work computed ahead in a forked process, on the machine's other core, while this
process goes on checking the rows.

What a child computes is only ever a cache (a value's keyed hash, its ciphertext, a
name's pinyin): whatever it does not deliver, the importer computes itself, so a child
that cannot start, fails or is too slow changes the time an import takes, never its
result. The child touches no database connection (it inherits this process's, open or
not, and leaves them alone: it ends with `os._exit`, which runs no finalizer).

The child is forked before the file is read, while the heap is small, and is sent the
values to work on once they are cleaned: a child forked later would share the rows'
pages, and each page either process then touched (a reference count is a write) would
be copied; one that read the file itself would spend a second core's worth of reading.
Messages both ways are pickles with their length in front.

A process is forked only from a single-threaded one (a command, a sync gunicorn worker,
a prefork celery worker): another thread could hold a lock at the moment of the fork
that the child would then wait for forever. The one kind of other thread stopped first is
the dashboard's idle database workers (`core/parallel.py`), which a process keeps after
its first dashboard on PostgreSQL: they are stopped and their connections closed, and the
next dashboard makes them again. Threaded servers compute in-process."""

import logging
import os
import pickle
import select
import signal
import struct
import threading
import time

from minqing.core import parallel

# Smaller files (under ~5,000 rows) are imported in one process: starting a child costs
# more than it saves.
MIN_BYTES = 256 * 1024
# How long `receive()` waits at least; else as long again as the child has had its input
# (it does less than the parent did meanwhile, so a child still busy then is stuck or
# starved, and the parent computes in-process).
TIMEOUT = 10.0
_LENGTH = struct.Struct(">Q")

logger = logging.getLogger(__name__)


class Ahead:
    """A forked child: `send` it its input once, then `receive` what it replies, message by
    message (None once it failed, ended or is late)."""

    def __init__(self, pid: int, to_child: int, from_child: int, timeout: float):
        self.pid, self.to_child, self.from_child, self.timeout = pid, to_child, from_child, timeout
        self.sent = time.monotonic()
        self.done = False

    def send(self, value) -> None:
        """Write the child its input, with the same deadline as `receive`: a child stopped or
        stuck (not reading once the pipe is full) is given up, and the work done here."""
        if self.done:
            return
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self._write(_LENGTH.pack(len(data)) + data, self._deadline())
        except TimeoutError:
            self.give_up("did not take its input in time")
            return
        except OSError as exc:
            self.give_up(f"did not take its input ({exc})")
            return
        self.sent = time.monotonic()

    def _deadline(self) -> float:
        now = time.monotonic()
        return now + max(self.timeout, now - self.sent)

    def _write(self, data: bytes, deadline: float) -> None:
        poller = select.poll()
        poller.register(self.to_child, select.POLLOUT)
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.to_child, view) :]
            except BlockingIOError:
                if not poller.poll(max(0.0, deadline - time.monotonic()) * 1000):
                    raise TimeoutError from None

    def receive(self):
        if self.done:
            return None
        deadline = self._deadline()
        try:
            (length,) = _LENGTH.unpack(self._read(_LENGTH.size, deadline))
            # Our own child's output, read from a pipe only it could write to.
            return pickle.loads(self._read(length, deadline))  # noqa: S301
        except EOFError:
            self.give_up("ended without a reply (it failed, or had nothing more to send)")
        except TimeoutError:
            self.give_up("did not reply in time")
        except (OSError, pickle.UnpicklingError, ValueError) as exc:
            self.give_up(f"sent an unreadable reply ({exc!r})")
        return None

    def _read(self, size: int, deadline: float) -> bytes:
        poller = select.poll()
        poller.register(self.from_child, select.POLLIN)
        chunks, left = [], size
        while left:
            if not poller.poll(max(0.0, deadline - time.monotonic()) * 1000):
                raise TimeoutError
            chunk = os.read(self.from_child, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def give_up(self, why: str) -> None:
        """Stop the child and say why: the import goes on in-process, only slower."""
        logger.warning("Forked child %s %s; computing in-process.", self.pid, why)
        self.close()

    def close(self) -> None:
        """Stop the child if it still runs and reap it."""
        if self.done:
            return
        self.done = True
        os.close(self.to_child)
        os.close(self.from_child)
        try:
            finished, _status = os.waitpid(self.pid, os.WNOHANG)
            if not finished:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except (ChildProcessError, ProcessLookupError):
            pass  # already reaped (SIGCHLD ignored by the host process)


def start(fn, *, timeout: float = TIMEOUT) -> Ahead | None:
    """Fork a child that waits for its input and runs `fn(input, reply)`, where each
    `reply(value)` is one message back; None when this process cannot fork safely."""
    if not hasattr(os, "fork") or not _alone():
        return None
    down_read, down_write = os.pipe()
    up_read, up_write = os.pipe()
    # Signals wait until each process is ready for them: a handler run in the child before
    # its `try` would unwind it through the caller's code (the import, its transaction).
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for fd in (down_read, down_write, up_read, up_write):
            os.close(fd)
        return None
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        try:
            os.close(down_write)
            os.close(up_read)
            _child(fn, down_read, up_write, mask)
        finally:
            os._exit(1)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    os.close(down_read)
    os.close(up_write)
    os.set_blocking(down_write, False)
    return Ahead(pid, down_write, up_read, timeout)


def _alone() -> bool:
    """Whether this thread is the process's only one, once the dashboard's database workers
    (idle: `parallel.run` returns only when its jobs have ended) are stopped; any other
    thread alive, nothing is stopped."""
    if threading.active_count() == 1:
        return True
    current = threading.current_thread()
    if not all(thread is current or parallel.is_worker(thread) for thread in threading.enumerate()):
        return False
    parallel.shutdown()
    return threading.active_count() == 1


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _child(fn, inbox: int, outbox: int, mask) -> None:  # pragma: no cover - runs in the child
    code = 1
    try:
        # The host's handlers (a gunicorn worker's graceful stop) are not the child's.
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
            signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        # The collector would walk (and so copy) every page of the parent's heap.
        import gc

        gc.disable()
        with os.fdopen(inbox, "rb") as source:
            (length,) = _LENGTH.unpack(source.read(_LENGTH.size))
            message = pickle.loads(source.read(length))  # noqa: S301 - from our own parent

        def reply(value) -> None:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            _write(outbox, _LENGTH.pack(len(data)) + data)

        fn(message, reply)
        code = 0
    finally:
        os._exit(code)
