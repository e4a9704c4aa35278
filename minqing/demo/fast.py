"""Insert many demo rows without building model instances: the demo's year of field work
is half a million rows, and Django's bulk_create spends most of its time per instance."""

from collections.abc import Iterable

from django.db import connection, models
from django.utils import timezone

CONVERTED = (models.JSONField, models.UUIDField, models.DecimalField, models.DateTimeField)


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
    converters = [
        (lambda value, field=field: field.get_db_prep_save(value, connection))
        if isinstance(field, CONVERTED)
        else None
        for field in fields
    ]
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
    count = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            cursor.executemany(
                sql,
                [
                    tuple(field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields)
                    for obj in chunk
                ],
            )
            count += len(chunk)
            if progress:
                progress(label, len(chunk))
    return count
