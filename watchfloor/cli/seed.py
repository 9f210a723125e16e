"""watchfloor seed: fill the warehouse with a simulated Trust & Safety operation."""

from __future__ import annotations

import argparse
import sys
import time

from watchfloor.config import ConfigError, load_settings, parse_time


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _window_days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _seed_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2^63-1, got {value}")
    return value


def register(subparsers) -> None:
    from watchfloor.cli import add_warehouse_option

    parser = subparsers.add_parser(
        "seed",
        help="fill the warehouse with a simulated operation",
        description=(
            "Simulate a Trust & Safety operation (arrivals, routing, reviewers on shifts, queues, "
            "decisions, QA, appeals, spikes and incidents) over the period [END - DAYS, END] and write "
            "every warehouse table. Refuses a warehouse that already holds cases unless --replace."
        ),
    )
    add_warehouse_option(parser)
    parser.add_argument("--days", type=_positive_int, default=90, metavar="N",
                        help="length of the simulated period in days (default: 90)")
    parser.add_argument("--cases-per-day", type=_positive_int, default=12000, metavar="N",
                        help="base case volume per day, before spikes (default: 12000)")
    parser.add_argument("--seed", type=_seed_int, default=7, metavar="N",
                        help="random seed; the same seed and options give the same data (default: 7)")
    parser.add_argument("--end", default="now", metavar="ISO-TIME|now",
                        help="end of the simulated period, UTC unless an offset is given, rounded down "
                             "to the minute (default: now)")
    parser.add_argument("--replace", action="store_true",
                        help="replace the data of a warehouse that already holds cases")
    parser.add_argument("--demo", action="store_true",
                        help="the demo data set: marked as such (watchfloor_meta kind = 'demo') and "
                             "with one recent spike whose incident is still open at the end")
    parser.add_argument("--calm", action="store_true",
                        help="plain Poisson demand: no day- or hour-level noise, holidays, launches, "
                             "back-fills or brigading (docs/simulator.md)")
    parser.add_argument("--window-days", type=_window_days, default=None, metavar="N",
                        help="simulate N days at a time, writing as it goes (memory stays flat); 0: the whole "
                             "period in memory. Default: the whole period up to 1,200,000 cases "
                             "(days x cases a day), else 1")
    parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    parser.set_defaults(func=run)


def run(args) -> int:
    from watchfloor.cli import UsageError
    from watchfloor.simulator import SimConfig
    from watchfloor.simulator.writer import WarehouseNotEmpty, check_target, seed

    try:
        end = parse_time(args.end)
    except ConfigError as exc:
        raise UsageError(f"--end: {exc}") from None
    settings = load_settings(args.warehouse)
    if settings.warehouse_is_url:
        raise UsageError("seed writes warehouse files; server warehouses are not supported")
    cfg = SimConfig(days=args.days, cases_per_day=args.cases_per_day, seed=args.seed, end=end,
                    showcase_spike=args.demo, calm=args.calm)
    progress = not args.no_progress and sys.stderr.isatty()
    try:
        check_target(settings.warehouse, args.replace)
        started = time.perf_counter()
        # The pages read the summaries: the writer builds them before the seed is visible.
        counts = seed(settings.warehouse, cfg, replace=args.replace, progress=progress, demo=args.demo,
                      window_days=args.window_days)
    except WarehouseNotEmpty as exc:
        raise UsageError(str(exc)) from None
    elapsed = time.perf_counter() - started
    print(
        f"warehouse {settings.warehouse}: {counts['cases']:,} cases, {counts['case_events']:,} events, "
        f"{counts['incidents']} incidents from {cfg.start:%Y-%m-%d %H:%M} to {cfg.end:%Y-%m-%d %H:%M} UTC "
        f"(seed {cfg.seed}{', calm' if cfg.calm else ''}, {elapsed:.1f} s)"
    )
    return 0
