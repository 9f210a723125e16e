"""`make bench`: the seed benchmark and the page benchmark, written to benchmarks/*.md.

Page benchmark: for each page, the time to fetch all its data through the query
runner cold (result cache cleared, warehouse connection closed) and warm (cached),
on a 1M-case warehouse, next to the time DuckDB itself needs for the same SQL
with the same parameters on an open connection. Targets: cold <= 0.5 s (the Capacity
page: <= 1 s) and <= 1.5 x raw DuckDB, warm <= 50 ms. For the Capacity page also the
cold fetch with the staffing plan, backlog projection and vendor hours worked out from
it (the day's forecast already fitted: it is fitted once a day, benchmarks/forecast.md).
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

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import queries  # noqa: E402
from queries import plans  # noqa: E402
from watchfloor.filters import default_filters  # noqa: E402
from watchfloor.warehouse import SUMMARY_TABLES, existing_tables  # noqa: E402

WORK = ROOT / "benchmarks" / "work"
BENCH_END = datetime(2026, 11, 20, 0, 0)
COLD_TARGET_S = 0.5
COLD_TARGETS_S = {"capacity": 1.0}
COLD_RATIO_TARGET = 1.5
WARM_TARGET_S = 0.05
REPEATS = 5


# Page benchmark warehouses: `make bench` at 1M cases, `make bench-10m` at 10M (seeded by
# bench_seed.py, so its build time and memory go to seed.md).
SIZES = {
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


def page_benchmark(warehouse: Path, only: list[str] | None = None, days: int | None = None) -> list[dict]:
    as_of = BENCH_END
    filters = default_filters(as_of.date())
    if days is not None:  # the date range's length, ending on the benchmark's last day
        filters = dataclasses.replace(filters, start=as_of.date() - timedelta(days=days - 1))
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET GLOBAL TimeZone = 'UTC'").fetchall()
    install_macros(con)
    cases = con.sql("SELECT count(*) FROM cases").fetchall()[0][0]
    rows = []
    for page, make_plan in plans.PAGE_PLANS.items():
        if only and page not in only:
            continue
        plan = make_plan(as_of, filters)
        raw_seconds(con, plan)  # let DuckDB and the OS page cache warm up once
        raw = statistics.median(raw_seconds(con, plan) for _ in range(REPEATS))
        con.close()
        first_open = statistics.median(runner_seconds(str(warehouse), plan, cold=True, reopen=True) for _ in range(REPEATS))
        cold = statistics.median(runner_seconds(str(warehouse), plan, cold=True) for _ in range(REPEATS))
        warm = statistics.median(runner_seconds(str(warehouse), plan, cold=False) for _ in range(REPEATS))
        queries.close_all()
        con = duckdb.connect(str(warehouse), read_only=True)
        con.execute("SET GLOBAL TimeZone = 'UTC'").fetchall()
        install_macros(con)
        row = {"page": page, "days": (filters.end - filters.start).days + 1, "queries": len(plan), "cases": cases, "raw": raw, "cold": cold, "first_open": first_open, "warm": warm}
        if page == "capacity":
            row["with_plan"] = capacity_with_plan(str(warehouse), plan, as_of)
            print(f"{page:>12}: cold fetch + staffing plan, backlog projection, vendor hours {row['with_plan']*1000:7.1f} ms", flush=True)
        rows.append(row)
        print(f"{page:>12} {row['days']:>3} d, load {os.getloadavg()[0]:4.1f}: raw {raw*1000:7.1f} ms  cold {cold*1000:7.1f} ms  first open {first_open*1000:7.1f} ms  warm {warm*1000:6.2f} ms", flush=True)
    con.close()
    return rows


def capacity_with_plan(warehouse: str, plan: list[plans.QueryCall], as_of: datetime) -> float:
    """Median cold time of the Capacity page's fetch plus everything it works out from the frames,
    with the day's forecast already fitted (untimed, once)."""
    from queries import demand
    from watchfloor import capacity as cap

    data = plans.fetch(plan, warehouse=warehouse)
    teams = cap.groups(data["queues"])["team"].to_list()
    demand.group_forecast(warehouse, as_of, data["arrivals"], teams)
    times = []
    for _ in range(REPEATS):
        queries.clear_cache()
        start = time.perf_counter()
        data = plans.fetch(plan, warehouse=warehouse)
        groups = cap.groups(data["queues"])
        forecast = demand.group_forecast(warehouse, as_of, data["arrivals"], groups["team"].to_list())
        view = cap.outlook(data, groups, forecast, as_of, groups["team"].to_list())
        cap.plan_csv(view.frame)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def verdict(row: dict) -> str:
    ok = row["cold"] <= COLD_TARGETS_S.get(row["page"], COLD_TARGET_S) and row["cold"] <= COLD_RATIO_TARGET * row["raw"] and row["warm"] <= WARM_TARGET_S
    return "meets" if ok else "MISSES"


def write_results(rows: list[dict], path: Path, per_day: int = 11100) -> None:
    lines = [
        "# Page benchmark",
        "",
        f"Run {datetime.now():%Y-%m-%d %H:%M} on {platform.node() or 'this machine'}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, load {os.getloadavg()[0]:.1f} when "
        f"written. Warehouse: {rows[0]['cases']:,} cases "
        f"(`watchfloor seed --days 90 --cases-per-day {per_day} --seed 11`).",
        "",
        "Each figure is the median of 5 runs. *raw* is DuckDB running the page's SQL on an open connection; "
        "*cold* is the query runner with its result cache cleared, its reader connection open (the state of a "
        "dashboard in use: the connection is held for 10 s after the last query); *first open* is the same with the "
        "connection closed first, so it adds opening the file and DuckDB's empty buffer cache; *warm* is the runner "
        "answering from its result cache. Targets: cold <= 500 ms (capacity: <= 1 s) and <= 1.5 x raw, warm <= 50 ms.",
        "",
        "| page | queries | raw DuckDB (ms) | cold (ms) | cold / raw | first open (ms) | warm (ms) | targets |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['page']} | {row['queries']} | {row['raw']*1000:.1f} | {row['cold']*1000:.1f} | "
            f"{row['cold']/row['raw']:.2f} | {row['first_open']*1000:.1f} | {row['warm']*1000:.2f} | {verdict(row)} |"
        )
    for row in rows:
        if "with_plan" in row:
            lines += ["", f"Capacity, cold fetch plus the staffing plan, backlog projection, vendor hours and CSV worked out "
                          f"from it (the day's forecast fitted beforehand): {row['with_plan']*1000:.1f} ms (target <= 1 s; "
                          f"load {os.getloadavg()[0]:.1f} when written)."]
    path.write_text("\n".join(lines) + "\n")
    print(f"wrote {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Watchfloor benchmarks")
    parser.add_argument("--skip-seed-bench", action="store_true", help="only run the page benchmark")
    parser.add_argument("--page", action="append", metavar="PAGE",
                        help="time only this page (repeatable); prints the figures without writing results.md")
    parser.add_argument("--days", type=int, action="append", metavar="N",
                        help="with --page: the length of the date range in days (repeatable; default: the pages' default)")
    parser.add_argument("--size", choices=sorted(SIZES), default="1m",
                        help="10m: the page benchmark on a 10M-case warehouse (benchmarks/work/bench_10m.duckdb, "
                             "reused while fresh), written to benchmarks/results-10m.md; no seed benchmark")
    args = parser.parse_args()
    if args.size == "10m" and not args.page:
        spec = SIZES["10m"]
        rows = page_benchmark(ensure_fresh("10m"))
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
        rows = []
        for days in args.days or [None]:
            rows += page_benchmark(warehouse, only=args.page, days=days)
        for row in rows:
            print(f"{row['page']}: {verdict(row)}")
        return 0 if all(verdict(r) == "meets" for r in rows) else 1
    if not args.skip_seed_bench and (ROOT / "benchmarks" / "bench_seed.py").exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_seed.py")], check=True, cwd=ROOT)
    warehouse = WORK / "bench_1m.duckdb"
    ensure_warehouse(warehouse, days=90, per_day=11100)
    rows = page_benchmark(warehouse)
    write_results(rows, ROOT / "benchmarks" / "results.md")
    return 0 if all(verdict(r) == "meets" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
