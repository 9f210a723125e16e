"""Server warehouses: the contract tables on an engine reached through SQLAlchemy.

The warehouse contract (schema.sql, DuckDB's dialect) is transpiled with sqlglot for the
engine. `copy_warehouse` copies every table of a DuckDB warehouse into a server warehouse;
it is how the tests put the same data on PostgreSQL, and a way to try Watchfloor on a
server before an organisation's own pipeline fills it (docs/server-warehouses.md).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from watchfloor import warehouse
from watchfloor.engines import dialect_for, engine_for
from watchfloor.schema import CONTRACT_TABLES, SUMMARY_TABLES, schema_sql
from watchfloor.warehouse import WarehouseEmpty, WarehouseError, existing_tables, open_for_reading


class ServerNotEmpty(WarehouseError):
    """The server warehouse already holds cases and replace was not asked for."""


# Rows per INSERT batch when copying.
COPY_BATCH_ROWS = 5000


def schema_statements(dialect: str) -> list[str]:
    import sqlglot  # start-up cost: sqlglot only for server warehouses

    return [s for s in sqlglot.transpile(schema_sql(), read="duckdb", write=dialect) if s.strip()]


def create_schema(url: str) -> list[str]:
    """Create the contract tables that are missing on the server; returns the tables there."""
    from sqlalchemy import inspect, text  # start-up cost: sqlalchemy only for server warehouses

    engine = engine_for(url)
    try:
        with engine.begin() as con:
            for statement in schema_statements(dialect_for(url)):
                con.execute(text(statement))
        return sorted(inspect(engine).get_table_names())
    except Exception as exc:
        raise WarehouseError(f"cannot create the tables on {_safe(url)}: {str(exc).splitlines()[0]}") from exc


def check_ready(location: str | Path, summaries: bool = True) -> int:
    """warehouse.check_ready for a warehouse file or a server warehouse's URL: the case count, or
    WarehouseError (on a server, the contract tables and at least one case)."""
    if not warehouse.is_url(location):
        return warehouse.check_ready(location, summaries=summaries)
    return _check_server(str(location))


def _check_server(url: str) -> int:
    from sqlalchemy import inspect, text  # start-up cost: sqlalchemy only for server warehouses

    try:
        engine = engine_for(url)
        tables = set(inspect(engine).get_table_names())
        missing = [t for t in CONTRACT_TABLES if t not in tables]
        if missing:
            raise WarehouseEmpty(f"warehouse {_safe(url)} lacks the tables {', '.join(missing)}")
        with engine.connect() as con:
            count = int(con.execute(text("SELECT count(*) FROM cases")).scalar_one())
    except WarehouseError:
        raise
    except Exception as exc:
        raise WarehouseError(f"cannot reach warehouse {_safe(url)}: {str(exc).splitlines()[0]}") from exc
    if count == 0:
        raise WarehouseEmpty(f"warehouse {_safe(url)} holds no cases yet")
    return count


def copy_warehouse(source: str | Path, url: str, replace: bool = False) -> dict[str, int]:
    """Copy every contract table (and watchfloor_meta and the summaries) of a DuckDB warehouse to the
    server, in one transaction. With replace, the server's rows are deleted first; otherwise it must hold no cases."""
    from sqlalchemy import MetaData, Table, text  # start-up cost: sqlalchemy only for server warehouses

    create_schema(url)
    engine = engine_for(url)
    counts: dict[str, int] = {}
    with open_for_reading(source) as src:
        # The summaries too (built in DuckDB: watchfloor refresh), when the source has them.
        held = set(existing_tables(src))
        tables = ("watchfloor_meta", *CONTRACT_TABLES, *(t for t in SUMMARY_TABLES if t in held))
        frames = {t: src.sql(f"SELECT * FROM {t}").pl() for t in tables}
    _refuse_nul_bytes(frames, url)
    meta = MetaData()
    table = ""
    try:
        with engine.begin() as con:
            server_cases = int(con.execute(text("SELECT count(*) FROM cases")).scalar_one())
            if server_cases and not replace:
                raise ServerNotEmpty(f"warehouse {_safe(url)} already holds {server_cases} cases; "
                                     "use --replace to overwrite them")
            for table in reversed(tables):
                con.execute(text(f"DELETE FROM {table}"))
            for table, frame in frames.items():
                target = Table(table, meta, autoload_with=con)
                rows = frame.to_dicts()
                for start in range(0, len(rows), COPY_BATCH_ROWS):
                    con.execute(target.insert(), rows[start:start + COPY_BATCH_ROWS])
                counts[table] = len(rows)
    except WarehouseError:
        raise
    except Exception as exc:
        # The driver's message names the rule broken; SQLAlchemy's adds the statement and its values,
        # which are case content: only the driver's first line is shown.
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise WarehouseError(f"copying table {table} into {_safe(url)} failed: "
                             f"{reason[0][:300] if reason else type(exc).__name__}; nothing was copied") from None
    return counts


def _refuse_nul_bytes(frames: dict[str, pl.DataFrame], url: str) -> None:
    """PostgreSQL cannot store a NUL byte in text: name where they are before anything is sent."""
    for table, frame in frames.items():
        for column, dtype in frame.schema.items():
            if dtype == pl.String:
                count = int(frame[column].str.contains("\x00", literal=True).sum())
                if count:
                    raise WarehouseError(
                        f"{table}.{column} holds {count} value(s) with a NUL byte, which {_safe(url)} cannot "
                        "store; nothing was copied (remove the NUL bytes in the source warehouse first)")


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        from sqlalchemy.engine import make_url  # start-up cost: sqlalchemy only for server warehouses

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the server warehouse"
