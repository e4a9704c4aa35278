"""A 100,000-row ledger exported as Excel, streamed: time and peak memory.

    .venv/bin/python bench/bench_ledger.py [--rows 100000] [--var DIR] [--pg-url URL]

Loads the village demo into a fresh temporary MINQING_VAR_DIR (SQLite; or the PostgreSQL
database of --pg-url), adds ROWS demands to the 热点难点问题台账 of the 下基层 campaign (each with
a phone, a long description and the ledger's extra field), then, each in its own child
process, exports that ledger as the demo office (county-wide scope):

1. through the service (`ledger_export` → a file), and
2. through the page (`GET /campaigns/ID/ledgers/hot_hard.xlsx` with Django's test client,
   the streamed response read block by block and thrown away),

and reports wall time, rows, file size and the child's peak resident memory
(`resource.getrusage(RUSAGE_SELF).ru_maxrss`) next to its resident memory just before the
export. Appends a section to bench/RESULTS.md. Target: peak memory < 200 MB.
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
MINQING = str(ROOT / ".venv" / "bin" / "minqing")

FILL = r"""
import sys, datetime as dt, django
django.setup()
from django.utils import timezone
from minqing.core.personal import Phone
from minqing.org.models import Account
from minqing.programs.models import Campaign
from minqing.tickets.models import Ticket
from minqing.geo.models import Region

rows = int(sys.argv[1])
campaign = Campaign.objects.get(program_key="xiajiceng")
villages = list(Region.objects.filter(code__startswith=campaign.region.prefix, level=5).order_by("code"))
office = Account.objects.get(username="office")
now = timezone.now()
start = Ticket.objects.count()
batch = []
for i in range(rows):
    phone = f"139{i:08d}"
    at = now - dt.timedelta(minutes=i)
    batch.append(Ticket(
        code=f"MQ-B-{start + i:07d}", campaign=campaign, ledger="hot_hard", category="livelihood",
        title=f"道路硬化和饮水问题第{i}号", description="村民反映通组道路雨天泥泞，饮水管道老化，希望尽快解决。" * 3,
        contact_name="张三", contact_phone=Phone(phone), phone_last4=phone[-4:],
        region=villages[i % len(villages)], registered_at=at, deadline=at + dt.timedelta(days=7),
        extra={"measure": "协调交通局列入计划"}, created_by=office,
    ))
    if len(batch) == 5000:
        Ticket.objects.bulk_create(batch)
        batch = []
if batch:
    Ticket.objects.bulk_create(batch)
print(Ticket.objects.filter(campaign=campaign, ledger="hot_hard").count())
"""

MEASURE = r"""
import json, os, resource, sys, tempfile, time, django
django.setup()
from django.test import Client
from minqing.core.scope import forget_scope
from minqing.org.models import Account
from minqing.programs.models import Campaign
from minqing.ledgers.services import ledger_export

how = sys.argv[1]
office = Account.objects.get(username="office")
campaign = Campaign.objects.get(program_key="xiajiceng")
path = tempfile.mktemp(suffix=".xlsx")

def rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

if how == "page":
    client = Client()
    client.force_login(office)
    client.get(f"/campaigns/{campaign.pk}/ledgers/")  # the first request loads templates and URL patterns
before = rss_mb()
start = time.perf_counter()
if how == "service":
    export = ledger_export(actor=office, campaign=campaign, key="hot_hard", path=path)
    rows, size = export.rows, os.path.getsize(path)
else:
    response = client.get(f"/campaigns/{campaign.pk}/ledgers/hot_hard.xlsx")
    assert response.status_code == 200 and response.streaming
    size = 0
    for block in response.streaming_content:
        size += len(block)
    response.close()
    rows = None
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if os.path.exists(path):
    os.unlink(path)
print(json.dumps({"how": how, "rows": rows, "bytes": size, "seconds": round(elapsed, 1),
                  "rss_before_mb": round(before, 1), "peak_rss_mb": round(peak, 1)}))
"""


def run(code_or_cmd, env, *args, python=True):
    cmd = [PYTHON, "-c", code_or_cmd, *args] if python else [*code_or_cmd, *args]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(done.stdout + done.stderr)
    return done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--var", help="a MINQING_VAR_DIR to use (default: a fresh temporary one)")
    parser.add_argument("--pg-url", default="")
    parser.add_argument("--results", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    temp = None if args.var else tempfile.TemporaryDirectory(prefix="mq-bench-ledger-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "minqing.settings",
        "MINQING_VAR_DIR": args.var or temp.name,
    }
    env.pop("DATABASE_URL", None)
    if args.pg_url:
        env["DATABASE_URL"] = args.pg_url
    run([MINQING, "migrate", "--verbosity", "0"], env, python=False)
    run([MINQING, "demo", "--scale", "village", "--quiet"], env, python=False)
    in_ledger = int(run(FILL, env, str(args.rows)).splitlines()[-1])
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results = [json.loads(run(MEASURE, env, how).splitlines()[-1]) for how in ("service", "page")]
    database = "postgresql" if args.pg_url else "sqlite"
    met = all(r["peak_rss_mb"] < 200 for r in results)
    lines = [
        "",
        f"## Ledger export: {in_ledger:,} rows streamed ({database})",
        "",
        f"`bench/bench_ledger.py --rows {args.rows}`: the village demo plus {args.rows:,} generated demands in the "
        "热点难点问题台账 (each with a phone, a 100-character description and the ledger's extra field), exported "
        "as the demo office (county-wide) in a child process each; peak memory is the child's "
        "`ru_maxrss`, whole process (Python, Django, the database driver) included. "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs. Target: peak memory < 200 MB: "
        f"**{'met' if met else 'NOT met'}**.",
        "",
        f"Load average (1, 5, 15 min) before / after the exports: {load_before} / "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
        + " (time is sensitive to other jobs on the machine; memory is not).",
        "",
        "| how | rows | file MB | seconds | RSS before MB | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        label = {"service": "service → file", "page": "page, streamed response read to the end"}[r["how"]]
        rows = f"{r['rows']:,}" if r["rows"] is not None else f"{in_ledger:,}"
        lines.append(
            f"| {label} | {rows} | {r['bytes'] / 1e6:.1f} | {r['seconds']} | {r['rss_before_mb']} | {r['peak_rss_mb']} |"
        )
    with open(args.results, "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    if temp is not None:
        temp.cleanup()
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
