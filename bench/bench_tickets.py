"""The dispatch board with filters and the four rates by unit, at county scale.

    .venv/bin/python bench/bench_tickets.py [--var DIR] [--repeat 30] [--pg-url URL]

Without --var, loads a fresh county demo (about 60,000 demands) into a temporary
MINQING_VAR_DIR on SQLite; with --var, measures the demo already in that directory (loading
one first when it holds no database yet, and keeping it).
With --pg-url, measures a PostgreSQL database holding a county demo instead (it is
loaded first when empty). Signs in as the demo office (county-wide scope) and times, after
3 warm-ups, N requests of each board filter and of the rates by unit; appends a section
to bench/RESULTS.md. Targets: board p50 < 150 ms; rates by unit < 500 ms.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")

MEASURE = r"""
import json, statistics, sys, time, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from minqing.org.models import Account, Cadre, Unit
from minqing.geo.models import Region
from minqing.programs.models import Campaign
from minqing.tickets import selectors
from minqing.tickets.models import Ticket

repeat = int(sys.argv[1])
office = Account.objects.get(username="office")
client = Client()
client.force_login(office)
township = Region.objects.filter(code__startswith="431123", level=3 + 1).order_by("code").first()
unit = Unit.objects.filter(kind="township", region__code__startswith="431123").order_by("id").first()
shugen = Campaign.objects.get(program_key="shugen")
cases = {
    "board, no filter": "/tickets/",
    "board, status = in progress": "/tickets/?status=in_progress",
    "board, overdue": "/tickets/?overdue=on",
    "board, township": f"/tickets/?region={township.prefix}",
    "board, handling unit": f"/tickets/?unit={unit.pk}",
    "board, campaign + ledger + category": f"/tickets/?campaign={shugen.pk}&ledger=petition&category=public_order",
    "board, tier + status + township + overdue": f"/tickets/?tier=township&status=in_progress&region={township.prefix}&overdue=on",
    "board, page 40": "/tickets/?page=40",
    "figures page by unit": "/tickets/figures/?by=unit",
}

def timed(fn):
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1)}

out = {"tickets": Ticket.objects.count(), "database": connection.vendor, "results": []}
for label, url in cases.items():
    def get(url=url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as q:
        get()
    out["results"].append({"case": label, "url": url, "queries": len(q), **timed(get)})
for by in ("unit", "township", "ledger", "month"):
    def rates(by=by):
        return selectors.rates(user=office, by=by)
    with CaptureQueriesContext(connection) as q:
        groups = len(rates())
    out["results"].append({"case": f"rates by {by} (selector)", "groups": groups, "queries": len(q), **timed(rates)})
print(json.dumps(out))
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", help="a MINQING_VAR_DIR that already holds a county demo (SQLite)")
    parser.add_argument(
        "--pg-url", help="measure this PostgreSQL database instead (a county demo is loaded if empty)"
    )
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--results", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MINQING_DATABASE_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "minqing.settings"
    temp = None
    if args.pg_url:
        env["DATABASE_URL"] = args.pg_url
        env["MINQING_VAR_DIR"] = args.var or tempfile.mkdtemp(prefix="mq-bench-")
    elif args.var:
        Path(args.var).mkdir(parents=True, exist_ok=True)
        env["MINQING_VAR_DIR"] = args.var
    else:
        temp = tempfile.TemporaryDirectory(prefix="mq-bench-")
        env["MINQING_VAR_DIR"] = temp.name
    fresh = not args.var or not any(Path(args.var).glob("*.sqlite3"))
    if args.pg_url or fresh:
        subprocess.run([PYTHON, "-m", "minqing", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([PYTHON, "-m", "minqing", "demo", "--scale", "county", "--quiet"], env=env, cwd=ROOT)
    result = subprocess.run(
        [PYTHON, "-c", MEASURE, str(args.repeat)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    lines = [
        "",
        f"## Demands: dispatch board and rates ({data['database']}, county scale, {data['tickets']:,} demands)",
        "",
        f"`bench/bench_tickets.py`, {args.repeat} timed runs after 3 warm-ups, signed in as `office` (county-wide); "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs. Targets: board p50 < 150 ms; rates by unit < 500 ms.",
        "",
        "| case | p50 ms | p95 ms | queries |",
        "|---|---:|---:|---:|",
    ]
    for row in data["results"]:
        lines.append(f"| {row['case']} | {row['p50_ms']} | {row['p95_ms']} | {row['queries']} |")
    with open(args.results, "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    if temp is not None:
        temp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
