"""The project as a whole: migrations match the models, the console script and
`python -m minqing` work, secrets stay out of the repository."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def test_the_models_need_no_new_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_python_dash_m_minqing_is_manage_py():
    result = subprocess.run(
        [sys.executable, "-m", "minqing", "help", "demo"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0 and "--scale" in result.stdout


def test_generated_secrets_are_ignored_by_git():
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "/var/" in ignored
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=ROOT).stdout.split()
    assert not [path for path in tracked if path.startswith("var/") or "secret" in path.lower()]


def test_settings_read_minqing_variables(monkeypatch, tmp_path):
    script = (
        "from django.conf import settings; print(settings.PAGE_SIZE, settings.TIME_ZONE, settings.VAR_DIR)"
    )
    env = {
        "MINQING_PAGE_SIZE": "40",
        "MINQING_TIME_ZONE": "Asia/Urumqi",
        "MINQING_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "minqing.settings",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + script],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    ).stdout.split()
    assert out == ["40", "Asia/Urumqi", str(tmp_path)]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "personal_data_key").stat().st_mode & 0o777 == 0o600


def test_the_wsgi_application_loads_its_views_and_freezes_its_start_up_objects(tmp_path):
    """minqing.wsgi imports every view before the first request and moves what start-up made out
    of the garbage collector's reach (gc.freeze), so full collections walk only what requests make."""
    code = (
        "import gc, sys; import minqing.wsgi; "
        "print(gc.get_freeze_count(), 'minqing.figures.views' in sys.modules, callable(minqing.wsgi.application))"
    )
    env = {**os.environ, "MINQING_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    frozen, views, app = out.stdout.split()
    assert int(frozen) > 50_000 and views == "True" and app == "True"


def test_the_visit_tables_indexes_are_the_models_own_and_none_is_a_prefix_of_another(db):
    """Every index of the visit, attendance and demand tables is declared by the model (a table SQLite
    rebuilds keeps them), and no visit index is the leading part of another: each one is written
    on every upload."""
    from django.db import connection

    from minqing.fieldwork.models import AttendanceDay, Visit
    from minqing.tickets.models import Ticket

    for model in (Visit, AttendanceDay, Ticket):
        table = model._meta.db_table
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, table)
        indexes = {
            name: info["columns"]
            for name, info in found.items()
            if info["index"] and not info["unique"] and not info["primary_key"]
        }
        declared = {index.name for index in model._meta.indexes}
        # (PostgreSQL adds a pattern index beside a text column's own index or unique constraint.)
        by_field = [f.column for f in model._meta.local_fields if f.db_index or f.unique]
        for name, columns in indexes.items():
            assert name in declared or (len(columns) == 1 and columns[0] in by_field), (table, name, columns)
        assert declared <= set(indexes)
        if model is Visit:
            for name, columns in indexes.items():
                for other, longer in indexes.items():
                    assert other == name or longer[: len(columns)] != columns, (name, columns, other, longer)
