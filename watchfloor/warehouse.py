"""Opening the case warehouse for reading and writing.

DuckDB lets only one process hold a database file open for writing, and while a
writer holds it no other process can open it at all (not even read-only); a
reader blocks a writer the same way. Watchfloor therefore never keeps the file
open: readers and writers open it for one short unit of work and close it, and
each side retries with back-off while the other holds the lock. See
docs/architecture.md.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from watchfloor.files import owner_only
from watchfloor.schema import CONTRACT_TABLES, SUMMARY_TABLES, schema_sql

# How long a reader or a writer keeps retrying while the other side holds the file.
LOCK_WAIT_SECONDS = 30.0


class WarehouseError(RuntimeError):
    """The warehouse cannot be used; the message says why and what to do."""


def first_line(exc: BaseException) -> str:
    """What an error says, on one line: DuckDB's internal errors carry a stack trace after it (an
    error that says nothing: its class name)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class WarehouseMissing(WarehouseError):
    pass


class WarehouseEmpty(WarehouseError):
    pass


class SummariesMissing(WarehouseEmpty):
    """The warehouse has cases but not the summary tables the pages read (`watchfloor refresh`)."""


class WarehouseBusy(WarehouseError):
    pass


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    # Another process holds the file ("Could not set lock"), or this process has it
    # open in the other mode (DuckDB's per-process instance cache refuses that).
    return (
        "lock" in text
        or "conflicting" in text
        or "being used by another process" in text
        or "different configuration" in text
    )


def writer_waiting_path(path: str | Path) -> Path:
    """The marker a writer leaves while it waits for the file, so readers let go of it."""
    return Path(f"{path}.writer-waiting")


def writer_is_waiting(path: str | Path) -> bool:
    marker = writer_waiting_path(path)
    try:
        # A marker older than the lock wait belongs to a writer that died; ignore it.
        return time.time() - marker.stat().st_mtime < LOCK_WAIT_SECONDS
    except OSError:
        return False


def _connect_with_retry(path: str, read_only: bool, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_seconds
    delay = 0.02
    marker = None
    try:
        while True:
            try:
                return duckdb.connect(path, read_only=read_only)
            except duckdb.Error as exc:
                if not (isinstance(exc, (duckdb.IOException, duckdb.ConnectionException)) and _is_lock_error(exc)):
                    raise WarehouseError(f"cannot open warehouse {path}: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"warehouse {path} stayed locked by another process for {wait_seconds:.0f} s"
                    ) from exc
                if not read_only and path != ":memory:":
                    # Touched on every try: another writer that got in first removes the marker.
                    marker = writer_waiting_path(path)
                    marker.touch()
                time.sleep(delay * (1 + random.random()))
                # Short steps: a reader hands the file over as soon as it sees the marker, and a
                # writer that sleeps long after that only leaves the file idle.
                delay = min(delay * 2, 0.1)
    finally:
        if marker is not None:
            marker.unlink(missing_ok=True)


def open_reader(path: str | Path, wait_seconds: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """A read-only connection that the caller must close soon (see module docstring)."""
    path = str(path)
    if path != ":memory:" and not Path(path).exists():
        raise WarehouseMissing(f"no warehouse at {path}")
    return _connect_with_retry(path, read_only=True, wait_seconds=wait_seconds)


@contextlib.contextmanager
def open_for_reading(path: str | Path, wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for one unit of work, closed afterwards."""
    con = open_reader(path, wait_seconds)
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def open_for_writing(path: str | Path, wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection for one batch of writes, closed afterwards. A warehouse file (and its
    write-ahead log) that does not exist yet is created mode 0600."""
    path = str(path)
    owner_only()
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = _connect_with_retry(path, read_only=False, wait_seconds=wait_seconds)
    try:
        yield con
    finally:
        con.close()


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(schema_sql())


def init_warehouse(path: str | Path) -> list[str]:
    """Create the contract tables that are missing; returns the tables that now exist."""
    with open_for_writing(path) as con:
        create_schema(con)
        return existing_tables(con)


def existing_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def case_count(con: duckdb.DuckDBPyConnection) -> int:
    if "cases" not in existing_tables(con):
        return 0
    return int(con.sql("SELECT count(*) FROM cases").fetchall()[0][0])


def is_url(warehouse: str | Path) -> bool:
    """An SQLAlchemy URL (a server warehouse) rather than a DuckDB file."""
    return "://" in str(warehouse)


def check_ready(path: str | Path, summaries: bool = True) -> int:
    """Raise WarehouseMissing/WarehouseEmpty unless the warehouse file holds cases (and, for its
    readers, the summary tables the pages read); returns the case count. A caller that may be given
    a server warehouse's URL calls server_warehouse.check_ready, which sends files here."""
    if is_url(path):
        # Not a file (and the URL may hold a password: not repeated here).
        raise WarehouseError("a server warehouse is checked by server_warehouse.check_ready, not as a file")
    with open_for_reading(path) as con:
        tables = set(existing_tables(con))
        missing = [t for t in CONTRACT_TABLES if t not in tables]
        if missing:
            raise WarehouseEmpty(f"warehouse {path} lacks the tables {', '.join(missing)}")
        if summaries and any(t not in tables for t in SUMMARY_TABLES):
            # A warehouse written before the summaries existed, or by another system.
            raise SummariesMissing(f"warehouse {path} has no summary tables yet: run watchfloor refresh")
        count = case_count(con)
    if count == 0:
        raise WarehouseEmpty(f"warehouse {path} holds no cases yet")
    return count
