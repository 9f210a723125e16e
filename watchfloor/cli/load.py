"""watchfloor load: load CSV or Parquet exports into the warehouse contract tables."""

from __future__ import annotations

import sys

from watchfloor.cli.options import UsageError, add_warehouse_option
from watchfloor.config import load_settings


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "load",
        help="load CSV or Parquet exports into the warehouse",
        description=(
            "Load CSV or Parquet exports into the contract tables. Each file goes into the table it is "
            "named after (cases.csv, case_events_2026-11.parquet) unless --table is given. Rows that fail "
            "a check go to the load_quarantine table with the file, row number and reason; rows already in "
            "the warehouse are counted as duplicates and add nothing. A file that cannot be read at all "
            "stops the load before anything is written (exit code 2). See docs/loading.md."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="CSV or Parquet files")
    parser.add_argument("--table", metavar="NAME", help="load every file into this table")
    add_warehouse_option(parser)
    parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    parser.set_defaults(func=run)


def run(args) -> int:
    from watchfloor.loader import LoadError, load_files  # the loader loads only when a load runs

    settings = load_settings(args.warehouse)
    if settings.warehouse_is_url:
        raise UsageError("load writes warehouse files; load a server warehouse with its own tools "
                         "(docs/server-warehouses.md)")
    progress = not args.no_progress and sys.stderr.isatty()
    try:
        results = load_files(args.files, settings.warehouse, table=args.table, progress=progress)
    except LoadError as exc:
        raise UsageError(f"{exc}; nothing was loaded") from None
    totals = [0, 0, 0, 0]
    for r in results:
        print(r.line())
        for i, n in enumerate((r.rows_read, r.accepted, r.rejected, r.duplicates)):
            totals[i] += n
        if r.reasons:
            top = sorted(r.reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
            print("  rejected for: " + ", ".join(f"{label} ({n:,})" for label, n in top))
    if len(results) > 1:
        print(f"total: {totals[0]:,} rows read, {totals[1]:,} accepted, {totals[2]:,} rejected, "
              f"{totals[3]:,} duplicates")
    if totals[2]:
        print(f"rejected rows are in the load_quarantine table of {settings.warehouse}")
    return 0
