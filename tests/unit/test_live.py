"""The live feed (watchfloor simulate --live): batches that continue a seeded warehouse in real time,
keep the case/event contract, never write into the future, and follow the warehouse's own pace."""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime, timedelta

import duckdb
import pytest

import queries
from tests.live_warehouse import Clock
from watchfloor.cli import main
from watchfloor.simulator.config import SimConfig
from watchfloor.simulator.live import LiveConfig, LiveFeed
from watchfloor.simulator.writer import seed

END = datetime(2026, 11, 18, 12, 0)  # a Wednesday; the seeded period ends here

# The status each event type leaves a case in (docs/warehouse.md, "Events and status").
STATUS_AFTER = {"created": "new", "routed": "queued", "assigned": "in_review", "first_action": "in_review",
                "pending_info": "pending_info", "info_received": "queued", "escalated": "escalated",
                "decided": "in_review", "enforced": "in_review", "resolved": "resolved", "reopened": "queued"}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("live") / "seeded.duckdb"
    seed(path, SimConfig(days=2, cases_per_day=3000, seed=11, end=END), progress=False)
    return str(path)


@pytest.fixture
def warehouse(seeded, tmp_path) -> str:
    copy = tmp_path / "live.duckdb"
    copy.write_bytes(open(seeded, "rb").read())
    return str(copy)


def query(path, sql):
    con = duckdb.connect(path, read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def run_for(feed: LiveFeed, clock: Clock, minutes: int, every: int = 5) -> list:
    reports = []
    for _ in range(minutes // every):
        clock.now += timedelta(minutes=every)
        report = feed.step()
        if report is not None:
            reports.append(report)
    return reports


def ticking(start: datetime):
    """A clock two minutes on at every look: each batch of a run has time to simulate."""
    clock = Clock(start)

    def now() -> datetime:
        clock.now += timedelta(minutes=2)
        return clock.now
    return now


def test_the_feed_continues_the_warehouse_and_keeps_the_contract(warehouse):
    newest_before, events_before, cases_before = query(
        warehouse, "SELECT max(occurred_at), max(event_id), count(*) FROM case_events")[0][0], \
        query(warehouse, "SELECT max(event_id) FROM case_events")[0][0], query(warehouse, "SELECT count(*) FROM cases")[0][0]
    clock = Clock(newest_before)
    feed = LiveFeed(warehouse, LiveConfig(seed=3), clock=clock)
    reports = run_for(feed, clock, 120)
    assert len(reports) == 24
    new_cases = sum(r.new_cases for r in reports)
    assert query(warehouse, "SELECT count(*) FROM cases")[0][0] == cases_before + new_cases
    # Nothing is written after the clock, and every new event is after where the warehouse stood.
    first_new, last_new = query(warehouse, f"SELECT min(occurred_at), max(occurred_at) FROM case_events "
                                           f"WHERE event_id > {events_before}")[0]
    assert first_new >= newest_before and last_new <= clock.now
    # event_id increases with occurred_at and stays unique.
    assert query(warehouse, f"""
        SELECT count(*) FROM (SELECT occurred_at, lag(occurred_at) OVER (ORDER BY event_id) AS prev
                              FROM case_events WHERE event_id > {events_before}) WHERE occurred_at < prev""") == [(0,)]
    assert query(warehouse, "SELECT count(*) - count(DISTINCT event_id) FROM case_events") == [(0,)]
    # Each case's status is the status its last event leaves it in, updated_at that event's time.
    last = query(warehouse, """
        SELECT c.case_id, c.status, c.updated_at, e.event_type, e.occurred_at FROM cases c
        JOIN (SELECT case_id, arg_max(event_type, event_id) AS event_type, max(occurred_at) AS occurred_at
              FROM case_events GROUP BY 1) e USING (case_id)
        WHERE c.updated_at > TIMESTAMP '2026-11-18 11:00'""")
    assert len(last) > new_cases
    wrong = [row for row in last if STATUS_AFTER[row[3]] != row[1] or row[2] != row[4]]
    assert wrong == []
    # Resolved cases carry their decision; open ones do not. A case with a first_action event has
    # first_action_at, the time of its first such event.
    assert query(warehouse, """SELECT count(*) FROM cases WHERE (status = 'resolved') <> (resolved_at IS NOT NULL)
                                  OR (status = 'resolved' AND decision IS NULL)""") == [(0,)]
    assert query(warehouse, f"""
        SELECT count(*) FROM cases c JOIN (SELECT case_id, min(occurred_at) AS first FROM case_events
                                           WHERE event_type = 'first_action' GROUP BY 1) f USING (case_id)
        WHERE c.first_action_at IS DISTINCT FROM f.first AND c.updated_at > TIMESTAMP '{newest_before}'""") == [(0,)]
    # Cases were assigned, decided and resolved by reviewers on shift, not only created.
    kinds = dict(query(warehouse, f"SELECT event_type, count(*) FROM case_events WHERE event_id > {events_before} GROUP BY 1"))
    assert kinds.get("assigned", 0) > 0 and kinds.get("decided", 0) > 0 and kinds.get("resolved", 0) > 0
    assert query(warehouse, "SELECT max(ends_at) FROM shifts")[0][0] > clock.now
    # The dashboard's freshness query sees the newest event.
    assert queries.run_uncached("freshness", warehouse=warehouse)["newest_event_at"][0] == last_new


def test_arrivals_follow_the_warehouse_s_own_pace(warehouse):
    """Two seeded days (less than a week): the rate in an hour of the day is the number of cases created
    in that hour over the last day. Over 12:00-14:00 the expected count is the cases created on
    11-17 12:00-14:00; the feed's count must lie within 4 standard deviations (Poisson: sd = sqrt(mean))."""
    expected = query(warehouse, "SELECT count(*) FROM cases WHERE created_at >= '2026-11-17 12:00' "
                                "AND created_at < '2026-11-17 14:00'")[0][0]
    clock = Clock(END)
    feed = LiveFeed(warehouse, LiveConfig(seed=5), clock=clock)
    got = sum(r.new_cases for r in run_for(feed, clock, 120))
    assert expected > 100
    assert abs(got - expected) <= 4 * math.sqrt(expected)


def test_speed_multiplies_the_pace(warehouse):
    expected = query(warehouse, "SELECT count(*) FROM cases WHERE created_at >= '2026-11-17 12:00' "
                                "AND created_at < '2026-11-17 13:00'")[0][0] * 3
    clock = Clock(END)
    got = sum(r.new_cases for r in run_for(LiveFeed(warehouse, LiveConfig(seed=6, speed=3.0), clock=clock), clock, 60))
    assert abs(got - expected) <= 4 * math.sqrt(expected)


def test_a_lagging_warehouse_is_caught_up_and_an_old_gap_is_skipped(warehouse):
    # Three hours behind: caught up batch after batch, each at most 15 simulated minutes.
    clock = Clock(END + timedelta(hours=3))
    feed = LiveFeed(warehouse, LiveConfig(seed=7, catch_up_hours=24), clock=clock)
    reports = []
    while (report := feed.step()) is not None and len(reports) < 20:
        reports.append(report)
    assert reports[0].start < END + timedelta(minutes=1)  # from where it stood
    assert all(r.end - r.start <= timedelta(minutes=15) for r in reports)
    # The last stored case may fall a little before END, so 13 batches at most.
    assert reports[-1].end == clock.now and 12 <= len(reports) <= 13
    # Two days behind with a 6-hour catch-up: starts 6 hours before now.
    clock2 = Clock(END + timedelta(days=2))
    feed2 = LiveFeed(warehouse, LiveConfig(seed=8, catch_up_hours=6), clock=clock2)
    first = feed2.step()
    assert first.start == clock2.now - timedelta(hours=6)


def test_the_command_runs_for_a_while_and_refuses_bad_input(warehouse, tmp_path, capsys):
    assert main(["simulate", "--live", "--warehouse", warehouse, "--for", "0.5", "--interval", "0.2",
                 "--catch-up", "0.1", "--quiet"]) == 0
    assert "live feed stopped" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", "--live", "--speed", "0"])
    assert exit_info.value.code == 2
    capsys.readouterr()
    assert main(["simulate", "--live", "--warehouse", str(tmp_path / "none.duckdb"), "--for", "1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no warehouse at" in err[0]


def test_a_batch_that_cannot_get_the_file_is_skipped_not_fatal(warehouse, monkeypatch):
    from watchfloor.warehouse import WarehouseBusy

    lines: list[str] = []
    feed = LiveFeed(warehouse, LiveConfig(seed=9, interval=0.05), clock=Clock(END), log=lines.append)
    calls = []

    def busy_once():
        calls.append(1)
        if len(calls) == 1:
            raise WarehouseBusy("warehouse w.duckdb stayed locked by another process for 30 s")
        return None

    monkeypatch.setattr(feed, "step", busy_once)
    feed.run(duration=0.3)
    assert len(calls) >= 2  # it went on after the skipped batch
    assert lines[0].startswith("batch skipped: warehouse w.duckdb stayed locked")


def test_a_batch_the_engine_fails_stores_nothing_and_the_next_is_written(warehouse, monkeypatch):
    """An engine error inside a batch (DuckDB 2.0 raised an internal one once, in a summary build, in
    a long live run) rolls the batch back; the feed says so in one line and writes the next."""
    from watchfloor import summaries

    real_refresh = summaries.refresh
    refreshes = []

    def fails_once(con, case_ids=None):
        refreshes.append(1)
        if len(refreshes) == 1:
            raise duckdb.InternalException("INTERNAL Error: a build went wrong\nStack Trace:\n...")
        return real_refresh(con, case_ids)

    monkeypatch.setattr(summaries, "refresh", fails_once)
    before = query(warehouse, "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_events)")[0]
    lines: list[str] = []
    feed = LiveFeed(warehouse, LiveConfig(seed=9, interval=0.0), clock=ticking(END), log=lines.append)
    reports = feed.run(stop=lambda: len(refreshes) >= 3)
    assert lines[0] == "batch failed, tried again next time: INTERNAL Error: a build went wrong"
    assert len(reports) == 2 and sum(r.events for r in reports) > 0
    after = query(warehouse, "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_events)")[0]
    # The failed batch left nothing: the tables hold the seeded rows and the two written batches'.
    assert after == (before[0] + sum(r.new_cases for r in reports), before[1] + sum(r.events for r in reports))


def test_the_feed_stops_with_one_line_after_failures_in_a_row(warehouse, monkeypatch):
    from watchfloor import summaries
    from watchfloor.simulator.live import MAX_FAILED_BATCHES, LiveFeedFailed

    def always_fails(con, case_ids=None):
        raise duckdb.IOException("IO Error: No space left on device")

    monkeypatch.setattr(summaries, "refresh", always_fails)
    lines: list[str] = []
    feed = LiveFeed(warehouse, LiveConfig(seed=9, interval=0.0), clock=ticking(END), log=lines.append)
    with pytest.raises(LiveFeedFailed, match=f"^the live feed stopped: {MAX_FAILED_BATCHES} batches in a row "
                                             r"failed in the warehouse engine \(last: IO Error: No space left"):
        feed.run(duration=600)
    assert len(lines) == MAX_FAILED_BATCHES - 1


def test_another_writer_s_case_with_the_next_id_fails_one_batch_then_is_stepped_over(warehouse):
    """The feed carries its numbering on from batch to batch instead of scanning every id each time;
    a case another writer stored under the feed's next id fails that batch on the primary key (rolled
    back whole), and the batch after it reads the numbers again and carries on past that case."""
    from watchfloor.warehouse import open_for_writing

    clock = Clock(query(warehouse, "SELECT max(occurred_at) FROM case_events")[0][0])
    feed = LiveFeed(warehouse, LiveConfig(seed=3, speed=10), clock=clock)
    first = run_for(feed, clock, 10)
    taken = feed.next_numbers[0]
    with open_for_writing(warehouse) as con:  # as a load of another system's export would
        con.execute("INSERT INTO cases SELECT * REPLACE (? AS case_id) FROM cases ORDER BY case_id LIMIT 1",
                    [f"C-{taken:08d}"]).fetchall()
    before = query(warehouse, "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_events)")[0]
    with pytest.raises(duckdb.ConstraintException):
        run_for(feed, clock, 10, every=10)
    assert query(warehouse, "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_events)")[0] == before
    later = run_for(feed, clock, 10)
    ids = [i for r in later for i in r.case_ids]
    assert first and ids and ids[0] == f"C-{taken + 1:08d}"


def test_new_case_and_incident_ids_continue_the_seeded_numbering(warehouse):
    """Live ids read like seeded ones (C- and eight digits, INC- and four) and carry on from the
    highest number in the warehouse, across feeds and restarts, without collisions."""
    last_case, seeded = query(warehouse, "SELECT max(case_id), count(*) FROM cases")[0]
    assert last_case == f"C-{seeded:08d}"  # the seeder numbers its cases from C-00000001
    last_incident = query(warehouse, "SELECT max(incident_id) FROM incidents")[0][0]
    clock = Clock(query(warehouse, "SELECT max(occurred_at) FROM case_events")[0][0])
    feed = LiveFeed(warehouse, LiveConfig(seed=3, speed=10), clock=clock)
    first = run_for(feed, clock, 5)
    feed.profile = dataclasses.replace(feed.profile, incidents_per_second=1 / 3600)  # about one every 6 minutes at speed 10
    first += run_for(feed, clock, 30)
    # A second feed (a restart) carries on where the first stopped.
    second = run_for(LiveFeed(warehouse, LiveConfig(seed=4, speed=10), clock=clock), clock, 30)
    ids = [i for r in first + second for i in r.case_ids]
    assert len(ids) > 10 and len(ids) == len(set(ids))
    assert ids == [f"C-{seeded + 1 + n:08d}" for n in range(len(ids))]
    assert query(warehouse, "SELECT count(*) - count(DISTINCT case_id) FROM cases") == [(0,)]
    assert query(warehouse, "SELECT count(*) FROM cases WHERE NOT regexp_full_match(case_id, 'C-[0-9]{8}')") == [(0,)]
    incidents = [r[0] for r in query(warehouse, "SELECT incident_id FROM incidents ORDER BY incident_id")]
    assert all(len(i) == 8 and i.startswith("INC-") and i[4:].isdigit() for i in incidents)
    assert len(incidents) == len(set(incidents))
    new_incidents = [i for i in incidents if last_incident is None or i > last_incident]
    assert len(new_incidents) >= 2
    first_new = int(last_incident[4:]) + 1 if last_incident else 1
    assert new_incidents == [f"INC-{first_new + n:04d}" for n in range(len(new_incidents))]
