"""Named queries: one `.sql` file per query in this folder, run with bound parameters.

`run("home_flow", as_of=..., regions=[...])` loads `home_flow.sql`, checks that the
parameters given are exactly the `$names` the SQL uses, runs it on its own cursor
of a read-only warehouse connection and returns a Polars frame. Results are cached
per (warehouse, query, parameters) for a TTL, so a page that refreshes does not
run a query whose result is still fresh.

SQL is written in DuckDB's dialect. Values are always bound, never formatted into
the SQL text. Macros shared by several queries live in `macros/` and are created
on every connection.
"""

from __future__ import annotations

import re
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from watchfloor.config import load_settings
from watchfloor.warehouse import WarehouseError
from queries.pool import ReaderPool

QUERY_DIR = Path(__file__).resolve().parent
MACRO_DIR = QUERY_DIR / "macros"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_LINE_COMMENT = re.compile(r"--[^\n]*")
_STRING = re.compile(r"'(?:[^']|'')*'")


class QueryError(RuntimeError):
    """A named query could not run; the message names the query."""


class UnknownQuery(QueryError):
    pass


class ParameterError(QueryError):
    pass


@dataclass(frozen=True)
class NamedQuery:
    name: str
    sql: str
    parameters: frozenset[str]


@lru_cache(maxsize=None)
def load(name: str) -> NamedQuery:
    """The query `name` from `queries/name.sql`, with the parameters it expects."""
    if not _NAME.match(name):
        raise UnknownQuery(f"not a query name: {name!r}")
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise UnknownQuery(f"no query named {name!r} (expected {path.name} in queries/)")
    sql = path.read_text(encoding="utf-8")
    # Parameters inside comments or string literals are not parameters.
    code = _STRING.sub("''", _LINE_COMMENT.sub("", sql))
    return NamedQuery(name=name, sql=sql, parameters=frozenset(_PARAM.findall(code)))


def available() -> list[str]:
    return sorted(p.stem for p in QUERY_DIR.glob("*.sql"))


_MACRO_NAME = re.compile(r"CREATE\s+OR\s+REPLACE\s+TEMP\s+MACRO\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


@lru_cache(maxsize=None)
def _macro_files() -> tuple[tuple[frozenset[str], str], ...]:
    """(names a file defines, its SQL) for each file in macros/; each file is self-contained."""
    files = []
    for path in sorted(MACRO_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        files.append((frozenset(_MACRO_NAME.findall(text)), text))
    return tuple(files)


@lru_cache(maxsize=None)
def macro_sql_for(name: str) -> tuple[str, ...]:
    """The macro files a query uses. Temp macros live per connection (cursor), so the pool
    creates them on each cursor the first time a query there needs them."""
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", load(name).sql))
    return tuple(text for names, text in _macro_files() if names & words)


def _freeze(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return tuple(_freeze(v) for v in items)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


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


class ResultCache:
    """A small thread-safe LRU cache whose entries expire after a TTL."""

    def __init__(self, max_entries: int = 512):
        self.max_entries = max_entries
        self._entries: OrderedDict[Any, tuple[float, pl.DataFrame]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> pl.DataFrame | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] < time.monotonic():
                if entry is not None:
                    del self._entries[key]
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]

    def put(self, key: Any, frame: pl.DataFrame, ttl: float) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + ttl, frame)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0


cache = ResultCache()
_pools: dict[str, ReaderPool] = {}
_pools_lock = threading.Lock()


def pool_for(warehouse: str) -> ReaderPool:
    with _pools_lock:
        pool = _pools.get(warehouse)
        if pool is None:
            pool = _pools[warehouse] = ReaderPool(warehouse)
        return pool


def close_all() -> None:
    """Close every reader connection (tests, and before a process writes itself)."""
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()
    import sys

    if "queries.server" in sys.modules:  # only if a server warehouse was used
        sys.modules["queries.server"].dispose_all()


def clear_cache() -> None:
    cache.clear()


_derived: dict[Any, Any] = {}
_derived_lock = threading.Lock()


def derived(source: pl.DataFrame, compute: Any, *args: Any) -> Any:
    """`compute(source, *args)`, kept as long as the cached `source` frame lives.

    For figures a page computes from a query's result: a rerun that gets the same cached
    frame back reuses them instead of computing them again.
    """
    key = (id(source), compute.__module__, compute.__qualname__, _freeze(args))
    with _derived_lock:
        if key in _derived:
            return _derived[key]
    value = compute(source, *args)
    with _derived_lock:
        _derived[key] = value
    # Forget the figures when the frame is gone, so a new frame at the same id never sees them.
    weakref.finalize(source, _forget_derived, key)
    return value


def _forget_derived(key: Any) -> None:
    with _derived_lock:
        _derived.pop(key, None)


class NotOnThisEngine(QueryError):
    """The query runs only on DuckDB (docs/server-warehouses.md)."""


def _run_on_server(name: str, url: str, params: dict[str, Any]) -> pl.DataFrame:
    from queries import server

    try:
        return server.run(url, name, params)
    except server.DuckDBOnly as exc:
        raise NotOnThisEngine(str(exc)) from None
    except Exception as exc:  # the driver's own errors: one line, naming the query
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise QueryError(f"query {name!r} failed on the server warehouse: {first}") from exc


def run_uncached(name: str, warehouse: str | None = None, **params: Any) -> pl.DataFrame:
    query = load(name)
    _check_parameters(query, params)
    warehouse = warehouse or load_settings().warehouse
    bound = {k: _bindable(v) for k, v in params.items()}
    if "://" in warehouse:  # an SQLAlchemy URL: a server warehouse
        return _run_on_server(name, warehouse, bound)
    try:
        with pool_for(warehouse).cursor(setup=macro_sql_for(name)) as cur:
            return cur.sql(query.sql, params=bound or None).pl()
    except WarehouseError:
        raise
    except duckdb.Error as exc:
        raise QueryError(f"query {name!r} failed: {exc}") from exc


def run(name: str, warehouse: str | None = None, ttl: float | None = None, **params: Any) -> pl.DataFrame:
    """Run the named query with bound parameters; cached for `ttl` seconds (settings default)."""
    settings = load_settings()
    warehouse = warehouse or settings.warehouse
    key = (warehouse, name, _freeze(params))
    frame = cache.get(key)
    if frame is not None:
        return frame
    frame = run_uncached(name, warehouse=warehouse, **params)
    cache.put(key, frame, settings.cache_ttl_seconds if ttl is None else ttl)
    return frame
