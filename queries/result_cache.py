"""Results kept for a while, and figures kept as long as the results they come from.

`cache` holds the named queries' results per (warehouse, query, parameters) for a TTL; while one is
being computed, everyone else who asks for it waits for that one computation (single flight).
`memo` keeps a figure computed from a cached frame as long as that frame lives; `by_contents` keeps
one per what its frame holds.
"""

from __future__ import annotations

import hashlib
import threading
import time
import weakref
from collections import OrderedDict
from typing import Any

import numpy as np
import polars as pl

from queries.errors import QueryError
from queries.workers import shared_workers


def _freeze(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return tuple(_freeze(v) for v in items)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value



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
            if job is None or not shared_workers().cancel(job):
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


def clear_cache() -> None:
    cache.clear()
    _memos.clear()
    _by_contents.clear()


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
