"""Seed benchmark: wall time and peak memory of `watchfloor seed`, written to benchmarks/seed.md.

Runs `python -m watchfloor seed` in a subprocess for each size and measures its
wall time and peak resident memory (getrusage RUSAGE_CHILDREN of a helper process
that runs only that one seed, so each figure belongs to one run). Sizes:

  1m    --days 90 --cases-per-day 11000   (about 1M cases; target <= 90 s, <= 4 GiB)
  demo  --days 30 --cases-per-day 10000   (what `make run` seeds; target well under a minute)
  10m   --days 90 --cases-per-day 111000  (about 10M cases, a day at a time; target <= 5 min, <= 4 GiB)
  1m-daily  as 1m with --window-days 1    (1M a day at a time, for comparison with the whole period)

Besides wall time it records the CPU time of the seed (user + system): on a shared machine the
wall time grows with the load, the CPU time much less.

Usage: python benchmarks/bench_seed.py [--sizes 1m,demo] [--keep DIR] [--into FILE]
  --into FILE  seed the one size given into FILE (kept; `make bench-10m` builds its warehouse so)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import NotRequired, TypedDict

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "seed.md"
END = "2026-11-20T00:00"


class SeedSize(TypedDict):
    days: int
    per_day: int
    max_s: float  # target wall time
    max_gib: float  # target peak memory
    args: NotRequired[list[str]]  # more options of `watchfloor seed`


SIZES: dict[str, SeedSize] = {
    "1m": {"days": 90, "per_day": 11000, "max_s": 90.0, "max_gib": 4.0},
    "demo": {"days": 30, "per_day": 10000, "max_s": 60.0, "max_gib": 4.0},
    "10m": {"days": 90, "per_day": 111000, "max_s": 300.0, "max_gib": 4.0},
    # 1M a day at a time (--window-days 1): what streaming costs and saves at the size both paths can do
    "1m-daily": {"days": 90, "per_day": 11000, "max_s": 90.0, "max_gib": 4.0, "args": ["--window-days", "1"]},
}


def _child(path: str, days: int, per_day: int, extra: list[str]) -> None:
    """Run one seed and print its wall time and peak RSS as JSON (called in a fresh helper process)."""
    cmd = [sys.executable, "-m", "watchfloor", "seed", "--warehouse", path, "--days", str(days),
           "--cases-per-day", str(per_day), "--seed", "11", "--end", END, "--no-progress", *extra]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"returncode": proc.returncode, "wall_s": wall, "peak_rss_kib": usage.ru_maxrss,
                      "cpu_s": usage.ru_utime + usage.ru_stime,
                      "stdout": proc.stdout.strip(), "stderr": proc.stderr.strip()}))


def measure(name: str, workdir: Path, into: Path | None = None) -> dict:
    size = SIZES[name]
    path = into or workdir / f"seed-{name}.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    load_before = os.getloadavg()[0]
    out = subprocess.run([sys.executable, __file__, "--child", str(path), str(size["days"]), str(size["per_day"]),
                          *size.get("args", [])],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["returncode"] != 0:
        raise SystemExit(f"seed {name} failed: {result['stderr']}")
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        cases = con.sql("SELECT count(*) FROM cases").fetchall()[0][0]
        events = con.sql("SELECT count(*) FROM case_events").fetchall()[0][0]
    result.update(name=name, days=size["days"], per_day=size["per_day"], cases=cases, events=events,
                  file_mib=path.stat().st_size / 2**20, max_s=size["max_s"], max_gib=size["max_gib"])
    result["peak_gib"] = result["peak_rss_kib"] / 2**20
    result["ok"] = result["wall_s"] <= size["max_s"] and result["peak_gib"] <= size["max_gib"]
    result["load"] = os.getloadavg()[0]
    result["load_before"] = load_before
    return result


def _row(r: dict, when: str) -> str:
    return (f"| {when} | {r['name']} | {r['days']} x {r['per_day']} | {r['cases']:,} | {r['events']:,} | "
            f"{r['wall_s']:.1f} s | {_cpu(r)} | {r['peak_gib']:.2f} GiB | {r['file_mib']:.0f} MiB | "
            f"<= {r['max_s']:.0f} s, <= {r['max_gib']:.0f} GiB | {'pass' if r['ok'] else 'FAIL'} | {_load(r)} |")


def _load(r: dict) -> str:
    if "load_before" in r:
        return f"{r['load_before']:.1f} -> {r['load']:.1f}"
    return f"{r.get('load', 0):.1f}"


def _cpu(r: dict) -> str:
    return f"{r['cpu_s']:.0f} s" if "cpu_s" in r else "-"


HEADER = ("| when (UTC) | size | days x cases/day | cases | events | wall time | CPU time | peak RSS | file | target "
          "| result | load |\n|---|---|---|---|---|---|---|---|---|---|---|---|")


def _with_cpu_column(line: str) -> str:
    """History rows from before the CPU time column get '-' there."""
    cells = line.split(" | ")
    if len(cells) == 11:
        cells.insert(6, "-")
    return " | ".join(cells)


def write_results(results: list[dict]) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    history: list[str] = []
    if RESULTS.exists():
        lines = RESULTS.read_text().splitlines()
        if "## History" in lines:
            history = [_with_cpu_column(ln) for ln in lines[lines.index("## History") + 1:] if ln.startswith("| 20")]
    history = [_row(r, when) for r in results] + history
    # Latest: the newest row of each size, whichever run it came from.
    latest: dict[str, str] = {}
    for line in history:
        latest.setdefault(line.split(" | ")[1], line)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"
    text = [
        "# Seed benchmark",
        "",
        "`python benchmarks/bench_seed.py` (also run by `make bench`) seeds each size with",
        f"`python -m watchfloor seed --seed 11 --end {END} --no-progress` into a fresh file and measures",
        "the wall time, CPU time (user + system) and peak resident memory of that process, writing the DuckDB",
        "file included. Above 1,200,000 cases the seed simulates and writes a day at a time (docs/simulator.md).",
        "",
        f"Machine of the latest run: {machine}. Timings on a shared machine vary with its load:",
        "`load` is the 1-minute load average when the run started and when it finished (2 CPUs: above 2 means",
        "contention).",
        "",
        "## Latest",
        "",
        HEADER,
        *[latest[name] for name in SIZES if name in latest],
        "",
        "## History",
        "",
        HEADER,
        *history[:40],
        "",
    ]
    RESULTS.write_text("\n".join(text))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        _child(argv[1], int(argv[2]), int(argv[3]), argv[4:])
        return 0
    parser = argparse.ArgumentParser(description="Benchmark `watchfloor seed`.")
    parser.add_argument("--sizes", default="1m,demo", help="comma-separated sizes: " + ", ".join(SIZES))
    parser.add_argument("--keep", metavar="DIR", help="keep the seeded files in DIR")
    parser.add_argument("--into", metavar="FILE", type=Path, help="seed the one size given into FILE and keep it")
    args = parser.parse_args(argv)
    names = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [n for n in names if n not in SIZES]
    if unknown:
        parser.error(f"unknown size(s): {', '.join(unknown)}")
    if args.into and len(names) != 1:
        parser.error("--into takes one size")
    results = []
    with tempfile.TemporaryDirectory(prefix="wf-bench-seed-") as tmp:
        workdir = Path(args.keep) if args.keep else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for name in names:
            print(f"seeding {name} ...", flush=True)
            r = measure(name, workdir, args.into)
            results.append(r)
            print(f"  {r['cases']:,} cases, {r['events']:,} events: {r['wall_s']:.1f} s ({_cpu(r)} CPU), "
                  f"peak {r['peak_gib']:.2f} GiB -> {'pass' if r['ok'] else 'FAIL'}", flush=True)
    write_results(results)
    print(f"written {RESULTS.relative_to(ROOT)}")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
