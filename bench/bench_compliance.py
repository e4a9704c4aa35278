"""Compliance of every rule of every demo campaign at county scale, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_compliance.py [--pg-url postgres://postgres@127.0.0.1:5432/minqing_bench]
        [--skip-pg] [--var DIR] [--pg-reuse [--pg-var DIR]]

Loads a fresh county demo per database (SQLite in a temporary MINQING_VAR_DIR; PostgreSQL in
the named scratch database, dropped and created first) — or, with --var / --pg-reuse, measures
the county demo already there (loading one only when it is empty) — then times `engine.evaluate` for each
campaign (3 warm-ups, 7 timed runs, median) and counts its queries. Appends a section to
bench/RESULTS.md (target: < 2 s per campaign for ~3,000 cadres).
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

MEASURE = r"""
import datetime as dt, json, statistics, time, django
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from minqing.programs import engine
from minqing.programs.models import Campaign
from minqing.programs.selectors import campaign_cadres
out = []
day = dt.date(2026, 11, 21)
for campaign in Campaign.objects.order_by("id"):
    for _ in range(3):
        engine.evaluate(Campaign.objects.get(pk=campaign.pk), day)
    times = []
    for _ in range(7):
        fresh = Campaign.objects.get(pk=campaign.pk)
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as q:
            verdicts = engine.evaluate(fresh, day)
        times.append(time.perf_counter() - start)
    out.append({"campaign": campaign.name, "program": campaign.program_key, "cadres": campaign_cadres(campaign).count(),
                "verdicts": len(verdicts), "rules": len(campaign.config["rules"]), "queries": len(q),
                "median_s": statistics.median(times), "max_s": max(times)})
print(json.dumps(out))
"""


def run(env, *args, timeout=1800):
    return subprocess.run(
        MINQING + list(args), env=env, check=True, capture_output=True, text=True, timeout=timeout
    )


def measure(label, env, reuse=False):
    """Load a county demo (timed) unless reuse and the database already holds one."""
    run(env, "migrate", "-v0")
    load = None
    held = subprocess.run(
        [MINQING[0], "-c", "import django; django.setup(); from minqing.org.models import Cadre; "
         "print(Cadre.objects.count())"],
        env=env, check=True, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    if not reuse or int(held.stdout.strip().splitlines()[-1]) == 0:
        start = time.perf_counter()
        run(env, "demo", "--scale", "county", "--quiet")
        load = time.perf_counter() - start
    result = subprocess.run(
        [MINQING[0], "-c", MEASURE],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=ROOT,
    )
    return {
        "database": label,
        "demo_load_s": load,
        "campaigns": json.loads(result.stdout.strip().splitlines()[-1]),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/minqing_bench")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--var", help="measure the county demo already in this MINQING_VAR_DIR (SQLite)")
    parser.add_argument(
        "--pg-reuse", action="store_true", help="measure the demo already in --pg-url (do not drop it)"
    )
    parser.add_argument("--pg-var", help="with --pg-reuse: the MINQING_VAR_DIR that demo was loaded with")
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MINQING_DATABASE_URL")}
    base["DJANGO_SETTINGS_MODULE"] = "minqing.settings"
    results = []
    if args.var:
        results.append(measure("SQLite", {**base, "MINQING_VAR_DIR": args.var}, reuse=True))
    else:
        with tempfile.TemporaryDirectory() as var:
            results.append(measure("SQLite", {**base, "MINQING_VAR_DIR": var}))
    if args.pg_reuse and not args.skip_pg:
        # The var dir the demo was loaded with: it holds the personal-data key its rows need.
        with tempfile.TemporaryDirectory() as var:
            env = {**base, "MINQING_VAR_DIR": args.pg_var or var, "DATABASE_URL": args.pg_url}
            results.append(measure("PostgreSQL", env, reuse=True))
    elif not args.skip_pg:
        name = args.pg_url.rsplit("/", 1)[1]
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        with tempfile.TemporaryDirectory() as var:
            results.append(
                measure("PostgreSQL", {**base, "MINQING_VAR_DIR": var, "DATABASE_URL": args.pg_url})
            )
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    lines = [
        "",
        "## Compliance (bench/bench_compliance.py)",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}. County demo; every rule of every campaign, as of 2026-11-21; "
        "median of 7 runs after 3 warm-ups. Target: < 2 s per campaign for ~3,000 cadres. "
        f"Load average at the end: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}.",
        "",
    ]
    for result in results:
        lines += [
            f"### {result['database']} "
            + (
                f"(demo load {result['demo_load_s']:.1f} s)"
                if result["demo_load_s"] is not None
                else "(the demo already loaded)"
            ),
            "",
            "| campaign | program | cadres | rules | verdicts | queries | median s | max s | target |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for c in result["campaigns"]:
            lines.append(
                f"| {c['campaign']} | {c['program']} | {c['cadres']} | {c['rules']} | {c['verdicts']} | "
                f"{c['queries']} | {c['median_s']:.3f} | {c['max_s']:.3f} | "
                f"{'met' if c['median_s'] < 2 else 'NOT met'} |"
            )
        lines.append("")
    report = ROOT / "bench" / "RESULTS.md"
    text = report.read_text() if report.exists() else "# Benchmark results\n"
    marker = "\n## Compliance (bench/bench_compliance.py)"
    if marker in text:
        head, _, rest = text.partition(marker)
        tail = rest.split("\n## ", 1)
        text = head + ("\n## " + tail[1] if len(tail) > 1 else "")
    report.write_text(text.rstrip() + "\n" + "\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
