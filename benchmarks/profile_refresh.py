"""Where a full summary refresh spends its time: every statement's wall and CPU time and the
process's peak resident memory during it, summed per statement over the batches, then the COMMIT.

Runs watchfloor.summaries.refresh on a warehouse file as `watchfloor refresh --full` does (its
memory bound, one transaction) and commits it, so point it at a copy. CPU time is the process's
(every DuckDB thread); wall well above CPU / cores means a phase on one core, spilling or I/O. The
machine's 1-minute load is printed at the start and the end (2 CPUs: above 2 means contention).

    python benchmarks/profile_refresh.py benchmarks/work/bench_1m.duckdb [--top 25]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path
from typing import cast

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from watchfloor import summaries  # noqa: E402


class _PeakRss:
    """The process's resident memory, sampled every 20 ms; `take()` gives the peak since the last."""

    def __init__(self) -> None:
        self.peak = 0
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while True:
            with open("/proc/self/statm") as f:
                self.peak = max(self.peak, int(f.read().split()[1]) * page)
            time.sleep(0.02)

    def take(self) -> int:
        peak, self.peak = self.peak, 0
        return peak


class _Timed:
    """A connection whose execute() records each statement's wall, CPU and peak memory."""

    def __init__(self, con: duckdb.DuckDBPyConnection, rss: _PeakRss, log: dict) -> None:
        self._con, self._rss, self._log = con, rss, log

    def __getattr__(self, name):
        return getattr(self._con, name)

    def execute(self, sql: str, *args, **kwargs):
        self._rss.take()
        wall, cpu = time.perf_counter(), time.process_time()
        rows = self._con.execute(sql, *args, **kwargs).fetchall()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        words = " ".join(line for line in sql.splitlines() if line.strip() and not line.lstrip().startswith("--"))
        entry = self._log.setdefault(" ".join(words.split())[:70], [0.0, 0.0, 0, 0])
        entry[0] += wall
        entry[1] += cpu
        entry[2] = max(entry[2], self._rss.take())
        entry[3] += 1
        return _Rows(rows)


class _Rows:
    def __init__(self, rows) -> None:
        self._rows = rows

    def fetchall(self):
        return self._rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    rss = _PeakRss()
    log: dict[str, list[float]] = {}  # statement -> [wall s, CPU s, peak bytes, runs]
    con = duckdb.connect(args.warehouse)
    con.execute("SET TimeZone = 'UTC'").fetchall()
    con.execute("SET memory_limit = $limit", {"limit": summaries.BUILD_MEMORY_LIMIT}).fetchall()
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    con.execute("BEGIN TRANSACTION").fetchall()
    # _Timed hands every other attribute on to the connection, which the checker cannot see
    report = summaries.refresh(cast(duckdb.DuckDBPyConnection, _Timed(con, rss, log)))
    rss.take()
    commit_wall, commit_cpu = time.perf_counter(), time.process_time()
    con.execute("COMMIT").fetchall()
    commit_wall, commit_cpu = time.perf_counter() - commit_wall, time.process_time() - commit_cpu
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(report.line())
    print(f"{'wall s':>8} {'CPU s':>8} {'peak GiB':>8} {'runs':>4}  statement")
    for head, (w, c, peak, runs) in sorted(log.items(), key=lambda kv: -kv[1][0])[:args.top]:
        print(f"{w:8.2f} {c:8.2f} {peak / 2**30:8.2f} {runs:4d}  {head}")
    print(f"{commit_wall:8.2f} {commit_cpu:8.2f} {rss.take() / 2**30:8.2f} {1:4d}  COMMIT")
    print(f"total: {wall:.1f} s wall, {cpu:.1f} s CPU; load {load:.2f} -> {os.getloadavg()[0]:.2f}")
    for table in summaries.BUILT_TABLES:
        print(f"  {table}: {con.execute(f'SELECT count(*) FROM {table}').fetchall()[0][0]:,} rows")
    con.close()


if __name__ == "__main__":
    main()
