"""The reviewer-session and handling summaries (summary_review_sessions, summary_handlings,
watchfloor/summaries.py): the Vendors page's work figures read from them are the figures replayed
from the raw events, row for row and bit for bit, and a batch's incremental refresh leaves the same
rows as a full rebuild.

Both ways: `summary_reviewer_sessions` and `summary_period_handlings` (what vendor_work reads)
against `reviewer_sessions` and `period_handlings` (the replay of the raw events in the window,
queries/macros/sessions.sql), and vendor_work itself on
each, on a seeded warehouse continued by live-feed batches: periods of 1, 7, 30 and 90 days, as of
instants inside sessions, before, inside and after the batches, with and without filters.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import polars as pl
import pytest

import queries
from queries import plans
from tests.live_warehouse import assert_wrong_row_caught, copy_of, read_rows, seeded_then_live
from tests.summary_checks import assert_same
from watchfloor import summaries
from watchfloor.filters import Filters
from watchfloor.simulator.config import SimConfig

END = datetime(2026, 11, 18, 12, 0)
SESSION_COLUMNS = ["case_id", "reviewer_id", "queue_id", "started_at", "ended_at", "outcome"]


@pytest.fixture(scope="module")
def live_warehouse(tmp_path_factory) -> dict:
    """Seeded for 9 days up to END (summaries built by the seeder), then 2 hours of live batches,
    each refreshing its cases' summaries in its transaction."""
    path = str(tmp_path_factory.mktemp("sessions") / "live.duckdb")
    end = seeded_then_live(path, SimConfig(days=9, cases_per_day=1200, seed=6, end=END), feed_seed=21)
    return {"path": path, "end": end}


@pytest.fixture()
def con(live_warehouse):
    con = duckdb.connect(live_warehouse["path"], read_only=True)
    con.execute("SET TimeZone = 'UTC'").fetchall()
    for setup in queries.macro_sql_for("vendor_work"):
        con.execute(setup).fetchall()
    yield con
    con.close()


def compare_sessions(con, period_from: datetime, period_to: datetime) -> int:
    """The sessions of both macros: the same rows, and the same handlings (a case's handling
    numbers differ by the same offset in the two forms, whatever the handling)."""
    params = {"f": period_from, "t": period_to}
    order = "ORDER BY case_id, started_at, reviewer_id, queue_id"
    raw = con.sql(f"SELECT * FROM reviewer_sessions($f, $t) {order}", params=params).pl()
    summary = con.sql(f"SELECT * FROM summary_reviewer_sessions($f, $t) {order}", params=params).pl()
    assert_same(raw.select(SESSION_COLUMNS), summary.select(SESSION_COLUMNS), (period_from, period_to))
    offsets = (summary["handling"] - raw["handling"]).to_frame("offset").with_columns(raw["case_id"])
    assert offsets.group_by("case_id").agg(pl.col("offset").n_unique())["offset"].max() in (None, 1)
    # A session the summary takes as alone is the only session of its handling in the window too.
    shared = raw.with_columns(pl.len().over("case_id", "reviewer_id", "handling").alias("n"))["n"] > 1
    assert not (summary["alone"] & shared).any()
    assert not (raw["alone"] & shared).any()
    return raw.height


HANDLING_COLUMNS = ["case_id", "reviewer_id", "queue_id", "completed_at", "handle_seconds", "outcome"]


def compare_handlings(con, period_from: datetime, period_to: datetime) -> tuple[int, int]:
    """The finished handlings of both macros: the same rows per handling and queue; a row the
    summary takes as its handling's only one is that in the replay too. Returns the rows and the
    handlings begun more than a day before period_from (summed from their later sessions)."""
    params = {"f": period_from, "t": period_to}
    order = "ORDER BY case_id, reviewer_id, completed_at, queue_id, handle_seconds"
    raw = con.sql(f"SELECT * FROM period_handlings($f, $t) {order}", params=params).pl()
    summary = con.sql(f"SELECT * FROM summary_period_handlings($f, $t) {order}", params=params).pl()
    assert_same(raw.select(HANDLING_COLUMNS), summary.select(HANDLING_COLUMNS), (period_from, period_to))
    assert not (summary["whole"] & ~raw["whole"]).any()
    begun_before = con.sql("SELECT count(*) FROM summary_handlings WHERE completed_at >= $f AND completed_at < $t "
                           "AND first_started_at < $f - INTERVAL 1 DAY", params=params).fetchall()[0][0]
    return raw.height, begun_before


def vendor_work_calls(as_of: datetime, days: int) -> list[dict]:
    """vendor_work's parameters as the Vendors page makes them at as_of over `days` days: page
    defaults, and narrowing filters."""
    day = as_of.date()
    calls = []
    for filters in (Filters(start=day - timedelta(days=days - 1), end=day),
                    Filters(start=day - timedelta(days=days - 1), end=day, regions=("EMEA", "AMER"),
                            priorities=("P1", "P2"), vendors=("cobalt", "northstar"))):
        for call in plans.vendors(as_of, filters):
            if call.name == "vendor_work":
                calls.append({k: list(v) if isinstance(v, tuple) else v for k, v in call.params.items()})
    return calls


def compare_vendor_work(con, params: dict) -> pl.DataFrame:
    sql = queries.load("vendor_work").sql
    assert "summary_reviewer_sessions(" in sql and " reviewer_sessions(" not in sql
    assert "summary_period_handlings(" in sql and " period_handlings(" not in sql
    raw_sql = sql.replace("summary_reviewer_sessions(", "reviewer_sessions(").replace(
        "summary_period_handlings(", "period_handlings(")
    summary = con.sql(sql, params=params).pl()
    raw = con.sql(raw_sql, params=params).pl()
    assert_same(raw, summary, params)  # vendor_work orders its rows fully
    return raw


def instants(con, end: datetime) -> list[datetime]:
    """Before the batches, inside one, after them, and inside sessions (one held across the
    period's start, one open at the end of the seed)."""
    inside = con.sql("SELECT started_at + (ended_at - started_at) / 2 FROM summary_review_sessions "
                     "WHERE ended_at - started_at > INTERVAL 20 MINUTE AND started_at < $e "
                     "ORDER BY started_at DESC, case_id LIMIT 1", params={"e": END - timedelta(days=2)}).fetchall()[0][0]
    return [END - timedelta(days=2, minutes=13), END + timedelta(hours=1, minutes=7), end + timedelta(hours=5),
            inside]


def test_the_summary_sessions_are_the_replayed_sessions(con, live_warehouse):
    compared = 0
    for as_of in instants(con, live_warehouse["end"]):
        for days in (1, 7, 30, 90):
            compared += compare_sessions(con, as_of - timedelta(days=days), as_of)
    assert compared > 20000
    # The histories cover what the summary must get right: open sessions, handlings of several
    # sessions (a reviewer back after pending_info), both outcomes, re-routes and re-assignments.
    kinds = dict(con.sql("SELECT coalesce(end_type, 'open'), count(*) FROM summary_review_sessions "
                         "GROUP BY ALL").fetchall())
    assert all(kinds.get(k, 0) > 0 for k in ("open", "decided", "escalated", "pending_info", "routed")), kinds
    assert con.sql("SELECT count(*) FROM summary_review_sessions WHERE handling_sessions > 1 "
                   "AND handling_outcome IS NOT NULL").fetchall()[0][0] > 50


def test_the_summary_handlings_are_the_replayed_handlings(con, live_warehouse):
    compared = begun_before = 0
    for as_of in instants(con, live_warehouse["end"]):
        for days in (1, 7, 30, 90):
            rows, before = compare_handlings(con, as_of - timedelta(days=days), as_of)
            compared += rows
            begun_before += before
    assert compared > 20000
    # Handlings begun more than a day before the window (sessions after a long wait for information)
    # are compared too, and handlings of several sessions.
    assert begun_before > 0
    assert con.sql("SELECT count(*) FROM summary_handlings h JOIN summary_review_sessions s USING (case_id, reviewer_id, handling) "
                   "WHERE s.handling_sessions > 1").fetchall()[0][0] > 50


def test_vendor_work_reads_the_same_from_the_summary(con, live_warehouse):
    ran = 0
    for as_of in instants(con, live_warehouse["end"]):
        for days in (7, 30, 90):
            for params in vendor_work_calls(as_of, days):
                work = compare_vendor_work(con, params)
                ran += 1
                assert work.filter(pl.col("kind") == "unit")["decisions"].sum() > 0
    assert ran == 24


def test_a_wrong_summary_row_is_caught(con, live_warehouse, tmp_path):
    """The comparison can fail: a session's end a minute off (handled time), a handling's seconds a
    minute off, or a handling's outcome lost, shows in vendor_work."""
    copy = copy_of(live_warehouse["path"], tmp_path / "wrong.duckdb")
    as_of = END
    params = vendor_work_calls(as_of, 7)[0]
    w = duckdb.connect(str(copy))
    try:
        w.execute("SET TimeZone = 'UTC'").fetchall()
        for setup in queries.macro_sql_for("vendor_work"):
            w.execute(setup).fetchall()
        compare_vendor_work(w, params)
        session = w.sql("SELECT case_id, event_id FROM summary_review_sessions WHERE end_type = 'decided' "
                        "AND ended_at < $a AND started_at > $a - INTERVAL 3 DAY ORDER BY case_id LIMIT 1",
                        params={"a": as_of}).fetchall()[0]
        handling = w.sql("SELECT case_id, handling FROM summary_handlings WHERE pieces = 1 "
                         "AND completed_at < $a AND first_started_at > $a - INTERVAL 3 DAY ORDER BY case_id LIMIT 1",
                         params={"a": as_of}).fetchall()[0]
        for table, change, key in (
                ("summary_review_sessions", "ended_at = ended_at + INTERVAL 1 MINUTE WHERE case_id = ? AND event_id = ?", session),
                ("summary_handlings", "handle_seconds = handle_seconds + 60 WHERE case_id = ? AND handling = ?", handling),
                ("summary_handlings", "outcome = NULL WHERE case_id = ? AND handling = ?", handling)):
            assert_wrong_row_caught(w, table, change, key, lambda: compare_vendor_work(w, params))
        compare_vendor_work(w, params)
    finally:
        w.close()


def _sessions(path: str) -> pl.DataFrame:
    return read_rows(path, "SELECT * FROM summary_review_sessions ORDER BY case_id, event_id")


def _handlings(path: str) -> pl.DataFrame:
    return read_rows(path, "SELECT * FROM summary_handlings ORDER BY case_id, reviewer_id, handling, queue_id")


def test_incremental_refreshes_leave_what_a_full_rebuild_builds(live_warehouse, tmp_path):
    copy = copy_of(live_warehouse["path"], tmp_path / "rebuilt.duckdb")
    incremental = _sessions(str(copy))
    handlings = _handlings(str(copy))
    # The live batches ended sessions the seed had left open, and opened new ones, and finished handlings.
    assert incremental.filter(pl.col("started_at") > END).height > 100
    assert handlings.filter(pl.col("completed_at") > END).height > 100
    report = summaries.refresh_file(copy, full=True)
    assert report.full
    assert_same(_sessions(str(copy)), incremental, "summary_review_sessions")
    assert_same(_handlings(str(copy)), handlings, "summary_handlings")


def test_refresh_picks_up_sessions_another_system_wrote(live_warehouse, tmp_path):
    """Events written without a refresh (another system's loader), ending open sessions and
    starting new ones, and a case deleted: an incremental refresh gives a full rebuild's rows."""
    copy = copy_of(live_warehouse["path"], tmp_path / "other.duckdb")
    con = duckdb.connect(str(copy))
    try:
        stamp = live_warehouse["end"] + timedelta(minutes=30)
        open_ids = [r[0] for r in con.sql("SELECT case_id FROM summary_review_sessions WHERE ended_at IS NULL "
                                          "ORDER BY case_id LIMIT 30").fetchall()]
        reviewer = con.sql("SELECT min(reviewer_id) FROM reviewers").fetchall()[0][0]
        first = con.sql("SELECT max(event_id) FROM case_events").fetchall()[0][0] + 1
        rows = []
        for i, case_id in enumerate(open_ids):
            rows.append((first + 2 * i, case_id, stamp, "decided" if i % 2 else "pending_info", None))
            rows.append((first + 2 * i + 1, case_id, stamp + timedelta(minutes=5), "assigned", reviewer))
        con.executemany("INSERT INTO case_events (event_id, case_id, occurred_at, event_type, actor_id) "
                        "VALUES (?, ?, ?, ?, ?)", rows)
        con.execute("DELETE FROM cases WHERE case_id = ?", [open_ids[0]]).fetchall()
    finally:
        con.close()
    report = summaries.refresh_file(copy, full=False)
    assert len(open_ids) >= 10
    assert not report.full and report.cases == len(open_ids) and report.high_water_mark == stamp + timedelta(minutes=5)
    incremental = _sessions(str(copy))
    handlings = _handlings(str(copy))
    assert incremental.filter(pl.col("case_id") == open_ids[0]).height == 0
    assert incremental.filter(pl.col("started_at") == stamp + timedelta(minutes=5)).height == len(open_ids) - 1
    # the open sessions ended by 'decided' finished their handlings (the deleted case's aside)
    assert handlings.filter(pl.col("completed_at") == stamp).height == len(open_ids[1::2])
    summaries.refresh_file(copy, full=True)
    assert_same(_sessions(str(copy)), incremental, "summary_review_sessions")
    assert_same(_handlings(str(copy)), handlings, "summary_handlings")
