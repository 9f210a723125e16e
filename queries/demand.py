"""Demand forecasts for the Capacity page, fitted once a day and shared by every session.

Fitting the forecast of every queue group takes seconds, so it is never done per rerun or per
session: each forecast and backtest is kept per (warehouse, day), and
a session that asks while another is fitting the same one waits for that result instead of
starting a second fit. The inputs are the frames of the page's named queries
(queries/capacity_*.sql); the fitting is watchfloor.capacity / watchfloor.forecast, plain numpy
and statsforecast, with no Python callback inside Polars.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from datetime import datetime, timedelta
from typing import Any, Callable

import polars as pl

from watchfloor import capacity

DAY_TTL = 86400.0


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

    def start(self, key: Any, compute: Callable[[], Any], ttl: float) -> Future:
        """The future result for key, computed in a background thread unless known or under way."""
        future, owner = self._claim(key, ttl)
        if owner:
            threading.Thread(target=self._compute, args=(key, future, compute), daemon=True,
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

    def _compute(self, key: Any, future: Future, compute: Callable[[], Any]) -> None:
        try:
            value = compute()
        except BaseException as exc:  # the waiters get the error too; the next call retries
            with self._lock:
                if self._entries.get(key, (0, None))[1] is future:
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


def group_forecast(warehouse: str, now: datetime, arrivals: pl.DataFrame, teams: list[str]) -> pl.DataFrame:
    """Every queue group's forecast, fitted once a day (from 00:00 UTC of `now`'s day)."""
    origin = capacity.forecast_origin(now)
    key = ("groups", warehouse, origin, tuple(teams))
    return results.get(key, lambda: capacity.demand_forecast(arrivals, teams, origin), DAY_TTL)


def group_backtest(warehouse: str, now: datetime, arrivals: pl.DataFrame, teams: list[str]) -> Future:
    """The rolling-origin backtest per queue group as of 00:00 UTC of `now`'s day, as a future:
    it takes several times as long as the forecast, so it runs in the background and the page
    shows it once it is done."""
    origin = capacity.forecast_origin(now)
    key = ("backtest", warehouse, origin, tuple(teams))
    return results.start(key, lambda: capacity.forecast_backtest(arrivals, teams, origin), DAY_TTL)


def series_forecast(warehouse: str, now: datetime, what: str, history: pl.DataFrame) -> pl.DataFrame:
    """The forecast of one queue or set of queues (`what` names it) from its hourly history
    (capacity_queue_arrivals): columns hour, forecast, lower, upper."""
    origin = capacity.forecast_origin(now)
    key = ("series", warehouse, origin, what)

    def fit() -> pl.DataFrame:
        frame = history.with_columns(pl.lit("series").alias("team"))
        return capacity.demand_forecast(frame, ["series"], origin).drop("team")

    return results.get(key, fit, DAY_TTL)


def history_start(now: datetime) -> datetime:
    """Where the arrivals history starts: what the backtest needs before 00:00 UTC today."""
    return capacity.forecast_origin(now) - timedelta(days=capacity.HISTORY_DAYS)

