"""Backup, restore and the restore drill.

SQLite: the online backup API copies a consistent snapshot while the site runs.
PostgreSQL: `pg_dump -Fc` (custom format, compressed) and `pg_restore`.
The drill backs up, restores into a scratch database (a temporary SQLite file, or a
scratch PostgreSQL database created and dropped), and compares every table's row
count and checksum with the source as it was at the moment of the backup (the same
SQLite read transaction; the same exported PostgreSQL snapshot)."""

import hashlib
import os
import secrets
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    pass


def _db() -> dict:
    return settings.DATABASES["default"]


def vendor() -> str:
    return connection.vendor


# Checksums: the sum (mod 2^128) of each row's SHA-256, so row order does not matter and
# no table needs sorting; the count beside it.


def _row_digest(row) -> int:
    values = tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
    return int.from_bytes(hashlib.sha256(repr(values).encode()).digest()[:16], "big")


def _sum_rows(cursor, batch: int = 5000) -> tuple[int, str]:
    count, total = 0, 0
    while True:
        rows = cursor.fetchmany(batch)
        if not rows:
            break
        for row in rows:
            total = (total + _row_digest(row)) % (1 << 128)
            count += 1
    return count, f"{total:032x}"


def sqlite_checksums(conn: sqlite3.Connection) -> dict[str, tuple[int, str]]:
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    result = {}
    for table in tables:
        cursor = conn.execute(f'SELECT * FROM "{table}"')
        result[table] = _sum_rows(cursor)
    return result


def pg_checksums(conn) -> dict[str, tuple[int, str]]:
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    result = {}
    for table in tables:
        # A named (server-side) cursor streams the rows instead of loading the table.
        with conn.cursor(name=f"sum_{secrets.token_hex(4)}") as cursor:
            cursor.execute(f'SELECT * FROM "{table}"')
            result[table] = _sum_rows(cursor)
    return result


# SQLite


def _sqlite_path() -> Path:
    name = str(_db()["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError(_("An in-memory SQLite database cannot be backed up from another process."))
    return Path(name)


def _sqlite_source() -> sqlite3.Connection:
    """A plain connection (no type converters) in a read transaction: one snapshot."""
    conn = sqlite3.connect(str(_sqlite_path()), isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def sqlite_backup(dest: Path, source: sqlite3.Connection | None = None) -> None:
    own = source is None
    source = source or _sqlite_source()
    try:
        with closing(sqlite3.connect(str(dest))) as target:
            source.backup(target)
    finally:
        if own:
            source.close()


def sqlite_restore(path: Path) -> None:
    target = _sqlite_path()
    if target.exists() and _sqlite_has_tables(target):
        raise BackupError(
            _("%(database)s is not empty: restore only into an empty database.") % {"database": target}
        )
    connection.close()
    with closing(sqlite3.connect(str(path))) as source, closing(sqlite3.connect(str(target))) as dest:
        source.backup(dest)


def _sqlite_has_tables(path: Path) -> bool:
    with closing(sqlite3.connect(str(path))) as conn:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0] > 0


# PostgreSQL


def _pg_env(dbname: str | None = None) -> dict:
    db = _db()
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGDATABASE", dbname or db.get("NAME")),
    ):
        if value:
            env[key] = str(value)
    return env


def _pg_connect(dbname: str | None = None, autocommit: bool = False):
    import psycopg

    db = _db()
    return psycopg.connect(
        dbname=dbname or db["NAME"],
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        autocommit=autocommit,
    )


def _run(args: list[str], env: dict) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(output)s") % {"program": args[0], "output": result.stderr.strip()[:2000]}
        )


def pg_backup(dest: Path, snapshot: str | None = None) -> None:
    args = ["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(dest)]
    if snapshot:
        args.append(f"--snapshot={snapshot}")
    _run(args, _pg_env())


def _pg_has_tables(dbname: str | None = None) -> bool:
    with _pg_connect(dbname) as conn:
        return conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] > 0


def pg_restore(path: Path, dbname: str | None = None) -> None:
    if _pg_has_tables(dbname):
        raise BackupError(
            _("%(database)s is not empty: restore only into an empty database.")
            % {"database": dbname or _db()["NAME"]}
        )
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "-d",
            dbname or _db()["NAME"],
            str(path),
        ],
        _pg_env(dbname),
    )


# What the commands call.


def default_backup_path() -> Path:
    from django.utils import timezone

    settings.BACKUP_DIR.mkdir(parents=True, exist_ok=True)
    suffix = "sqlite3" if vendor() == "sqlite" else "pgdump"
    return settings.BACKUP_DIR / f"minqing-{timezone.localtime():%Y%m%d-%H%M%S}.{suffix}"


def backup(dest: Path | None = None) -> Path:
    dest = Path(dest) if dest else default_backup_path()
    dest.parent.mkdir(parents=True, exist_ok=True)
    if vendor() == "sqlite":
        sqlite_backup(dest)
    elif vendor() == "postgresql":
        pg_backup(dest)
    else:
        raise BackupError(_("There is no backup for %(vendor)s.") % {"vendor": vendor()})
    os.chmod(dest, 0o600)
    return dest


def restore(path: Path) -> None:
    head = Path(path).read_bytes()[:16]
    if vendor() == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(_("%(file)s is not a SQLite backup.") % {"file": path})
        sqlite_restore(Path(path))
    elif vendor() == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise BackupError(_("%(file)s is not a pg_dump custom-format backup.") % {"file": path})
        pg_restore(Path(path))
    else:
        raise BackupError(_("There is no restore for %(vendor)s.") % {"vendor": vendor()})


@dataclass
class DrillResult:
    source: dict[str, tuple[int, str]] = field(default_factory=dict)
    restored: dict[str, tuple[int, str]] = field(default_factory=dict)
    backup_bytes: int = 0

    @property
    def differences(self) -> list[str]:
        tables = sorted(set(self.source) | set(self.restored))
        return [t for t in tables if self.source.get(t) != self.restored.get(t)]

    @property
    def ok(self) -> bool:
        return bool(self.source) and not self.differences


def drill(keep: Path | None = None) -> DrillResult:
    """Back up, restore into a scratch database, compare every table."""
    result = DrillResult()
    with tempfile.TemporaryDirectory(prefix="minqing-drill-") as tmp:
        dump = Path(keep) if keep else Path(tmp) / "backup"
        if vendor() == "sqlite":
            source = _sqlite_source()
            try:
                result.source = sqlite_checksums(source)
                sqlite_backup(dump, source)
            finally:
                source.close()
            scratch = Path(tmp) / "scratch.sqlite3"
            with closing(sqlite3.connect(str(dump))) as src, closing(sqlite3.connect(str(scratch))) as dst:
                src.backup(dst)
            with closing(sqlite3.connect(str(scratch))) as conn:
                result.restored = sqlite_checksums(conn)
        elif vendor() == "postgresql":
            with _pg_connect() as conn:
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
                pg_backup(dump, snapshot=snapshot)
                result.source = pg_checksums(conn)
                conn.rollback()
            scratch = f"{_db()['NAME']}_drill_{secrets.token_hex(4)}"[:63]
            with _pg_connect(autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{scratch}"')
            try:
                pg_restore(dump, dbname=scratch)
                with _pg_connect(scratch) as conn:
                    result.restored = pg_checksums(conn)
            finally:
                with _pg_connect(autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        else:
            raise BackupError(_("There is no restore drill for %(vendor)s.") % {"vendor": vendor()})
        result.backup_bytes = dump.stat().st_size
    return result
