"""Time the SLA clock macro (`sla_clocks`, queries/macros/sla.sql) on a synthetic warehouse.

Builds a synthetic warehouse (default 1M cases over the 90 days before 2026-06-01 12:00) in a
temporary folder, then times `sla_clocks` as of that moment, printing each figure beside the
machine's 1-minute load. tests/unit/test_sla.py checks the clocks of a small one against the
Python reference.

    python benchmarks/bench_sla_clock.py [--cases N] [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_SQL = (ROOT / "watchfloor" / "schema.sql").read_text(encoding="utf-8")
MACRO_SQL = (ROOT / "queries" / "macros" / "sla.sql").read_text(encoding="utf-8")

SYNTHETIC_AS_OF = datetime(2026, 6, 1, 12)

# The synthetic warehouse, one statement at a time: $as_of and $n are bound, never written in.
SYNTHETIC_STATEMENTS = (
    """
    INSERT INTO sla_policies (sla_policy_id, priority, first_action_target_min, resolution_target_min, calendar,
                              pause_on_pending, business_start_hour, business_end_hour) VALUES
        ('p0', 'P0', 15, 240, '24x7', true, 9, 17),
        ('p1', 'P1', 60, 1440, '24x7', true, 9, 17),
        ('p2', 'P2', 240, 2880, 'business', true, 9, 17),
        ('p3', 'P3', 480, 7200, 'business', false, 8, 18);
    """,
    """
    INSERT INTO queues (queue_id, name, vertical, region, tier, sla_policy_id, timezone)
        SELECT 'q' || r || p, 'Queue ' || r || p, 'Fraud & spam', ['AMER', 'EMEA', 'APAC'][r + 1], 'L1', 'p' || p,
               ['America/New_York', 'Europe/Dublin', 'Asia/Singapore'][r + 1]
        FROM range(3) a(r), range(4) b(p);
    """,
    """
    -- Deterministic pseudo-random numbers in (0, 1) from hash(i, k).
    CREATE TEMP TABLE syn AS
        SELECT i, u5,
               $as_of - to_microseconds((u1 * 90 * 86400e6)::BIGINT) AS created_at,
               to_microseconds((-ln(u2) * 3600e6)::BIGINT) AS fa_after,
               to_microseconds((-ln(u3) * 86400e6)::BIGINT) AS res_after,
               i % 3 AS r,
               CASE WHEN u4 < 0.05 THEN 0 WHEN u4 < 0.3 THEN 1 WHEN u4 < 0.7 THEN 2 ELSE 3 END AS p
        FROM (SELECT i, (hash(i, 1) % 1000000 + 0.5) / 1e6 AS u1, (hash(i, 2) % 1000000 + 0.5) / 1e6 AS u2,
                     (hash(i, 3) % 1000000 + 0.5) / 1e6 AS u3, (hash(i, 4) % 1000000 + 0.5) / 1e6 AS u4,
                     (hash(i, 5) % 1000000 + 0.5) / 1e6 AS u5
              FROM range($n) t(i));
    """,
    """
    INSERT INTO cases (case_id, created_at, source, surface, category, priority, region, language, queue_id, status,
                       vendor_id, first_action_at, resolved_at, updated_at)
        SELECT 'c' || i, created_at, 'user_report', 'chat', 'spam', 'P' || p, ['AMER', 'EMEA', 'APAC'][r + 1], 'en',
               'q' || r || p,
               CASE WHEN created_at + fa_after + res_after <= $as_of AND u5 > 0.02 THEN 'resolved' ELSE 'in_review' END,
               'v' || (i % 5),
               CASE WHEN created_at + fa_after <= $as_of THEN created_at + fa_after END,
               CASE WHEN created_at + fa_after + res_after <= $as_of AND u5 > 0.02 THEN created_at + fa_after + res_after END,
               created_at
        FROM syn
        ORDER BY created_at;  -- a warehouse is loaded in time order
    """,
    """
    -- About 7 events a case: 5 % pending_info (4 % answered), 1 % resolved-reopened-resolved.
    INSERT INTO case_events (event_id, case_id, occurred_at, event_type)
        SELECT i * 16 + k, 'c' || i, ts, kind FROM (
            SELECT i, 0 AS k, created_at AS ts, 'created' AS kind FROM syn
            UNION ALL SELECT i, 1, created_at + INTERVAL 1 SECOND, 'routed' FROM syn
            UNION ALL SELECT i, 2, created_at + INTERVAL 2 SECOND, 'assigned' FROM syn
            UNION ALL SELECT i, 3, created_at + fa_after, 'first_action' FROM syn
            UNION ALL SELECT i, 4, created_at + fa_after + res_after / 3, 'pending_info' FROM syn WHERE u5 BETWEEN 0.5 AND 0.55
            UNION ALL SELECT i, 5, created_at + fa_after + res_after / 2, 'info_received' FROM syn WHERE u5 BETWEEN 0.5 AND 0.54
            UNION ALL SELECT i, 6, created_at + fa_after + res_after * 0.8, 'decided' FROM syn
            UNION ALL SELECT i, 7, created_at + fa_after + res_after * 0.9, 'enforced' FROM syn
            UNION ALL SELECT i, 8, created_at + fa_after + res_after / 2, 'resolved' FROM syn WHERE u5 BETWEEN 0.6 AND 0.61
            UNION ALL SELECT i, 9, created_at + fa_after + res_after * 0.7, 'reopened' FROM syn WHERE u5 BETWEEN 0.6 AND 0.61
            UNION ALL SELECT i, 10, created_at + fa_after + res_after, 'resolved' FROM syn WHERE u5 > 0.02
        ) WHERE ts <= $as_of
        ORDER BY ts;  -- in time order, as a case-management system lands them
    """,
)


def build_synthetic_warehouse(path: str | Path, n_cases: int = 1_000_000, as_of: datetime = SYNTHETIC_AS_OF) -> str:
    """A synthetic warehouse for timing sla_clocks: n_cases over the 90 days before as_of, four
    policies (two business-hours) over 12 queues in three time zones, ~7 events a case."""
    values = {"as_of": as_of, "n": int(n_cases)}
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA_SQL).fetchall()
        for statement in SYNTHETIC_STATEMENTS:
            params = {name: value for name, value in values.items() if re.search(rf"\${name}\b", statement)}
            con.execute(statement, params).fetchall()
    finally:
        con.close()
    return str(path)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bench(n_cases: int = 1_000_000, repeats: int = 7) -> None:
    """Print the time of `SELECT state, count(*) FROM sla_clocks(T, T - 1 day)` and its kin on n_cases."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.duckdb"
        start = time.perf_counter()
        build_synthetic_warehouse(path, n_cases)
        print(f"built {n_cases} cases in {time.perf_counter() - start:.1f} s (load {os.getloadavg()[0]:.1f})")
        con = duckdb.connect(str(path), read_only=True)
        con.execute("SET threads = 2").fetchall()
        con.execute("SET TimeZone = 'UTC'").fetchall()
        timed = {
            "create macros": (MACRO_SQL, False),
            "state count, since T - 1 day": ("SELECT state, count(*) FROM sla_clocks($t, $t - INTERVAL 1 DAY) GROUP BY ALL", True),
            "state count, since T - 8 days": ("SELECT state, count(*) FROM sla_clocks($t, $t - INTERVAL 192 HOUR) GROUP BY ALL", True),
            "all rows to Polars, since T - 1 day": ("SELECT * FROM sla_clocks($t, $t - INTERVAL 1 DAY)", True),
        }
        for label, (sql, is_query) in timed.items():
            walls, cpus = [], []
            for _ in range(repeats):
                c0, w0 = _cpu(), time.perf_counter()
                if is_query:
                    con.sql(sql, params={"t": SYNTHETIC_AS_OF}).pl()
                else:
                    con.execute(sql).fetchall()
                walls.append(time.perf_counter() - w0)
                cpus.append(_cpu() - c0)
            print(f"{label}: wall min {min(walls):.3f} s, median {statistics.median(walls):.3f} s; "
                  f"cpu min {min(cpus):.3f} s (load {os.getloadavg()[0]:.1f})")
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases in the synthetic warehouse")
    parser.add_argument("--repeats", type=int, default=7, help="runs of each query")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.repeats < 1:
        parser.error("--cases and --repeats must be at least 1")
    bench(args.cases, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
