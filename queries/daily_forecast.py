"""Today's demand forecast, prepared off the request path: when the server starts, and again just
after each midnight UTC (when the forecast's origin moves to the new day).

The Capacity page never fits anything itself while a user waits: it finds today's forecast ready,
or under way (then it shows the rest of the page and says the forecast is being prepared). The
forecast of every queue group is fitted first, then the backtest, one after the other (two fits at
once would only share the same cores). A warehouse that cannot be read yet (not seeded, empty,
held by a writer) is tried again a minute later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime, timedelta

import queries
from queries import demand_forecasts, plans
from queries.background import Background
from watchfloor import capacity
from watchfloor.config import load_settings
from watchfloor.filters import default_filters
from watchfloor.warehouse import first_line

log = logging.getLogger(__name__)

# After midnight UTC: a minute into the new day, so that the last hour before it has landed.
AFTER_MIDNIGHT = timedelta(minutes=1)
RETRY_AFTER = timedelta(minutes=1)


def prepare(warehouse: str, now: datetime) -> tuple[Future, Future]:
    """Start today's forecast of every queue group (the one the Capacity page shows at `now`) and,
    once it is done, the backtest; a no-op for what is known or under way. Returns both futures."""
    wanted = {"arrivals", "queues"}
    calls = [c for c in plans.capacity(now, default_filters(now.date())) if c.key in wanted]
    frames = {c.key: queries.run(c.name, warehouse=warehouse, **c.params) for c in calls}
    teams = capacity.groups(frames["queues"])["team"].to_list()
    forecast = demand_forecasts.group_forecast_started(warehouse, now, frames["arrivals"], teams)
    backtest: Future = Future()

    def then_backtest(done: Future) -> None:
        # Chained, not started together: the forecast is what the page needs first.
        started = demand_forecasts.group_backtest(warehouse, now, frames["arrivals"], teams)
        started.add_done_callback(lambda f: _copy(f, backtest))

    forecast.add_done_callback(then_backtest)
    return forecast, backtest


def _copy(source: Future, target: Future) -> None:
    if source.exception() is not None:
        target.set_exception(source.exception())
    else:
        target.set_result(source.result())


def next_run(now: datetime) -> datetime:
    """When the next day's forecast is prepared: just after the coming midnight UTC."""
    return datetime.combine(now.date() + timedelta(days=1), datetime.min.time()) + AFTER_MIDNIGHT


class DailyForecast(Background):
    """A background thread that prepares today's forecast now and after each midnight UTC.

    `clock` gives the dashboard's 'now' (tests pass their own); `wait(seconds)` returns True when
    the preparer is stopped (tests replace it to step through days)."""

    thread_name = "watchfloor-daily-forecast"

    def __init__(self, warehouse: str | None = None, clock: Callable[[], datetime] | None = None):
        super().__init__(clock)
        self.warehouse = warehouse
        self.prepared: list[datetime] = []  # the 'now' of each successful start, in order
        self.failures = 0

    def run(self) -> None:
        while not self.stopped():
            now = self.clock()
            try:
                forecast, _ = prepare(self.warehouse or load_settings().warehouse, now)
                forecast.result()  # the fit is done before the next day is planned
            except Exception as exc:  # noqa: BLE001 - logged in one line; tried again shortly
                self.failures += 1
                log.warning("the demand forecast could not be prepared yet (%s); trying again in %s",
                            first_line(exc), RETRY_AFTER)
                if self.wait(RETRY_AFTER.total_seconds()):
                    return
                continue
            self.prepared.append(now)
            if self.wait((next_run(now) - self.clock()).total_seconds()):
                return
