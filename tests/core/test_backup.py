"""Backup and restore of a demo database made for these tests (in a subprocess, with its
own var/ and keys), on the engine this suite runs on: the restore drill finds every table
identical; a backup restores into an empty database and refuses a full one, and each is a
row of the audit trail; and neither the database file nor a dump holds an ID number or a
phone in plain text."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PLAIN_VALUES = """
import json
from minqing.people.models import Member
from minqing.org.models import Cadre
values = []
for m in Member.objects.all():
    values += [v.reveal() for v in (m.id_number, m.phone) if v]
values += [c.phone.reveal() for c in Cadre.objects.exclude(phone=None)]
print(json.dumps(values))
"""


def pg_url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def pg_admin(sql: str) -> None:
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(
        dbname="postgres",
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        autocommit=True,
    ) as conn:
        conn.execute(sql)


class Site:
    """One Minqing installation: a var/ folder and a database (SQLite file or PostgreSQL)."""

    def __init__(self, var: Path, database_url: str = ""):
        self.var = var
        self.database_url = database_url
        var.mkdir(parents=True, exist_ok=True)

    def env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MINQING_", "DATABASE_URL"))}
        env.update({"MINQING_VAR_DIR": str(self.var), "DJANGO_SETTINGS_MODULE": "minqing.settings", **extra})
        env.setdefault("MINQING_LANGUAGE", "en")  # the assertions read the commands' English
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def run(self, *args, check=True, **extra) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "minqing", *args],
            capture_output=True,
            text=True,
            env=self.env(**extra),
            cwd=ROOT,
        )
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result


@pytest.fixture(scope="module")
def engine():
    return connection.vendor


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory, engine, django_db_blocker):
    created = []

    def new_database() -> str:
        if engine != "postgresql":
            return ""
        name = f"minqing_bk_{secrets.token_hex(4)}"
        with django_db_blocker.unblock():
            pg_admin(f'CREATE DATABASE "{name}"')
        created.append(name)
        return pg_url(name)

    site = Site(tmp_path_factory.mktemp("demo-site"), new_database())
    site.run("setup", "--scale", "village")
    site.new_database = new_database
    yield site
    with django_db_blocker.unblock():
        for name in created:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}"')


def test_a_restore_drill_of_the_demo_finds_every_table_identical(demo_site):
    out = demo_site.run("backup", "drill").stdout
    lines = [line for line in out.splitlines() if " rows " in line]
    assert len(lines) >= 20 and all(line.endswith(" ok") for line in lines), out
    for table in ("people_member", "people_household", "core_auditevent", "org_account"):
        assert re.search(rf"^{table}\s+[1-9]\d* rows", out, re.M), table
    assert "restore drill passed" in out


def test_a_backup_restores_into_an_empty_database_and_verifies(demo_site, tmp_path):
    backup = tmp_path / "backup.file"
    demo_site.run("backup", "-o", str(backup))
    assert backup.stat().st_mode & 0o777 == 0o600
    empty = Site(tmp_path / "restored", demo_site.new_database())
    # The same keys as the source (they are backed up apart from the database).
    for key in ("secret_key", "personal_data_key"):
        (empty.var / key).write_text((demo_site.var / key).read_text())
    empty.run("restore", str(backup))
    assert "The audit trail is intact" in empty.run("audit", "verify").stdout
    count = "from minqing.people.models import Member; print(Member.objects.count(), Member.objects.exclude(id_number=None).first().id_number.reveal()[:6])"
    assert empty.run("shell", "-c", count).stdout == demo_site.run("shell", "-c", count).stdout
    refused = empty.run("restore", str(backup), check=False)
    assert refused.returncode != 0 and "not empty" in refused.stderr


def test_each_backup_written_is_one_row_of_the_audit_trail_naming_the_file(demo_site, tmp_path):
    """A backup copies every resident's data: the trail records which file, written by whom
    (the operator at the shell), never what it holds; the chain stays whole."""
    backup = tmp_path / "audited.file"
    demo_site.run("backup", "-o", str(backup))
    last = (
        "import json; from minqing.core.models import AuditEvent; "
        "e = AuditEvent.objects.filter(action='backup.create').latest('id'); "
        "print(json.dumps([e.channel, e.username, e.user_id, e.detail]))"
    )
    row = json.loads(demo_site.run("shell", "-c", last).stdout.strip().splitlines()[-1])
    assert row == ["cli", "", None, {"file": str(backup), "bytes": backup.stat().st_size, "drill": False}]
    assert "The audit trail is intact" in demo_site.run("audit", "verify").stdout


def test_no_dump_holds_an_id_number_or_phone_in_plain_text(demo_site, engine, tmp_path):
    values = json.loads(demo_site.run("shell", "-c", PLAIN_VALUES).stdout.strip().splitlines()[-1])
    assert len(values) > 100
    dumps = {}
    if engine == "sqlite":
        for path in demo_site.var.glob("minqing.sqlite3*"):
            dumps[path.name] = path.read_bytes()
        backup = tmp_path / "backup.sqlite3"
        demo_site.run("backup", "-o", str(backup))
        dumps["backup"] = backup.read_bytes()
    else:
        plain = subprocess.run(
            ["pg_dump", "--format=plain", "--no-owner", demo_site.database_url],
            capture_output=True,
            check=True,
        )
        dumps["pg_dump"] = plain.stdout
    assert plain_identifiers(b"'abc" + values[0].encode() + b"',", values) == [values[0]]  # the scan works
    for name, data in dumps.items():
        assert b"v1:" in data or name.endswith(("-wal", "-shm")), f"{name}: no ciphertext found: wrong file?"
        found = plain_identifiers(data, values)
        assert not found, f"{name} holds {len(found)} identifiers in plain text, e.g. {found[0][:4]}…"


def plain_identifiers(data: bytes, values: list[str]) -> list[str]:
    runs = set(re.findall(rb"\d{11,}X?", data))
    return [v for v in values if any(v.encode() in run for run in runs)]


@pytest.mark.django_db
def test_a_database_refusing_writes_gets_no_backup_it_could_not_record(tmp_path):
    """On a read-only standby the trail cannot take the backup's row: the command says so and
    writes no file (before, the file was written and the command then failed)."""
    from django.core.management import CommandError, call_command
    from django.utils import translation

    from minqing.core.models import AuditEvent

    before = AuditEvent.objects.count()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET transaction_read_only = on")
    try:
        with translation.override("en"), pytest.raises(CommandError, match="does not accept writes"):
            call_command("backup", "-o", str(tmp_path / "standby.file"))
    finally:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA query_only = OFF")
    assert not (tmp_path / "standby.file").exists()
    if connection.vendor == "sqlite":
        assert AuditEvent.objects.count() == before
