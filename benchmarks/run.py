"""`make bench`: the seed benchmark and the page benchmark, written to benchmarks/*.md.

Page benchmark, for each page at 7, 30 and 90-day ranges ending on the warehouse's last day: the
time to fetch all its data through the query runner cold (result cache cleared) and warm (cached),
next to the time DuckDB itself needs for the same SQL with the same parameters on an open
connection; and the time of the page's whole run for a signed-in user, cold and rerun
(benchmarks/page_runs.py): its queries, the figures worked out from them and the elements it
sends. Targets: the whole page cold <= 1 s on 1M cases and <= 2 s on 10M at every range; the
fetch <= 1.5 x raw DuckDB and warm <= 50 ms; at the default 7 days on 1M also the fetch cold
<= 0.5 s (the Capacity page: <= 1 s). For the Capacity page also the cold fetch with the staffing
plan, backlog projection and vendor hours worked out from it (the day's forecast already fitted:
it is fitted once a day, benchmarks/forecast.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypedDict

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import page_runs  # noqa: E402

import queries  # noqa: E402
from queries import plans  # noqa: E402
from watchfloor.filters import DEFAULT_DAYS, default_filters  # noqa: E402
from watchfloor.schema import SUMMARY_TABLES  # noqa: E402
from watchfloor.warehouse import existing_tables  # noqa: E402

WORK = ROOT / "benchmarks" / "work"
BENCH_END = datetime(2026, 11, 20, 0, 0)
RANGES = (DEFAULT_DAYS, 30, 90)  # days, the pages' default first
PAGE_COLD_TARGET_S = {"1m": 1.0, "10m": 2.0}  # the whole page run, cold, at every range
DEFAULT_COLD_TARGET_S = 0.5  # the fetch at the default range on 1M
DEFAULT_COLD_TARGETS_S = {"capacity": 1.0}
COLD_RATIO_TARGET = 1.5
WARM_TARGET_S = 0.05
REPEATS = {"1m": 5, "10m": 3}
PAGE_REPEATS = {"1m": 3, "10m": 2}


# Page benchmark warehouses: `make bench` at 1M cases, `make bench-10m` at 10M (seeded by
# bench_seed.py, so its build time and memory go to seed.md).
class BenchSize(TypedDict):
    file: str  # under benchmarks/work/
    days: int
    per_day: int
    results: str  # under benchmarks/


SIZES: dict[str, BenchSize] = {
    "1m": {"file": "bench_1m.duckdb", "days": 90, "per_day": 11100, "results": "results.md"},
    "10m": {"file": "bench_10m.duckdb", "days": 90, "per_day": 111000, "results": "results-10m.md"},
}


def is_fresh(path: Path, days: int, per_day: int) -> bool:
    """The warehouse at path was seeded with these options (seed 11, ending BENCH_END) and is newer than
    the simulator and the schema that built it."""
    if not path.exists():
        return False
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            meta = dict(con.sql("SELECT key, value FROM watchfloor_meta").fetchall())
    except duckdb.Error:
        return False
    wanted = {"seed": "11", "days": str(days), "cases_per_day": str(per_day),
              "sim_end": BENCH_END.isoformat(sep=" ")}
    if any(meta.get(k) != v for k, v in wanted.items()):
        return False
    sources = list((ROOT / "watchfloor" / "simulator").glob("*.py")) + [ROOT / "watchfloor" / "schema.sql"]
    return path.stat().st_mtime > max(p.stat().st_mtime for p in sources)


def ensure_fresh(size: str) -> Path:
    """The size's warehouse under benchmarks/work/, reused if fresh, else seeded anew (and timed)."""
    spec = SIZES[size]
    path = WORK / spec["file"]
    if is_fresh(path, spec["days"], spec["per_day"]):
        print(f"reusing {path} ({spec['days']} days x {spec['per_day']} cases/day, seed 11)", flush=True)
        return path
    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_seed.py"), "--sizes", size, "--into", str(path)],
                   check=False, cwd=ROOT)
    if not is_fresh(path, spec["days"], spec["per_day"]):
        raise SystemExit(f"seeding {path} failed")
    return path


def ensure_warehouse(path: Path, days: int, per_day: int) -> None:
    if path.exists():
        with duckdb.connect(str(path), read_only=True) as con:
            summarised = set(SUMMARY_TABLES) <= set(existing_tables(con))
        if not summarised:  # seeded before the summaries existed: built now, outside the timing
            subprocess.run([sys.executable, "-m", "watchfloor", "refresh", "--warehouse", str(path), "--full"],
                           check=True, cwd=ROOT)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"seeding {days} days x {per_day} cases/day into {path} ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "watchfloor", "seed", "--warehouse", str(path), "--days", str(days),
         "--cases-per-day", str(per_day), "--seed", "11", "--end", BENCH_END.isoformat(), "--no-progress"],
        check=True, cwd=ROOT,
    )


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Raw DuckDB gets the macros created once, outside the timing."""
    for name in queries.available():
        for setup in queries.macro_sql_for(name):
            con.execute(setup).fetchall()


def raw_connection(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB on the warehouse, read-only, in UTC, with every macro created (outside the timing)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET GLOBAL TimeZone = 'UTC'").fetchall()
    install_macros(con)
    return con


def raw_seconds(con: duckdb.DuckDBPyConnection, plan: list[plans.QueryCall]) -> float:
    start = time.perf_counter()
    for call in plan:
        params = {k: list(v) if isinstance(v, tuple) else v for k, v in call.params.items()}
        con.sql(queries.load(call.name).sql, params=params or None).pl()
    return time.perf_counter() - start


def runner_seconds(warehouse: str, plan: list[plans.QueryCall], cold: bool, reopen: bool = False) -> float:
    if cold:
        queries.clear_cache()
    if reopen:
        queries.close_all()
    start = time.perf_counter()
    plans.fetch(plan, warehouse=warehouse)
    return time.perf_counter() - start


def page_benchmark(warehouse: Path, size: str, only: list[str] | None = None, days: int | None = None) -> list[dict]:
    as_of = BENCH_END
    filters = default_filters(as_of.date())
    if days is not None:  # the date range's length, ending on the benchmark's last day
        filters = dataclasses.replace(filters, start=as_of.date() - timedelta(days=days - 1))
    repeats = REPEATS[size]
    con = raw_connection(warehouse)
    cases = con.sql("SELECT count(*) FROM cases").fetchall()[0][0]
    rows = []
    for page, make_plan in plans.PAGE_PLANS.items():
        if only and page not in only:
            continue
        plan = make_plan(as_of, filters)
        try:
            row = _page_row(con, warehouse, size, page, plan, filters, repeats, cases, as_of)
        except Exception as exc:  # a page that fails or times out is a row of its own, not the end of the run
            row = {"page": page, "size": size, "days": (filters.end - filters.start).days + 1, "queries": len(plan),
                   "cases": cases, "failed": str(exc).splitlines()[0][:200], "load": os.getloadavg()[0]}
            print(f"{page:>12} {row['days']:>3} d: FAILED {row['failed']}", flush=True)
        queries.close_all()
        con.close()  # (already closed by _page_row unless it failed before)
        con = raw_connection(warehouse)
        rows.append(row)
    con.close()
    return rows


def _page_row(con, warehouse: Path, size: str, page: str, plan, filters, repeats: int, cases: int,
              as_of: datetime) -> dict:
    raw_seconds(con, plan)  # let DuckDB and the OS page cache warm up once
    raw = statistics.median(raw_seconds(con, plan) for _ in range(repeats))
    con.close()
    first_open = statistics.median(runner_seconds(str(warehouse), plan, cold=True, reopen=True) for _ in range(repeats))
    cold = statistics.median(runner_seconds(str(warehouse), plan, cold=True) for _ in range(repeats))
    warm = statistics.median(runner_seconds(str(warehouse), plan, cold=False) for _ in range(repeats))
    row = {"page": page, "size": size, "days": (filters.end - filters.start).days + 1, "queries": len(plan),
           "cases": cases, "raw": raw, "cold": cold, "first_open": first_open, "warm": warm,
           "page_cold": None, "page_warm": None}
    if page in page_runs.SCRIPTS:
        with page_runs.serving(warehouse, as_of):
            row["page_cold"], row["page_warm"] = page_runs.page_run_seconds(
                page, filters.start, filters.end, PAGE_REPEATS[size])
    if page == "capacity" and row["days"] == RANGES[0]:
        row["with_plan"] = capacity_with_plan(str(warehouse), plan, as_of)
        print(f"{page:>12}: cold fetch + staffing plan, backlog projection, vendor hours {row['with_plan']*1000:7.1f} ms", flush=True)
    row["load"] = os.getloadavg()[0]
    whole = (f"  page run cold {row['page_cold']*1000:7.1f} ms  rerun {row['page_warm']*1000:6.1f} ms"
             if row["page_cold"] is not None else "")
    print(f"{page:>12} {row['days']:>3} d, load {row['load']:4.1f}: raw {raw*1000:7.1f} ms  cold {cold*1000:7.1f} ms  "
          f"first open {first_open*1000:7.1f} ms  warm {warm*1000:6.2f} ms{whole}", flush=True)
    return row


def ranges_benchmark(warehouse: Path, size: str, only: list[str] | None = None,
                     ranges: tuple[int, ...] = RANGES) -> list[dict]:
    """Every page (or those in `only`) at each range, the default 7 days first."""
    rows = []
    for days in ranges:
        rows += page_benchmark(warehouse, size, only, None if days == RANGES[0] else days)
    return rows


def capacity_with_plan(warehouse: str, plan: list[plans.QueryCall], as_of: datetime) -> float:
    """Median cold time of the Capacity page's fetch plus everything it works out from the frames,
    with the day's forecast already fitted (untimed, once)."""
    from queries import demand_forecasts
    from watchfloor import capacity as cap

    data = plans.fetch(plan, warehouse=warehouse)
    teams = cap.groups(data["queues"])["team"].to_list()
    demand_forecasts.group_forecast(warehouse, as_of, data["arrivals"], teams)
    times = []
    for _ in range(REPEATS["1m"]):
        queries.clear_cache()
        start = time.perf_counter()
        data = plans.fetch(plan, warehouse=warehouse)
        groups = cap.groups(data["queues"])
        forecast = demand_forecasts.group_forecast(warehouse, as_of, data["arrivals"], groups["team"].to_list())
        view = cap.outlook(data, groups, forecast, as_of, groups["team"].to_list())
        cap.plan_csv(view.frame)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def verdict(row: dict) -> str:
    if "failed" in row:
        return "MISSES"
    ok = row["cold"] <= COLD_RATIO_TARGET * row["raw"] and row["warm"] <= WARM_TARGET_S
    if row["page_cold"] is not None:
        ok = ok and row["page_cold"] <= PAGE_COLD_TARGET_S[row["size"]]
    else:  # a drill-down or the sidebar: its fetch is the whole of what it adds to a page
        ok = ok and row["cold"] <= PAGE_COLD_TARGET_S[row["size"]]
    if row["size"] == "1m" and row["days"] == RANGES[0]:
        ok = ok and row["cold"] <= DEFAULT_COLD_TARGETS_S.get(row["page"], DEFAULT_COLD_TARGET_S)
    return "meets" if ok else "MISSES"


def write_results(rows: list[dict], path: Path, per_day: int = 11100) -> None:
    size = rows[0]["size"]
    lines = [
        "# Page benchmark" + (" at 10M cases" if size == "10m" else ""),
        "",
        f"Run {datetime.now():%Y-%m-%d %H:%M} on {platform.node() or 'this machine'}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}. Warehouse: {rows[0]['cases']:,} cases "
        f"(`watchfloor seed --days 90 --cases-per-day {per_day} --seed 11`), every range ending on its last day.",
        "",
        f"Fetch figures are the median of {REPEATS[size]} runs, page runs of {PAGE_REPEATS[size]}. *raw* is DuckDB "
        "running the page's SQL on an open connection; *cold* is the query runner with its result cache cleared, "
        "its reader connection open (the state of a dashboard in use); *first open* is the same with the connection "
        "closed first, so it adds opening the file and DuckDB's empty buffer cache; *warm* is the runner answering "
        "from its result cache. *Page run* is the page's whole script for a signed-in user (Streamlit's AppTest): "
        "its queries, the figures worked out from them and the elements it sends, cold (results and figures "
        "cleared) and rerun; the sidebar (shell), a queue's history and a case are parts of pages and have no "
        "run of their own. *load* is the machine's 1-minute load when the row was taken.",
        "",
        f"Targets: the page run cold <= {PAGE_COLD_TARGET_S[size]:g} s at every range (a part of a page: its fetch), "
        f"the fetch <= {COLD_RATIO_TARGET} x raw and warm <= {WARM_TARGET_S * 1000:.0f} ms"
        + (f"; at the default {RANGES[0]} days also the fetch cold <= {DEFAULT_COLD_TARGET_S * 1000:.0f} ms "
           f"(capacity: <= {DEFAULT_COLD_TARGETS_S['capacity']:g} s)." if size == "1m" else "."),
        "",
        "| page | days | queries | raw DuckDB (ms) | cold (ms) | cold / raw | first open (ms) | warm (ms) "
        "| page run cold (ms) | page rerun (ms) | load | targets |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        if "failed" in row:
            lines.append(f"| {row['page']} | {row['days']} | {row['queries']} | failed: {row['failed']} "
                         f"| | | | | | | {row['load']:.1f} | MISSES |")
            continue
        whole = (f"{row['page_cold']*1000:.1f} | {row['page_warm']*1000:.1f}" if row["page_cold"] is not None
                 else "- | -")
        lines.append(
            f"| {row['page']} | {row['days']} | {row['queries']} | {row['raw']*1000:.1f} | {row['cold']*1000:.1f} | "
            f"{row['cold']/row['raw']:.2f} | {row['first_open']*1000:.1f} | {row['warm']*1000:.2f} | {whole} | "
            f"{row['load']:.1f} | {verdict(row)} |"
        )
    for row in rows:
        if "with_plan" in row:
            lines += ["", f"Capacity, cold fetch plus the staffing plan, backlog projection, vendor hours and CSV worked out "
                          f"from it (the day's forecast fitted beforehand): {row['with_plan']*1000:.1f} ms (target <= 1 s; "
                          f"load {row['load']:.1f})."]
    path.write_text("\n".join(lines) + "\n")
    print(f"wrote {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Watchfloor benchmarks")
    parser.add_argument("--skip-seed-bench", action="store_true", help="only run the page benchmark")
    parser.add_argument("--page", action="append", metavar="PAGE",
                        help="time only this page (repeatable); prints the figures without writing results.md")
    parser.add_argument("--days", type=int, action="append", metavar="N",
                        help="with --page: the length of the date range in days (repeatable; default: 7, 30 and 90)")
    parser.add_argument("--size", choices=sorted(SIZES), default="1m",
                        help="10m: the page benchmark on a 10M-case warehouse (benchmarks/work/bench_10m.duckdb, "
                             "reused while fresh), written to benchmarks/results-10m.md; no seed benchmark")
    args = parser.parse_args()
    if args.size == "10m" and not args.page:
        spec = SIZES["10m"]
        rows = ranges_benchmark(ensure_fresh("10m"), "10m")
        write_results(rows, ROOT / "benchmarks" / spec["results"], per_day=spec["per_day"])
        return 0 if all(verdict(r) == "meets" for r in rows) else 1
    if args.page:
        unknown = sorted(set(args.page) - set(plans.PAGE_PLANS))
        if unknown:
            parser.error(f"unknown page(s) {', '.join(unknown)}; known: {', '.join(plans.PAGE_PLANS)}")
        if args.size == "10m":
            warehouse = ensure_fresh("10m")
        else:
            warehouse = WORK / "bench_1m.duckdb"
            ensure_warehouse(warehouse, days=90, per_day=11100)
        rows = ranges_benchmark(warehouse, args.size, args.page, tuple(args.days or RANGES))
        for row in rows:
            print(f"{row['page']} {row['days']} d: {verdict(row)}")
        return 0 if all(verdict(r) == "meets" for r in rows) else 1
    if not args.skip_seed_bench and (ROOT / "benchmarks" / "bench_seed.py").exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_seed.py")], check=True, cwd=ROOT)
    warehouse = WORK / "bench_1m.duckdb"
    ensure_warehouse(warehouse, days=90, per_day=11100)
    rows = ranges_benchmark(warehouse, "1m")
    write_results(rows, ROOT / "benchmarks" / "results.md")
    return 0 if all(verdict(r) == "meets" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
