"""Today's demand forecast prepared off the request path (queries/daily_forecast.py): at start, after
each midnight UTC, again after a failure; and the fits run in a low-priority process of their own.
Checked by order and state, with a clock and waits the test drives, never by elapsed time."""

from __future__ import annotations

import os
import signal
import sys
import types
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timedelta

import polars as pl
import pytest

from queries import daily_forecast, demand_forecasts
from tests.conftest import pin_warehouse
from tests.warehouses import capacity as hand
from watchfloor import capacity as cap


def done(value=None) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


class Steps:
    """A clock that moves only when the preparer waits, by the time it asks to wait; stops after `days`."""

    def __init__(self, start: datetime, stop_after: int):
        self.now, self.stop_after = start, stop_after
        self.waits: list[float] = []

    def clock(self) -> datetime:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.now += timedelta(seconds=seconds)
        return len(self.waits) >= self.stop_after


def test_prepares_at_start_then_just_after_each_midnight(monkeypatch):
    started = []
    monkeypatch.setattr(daily_forecast, "prepare", lambda warehouse, now: (started.append(now), (done(), done()))[1])
    steps = Steps(datetime(2026, 11, 18, 9, 30), stop_after=3)
    preparer = daily_forecast.DailyForecast("w.duckdb", clock=steps.clock)
    preparer.wait = steps.wait
    preparer.run()
    assert started == [datetime(2026, 11, 18, 9, 30), datetime(2026, 11, 19, 0, 1), datetime(2026, 11, 20, 0, 1)]
    assert preparer.prepared == started
    assert steps.waits[0] == (datetime(2026, 11, 19, 0, 1) - datetime(2026, 11, 18, 9, 30)).total_seconds()
    assert steps.waits[1] == steps.waits[2] == 86400.0


def test_a_warehouse_not_ready_yet_is_tried_again_a_minute_later(monkeypatch):
    calls = []

    def prepare(warehouse, now):
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("no warehouse yet")
        return done(), done()

    monkeypatch.setattr(daily_forecast, "prepare", prepare)
    steps = Steps(datetime(2026, 11, 18, 23, 58), stop_after=2)
    preparer = daily_forecast.DailyForecast("w.duckdb", clock=steps.clock)
    preparer.wait = steps.wait
    preparer.run()
    assert calls == [datetime(2026, 11, 18, 23, 58), datetime(2026, 11, 18, 23, 59)]
    assert preparer.failures == 1 and preparer.prepared == [datetime(2026, 11, 18, 23, 59)]
    assert steps.waits == [60.0, 120.0]  # the retry, then until 00:01 of the next day


def test_a_stopped_preparer_ends_its_thread(monkeypatch):
    monkeypatch.setattr(daily_forecast, "prepare", lambda warehouse, now: (done(), done()))
    preparer = daily_forecast.DailyForecast("w.duckdb", clock=lambda: datetime(2026, 11, 18, 12)).start()
    preparer.stop(timeout=30)
    assert not preparer._thread.is_alive()


def test_prepare_fits_the_pages_forecast_then_the_backtest(monkeypatch, capacity_warehouse):
    """The key the page asks for is the one prepared, and the backtest starts only after the forecast."""
    order = []

    def forecast(arrivals, teams, origin):
        order.append(("forecast", tuple(teams), origin))
        return pl.DataFrame({"team": teams})

    def backtest(arrivals, teams, origin):
        order.append(("backtest", tuple(teams), origin))
        return pl.DataFrame({"team": teams})

    monkeypatch.setattr(cap, "demand_forecast", forecast)
    monkeypatch.setattr(cap, "forecast_backtest", backtest)
    monkeypatch.setattr(demand_forecasts, "SEPARATE_PROCESS", False)
    demand_forecasts.results.clear()
    pin_warehouse(monkeypatch, capacity_warehouse, hand.NOW)
    try:
        first, second = daily_forecast.prepare(capacity_warehouse, hand.NOW)
        second.result(timeout=120)
        origin = cap.forecast_origin(hand.NOW)
        assert order == [("forecast", ("Team A", "q_solo"), origin), ("backtest", ("Team A", "q_solo"), origin)]
        # what the page asks for later in the day is the prepared result, not a new fit
        later = demand_forecasts.group_forecast_started(capacity_warehouse, hand.NOW + timedelta(hours=3), pl.DataFrame(),
                                              ["Team A", "q_solo"])
        assert later is first and len(order) == 2
    finally:
        demand_forecasts.results.clear()


def test_fits_run_in_a_low_priority_process_of_their_own(monkeypatch):
    monkeypatch.setattr(demand_forecasts, "SEPARATE_PROCESS", True)
    try:
        assert demand_forecasts.fit(os.getpid) != os.getpid()
        assert demand_forecasts.fit(os.nice, 0) == min(19, os.nice(0) + 19)
        # a fitting process that dies during the fit fails it; the next fit gets a new process
        with pytest.raises(BrokenProcessPool):
            demand_forecasts.fit(os._exit, 3)
        first = demand_forecasts.fit(os.getpid)
        assert first != os.getpid()
        # one found dead while idle is replaced, and the fit goes on in the new one
        os.kill(first, signal.SIGKILL)
        assert demand_forecasts.fit(os.getpid) not in (os.getpid(), first)
    finally:
        demand_forecasts.stop_fitter()


def test_the_fitting_process_does_not_run_the_page_script_streamlit_left_as_main(tmp_path, monkeypatch):
    """In the server, __main__ is the page script Streamlit ran last; a spawned process would run it
    again and die (it needs a browser session)."""
    script = tmp_path / "page.py"
    script.write_text("raise SystemExit('a page script run outside Streamlit')\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    monkeypatch.setattr(demand_forecasts, "SEPARATE_PROCESS", True)
    demand_forecasts.stop_fitter()
    try:
        assert demand_forecasts.fit(os.getpid) != os.getpid()
        assert sys.modules["__main__"] is page
    finally:
        demand_forecasts.stop_fitter()
