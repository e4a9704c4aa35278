"""Minqing benchmark: demo load time and household-list latency on SQLite.

    .venv/bin/python bench/run.py [--scales township,county] [--repeat 30]

For each scale, in a fresh temporary MINQING_VAR_DIR (fresh SQLite database and
keys; DATABASE_URL is removed from the environment so SQLite is measured):

1. times `minqing migrate` and `minqing demo --scale SCALE --quiet` as subprocesses;
2. in a child process set up against that var dir, signs in as `office` and times
   the household list (first page, pinyin, full ID number, name prefix) and the API
   search, counting SQL queries with CaptureQueriesContext;
3. writes bench/RESULTS.md (and bench/results.json with the raw figures).

The parent never imports Django: settings create files under the var dir on import.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
WARMUPS = 3
TARGET_DEMO_S = {"county": 120.0}
TARGET_P50_MS = 150.0
SLOW_QUERY_MS = 10.0  # queries at least this slow (median) get an EXPLAIN QUERY PLAN in the results
ENV_DROP = ("DATABASE_URL", "MINQING_DATABASE_URL", "MINQING_SQLITE_PATH", "MINQING_VAR_DIR", "MINQING_DEBUG")


# --------------------------------------------------------------------------- parent


def minqing_command() -> list[str]:
    script = Path(sys.executable).parent / "minqing"
    return [str(script)] if script.exists() else [sys.executable, "-m", "minqing"]


def bench_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_DROP}
    env["MINQING_VAR_DIR"] = str(var_dir)
    env["DJANGO_SETTINGS_MODULE"] = "minqing.settings"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def timed_run(cmd: list[str], env: dict[str, str], label: str) -> tuple[float, str]:
    print(f"  {label}: {' '.join(cmd)}", flush=True)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"{label} failed (exit {proc.returncode})")
    print(f"    {elapsed:.1f} s", flush=True)
    return elapsed, proc.stdout


def wait_idle(max_load: float | None, limit_s: float = 600) -> None:
    """Wait (up to `limit_s`) until the 1-minute load average is below `max_load`."""
    if max_load is None:
        return
    deadline = time.monotonic() + limit_s
    while float(loadavg().split()[0]) >= max_load and time.monotonic() < deadline:
        print(f"  waiting for load average < {max_load} (now {loadavg()})", flush=True)
        time.sleep(15)


def run_scale(scale: str, repeat: int, keep: bool, max_load: float | None = None) -> dict:
    print(f"[{scale}]", flush=True)
    wait_idle(max_load)
    began = dt.datetime.now().astimezone()
    code = code_state()
    var_dir = Path(tempfile.mkdtemp(prefix=f"minqing-bench-{scale}-"))
    env = bench_env(var_dir)
    try:
        migrate_s, _ = timed_run(minqing_command() + ["migrate", "--noinput", "-v", "0"], env, "migrate")
        demo_s, demo_out = timed_run(minqing_command() + ["demo", "--scale", scale, "--quiet"], env, "demo")
        summary = next((line for line in demo_out.splitlines() if line.startswith("demo loaded")), "")
        out_path = var_dir / "measure.json"
        wait_idle(max_load)
        load_before = loadavg()
        print(f"  measuring ({WARMUPS} warm-ups + {repeat} runs per case)", flush=True)
        proc = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--measure",
                "--repeat",
                str(repeat),
                "--out",
                str(out_path),
            ],
            env=env,
            cwd=ROOT,
            text=True,
        )
        if proc.returncode != 0:
            raise SystemExit(f"measurement for {scale} failed (exit {proc.returncode})")
        measured = json.loads(out_path.read_text())
        measured["load_before"], measured["load_after"] = load_before, loadavg()
        db = var_dir / "minqing.sqlite3"
        return {
            "scale": scale,
            "began": f"{began:%Y-%m-%d %H:%M:%S %Z}".rstrip(),
            "code": code,
            "migrate_s": migrate_s,
            "demo_s": demo_s,
            "demo_summary": summary,
            "db_mb": db.stat().st_size / 1e6 if db.exists() else None,
            **measured,
        }
    finally:
        if keep:
            print(f"  kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def machine_info() -> dict:
    def read(path: str) -> str:
        try:
            return Path(path).read_text()
        except OSError:
            return ""

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    mem_kb = next(
        (int(line.split()[1]) for line in read("/proc/meminfo").splitlines() if line.startswith("MemTotal:")),
        0,
    )
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    versions = subprocess.run(
        [sys.executable, "-c", "import sqlite3, django; print(sqlite3.sqlite_version, django.get_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()

    return {
        "uname": " ".join(platform.uname())
        if not shutil.which("uname")
        else subprocess.run(["uname", "-a"], capture_output=True, text=True).stdout.strip(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_gb": mem_kb / 1024 / 1024,
        "python": platform.python_version(),
        "sqlite": versions[0],
        "django": versions[1],
    }


def code_state() -> str:
    """The commit the app code is at, and whether tracked files differ from it (they are what runs)."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "?"
    return commit + (
        " with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    )


# --------------------------------------------------------------------------- child


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def explain(connection, sql: str) -> list[str]:
    """EXPLAIN QUERY PLAN of a captured statement, drawn as a tree like the sqlite3 shell."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        rows = cursor.fetchall()
    depth = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


class StatementTimer:
    """An execute wrapper recording each statement (parameters inlined) and the time
    the database took to execute it. SQLite computes the first row inside execute(),
    so sorts and aggregates are included; rows stepped later while fetching are not."""

    def __init__(self, connection):
        self.connection = connection
        self.statements: list[tuple[str, float]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            try:
                shown = self.connection.ops.last_executed_query(context["cursor"], sql, params)
            except Exception:  # executemany, or parameters SQLite cannot quote
                shown = sql
            self.statements.append((shown, elapsed))


def measure(repeat: int, out: Path) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")
    django.setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from minqing.core.identity import mask_id_number
    from minqing.org.models import Account
    from minqing.org.services import token_create
    from minqing.people import selectors
    from minqing.people.models import Member

    assert connection.vendor == "sqlite", connection.vendor
    office = Account.objects.get(username="office")

    # A member in office's scope, with an ID number, taken from the middle of the table.
    members = Member.objects.filter(
        household__in=selectors.household_list(user=office).values("id"), id_number__isnull=False
    ).order_by("id")
    member = members[members.count() // 2]
    id_number = member.id_number.reveal()

    web = Client()
    web.force_login(office)
    api = Client()
    token = token_create(actor=None, account=office, name="bench")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    cases = [
        ("list", "household list, page 1", "/people/households/", "", web, {}),
        ("pinyin", "pinyin search `zs`", "/people/households/?q=zs", "zs", web, {}),
        ("id_number", "full ID number", "/people/households/?q=" + id_number, id_number, web, {}),
        ("name", "name prefix `张`", "/people/households/?q=张", "张", web, {}),
        ("api_pinyin", "API pinyin search `zs`", "/api/v1/households?q=zs", "zs", api, bearer),
    ]
    results = []
    for key, label, url, q, client, extra in cases:
        hits = selectors.household_list(user=office, q=q).count()
        for _ in range(WARMUPS):
            response = client.get(url, **extra)
            assert response.status_code == 200, (url, response.status_code)
        times, counts, runs = [], [], []
        for _ in range(repeat):
            timer = StatementTimer(connection)
            with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timer):
                start = time.perf_counter()
                response = client.get(url, **extra)
                elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, (url, response.status_code)
            times.append(elapsed)
            counts.append(len(ctx.captured_queries))
            runs.append(timer.statements)
        if key.startswith("api"):
            assert response.json()["count"] == hits, (response.json()["count"], hits)
        if key == "id_number":
            assert hits == 1, hits
        # Median time of each statement, by position, over the runs whose statements line up.
        typical = statistics.mode(len(r) for r in runs)
        aligned = [r for r in runs if len(r) == typical]
        per_query = [
            {"sql": aligned[-1][i][0], "ms": statistics.median(r[i][1] for r in aligned)}
            for i in range(typical)
        ]
        slowest = [dict(item) for item in sorted(per_query, key=lambda item: -item["ms"])[:3]]
        page_slow = statistics.median(times) >= TARGET_P50_MS
        for rank, item in enumerate(slowest):
            if (item["ms"] >= SLOW_QUERY_MS or (page_slow and rank == 0)) and item[
                "sql"
            ].lstrip().upper().startswith("SELECT"):
                item["plan"] = explain(connection, item["sql"])
        shown_url = url.replace(id_number, mask_id_number(id_number))
        results.append(
            {
                "key": key,
                "label": label,
                "url": shown_url,
                "hits": hits,
                "p50_ms": statistics.median(times),
                "p95_ms": percentile(times, 95),
                "min_ms": min(times),
                "max_ms": max(times),
                "queries": statistics.mode(counts),
                "queries_min": min(counts),
                "queries_max": max(counts),
                "sql_p50_ms": statistics.median(sum(ms for _sql, ms in r) for r in runs),
                "statements": [{"sql": item["sql"][:400], "ms": round(item["ms"], 3)} for item in per_query],
                "slowest": [
                    {**item, "sql": item["sql"].replace(id_number, mask_id_number(id_number))}
                    for item in slowest
                ],
            }
        )
        c = results[-1]
        print(
            f"    {key:<10} p50 {c['p50_ms']:7.1f} ms  p95 {c['p95_ms']:7.1f} ms  {c['queries']} queries "
            f"(SQL {c['sql_p50_ms']:.1f} ms)  hits {hits}",
            flush=True,
        )
    out.write_text(json.dumps({"repeat": repeat, "cases": results}, ensure_ascii=False, indent=1))


# --------------------------------------------------------------------------- report


def fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def readable_sql(sql: str) -> str:
    """Show the U+10FFFF that closes a prefix range (an invisible character) as SQLite's char()."""
    return re.sub("'([^']*)\U0010ffff'", lambda m: f"'{m.group(1)}' || char(1114111)", sql)


def write_report(path: Path, machine: dict, command: str, started: dt.datetime, scales: list[dict]) -> None:
    lines = [
        "# Minqing benchmark results",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M %Z}".rstrip(),
        f"- Command: `{command}`",
        "- Database: SQLite (WAL), fresh file in a temporary MINQING_VAR_DIR per scale; DATABASE_URL unset",
        f"- Requests: Django test client as `office` (county-wide scope); {WARMUPS} warm-ups, then "
        f"{scales[0]['repeat'] if scales else '?'} timed runs per case; queries counted with CaptureQueriesContext",
        "- p50/p95: median and nearest-rank 95th percentile of the wall time of `Client.get` (whole Django "
        "stack: middleware, view, template; no network, no server). *SQL queries*: statements captured by "
        "`CaptureQueriesContext(django.db.connection)`, including the BEGIN/COMMIT of the audit row a search "
        "writes. *SQL time*: time spent inside `cursor.execute` (SQLite computes sorts and aggregates there; "
        "stepping through further rows while fetching is not counted).",
        "",
        "## Machine",
        "",
        f"- `uname -a`: `{machine['uname']}`",
        f"- CPU: {machine['cpu']}, {machine['cores']} cores ({machine['usable_cores']} usable)",
        f"- Memory: {machine['memory_gb']:.1f} GiB",
        f"- Python {machine['python']}, SQLite {machine['sqlite']}, Django {machine['django']}",
        "",
    ]
    for s in scales:
        lines += [
            f"## Scale `{s['scale']}`",
            "",
            f"- Started {s['began']}, code at commit {s['code']}",
            f"- {s['demo_summary'] or 'demo loaded'}",
            f"- `minqing migrate`: {s['migrate_s']:.1f} s; `minqing demo --scale {s['scale']} --quiet`: "
            f"**{s['demo_s']:.1f} s**; database file {fmt(s['db_mb'])} MB",
            f"- Load average (1, 5, 15 min) before / after the requests: {s['load_before']} / {s['load_after']}",
            "",
            "| Case | Request | Households matched | p50 ms | p95 ms | min–max ms | SQL queries | SQL time p50 ms |",
            "|---|---|--:|--:|--:|--:|--:|--:|",
        ]
        for c in s["cases"]:
            queries = (
                str(c["queries"])
                if c["queries_min"] == c["queries_max"]
                else (f"{c['queries']} ({c['queries_min']}–{c['queries_max']})")
            )
            lines.append(
                f"| {c['label']} | `GET {c['url']}` | {c['hits']:,} | {fmt(c['p50_ms'])} | {fmt(c['p95_ms'])} | "
                f"{fmt(c['min_ms'])}–{fmt(c['max_ms'])} | {queries} | {fmt(c['sql_p50_ms'])} |"
            )
        lines.append("")

    lines += ["## Targets", ""]
    for s in scales:
        target = TARGET_DEMO_S.get(s["scale"])
        if target is not None:
            verdict = "met" if s["demo_s"] < target else "NOT met"
            lines.append(
                f"- Demo load at {s['scale']} scale < {target:.0f} s: **{verdict}** ({s['demo_s']:.1f} s)"
            )
    for s in scales:
        for c in s["cases"]:
            verdict = "met" if c["p50_ms"] < TARGET_P50_MS else "NOT met"
            lines.append(
                f"- p50 < {TARGET_P50_MS:.0f} ms, {c['label']}, {s['scale']}: **{verdict}** "
                f"({c['p50_ms']:.1f} ms)"
            )
    if len(scales) >= 2:
        for c in scales[0]["cases"]:
            counts = {
                s["scale"]: next(x for x in s["cases"] if x["key"] == c["key"])["queries"] for s in scales
            }
            verdict = "met" if len(set(counts.values())) == 1 else "NOT met"
            shown = ", ".join(f"{k} {v}" for k, v in counts.items())
            lines.append(f"- Same number of queries at any size, {c['label']}: **{verdict}** ({shown})")
    else:
        lines.append("- Same number of queries at any size: not checked (needs two scales)")
    lines.append("")

    slow = [(s["scale"], c, q) for s in scales for c in s["cases"] for q in c["slowest"] if "plan" in q]
    lines += [
        "## Slowest queries",
        "",
        f"Statements with a median of at least {SLOW_QUERY_MS:.0f} ms, with SQLite's plan for them.",
        "",
    ]
    if not slow:
        lines += ["None.", ""]
    for scale, c, q in slow:
        lines += [
            f"### {scale}: {c['label']} — {q['ms']:.1f} ms (page p50 {c['p50_ms']:.1f} ms)",
            "",
            "```sql",
            readable_sql(q["sql"]),
            "```",
            "",
            "```",
            "QUERY PLAN",
            *q["plan"],
            "```",
            "",
        ]
    # Keep every section the other bench scripts write (all but this script's own).
    kept = ""
    if path.exists():
        own = ("## Machine", "## Scale ", "## Targets", "## Slowest queries")
        sections = re.split(r"(?m)^(?=## )", path.read_text())[1:]
        kept = "\n" + "".join(s for s in sections if not s.startswith(own))
    path.write_text("\n".join(lines).rstrip() + "\n" + kept)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", default="township,county", help="comma-separated demo scales")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per case (after 3 warm-ups)")
    parser.add_argument("--results", default=str(BENCH_DIR / "RESULTS.md"), help="where to write the report")
    parser.add_argument("--keep", action="store_true", help="keep the temporary var dirs")
    parser.add_argument(
        "--max-load",
        type=float,
        default=None,
        help="before loading and before measuring, wait (up to 10 min) for the 1-minute "
        "load average to fall below this",
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # child mode
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        measure(args.repeat, Path(args.out))
        return

    started = dt.datetime.now().astimezone()
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    command = " ".join(
        [".venv/bin/python bench/run.py", "--scales", ",".join(scales), "--repeat", str(args.repeat)]
        + (["--max-load", str(args.max_load)] if args.max_load is not None else [])
    )
    machine = machine_info()
    results = [run_scale(scale, args.repeat, args.keep, args.max_load) for scale in scales]
    results_path = Path(args.results)
    write_report(results_path, machine, command, started, results)
    results_path.with_name("results.json").write_text(
        json.dumps(
            {"date": started.isoformat(), "command": command, "machine": machine, "scales": results},
            ensure_ascii=False,
            indent=1,
        )
    )
    print(f"wrote {results_path}")


if __name__ == "__main__":
    main()
