"""Server engines reached through SQLAlchemy (or Spark Connect): which SQL dialect a warehouse URL
speaks, and one connection pool (or Spark session) per URL, kept for the process.

The core holds them so that both the server warehouse (watchfloor/server_warehouse.py: tables,
copies) and the query runner (queries/on_server.py) use the same pools without either importing
the other.
"""

from __future__ import annotations

import threading
from typing import Any

# SQLAlchemy backend name (or URL scheme) -> sqlglot dialect. `sc` is Spark Connect (a Spark
# cluster's SQL endpoint for clients); `databricks` goes through the Databricks SQLAlchemy dialect.
DIALECTS = {
    "postgresql": "postgres", "postgres": "postgres", "redshift": "redshift", "snowflake": "snowflake",
    "bigquery": "bigquery", "trino": "trino", "presto": "presto", "mysql": "mysql", "mariadb": "mysql",
    "databricks": "databricks", "sc": "spark", "duckdb": "duckdb", "sqlite": "sqlite", "mssql": "tsql",
    "oracle": "oracle",
}

# Databricks is Spark SQL: it gets Spark's translation.
_FAMILY = {"databricks": "spark"}


class DuckDBOnly(ValueError):
    """The query cannot run on this engine; the message names the query and the construct."""


def family(dialect: str) -> str:
    """The tested engine whose translation a dialect shares (Databricks: Spark), or the dialect."""
    return _FAMILY.get(dialect, dialect)


def dialect_for(url: str) -> str:
    from sqlalchemy.engine import make_url  # start-up cost: sqlalchemy only for server warehouses

    backend = make_url(url).get_backend_name()
    if backend not in DIALECTS:
        raise DuckDBOnly(f"no SQL dialect known for {backend!r} warehouses "
                         f"(known: {', '.join(sorted(set(DIALECTS)))})")
    return DIALECTS[backend]


_engines: dict[str, Any] = {}
_spark_sessions: dict[str, Any] = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> Any:
    """One SQLAlchemy engine (connection pool) per URL; sessions run in UTC."""
    from sqlalchemy import create_engine, event  # start-up cost: sqlalchemy only for server warehouses

    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = create_engine(url, pool_pre_ping=True)
            if engine.dialect.name == "postgresql":
                @event.listens_for(engine, "connect")
                def _utc(dbapi_con: Any, _record: Any) -> None:
                    cur = dbapi_con.cursor()
                    cur.execute("SET TIME ZONE 'UTC'")
                    cur.close()
            _engines[url] = engine
        return engine


def spark_session(url: str) -> Any:
    """One Spark Connect session per `sc://` URL, in UTC (the warehouse's timestamps are naive UTC)."""
    with _engines_lock:
        session = _spark_sessions.get(url)
        if session is None:
            try:
                from pyspark.sql import SparkSession  # start-up cost, and optional: only for Spark warehouses
            except ImportError:
                raise DuckDBOnly("a Spark warehouse needs pyspark (pip install 'watchfloor[spark]')") from None
            session = SparkSession.builder.remote(url).getOrCreate()
            session.conf.set("spark.sql.session.timeZone", "UTC")
            _spark_sessions[url] = session
        return session


def dispose_all() -> None:
    """Close every engine's connections and stop every Spark session (tests, and before a process
    writes itself)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        sessions = list(_spark_sessions.values())
        _spark_sessions.clear()
    # Stopped, a Spark Connect client skips its exit hook, which otherwise retries a gone server
    # for minutes before the process can end.
    for session in sessions:
        session.stop()
