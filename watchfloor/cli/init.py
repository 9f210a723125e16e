"""watchfloor init: create the warehouse contract tables (a DuckDB file or a server warehouse)."""

from __future__ import annotations

from watchfloor.cli.options import UsageError, add_warehouse_option
from watchfloor.config import load_settings
from watchfloor.warehouse import init_warehouse


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "init",
        help="create the warehouse tables (keeps existing data)",
        description=(
            "Create the case-warehouse contract tables that do not exist yet. Existing tables and rows are "
            "kept. --warehouse may be an SQLAlchemy URL (docs/server-warehouses.md); there, --copy-from "
            "copies every table of a DuckDB warehouse file into the server."
        ),
    )
    add_warehouse_option(parser)
    parser.add_argument("--copy-from", metavar="PATH", dest="copy_from",
                        help="server warehouses only: copy every table of this DuckDB warehouse into it")
    parser.add_argument("--replace", action="store_true",
                        help="with --copy-from: replace the rows of a server warehouse that already holds cases")
    parser.set_defaults(func=run)


def run(args) -> int:
    settings = load_settings(args.warehouse)
    if args.copy_from and not settings.warehouse_is_url:
        raise UsageError("--copy-from copies into a server warehouse: give --warehouse an SQLAlchemy URL")
    if args.replace and not args.copy_from:
        raise UsageError("--replace goes with --copy-from")
    if settings.warehouse_is_url:
        # A server warehouse: the contract's DDL, transpiled for the engine (sqlglot and SQLAlchemy
        # load only then).
        from watchfloor.server_warehouse import ServerNotEmpty, _safe, copy_warehouse, create_schema

        where = _safe(settings.warehouse)
        if args.copy_from:
            try:
                counts = copy_warehouse(args.copy_from, settings.warehouse, replace=args.replace)
            except ServerNotEmpty as exc:
                raise UsageError(str(exc)) from None
            print(f"warehouse {where}: copied {counts['cases']:,} cases and {counts['case_events']:,} events "
                  f"from {args.copy_from}")
            return 0
        tables = create_schema(settings.warehouse)
        print(f"warehouse {where}: {len(tables)} tables ready")
        return 0
    tables = init_warehouse(settings.warehouse)
    print(f"warehouse {settings.warehouse}: {len(tables)} tables ready")
    return 0
