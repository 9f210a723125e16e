"""Many sessions at once: one run per query in flight, sessions taking turns on the query workers,
the dashboard's 'now' snapped to the refresh interval, and queries cancelled at the time limit.

Concurrency is made deterministic with barriers and with fake runs that wait until every caller
has joined; the tests check counts and order, never how long something took.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import polars as pl
import pytest

import queries
from queries import plans
from queries.workers import QueryWorkers
from tests.slow_query import slow_query
from tests.warehouses import home
from watchfloor import config
from watchfloor import trends as trend_figures
from watchfloor.filters import default_filters

SCOPE: dict[str, Any] = {"regions": [], "verticals": [], "priorities": [], "vendors": []}
SESSIONS = 10
PATIENCE_S = 60.0  # only ever reached when the code under test is broken


def wait_until(condition, what: str) -> None:
    event = threading.Event()
    for _ in range(int(PATIENCE_S / 0.005)):
        if condition():
            return
        event.wait(0.005)
    raise AssertionError(f"gave up waiting until {what}")


@pytest.fixture
def own_workers(monkeypatch):
    """A fresh set of query workers for the test (3 workers, 2 queries per session)."""
    workers = QueryWorkers(3, 2)
    monkeypatch.setattr(queries.workers, "_workers_instance", workers)
    return workers


def counting_runs(monkeypatch, expected_waiters: int) -> dict[str, int]:
    """Patch the runner so each run waits until `expected_waiters` callers wait for it, then runs
    the real query; returns the runs per query name."""
    runs: dict[str, int] = {}
    lock = threading.Lock()
    real = queries.run_uncached

    def run(name, warehouse=None, time_limit=None, **params):
        with lock:
            runs[name] = runs.get(name, 0) + 1
        key = (warehouse, name, queries.result_cache._freeze(params))
        wait_until(lambda: queries.cache.in_flight(key) is not None
                   and queries.cache.in_flight(key).waiters >= expected_waiters,
                   f"{expected_waiters} callers wait for {name}")
        return real(name, warehouse=warehouse, time_limit=time_limit, **params)

    monkeypatch.setattr(queries.runner, "run_uncached", run)
    return runs


def in_threads(n: int, work) -> list:
    """Run work(i) in n threads released together; their results (an exception is re-raised)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def body(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE_S)
    assert not any(t.is_alive() for t in threads), "a thread never finished"
    if errors:
        raise errors[0]
    return results


def test_ten_sessions_asking_for_one_query_share_one_run(hand_env, own_workers, monkeypatch):
    runs = counting_runs(monkeypatch, SESSIONS)
    frames = in_threads(SESSIONS, lambda i: queries.start("home_flow", None, None, f"session-{i}",
                                                          as_of=home.AS_OF, **SCOPE).result())
    assert runs == {"home_flow": 1}
    assert all(f is frames[0] for f in frames)
    assert frames[0]["inflow"].sum() == 7  # 5 in the last 24 h + 2 the week before (hand warehouse)
    assert (queries.cache.misses, queries.cache.joined) == (1, SESSIONS - 1)
    # Later requests within the TTL are answered from the cache.
    assert queries.run("home_flow", as_of=home.AS_OF, **SCOPE) is frames[0]
    assert runs == {"home_flow": 1}


def test_ten_sessions_opening_home_within_one_interval_run_each_query_once(hand_env, own_workers, monkeypatch):
    """Ten people open Home at different seconds of one refresh interval: the snapped 'now' gives
    them the same questions, and each of Home's queries runs once."""
    monkeypatch.delenv("WATCHFLOOR_AS_OF")
    monkeypatch.setenv("WATCHFLOOR_REFRESH_SECONDS", "60")
    nows = []
    for i in range(SESSIONS):  # each opens the page at another second of the same minute
        monkeypatch.setattr(config, "utc_now", lambda i=i: home.AS_OF + timedelta(seconds=5 * i + 1))
        nows.append(config.dashboard_now())
    assert set(nows) == {home.AS_OF}
    runs = counting_runs(monkeypatch, SESSIONS)
    filters = default_filters(home.AS_OF.date())
    results = in_threads(SESSIONS, lambda i: plans.fetch(plans.home(nows[i], filters), session=f"s{i}"))
    assert runs == {call.name: 1 for call in plans.home(home.AS_OF, filters)}
    assert all(r["flow"] is results[0]["flow"] for r in results)


def test_the_dashboard_now_snaps_to_the_refresh_interval(monkeypatch):
    monkeypatch.delenv("WATCHFLOOR_AS_OF", raising=False)
    base = datetime(2026, 11, 20, 9, 0)
    monkeypatch.setenv("WATCHFLOOR_REFRESH_SECONDS", "60")
    for seconds, expected in [(0, base), (1, base), (59.9, base), (60, base + timedelta(minutes=1))]:
        monkeypatch.setattr(config, "utc_now", lambda s=seconds: base + timedelta(seconds=s))
        assert config.dashboard_now() == expected
    monkeypatch.setenv("WATCHFLOOR_REFRESH_SECONDS", "300")
    monkeypatch.setattr(config, "utc_now", lambda: base + timedelta(minutes=4, seconds=59))
    assert config.dashboard_now() == base
    monkeypatch.setattr(config, "utc_now", lambda: base + timedelta(minutes=5))
    assert config.dashboard_now() == base + timedelta(minutes=5)
    # A pinned 'now' is kept (floored to the minute), whatever the interval.
    monkeypatch.setenv("WATCHFLOOR_AS_OF", "2026-11-20T09:03:30")
    assert config.dashboard_now() == datetime(2026, 11, 20, 9, 3)


def test_refresh_and_worker_settings_are_checked(monkeypatch):
    for name, bad in [("WATCHFLOOR_REFRESH_SECONDS", "0"), ("WATCHFLOOR_QUERY_TIMEOUT_SECONDS", "-1"),
                      ("WATCHFLOOR_QUERY_WORKERS", "2.5"), ("WATCHFLOOR_SESSION_QUERIES", "soon")]:
        monkeypatch.setenv(name, bad)
        with pytest.raises(config.ConfigError, match=name):
            config.load_settings()
        monkeypatch.delenv(name)
    monkeypatch.setenv("WATCHFLOOR_QUERY_WORKERS", "4")
    settings = config.load_settings()
    assert (settings.query_workers, settings.session_queries) == (4, 3)  # one worker always left to others
    monkeypatch.setenv("WATCHFLOOR_SESSION_QUERIES", "9")
    assert config.load_settings().session_queries == 4  # never more than there are workers


def test_the_readers_memory_setting_is_checked(monkeypatch):
    monkeypatch.delenv("WATCHFLOOR_READER_MEMORY_LIMIT", raising=False)
    assert config.load_settings().reader_memory_limit == "25%"
    for good in ("4GB", "512 MiB", "12.5%"):
        monkeypatch.setenv("WATCHFLOOR_READER_MEMORY_LIMIT", good)
        assert config.load_settings().reader_memory_limit == good
    for bad in ("lots", "4", "-1GB", "1GB; DROP TABLE cases"):
        monkeypatch.setenv("WATCHFLOOR_READER_MEMORY_LIMIT", bad)
        with pytest.raises(config.ConfigError, match="WATCHFLOOR_READER_MEMORY_LIMIT must be a size"):
            config.load_settings()


def test_derived_figures_are_computed_once_for_sessions_asking_at_once():
    frame = pl.DataFrame({"x": [1, 2, 3]})
    calls: list[int] = []

    def total(source: pl.DataFrame, column: str) -> int:
        calls.append(1)
        key = (id(source), total.__module__, total.__qualname__, ("x",))
        wait_until(lambda: (flight := queries.result_cache._memos.in_flight(key)) is not None
                   and flight.waiters >= SESSIONS, "every session waits")
        return int(source[column].sum())

    assert in_threads(SESSIONS, lambda i: queries.memo(frame, total, "x")) == [6] * SESSIONS
    assert len(calls) == 1


def test_a_failed_run_reaches_everyone_waiting_and_is_not_kept(hand_env, own_workers, monkeypatch):
    attempts: list[int] = []

    def broken(name, warehouse=None, time_limit=None, **params):
        attempts.append(1)
        key = (warehouse, name, queries.result_cache._freeze(params))
        if len(attempts) == 1:
            wait_until(lambda: queries.cache.in_flight(key).waiters >= 3, "three callers wait")
        raise queries.QueryError("query 'freshness' failed: the disk is on fire")

    monkeypatch.setattr(queries.runner, "run_uncached", broken)
    errors = in_threads(3, lambda i: _error_of(lambda: queries.run("freshness")))
    assert errors == ["query 'freshness' failed: the disk is on fire"] * 3 and len(attempts) == 1
    with pytest.raises(queries.QueryError):
        queries.run("freshness")
    assert len(attempts) == 2  # tried again: errors are not cached


def _error_of(call) -> str | None:
    try:
        call()
    except queries.QueryError as exc:
        return str(exc)
    return None


# --------------------------------------------------------------------------- taking turns


class Gate:
    """A job that records when it ran and, if asked to, holds its worker until opened."""

    def __init__(self, log: list, name: str, hold: bool = False):
        self.log, self.name = log, name
        self.started = threading.Event()
        self.release = threading.Event()
        if not hold:
            self.release.set()

    def __call__(self) -> None:
        self.log.append(self.name)
        self.started.set()
        assert self.release.wait(PATIENCE_S)


def test_sessions_take_turns():
    workers = QueryWorkers(1, 1)
    log: list[str] = []
    blocker = Gate(log, "Z", hold=True)
    workers.submit("z", blocker)
    assert blocker.started.wait(PATIENCE_S)
    last = None
    for name in ["A1", "A2", "A3", "B1", "C1", "C2"]:
        last = Gate(log, name)
        workers.submit(name[0].lower(), last)
    assert workers.waiting() == 6 and workers.others("a") == 4  # z running; b1, c1, c2 queued
    blocker.release.set()
    wait_until(lambda: len(log) == 7, "every job ran")
    assert log == ["Z", "A1", "B1", "C1", "A2", "C2", "A3"]


def test_one_session_never_holds_every_worker():
    """A heavy view queues many slow queries; another session's query still gets a worker next."""
    workers = QueryWorkers(3, 2)
    log: list[str] = []
    heavy = [Gate(log, f"V{i}", hold=True) for i in range(6)]
    for gate in heavy:
        workers.submit("vendor manager", gate)
    wait_until(lambda: workers.running() == 2, "two heavy queries run")
    home = Gate(log, "H")
    workers.submit("ops lead", home)
    assert home.started.wait(PATIENCE_S)  # the third worker, though four heavy queries wait
    assert workers.waiting() == 4 and log == ["V0", "V1", "H"]
    for gate in heavy:
        gate.release.set()
    wait_until(lambda: len(log) == 7 and workers.running() == 0, "the heavy view finished")
    assert workers.peak_running <= 3


def test_a_query_nobody_waits_for_any_more_is_not_run(hand_env, monkeypatch):
    workers = QueryWorkers(1, 1)
    monkeypatch.setattr(queries.workers, "_workers_instance", workers)
    blocker = Gate([], "Z", hold=True)
    workers.submit("z", blocker)
    assert blocker.started.wait(PATIENCE_S)
    ran: list[str] = []
    real = queries.run_uncached
    monkeypatch.setattr(queries.runner, "run_uncached", lambda name, **kw: ran.append(name) or real(name, **kw))
    left = queries.start("freshness", session="s1")
    shared = queries.start("home_open_incidents", session="s1", as_of=home.AS_OF)
    also = queries.start("home_open_incidents", session="s2", as_of=home.AS_OF)
    left.leave()  # s1's page run ended (the user moved on)
    shared.leave()  # ... but s2 still waits for this one
    blocker.release.set()
    assert dict(also.result().iter_rows()) == home.EXPECTED_OPEN_INCIDENTS
    wait_until(lambda: workers.running() == 0 and workers.waiting() == 0, "the workers are idle")
    assert ran == ["home_open_incidents"]
    assert queries.run("freshness")["cases"][0] == len(home.CASES)  # asked again: it runs


# --------------------------------------------------------------------------- time limit


def test_a_query_past_the_time_limit_is_interrupted(query_folder, monkeypatch):
    db = slow_query(query_folder)
    with pytest.raises(queries.QueryTimeout, match="'slow' was cancelled at its time limit of 0.3 s"):
        queries.run_uncached("slow", warehouse=db, time_limit=0.3, x=3)
    # The connection carries on: the next query on it runs.
    assert queries.run_uncached("quick", warehouse=db)["n"].to_list() == [42]
    monkeypatch.setenv("WATCHFLOOR_QUERY_TIMEOUT_SECONDS", "0.3")
    with pytest.raises(queries.QueryTimeout):
        queries.run("slow", warehouse=db, x=3)  # the setting applies to queries run for pages


def test_a_late_page_says_it_is_busy(hand_env, monkeypatch):
    """While other sessions' queries hold the workers, the page shows a busy line, then its data."""
    from components import shell

    workers = QueryWorkers(1, 1)
    monkeypatch.setattr(queries.workers, "_workers_instance", workers)
    monkeypatch.setattr(shell, "BUSY_AFTER_SECONDS", 0.0)
    shown: list[str] = []
    blocker = Gate([], "Z", hold=True)

    class Line:
        def info(self, text, icon=None):
            shown.append(text)
            blocker.release.set()  # the other session's query ends once the busy line is up

        def empty(self):
            shown.append("(cleared)")

    monkeypatch.setattr(shell.st, "empty", lambda: Line())
    workers.submit("someone else", blocker)
    assert blocker.started.wait(PATIENCE_S)
    pending = plans.start([plans.QueryCall("freshness", "freshness")], session="me")
    frames = shell._wait_for(pending, "me")
    assert frames["freshness"]["cases"][0] == len(home.CASES)
    assert shown[0].startswith("Busy: the warehouse is also answering 1 query of other pages; this page takes its turn")
    assert shown[-1] == "(cleared)"


def double(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(y=pl.col("x") * 2)


def total_y(frame: pl.DataFrame) -> int:
    return int(frame["y"].sum())


def test_dropping_results_with_figures_derived_from_them_does_not_block():
    """Freeing a cached frame forgets the figures derived from it, also while a cache is being cleared
    or evicts entries (the forgetting takes the cache's lock: it must not be held then)."""
    frame = pl.DataFrame({"x": [1, 2, 3]})
    queries.cache.put(("a result",), frame, ttl=60)
    doubled = queries.memo(frame, double)  # a frame derived from the result ...
    assert queries.memo(doubled, total_y) == 12  # ... and a figure derived from that one
    del frame, doubled
    clearing = threading.Thread(target=queries.clear_cache)
    clearing.start()
    clearing.join(PATIENCE_S)
    assert not clearing.is_alive(), "clearing the caches blocked"
    small = queries.ResultCache(max_entries=1)
    for i in range(3):  # each put evicts the one before, whose derived figures are forgotten
        frame = pl.DataFrame({"x": [i]})
        small.put(("r", i), frame, ttl=60)
        queries.memo(queries.memo(frame, double), total_y)
        del frame
    assert small.get(("r", 2)) is not None and small.get(("r", 0)) is None


def test_the_trends_view_of_the_spike_record_is_built_once_per_record_and_period():
    """Every rerun and session showing the same period gets the same view back (so its alert-rate
    chart is built once); another period or another record gets its own."""
    from watchfloor.spike_record import RECORD_SCHEMA, SpikeRecord

    first, last = datetime(2026, 11, 1), datetime(2026, 11, 29)
    spikes = pl.DataFrame(schema=RECORD_SCHEMA)
    record = SpikeRecord(spikes, first, last, "normal")
    start, end = datetime(2026, 11, 22), datetime(2026, 11, 29)
    series = pl.DataFrame({"category": ["spam", "fraud_scams", "spam"]})  # the record's watched series
    views = in_threads(SESSIONS, lambda i: plans.watched_view(record, series, start, end))
    assert all(view is views[0] for view in views)
    same_categories = pl.DataFrame({"category": ["fraud_scams", "spam"]})
    assert plans.watched_view(SpikeRecord(spikes, first, last, "normal"), same_categories, start, end) is views[0]
    assert plans.watched_view(record, series, start - timedelta(days=7), end) is not views[0]
    other = SpikeRecord(pl.DataFrame(schema=RECORD_SCHEMA), first, last, "normal")
    assert plans.watched_view(other, series, start, end) is not views[0]
    assert plans.watched_view(record, pl.DataFrame({"category": ["spam"]}), start, end) is not views[0]
    # The view is the one watchfloor.trends computes from the record.
    assert views[0].rate.equals(trend_figures.watched_view(record, ["spam", "fraud_scams"], start, end).rate)
