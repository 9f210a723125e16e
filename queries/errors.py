"""Why a named query could not run: every message names the query."""

from __future__ import annotations


class QueryError(RuntimeError):
    """A named query could not run; the message names the query."""


class UnknownQuery(QueryError):
    pass


class ParameterError(QueryError):
    pass


class QueryTimeout(QueryError):
    """A query ran past the time limit (WATCHFLOOR_QUERY_TIMEOUT_SECONDS) and was cancelled."""


class NotOnThisEngine(QueryError):
    """The query runs only on DuckDB (docs/server-warehouses.md)."""
