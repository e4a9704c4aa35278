"""A connection kept between requests that the database server dropped (a restart, a
failover, an idle timeout on the way) is reopened before the next request uses it, instead
of failing that request. Run in a process of its own against the test database, as an app
server would: two requests, the server ending the connection in between."""

import os
import subprocess
import sys

import pytest
from django.db import connection

SCRIPT = r"""
import django, psycopg
django.setup()
from django.core.signals import request_finished, request_started
from django.db import connection

def request():
    request_started.send(sender=None)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]
    finally:
        request_finished.send(sender=None)

first = request()
with psycopg.connect(DSN, autocommit=True) as other:
    other.execute("SELECT pg_terminate_backend(%s)", [first])
second = request()
print("reopened" if second != first else "same")
"""


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="connections kept between requests are PostgreSQL's"
)
@pytest.mark.parametrize("checks", ["1", "0"])
def test_a_connection_the_server_dropped_is_reopened_before_a_request_uses_it(db, checks):
    params = connection.settings_dict
    url = (
        f"postgres://{params['USER']}:{params.get('PASSWORD') or ''}@{params['HOST'] or '127.0.0.1'}:"
        f"{params['PORT'] or 5432}/{params['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MINQING_DB_CONN_MAX_AGE": "60",
        "MINQING_DB_HEALTH_CHECKS": checks,
        "DJANGO_SETTINGS_MODULE": "minqing.settings",
    }
    env.pop("MINQING_DATABASE_URL", None)
    dsn = f"host={params['HOST'] or '127.0.0.1'} port={params['PORT'] or 5432} user={params['USER']} dbname=postgres"
    result = subprocess.run(
        [sys.executable, "-c", f"DSN = {dsn!r}\n" + SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if checks == "1":
        assert result.returncode == 0 and result.stdout.strip() == "reopened", result.stderr[-2000:]
    else:
        # Without the check the request meets the dead connection: what the setting prevents.
        assert result.returncode != 0 and "terminat" in result.stderr, result.stdout + result.stderr[-2000:]
