"""The counting queries read from the hourly counts against the same queries on the raw cases.

For every named query that reads `summary_case_hours`, on the 1M-case page-benchmark warehouse
(benchmarks/work/bench_1m.duckdb; run `watchfloor refresh` on it first) at 7, 30 and 90-day ranges,
as the pages call it (Trends hourly and daily, Incidents): the median time DuckDB needs for the
query as the pages run it and for the same query on the raw macros (`case_hours`,
`case_hour_accounts`), interleaved so that both see the same load, printed beside each line as a
markdown table row (benchmarks/summaries.md, "Hourly counts").

    python benchmarks/bench_hourly.py [--repeats N] [--days N ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import queries  # noqa: E402
from benchmarks.bench_summaries import timed  # noqa: E402
from queries import plans  # noqa: E402
from watchfloor import summaries  # noqa: E402
from watchfloor.cli.options import whole_number  # noqa: E402
from watchfloor.filters import Filters  # noqa: E402

WAREHOUSE = ROOT / "benchmarks" / "work" / "bench_1m.duckdb"
BENCH_END = datetime(2026, 11, 20, 0, 0)


def switched() -> list[str]:
    return [n for n in queries.available() if "summary_case_hours" in queries.query_words(n)]


def raw_form(sql: str) -> str:
    return sql.replace("summary_case_hours(", "case_hours(").replace("summary_case_hour_accounts(", "case_hour_accounts(")


def calls(days: int) -> list[tuple[str, str, dict]]:
    """(query, label, parameters) for each distinct call the pages make over the last `days` days."""
    end = BENCH_END.date()
    filters = Filters(start=end - timedelta(days=days - 1), end=end)
    names = set(switched())
    found: list[tuple[str, str, dict]] = []
    plan = [*plans.trends(BENCH_END, filters, hourly=True), *plans.trends(BENCH_END, filters, hourly=False),
            *plans.incidents(BENCH_END, filters)]
    for call in plan:
        params = {k: list(v) if isinstance(v, tuple) else v for k, v in call.params.items()}
        if call.name in names and all(params != p for _, _, p in found):
            label = call.name
            if call.name == "trends_series":
                label += f" ({call.key}, {'hourly' if params['hourly'] else 'daily'})"
            found.append((call.name, label, params))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=whole_number(1), default=3)
    parser.add_argument("--days", type=whole_number(1), action="append")
    args = parser.parse_args()
    con = duckdb.connect(str(WAREHOUSE), read_only=True)
    if not summaries.read_state(con).built:
        print("the summaries are not built at this version: run `watchfloor refresh` on the warehouse first")
        return 1
    con.execute("SET TimeZone = 'UTC'").fetchall()
    for name in switched():
        for setup in queries.macro_sql_for(name):
            con.execute(setup).fetchall()
    print("| query | days | raw cases (ms) | hourly counts (ms) | load |")
    print("|---|---:|---:|---:|---|")
    for days in args.days or [7, 30, 90]:
        for name, label, params in calls(days):
            sql = queries.load(name).sql
            raw, summary, loads = [], [], [os.getloadavg()[0]]
            for _ in range(args.repeats):
                raw.append(timed(con, raw_form(sql), params))
                summary.append(timed(con, sql, params))
            loads.append(os.getloadavg()[0])
            print(f"| {label} | {days} | {statistics.median(raw) * 1000:.1f} | {statistics.median(summary) * 1000:.1f} "
                  f"| {min(loads):.1f}-{max(loads):.1f} |", flush=True)
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
