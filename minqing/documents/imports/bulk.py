"""Bulk inserts for the imports, inside the import's transaction.

Ids are allocated before any row is written, so a member's household, a tag's member and
a household's head are known in one pass, and rows are inserted with their ids as values
already stored (ciphertext, keyed hashes, JSON as text, dates as the backend adapts them):
what bulk_create would write, without a model instance and per-field preparation per row,
which cost more than the insert.

Tried and left: writing on a background thread while the file is still being checked
(SQLite unpacking a JSON array per statement, with Python's lock released). It kept the
write lock through the checks and shared the connection with their queries. The helper
thread of `Inserter` runs only during the write, and never beside another use of the
connection."""

import threading

from django.db import connection

STAGE_FROM = 1000  # rows: fewer go straight in


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
    with Inserter() as inserter:
        inserter.add(model, columns, rows)


class Inserter:
    """Inserts batches of rows (values as stored) in the order given, inside the import's
    transaction; used as a context manager, every batch is in when the block ends. On
    PostgreSQL each batch is sent by COPY, from the helper thread (below).

    On SQLite a batch of many rows goes into a temporary table without indexes first (the
    connection's own, outside the database file), then into its table in one statement:
    SQLite fills the table and its indexes in one loop of its own, with no Python call per
    row between, about a third cheaper than inserting row by row. That one statement runs
    on a helper thread, with Python's lock released, while the caller prepares the next
    batch (encryption, hashes, pinyin). The caller does not touch the connection meanwhile:
    `add` and leaving the block wait for the statement first, so the connection is only
    ever used by one thread at a time. Staged columns have no type: each value reaches its
    table as bound, as a direct insert would store it. The helper's statements go to the
    driver's connection itself: they are not in Django's query log or execute wrappers."""

    STAGE = "minqing_import_stage"

    def __init__(self):
        self._thread = None
        self._failed: BaseException | None = None

    def __enter__(self):
        _check()
        return self

    def __exit__(self, kind, error, trace):
        if kind is None:
            self.wait()
        else:
            # The caller's error goes on (and the transaction is rolled back): the statement
            # in flight is waited for, and what it raised is dropped.
            try:
                self.wait()
            except Exception:  # noqa: S110 - the caller's error is the one reported
                pass
        return False

    def add(self, model, columns: tuple[str, ...], rows: list[tuple]) -> None:
        self.wait()
        if not rows:
            return
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        names = ", ".join(quote(c) for c in columns)
        row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
        if connection.vendor == "postgresql":
            # COPY: about a third of the time of multi-row INSERTs with bound values
            # (measured 0.52 against 1.6 s for 20,000 members), most of it the server's
            # while this process waits, so it is sent from the helper thread too. A row
            # refused (a key taken meanwhile) fails the COPY, raised by wait().
            self._start(_copy, f"COPY {table} ({names}) FROM STDIN", rows)
            return
        with connection.cursor() as cursor:
            if connection.vendor != "sqlite":
                for start in range(0, len(rows), 2000):
                    chunk = rows[start : start + 2000]
                    cursor.execute(
                        f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 - our own names
                        + ", ".join([row_sql] * len(chunk)),
                        [value for row in chunk for value in row],
                    )
                return
            if len(rows) < STAGE_FROM:
                # One prepared statement for every row (a fifth cheaper than long VALUES lists).
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {row_sql}", rows)  # noqa: S608
                return
            stage = quote(self.STAGE)
            cursor.execute(f"DROP TABLE IF EXISTS temp.{stage}")
            cursor.execute(f"CREATE TEMP TABLE {stage} ({names})")
            cursor.executemany(f"INSERT INTO temp.{stage} VALUES {row_sql}", rows)  # noqa: S608
        self._start(
            _execute,
            f"INSERT INTO main.{table} ({names}) SELECT {names} FROM temp.{stage}",  # noqa: S608
            f"DROP TABLE temp.{stage}",
        )

    def _start(self, job, *args) -> None:
        """Run job(the driver's connection, *args) on the helper thread."""
        self._thread = threading.Thread(
            target=self._run, args=(job, connection.connection, args), name="minqing-import-insert"
        )
        self._thread.start()

    def _run(self, job, raw, args) -> None:
        try:
            job(raw, *args)
        except BaseException as exc:  # re-raised by wait(), in the caller's thread
            self._failed = exc

    def wait(self) -> None:
        """Wait for the statement in flight; raise what it raised (as Django's error)."""
        thread = self._thread
        if thread is not None:
            try:
                thread.join()
            finally:
                # Interrupted (Ctrl-C): still wait, so that the rollback that follows does
                # not use the connection beside the statement in flight.
                if thread.is_alive():
                    thread.join()
            self._thread = None
        failed, self._failed = self._failed, None
        if failed is not None:
            with connection.wrap_database_errors:
                raise failed


def _execute(raw, *statements) -> None:
    for sql in statements:
        raw.execute(sql)


def _copy(raw, sql: str, rows: list[tuple]) -> None:
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
