"""A read-only warehouse connection shared by the dashboard's threads, held only while used.

DuckDB's file lock means a reader that keeps the file open blocks every writer.
The pool therefore opens the file read-only on demand, hands out one cursor per
query at a time (cursors are safe across threads, one connection is not), and closes the
file as soon as it has been idle for a moment or a writer has announced that it
is waiting (warehouse.writer_waiting_path). See docs/architecture.md. There is one pool per
warehouse file in a process (`pool_for`).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import duckdb

from watchfloor import engines
from watchfloor.config import load_settings
from watchfloor.warehouse import open_reader, writer_is_waiting

# Held this long after the last query: a busy dashboard keeps its buffer cache warm, and a
# writer never waits on an idle dashboard for long (a waiting writer is let in at once).
IDLE_CLOSE_SECONDS = 10.0
WRITER_PRIORITY_SECONDS = 5.0


class ReaderPool:
    def __init__(self, path: str, idle_seconds: float = IDLE_CLOSE_SECONDS, memory_limit: str | None = None):
        self.path = path
        self.idle_seconds = idle_seconds
        self.memory_limit = memory_limit
        self._con: duckdb.DuckDBPyConnection | None = None
        self._users = 0
        self._last_release = 0.0
        self._cond = threading.Condition()
        self._closer: threading.Thread | None = None
        # Idle cursors of the open connection, each with the setup SQL already run on it.
        self._free: list[tuple[duckdb.DuckDBPyConnection, set[str]]] = []
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        # An internal engine error invalidates the connection: every later query on it fails.
        self._broken = False
        self.opens = 0

    def _open(self) -> duckdb.DuckDBPyConnection:
        # Give a waiting writer its turn before taking the file again.
        deadline = time.monotonic() + WRITER_PRIORITY_SECONDS
        while writer_is_waiting(self.path) and time.monotonic() < deadline:
            time.sleep(0.05)
        con = open_reader(self.path)
        # Every cursor inherits the global setting; timestamps are UTC throughout.
        con.execute("SET GLOBAL TimeZone = 'UTC'").fetchall()
        if self.memory_limit is not None:
            con.execute("SET GLOBAL memory_limit = $limit", {"limit": self.memory_limit}).fetchall()
        self.opens += 1
        return con

    def _take_cursor(self) -> tuple[duckdb.DuckDBPyConnection, set[str]]:
        """An idle cursor, or a new one. A cursor serves one query at a time; reusing it means the
        temporary macros a query needs are created once per cursor, not once per query."""
        if self._free:
            return self._free.pop()
        assert self._con is not None  # called under the lock, with the connection open
        cur = self._con.cursor()
        self._cursors.append(cur)
        return cur, set()

    @contextlib.contextmanager
    def cursor(self, setup: tuple[str, ...] = ()) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for one query; each SQL text in `setup` (macro files) runs on it once."""
        with self._cond:
            if self._con is not None and (self._broken or writer_is_waiting(self.path)):
                # A writer is waiting, or the connection is broken: start nothing new on it; once
                # the queries in flight are done it is closed (_open lets a writer go first).
                while self._con is not None and self._users > 0:
                    self._cond.wait(0.05)
                if self._con is not None:
                    self._close_locked()
            if self._con is None:
                self._con = self._open()
            self._users += 1
            cur, installed = self._take_cursor()
        try:
            for sql in setup:
                if sql not in installed:
                    cur.execute(sql).fetchall()
                    installed.add(sql)
            yield cur
        except (duckdb.InternalException, duckdb.FatalException):
            with self._cond:
                self._broken = True
            raise
        finally:
            with self._cond:
                self._free.append((cur, installed))
                self._users -= 1
                self._last_release = time.monotonic()
                self._cond.notify_all()
                self._ensure_closer()

    def _ensure_closer(self) -> None:
        if self._closer is None or not self._closer.is_alive():
            self._closer = threading.Thread(target=self._close_when_idle, name="watchfloor-reader-closer", daemon=True)
            self._closer.start()

    def _close_when_idle(self) -> None:
        while True:
            time.sleep(min(0.1, self.idle_seconds / 4))
            with self._cond:
                if self._con is None:
                    return
                idle = time.monotonic() - self._last_release
                if self._users == 0 and (idle >= self.idle_seconds or writer_is_waiting(self.path)):
                    self._close_locked()
                    return

    def _close_locked(self) -> None:
        for cur in self._cursors:
            cur.close()
        self._cursors.clear()
        self._free.clear()
        assert self._con is not None  # called under the lock, with the connection open
        self._con.close()
        self._con = None
        self._broken = False

    def close(self) -> None:
        with self._cond:
            if self._con is not None and self._users == 0:
                self._close_locked()

    @property
    def is_open(self) -> bool:
        return self._con is not None


_pools: dict[str, ReaderPool] = {}
_pools_lock = threading.Lock()


def pool_for(warehouse: str) -> ReaderPool:
    with _pools_lock:
        pool = _pools.get(warehouse)
        if pool is None:
            limit = load_settings(warehouse).reader_memory_limit
            pool = _pools[warehouse] = ReaderPool(warehouse, memory_limit=limit)
        return pool


def close_all() -> None:
    """Close every reader connection, and every server engine's (tests, and before a process writes itself)."""
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()
    engines.dispose_all()
