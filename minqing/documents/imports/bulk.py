"""Bulk inserts for the imports, inside the import's transaction.

Ids are allocated before any row is written, so a member's household, a tag's member and
a household's head are known in one pass, and rows are inserted with their ids as values
already stored (ciphertext, keyed hashes, JSON as text, dates as the backend adapts them):
what bulk_create would write, without a model instance and per-field preparation per row,
which cost more than the insert.

Tried and left: writing on a background thread while the next rows are prepared (SQLite
unpacking a JSON array per statement, with Python's lock released). On this two-core
machine it gained under a tenth, and it kept the write lock or shared the connection
across threads for that."""

from django.db import connection


def _check() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("bulk inserts run inside the import's transaction")


def allocate_ids(model, count: int):
    """`count` new ids for `model`'s table, in order, free until the transaction ends."""
    _check()
    if count <= 0:
        return range(0)
    table = model._meta.db_table
    quote = connection.ops.quote_name
    pk = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Take the write lock first (already held with transaction_mode IMMEDIATE), so
            # nobody else numbers rows before the commit; then AUTOINCREMENT's rule: past
            # both the highest id ever handed out and the highest present.
            cursor.execute(f"UPDATE {quote(table)} SET {pk} = {pk} WHERE 0")  # noqa: S608 - our own names
            cursor.execute(
                "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                f"coalesce((SELECT max({pk}) FROM {quote(table)}), 0))",  # noqa: S608 - our own names
                [table],
            )
            first = cursor.fetchone()[0] + 1
            return range(first, first + count)
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert rows whose values are what the database stores."""
    _check()
    if not rows:
        return
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # One prepared statement for every row (a fifth cheaper than long VALUES lists).
            cursor.executemany(head + row_sql, rows)
            return
        for start in range(0, len(rows), 2000):
            chunk = rows[start : start + 2000]
            cursor.execute(
                head + ", ".join([row_sql] * len(chunk)), [value for row in chunk for value in row]
            )
