"""watchfloor refresh: rebuild the summary tables the pages read, for a warehouse written by
another system (the seeder, the loader and the live feed keep them current themselves)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from watchfloor.cli.options import UsageError, add_warehouse_option
from watchfloor.config import load_settings
from watchfloor.warehouse import WarehouseError, check_ready


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "refresh",
        help="rebuild the summary tables from the raw tables",
        description=(
            "Rebuild the summary tables (docs/warehouse.md, \"Summaries\") from the contract tables. By "
            "default only the cases with events or updates after the summaries' high-water mark (and cases "
            "added or removed since) are rebuilt; --full rebuilds every case, as needed after SLA policies "
            "or queues change. Run it after another system writes the warehouse."
        ),
    )
    add_warehouse_option(parser)
    parser.add_argument("--full", action="store_true", help="rebuild every case's summaries")
    parser.set_defaults(func=run)


def run(args) -> int:
    from watchfloor import summaries  # the summary builds load only when a refresh runs

    settings = load_settings(args.warehouse)
    if settings.warehouse_is_url:
        raise UsageError("refresh writes warehouse files; build a server warehouse's summaries in DuckDB "
                         "and copy them with `watchfloor init --copy-from`")
    path = Path(settings.warehouse)
    if not path.is_file():
        raise UsageError(f"no warehouse file at {path}")
    check_ready(str(path), summaries=False)
    try:
        report = summaries.refresh_file(path, full=args.full)
    except duckdb.Error as exc:
        reason = str(exc).strip().splitlines()
        raise WarehouseError(f"refreshing the summaries of {path} failed, nothing was changed: "
                             f"{reason[0][:300] if reason else type(exc).__name__}") from None
    print(f"warehouse {path}: {report.line()}")
    return 0
