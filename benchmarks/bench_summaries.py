"""The queries read from the summaries against the same queries replaying the raw events.

For every named query that reads a summary macro (`summary_sla_clocks`, `summary_reviewer_sessions`,
`summary_routing_segments`) or summary tables with a definition of their own (`routing_stage_hours`), on the 1M-case page-benchmark warehouse
(benchmarks/work/bench_1m.duckdb, its summaries refreshed first if they are not built) at 7, 30
and 90-day ranges: the median time DuckDB needs for the query as the pages run it (summaries)
and for the same query on the raw macro (`sla_clocks`, `reviewer_sessions`, `routing_segments`), interleaved so that both see the same
machine load, which is printed beside each line. Writes benchmarks/summaries.md.

    python benchmarks/bench_summaries.py [--repeats N] [--days N ...] [--query NAME ...]

With --query only those queries are timed, and the figures are printed, not written.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import queries  # noqa: E402
from queries import plans  # noqa: E402
from watchfloor import summaries  # noqa: E402
from watchfloor.cli.options import whole_number  # noqa: E402
from watchfloor.filters import Filters  # noqa: E402

WAREHOUSE = ROOT / "benchmarks" / "work" / "bench_1m.duckdb"
BENCH_END = datetime(2026, 11, 20, 0, 0)


# Each summary macro and the raw macro it stands in for (same arguments, same rows).
RAW_FORMS = {"summary_sla_clocks": "sla_clocks", "summary_reviewer_sessions": "reviewer_sessions",
             "summary_period_handlings": "period_handlings", "summary_routing_segments": "routing_segments"}
# Queries that read summary tables of their own, with the definition their test checks them against.
DEFINITIONS = {"routing_stage_hours": ROOT / "tests" / "unit" / "routing_stage_hours_definition.sql"}


def switched() -> list[str]:
    return [n for n in queries.available() if set(RAW_FORMS) & queries.query_words(n) or n in DEFINITIONS]


def raw_form(name: str, sql: str) -> str:
    if name in DEFINITIONS:
        return DEFINITIONS[name].read_text(encoding="utf-8")
    for summary, raw in RAW_FORMS.items():
        sql = sql.replace(f"{summary}(", f"{raw}(")
    return sql


def calls(days: int) -> dict[str, dict]:
    """One call per switched query, as the pages make it over the last `days` days."""
    end = BENCH_END.date()
    filters = Filters(start=end - timedelta(days=days - 1), end=end)
    found: dict[str, dict] = {}
    names = set(switched())
    for make in plans.PAGE_PLANS.values():
        for call in make(BENCH_END, filters):
            if call.name in names and call.name not in found:
                found[call.name] = {k: list(v) if isinstance(v, tuple) else v for k, v in call.params.items()}
    return found


def timed(con, sql: str, params: dict) -> float:
    start = time.perf_counter()
    con.sql(sql, params=params or None).pl()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=whole_number(1), default=3)
    parser.add_argument("--days", type=whole_number(1), action="append")
    parser.add_argument("--query", action="append", metavar="NAME", help="time only this query (repeatable)")
    args = parser.parse_args()
    if not WAREHOUSE.exists():
        print(f"no warehouse at {WAREHOUSE}: run `make bench` once to seed it", file=sys.stderr)
        return 1
    con = duckdb.connect(str(WAREHOUSE), read_only=True)
    built = summaries.read_state(con).built
    con.close()
    if not built:
        print("refreshing the summaries ...", flush=True)
        started = time.perf_counter()
        report = summaries.refresh_file(WAREHOUSE)
        print(f"{report.line()} in {time.perf_counter() - started:.1f} s (load {os.getloadavg()[0]:.1f})", flush=True)
    con = duckdb.connect(str(WAREHOUSE), read_only=True)
    con.execute("SET GLOBAL TimeZone = 'UTC'").fetchall()
    for name in switched():
        for setup in queries.macro_sql_for(name):
            con.execute(setup).fetchall()
    rows = []
    for days in args.days or [7, 30, 90]:
        for name, params in sorted(calls(days).items()):
            if args.query and name not in args.query:
                continue
            sql = queries.load(name).sql
            raw_sql = raw_form(name, sql)
            timed(con, sql, params)  # warm DuckDB's buffers once for each form
            timed(con, raw_sql, params)
            summary_t, raw_t, loads = [], [], []
            for _ in range(args.repeats):
                loads.append(os.getloadavg()[0])
                summary_t.append(timed(con, sql, params))
                raw_t.append(timed(con, raw_sql, params))
            row = (name, days, statistics.median(raw_t), statistics.median(summary_t), min(loads), max(loads))
            rows.append(row)
            print(f"{name:>22} {days:>3} d: raw events {row[2]*1000:8.1f} ms  summaries {row[3]*1000:7.1f} ms  "
                  f"(load {row[4]:.1f}-{row[5]:.1f})", flush=True)
    con.close()
    if args.query:
        return 0
    lines = [
        "# Summary queries against raw events",
        "",
        f"Run {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, DuckDB {duckdb.__version__}, on "
        "`benchmarks/work/bench_1m.duckdb` (the page benchmark's 1M cases), as of 2026-11-20 00:00 UTC. "
        f"Median of {args.repeats} runs of DuckDB alone on an open connection, the two forms interleaved; "
        "*raw events* is the same SQL on `sla_clocks`, `reviewer_sessions` or `routing_segments` (the definitions, "
        "replaying the raw events; for `routing_stage_hours` its definition, tests/unit/routing_stage_hours_definition.sql), "
        "*summaries* what the pages run (`summary_sla_clocks`, `summary_reviewer_sessions`, "
        "`summary_routing_segments`, the stage-day summaries). Load: the 1-minute load average during the runs.",
        "",
        "| query | days | raw events (ms) | summaries (ms) | load |",
        "|---|---:|---:|---:|---|",
    ]
    lines += [f"| {n} | {d} | {r*1000:.1f} | {s*1000:.1f} | {lo:.1f}-{hi:.1f} |" for n, d, r, s, lo, hi in rows]
    (ROOT / "benchmarks" / "summaries.md").write_text("\n".join(lines) + "\n")
    print("wrote benchmarks/summaries.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
