"""Fresh data ahead of the pages: at each refresh interval, the plans that pages fetched recently are
run again for the new 'now' in the background, and only when they have landed do pages move on to it.

Without this, the first page opened after each interval (a minute by default) waits for all its
queries on a large warehouse, and with a whole shift at work every page of every interval's first
minute does. With it, a page is answered from the cache: pages keep showing the previous interval's
'now' (their captions say "as of") until the new interval's results are in, which takes the time
of the queries (seconds), never longer than two intervals (past that, pages ask for the current
interval themselves, as they do when nothing runs ahead, e.g. with no server).

Only plans fetched within the last KEEP_INTERVALS intervals are run again, with the filters they
were fetched with, so a dashboard nobody looks at costs nothing. While it runs, results are kept
for one interval longer than the cache TTL, so that they are still there while the next
interval's run is under way, and a result that landed within the last TTL is not run again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from queries import plans, runner
from queries.background import Background
from watchfloor.config import dashboard_now, load_settings, snap, utc_now

log = logging.getLogger(__name__)

KEEP_INTERVALS = 3  # a plan not fetched for this many intervals is no longer run ahead
SESSION = "__refresh__"  # the refresher's turn among the sessions on the query workers

_lock = threading.Lock()
_recent: dict[tuple, tuple[float, plans.Plan]] = {}  # recipe -> (when last fetched, the plan)
_published: datetime | None = None  # the newest 'now' whose recent plans have all landed


def remember(plan: plans.Plan) -> None:
    """A page fetched this plan: run it ahead at the coming intervals."""
    with _lock:
        _recent[plan.recipe] = (time.monotonic(), plan)


def recent_plans(within_s: float) -> list[plans.Plan]:
    cutoff = time.monotonic() - within_s
    with _lock:
        for recipe in [r for r, (at, _) in _recent.items() if at < cutoff]:
            del _recent[recipe]
        return [plan for _, plan in _recent.values()]


def page_now() -> datetime:
    """The 'now' a page asks about: the current interval's once its recent plans have landed, until
    then the previous one (one interval behind at most); with nothing running ahead, the
    current interval's (watchfloor.config.dashboard_now)."""
    settings = load_settings()
    now = dashboard_now(settings)
    published = _published
    if published is None or published >= now or now - published >= timedelta(seconds=2 * settings.refresh_seconds):
        return now
    return published


def publish(moment: datetime | None) -> None:
    global _published
    _published = moment


class Refresher(Background):
    """The background thread that runs recent plans ahead at each interval. `clock` gives the
    dashboard's 'now' and `wait(seconds)` returns True once stopped (tests drive both)."""

    thread_name = "watchfloor-refresh"

    def __init__(self, clock: Callable[[], datetime] | None = None):
        super().__init__(clock)
        self.rounds: list[tuple[datetime, int]] = []  # ('now', plans run) per interval, in order

    def start(self) -> Refresher:
        publish(self.clock())
        runner.set_running_ahead(True)
        return super().start()

    def stop(self, timeout: float = 5.0) -> None:
        super().stop(timeout)
        runner.set_running_ahead(False)
        publish(None)

    def run_once(self, now: datetime) -> int:
        """Run the recent plans for `now`, wait for them, publish `now`; returns how many plans ran."""
        settings = load_settings()
        chosen = recent_plans(KEEP_INTERVALS * settings.refresh_seconds)
        keep = settings.cache_ttl_seconds + settings.refresh_seconds
        pending = []
        for plan in chosen:
            try:
                made = plan.at(now)
                started = plans.start(made, session=SESSION, ttl=keep, refresh=True)
                pending += [(call, started[call.key]) for call in made]
            except Exception as exc:  # noqa: BLE001 - a plan that cannot be made again is skipped
                log.warning("could not run a page's plan ahead: %s", exc)
        for call, p in pending:
            try:
                plans.work_ahead(call, p.result())
            except Exception:  # noqa: BLE001 - the page that asks for it shows the error itself
                pass
        publish(now)
        self.rounds.append((now, len(chosen)))
        return len(chosen)

    def run(self) -> None:
        interval = load_settings().refresh_seconds
        while not self.stopped():
            now = self.clock()
            if _published is None or now > _published:
                self.run_once(now)
            # until the next interval begins (the clock is checked again then)
            wall = utc_now()
            if self.wait((snap(wall, interval) + timedelta(seconds=interval) - wall).total_seconds() + 0.05):
                return
