"""The county dashboard and the periodic documents, at county scale.

    .venv/bin/python bench/bench_dashboard.py [--var DIR] [--pg-url URL] [--repeat 20]

Without --var, loads a fresh county demo (about 3,000 cadres, 500,000 visits, 60,000 demands) into
a temporary MINQING_VAR_DIR on SQLite; with --var, measures the demo already there (loading one
when it holds no database yet, and keeping it). With --pg-url, measures that PostgreSQL database
(a county demo is loaded first when it is empty). Migrates first (a demo made by an older version
gets the new tables). The measuring process loads the application as the app servers do
(minqing.wsgi: URLs loaded, start-up objects frozen out of the garbage collector's reach). Signs in as the demo office (county-wide scope) and times, after 3 warm-ups,
N requests of the dashboard at several selections, the list behind a number, and the monthly
roll-up (.docx) and quarterly bulletin (PDF) of the county. Writes its own subsection (one per
database) of the section "Dashboard and documents" in bench/RESULTS.md, keeping the others.

Targets: county dashboard p50 < 300 ms on SQLite, < 200 ms on PostgreSQL; a monthly roll-up .docx
for the county < 3 s.
"""

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SECTION = "## Dashboard and documents (bench/bench_dashboard.py)"

MEASURE = r"""
import json, statistics, sys, time
import minqing.wsgi  # Django set up as the app servers load it (minqing/wsgi.py)
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from minqing.org.models import Account, Cadre
from minqing.geo.models import Region
from minqing.programs.models import Campaign
from minqing.fieldwork.models import Visit
from minqing.tickets.models import Ticket
from minqing.figures import documents, selectors
from minqing.figures.periods import parse_period

repeat = int(sys.argv[1])
office = Account.objects.get(username="office")
client = Client()
client.force_login(office)
campaign = Campaign.objects.get(program_key="xiajiceng")
month = timezone.localdate().strftime("%Y-%m")
year = str(timezone.localdate().year)
township = Region.objects.filter(code__startswith=campaign.region.prefix, level=4).order_by("code").first()
busiest = (
    Visit.objects.filter(campaign=campaign).values("cadre_id").order_by("cadre_id").first()["cadre_id"]
)
base = f"/campaigns/{campaign.pk}/dashboard/"
cases = {
    "dashboard, county, this month": f"{base}?period={month}",
    "dashboard, county, the year": f"{base}?period={year}",
    "dashboard, county, this quarter": f"{base}?period={year}Q4",
    "dashboard, a township, this month": f"{base}?period={month}&region={township.code}",
    "dashboard, a cadre, the year": f"{base}?period={year}&cadre={busiest}",
    "list behind a number: visits, county, this month": f"{base}figures/visits/?period={month}",
    "list behind a number: overdue demands, county, the year": f"{base}figures/demands_overdue/?period={year}",
    "list behind a number: households not visited for 30 days": f"{base}figures/not_visited_households/?period={month}",
}

from django.test.utils import override_settings
def one_connection():
    # Queries are counted on the request's connection: the one run counted runs them all there.
    return override_settings(DB_PARALLEL=1)

def timed(fn, n):
    for _ in range(min(3, n)):
        fn()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1), "runs": n}

out = {
    "database": connection.vendor,
    "cadres": Cadre.objects.count(),
    "visits": Visit.objects.count(),
    "tickets": Ticket.objects.count(),
    "results": [],
}
for label, url in cases.items():
    def get(url=url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with one_connection(), CaptureQueriesContext(connection) as q:
        get()
    out["results"].append({"case": label, "url": url, "queries": len(q), **timed(get, repeat)})

def compliance():
    assert client.get(f"{base}compliance/?period={month}").status_code == 200
with one_connection(), CaptureQueriesContext(connection) as q:
    compliance()
out["results"].append({"case": "compliance summary (loaded after the page)", "url": f"{base}compliance/", "queries": len(q), **timed(compliance, 3)})

sel = selectors.selection_for(user=office, campaign=campaign, period=parse_period(month, today=timezone.localdate()))
quarter = selectors.selection_for(user=office, campaign=campaign, period=parse_period(f"{year}Q4", today=timezone.localdate()))
for label, s, kind, fmt in (
    ("monthly roll-up .docx, county", sel, "monthly", "docx"),
    ("quarterly bulletin PDF, county", quarter, "quarterly", "pdf"),
):
    def make(s=s, kind=kind, fmt=fmt):
        content, _n, _t = documents.generate(user=office, sel=s, kind=kind, fmt=fmt)
        assert content
    with one_connection(), CaptureQueriesContext(connection) as q:
        make()
    out["results"].append({"case": label, "url": f"/campaigns/{campaign.pk}/documents/{kind}.{fmt}", "queries": len(q), **timed(make, 5)})
# Reference cases with figures recorded earlier in RESULTS.md (an idler machine): how loaded it is now.
from minqing.tickets import selectors as ticket_selectors
def board():
    assert client.get("/tickets/").status_code == 200
def rates():
    ticket_selectors.rates(user=office, by="unit")
for label, fn in (("reference: dispatch board, no filter (recorded 43.7 ms)", board), ("reference: rates by unit (recorded 332.4 ms)", rates)):
    out["results"].append({"case": label, "url": "", "queries": 0, **timed(fn, 5)})
import os
out["load"] = [round(x, 1) for x in os.getloadavg()]
print(json.dumps(out))
"""

TARGETS = {
    ("sqlite", "dashboard, county, this month"): 300,
    ("postgresql", "dashboard, county, this month"): 200,
    ("sqlite", "monthly roll-up .docx, county"): 3000,
    ("postgresql", "monthly roll-up .docx, county"): 3000,
}


def write_section(path: Path, database: str, lines: list[str]) -> None:
    """Replace this database's subsection of the dashboard section (or add them), keep the rest."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    title = f"### {'PostgreSQL' if database == 'postgresql' else 'SQLite'}"
    body = "\n".join([title, *lines]) + "\n"
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n" + body
    else:
        start = text.index(SECTION)
        nxt = re.search(r"^## ", text[start + len(SECTION) :], re.M)
        end = start + len(SECTION) + nxt.start() if nxt else len(text)
        section = text[start:end]
        if title in section:
            s = section.index(title)
            n = re.search(r"^### ", section[s + len(title) :], re.M)
            e = s + len(title) + n.start() if n else len(section)
            section = section[:s] + body + ("\n" if n else "") + section[e:]
        else:
            section = section.rstrip("\n") + "\n\n" + body
        text = text[:start] + section.rstrip("\n") + "\n" + ("\n" + text[end:] if end < len(text) else "")
    path.write_text(text, encoding="utf-8")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", help="a MINQING_VAR_DIR that already holds a county demo (SQLite)")
    parser.add_argument(
        "--pg-url", help="measure this PostgreSQL database (a county demo is loaded if empty)"
    )
    parser.add_argument("--repeat", type=int, default=20)
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
    subprocess.run([PYTHON, "-m", "minqing", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    check = subprocess.run(
        [
            PYTHON,
            "-c",
            "import django; django.setup(); from minqing.org.models import Cadre; print(Cadre.objects.count())",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    if int(check.stdout.strip().splitlines()[-1]) == 0:
        subprocess.run(
            [PYTHON, "-m", "minqing", "demo", "--scale", "county", "--quiet"], env=env, cwd=ROOT, check=True
        )
    result = subprocess.run(
        [PYTHON, "-c", MEASURE, str(args.repeat)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    database = data["database"]
    lines = [
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}. County demo: {data['cadres']:,} cadres, {data['visits']:,} visits, "
        f"{data['tickets']:,} demands. Signed in as `office` (county-wide). {args.repeat} timed runs after 3 "
        "warm-ups (the compliance summary 3 runs, documents 5). Targets: county dashboard p50 < 300 ms on SQLite, "
        "< 200 ms on PostgreSQL; monthly roll-up .docx < 3 s. The two reference cases at the end were "
        "recorded on SQLite when the machine was idler (bench/bench_tickets.py); their ratio shows the load. "
        f"Load average at the end: {' / '.join(map(str, data['load']))} (the machine is shared).",
        "",
        "| case | p50 ms | p95 ms | queries | target |",
        "|---|---:|---:|---:|---|",
    ]
    for row in data["results"]:
        target = TARGETS.get((database, row["case"]))
        verdict = (
            "" if target is None else ("met" if row["p50_ms"] < target else "NOT met") + f" (< {target:,} ms)"
        )
        lines.append(
            f"| {row['case']} | {row['p50_ms']:,} | {row['p95_ms']:,} | {row['queries']} | {verdict} |"
        )
    write_section(Path(args.results), database, lines)
    print("\n".join(lines))
    if temp is not None:
        temp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
