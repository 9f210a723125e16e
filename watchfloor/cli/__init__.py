"""The `watchfloor` command: one sub-command per module in this package.

Each module defines `register(subparsers)`, which adds its parser and sets
`func` to a callable taking the parsed arguments and returning an exit code. What they share
(the parser class, exit codes, UsageError, common options) is in options.py.
"""

from __future__ import annotations

import importlib
import sys

import duckdb

from watchfloor import __version__
from watchfloor.cli.options import EXIT_FAILURE, EXIT_USAGE, Parser, UsageError
from watchfloor.config import ConfigError
from watchfloor.files import owner_only
from watchfloor.warehouse import WarehouseError, first_line

# Module names under watchfloor.cli, in the order `--help` lists them.
COMMAND_MODULES = ("init", "seed", "refresh", "serve", "users", "detect_spikes", "audit", "load", "simulate", "capacity", "forecast",
                   "alerts")


def build_parser() -> Parser:
    parser = Parser(
        prog="watchfloor",
        description="Watchfloor: the Trust & Safety operations dashboard and its tools.",
    )
    parser.add_argument("--version", action="version", version=f"watchfloor {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"watchfloor.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Everything Watchfloor writes (warehouse, users, secrets, audit log and head, the dashboard it
    # serves) is for its owner only; files that exist keep their mode.
    owner_only()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"watchfloor {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ConfigError, WarehouseError) as exc:
        print(f"watchfloor {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_FAILURE
    except OSError as exc:  # a file that cannot be read or written: one line, never a traceback
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"watchfloor {args.command}: error:{where} {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILURE
    except duckdb.Error as exc:  # the engine gave up (out of memory, a disk full): its first line
        print(f"watchfloor {args.command}: error: the warehouse engine failed: {first_line(exc)}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(f"watchfloor {args.command}: interrupted", file=sys.stderr)
        return 130
