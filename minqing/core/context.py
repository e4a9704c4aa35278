"""Who is acting, from where, in which request: set by middleware (or a command) and
read by the audit trail, so services need not pass it around."""

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class ActContext:
    user: object = None
    ip: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    channel: str = "system"  # web, api, cli, system


_current: contextvars.ContextVar[ActContext | None] = contextvars.ContextVar("minqing_act", default=None)


def current() -> ActContext:
    ctx = _current.get()
    if ctx is None:
        ctx = ActContext()
        _current.set(ctx)
    return ctx


@contextmanager
def acting(**kwargs):
    token = _current.set(ActContext(**kwargs))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def set_user(user) -> None:
    current().user = user
