"""Demand forecasts for the Capacity page, fitted once a day and shared by every session.

Fitting the forecast of every queue group takes seconds (tens of seconds on a large warehouse), so
it is never done per rerun or per session, nor on a page's request path: each forecast and
backtest is kept per (warehouse, day) and computed in the background, once; the page asks whether
it is ready (`group_forecast_started(...).done()`) and shows the rest meanwhile. The server starts
today's fit when it starts and again after each midnight UTC (queries/daily_forecast.py).

The fits run in a separate worker process at the lowest CPU priority: a fit holds the interpreter
lock for long stretches (compiled model code), which in the server's process would stall every
page run, and at a low priority the pages come first for the cores. The inputs are the frames of
the page's named queries (queries/capacity_*.sql); the fitting is watchfloor.capacity /
watchfloor.forecast, plain numpy and statsforecast, with no Python callback inside Polars.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
import time
import types
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from watchfloor import capacity

DAY_TTL = 86400.0
RETRY_FAILED_S = 60.0  # a fit that failed is tried again by the first request after this
# Fits run in a worker process (see above); tests that replace a fitting function in this process
# turn this off.
SEPARATE_PROCESS = True
FIT_TIMEOUT_S = 3600.0  # a fit that never comes back (its worker died) fails instead of waiting forever

_fitter = None
_fitter_lock = threading.Lock()


def _low_priority() -> None:
    os.nice(19)


def fit(function: Callable[..., Any], *args: Any) -> Any:
    """`function(*args)` in the fitting process (or here, with SEPARATE_PROCESS off); the calling
    thread waits without holding the interpreter lock. A fitting process found dead (killed while
    idle, e.g. by the out-of-memory killer) is replaced once; one that dies during the fit fails the
    fit instead of being replaced in a loop."""
    if not SEPARATE_PROCESS:
        return function(*args)
    for attempt in (1, 2):
        pool, fresh = _fitting_pool()
        try:
            return pool.submit(function, *args).result(FIT_TIMEOUT_S)
        except BrokenProcessPool:
            _forget(pool)
            if fresh or attempt == 2:
                raise
    raise AssertionError("unreachable")


def _fitting_pool() -> tuple[ProcessPoolExecutor, bool]:
    """The fitting process's pool, and whether it was started just now."""
    global _fitter
    with _fitter_lock:
        if _fitter is not None:
            return _fitter, False
        # spawn, not fork: the server has threads (a fork copies their locks mid-use)
        _fitter = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_low_priority)
        with _no_main_script():
            _fitter.submit(os.getpid)  # starts the process now (a submit does), before anyone else's
        return _fitter, True


@contextlib.contextmanager
def _no_main_script():
    """A spawned process runs the parent's __main__ file again before anything else; in the server
    that is the page script Streamlit last ran (it installs each run as __main__), which needs a
    browser session. Started with a bare __main__, it imports only the fitting function's own
    modules. A page run starting in the same instant installs its script again, so Home.py also
    draws nothing when read as __mp_main__ (without that, the process died and every fit failed)."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _forget(pool: ProcessPoolExecutor) -> None:
    global _fitter
    with _fitter_lock:
        if _fitter is pool:
            _fitter = None


def stop_fitter() -> None:
    """End the fitting process (the server stops); a fit under way is abandoned."""
    global _fitter
    with _fitter_lock:
        pool, _fitter = _fitter, None
    if pool is not None:
        workers = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:  # a fit under way is not waited for
            worker.terminate()


class Once:
    """Results by key for a TTL; one computation per key at a time, the others wait for it."""

    def __init__(self, max_entries: int = 64):
        self.max_entries = max_entries
        self._entries: OrderedDict[Any, tuple[float, Future]] = OrderedDict()
        self._lock = threading.Lock()
        self.computed = 0

    def get(self, key: Any, compute: Callable[[], Any], ttl: float) -> Any:
        """The result for key, computed here unless it is known or being computed."""
        future, owner = self._claim(key, ttl)
        if owner:
            self._compute(key, future, compute)
        return future.result()

    def start(self, key: Any, compute: Callable[[], Any], ttl: float, keep_failure: float = 0.0) -> Future:
        """The future result for key, computed in a background thread unless known or under way. A
        failure is kept for `keep_failure` seconds (a page that polls shows it, rather than starting
        the same failing fit again at every poll)."""
        future, owner = self._claim(key, ttl)
        if owner:
            threading.Thread(target=self._compute, args=(key, future, compute, keep_failure), daemon=True,
                             name="watchfloor-demand").start()
        return future

    def _claim(self, key: Any, ttl: float) -> tuple[Future, bool]:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] >= time.monotonic():
                self._entries.move_to_end(key)
                future, owner = entry[1], False
            else:
                future, owner = Future(), True
                self._entries[key] = (time.monotonic() + ttl, future)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return future, owner

    def _compute(self, key: Any, future: Future, compute: Callable[[], Any], keep_failure: float = 0.0) -> None:
        try:
            value = compute()
        except BaseException as exc:  # the waiters get the error too; a later call retries
            with self._lock:
                if self._entries.get(key, (0, None))[1] is future:
                    if keep_failure > 0:
                        self._entries[key] = (time.monotonic() + keep_failure, future)
                    else:
                        del self._entries[key]
            future.set_exception(exc)
            return
        self.computed += 1
        future.set_result(value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.computed = 0


results = Once()


def group_forecast_started(warehouse: str, now: datetime, arrivals: pl.DataFrame, teams: list[str]) -> Future:
    """Every queue group's forecast as of 00:00 UTC of `now`'s day, as a future: the fit under way
    or done, or one started now in the background."""
    origin = capacity.forecast_origin(now)
    key = ("groups", warehouse, origin, tuple(teams))
    return results.start(key, lambda: fit(capacity.demand_forecast, arrivals, teams, origin), DAY_TTL, RETRY_FAILED_S)


def group_forecast(warehouse: str, now: datetime, arrivals: pl.DataFrame, teams: list[str]) -> pl.DataFrame:
    """Every queue group's forecast, fitted once a day (from 00:00 UTC of `now`'s day); waits for
    it (the command line and the benchmarks; the page does not wait)."""
    return group_forecast_started(warehouse, now, arrivals, teams).result()


def group_backtest(warehouse: str, now: datetime, arrivals: pl.DataFrame, teams: list[str]) -> Future:
    """The rolling-origin backtest per queue group as of 00:00 UTC of `now`'s day, as a future:
    it takes several times as long as the forecast, so it runs in the background and the page
    shows it once it is done."""
    origin = capacity.forecast_origin(now)
    key = ("backtest", warehouse, origin, tuple(teams))
    return results.start(key, lambda: fit(capacity.forecast_backtest, arrivals, teams, origin), DAY_TTL, RETRY_FAILED_S)


def series_forecast_started(warehouse: str, now: datetime, what: str, history: pl.DataFrame) -> Future:
    """The forecast of one queue or set of queues (`what` names it) from its hourly history
    (capacity_queue_arrivals), as a future (fitted in the background): columns hour, forecast,
    lower, upper."""
    origin = capacity.forecast_origin(now)
    key = ("series", warehouse, origin, what)

    def fit_series() -> pl.DataFrame:
        frame = history.with_columns(pl.lit("series").alias("team"))
        return fit(capacity.demand_forecast, frame, ["series"], origin).drop("team")

    return results.start(key, fit_series, DAY_TTL, RETRY_FAILED_S)


def history_start(now: datetime) -> datetime:
    """Where the arrivals history starts: what the backtest needs before 00:00 UTC today."""
    return capacity.forecast_origin(now) - timedelta(days=capacity.HISTORY_DAYS)

