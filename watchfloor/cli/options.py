"""What the `watchfloor` sub-commands (and the benchmarks that seed) share on their command
lines: the parser that reports bad input in one line, exit codes, the warehouse option, the
simulated period's options and a bounded whole-number type."""

from __future__ import annotations

import argparse
from collections.abc import Callable

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
# The largest seed: SimConfig's random streams take a 64-bit signed whole number.
SEED_MAX = 2**63 - 1


class UsageError(Exception):
    """Bad input from the user: one line on stderr, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error message and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]  # exits, as argparse's does
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` up to `high` (inclusive; None: no upper bound)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if high is None and value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        if high is not None and not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {_bound(high)}, got {value}")
        return value

    return parse


def _bound(value: int) -> str:
    return "2^63-1" if value == SEED_MAX else str(value)


def add_warehouse_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse",
        metavar="PATH",
        help="warehouse file (default: $WATCHFLOOR_WAREHOUSE or data/warehouse.duckdb)",
    )


def add_period_options(parser: argparse.ArgumentParser, days: int, cases_per_day: int, seed: int,
                       end: str = "now") -> None:
    """--days, --cases-per-day, --seed and --end: the simulated period [END - DAYS, END], with these
    defaults (--end is text, for config.parse_time)."""
    parser.add_argument("--days", type=whole_number(1), default=days, metavar="N",
                        help=f"length of the simulated period in days (default: {days})")
    parser.add_argument("--cases-per-day", type=whole_number(1), default=cases_per_day, metavar="N",
                        help=f"base case volume per day, before spikes (default: {cases_per_day})")
    parser.add_argument("--seed", type=whole_number(0, SEED_MAX), default=seed, metavar="N",
                        help=f"random seed; the same seed and options give the same data (default: {seed})")
    parser.add_argument("--end", default=end, metavar="ISO-TIME|now",
                        help="end of the simulated period, UTC unless an offset is given, rounded down "
                             f"to the minute (default: {end})")
