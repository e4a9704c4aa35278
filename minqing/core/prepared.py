"""Querysets (and inserts) compiled once and run many times with other values.

Building and compiling a queryset costs Django 0.5–2 ms of CPU (a scoped one, with its
subqueries, the most): more than running it. On the hot paths of the API (each request's
token, the checks of an offline upload, the upload's INSERT) the SQL is compiled once per
shape and run with the request's values. It is the SQL text the ORM would send, so the
answer is the same. On PostgreSQL the statement is also prepared, so that its plan is kept.
"""

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DatabaseError, connections, router, transaction
from django.db.models import QuerySet, signals

_CACHE: OrderedDict = OrderedDict()
_SIZE = 2048
_LOCK = threading.Lock()
_UNCACHEABLE = object()


def _sentinels(values: tuple, salt: int) -> tuple:
    """Stand-ins of the same types as `values` that no caller sends."""
    out = []
    for i, value in enumerate(values):
        if isinstance(value, uuid.UUID):
            out.append(uuid.UUID(int=(0x5E17 << 112) + 1000 * salt + i))
        elif isinstance(value, str):
            out.append(f"mq-sentinel-{salt}-{i}")
        elif isinstance(value, int) and not isinstance(value, bool):
            out.append(-(10**15) - 1000 * salt - i)
        else:
            raise TypeError("prepared queries take int, str and UUID values only")
    return tuple(out)


@dataclass(frozen=True)
class _Prepared:
    db: str
    sql: str
    params: tuple
    slots: tuple  # (position in params, index of the value)
    model: type
    init_list: tuple  # attribute names of the model's columns, in order
    fields: slice  # where they are in a row
    annotations: tuple  # (attribute name, position in a row)
    converters: tuple  # (position in a row, converters, expression)


def _compile(build: Callable[..., QuerySet], values: tuple):
    """The statement of `build(*values)` with its values' positions in params. Uncacheable
    when the values do not land in params as they are (a converted value, a value folded
    into the SQL text) or the queryset follows relations (select_related)."""
    first_set, second_set = _sentinels(values, 1), _sentinels(values, 2)
    qs = build(*first_set)
    compiler = qs.query.get_compiler(using=qs.db)
    other = build(*second_set)
    try:
        sql, params = compiler.as_sql()
        other_sql, other_params = other.query.get_compiler(using=other.db).as_sql()
    except (EmptyResultSet, FullResultSet):  # nothing to ask the database (qs.none())
        return _UNCACHEABLE
    if (
        sql != other_sql
        or len(params) != len(other_params)
        or not compiler.klass_info
        or compiler.klass_info.get("related_klass_infos")
    ):
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
    # What ModelIterable does with each row, worked out once.
    select_fields = compiler.klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
    return _Prepared(
        db=qs.db,
        sql=sql,
        params=tuple(params),
        slots=tuple(slots),
        model=compiler.klass_info["model"],
        init_list=tuple(f[0].target.attname for f in compiler.select[start:end]),
        fields=slice(start, end),
        annotations=tuple(compiler.annotation_col_map.items()),
        converters=tuple(
            (position, convs, expression) for position, (convs, expression) in converters.items()
        ),
    )


def server_cursor(connection):
    """On PostgreSQL a cursor with server-side binding: after a few runs on a connection
    (settings: prepare_threshold) the statement is prepared and its plan kept, which
    halves the database's CPU for these checks. Django's own cursors bind on the client
    (no prepared statements, no limit on the number of parameters) and stay as they are."""
    if (
        connection.vendor != "postgresql"
        or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None
    ):
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = ServerBindingCursor(connection.connection)
    # What connection.cursor() does with the cursor it makes: thread check, query logging.
    return connection._prepare_cursor(cursor)


# "cached plan must not change result type", "prepared statement ... does not exist"
_STALE_SQLSTATES = {"0A000", "26000"}


def stale_prepared(connection, error) -> bool:
    """Whether `error` says a prepared statement of this connection went stale; if so, the
    connection forgets its prepared statements (they are prepared again when run again)."""
    cause = getattr(error, "__cause__", None)
    if connection.vendor != "postgresql" or getattr(cause, "sqlstate", None) not in _STALE_SQLSTATES:
        return False
    raw = connection.connection
    manager = getattr(raw, "_prepared", None)  # psycopg's per-connection prepared statements
    if manager is not None:
        manager.clear()
    return True


def execute(connection, sql: str, params) -> tuple | None:
    """Run `sql` as a statement PostgreSQL may keep prepared (server_cursor); its first row."""
    try:
        with server_cursor(connection) as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    except DatabaseError as error:
        if not stale_prepared(connection, error):
            raise
        # The server no longer takes the kept statement (a migration changed a column it
        # reads, or a pooler gave another server connection): forget the connection's
        # prepared statements; run it afresh unless a transaction is open (which the
        # error has spoiled: it fails, the caller's request with it, and the next works).
        if connection.in_atomic_block:
            raise
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()


def first(key, build: Callable[..., QuerySet], *values):
    """The first row of `build(*values)`, a queryset of model instances, compiled once per
    `key`. The key must name everything the queryset's shape depends on besides `values`
    (ints, strings or UUIDs). A value the database gets converted (a UUID on SQLite) or a
    queryset that follows relations (select_related) is not cached: it is built each time.
    Rows come in the queryset's order: slice it to one row when several could match."""
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
    params = list(entry.params)
    for position, index in entry.slots:
        params[position] = values[index]
    connection = connections[entry.db]
    row = execute(connection, entry.sql, params)
    if row is None:
        return None
    row = list(row)
    for position, convs, expression in entry.converters:
        value = row[position]
        for converter in convs:
            value = converter(value, expression, connection)
        row[position] = value
    obj = entry.model.from_db(entry.db, entry.init_list, row[entry.fields])
    for name, position in entry.annotations:
        setattr(obj, name, row[position])
    return obj


_INSERTS: dict = {}


def _insert_statement(model, connection):
    """The INSERT of one `model` row as the ORM writes it (every local concrete field but the
    auto primary key, which RETURNING gives back) and its fields in order; uncacheable for
    a model whose save the ORM does differently (parents, no auto primary key, other
    fields given back, a field with a placeholder of its own)."""
    meta = model._meta
    fields = tuple(f for f in meta.local_concrete_fields if f is not meta.pk and not f.generated)
    if (
        meta.parents
        or meta.auto_field is None
        or meta.auto_field is not meta.pk
        or meta.db_returning_fields != [meta.pk]
        or meta.order_with_respect_to
        or not connection.features.can_return_columns_from_insert
        or any(hasattr(f, "get_placeholder") for f in fields)
    ):
        return _UNCACHEABLE
    quote = connection.ops.quote_name
    returning, returning_params = connection.ops.return_insert_columns([meta.pk])
    if returning_params:
        return _UNCACHEABLE
    sql = "INSERT INTO {} ({}) VALUES ({}) {}".format(
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        returning,
    )
    return sql, fields


def _unless_conflict(entry, model, connection, unless: str):
    """The compiled INSERT made to leave a row whose `unless` value exists as it is."""
    sql, fields = entry
    head, sep, returning = sql.rpartition(" RETURNING ")
    if not sep or not model._meta.get_field(unless).unique:
        return _UNCACHEABLE
    column = connection.ops.quote_name(model._meta.get_field(unless).column)
    return f"{head} ON CONFLICT ({column}) DO NOTHING RETURNING {returning}", fields


def insert(obj, unless: str | None = None) -> bool:
    """Save the new `obj` as `obj.save()` would (related objects checked, the pre_save and
    post_save signals, each field's pre_save and conversion, the primary key read back),
    with the INSERT compiled once per model and database: the ORM's compiling cost more than
    running the statement. A value that is an expression, an object with its primary key
    already set or a model the ORM saves otherwise (see _insert_statement) goes through
    `obj.save()`.

    With `unless`, the name of a unique field: when a row holds `obj`'s value of it already,
    nothing is written and False comes back (no post_save). The database settles it in the
    INSERT itself (ON CONFLICT DO NOTHING), so a retry is no refused statement: no error
    logged, no transaction spoiled."""
    model = type(obj)
    using = router.db_for_write(model, instance=obj)
    connection = connections[using]
    key = (using, model, unless)
    entry = _INSERTS.get(key)
    if entry is None:
        entry = _insert_statement(model, connection)
        if entry is not _UNCACHEABLE and unless is not None:
            entry = _unless_conflict(entry, model, connection, unless)
        _INSERTS[key] = entry
    if (
        entry is _UNCACHEABLE
        or obj.pk is not None
        or not obj._state.adding
        or any(hasattr(obj.__dict__.get(f.attname), "resolve_expression") for f in entry[1])
    ):
        if unless is not None:
            field = model._meta.get_field(unless)
            if (
                # every stored row, those a default manager leaves out too (withdrawn visits)
                model._base_manager.using(using)
                .filter(**{field.attname: getattr(obj, field.attname)})
                .exists()
            ):
                return False
        obj.save()
        return True
    sql, fields = entry
    obj._prepare_related_fields_for_save(operation_name="save")
    signals.pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with transaction.mark_for_rollback_on_error(using):
        row = execute(connection, sql, params)
    if row is None:  # `unless`: the row is there already
        return False
    setattr(obj, model._meta.pk.attname, row[0])
    obj._state.adding = False
    obj._state.db = using
    signals.post_save.send(
        sender=model, instance=obj, created=True, update_fields=None, raw=False, using=using
    )
    return True
