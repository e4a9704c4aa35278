"""The composite assessment of every cadre of the demo county for a year (SQLite; PostgreSQL
with --pg-url).

    .venv/bin/python bench/bench_assessment.py [--pg-url postgres://postgres@127.0.0.1:5432/minqing_bench_as]

Loads a fresh county demo per database (SQLite in a temporary MINQING_VAR_DIR; PostgreSQL in the
named scratch database, dropped and created first), then times, for the county campaign
(下基层, every cadre of the county) and the year 2026: the computation of every component and
the ranking (`selectors.compute`), the whole stored run (`services.assessment_run`: compute,
store the results, audit), and the at-risk list of the recall rule. 2 warm-ups, 5 timed runs,
median; queries counted. Appends a section to bench/RESULTS.md (target: < 3 s).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINQING = [str(ROOT / ".venv" / "bin" / "python"), "-m", "minqing"]
SECTION = "## Assessment (bench/bench_assessment.py)"

MEASURE = r"""
import datetime as dt, json, statistics, time, django
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from minqing.assessment import selectors, services
from minqing.assessment.models import AssessmentResult
from minqing.programs.models import Campaign
from minqing.programs.selectors import campaign_cadres
today = dt.date(2026, 11, 20)
campaign = Campaign.objects.get(program_key="xiajiceng")
start, end = campaign.start, today
weights = selectors.weight_set_for(campaign, start).weights

def timed(fn, runs=5, warm=2):
    for _ in range(warm):
        fn()
    times, queries = [], 0
    for _ in range(runs):
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as q:
            fn()
        times.append(time.perf_counter() - began)
        queries = len(q)
    return {"median_s": statistics.median(times), "max_s": max(times), "queries": queries}

out = {
    "cadres": campaign_cadres(campaign).count(),
    "pairings": campaign.pairings.count(),
    "compute": timed(lambda: selectors.compute(campaign, start, end, weights)),
    "run": timed(lambda: services.assessment_run(actor=None, campaign=campaign, period="2026", today=today)),
    "at_risk": timed(lambda: selectors.at_risk(campaign, today)),
}
out["at_risk_count"] = len(selectors.at_risk(campaign, today))
run = selectors.latest_run(campaign, "2026")
out["results"] = AssessmentResult.objects.filter(run=run).count()
out["components"] = run.components
print(json.dumps(out))
"""


def run(env, *args, timeout=3600):
    return subprocess.run(
        MINQING + list(args), env=env, check=True, capture_output=True, text=True, timeout=timeout
    )


def measure(label, env):
    run(env, "migrate", "-v0")
    began = time.perf_counter()
    run(env, "demo", "--scale", "county", "--quiet")
    load = time.perf_counter() - began
    result = subprocess.run(
        [MINQING[0], "-c", MEASURE],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=3600,
        cwd=ROOT,
    )
    return {"database": label, "demo_load_s": load, **json.loads(result.stdout.strip().splitlines()[-1])}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg-url", default="", help="also measure on this scratch PostgreSQL database")
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MINQING_DATABASE_URL")}
    base["DJANGO_SETTINGS_MODULE"] = "minqing.settings"
    results = []
    with tempfile.TemporaryDirectory() as var:
        results.append(measure("SQLite", {**base, "MINQING_VAR_DIR": var}))
    if args.pg_url:
        name = args.pg_url.rsplit("/", 1)[1]
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        with tempfile.TemporaryDirectory() as var:
            results.append(
                measure("PostgreSQL", {**base, "MINQING_VAR_DIR": var, "DATABASE_URL": args.pg_url})
            )
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    load = os.getloadavg()[0]
    lines = [
        "",
        SECTION,
        "",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {load:.1f} at the end. County demo; campaign 下基层 "
        "(every cadre of the county), year 2026 up to 2026-11-20; median of 5 runs after 2 warm-ups. "
        "Target: the assessment of every cadre < 3 s.",
        "",
        "| database | demo load s | cadres | pairings | components | step | queries | median s | max s | target |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for step, label in (
            ("compute", "every component + ranking"),
            ("run", "stored run (compute, store, audit)"),
            ("at_risk", f"at-risk list ({r['at_risk_count']} flagged)"),
        ):
            m = r[step]
            lines.append(
                f"| {r['database']} | {r['demo_load_s']:.0f} | {r['cadres']} | {r['pairings']} | "
                f"{len(r['components'])} | {label} | {m['queries']} | {m['median_s']:.3f} | {m['max_s']:.3f} | "
                f"{'met' if m['median_s'] < 3 else 'NOT met'} |"
            )
    lines.append("")
    report = ROOT / "bench" / "RESULTS.md"
    text = report.read_text() if report.exists() else "# Benchmark results\n"
    marker = "\n" + SECTION
    if marker in text:
        head, _, rest = text.partition(marker)
        tail = rest.split("\n## ", 1)
        text = head + ("\n## " + tail[1] if len(tail) > 1 else "")
    report.write_text(text.rstrip() + "\n" + "\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
