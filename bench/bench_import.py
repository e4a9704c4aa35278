"""Import benchmark: a generated household roster (one row per member, household cells
repeated on each member row, the layout of a county's export) imported end to end on
SQLite, and the figure appended to bench/RESULTS.md under "Import".

    .venv/bin/python bench/bench_import.py [--rows 100000] [--repeat 3] [--no-write-results]
        [--postgres postgres://postgres@127.0.0.1:5432/impbench]

In a fresh temporary MINQING_VAR_DIR (fresh SQLite database and keys; DATABASE_URL is
dropped): migrate, create the county's regions, write the roster as .xlsx with
xlsxwriter, then time

1. calamine alone reading the sheet (the floor of the reading);
2. `import_run(kind="households", dry_run=True)` (read + layout + every check);
3. `import_run(kind="households")` into the empty database: read, check, encrypt, hash,
   insert and commit — the end-to-end figure — then a re-import of the same file (which
   must create nothing);
4. `minqing import households FILE` as a subprocess (adds interpreter and Django start-up);
5. the floor of the database: the rows the import stored, inserted again by SQLite alone
   (the values as stored, staged in a temporary table and moved by one INSERT … SELECT per
   table, the cheapest way measured) into the empty database, and committed;
6. how much two CPU-bound processes side by side slow each other (how far the machine's
   cores are its own);
7. with --postgres, the same file's dry run, import and re-import on that PostgreSQL
   database (one of the bench's own: its households and members are deleted before each
   write).

Each timed step after the first write runs on a fresh copy of the migrated database."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TARGET = 40_000


def make_roster(path: Path, rows: int, villages: list[tuple[str, str, str]], seed: int = 5) -> int:
    import xlsxwriter

    from minqing.core.identity import id_check_char

    rng = random.Random(seed)
    surnames = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰志红梅文斌"
    relations = ["户主", "配偶", "子", "女", "孙子", "父亲"]
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["双牌县农户家庭成员花名册"])
    sheet.write_row(1, 0, ["填报单位：双牌县民政局    填报日期：2026年4月10日"])
    header = [
        "序号",
        "户编号",
        "乡镇",
        "村（社区）",
        "组",
        "家庭住址",
        "困难等级",
        "姓名",
        "与户主关系",
        "公民身份号码",
        "联系电话",
    ]
    sheet.write_row(2, 0, header)
    row, household, used = 3, 0, set()
    while row - 3 < rows:
        household += 1
        township, village, group = villages[household % len(villages)]
        size = min(rng.choice([1, 2, 3, 3, 4, 4, 5]), rows - (row - 3))
        code = f"H{household:07d}"
        level = rng.choices(["", "一般困难", "比较困难", "特别困难"], weights=[90, 6, 3, 1])[0]
        for k in range(size):
            while True:
                birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 30_000))
                first17 = f"431123{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
                if first17 not in used:
                    used.add(first17)
                    break
            name = rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))
            phone = f"13{rng.randrange(0, 10)}{rng.randrange(0, 10**8):08d}" if rng.random() < 0.7 else ""
            sheet.write_row(
                row,
                0,
                [
                    str(row - 2),
                    code,
                    township,
                    village,
                    group,
                    f"{township}{village}{group}{household % 200}号",
                    level,
                    name,
                    relations[min(k, len(relations) - 1)],
                    first17 + id_check_char(first17),
                    phone,
                ],
            )
            row += 1
    book.close()
    return household


def setup_regions(
    townships: int = 10, villages_per: int = 20, groups_per: int = 5
) -> list[tuple[str, str, str]]:
    from minqing.geo.models import Region

    regions = [
        Region(code="430000000000", name="湖南省", level=1),
        Region(code="431100000000", name="永州市", level=2, parent_id="430000000000"),
        Region(code="431123000000", name="双牌县", level=3, parent_id="431100000000"),
    ]
    names = []
    for t in range(townships):
        tcode = f"431123{100 + t:03d}000"
        tname = f"第{t + 1}镇"
        regions.append(Region(code=tcode, name=tname, level=4, parent_id="431123000000"))
        for v in range(villages_per):
            vcode = f"{tcode[:9]}{200 + v:03d}"
            vname = f"{tname}{v + 1}村"
            regions.append(Region(code=vcode, name=vname, level=5, parent_id=tcode))
            for g in range(groups_per):
                gname = "一二三四五六七八九十"[g] + "组"
                regions.append(Region(code=f"{vcode}{g + 1:03d}", name=gname, level=6, parent_id=vcode))
                names.append((tname, vname, gname))
    Region.objects.bulk_create(regions)
    return names


def child(args) -> None:
    """Runs inside the temporary var dir: Django set up, database migrated."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from python_calamine import CalamineWorkbook

    from minqing.documents.imports.engine import import_run
    from minqing.people.models import Household, Member

    call_command("migrate", verbosity=0)
    villages = setup_regions()
    var = Path(settings.VAR_DIR)
    roster = var / "roster.xlsx"
    households = make_roster(roster, args.rows, villages)
    size_mb = roster.stat().st_size / 1024 / 1024
    database = Path(settings.DATABASES["default"]["NAME"])
    pristine = var / "pristine.sqlite3"
    from django.db import connection

    connection.close()
    shutil.copy(database, pristine)

    def restore():
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(database) + suffix).unlink(missing_ok=True)
        shutil.copy(pristine, database)

    figures: dict[str, list[float]] = {"calamine": [], "dry_run": [], "write": [], "reimport": []}
    stored: dict[str, tuple[list[str], list[tuple]]] = {}
    from minqing.core import collector

    for _ in range(args.repeat):
        # With the garbage collector paused, as the import reads: its passes over the cells
        # calamine hands back are no part of the reading.
        with collector.paused():
            started = time.perf_counter()
            CalamineWorkbook.from_path(str(roster)).get_sheet_by_index(0).to_python(skip_empty_area=False)
            figures["calamine"].append(time.perf_counter() - started)
        started = time.perf_counter()
        report = import_run(actor=None, kind="households", path=roster, dry_run=True)
        figures["dry_run"].append(time.perf_counter() - started)
        assert report.ok, report.messages()[:5]
        restore()
        started = time.perf_counter()
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            report = profiler.runcall(import_run, actor=None, kind="households", path=roster)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(40)
        else:
            report = import_run(actor=None, kind="households", path=roster)
        figures["write"].append(time.perf_counter() - started)
        assert report.written and Member.objects.count() == args.rows, report.counts
        started = time.perf_counter()
        again = import_run(actor=None, kind="households", path=roster)
        figures["reimport"].append(time.perf_counter() - started)
        assert again.counts["members_created"] == 0 and again.counts["households_created"] == 0
        if not stored:
            stored.update(stored_rows())
        restore()
    # The floor of the database: the rows this import stored, written again by SQLite alone
    # (no reading, no checks, no encryption: values bound as they are) into the empty copy.
    figures["inserts_alone"] = []
    for _ in range(args.repeat):
        restore()
        figures["inserts_alone"].append(insert_alone(database, stored))
    restore()
    print(
        "RESULT",
        {
            "rows": args.rows,
            "households": households,
            "size_mb": round(size_mb, 2),
            "counts": report.counts,
            **{k: statistics.median(v) for k, v in figures.items()},
            "runs": figures,
            "households_in_db": Household.objects.count(),
        },
        flush=True,
    )


def child_postgres(args) -> None:
    """The same roster into the PostgreSQL database of DATABASE_URL (regions made if missing,
    households and members emptied before each write)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from minqing.documents.imports.engine import import_run
    from minqing.geo.models import Region
    from minqing.people.models import HardshipGrading, Household, Member, Tagging

    assert connection.vendor == "postgresql"
    call_command("migrate", verbosity=0)
    if not Region.objects.filter(code="431123000000").exists():
        setup_regions()
    figures: dict[str, list[float]] = {"dry_run": [], "write": [], "reimport": []}

    if Household.objects.exclude(code__regex=r"^H[0-9]{7}$").exists():
        raise SystemExit(
            "--postgres: the database holds households of its own; give the bench a database of its own"
        )

    def empty():
        # Plain DELETEs: a row something else refers to stops the bench instead of going.
        connection.cursor().execute("UPDATE people_household SET head_id = NULL")
        with connection.cursor() as cursor:
            for model in (Tagging, HardshipGrading, Member, Household):
                cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - our own names
            for model in (Tagging, HardshipGrading, Member, Household):
                # Each write starts on tables without dead rows, as on a fresh database.
                cursor.execute(f"VACUUM {model._meta.db_table}")  # noqa: S608 - our own names

    for _ in range(args.repeat):
        empty()
        started = time.perf_counter()
        assert import_run(actor=None, kind="households", path=args.roster, dry_run=True).ok
        figures["dry_run"].append(time.perf_counter() - started)
        started = time.perf_counter()
        assert import_run(actor=None, kind="households", path=args.roster).written
        figures["write"].append(time.perf_counter() - started)
        started = time.perf_counter()
        again = import_run(actor=None, kind="households", path=args.roster)
        figures["reimport"].append(time.perf_counter() - started)
        assert again.counts["members_created"] == 0
    empty()
    print("RESULT", {k: statistics.median(v) for k, v in figures.items()}, flush=True)


FLOOR_TABLES = ("people_household", "people_member", "people_hardshipgrading", "people_tagging")


def stored_rows() -> dict[str, tuple[list[str], list[tuple]]]:
    """Every row the import stored, column by column as the database holds it."""
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for table in FLOOR_TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - our own names
            columns = [c[0] for c in cursor.description]
            found[table] = (columns, cursor.fetchall())
    return found


def insert_alone(database: Path, stored: dict) -> float:
    """Seconds for SQLite to insert `stored` (households without their heads, then members,
    heads, gradings, tags) and commit, with the settings and page cache the import uses,
    each table's rows staged in a temporary table and moved in one statement."""
    import sqlite3

    conn = sqlite3.connect(database, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA cache_size = -262144")
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    heads = []
    for table in FLOOR_TABLES:
        columns, rows = stored[table]
        if not rows:
            continue
        if table == "people_household":
            at = columns.index("head_id")
            heads = [(row[at], row[0]) for row in rows if row[at] is not None]
            rows = [row[:at] + (None,) + row[at + 1 :] for row in rows]
        names = ", ".join(f'"{c}"' for c in columns)
        # The cheapest way measured: staged in a temporary table, then one INSERT … SELECT.
        conn.execute(f"CREATE TEMP TABLE stage ({names})")
        conn.executemany(f"INSERT INTO temp.stage VALUES ({', '.join('?' * len(columns))})", rows)
        conn.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM temp.stage")
        conn.execute("DROP TABLE temp.stage")
        if table == "people_member":
            conn.executemany("UPDATE people_household SET head_id = ? WHERE id = ?", heads)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--var-dir", help=argparse.SUPPRESS)
    parser.add_argument("--no-write-results", action="store_true", help="print only")
    parser.add_argument(
        "--profile", action="store_true", help="profile one write (cProfile, to stderr); no results"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also import the same file into this PostgreSQL database (its tables are emptied "
        "of households and members first; a database of its own, e.g. postgres://postgres@127.0.0.1/impbench)",
    )
    parser.add_argument("--roster", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child and args.roster:
        child_postgres(args)
        return
    if args.child:
        child(args)
        return
    load_before = os.getloadavg()
    var_dir = Path(tempfile.mkdtemp(prefix="minqing-import-bench-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "MINQING_DATABASE_URL", "MINQING_SQLITE_PATH", "MINQING_VAR_DIR")
    }
    env.update(MINQING_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="minqing.settings")
    try:
        output = subprocess.run(
            [sys.executable, __file__, "--child", "--rows", str(args.rows), "--repeat", str(args.repeat)]
            + (["--profile"] if args.profile else []),
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        if args.profile:
            print(output.stderr)
            return
        output = output.stdout
        result = eval(output.split("RESULT", 1)[1].strip())  # noqa: S307 - our own child's repr
        # The command line on a fresh copy of the database: interpreter, Django, tqdm included.
        database = var_dir / "minqing.sqlite3"
        for suffix in ("-wal", "-shm"):
            Path(str(database) + suffix).unlink(missing_ok=True)
        shutil.copy(var_dir / "pristine.sqlite3", database)
        command = [
            str(Path(sys.executable).parent / "minqing"),
            "import",
            "households",
            str(var_dir / "roster.xlsx"),
            "--quiet",
        ]
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        result["cli"] = time.perf_counter() - started
        if args.postgres:
            output = subprocess.run(
                [sys.executable, __file__, "--child", "--repeat", str(args.repeat)]
                + ["--roster", str(var_dir / "roster.xlsx")],
                env={**env, "DATABASE_URL": args.postgres},
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            result["postgres"] = eval(output.split("RESULT", 1)[1].strip())  # noqa: S307 - our own child's repr
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    result["pair"], result["spin"] = side_by_side()
    load_after = os.getloadavg()
    rate = result["rows"] / result["write"]
    lines = [
        "",
        "## Import",
        "",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; code at commit {_commit()}",
        f"- Command: `.venv/bin/python bench/bench_import.py --rows {args.rows} --repeat {args.repeat}"
        + (" --postgres URL" if args.postgres else "")
        + "`",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        "SQLite (WAL), fresh database with the county's regions only",
        f"- File: generated .xlsx roster, {result['rows']:,} member rows in {result['households']:,} households "
        f"(title row, filing line, 11 columns, household cells repeated on each member row), {result['size_mb']} MB",
        "- Medians of the runs; every write starts from the same empty database",
        "- Load average (1, 5, 15 min) before / after: "
        + " ".join(f"{x:.2f}" for x in load_before)
        + " / "
        + " ".join(f"{x:.2f}" for x in load_after)
        + " (other work on the machine slows every step, calamine's floor included: compare with its ~90,000 rows/s)",
        "",
        "| Step | Seconds | Rows/s |",
        "|---|--:|--:|",
        f"| calamine alone reads the sheet | {result['calamine']:.2f} | {result['rows'] / result['calamine']:,.0f} |",
        f"| dry run (read, layout, every check, matching) | {result['dry_run']:.2f} | "
        f"{result['rows'] / result['dry_run']:,.0f} |",
        f"| **import, end to end** (read, check, encrypt, hash, insert, commit, audit) | **{result['write']:.2f}** | "
        f"**{rate:,.0f}** |",
        f"| floor: SQLite alone inserts the stored rows and commits (no read, check, encryption) | "
        f"{result['inserts_alone']:.2f} | {result['rows'] / result['inserts_alone']:,.0f} |",
        f"| re-import of the same file (finds everything, writes nothing) | {result['reimport']:.2f} | "
        f"{result['rows'] / result['reimport']:,.0f} |",
        f"| `minqing import households FILE` as a process (with start-up) | {result['cli']:.2f} | "
        f"{result['rows'] / result['cli']:,.0f} |",
        "",
        *(
            [
                f"PostgreSQL (`--postgres`, the same file, medians of {args.repeat}): dry run "
                f"{result['postgres']['dry_run']:.2f} s, import end to end {result['postgres']['write']:.2f} s "
                f"({result['rows'] / result['postgres']['write']:,.0f} rows/s), re-import "
                f"{result['postgres']['reimport']:.2f} s.",
                "",
            ]
            if "postgres" in result
            else []
        ),
        f"Target ≥ {TARGET:,} rows/s end to end on SQLite: **{'met' if rate >= TARGET else 'not met'}** "
        f"({rate:,.0f} rows/s).",
        "",
        f"Against the machine: the import took {result['write'] / result['calamine']:.2f} times as long as "
        f"calamine's reading of the same sheet (the target, set where calamine read ~90,000 rows/s, asks for "
        f"{90_000 / TARGET:.2f} times at most). One core's speed: a fixed Python loop (20 million additions) "
        f"took {result['spin']:.2f} s alone.",
        "",
        f"The two floors alone — calamine reading the sheet and SQLite storing its rows — take "
        f"{result['calamine'] + result['inserts_alone']:.2f} s "
        f"({result['rows'] / (result['calamine'] + result['inserts_alone']):,.0f} rows/s) before any check, "
        "keyed hash, encryption or pinyin. "
        f"Two CPU-bound processes side by side ran {result['pair']:.2f} times as long as one alone on this "
        "machine (1.00: two cores of their own).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write_results:
        results = BENCH / "RESULTS.md"
        current = results.read_text(encoding="utf-8")
        if "\n## Import\n" in current:
            head, _sep, tail = current.partition("\n## Import\n")
            rest = tail.split("\n## ", 1)
            current = head.rstrip("\n") + "\n" + ("\n## " + rest[1] if len(rest) > 1 else "")
        results.write_text(current.rstrip("\n") + "\n" + text, encoding="utf-8")


SPIN = "import time\nt = time.perf_counter()\ns = 0\nfor i in range(20_000_000): s += i\nprint(time.perf_counter() - t)"


def side_by_side() -> tuple[float, float]:
    """How much longer a CPU-bound process takes beside another than alone (best of 2 each),
    and its seconds alone (one core's speed, to compare machines)."""

    def spin(count: int) -> list[float]:
        runs = [
            subprocess.Popen([sys.executable, "-c", SPIN], stdout=subprocess.PIPE, text=True)
            for _ in range(count)
        ]
        return [float(p.communicate()[0]) for p in runs]

    alone = min(spin(1)[0] for _ in range(2))
    together = min(max(spin(2)) for _ in range(2))
    return together / alone, alone


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    main()
