"""The warehouse's tables and columns, as `schema.sql` declares them: the one place the code reads
them from. DuckDB itself reads the file (into a database in memory), so every column, type,
nullability and default is exactly what a warehouse created from it holds."""

from __future__ import annotations

from functools import cache
from importlib import resources

import duckdb
import polars as pl

CONTRACT_TABLES = (
    "sla_policies", "queues", "vendors", "reviewers", "shifts", "cases", "case_events",
    "qa_reviews", "appeals", "incidents", "incident_events", "sim_spikes",
)
# Derived from the contract tables by watchfloor/summaries.py (schema.sql declares them).
SUMMARY_TABLES = ("summary_state", "summary_sla_cases", "summary_sla_stretches", "summary_sla_stopped",
                  "summary_hourly_cases", "summary_hourly_accounts", "summary_review_sessions",
                  "summary_case_stages", "summary_stage_days", "summary_stage_day_totals",
                  "summary_watched_cells", "summary_spike_records", "summary_spikes", "summary_handlings",
                  "summary_sla_met_hours", "summary_case_routes", "summary_names",
                  "summary_qa_checks", "summary_appeal_outcomes",
                  "summary_sla_met_reviewer_days",
                  "summary_settled_routes", "summary_settled_scores")


@cache
def schema_sql() -> str:
    return resources.files("watchfloor").joinpath("schema.sql").read_text(encoding="utf-8")


@cache
def _declared() -> tuple[tuple[str, str, str, bool, str | None], ...]:
    """(table, column, type, nullable, default) of every column, in the file's order."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(schema_sql())
        return tuple(con.execute("""
            SELECT table_name, column_name, data_type, is_nullable, column_default
            FROM duckdb_columns() WHERE database_name = current_database() AND NOT internal
            ORDER BY table_oid, column_index""").fetchall())
    finally:
        con.close()


def table_columns() -> dict[str, dict[str, tuple[str, bool]]]:
    """{table: {column: (type, nullable)}} of every table in schema.sql, types as DuckDB names them."""
    tables: dict[str, dict[str, tuple[str, bool]]] = {}
    for table, column, kind, nullable, _ in _declared():
        tables.setdefault(table, {})[column] = (kind, nullable)
    return tables


def contract_columns() -> dict[str, dict[str, tuple[str, bool]]]:
    """table_columns() of the tables a load may write (not the summaries, derived from them)."""
    return {t: cols for t, cols in table_columns().items() if t not in SUMMARY_TABLES}


def column_defaults() -> dict[str, dict[str, str]]:
    """{table: {column: its DEFAULT as SQL text}}, for the columns that declare one."""
    defaults: dict[str, dict[str, str]] = {}
    for table, column, _, _, default in _declared():
        if default is not None:
            defaults.setdefault(table, {})[column] = default
    return defaults


# The Polars type of each DuckDB type the contract tables hold as scalars (a VARCHAR[] column has none).
_POLARS_TYPES: dict[str, pl.DataType] = {"VARCHAR": pl.String(), "TIMESTAMP": pl.Datetime("us"),
                                         "BOOLEAN": pl.Boolean(), "DOUBLE": pl.Float64(), "BIGINT": pl.Int64(),
                                         "INTEGER": pl.Int32()}


def polars_schema(table: str) -> dict[str, pl.DataType]:
    """The Polars schema of a frame of whole rows of `table`, in schema.sql's column order."""
    return {column: _POLARS_TYPES[kind] for column, (kind, _) in table_columns()[table].items()}
