"""Transactions on a DuckDB warehouse: every writer (the seeder, the live feed, the loader, the
summary refresh) opens, commits and rolls back its writes here, so readers see all of a write or
none of it, and a failed write leaves nothing behind."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


@contextmanager
def in_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN; COMMIT when the block ends; on any exception (a failing COMMIT included) ROLLBACK and
    re-raise that exception unchanged."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        roll_back(con)
        raise


def commit_and_continue(con: duckdb.DuckDBPyConnection) -> None:
    """Commit what the open transaction holds and open the next one (a long append commits as it
    goes, so its memory does not grow with every row)."""
    con.execute("COMMIT")
    con.execute("BEGIN TRANSACTION")


def roll_back(con: duckdb.DuckDBPyConnection) -> None:
    """ROLLBACK, quietly: it runs while another error is on its way up, which is the one to report
    (an aborted transaction or a closed connection refuses the ROLLBACK too)."""
    try:
        con.execute("ROLLBACK")
    except Exception:
        pass
