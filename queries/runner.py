"""Running a named query: on its own cursor of a read-only warehouse connection, or on a server
warehouse, within the time limit, through the result cache and the query workers.

`start` asks for a query (a cached result, the same query in flight, or a new run queued on the
workers under the page's session); `run` waits for it; `run_uncached` runs it now, in this thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import polars as pl

from queries import on_server
from queries.errors import NotOnThisEngine, ParameterError, QueryError, QueryTimeout
from queries.reader_pools import pool_for
from queries.result_cache import Flight, _freeze, cache
from queries.sql_files import NamedQuery, load, macro_sql_for
from queries.workers import shared_workers
from watchfloor.config import load_settings
from watchfloor.engines import DuckDBOnly
from watchfloor.warehouse import WarehouseError, first_line


def _bindable(value: Any) -> Any:
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    return value


def _check_parameters(query: NamedQuery, params: dict[str, Any]) -> None:
    missing = query.parameters - params.keys()
    extra = params.keys() - query.parameters
    if missing:
        raise ParameterError(f"query {query.name!r} needs parameters: {', '.join(sorted(missing))}")
    if extra:
        raise ParameterError(f"query {query.name!r} takes no parameters: {', '.join(sorted(extra))}")
    for key, value in params.items():
        if value is not None and not isinstance(value, (str, int, float, bool, date, datetime, list, tuple, set, frozenset)):
            raise ParameterError(f"query {query.name!r}: parameter {key} has unsupported type {type(value).__name__}")



def other_queries(session: Any) -> int:
    """Warehouse queries of other sessions running or queued on the query workers."""
    return shared_workers().others(session)



def _run_on_server(name: str, url: str, params: dict[str, Any], time_limit: float) -> pl.DataFrame:
    try:
        return on_server.run(url, name, params, time_limit=time_limit)
    except DuckDBOnly as exc:
        raise NotOnThisEngine(str(exc)) from None
    except on_server.StatementTimeout:
        raise QueryTimeout(f"query {name!r} was cancelled at its time limit of {time_limit:g} s") from None
    except Exception as exc:  # the driver's own errors: one line, naming the query
        raise QueryError(f"query {name!r} failed on the server warehouse: {first_line(exc)}") from exc


@contextlib.contextmanager
def _time_limit(cur: duckdb.DuckDBPyConnection, seconds: float, name: str) -> Iterator[None]:
    """Interrupt the query running on `cur` once it has run `seconds`; it raises QueryTimeout."""
    lock = threading.Lock()
    state = {"running": True, "fired": False}

    def fire() -> None:
        with lock:  # never interrupt the cursor once this query is over: it may be running the next
            if state["running"]:
                state["fired"] = True
                cur.interrupt()

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    except duckdb.InterruptException:
        if state["fired"]:
            raise QueryTimeout(f"query {name!r} was cancelled at its time limit of {seconds:g} s") from None
        raise
    finally:
        with lock:
            state["running"] = False
        timer.cancel()


def run_uncached(name: str, warehouse: str | None = None, time_limit: float | None = None,
                 **params: Any) -> pl.DataFrame:
    """Run the named query now, in this thread; cancelled after `time_limit` seconds (settings default)."""
    query = load(name)
    _check_parameters(query, params)
    settings = load_settings()
    warehouse = warehouse or settings.warehouse
    limit = settings.query_timeout_seconds if time_limit is None else time_limit
    bound = {k: _bindable(v) for k, v in params.items()}
    if "://" in warehouse:  # an SQLAlchemy URL: a server warehouse
        return _run_on_server(name, warehouse, bound, limit)
    try:
        with pool_for(warehouse).cursor(setup=macro_sql_for(name)) as cur:
            with _time_limit(cur, limit, name):
                return cur.sql(query.sql, params=bound or None).pl()
    except (WarehouseError, QueryError):
        raise
    except duckdb.Error as exc:
        raise QueryError(f"query {name!r} failed: {exc}") from exc


@dataclass
class Pending:
    """A query asked for by a page: its flight, and the key to leave it by."""

    key: Any
    flight: Flight

    def done(self) -> bool:
        return self.flight.done()

    def result(self) -> pl.DataFrame:
        return self.flight.result()

    def leave(self) -> None:
        """The page run waiting for it ended early: a query nobody else waits for is not started."""
        if not self.flight.done():
            cache.leave(self.key, self.flight)


def start(name: str, warehouse: str | None = None, ttl: float | None = None, session: Any = None,
          refresh: bool = False, **params: Any) -> Pending:
    """Ask for the named query: a cached result, the same query already in flight, or a new run
    queued on the query workers under `session` (whose queries take turns with everyone else's).
    With `refresh`, a cached result is run again and replaced when the new one lands (until then
    everyone else still gets the cached one)."""
    query = load(name)
    _check_parameters(query, params)
    settings = load_settings()
    warehouse = warehouse or settings.warehouse
    key = (warehouse, name, _freeze(params))
    keep = settings.cache_ttl_seconds if ttl is None else ttl
    if ttl is None and running_ahead():
        # Pages stay on an interval until the next one's results have landed (queries/prefetch.py):
        # what they fetched must outlive that.
        keep += settings.refresh_seconds
    flight, leader = cache.claim_refresh(key, keep - settings.refresh_seconds) if refresh else cache.claim(key)
    if leader:

        def run_it() -> None:
            flight.job = None
            previous, flight.previous = flight.previous, None
            try:
                frame = run_uncached(name, warehouse=warehouse, **params)
            except BaseException as exc:  # every waiter gets the error; the worker carries on
                cache.crash(key, flight, exc)
            else:
                # The same answer as before keeps the frame it replaces, and with it the figures
                # derived from that frame (the spike detector's, ...): nothing to compute again.
                if isinstance(previous, pl.DataFrame) and previous.equals(frame):
                    frame = previous
                cache.land(key, flight, frame, keep)

        flight.job = shared_workers().submit(session, run_it)
    return Pending(key, flight)


_ahead = threading.Event()  # set while the server runs pages' plans ahead (queries/prefetch.py)


def running_ahead() -> bool:
    return _ahead.is_set()


def set_running_ahead(ahead: bool) -> None:
    """Whether the server runs pages' plans ahead from now on (queries/prefetch.py)."""
    if ahead:
        _ahead.set()
    else:
        _ahead.clear()


def run(name: str, warehouse: str | None = None, ttl: float | None = None, **params: Any) -> pl.DataFrame:
    """Run the named query with bound parameters; cached for `ttl` seconds (settings default).
    Concurrent requests for the same query and parameters share one run."""
    return start(name, warehouse, ttl, None, **params).result()
