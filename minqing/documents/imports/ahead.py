"""Work computed ahead in a forked process, on the machine's other core, while this
process goes on checking the rows.

What a child computes is only ever a cache (a value's keyed hash, its ciphertext, a
name's pinyin): whatever it does not deliver, the importer computes itself, so a child
that cannot start, fails or is too slow changes the time an import takes, never its
result. The child touches no database connection (it inherits this process's, open or
not, and leaves them alone: it ends with `os._exit`, which runs no finalizer), reads the
file itself (forked before this process reads it: a child sharing the parent's rows would
make every page they sit on be copied, as both processes touch their reference counts)
and sends back one pickle.

A process is forked only from a single-threaded one (a command, a sync gunicorn worker,
a prefork celery worker): another thread could hold a lock at the moment of the fork
that the child would then wait for forever. Threaded servers compute in-process."""

import os
import pickle
import select
import signal
import threading
import time

# Smaller files (under ~5,000 rows) are imported in one process: starting a child costs
# more than it saves.
MIN_BYTES = 256 * 1024
# How long `result()` waits at least; else as long again as the child has run so far (it
# does less than the parent did meanwhile, so a child still busy then is stuck or starved).
TIMEOUT = 10.0


class Ahead:
    """A child computing `fn()`; `result()` waits for its value (None when it failed)."""

    def __init__(self, pid: int, fd: int, timeout: float):
        self.pid, self.fd, self.timeout = pid, fd, timeout
        self.started = time.monotonic()
        self.done = False
        self.value = None

    def result(self):
        if self.done:
            return self.value
        chunks = []
        now = time.monotonic()
        deadline = now + max(self.timeout, now - self.started)
        poller = select.poll()
        poller.register(self.fd, select.POLLIN)
        try:
            while True:
                if not poller.poll(max(0.0, deadline - time.monotonic()) * 1000):
                    chunks = []
                    break
                chunk = os.read(self.fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
            # Our own child's output, read from a pipe only it could write to.
            self.value = pickle.loads(b"".join(chunks)) if chunks else None  # noqa: S301
        except (OSError, pickle.UnpicklingError, EOFError, ValueError):
            self.value = None
        self.close()
        return self.value

    def close(self) -> None:
        """Stop the child if it still runs and reap it."""
        if self.done:
            return
        self.done = True
        os.close(self.fd)
        try:
            finished, _status = os.waitpid(self.pid, os.WNOHANG)
            if not finished:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except (ChildProcessError, ProcessLookupError):
            pass  # already reaped (SIGCHLD ignored by the host process)


def start(fn, *, timeout: float = TIMEOUT) -> Ahead | None:
    """Run `fn()` in a forked child; None when this process cannot fork safely."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        _child(fn, read_fd, write_fd)
    os.close(write_fd)
    return Ahead(pid, read_fd, timeout)


def _child(fn, read_fd: int, write_fd: int) -> None:  # pragma: no cover - runs in the child
    code = 1
    try:
        # The host's handlers (a gunicorn worker's graceful stop) are not the child's.
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
            signal.signal(number, signal.SIG_DFL)
        os.close(read_fd)
        # The collector would walk (and so copy) every page of the parent's heap.
        import gc

        gc.disable()
        data = pickle.dumps(fn(), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view) :]
        code = 0
    finally:
        os._exit(code)
