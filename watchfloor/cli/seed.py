"""watchfloor seed: fill the warehouse with a simulated Trust & Safety operation."""

from __future__ import annotations

import sys
import time

from watchfloor.cli.options import UsageError, add_period_options, add_warehouse_option, whole_number
from watchfloor.config import ConfigError, load_settings, parse_time


def register(subparsers) -> None:
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
    add_period_options(parser, days=90, cases_per_day=12000, seed=7)
    parser.add_argument("--replace", action="store_true",
                        help="replace the data of a warehouse that already holds cases")
    parser.add_argument("--demo", action="store_true",
                        help="the demo data set: marked as such (watchfloor_meta kind = 'demo') and "
                             "with one recent spike whose incident is still open at the end")
    parser.add_argument("--calm", action="store_true",
                        help="plain Poisson demand: no day- or hour-level noise, holidays, launches, "
                             "back-fills or brigading (docs/simulator.md)")
    parser.add_argument("--window-days", type=whole_number(0), default=None, metavar="N",
                        help="simulate N days at a time, writing as it goes (memory stays flat); 0: the whole "
                             "period in memory. Default: the whole period up to 1,200,000 cases "
                             "(days x cases a day), else 1")
    parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    parser.set_defaults(func=run)


def run(args) -> int:
    # The simulator (numpy, Polars and every module of the model) loads only when a seed runs.
    from watchfloor.simulator.config import SimConfig
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
