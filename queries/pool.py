"""A read-only warehouse connection shared by the dashboard's threads, held only while used.

DuckDB's file lock means a reader that keeps the file open blocks every writer.
The pool therefore opens the file read-only on demand, hands out one cursor per
query (cursors are safe across threads, one connection is not), and closes the
file as soon as it has been idle for a moment or a writer has announced that it
is waiting (warehouse.writer_waiting_path). See docs/architecture.md.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Iterator

import duckdb

from watchfloor.warehouse import open_reader, writer_is_waiting

# Held this long after the last query: a busy dashboard keeps its buffer cache warm, and a
# writer never waits on an idle dashboard for long (a waiting writer is let in at once).
IDLE_CLOSE_SECONDS = 10.0
WRITER_PRIORITY_SECONDS = 5.0


class ReaderPool:
    def __init__(self, path: str, idle_seconds: float = IDLE_CLOSE_SECONDS):
        self.path = path
        self.idle_seconds = idle_seconds
        self._con: duckdb.DuckDBPyConnection | None = None
        self._users = 0
        self._last_release = 0.0
        self._cond = threading.Condition()
        self._closer: threading.Thread | None = None
        self.opens = 0

    def _open(self) -> duckdb.DuckDBPyConnection:
        # Give a waiting writer its turn before taking the file again.
        deadline = time.monotonic() + WRITER_PRIORITY_SECONDS
        while writer_is_waiting(self.path) and time.monotonic() < deadline:
            time.sleep(0.05)
        con = open_reader(self.path)
        # Every cursor inherits the global setting; timestamps are UTC throughout.
        con.execute("SET GLOBAL TimeZone = 'UTC'").fetchall()
        self.opens += 1
        return con

    @contextlib.contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._cond:
            if self._con is None:
                self._con = self._open()
            self._users += 1
            cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()
            with self._cond:
                self._users -= 1
                self._last_release = time.monotonic()
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
                    self._con.close()
                    self._con = None
                    return

    def close(self) -> None:
        with self._cond:
            if self._con is not None and self._users == 0:
                self._con.close()
                self._con = None

    @property
    def is_open(self) -> bool:
        return self._con is not None
