"""The live feed: keeps a warehouse moving in real time from where it stands.

Every `interval` seconds the feed opens the warehouse for one batch, reads the open cases and
the staffing of the moment, simulates the operation from the newest event it wrote up to the
wall clock, writes the batch in one transaction and closes the file again (so a dashboard keeps
reading between batches; docs/architecture.md). In a batch, in small time steps:

* **arrivals** follow the warehouse's own pattern: the arrival rate in an hour of the week is the
  number of cases created in that hour of the week over the last week the warehouse holds (of the
  day, over the last day, when it holds less than a week), times `speed`; each new case copies
  the attributes of a recent case;
* **assignments**: reviewers on shift who hold no case take the waiting cases of their team's
  queues, most urgent priority first, then oldest;
* **decisions, escalations, requests for information**: a case in review is finished at the
  warehouse's own average handle time; the outcome follows the warehouse's own shares;
* **information received** after the warehouse's average wait;
* **incidents** open at the warehouse's own rate and move through acknowledged, mitigated and
  resolved.

The profile is read by live_profile.py, a batch is simulated and written by live_batch.py.

The roster repeats itself: when the shifts run out, those of one period earlier are copied
forward. Events are never written later than the wall clock. A warehouse that lags the clock is
first caught up (at most `catch_up_hours`); an older gap stays a gap.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from watchfloor.config import utc_now
from watchfloor.simulator.live_batch import BatchReport, LiveBatch
from watchfloor.simulator.live_profile import Profile, read_profile
from watchfloor.warehouse import WarehouseBusy, WarehouseEmpty, WarehouseError, check_ready, first_line, open_for_writing

# A batch covers at most this much simulated time (catching up runs batch after batch).
MAX_BATCH_SECONDS = 900.0
# Batches in a row the engine may fail before the feed stops (one is retried: an internal engine
# error seen once in a long run rolls its batch back and invalidates the connection, not the file).
MAX_FAILED_BATCHES = 3


@dataclass
class LiveConfig:
    speed: float = 1.0            # multiplies arrivals, work and incidents
    interval: float = 10.0        # wall seconds between batches
    catch_up_hours: float = 24.0  # how much of a lag is filled in on start
    seed: int | None = None


class LiveFeed:
    """Writes the operation as it happens, one batch at a time (see the module docstring)."""

    def __init__(self, warehouse: str, cfg: LiveConfig | None = None, clock: Callable[[], datetime] = utc_now,
                 log: Callable[[str], None] | None = None):
        self.warehouse = warehouse
        self.cfg = cfg or LiveConfig()
        self.clock = clock
        self.log = log
        self.rng = random.Random(self.cfg.seed)
        self.profile: Profile | None = None
        self.sim_time: datetime | None = None
        # The next case and incident numbers after the last batch written; None: read them from the
        # warehouse (a first batch, or one after a failure, which may be another writer's ids).
        self.next_numbers: tuple[int, int] | None = None

    # -- the loop ----------------------------------------------------------------------------
    def run(self, duration: float | None = None, stop: Callable[[], bool] | None = None) -> list[BatchReport]:
        """Write batches until `duration` wall seconds have passed or `stop()` is true."""
        check_ready(self.warehouse, summaries=False)  # each batch builds them if missing
        started = time.monotonic()
        reports = []
        failed = 0
        while True:
            batch_started = time.monotonic()
            try:
                report = self.step()
                failed = 0
            except WarehouseBusy as exc:
                # Another writer held the file past the lock wait (a very large load): skip this
                # batch; the next one covers the time since.
                report = None
                if self.log:
                    self.log(f"batch skipped: {exc}")
            except duckdb.Error as exc:
                # The batch's transaction was rolled back and its connection closed: nothing of it
                # is stored, and the next batch simulates the same time again on a new connection.
                failed += 1
                reason = first_line(exc)
                if failed >= MAX_FAILED_BATCHES:
                    raise LiveFeedFailed(f"the live feed stopped: {failed} batches in a row failed in the "
                                         f"warehouse engine (last: {reason})") from exc
                report = None
                if self.log:
                    self.log(f"batch failed, tried again next time: {reason}")
            if report is not None:
                reports.append(report)
                if self.log:
                    self.log(report.line())
            if stop is not None and stop():
                break
            if duration is not None and time.monotonic() - started >= duration:
                break
            behind = self.sim_time is not None and (self.clock() - self.sim_time).total_seconds() > MAX_BATCH_SECONDS
            if not behind:  # catching up runs batch after batch
                wake = batch_started + self.cfg.interval
                if duration is not None:
                    wake = min(wake, started + duration)
                # In short naps, so a stop request is answered at once.
                while time.monotonic() < wake and not (stop is not None and stop()):
                    time.sleep(min(0.2, max(0.0, wake - time.monotonic())))
        return reports

    def step(self) -> BatchReport | None:
        """One batch: from where the warehouse stands up to the wall clock (at most MAX_BATCH_SECONDS)."""
        now = self.clock()
        with open_for_writing(self.warehouse) as con:
            con.sql("SET TimeZone = 'UTC'")
            newest = con.sql("SELECT greatest((SELECT max(occurred_at) FROM case_events), "
                             "(SELECT max(created_at) FROM cases))").fetchall()[0][0]
            if newest is None:
                raise WarehouseEmpty(f"warehouse {self.warehouse} holds no cases to continue from")
            if self.profile is None:
                self.profile = read_profile(con, newest)
            start = max(self.sim_time or newest, newest)
            if (now - start).total_seconds() > self.cfg.catch_up_hours * 3600:
                start = now - timedelta(hours=self.cfg.catch_up_hours)
            end = min(now, start + timedelta(seconds=MAX_BATCH_SECONDS))
            if end <= start:
                return None
            numbers, self.next_numbers = self.next_numbers, None
            batch = LiveBatch(con, self.profile, self.rng, self.cfg.speed, start, end, numbers)
            batch.simulate()
            report = batch.write()
        self.sim_time = end
        self.next_numbers = (batch.next_case_no, batch.next_incident_no)
        return report


class LiveFeedFailed(WarehouseError):
    """Batches failed in the engine several times in a row: the feed stops with the last reason."""

