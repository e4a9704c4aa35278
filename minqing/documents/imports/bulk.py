"""Bulk inserts for the imports.

Ids are allocated before any row is written, so a member's household, a tag's member and
a household's head are known in one pass. On SQLite the rows of a statement travel as one
JSON array that SQLite unpacks itself (`json_each`): the statement runs inside SQLite with
Python's lock released, so it goes on a background thread while the importer checks and
prepares the next slice (encrypts, hashes, spells in pinyin). Row by row (`executemany`)
the thread would need Python's lock for every row and could not overlap: measured, it
then gains nothing, though SQLite alone binds rows a little faster that way.

Everything runs inside the importer's transaction, on its own connection (SQLite's are
serialized, `sqlite3.threadsafety` 3): the thread borrows the connection, and the importer
reads through it only after `wait()`. On PostgreSQL the rows are written in the calling
thread, many rows a statement."""

import json
import queue
import threading
import time

_STOP = object()


class BulkWriter:
    """`with BulkWriter(connection) as writer:` allocate ids, queue inserts; leaving the
    block waits until every row is written and raises the first error (as Django's)."""

    def __init__(self, connection):
        self.connection = connection
        self.sqlite = connection.vendor == "sqlite"
        self._error: BaseException | None = None
        self._thread = None
        self.busy_seconds = 0.0  # time the background writer spent in statements
        if self.sqlite:
            connection.ensure_connection()
            # Take the write lock now (already held with transaction_mode IMMEDIATE): the
            # ids allocated below stay free until the commit.
            with connection.cursor() as cursor:
                cursor.execute("UPDATE django_migrations SET id = id WHERE 0")
            # The driver's connection itself: `django.db.connection` is per thread.
            self._raw = connection.connection
            self._queue: queue.Queue = queue.Queue(maxsize=4)
            self._thread = threading.Thread(target=self._run, name="minqing-bulk-writer", daemon=True)
            self._thread.start()

    # Ids ---------------------------------------------------------------------------

    def allocate(self, model, count: int):
        """`count` new ids for `model`'s table, in order."""
        if count <= 0:
            return range(0)
        table = model._meta.db_table
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            if self.sqlite:
                # AUTOINCREMENT: past both the highest id ever handed out and the highest
                # present. The write lock is ours, so nobody takes these before the commit.
                cursor.execute(
                    "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                    f"coalesce((SELECT max({quote(model._meta.pk.column)}) FROM {quote(table)}), 0))",  # noqa: S608
                    [table],
                )
                first = cursor.fetchone()[0] + 1
                return range(first, first + count)
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]

    # Writing -------------------------------------------------------------------------

    def insert(self, model, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Queue rows whose values are already what the database stores (ciphertext, keyed
        hashes, JSON as text, dates as the backend adapts them), ids included."""
        if not rows:
            return
        quote = self.connection.ops.quote_name
        head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        if self.sqlite:
            picks = ", ".join(f"json_extract(value, '$[{k}]')" for k in range(len(columns)))
            self._put(head + f"SELECT {picks} FROM json_each(?)", (json.dumps(rows, ensure_ascii=False),))
            return
        row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), 2000):
                chunk = rows[start : start + 2000]
                cursor.execute(
                    head + "VALUES " + ", ".join([row_sql] * len(chunk)),
                    [value for row in chunk for value in row],
                )

    def update_many(self, sql: str, params: list[tuple]) -> None:
        """A plain statement for each parameter tuple (%s placeholders), after the inserts
        queued before it."""
        if not params:
            return
        if self.sqlite:
            self._put(sql.replace("%s", "?"), params, many=True)
            return
        with self.connection.cursor() as cursor:
            cursor.executemany(sql, params)

    def execute(self, sql: str, params: tuple | list) -> None:
        """One plain statement (%s placeholders), after everything queued before it."""
        if self.sqlite:
            self._put(sql.replace("%s", "?"), tuple(params))
            return
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)

    def _put(self, sql: str, params, many: bool = False) -> None:
        if self._error is not None:
            return  # the transaction is lost anyway; close() raises the error
        self._queue.put((sql, params, many))

    def wait(self) -> None:
        """Return when everything queued is written (the connection is the caller's again);
        raise the writer's error, if any."""
        if self._thread is not None:
            self._queue.join()
        if self._error is not None:
            with self.connection.wrap_database_errors:
                raise self._error

    def _run(self) -> None:
        raw = self._raw
        while True:
            job = self._queue.get()
            try:
                if job is _STOP:
                    return
                if self._error is not None:
                    continue
                sql, params, many = job
                began = time.perf_counter()
                try:
                    cursor = raw.cursor()
                    try:
                        if many:
                            cursor.executemany(sql, params)
                        else:
                            cursor.execute(sql, params)
                    finally:
                        cursor.close()
                except BaseException as exc:  # handed to the importer's thread by wait()/close()
                    self._error = exc
                self.busy_seconds += time.perf_counter() - began
            finally:
                self._queue.task_done()

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            with self.connection.wrap_database_errors:
                raise error

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
            return
        # The importer failed: let the thread finish its statement before the rollback.
        if self._thread is not None:
            self._error = self._error or exc
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None
