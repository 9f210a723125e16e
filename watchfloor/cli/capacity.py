"""watchfloor capacity erlang: reviewers needed for one queue by Erlang C, to check or script."""

from __future__ import annotations

import json
import math

from watchfloor import erlang
from watchfloor.cli.options import Parser, UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "capacity",
        help="staffing calculations (Erlang C)",
        description="Staffing calculations; see docs/metrics.md, 'Capacity'.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    actions.required = True
    calc = actions.add_parser(
        "erlang",
        help="reviewers needed to answer a share of cases within a target",
        description=(
            "Erlang C for one queue: the fewest reviewers on the floor that answer at least the "
            "service level of cases within the target wait with occupancy at most the cap, the head "
            "count to schedule after shrinkage, and what that staffing achieves. Exact for thousands "
            "of Erlangs (the Erlang B recursion, no factorials)."
        ),
    )
    calc.add_argument("--arrivals-per-hour", type=float, required=True, metavar="X", help="cases arriving per hour")
    calc.add_argument("--aht-seconds", type=float, required=True, metavar="S", help="average handle time in seconds")
    calc.add_argument("--target-seconds", type=float, required=True, metavar="T",
                      help="answer within this many seconds of arrival")
    calc.add_argument("--service-level", type=float, required=True, metavar="P",
                      help="share of cases to answer within the target, between 0 and 1 (e.g. 0.8)")
    calc.add_argument("--shrinkage", type=float, default=0.0, metavar="Z",
                      help="share of scheduled time not spent on cases (breaks, training), 0 to below 1 (default 0)")
    calc.add_argument("--max-occupancy", type=float, default=1.0, metavar="O",
                      help="highest share of time reviewers may be busy, above 0 up to 1 (default 1)")
    calc.add_argument("--json", action="store_true", help="print one JSON object")
    calc.set_defaults(func=run_erlang)


def _check(args) -> None:
    values = {
        "--arrivals-per-hour": args.arrivals_per_hour, "--aht-seconds": args.aht_seconds,
        "--target-seconds": args.target_seconds, "--service-level": args.service_level,
        "--shrinkage": args.shrinkage, "--max-occupancy": args.max_occupancy,
    }
    for name, value in values.items():
        if not math.isfinite(value):
            raise UsageError(f"{name} must be a finite number, got {value}")
    if args.arrivals_per_hour < 0:
        raise UsageError(f"--arrivals-per-hour must not be negative, got {args.arrivals_per_hour:g}")
    if args.aht_seconds <= 0:
        raise UsageError(f"--aht-seconds must be above 0, got {args.aht_seconds:g}")
    if args.target_seconds < 0:
        raise UsageError(f"--target-seconds must not be negative, got {args.target_seconds:g}")
    if not 0 < args.service_level < 1:
        raise UsageError(f"--service-level must lie between 0 and 1 (e.g. 0.8 for 80 %), got {args.service_level:g}")
    if not 0 <= args.shrinkage < 1:
        raise UsageError(f"--shrinkage must be at least 0 and below 1, got {args.shrinkage:g}")
    if not 0 < args.max_occupancy <= 1:
        raise UsageError(f"--max-occupancy must be above 0 and at most 1, got {args.max_occupancy:g}")
    load = float(erlang.offered_load(args.arrivals_per_hour, args.aht_seconds))
    if load > erlang.MAX_ERLANGS:
        raise UsageError(f"the offered load is {load:,.0f} Erlangs; at most {erlang.MAX_ERLANGS:,.0f} are supported")


def erlang_answer(arrivals_per_hour: float, aht_seconds: float, target_seconds: float, service_level: float,
                  shrinkage: float = 0.0, max_occupancy: float = 1.0) -> dict:
    load = float(erlang.offered_load(arrivals_per_hour, aht_seconds))
    staff = erlang.required(load, aht_seconds, target_seconds, service_level, max_occupancy)
    reviewers = int(staff.reviewers)
    asa = float(staff.asa_seconds)
    return {
        "offered_load_erlangs": load,
        "reviewers": reviewers,
        "scheduled": int(erlang.scheduled_head_count(reviewers, shrinkage)),
        "service_level": float(staff.service_level),
        "p_wait": float(staff.p_wait),
        "asa_seconds": asa if math.isfinite(asa) else None,
        "occupancy": float(staff.occupancy),
    }


def run_erlang(args) -> int:
    _check(args)
    answer = erlang_answer(args.arrivals_per_hour, args.aht_seconds, args.target_seconds, args.service_level,
                           args.shrinkage, args.max_occupancy)
    if args.json:
        print(json.dumps(answer))
        return 0
    print(f"Offered load: {answer['offered_load_erlangs']:,.2f} Erlangs "
          f"({args.arrivals_per_hour:g} cases per hour x {args.aht_seconds:g} s)")
    print(f"Reviewers on the floor: {answer['reviewers']:,}")
    print(f"Scheduled after {args.shrinkage:.0%} shrinkage: {answer['scheduled']:,}")
    print(f"Service level: {answer['service_level']:.1%} answered within {args.target_seconds:g} s "
          f"(goal {args.service_level:.0%})")
    print(f"Probability of waiting: {answer['p_wait']:.1%}")
    print(f"Average speed of answer: {answer['asa_seconds']:.1f} s")
    print(f"Occupancy: {answer['occupancy']:.1%} (cap {args.max_occupancy:.0%})")
    return 0
