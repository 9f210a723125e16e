"""Named queries: one `.sql` file per query in this folder, run with bound parameters.

`run("home_flow", as_of=..., regions=[...])` loads `home_flow.sql`, checks that the
parameters given are exactly the `$names` the SQL uses, runs it on its own cursor
of a read-only warehouse connection and returns a Polars frame. Results are cached
per (warehouse, query, parameters) for a TTL, so a page that refreshes does not
run a query whose result is still fresh; a request for a query that is running
already waits for that run instead of starting another (single flight), across
all sessions. Queries run on a fixed set of worker threads where sessions take
turns (queries/workers.py), and a query past the time limit is cancelled.

SQL is written in DuckDB's dialect. Values are always bound, never formatted into
the SQL text. Macros shared by several queries live in `macros/` and are created
on every connection.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl

from queries.reader_pools import ReaderPool
from queries.workers import QueryWorkers
from watchfloor.config import load_settings
from watchfloor.warehouse import WarehouseError, first_line

QUERY_DIR = Path(__file__).resolve().parent
MACRO_DIR = QUERY_DIR / "macros"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# What is not code, matched left to right so that each hides the others' marks: a comment (line or
# block, which sqlglot writes) may hold an apostrophe, a string literal may hold "--" or "$x".
_NOT_CODE = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'", re.DOTALL)


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


@cache
def load(name: str) -> NamedQuery:
    """The query `name` from `queries/name.sql`, with the parameters it expects."""
    if not _NAME.match(name):
        raise UnknownQuery(f"not a query name: {name!r}")
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise UnknownQuery(f"no query named {name!r} (expected {path.name} in queries/)")
    sql = path.read_text(encoding="utf-8")
    return NamedQuery(name=name, sql=sql, parameters=parameters_of(sql))


def parameters_of(sql: str) -> frozenset[str]:
    """The `$name` parameters of `sql`: those inside comments or string literals are not parameters."""
    return frozenset(_PARAM.findall(_NOT_CODE.sub(" ", sql)))


def available() -> list[str]:
    return sorted(p.stem for p in QUERY_DIR.glob("*.sql"))


@dataclass(frozen=True)
class Macro:
    """A macro of macros/, as sqlglot reads it: its parameters and body (None, with `error`, when
    sqlglot cannot read it: DuckDB still runs it, a server engine refuses the queries that use it)."""

    name: str
    parameters: tuple[str, ...]
    body: Any
    table: bool  # a table macro (`AS TABLE`), called in FROM
    file: str
    error: str | None = None


@cache
def macro_library() -> dict[str, Macro]:
    """Every macro of macros/, parsed once: the DuckDB runner creates the files a query needs on its
    cursor, and the server runner (queries/translate.py) inlines the same parsed bodies."""
    import sqlglot
    from sqlglot import exp

    found: dict[str, Macro] = {}
    for path in sorted(MACRO_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        try:
            statements = [s for s in sqlglot.parse(text, read="duckdb") if s is not None]
        except sqlglot.errors.SqlglotError as exc:
            # The file's macro names still come from the tokens, so its queries are refused by name.
            reason = str(exc).strip().splitlines()[0]
            for name in _created_names(text):
                found[name] = Macro(name, (), None, False, path.name, f"sqlglot cannot read {path.name}: {reason}")
            continue
        for statement in statements:
            udf = statement.this if isinstance(statement, exp.Create) else None
            if not isinstance(udf, exp.UserDefinedFunction) or str(statement.args.get("kind")).upper() != "MACRO":
                raise QueryError(f"macros/{path.name} holds a statement that is not a macro: {statement.sql('duckdb')[:80]}")
            name = udf.this.name.lower()
            body = statement.expression
            if isinstance(body, exp.Paren):
                body = body.this
            found[name] = Macro(name, tuple(p.name.lower() for p in udf.expressions), body,
                                isinstance(body, exp.Query), path.name)
    return found


def _created_names(text: str) -> list[str]:
    """Names after CREATE ... MACRO, from sqlglot's tokens (for a file it cannot parse)."""
    import sqlglot

    tokens = [t.text for t in sqlglot.tokenize(text, read="duckdb")]
    return [tokens[i + 1].lower() for i, word in enumerate(tokens[:-1]) if word.upper() == "MACRO"]


def query_words(name: str) -> frozenset[str]:
    """The lower-cased names (identifiers, functions) a query's SQL mentions, from sqlglot's tokens:
    words in comments and string literals are not names."""
    return _sql_words(load(name).sql)


@cache
def _sql_words(sql: str) -> frozenset[str]:
    import sqlglot
    from sqlglot.tokens import TokenType

    skip = {TokenType.STRING, TokenType.NATIONAL_STRING}
    return frozenset(t.text.lower() for t in sqlglot.tokenize(sql, read="duckdb") if t.token_type not in skip)


@cache
def macro_sql_for(name: str) -> tuple[str, ...]:
    """The macro files a query uses. Temp macros live per connection (cursor), so the pool
    creates them on each cursor the first time a query there needs them."""
    library = macro_library()
    files = sorted({m.file for m in library.values() if m.name in query_words(name)})
    return tuple((MACRO_DIR / f).read_text(encoding="utf-8") for f in files)


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


class QueryTimeout(QueryError):
    """A query ran past the time limit (WATCHFLOOR_QUERY_TIMEOUT_SECONDS) and was cancelled."""


class Flight:
    """One run of a query (or of a figure derived from a result) that everyone who asks for the
    same thing while it runs waits for, instead of running it again."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None
        self.waiters = 1
        self.job: Any = None  # the worker job that runs it, while it has not started
        self.previous: Any = None  # the result it replaces (expired, or being refreshed), if any

    @classmethod
    def landed(cls, value: Any) -> Flight:
        flight = cls()
        flight.resolve(value)
        return flight

    def resolve(self, value: Any) -> None:
        self.value = value
        self._done.set()

    def fail(self, error: BaseException) -> None:
        self.error = error
        self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def result(self) -> Any:
        self._done.wait()
        if self.error is not None:
            raise self.error
        return self.value


class ResultCache:
    """A thread-safe LRU cache whose entries expire after a TTL, with single flight: while a key is
    being computed, everyone else who asks for it waits for that one computation."""

    def __init__(self, max_entries: int = 512):
        self.max_entries = max_entries
        self._entries: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._flying: dict[Any, Flight] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.joined = 0  # requests that waited for a computation already in flight

    # Values leave the cache into `dropped`, a list the caller frees after releasing the lock: freeing
    # a frame runs the finalizers of figures derived from it, which take a cache's lock themselves.

    def _fresh(self, key: Any, dropped: list) -> tuple[bool, Any]:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            if entry is not None:
                dropped.append(self._entries.pop(key))
            return False, None
        self._entries.move_to_end(key)
        return True, entry[1]

    def get(self, key: Any) -> Any | None:
        dropped: list = []
        with self._lock:
            found, value = self._fresh(key, dropped)
            if found:
                self.hits += 1
                return value
            self.misses += 1
            return None

    def put(self, key: Any, value: Any, ttl: float) -> None:
        dropped: list = []
        with self._lock:
            self._put(key, value, ttl, dropped)

    def _put(self, key: Any, value: Any, ttl: float, dropped: list) -> None:
        if key in self._entries:
            dropped.append(self._entries[key])
        self._entries[key] = (time.monotonic() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            dropped.append(self._entries.popitem(last=False))

    def claim(self, key: Any) -> tuple[Flight, bool]:
        """(flight, leader): a landed flight for a fresh entry; the flight in the air for a key being
        computed; or a new flight, and leader True: the caller computes and then lands or crashes it."""
        dropped: list = []
        with self._lock:
            found, value = self._fresh(key, dropped)
            if found:
                self.hits += 1
                return Flight.landed(value), False
            flight = self._flying.get(key)
            if flight is not None:
                flight.waiters += 1
                self.joined += 1
                return flight, False
            self.misses += 1
            flight = self._flying[key] = Flight()
            if dropped and dropped[-1] is not None:
                flight.previous = dropped[-1][1]  # the expired result, to compare the new one with
            return flight, True

    def claim_refresh(self, key: Any, young: float) -> tuple[Flight, bool]:
        """Like claim, but an entry with at most `young` seconds left to live does not count:
        (flight, leader) for a new computation that replaces the entry when it lands (meanwhile
        everyone else still gets the entry), unless the key is being computed already."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] - time.monotonic() > young:
                return Flight.landed(entry[1]), False  # landed moments ago: nothing new to fetch
            flight = self._flying.get(key)
            if flight is not None:
                flight.waiters += 1
                return flight, False
            flight = self._flying[key] = Flight()
            flight.previous = entry[1] if entry is not None else None
            return flight, True

    def land(self, key: Any, flight: Flight, value: Any, ttl: float) -> None:
        dropped: list = []
        with self._lock:
            if self._flying.get(key) is flight:
                del self._flying[key]
                self._put(key, value, ttl, dropped)
        flight.resolve(value)

    def crash(self, key: Any, flight: Flight, error: BaseException) -> None:
        """The computation failed: everyone waiting gets the error; nothing is kept."""
        with self._lock:
            if self._flying.get(key) is flight:
                del self._flying[key]
        flight.fail(error)

    def leave(self, key: Any, flight: Flight) -> bool:
        """A waiter gives up (its page run ended). True when nobody waits any more and the flight
        was grounded before it took off (the caller then cancels its job)."""
        with self._lock:
            flight.waiters -= 1
            if flight.waiters > 0 or flight.done() or self._flying.get(key) is not flight:
                return False
            job = flight.job
            if job is None or not _workers().cancel(job):
                return False
            del self._flying[key]
        flight.fail(QueryError("nobody waits for this query any more"))
        return True

    def forget(self, key: Any) -> None:
        with self._lock:
            dropped = self._entries.pop(key, None)  # noqa: F841 - freed after the lock
        del dropped

    def in_flight(self, key: Any) -> Flight | None:
        with self._lock:
            return self._flying.get(key)

    def clear(self) -> None:
        with self._lock:
            dropped, self._entries = self._entries, OrderedDict()  # noqa: F841 - freed after the lock
            self.hits = self.misses = self.joined = 0
        del dropped


cache = ResultCache()
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
    """Close every reader connection (tests, and before a process writes itself)."""
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()
    import sys

    if "queries.translate" in sys.modules:  # only if a server warehouse was used
        sys.modules["queries.translate"].dispose_all()


def clear_cache() -> None:
    cache.clear()
    _memos.clear()
    _by_contents.clear()


_workers_instance: QueryWorkers | None = None
_workers_lock = threading.Lock()


def _workers() -> QueryWorkers:
    """The process's query workers, sized by the settings when first needed."""
    global _workers_instance
    with _workers_lock:
        if _workers_instance is None:
            settings = load_settings()
            _workers_instance = QueryWorkers(settings.query_workers, settings.session_queries)
        return _workers_instance


def other_queries(session: Any) -> int:
    """Warehouse queries of other sessions running or queued on the query workers."""
    return _workers().others(session)


# Figures computed from a cached result live as long as the result frame (no TTL of their own).
_memos = ResultCache(max_entries=4096)


def memo(source: pl.DataFrame, compute: Any, *args: Any) -> Any:
    """`compute(source, *args)`, kept as long as the cached `source` frame (and any frame among
    `args`) lives.

    For figures a page computes from query results: a rerun, or another session, that gets the
    same cached frames back reuses them instead of computing them again, and one that asks while
    they are being computed waits for that computation.
    """
    frames = [source, *(a for a in args if isinstance(a, pl.DataFrame))]
    key = (id(source), compute.__module__, compute.__qualname__,
           tuple(("frame", id(a)) if isinstance(a, pl.DataFrame) else _freeze(a) for a in args))
    value, computed = _once(_memos, key, compute, source, args)
    if computed:
        # Forget the figures when a frame is gone, so a new frame at the same id never sees them.
        for frame in frames:
            weakref.finalize(frame, _memos.forget, key)
    return value


def _once(store: ResultCache, key: tuple, compute: Any, source: pl.DataFrame, args: tuple) -> tuple[Any, bool]:
    """(value, whether this call computed it): the value kept in `store` under `key`, or the one a
    computation in flight lands, or `compute(source, *args)` kept there from now on."""
    flight, leader = store.claim(key)
    if not leader:
        return flight.result(), False
    try:
        value = compute(source, *args)
    except BaseException as exc:
        store.crash(key, flight, exc)
        raise
    store.land(key, flight, value, ttl=float("inf"))
    return value, True


# Figures kept by what their frame holds, not by the frame: a result that is run again (its entry
# expired or was pushed out, or another call gives the same rows) brings back the same rows while
# the warehouse is unchanged, and what was worked out from them still holds.
_by_contents = ResultCache(max_entries=256)


def contents_key(frame: pl.DataFrame) -> tuple:
    """What `frame` holds, in a few bytes: its columns and types, its height and a 128-bit digest of
    its rows' hashes, sorted. Frames with the same rows, in any order, give the same key."""
    hashes = np.sort(frame.hash_rows(seed=0).to_numpy())
    digest = hashlib.blake2b(hashes.tobytes(), digest_size=16).digest()
    return tuple((name, str(dtype)) for name, dtype in frame.schema.items()), frame.height, digest


def by_contents(source: pl.DataFrame, compute: Any, *args: Any) -> Any:
    """`compute(source, *args)`, kept per contents of `source` (contents_key) and args, as long as
    the process lives (the least used first out); a request while it is being computed waits for
    that computation. For a costly figure whose inputs are all in `source` and `args`, and which
    does not depend on the order of the rows."""
    key = (contents_key(source), compute.__module__, compute.__qualname__, tuple(_freeze(a) for a in args))
    return _once(_by_contents, key, compute, source, args)[0]


class NotOnThisEngine(QueryError):
    """The query runs only on DuckDB (docs/server-warehouses.md)."""


def _run_on_server(name: str, url: str, params: dict[str, Any], time_limit: float) -> pl.DataFrame:
    from queries import translate

    try:
        return translate.run(url, name, params, time_limit=time_limit)
    except translate.DuckDBOnly as exc:
        raise NotOnThisEngine(str(exc)) from None
    except translate.StatementTimeout:
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

        flight.job = _workers().submit(session, run_it)
    return Pending(key, flight)


_ahead = threading.Event()  # set while the server runs pages' plans ahead (queries/prefetch.py)


def running_ahead() -> bool:
    return _ahead.is_set()


def run(name: str, warehouse: str | None = None, ttl: float | None = None, **params: Any) -> pl.DataFrame:
    """Run the named query with bound parameters; cached for `ttl` seconds (settings default).
    Concurrent requests for the same query and parameters share one run."""
    return start(name, warehouse, ttl, None, **params).result()
