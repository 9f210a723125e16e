"""watchfloor init: create the warehouse contract tables."""

from __future__ import annotations

from watchfloor.config import load_settings
from watchfloor.warehouse import init_warehouse


def register(subparsers) -> None:
    from watchfloor.cli import add_warehouse_option

    parser = subparsers.add_parser(
        "init",
        help="create the warehouse tables (keeps existing data)",
        description="Create the case-warehouse contract tables that do not exist yet. Existing tables and rows are kept.",
    )
    add_warehouse_option(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    settings = load_settings(args.warehouse)
    if settings.warehouse_is_url:
        # A server warehouse: the contract's DDL, transpiled for the engine.
        from watchfloor.server import _safe, create_schema

        tables = create_schema(settings.warehouse)
        print(f"warehouse {_safe(settings.warehouse)}: {len(tables)} tables ready")
        return 0
    tables = init_warehouse(settings.warehouse)
    print(f"warehouse {settings.warehouse}: {len(tables)} tables ready")
    return 0
