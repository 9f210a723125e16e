"""Where a streamed seed's CPU time goes: the simulation, DuckDB's appends and the summaries.

Seeds DAYS x CASES_PER_DAY a day at a time (as the 10M seed runs) into a fresh file and splits the
process's CPU time (user + system, every thread) into:

  simulation  the main thread's CPU while it draws the windows and builds their frames
              (watchfloor/simulator/stream.py), the queueing loop included
  summaries   the summaries built at the end (every thread: DuckDB runs them on its own)
  appends     the rest: the writer thread's inserts and commits and DuckDB's threads under them
              (Polars' own threads, building the frames, count here too)

The wall time beside it says how well the simulation and the appends overlapped; on a shared
machine it grows with the load, which is printed with it (2 CPUs: above 2 means contention).

Usage: python benchmarks/profile_seed.py [--days 10] [--cases-per-day 111000] [--seed 11]
                                          [--end 2026-11-20T00:00:00] [--keep FILE]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from watchfloor.cli.options import add_period_options  # noqa: E402
from watchfloor.config import parse_time  # noqa: E402
from watchfloor.simulator import writer  # noqa: E402
from watchfloor.simulator.config import SimConfig  # noqa: E402

END = datetime(2026, 11, 20)


def profile(path: Path, cfg: SimConfig) -> dict[str, float]:
    spent = {"simulation": 0.0, "summaries": 0.0}
    real_stream, real_summaries = writer.stream.stream, writer._build_summaries

    def timed_stream(*args, **kwargs):
        frames = real_stream(*args, **kwargs)
        while True:
            started = time.thread_time()
            try:
                item = next(frames)
            except StopIteration:
                spent["simulation"] += time.thread_time() - started
                return
            spent["simulation"] += time.thread_time() - started
            yield item

    def timed_summaries(con):
        started = time.process_time()
        real_summaries(con)
        spent["summaries"] += time.process_time() - started

    writer.stream.stream, writer._build_summaries = timed_stream, timed_summaries
    try:
        load_before = os.getloadavg()[0]
        cpu0, wall0 = time.process_time(), time.perf_counter()
        counts = writer.seed(path, cfg, replace=True, progress=False, window_days=1)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    finally:
        writer.stream.stream, writer._build_summaries = real_stream, real_summaries
    return {"cases": counts["cases"], "events": counts["case_events"], "cpu": cpu, "wall": wall,
            "appends": cpu - spent["simulation"] - spent["summaries"], **spent,
            "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
            "load_before": load_before, "load": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Split a streamed seed's CPU time into its parts.")
    add_period_options(parser, days=10, cases_per_day=111_000, seed=11, end=END.isoformat())
    parser.add_argument("--keep", type=Path, metavar="FILE", help="seed into FILE and keep it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wf-profile-seed-") as tmp:
        path = args.keep or Path(tmp) / "seed.duckdb"
        r = profile(path, SimConfig(days=args.days, cases_per_day=args.cases_per_day, seed=args.seed,
                                    end=parse_time(args.end)))
    print(f"{args.days} days x {args.cases_per_day:,}: {r['cases']:,} cases, {r['events']:,} events; "
          f"wall {r['wall']:.1f} s, CPU {r['cpu']:.1f} s, peak {r['peak_gib']:.2f} GiB, "
          f"load {r['load_before']:.1f} -> {r['load']:.1f}")
    per_million = 1e6 / max(r["cases"], 1)
    for part in ("simulation", "appends", "summaries"):
        print(f"  {part:<11} {r[part]:7.1f} s CPU  ({r[part] * per_million:5.1f} s per million cases, "
              f"{r[part] / max(r['cpu'], 1e-9):4.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
