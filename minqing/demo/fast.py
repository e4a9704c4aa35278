"""Insert many demo rows without building model instances: the demo's year of field work
is half a million rows, and Django's bulk_create spends most of its time per instance."""

import datetime as dt
import operator
import os
from collections.abc import Iterable
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

from minqing.core import crypto
from minqing.core.personal import EncryptedField, LookupHashField

CONVERTED = (models.JSONField, models.UUIDField, models.DecimalField, models.DateTimeField)


def instance_maker(model):
    """`model(**values)` for the demo's hundreds of thousands of unsaved rows, without the
    per-field work of Model.__init__ (a third of building the county's people): the same
    attributes, defaults (callable ones called per instance) and fresh state. `values` are
    attribute names (`household_id`, not `household`). Where a pre_init or post_init receiver
    listens for the model, the model itself, so no receiver is skipped."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model
    fields = model._meta.concrete_fields
    fixed = {f.attname: f.get_default() for f in fields if not callable(f.default)}
    called = [f for f in fields if callable(f.default)]
    new = object.__new__

    def make(**values):
        obj = new(model)
        attrs = obj.__dict__
        attrs["_state"] = ModelState()
        attrs.update(fixed)
        for f in called:
            if f.attname not in values:
                attrs[f.attname] = f.get_default()
        attrs.update(values)
        return obj

    return make


def _database():
    """The connection itself: `django.db.connection` is a proxy that looks the connection up
    again on every attribute, which the field conversions do several times a value."""
    return connections[DEFAULT_DB_ALIAS]


def _converter(field, database):
    """The field's own conversion of a value for the database, remembering the last value:
    a demo row's time stamps and empty JSON values are one object for a whole table."""
    last = [object(), None]
    prepare = field.get_db_prep_save
    if isinstance(field, models.DateTimeField) and database.vendor == "sqlite" and settings.USE_TZ:
        prepare = _sqlite_datetime(prepare, database.timezone)

    def convert(value):
        if value is not last[0]:
            last[0], last[1] = value, prepare(value, database)
        return last[1]

    return convert


def _sqlite_datetime(prepare, tz):
    """An aware datetime as SQLite's adapt_datetimefield_value writes it (in the connection's
    time zone, naive, as text) without looking up the settings and the time zone again for
    each of a million values; anything else the field's own way."""
    plain = dt.datetime

    def convert(value, database):
        if type(value) is plain and value.utcoffset() is not None:
            return str(value.astimezone(tz).replace(tzinfo=None))
        return prepare(value, database)

    return convert


def fast_insert(
    model, columns: list[str], rows: Iterable[tuple], *, batch: int = 10000, progress=None, label: str = ""
) -> int:
    """Insert `rows` (tuples in the order of `columns`, field names) and return how many.
    Values of JSON, UUID, decimal and datetime fields go through the field's own conversion."""
    fields = [model._meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    database = _database()
    converters = [_converter(field, database) if isinstance(field, CONVERTED) else None for field in fields]
    count, pending = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            pending.append(
                tuple(
                    value if convert is None else convert(value)
                    for value, convert in zip(row, converters, strict=True)
                )
            )
            if len(pending) >= batch:
                cursor.executemany(sql, pending)
                count += len(pending)
                if progress:
                    progress(label, len(pending))
                pending = []
        if pending:
            cursor.executemany(sql, pending)
            count += len(pending)
            if progress:
                progress(label, len(pending))
    return count


# Fields whose value goes to the database as it is held (an int, a str, a bool, a foreign
# key's id): no pre_save, no conversion. Exact types only: a subclass (the encrypted and
# keyed-hash fields of core.personal) may convert.
AS_HELD = {
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
    models.CharField,
    models.TextField,
    models.BooleanField,
}


def _as_held(field) -> bool:
    if type(field) in (models.ForeignKey, models.OneToOneField):
        return type(field.target_field) in AS_HELD
    return type(field) in AS_HELD


def _reader(field, database):
    """obj → the value of one column, as bulk_create would write it."""
    attname = field.attname
    if _as_held(field):
        return operator.attrgetter(attname)
    if isinstance(field, LookupHashField):
        # The keyed hash of the source field, with the HMAC state built once for the table.
        source = field.model._meta.get_field(field.source)
        digest = crypto.lookup_hasher(context=source.value_class.kind.encode())

        def read_hash(obj):
            value = source.to_python(getattr(obj, source.attname))
            hashed = digest(value.reveal()) if value else None
            setattr(obj, attname, hashed)
            return hashed

        return read_hash
    if isinstance(field, EncryptedField):
        seal = crypto.encrypter(context=field.context)

        def read_sealed(obj):
            value = field.to_python(getattr(obj, attname))
            return None if value is None else seal(value.reveal())

        return read_sealed
    convert = _converter(field, database)
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        # One time stamp for the whole table, as a fast_insert of tuples has.
        stamp = []

        def read_stamp(obj):
            if not stamp:
                stamp.append(field.pre_save(obj, True))
            setattr(obj, attname, stamp[0])
            return convert(stamp[0])

        return read_stamp
    if type(field).pre_save is models.Field.pre_save:
        get = operator.attrgetter(attname)
        return lambda obj: convert(get(obj))
    return lambda obj: convert(field.pre_save(obj, True))


def _row_reader(fields):
    """obj → the tuple of its column values: plain attribute reads where the value goes as
    held, each field's pre_save and conversion for the rest."""
    if len(fields) > 1 and all(_as_held(field) for field in fields):
        return operator.attrgetter(*(field.attname for field in fields))
    database = _database()
    readers = [_reader(field, database) for field in fields]
    return lambda obj: tuple([read(obj) for read in readers])


def now():
    return timezone.now()


def fast_insert_objects(model, objs: list, *, progress=None, label: str = "", batch: int = 10000) -> int:
    """Insert unsaved model instances (with their ids set) the way bulk_create would, each
    field's pre_save and conversion included (so keyed hashes and encryption happen), but
    without the per-instance work of Django's insert compiler."""
    # Rows without ids leave the id to the database (its sequence or rowid).
    pk = model._meta.pk
    with_ids = any(getattr(obj, pk.attname) is not None for obj in objs)
    fields = [f for f in model._meta.concrete_fields if with_ids or f is not pk]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    values = _row_reader(fields)
    count = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            cursor.executemany(sql, [values(obj) for obj in chunk])
            count += len(chunk)
            if progress:
                progress(label, len(chunk))
    return count


@contextmanager
def bulk_load():
    """SQLite settings for writing a whole demo into an empty database, on this connection only.

    A big page cache keeps the indexes being filled in memory (SQLite's default of 2 MB
    spills and re-reads them for every few thousand rows); the rollback journal in memory
    instead of the WAL writes each page once, to the database file, instead of to the WAL
    and again at the checkpoint (pages past the empty database's end need no journal, and a
    failed load still rolls back). No fsync until the end. The connection's own settings
    come back afterwards, the WAL included. Elsewhere (PostgreSQL, an in-memory database,
    inside a transaction) this changes nothing."""
    if connection.vendor != "sqlite" or connection.in_atomic_block or connection.is_in_memory_db():
        yield
        return
    with connection.cursor() as cursor:
        saved = {}
        for pragma in ("cache_size", "temp_store", "synchronous", "journal_mode"):
            cursor.execute(f"PRAGMA {pragma}")
            saved[pragma] = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MB: the indexes being filled stay in memory
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.execute("PRAGMA synchronous = OFF")
        try:
            cursor.execute("PRAGMA journal_mode = MEMORY")
        except OperationalError:
            pass  # another connection holds the database: keep its WAL
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous = {saved['synchronous']}")
            cursor.execute(f"PRAGMA journal_mode = {saved['journal_mode']}")
            if saved["journal_mode"].lower() == "wal":
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute(f"PRAGMA temp_store = {saved['temp_store']}")
            cursor.execute(f"PRAGMA cache_size = {saved['cache_size']}")
        # What synchronous=OFF left to the operating system reaches the disk now.
        with open(connection.settings_dict["NAME"], "rb+") as database:
            os.fsync(database.fileno())


@contextmanager
def indexes_later(*models_):
    """Fill the tables of `models_` first and build their secondary indexes afterwards, on
    SQLite: one sort per index is much cheaper than keeping a dozen indexes in step row by
    row. Each index is dropped and made again from its own statement in sqlite_master, so
    the schema ends as the migrations made it; inside the load's transaction, a failure
    rolls the drop back too. The indexes that carry a UNIQUE or primary key stay.

    Not for a table whose rows other rows are still waiting for (a deferred foreign key not
    yet satisfied): SQLite then looks up the waiting rows for every row inserted elsewhere,
    and without its index each look-up reads the whole table."""
    if connection.vendor != "sqlite":
        yield
        return
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join(['%s'] * len(tables))}) ORDER BY rowid",
            tables,
        )
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)
