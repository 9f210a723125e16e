"""SLA clocks: hand-worked cases for the Python reference (watchfloor/sla.py) and the SQL macros
(queries/macros/sla.sql), then agreement of the two on random warehouses.

Every hand case states its expected figures in a comment. Times are naive UTC unless a comment
says "local". 2026-06-01 is a Monday.

The synthetic warehouse checked at the end is the one benchmarks/bench_sla_clock.py times.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import duckdb
import polars as pl
import pytest

from benchmarks.bench_sla_clock import SYNTHETIC_AS_OF, build_synthetic_warehouse
from tests.sla_cases import MACRO_SQL, TIMEZONES, Warehouse, random_case, t
from watchfloor import sla
from watchfloor.sla import Policy, attainment, business_seconds

COLUMNS = {
    "case_id": pl.String, "clock": pl.String, "queue_id": pl.String, "priority": pl.String,
    "region": pl.String, "vendor_id": pl.String, "category": pl.String, "created_at": pl.Datetime("us"),
    "target_seconds": pl.Float64, "elapsed_seconds": pl.Float64, "paused_seconds": pl.Float64,
    "stopped_at": pl.Datetime("us"), "due_at": pl.Datetime("us"), "breach_at": pl.Datetime("us"),
    "used_share": pl.Float64, "breached": pl.Boolean, "state": pl.String, "reviewer_id": pl.String,
    "queue_s": pl.Float64, "review_s": pl.Float64, "pending_s": pl.Float64, "escalation_s": pl.Float64,
    "closed_s": pl.Float64,
}


def check(w: Warehouse, case_id: str, as_of: datetime, **expected) -> None:
    """Compare SQL and Python clocks of one case with hand-worked values.

    expected keys: fa / res -> dict of Clock fields (elapsed_seconds, paused_seconds, stopped_at,
    breached, breach_at, due_at, used_share, state); only the fields given are checked.
    """
    rows = w.sql(as_of)
    py = dict(zip(("fa", "res"), w.python(case_id, as_of)))
    for key, clock_name in (("fa", "first_action"), ("res", "resolution")):
        if key not in expected:
            continue
        row = rows[(case_id, clock_name)]
        for field, value in expected[key].items():
            got_py = getattr(py[key], field)
            assert got_py == pytest.approx(value) if isinstance(value, float) else got_py == value, (case_id, key, field, "python", got_py)
            assert row[field] == pytest.approx(value) if isinstance(value, float) else row[field] == value, (case_id, key, field, "sql", row[field])


@pytest.fixture
def w() -> Warehouse:
    wh = Warehouse()
    wh.policy("p24", 60, 240)  # 24x7, pausing: first action 1 h, resolution 4 h
    wh.queue("q24", "p24", "Europe/Dublin")
    wh.policy("p24np", 60, 240, pause=False)  # the same, not pausing
    wh.queue("q24np", "p24np", "Europe/Dublin")
    wh.policy("p150", 60, 150)  # 24x7, resolution 2.5 h
    wh.queue("q150", "p150", "Europe/Dublin")
    wh.policy("biz", 240, 960, "business")  # business 9-17: first action 4 working h, resolution 16 (2 days)
    wh.queue("qny", "biz", "America/New_York")
    wh.policy("biz90", 90, 960, "business")  # business 9-17: first action 1.5 working h
    wh.queue("qny90", "biz90", "America/New_York")
    wh.queue("qdub90", "biz90", "Europe/Dublin")
    return wh


# --- the hand cases -----------------------------------------------------------------------------


def test_pause_and_resume(w):
    # Created 10:00, first action 10:30, pending 11:00-12:00, resolved 14:30.
    w.case("c", "q24", t("2026-06-01 10:00"), t("2026-06-01 10:30"), t("2026-06-01 14:30"),
           [(t("2026-06-01 11:00"), "pending_info"), (t("2026-06-01 12:00"), "info_received"), (t("2026-06-01 14:30"), "resolved")])
    # Final: first action 30 min of 60 (met; the later pause does not matter to it);
    # resolution 4.5 h span - 1 h paused = 3.5 h = 12600 s of 14400 (met, 87.5 %); no due_at once met.
    check(w, "c", t("2026-06-02 00:00"),
          fa=dict(elapsed_seconds=1800.0, paused_seconds=0.0, stopped_at=t("2026-06-01 10:30"), breached=False, state="met", used_share=0.5),
          res=dict(elapsed_seconds=12600.0, paused_seconds=3600.0, stopped_at=t("2026-06-01 14:30"), breached=False,
                   breach_at=None, due_at=None, state="met", used_share=0.875))
    # As of 13:00 the resolution clock runs: 3 h - 1 h paused = 7200 s = 50 % (warning);
    # due 10:00 + 4 h + 1 h paused = 15:00.
    check(w, "c", t("2026-06-01 13:00"),
          res=dict(elapsed_seconds=7200.0, paused_seconds=3600.0, stopped_at=None, state="warning", due_at=t("2026-06-01 15:00")))


def test_exactly_at_target_is_met_and_one_second_past_is_breached(w):
    w.case("exact", "q24", t("2026-06-01 10:00"), t("2026-06-01 11:00"))  # first action after exactly 3600 s
    w.case("late", "q24", t("2026-06-01 10:00"), t("2026-06-01 11:00:01"))  # after 3601 s
    w.case("open", "q24", t("2026-06-01 10:00"))  # no first action
    as_of = t("2026-06-01 12:00")
    check(w, "exact", as_of, fa=dict(elapsed_seconds=3600.0, breached=False, breach_at=None, state="met", used_share=1.0))
    # Breached; the counted time passed 3600 s at 11:00:00.
    check(w, "late", as_of, fa=dict(elapsed_seconds=3601.0, breached=True, breach_at=t("2026-06-01 11:00"), state="breached"))
    # A pause that begins exactly at the target (11:00, 3600 s counted) comes before the breach: it
    # ends at 12:00 and the clock passes its target right then. First action 12:30: 2.5 h - 1 h.
    w.case("edge", "q24", t("2026-06-01 10:00"), t("2026-06-01 12:30"),
           events=[(t("2026-06-01 11:00"), "pending_info"), (t("2026-06-01 12:00"), "info_received")])
    check(w, "edge", t("2026-06-01 13:00"), fa=dict(elapsed_seconds=5400.0, paused_seconds=3600.0, breached=True, breach_at=t("2026-06-01 12:00")))
    # A running clock exactly at its target is not breached yet: 100 % used is 'at_risk'.
    check(w, "open", t("2026-06-01 11:00"),
          fa=dict(elapsed_seconds=3600.0, breached=False, breach_at=None, state="at_risk", due_at=t("2026-06-01 11:00")))


def test_business_hours_across_a_weekend(w):
    # Created Friday 2026-06-05 15:00 EDT (19:00 UTC), no action; as of Monday 12:00 EDT (16:00 UTC).
    w.case("wk", "qny", t("2026-06-05 19:00"))
    # Working time: Friday 15-17 (2 h) + Monday 9-12 (3 h) = 5 h = 18000 s (a 24x7 clock would say 69 h).
    assert business_seconds(t("2026-06-05 19:00"), t("2026-06-08 16:00"), "America/New_York", 9, 17) == 18000.0
    check(w, "wk", t("2026-06-08 16:00"),
          # First action, 4 h target: breached when Monday reached 2 h, at 11:00 EDT = 15:00 UTC.
          fa=dict(elapsed_seconds=18000.0, paused_seconds=0.0, breached=True, breach_at=t("2026-06-08 15:00"), state="breached"),
          # Resolution, 16 h: 5/16 = 31.25 % (on track); the 11 h left: Monday 12-17 (5 h), Tuesday 9-15
          # (6 h) -> Tuesday 15:00 EDT = 19:00 UTC.
          res=dict(elapsed_seconds=18000.0, used_share=0.3125, state="on_track", breached=False, due_at=t("2026-06-09 19:00")))


def test_business_hours_across_daylight_saving_changes(w):
    # New York springs forward on Sunday 2026-03-08 (EST -5 -> EDT -4). Created Friday 16:00 EST
    # (21:00 UTC), as of Monday 10:00 EDT (14:00 UTC): Friday 16-17 + Monday 9-10 = 7200 s.
    # (With the winter offset kept, Monday 14:00 UTC would read 09:00 and give 3600 s.)
    w.case("ny", "qny90", t("2026-03-06 21:00"))
    check(w, "ny", t("2026-03-09 14:00"),
          # 90 min target: 60 min on Friday, 30 more on Monday -> 09:30 EDT = 13:30 UTC.
          fa=dict(elapsed_seconds=7200.0, breached=True, breach_at=t("2026-03-09 13:30")),
          # 16 h target, 14 h left: Monday 10-17 (7 h), Tuesday 9-16 (7 h) -> 16:00 EDT = 20:00 UTC.
          res=dict(elapsed_seconds=7200.0, state="on_track", due_at=t("2026-03-10 20:00")))
    # Dublin falls back on Sunday 2026-10-25 (IST +1 -> GMT +0). Created Friday 16:00 IST
    # (15:00 UTC), as of Monday 10:00 GMT (10:00 UTC): 1 h + 1 h = 7200 s.
    w.case("dub", "qdub90", t("2026-10-23 15:00"))
    check(w, "dub", t("2026-10-26 10:00"),
          fa=dict(elapsed_seconds=7200.0, breached=True, breach_at=t("2026-10-26 09:30")),  # Monday 09:30 GMT
          res=dict(elapsed_seconds=7200.0, due_at=t("2026-10-27 16:00")))  # Tuesday 16:00 GMT


def test_open_case_already_breached(w):
    # Created 08:00, pending 08:30-09:30, no first action; as of 12:00.
    w.case("open", "q24", t("2026-06-01 08:00"), events=[(t("2026-06-01 08:30"), "pending_info"), (t("2026-06-01 09:30"), "info_received")])
    check(w, "open", t("2026-06-01 12:00"),
          # 4 h - 1 h paused = 10800 s > 3600: breached; the pause began at 30 counted minutes, before
          # the breach, so it pushes it from 09:00 to 10:00.
          fa=dict(elapsed_seconds=10800.0, paused_seconds=3600.0, stopped_at=None, breached=True,
                  breach_at=t("2026-06-01 10:00"), due_at=t("2026-06-01 10:00"), state="breached", used_share=3.0),
          # 10800 of 14400 = 75 %: at risk; due 08:00 + 4 h + 1 h = 13:00.
          res=dict(elapsed_seconds=10800.0, state="at_risk", due_at=t("2026-06-01 13:00")))
    # A pause that begins after the breach does not move it: created 08:00, pending 09:30-10:00.
    w.case("late_pause", "q24", t("2026-06-01 08:00"), events=[(t("2026-06-01 09:30"), "pending_info"), (t("2026-06-01 10:00"), "info_received")])
    check(w, "late_pause", t("2026-06-01 12:00"),
          fa=dict(elapsed_seconds=12600.0, paused_seconds=1800.0, breach_at=t("2026-06-01 09:00")),  # 4 h - 30 min
          res=dict(elapsed_seconds=12600.0, state="at_risk", due_at=t("2026-06-01 12:30")))  # 87.5 %; 08:00 + 4.5 h


def test_reopened_case(w):
    # Created 10:00, first action 10:10, resolved 11:00, reopened 15:00, resolved again 17:00.
    events = [(t("2026-06-01 11:00"), "resolved"), (t("2026-06-01 15:00"), "reopened"), (t("2026-06-01 17:00"), "resolved")]
    w.case("re", "q24", t("2026-06-01 10:00"), t("2026-06-01 10:10"), t("2026-06-01 17:00"), events)
    # Final: resolution counts 10-11 and 15-17 = 3 h = 10800 s of 14400 (met), the 4 h between the
    # resolution and the reopening are not counted; first action unaffected (600 s, met).
    check(w, "re", t("2026-06-02 00:00"),
          fa=dict(elapsed_seconds=600.0, stopped_at=t("2026-06-01 10:10"), state="met"),
          res=dict(elapsed_seconds=10800.0, paused_seconds=14400.0, stopped_at=t("2026-06-01 17:00"), state="met"))
    # As of 13:00 the case is resolved (not yet reopened): stopped at 11:00 after 3600 s, met.
    check(w, "re", t("2026-06-01 13:00"), res=dict(elapsed_seconds=3600.0, paused_seconds=0.0, stopped_at=t("2026-06-01 11:00"), state="met"))
    # As of 16:00 it runs again: 1 h + 1 h = 7200 s (50 %, warning); due 10:00 + 4 h + 4 h = 18:00.
    check(w, "re", t("2026-06-01 16:00"),
          res=dict(elapsed_seconds=7200.0, paused_seconds=14400.0, stopped_at=None, state="warning", due_at=t("2026-06-01 18:00")))
    # The same timeline with a 2.5 h target: 3 h counted, breached; 1 h before the first
    # resolution, 1.5 h more after the reopening -> 16:30.
    w.case("re150", "q150", t("2026-06-01 10:00"), t("2026-06-01 10:10"), t("2026-06-01 17:00"), events)
    check(w, "re150", t("2026-06-02 00:00"),
          res=dict(elapsed_seconds=10800.0, breached=True, breach_at=t("2026-06-01 16:30"), state="breached", stopped_at=t("2026-06-01 17:00")))


def test_case_paused_at_as_of(w):
    # Created 09:00, first action 09:30, pending since 10:00 with no answer; as of 12:00.
    events = [(t("2026-06-01 10:00"), "pending_info")]
    w.case("p", "q24", t("2026-06-01 09:00"), t("2026-06-01 09:30"), events=events)
    # Resolution: 1 h counted, 2 h paused (cut at as_of), 25 % on track; due as if it resumed now:
    # 12:00 + 3 h left = 15:00 (= 09:00 + 4 h + 2 h paused).
    check(w, "p", t("2026-06-01 12:00"),
          fa=dict(elapsed_seconds=1800.0, state="met"),
          res=dict(elapsed_seconds=3600.0, paused_seconds=7200.0, stopped_at=None, state="on_track", due_at=t("2026-06-01 15:00")))
    # The same case under a policy that does not pause: 3 h counted = 75 %, at risk, due 13:00.
    w.case("np", "q24np", t("2026-06-01 09:00"), t("2026-06-01 09:30"), events=events)
    check(w, "np", t("2026-06-01 12:00"),
          res=dict(elapsed_seconds=10800.0, paused_seconds=0.0, state="at_risk", due_at=t("2026-06-01 13:00")))


def test_evaluation_as_of_a_past_time_ignores_later_events(w):
    # Created 10:00, first action 10:20, pending 11:00-12:00, resolved 15:00; evaluated as of 11:30.
    w.case("h", "q24", t("2026-06-01 10:00"), t("2026-06-01 10:20"), t("2026-06-01 15:00"),
           [(t("2026-06-01 11:00"), "pending_info"), (t("2026-06-01 12:00"), "info_received"), (t("2026-06-01 15:00"), "resolved")])
    w.case("fa_later", "q24", t("2026-06-01 10:00"), t("2026-06-01 11:45"))  # first action after as_of
    w.case("future", "q24", t("2026-06-01 12:00"))  # created after as_of
    as_of = t("2026-06-01 11:30")
    # Resolution still running (resolved after as_of), paused since 11:00 (the answer at 12:00 has
    # not happened yet): 1 h counted, 30 min paused, 25 %; due 10:00 + 4 h + 30 min = 14:30.
    check(w, "h", as_of,
          fa=dict(elapsed_seconds=1200.0, stopped_at=t("2026-06-01 10:20"), state="met"),
          res=dict(elapsed_seconds=3600.0, paused_seconds=1800.0, stopped_at=None, state="on_track", due_at=t("2026-06-01 14:30")))
    # First action still missing at 11:30: 90 min > 60, breached at 11:00.
    check(w, "fa_later", as_of, fa=dict(elapsed_seconds=5400.0, stopped_at=None, breached=True, breach_at=t("2026-06-01 11:00")))
    assert w.python("future", as_of) is None
    assert {case for case, _ in w.sql(as_of)} == {"h", "fa_later"}


def test_events_before_creation_are_ignored(w):
    # A pending_info stamped 10 minutes before the case was created (clock skew) does not pause it:
    # as of 11:00 the resolution clock has counted the full hour since 10:00.
    w.case("skew", "q24", t("2026-06-01 10:00"), events=[(t("2026-06-01 09:50"), "pending_info")])
    check(w, "skew", t("2026-06-01 11:00"), res=dict(elapsed_seconds=3600.0, paused_seconds=0.0))


def test_since_keeps_open_cases_and_cases_resolved_after_it(w):
    w.case("old", "q24", t("2026-05-01 10:00"), t("2026-05-01 10:10"), t("2026-05-01 11:00"), [(t("2026-05-01 11:00"), "resolved")])
    w.case("open_old", "q24", t("2026-05-01 10:00"))
    w.case("later", "q24", t("2026-05-31 10:00"), t("2026-05-31 10:10"), t("2026-06-01 11:00"), [(t("2026-06-01 11:00"), "resolved")])
    # As of 06-01 10:00, since 06-01 00:00: 'old' was resolved before since (left out); 'later' is
    # resolved after as_of, so it is open at as_of (kept, resolution running for 24 h: breached).
    rows = w.sql(t("2026-06-01 10:00"), t("2026-06-01 00:00"))
    assert {case for case, _ in rows} == {"open_old", "later"}
    assert rows[("later", "resolution")]["stopped_at"] is None
    assert rows[("later", "resolution")]["breach_at"] == t("2026-05-31 14:00")


def test_attainment_counts_an_open_breached_case(w):
    a, b = t("2026-06-01 00:00"), t("2026-06-02 00:00")
    w.case("c1", "q24", t("2026-06-01 10:00"), t("2026-06-01 10:30"), t("2026-06-01 11:00"))  # met at 10:30: in
    w.case("c2", "q24", t("2026-06-01 12:00"), t("2026-06-01 14:00"), t("2026-06-01 15:00"))  # breached at 13:00: in
    w.case("c3", "q24", t("2026-06-01 20:00"))  # open, breached at 21:00: in
    w.case("c4", "q24", t("2026-06-01 23:30"))  # open, 30 min used, not breached: out
    w.case("c5", "q24", t("2026-05-31 10:00"), t("2026-05-31 10:30"), t("2026-05-31 11:00"))  # met before a: out
    w.case("c6", "q24", t("2026-05-31 23:30"), t("2026-06-01 00:45"), t("2026-06-01 01:00"))  # breached at 00:30: in
    # First action: met 1 (c1), breached 3 (c2, c3, c6) -> 25 %.
    clocks = [pair[0] for pair in (w.python(c, b) for c in w.cases) if pair]
    assert attainment(clocks, a, b) == (1, 3, 0.25)
    got = w.query(
        """SELECT count(*) FILTER (WHERE NOT breached AND stopped_at >= $a AND stopped_at < $b) AS met,
                  count(*) FILTER (WHERE breached AND breach_at >= $a AND breach_at < $b) AS breached
           FROM sla_clocks($b, $a) WHERE clock = 'first_action'""",
        params={"a": a, "b": b},
    ).fetchall()
    assert got == [(1, 3)]
    assert attainment([], a, b) == (0, 0, None)


# --- building blocks ----------------------------------------------------------------------------


def test_output_columns_and_types_and_session_time_zone(w):
    w.case("x", "qny", t("2026-03-06 21:00"), events=[(t("2026-03-09 13:00"), "pending_info")])
    w.case("y", "q24", t("2026-06-01 10:00"), t("2026-06-01 10:30"), t("2026-06-01 12:00"))
    frame = w.frame(t("2026-06-02 00:00"))
    assert dict(frame.schema) == COLUMNS
    # The session TimeZone does not change any result.
    w.con.execute("SET TimeZone='America/Los_Angeles'").fetchall()
    assert w.frame(t("2026-06-02 00:00")).equals(frame)
    w.con.execute("SET TimeZone='Asia/Kolkata'").fetchall()
    assert w.frame(t("2026-06-02 00:00")).equals(frame)


def test_local_time_rules_at_dst_changes_match_duckdb():
    con = duckdb.connect()
    con.execute(MACRO_SQL.split("CREATE OR REPLACE TEMP MACRO sla_clocks")[0]).fetchall()
    cases = [
        (t("2026-11-01 01:30"), "America/New_York", t("2026-11-01 06:30")),  # ambiguous: the later (EST) instant
        (t("2026-03-08 02:30"), "America/New_York", t("2026-03-08 07:30")),  # non-existent: read in EST
        (t("2026-10-25 01:30"), "Europe/Dublin", t("2026-10-25 01:30")),  # ambiguous: the later (GMT) instant
        (t("2026-03-29 01:30"), "Europe/Dublin", t("2026-03-29 01:30")),  # non-existent: read in GMT
        (t("2026-06-01 09:00"), "Asia/Singapore", t("2026-06-01 01:00")),
    ]
    for local, tz, utc in cases:
        assert sla.to_utc(local, tz) == utc
        assert con.execute("SELECT wf_utc_ts($1::TIMESTAMP, $2)", [local, tz]).fetchall()[0][0] == utc


def test_business_position_and_inverse_match_sql_on_random_instants():
    con = duckdb.connect()
    con.execute(MACRO_SQL.split("CREATE OR REPLACE TEMP MACRO sla_clocks")[0]).fetchall()
    rng = random.Random(5)
    rows = []
    for _ in range(400):
        tz = rng.choice(["America/New_York", "Europe/Dublin", "Asia/Singapore", "Asia/Kolkata", "America/Los_Angeles"])
        start, end = rng.choice([(9, 17), (8, 18), (0, 24), (7, 19)])
        ts = t("2026-01-01") + timedelta(seconds=rng.randrange(0, 365 * 86400))
        rows.append((ts, tz, start, end))
    got = con.execute(
        """SELECT wf_business_pos(ts, tz, s, e), wf_business_ts(wf_business_pos(ts, tz, s, e), tz, s, e)
           FROM (SELECT unnest($1) AS ts, unnest($2) AS tz, unnest($3) AS s, unnest($4) AS e)""",
        [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]],
    ).fetchall()
    for (ts, tz, start, end), (pos, back) in zip(rows, got):
        assert sla.business_position(ts, tz, start, end) == pos
        assert sla.business_instant(pos, tz, start, end) == back
        local = sla.to_local(ts, tz)
        if local.weekday() < 5 and start <= local.hour < end and not (local.hour == start and local.minute == local.second == 0):
            assert back == ts  # inside working hours the inverse is exact
        else:
            assert back >= ts  # outside them: the next opening (the latest instant at that position)
            assert sla.business_position(back, tz, start, end) == pos


# --- SQL and Python agree on random warehouses ---------------------------------------------------

def _assert_agree(w: Warehouse, as_of: datetime, since: datetime, rows: dict | None = None) -> int:
    """Every clock of sla_clocks(as_of, since) equals the Python clock; returns how many were compared."""
    rows = w.sql(as_of, since) if rows is None else rows
    expected_cases = set()
    compared = 0
    for case_id, c in w.cases.items():
        pair = w.python(case_id, as_of)
        if pair is None or (c["resolved"] is not None and c["resolved"] < since):
            continue
        expected_cases.add(case_id)
        for clock in pair:
            row = rows[(case_id, clock.kind)]
            where = (case_id, clock.kind, as_of)
            assert row["elapsed_seconds"] == pytest.approx(clock.elapsed_seconds, abs=1e-3), where
            assert row["paused_seconds"] == pytest.approx(clock.paused_seconds, abs=1e-3), where
            assert row["target_seconds"] == clock.target_seconds, where
            assert row["breached"] == clock.breached, where
            assert row["state"] == clock.state, where
            assert row["stopped_at"] == clock.stopped_at, where
            for field in ("breach_at", "due_at"):
                a, b = row[field], getattr(clock, field)
                assert (a is None) == (b is None), (where, field, a, b)
                if a is not None:
                    assert abs((a - b).total_seconds()) <= 1, (where, field, a, b)
            compared += 1
    assert {case for case, _ in rows} == expected_cases
    return compared


def test_sql_and_python_agree_on_a_random_warehouse():
    rng = random.Random(20260601)
    w = Warehouse()
    for i in range(8):
        calendar = "business" if i % 2 else "24x7"
        start, end = rng.choice([(9, 17), (8, 18), (7, 19)])
        w.policy(f"p{i}", rng.choice([15, 60, 240, 480]), rng.choice([240, 1440, 2880, 4320]), calendar, i % 4 < 2, start, end)
        for tz in TIMEZONES:
            w.queue(f"q{i}_{tz}", f"p{i}", tz)
    queues = list(w.queues)
    base = t("2026-02-20")  # the period spans the March and October/November DST changes
    for n in range(400):
        created = base + timedelta(seconds=rng.randrange(0, 270 * 86400))
        first_action, resolved, events = random_case(rng, created)
        w.case(f"c{n}", rng.choice(queues), created, first_action, resolved, events)
    compared = 0
    for as_of in [t("2026-03-10 14:00"), t("2026-06-15 09:30"), t("2026-10-26 12:00"), t("2026-11-02 08:00"), t("2027-06-01")]:
        compared += _assert_agree(w, as_of, as_of - timedelta(days=20))
    assert compared > 1000


def _assert_warehouse_agrees(path: str, as_of: datetime, since: datetime) -> int:
    """sla_clocks on a warehouse file against the Python clock for every case it returns."""
    con = duckdb.connect(path, read_only=True)  # the macros on a read-only connection, as the runner does
    con.execute("SET TimeZone='UTC'").fetchall()
    con.execute(MACRO_SQL).fetchall()
    rows = {(r["case_id"], r["clock"]): r for r in con.sql(
        "SELECT * FROM sla_clocks($as_of, $since)", params={"as_of": as_of, "since": since}).pl().iter_rows(named=True)}
    w = Warehouse()  # used only for its Python side: policies, queues and case histories
    for pid, fa, res, calendar, pause, start, end in con.execute(
        "SELECT sla_policy_id, first_action_target_min, resolution_target_min, calendar, pause_on_pending, business_start_hour, business_end_hour FROM sla_policies"
    ).fetchall():
        w.policies[pid] = Policy(fa, res, calendar, pause, start, end)
    for qid, pid, tz in con.execute("SELECT queue_id, sla_policy_id, timezone FROM queues").fetchall():
        w.queues[qid] = (pid, tz)
    events: dict[str, list] = {}
    for case_id, occurred_at, event_type in con.execute("SELECT case_id, occurred_at, event_type FROM case_events ORDER BY occurred_at, event_id").fetchall():
        events.setdefault(case_id, []).append((occurred_at, event_type))
    for case_id, queue, created, first, resolved in con.execute("SELECT case_id, queue_id, created_at, first_action_at, resolved_at FROM cases").fetchall():
        w.cases[case_id] = dict(queue=queue, created=created, first_action=first, resolved=resolved, events=events.get(case_id, []))
    con.close()
    return _assert_agree(w, as_of, since, rows)


def test_sql_and_python_agree_on_the_synthetic_generator(tmp_path):
    path = build_synthetic_warehouse(tmp_path / "syn.duckdb", 3000)
    assert _assert_warehouse_agrees(path, SYNTHETIC_AS_OF, SYNTHETIC_AS_OF - timedelta(days=1)) > 100


def test_sql_and_python_agree_on_a_seeded_warehouse(tmp_path):
    from watchfloor.simulator import writer
    from watchfloor.simulator.config import SimConfig

    end = datetime(2026, 11, 2, 12, 0)  # a week spanning the end of daylight-saving time in New York
    path = str(tmp_path / "seeded.duckdb")
    writer.seed(path, SimConfig(days=10, cases_per_day=800, seed=3, end=end), progress=False)
    # Every clock of every case open or resolved in the last four days, as of the end and as of a past moment.
    compared = _assert_warehouse_agrees(path, end, end - timedelta(days=4))
    compared += _assert_warehouse_agrees(path, end - timedelta(days=3, hours=5), end - timedelta(days=5))
    assert compared > 2000
