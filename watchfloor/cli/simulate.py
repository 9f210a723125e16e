"""watchfloor simulate --live: keep the warehouse moving in real time."""

from __future__ import annotations

import argparse
import signal
import sys

from watchfloor.cli.options import UsageError, add_warehouse_option
from watchfloor.config import load_settings
from watchfloor.warehouse import check_ready


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
    return value


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="keep the warehouse moving in real time (--live)",
        description=(
            "Continue the operation the warehouse holds, in real time: new arrivals, assignments, decisions, "
            "escalations and incidents, written in short batches so the dashboard keeps reading. Starts from "
            "the newest event; a warehouse that lags the clock is caught up first. Stop with Ctrl-C."
        ),
    )
    add_warehouse_option(parser)
    parser.add_argument("--live", action="store_true", required=True,
                        help="run the live feed (the only mode; seed builds a past period)")
    parser.add_argument("--speed", type=_positive_float, default=1.0, metavar="X",
                        help="pace of the operation relative to the warehouse's own: arrivals, work and "
                             "incidents (default: 1.0); timestamps stay real time")
    parser.add_argument("--interval", type=_positive_float, default=10.0, metavar="SECONDS",
                        help="seconds between batches (default: 10)")
    parser.add_argument("--catch-up", type=_positive_float, default=24.0, metavar="HOURS", dest="catch_up",
                        help="fill in at most this much of a lag on start (default: 24)")
    parser.add_argument("--for", type=_positive_float, default=None, metavar="SECONDS", dest="duration",
                        help="stop after this many seconds (default: run until stopped)")
    parser.add_argument("--seed", type=int, default=None, metavar="N", help="random seed (default: random)")
    parser.add_argument("--quiet", action="store_true", help="print nothing per batch")
    parser.set_defaults(func=run)


def run(args) -> int:
    from watchfloor.simulator.live import LiveConfig, LiveFeed  # the simulator loads only when it runs

    settings = load_settings(args.warehouse)
    if settings.warehouse_is_url:
        raise UsageError("the live feed writes warehouse files; server warehouses are fed by their own pipelines")
    check_ready(settings.warehouse, summaries=False)  # a missing or empty warehouse: one line, before anything starts
    stopping = []
    # A polite stop (make run's Ctrl-C, a service manager's SIGTERM) ends after the batch in hand.
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))

    def log(line: str) -> None:
        if not args.quiet:
            print(line, flush=True)

    feed = LiveFeed(settings.warehouse,
                    LiveConfig(speed=args.speed, interval=args.interval, catch_up_hours=args.catch_up, seed=args.seed),
                    log=log)
    print(f"live feed on {settings.warehouse}: a batch every {args.interval:g} s at speed {args.speed:g} "
          f"(Ctrl-C stops)", file=sys.stderr, flush=True)
    reports = feed.run(duration=args.duration, stop=lambda: bool(stopping))
    cases = sum(r.new_cases for r in reports)
    events = sum(r.events for r in reports)
    print(f"live feed stopped: {len(reports)} batches, {cases:,} new cases, {events:,} events", file=sys.stderr)
    return 0
