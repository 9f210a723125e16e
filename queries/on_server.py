"""Named queries run on a server warehouse: PostgreSQL and the other SQLAlchemy engines, or Spark
through Spark Connect, with the text queries/translate.py writes for the engine and the values bound
by the driver. Results come back as Polars frames with the same column names as on DuckDB."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import polars as pl

from queries.translate import _list_types, transpile
from watchfloor.engines import dialect_for, engine_for, spark_session


def _column(values: list[Any]) -> list[Any]:
    return [float(v) if isinstance(v, Decimal) else v for v in values]


class StatementTimeout(RuntimeError):
    """The server cancelled the statement at its time limit."""


# SQLSTATE 57014 (query_canceled): what PostgreSQL raises when statement_timeout cancels a statement.
_CANCELLED = "57014"


def run(url: str, name: str, params: dict[str, Any], time_limit: float | None = None) -> pl.DataFrame:
    """Run the named query on the server warehouse at url; a Polars frame like DuckDB's. On
    PostgreSQL the server cancels it after `time_limit` seconds (its statement_timeout)."""
    from sqlalchemy import exc as sa_exc  # start-up cost: sqlalchemy only for server warehouses
    from sqlalchemy import text

    dialect = dialect_for(url)
    if url.startswith("sc://"):
        return _run_on_spark(url, name, params)
    sql, _ = transpile(name, dialect, _list_types(params))
    bound = {k: (list(v) if isinstance(v, (list, tuple, set, frozenset)) else v) for k, v in params.items()}
    with engine_for(url).connect() as con:
        if time_limit is not None and dialect == "postgres":
            con.execute(text("SELECT set_config('statement_timeout', :ms, false)"),
                        {"ms": str(max(1, round(time_limit * 1000)))})
        try:
            result = con.execute(text(sql), bound)
        except sa_exc.DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == _CANCELLED:
                raise StatementTimeout(str(exc.orig).strip()) from exc
            raise
        columns = list(result.keys())
        rows = result.fetchall()
    data = {c: _column([r[i] for r in rows]) for i, c in enumerate(columns)}
    return pl.DataFrame(data, strict=False) if rows else pl.DataFrame({c: [] for c in columns})


def _run_on_spark(url: str, name: str, params: dict[str, Any]) -> pl.DataFrame:
    """Spark Connect takes `:name` markers itself; a list is bound as an array column of literals."""
    from pyspark.sql import functions as F  # start-up cost, and optional: only for Spark warehouses

    sql, _ = transpile(name, "spark", _list_types(params), text_binds=False)
    args = {k: (F.array(*[F.lit(x) for x in v]) if isinstance(v, (list, tuple, set, frozenset)) else v)
            for k, v in params.items()}
    table = spark_session(url).sql(sql, args=args or None).toArrow()
    return cast(pl.DataFrame, pl.from_arrow(table)) if table.num_columns else pl.DataFrame()  # a table gives a frame