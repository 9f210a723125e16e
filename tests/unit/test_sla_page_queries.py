"""The SLA page's named queries (queries/sla_*.sql) and figures (watchfloor/sla_figures.py) against a
small warehouse built by hand below, whose every figure is worked out in the comments. The page
evaluates the clocks once (sla_period_clocks); sla_figures.sla_figures derives every figure.

AS_OF is Wednesday 2026-11-18 12:00 UTC. The page's default date range is the last 7 days,
2026-11-12..2026-11-18, i.e. the period [11-12 00:00, 11-19 00:00), cut at AS_OF. All policies
used by cases are 24x7, so counted time is wall time minus pauses.

Policies: P1 first action 60 min, resolution 24 h; P2 first action 8 h, resolution 72 h; both pause
while pending info. P3 (business hours, no cases) shows in the policy table only.

Cases (t = day hour:minute in November 2026; events in order):
  c1  P2 fraud AMER, v_int   created 16 10:00, routed 10:00, assigned 11:00, first_action+decided+resolved 12:00
      FA 2 h of 8 h: met at 16 12:00.  RES 2 h of 72 h: met at 16 12:00.
  c2  P2 fraud AMER, v_bpo   created 16 20:00, routed, assigned 17 05:00, first_action+decided+resolved 17 06:00
      FA 10 h of 8 h: breached at 17 04:00.  RES met at 17 06:00.
      Breach causes (FA span 16 20:00-17 06:00): queue 20:00-05:00 = 9 h, review 05:00-06:00 = 1 h.
  c3  P1 child EMEA, v_bpo, escalated to the L2 queue (its current queue):
      created 17 08:00, routed 08:00, assigned 08:30, first_action+pending_info 09:00, info_received 11:00,
      assigned 12:00, escalated 13:00, assigned 16:00, decided+resolved 18 11:00
      FA 60 min of 60: exactly at the target is met, at 17 09:00.
      RES: 27 h wall, 2 h paused -> 25 h of 24 h: breached at 08:00 + 24 h + 2 h pause = 18 10:00.
      Breach causes (RES span 17 08:00-18 11:00 = 27 h = 97200 s):
        queue      08:00-08:30 + 11:00-12:00          = 1.5 h  =  5400 s
        review     08:30-09:00 + 12:00-13:00 + 16:00-11:00 (+1 d) = 20.5 h = 73800 s
        pending    09:00-11:00                         = 2 h    =  7200 s
        escalation 13:00-16:00                         = 3 h    = 10800 s
  c4  P1 child EMEA, no vendor  created 18 09:30, routed; open
      FA running 2.5 h of 1 h: breached at 10:30 (250 %), overdue 1.5 h. RES 2.5 h of 24 h (10.4 %), due 19 09:30.
      Breach causes (FA span 09:30-AS_OF): queue 2.5 h = 9000 s.
  c5  P1 child EMEA, no vendor  created 18 11:10, routed; open
      FA 50 of 60 min (83 %): at risk, due 12:10 (10 min left). RES 50 min of 24 h, due 19 11:10.
  c6  P2 spam AMER, v_int    created 18 07:00, routed, assigned 08:00; open
      FA 5 h of 8 h (62.5 %): warning, due 15:00 (3 h left). RES 5 h of 72 h, due 21 07:00.
  c7  P2 fraud AMER, v_bpo   created 18 09:00, routed, assigned 09:15, first_action+pending_info 09:30,
      info_received 10:00, assigned 10:30; open
      FA 30 min: met at 09:30. RES 3 h wall - 0.5 h paused = 2.5 h of 72 h, due 09:00 + 72.5 h = 21 09:30.
  c8  P1 child EMEA, v_int, escalated: created 13 10:00, routed, assigned 10:20, first_action+escalated 10:40,
      assigned 14 12:00, decided+resolved 14 13:00
      FA 40 min: met at 13 10:40. RES 27 h of 24 h: breached at 14 10:00.
      Breach causes (RES, 27 h): queue 20 min = 1200 s, review 10:20-10:40 + 12:00-13:00 = 4800 s,
      escalation 13 10:40-14 12:00 = 25 h 20 min = 91200 s.
  c9  P2 fraud AMER, v_int   created 10 10:00 ... resolved 10 12:00: before the period, never counted.
  c10 P2 fraud AMER, v_int   created 11 20:00, routed, assigned 12 03:00, first_action+decided+resolved 12 06:00
      FA 10 h: breached at 12 04:00 (in the period though created before it). RES met at 12 06:00.
      Breach causes (FA): queue 7 h = 25200 s, review 3 h = 10800 s.
  c11 P2 fraud AMER, v_int, reopened: created 14 00:00, routed, assigned 01:00, first_action+decided+resolved
      02:00, reopened 15 02:00, assigned 17 00:00, decided+resolved 18 01:00
      FA 2 h: met at 14 02:00 (its first resolution). RES counts 2 h + 15 02:00..18 01:00 (71 h) = 73 h of 72:
      breached when the count reached 72 h, at 18 00:00 (the closed day pushes the deadline by 24 h).
      Breach causes (RES span 14 00:00-18 01:00 = 97 h = 349200 s): queue 1 h + 46 h = 169200 s,
      review 1 h + 25 h = 93600 s, closed 14 02:00-15 02:00 = 86400 s.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import polars as pl
import pytest

import queries
from queries import plans
from tests.warehouses.sla import AS_OF, EVENTS, TWO_DAYS, WEEK, H, t
from watchfloor import formatting, sla_figures
from watchfloor.filters import Filters

# ---- expected figures (worked out in the module docstring) ----
# Daily attainment over [11-12, 11-19) cut at AS_OF: day -> (met, breached)
EXPECTED_DAILY = {
    "first_action": {12: (0, 1), 13: (1, 0), 14: (1, 0), 15: (0, 0), 16: (1, 0), 17: (1, 1), 18: (1, 1)},
    # c10 met 12; c8 breached 14; c1 met 16; c2 met 17; c11 breached 18 00:00, c3 breached 18 10:00
    "resolution": {12: (1, 0), 13: (0, 0), 14: (0, 1), 15: (0, 0), 16: (1, 0), 17: (1, 0), 18: (0, 2)},
}
# FA: met c1, c3, c7, c8, c11; breached c2, c4, c10.  RES: met c1, c2, c10; breached c3, c8, c11.
EXPECTED_TOTAL = {"first_action": (5, 3), "resolution": (3, 3)}
# Whole period per breakdown value: (clock, value) -> (met, breached)
EXPECTED_BY = {
    "priority": {("first_action", "P1"): (2, 1), ("first_action", "P2"): (3, 2),
                 ("resolution", "P1"): (0, 2), ("resolution", "P2"): (3, 1)},
    "queue": {("first_action", "q_fraud_amer"): (3, 2), ("first_action", "q_child_emea"): (0, 1),
              ("first_action", "q_child_l2"): (2, 0),
              ("resolution", "q_fraud_amer"): (3, 1), ("resolution", "q_child_l2"): (0, 2)},
    "vendor": {("first_action", "v_int"): (3, 1), ("first_action", "v_bpo"): (2, 1), ("first_action", None): (0, 1),
               ("resolution", "v_int"): (2, 2), ("resolution", "v_bpo"): (1, 1)},
    "region": {("first_action", "AMER"): (3, 2), ("first_action", "EMEA"): (2, 1),
               ("resolution", "AMER"): (3, 1), ("resolution", "EMEA"): (0, 2)},
}
# Breach list, newest first: (clock, case, breach_at, elapsed s, target s, case still open)
EXPECTED_BREACHES = [
    ("first_action", "c4", t(18, 10, 30), 2.5 * H, 1 * H, True),
    ("resolution", "c3", t(18, 10), 25 * H, 24 * H, False),
    ("resolution", "c11", t(18, 0), 73 * H, 72 * H, False),
    ("first_action", "c2", t(17, 4), 10 * H, 8 * H, False),
    ("resolution", "c8", t(14, 10), 27 * H, 24 * H, False),
    ("first_action", "c10", t(12, 4), 10 * H, 8 * H, False),
]
# Next to breach: (case, clock, seconds left, used share, state); not breached yet, least time left
# first, then the overdue ones, most recently breached first
EXPECTED_NEXT = [
    ("c5", "first_action", 600.0, 50 / 60, "at_risk"),
    ("c6", "first_action", 3 * H, 5 / 8, "warning"),
    ("c4", "resolution", 21.5 * H, 2.5 / 24, "on_track"),
    ("c5", "resolution", 23 * H + 600, 50 / 1440, "on_track"),
    ("c6", "resolution", 67 * H, 5 / 72, "on_track"),
    ("c7", "resolution", 69.5 * H, 2.5 / 72, "on_track"),
    ("c4", "first_action", -1.5 * H, 2.5, "breached"),
]
# What next to breach lists: clocks on track (under 50 % used) are counted but not listed.
LISTED_NEXT = [e for e in EXPECTED_NEXT if e[4] != "on_track"]
# Breach causes over all breached clocks of the period: clock -> (clocks, queue, review, pending, escalation, closed)
EXPECTED_CAUSES = {
    "first_action": (3, 66600.0, 14400.0, 0.0, 0.0, 0.0),  # c2 + c4 + c10
    "resolution": (3, 175800.0, 172200.0, 7200.0, 102000.0, 86400.0),  # c3 + c8 + c11
}
C3_CAUSES = (1, 5400.0, 73800.0, 7200.0, 10800.0, 0.0)  # the resolution breach of c3 alone


def fetch(filters: Filters = WEEK, **scope) -> dict[str, Any]:
    """The page's frames: the plan's (policies, clocks) and the figures derived from the clocks."""
    filters = Filters(start=filters.start, end=filters.end, **{k: tuple(v) for k, v in scope.items()})
    data = plans.fetch(plans.sla(AS_OF, filters))
    period = filters.period_params()
    figures = sla_figures.sla_figures(data["clocks"], AS_OF, period["period_start"], period["period_end"],
                                      hourly=sla_figures.hourly_buckets(filters.start, filters.end))
    return {**data, **figures}


def whole(frame: pl.DataFrame, dimension: str) -> dict:
    rows = frame.filter((pl.col("dimension") == dimension) & pl.col("bucket").is_null())
    return {(r["clock"], r["value"]): (r["met"], r["breached"]) for r in rows.iter_rows(named=True)}


# --------------------------------------------------------------------------- the warehouse itself


def test_the_hand_worked_clocks_hold_in_sla_clocks(sla_env):
    """The clock figures the expectations rest on, straight from the macro (a guard for this file)."""
    con = duckdb.connect(sla_env, read_only=True)
    try:
        con.execute("\n".join(queries.macro_sql_for("sla_period_clocks"))).fetchall()
        rows = con.sql("SELECT case_id, clock, elapsed_seconds, breach_at, state FROM sla_clocks($a, $since)",
                       params={"a": AS_OF, "since": t(12, 0)}).fetchall()
    finally:
        con.close()
    got = {(c, k): (e, b, s) for c, k, e, b, s in rows}
    assert got[("c3", "first_action")] == (3600.0, None, "met")  # exactly at target
    assert got[("c3", "resolution")] == (25 * H, t(18, 10), "breached")
    assert got[("c11", "resolution")] == (73 * H, t(18, 0), "breached")
    assert got[("c7", "resolution")][0] == 2.5 * H


def test_period_clocks_hold_each_clock_once(sla_env):
    """sla_period_clocks: a row per clock breached in the period or running at AS_OF, and the met
    clocks of the period counted per bucket (day for a week, hour for two days)."""
    clocks = fetch()["clocks"]
    detail = clocks.filter(pl.col("case_id").is_not_null())
    assert set(detail["clocks"].to_list()) == {1}
    breached = {(r["case_id"], r["clock"]) for r in detail.filter(pl.col("breached")).iter_rows(named=True)}
    assert breached == {(e[1], e[0]) for e in EXPECTED_BREACHES}
    running = detail.filter(pl.col("stopped_at").is_null())
    assert sorted((r["case_id"], r["clock"]) for r in running.iter_rows(named=True)) == sorted(
        (case, clock) for case, clock, *_ in EXPECTED_NEXT)
    met = clocks.filter(pl.col("case_id").is_null())
    assert not met["breached"].any() and met["queue_s"].is_null().all()
    per_day = met.group_by("clock", "counted_at").agg(pl.col("clocks").sum())
    assert {(r["clock"], r["counted_at"]): r["clocks"] for r in per_day.iter_rows(named=True)} == {
        (clock, t(day, 0)): n for clock, days in EXPECTED_DAILY.items() for day, (n, _) in days.items() if n}
    # only the clocks breached in the period carry breach causes; status only for listed running clocks
    assert set(detail.filter(pl.col("queue_s").is_not_null())["case_id"]) == {"c2", "c3", "c4", "c8", "c10", "c11"}
    assert detail.filter(pl.col("status").is_not_null())["stopped_at"].is_null().all()
    hourly = fetch(TWO_DAYS)["clocks"].filter(pl.col("case_id").is_null())
    assert set(hourly["counted_at"]) == {t(17, 6), t(17, 9), t(18, 9)}  # c2 RES, c3 FA, c7 FA


# --------------------------------------------------------------------------- attainment


def test_attainment_per_day(sla_env):
    frame = fetch()["attainment"]
    series = frame.filter((pl.col("dimension") == "all") & pl.col("bucket").is_not_null())
    for clock, days in EXPECTED_DAILY.items():
        rows = series.filter(pl.col("clock") == clock).sort("bucket")
        assert [r["bucket"] for r in rows.iter_rows(named=True)] == [t(d, 0) for d in range(12, 19)]
        got = {r["bucket"].day: (r["met"], r["breached"]) for r in rows.iter_rows(named=True)}
        assert got == days, clock
    fa = series.filter(pl.col("clock") == "first_action").sort("bucket")["attainment"].to_list()
    # 0/1, 1/1, 1/1, none, 1/1, 1/2, 1/2
    assert fa == [0.0, 1.0, 1.0, None, 1.0, 0.5, 0.5]


def test_attainment_over_the_whole_period(sla_env):
    frame = fetch()["attainment"]
    assert whole(frame, "all") == {(c, None): v for c, v in EXPECTED_TOTAL.items()}
    assert sla_figures.overall_attainment(frame, "first_action").share == pytest.approx(5 / 8)
    assert sla_figures.overall_attainment(frame, "resolution").share == pytest.approx(0.5)


@pytest.mark.parametrize("dimension", ["priority", "queue", "vendor", "region"])
def test_attainment_per_breakdown(sla_env, dimension):
    assert whole(fetch()["attainment"], dimension) == EXPECTED_BY[dimension]


def test_attainment_labels(sla_env):
    frame = fetch()["attainment"]
    labels = {(r["dimension"], r["value"]): r["label"] for r in frame.filter(pl.col("bucket").is_null()).iter_rows(named=True)}
    assert labels[("queue", "q_child_l2")] == "Child safety EMEA L2"
    assert labels[("vendor", "v_bpo")] == "Northwind BPO"
    assert labels[("vendor", None)] == "No vendor"
    assert labels[("all", None)] == "All"


def test_attainment_per_hour_over_two_days(sla_env):
    frame = fetch(TWO_DAYS)["attainment"]
    series = frame.filter((pl.col("dimension") == "all") & pl.col("bucket").is_not_null())
    fa = series.filter(pl.col("clock") == "first_action").sort("bucket")
    # hours 11-17 00:00 .. 11-18 11:00 (AS_OF cuts the period at 12:00): 36 buckets
    assert fa.height == 36 and fa["bucket"][0] == t(17, 0) and fa["bucket"][-1] == t(18, 11)
    counted = {r["bucket"]: (r["met"], r["breached"]) for r in fa.iter_rows(named=True) if r["met"] or r["breached"]}
    # c2 breached 17 04:00; c3 met 17 09:00; c7 met 18 09:30; c4 breached 18 10:30
    assert counted == {t(17, 4): (0, 1), t(17, 9): (1, 0), t(18, 9): (1, 0), t(18, 10): (0, 1)}
    res = series.filter(pl.col("clock") == "resolution")
    counted = {r["bucket"]: (r["met"], r["breached"]) for r in res.iter_rows(named=True) if r["met"] or r["breached"]}
    # c2 met 17 06:00; c11 breached 18 00:00; c3 breached 18 10:00
    assert counted == {t(17, 6): (1, 0), t(18, 0): (0, 1), t(18, 10): (0, 1)}


def test_attainment_respects_the_filters(sla_env):
    emea = fetch(regions=["EMEA"])["attainment"]
    # EMEA: c3, c4, c5, c8 -> FA met c3, c8, breached c4; RES breached c3, c8
    assert whole(emea, "all") == {("first_action", None): (2, 1), ("resolution", None): (0, 2)}
    child = fetch(verticals=["Child safety"])["attainment"]
    assert whole(child, "all") == whole(emea, "all")
    bpo = fetch(vendors=["v_bpo"])["attainment"]
    # v_bpo: c2, c3, c7 -> FA met c3, c7, breached c2; RES met c2, breached c3
    assert whole(bpo, "all") == {("first_action", None): (2, 1), ("resolution", None): (1, 1)}


def test_breakdown_table_and_chart_series(sla_env):
    frame = fetch()["attainment"]
    table = sla_figures.breakdown_table(frame, "vendor")
    # most breaches first: Internal 1 + 2, Northwind BPO 1 + 1, No vendor 1 + 0
    assert table["label"].to_list() == ["Internal", "Northwind BPO", "No vendor"]
    internal = table.row(0, named=True)
    assert (internal["fa_met"], internal["fa_breached"], internal["res_met"], internal["res_breached"]) == (3, 1, 2, 2)
    assert internal["fa_attainment"] == pytest.approx(0.75) and internal["res_attainment"] == pytest.approx(0.5)
    no_vendor = table.row(2, named=True)
    assert (no_vendor["res_met"], no_vendor["res_breached"], no_vendor["res_attainment"]) == (0, 0, None)
    resolution = sla_figures.clock_view(table, "resolution")
    assert resolution.columns == ["label", "met", "breached", "attainment"]
    # no resolution clock of 'No vendor' counted; each clock in its own order
    assert resolution["label"].to_list() == ["Internal", "Northwind BPO"]
    first_action = sla_figures.clock_view(table, "first_action")
    assert first_action["label"].to_list() == ["Internal", "Northwind BPO", "No vendor"]  # 1 breach each, then clocks
    assert first_action["attainment"].to_list() == pytest.approx([0.75, 2 / 3, 0.0])
    series = sla_figures.chart_series(frame, "priority", "resolution", top_n=1)
    # 'All' over 7 days, then the priority with most resolution breaches (P1: 2)
    assert series["label"].unique(maintain_order=True).to_list() == ["All", "P1"]
    p1 = {r["bucket"].day: r["attainment"] for r in series.filter(pl.col("label") == "P1").iter_rows(named=True)}
    assert p1 == {14: 0.0, 18: 0.0}


# --------------------------------------------------------------------------- breach list


def test_breach_list_newest_first(sla_env):
    frame = fetch()["breaches"]
    got = [(r["clock"], r["case_id"], r["breach_at"], r["elapsed_seconds"], r["target_seconds"], r["case_open"])
           for r in frame.iter_rows(named=True)]
    assert got == EXPECTED_BREACHES
    c3 = frame.filter(pl.col("case_id") == "c3").row(0, named=True)
    assert (c3["queue_name"], c3["vendor_name"], c3["category"], c3["created_at"]) == ("Child safety EMEA L2", "Northwind BPO", "child_safety", t(17, 8))
    assert c3["paused_seconds"] == 2 * H and c3["used_share"] == pytest.approx(25 / 24)
    assert dict(frame.select("clock", "clock_breaches").unique().iter_rows()) == {"first_action": 3, "resolution": 3}


def test_breach_list_by_clock_and_truncated(sla_env):
    frame = fetch()["breaches"]
    fa = sla_figures.select_breaches(frame, "first_action")
    assert fa.rows["case_id"].to_list() == ["c4", "c2", "c10"] and (fa.total, fa.truncated) == (3, False)
    res = sla_figures.select_breaches(frame, "resolution")
    assert res.rows["case_id"].to_list() == ["c3", "c11", "c8"]
    both = sla_figures.select_breaches(frame, "both", limit=4)
    assert both.rows["case_id"].to_list() == ["c4", "c3", "c11", "c2"] and (both.total, both.truncated) == (6, True)
    # The list's own limit is per clock and keeps the full counts.
    limited = sla_figures.breaches(fetch()["clocks"], AS_OF, **WEEK.period_params(), row_limit=1)
    assert limited["case_id"].to_list() == ["c4", "c3"]
    one = sla_figures.select_breaches(limited, "both", limit=1)
    assert one.rows["case_id"].to_list() == ["c4"] and (one.total, one.truncated) == (6, True)
    shown = sla_figures.breach_display(fa.rows)
    assert shown["Category"].to_list() == ["Child safety", "Fraud & scams", "Fraud & scams"]
    assert shown["Elapsed / target"].to_list() == ["2 h 30 min / 1 h", "10 h / 8 h", "10 h / 8 h"]
    assert shown["Vendor"][0] == "No vendor"


def test_breach_list_is_empty_for_a_quiet_period(sla_env):
    quiet = Filters(start=date(2026, 11, 15), end=date(2026, 11, 15))
    data = fetch(quiet)
    assert data["breaches"].height == 0
    assert sla_figures.select_breaches(data["breaches"], "both").total == 0
    assert data["causes"].height == 0
    assert sla_figures.cause_split(data["causes"], "resolution", "all").height == 0


# --------------------------------------------------------------------------- next to breach


def test_next_to_breach_order_and_levels(sla_env):
    frame = fetch()["next_to_breach"]
    got = [(r["case_id"], r["clock"], r["seconds_left"], r["used_share"], r["state"]) for r in frame.iter_rows(named=True)]
    assert [g[:2] for g in got] == [e[:2] for e in LISTED_NEXT]
    for (_, _, left, share, state), (_, _, e_left, e_share, e_state) in zip(got, LISTED_NEXT):
        assert left == pytest.approx(e_left) and share == pytest.approx(e_share) and state == e_state
    assert frame["due_at"][0] == t(18, 12, 10) and frame["due_at"][-1] == t(18, 10, 30)
    assert frame["status"].to_list() == ["queued", "in_review", "queued"]
    assert sla_figures.running_now(frame) == sla_figures.RunningNow(running=7, breached=1, at_risk=1, warning=1)
    # About to breach counts the clocks at risk or warning, as the headline's note does (not every running clock).
    assert sla_figures.next_view_counts(frame) == {"upcoming": 2, "overdue": 1}
    assert sla_figures.next_view(frame, "overdue")["case_id"].to_list() == ["c4"]
    upcoming = sla_figures.next_view(frame, "upcoming")
    assert upcoming["case_id"].to_list() == ["c5", "c6"]
    shown = sla_figures.next_to_breach_display(frame)
    assert shown["Time left"].to_list()[:2] == ["10 min", "3 h"] and shown["Time left"][-1] == "overdue 1 h 30 min"
    assert shown["Level"].to_list() == ["At risk", "Warning", "Breached"]
    assert shown["Used"][0] == pytest.approx(100 * 50 / 60)


def test_next_to_breach_limit_keeps_the_counts(sla_env):
    frame = sla_figures.next_to_breach(fetch()["clocks"], limit=2)
    # at most 2 per group: c5, c6 first actions about to breach; c4 overdue
    assert frame["case_id"].to_list() == ["c5", "c6", "c4"]
    assert sla_figures.running_now(frame).running == 7
    amer = fetch(regions=["AMER"])["next_to_breach"]
    assert [(r["case_id"], r["clock"]) for r in amer.iter_rows(named=True)] == [("c6", "first_action")]
    assert sla_figures.running_now(amer).running == 3  # c6's two clocks and c7's resolution clock


# --------------------------------------------------------------------------- breach causes


def causes_of(frame: pl.DataFrame, clock: str, dimension: str = "all", value: str | None = None) -> tuple:
    rows = frame.filter((pl.col("clock") == clock) & (pl.col("dimension") == dimension))
    rows = rows.filter(pl.col("value").is_null() if value is None else pl.col("value") == value)
    r = rows.row(0, named=True)
    return (r["breached_clocks"], r["queue_seconds"], r["review_seconds"], r["pending_seconds"],
            r["escalation_seconds"], r["closed_seconds"])


def test_breach_causes_overall(sla_env):
    frame = fetch()["causes"]
    for clock, expected in EXPECTED_CAUSES.items():
        assert causes_of(frame, clock) == expected, clock
        total = frame.filter((pl.col("clock") == clock) & (pl.col("dimension") == "all"))["total_seconds"][0]
        assert total == sum(expected[1:])  # the parts add up to the wall time: 81000 s and 543600 s


def test_breach_causes_of_a_case_with_queue_review_pause_and_escalation(sla_env):
    # v_bpo's only resolution breach is c3.
    frame = fetch(vendors=["v_bpo"])["causes"]
    assert causes_of(frame, "resolution") == C3_CAUSES
    split = sla_figures.cause_split(frame, "resolution", "all")
    shares = dict(zip(split["part"].to_list(), split["share"].to_list()))
    assert shares["Waiting in queue"] == pytest.approx(5400 / 97200)
    assert shares["In review"] == pytest.approx(73800 / 97200)
    assert shares["Pending info"] == pytest.approx(7200 / 97200)
    assert shares["In escalation"] == pytest.approx(10800 / 97200)


def test_breach_causes_per_breakdown(sla_env):
    frame = fetch()["causes"]
    # resolution breaches by vendor: v_bpo c3; v_int c8 + c11
    assert causes_of(frame, "resolution", "vendor", "v_bpo") == C3_CAUSES
    assert causes_of(frame, "resolution", "vendor", "v_int") == (2, 170400.0, 98400.0, 0.0, 91200.0, 86400.0)
    # first action by queue: q_fraud_amer c2 + c10, q_child_emea c4 (still waiting at AS_OF)
    assert causes_of(frame, "first_action", "queue", "q_fraud_amer") == (2, 57600.0, 14400.0, 0.0, 0.0, 0.0)
    assert causes_of(frame, "first_action", "queue", "q_child_emea") == (1, 9000.0, 0.0, 0.0, 0.0, 0.0)
    split = sla_figures.cause_split(frame, "first_action", "queue")
    assert split["label"].unique(maintain_order=True).to_list() == ["Fraud AMER L1", "Child safety EMEA L1"]


# --------------------------------------------------------------------------- policies, case events, helpers


def test_policies_in_readable_units(sla_env):
    frame = fetch()["policies"]
    assert frame["sla_policy_id"].to_list() == ["pol_p1", "pol_p2", "pol_p3"]
    table = sla_figures.policy_table(frame)
    p1, p2, p3 = table.iter_rows(named=True)
    assert (p1["First action"], p1["Resolution"], p1["Queues"]) == ("1 h", "1 d", 2)
    assert p1["Queue names"] == ["Child safety EMEA L1", "Child safety EMEA L2"]
    assert (p2["First action"], p2["Resolution"]) == ("8 h", "3 d")
    assert p1["Calendar"] == "24×7" and p1["Pending info"] == "Pauses the clock"
    assert p3["Calendar"] == "Mon–Fri 09:00–17:00 local"
    assert p3["Resolution"] == "1 d 16 h"


def test_case_events_timeline(sla_env):
    events = queries.run("sla_case_events", case_id="c3", created_at=t(17, 8), as_of=AS_OF)
    assert events["event_type"].to_list() == [e[1] for e in EVENTS["c3"]]
    shown = sla_figures.timeline_display(events)
    # pending_info 09:00 -> info_received 11:00; the last event (resolved) lasts until AS_OF
    assert shown.filter(pl.col("Event") == "Pending info")["For"].to_list() == ["2 h"]
    assert shown["Then"].to_list()[-1] == "Closed" and shown["For"].to_list()[-1] == "1 h"
    # first_action (with pending_info) and decided do not change the state
    assert shown["Then"].to_list() == [
        "Waiting in queue", "Waiting in queue", "In review", "In review", "Pending info", "Waiting in queue",
        "In review", "In escalation", "In review", "In review", "Closed"]


def test_plan_buckets_by_hour_for_two_days_or_less():
    assert sla_figures.hourly_buckets(date(2026, 11, 17), date(2026, 11, 18))
    assert sla_figures.hourly_buckets(date(2026, 11, 18), date(2026, 11, 18))
    assert not sla_figures.hourly_buckets(date(2026, 11, 16), date(2026, 11, 18))
    plan = {call.key: call for call in plans.sla(AS_OF, WEEK)}
    # the period's clocks run once; the counts of now are Home's query with Home's parameters
    assert set(plan) == {"policies", "now", "clocks"}
    assert plan["now"].params == {call.key: call for call in plans.home(AS_OF, WEEK)}["now"].params
    assert plan["clocks"].name == "sla_period_clocks"
    assert plan["clocks"].params["hourly"] is False
    assert plan["clocks"].params["row_limit"] == sla_figures.NEXT_TO_BREACH_LIMIT
    assert plans.sla(AS_OF, TWO_DAYS)[1].params["hourly"] is True
    # only one query of the page evaluates the clock of the period (sla_now is Home's, shared)
    assert [c.name for c in plan.values() if "_clocks(" in queries.load(c.name).sql and c.key != "now"] == \
        ["sla_period_clocks"]
    assert plans.PAGE_PLANS["sla"] is plans.sla


@pytest.mark.parametrize("seconds,text", [
    (None, "–"), (30, "30 s"), (900, "15 min"), (3600, "1 h"), (5400, "1 h 30 min"), (86400, "1 d"),
    (100800, "1 d 4 h"), (-5400, "1 h 30 min"), (3599.6, "1 h"),
])
def test_format_duration(seconds, text):
    assert formatting.format_duration(seconds) == text


def test_format_time_left():
    assert formatting.format_time_left(600) == "10 min"
    assert formatting.format_time_left(-5400) == "overdue 1 h 30 min"
    assert formatting.format_time_left(None) == "–"
