"""Querysets compiled once and run many times with other values.

Building and compiling a queryset costs Django 0.5–2 ms of CPU (a scoped one, with its
subqueries, the most): more than running it. On the hot paths of the API (each request's
token, the checks of an offline upload) the SQL is compiled once per shape and run with
the request's values. It is the SQL text the ORM would send, so the answer is the same.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable

from django.db.models import QuerySet

_CACHE: OrderedDict = OrderedDict()
_SIZE = 2048
_LOCK = threading.Lock()
_UNCACHEABLE = object()


def _sentinels(values: tuple, salt: int) -> tuple:
    """Stand-ins of the same types as `values` that no caller sends."""
    out = []
    for i, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError("prepared queries take int and str values only")
        out.append(-(10**15) - 1000 * salt - i if isinstance(value, int) else f"mq-sentinel-{salt}-{i}")
    return tuple(out)


def _compile(build: Callable[..., QuerySet], values: tuple):
    """(queryset shape, SQL, params, slots): slots map a position in params to the index
    of the value that goes there. Uncacheable when the values do not land in params as
    they are (a converted value, a value folded into the SQL text)."""
    first_set, second_set = _sentinels(values, 1), _sentinels(values, 2)
    qs = build(*first_set)
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    other = build(*second_set)
    other_sql, other_params = other.query.get_compiler(using=other.db).as_sql()
    if sql != other_sql or len(params) != len(other_params):
        return _UNCACHEABLE
    slots = []
    for position, (a, b) in enumerate(zip(params, other_params, strict=True)):
        if a == b:
            continue
        if a not in first_set or b not in second_set or first_set.index(a) != second_set.index(b):
            return _UNCACHEABLE
        slots.append((position, first_set.index(a)))
    if len({index for _, index in slots}) != len(values):
        return _UNCACHEABLE
    return qs.model, qs.db, sql, tuple(params), tuple(slots)


def first(key, build: Callable[..., QuerySet], *values):
    """The first row of `build(*values)`, a queryset of model instances, compiled once per
    `key`. The key must name everything the queryset's shape depends on besides `values`
    (which are ints or strings). Rows come in the queryset's order (slice it to one row
    when several could match); select_related is not supported."""
    with _LOCK:
        entry = _CACHE.get(key)
        if entry is not None:
            _CACHE.move_to_end(key)
    if entry is None:
        entry = _compile(build, values)
        with _LOCK:
            _CACHE[key] = entry
            while len(_CACHE) > _SIZE:
                _CACHE.popitem(last=False)
    if entry is _UNCACHEABLE:
        return next(iter(build(*values)), None)
    model, db, sql, params, slots = entry
    params = list(params)
    for position, index in slots:
        params[position] = values[index]
    for row in model._default_manager.db_manager(db).raw(sql, params):
        return row
    return None
