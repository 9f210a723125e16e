"""Queue health summaries worked out by hand, and the queue queries on a hand-built warehouse."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import duckdb
import polars as pl
import pytest

import queries
from queries import plans
from tests import hand_warehouse
from tests.warehouses import home
from watchfloor import capacity, formatting, metrics
from watchfloor.filters import Filters
from watchfloor.queue_health import colour_state, health_table, history_figures, history_window, worst_by_age, worst_by_sla

# Two queues of one team (T1: 2 reviewers on shift, 10 decisions in 5 staffed hours -> 2 per hour)
# and one queue of another team with nobody on shift.
QUEUE_FLOW = pl.DataFrame({
    "queue_id": ["qa", "qb", "qc"],
    "queue_name": ["A", "B", "C"],
    "vertical": ["V1", "V1", "V2"],
    "region": ["AMER", "AMER", "EMEA"],
    "tier": ["L1", "L1", "L1"],
    "team": ["T1", "T1", "T2"],
    "priority": ["P1", "P2", "P2"],
    "first_action_target_min": [60, 240, 240],
    "resolution_target_min": [1440, 2880, 2880],
    "inflow_1h": [1, 0, 2],
    "outflow_1h": [2, 1, 0],
    "inflow_24h": [24, 12, 6],
    "outflow_24h": [30, 10, 0],
    "team_reviewers_on_shift": [2, 2, 0],
    "team_staffed_hours_24h": [5.0, 5.0, 0.0],
    "decisions_24h": [8, 2, 0],
    "team_decisions_24h": [10, 10, 0],
})
# qa: 3 open (ages 1 h, 2 h, 3 h; one breached); qb: 1 open, at risk; qc: 2 open, fine.
OPEN_CASES = pl.DataFrame({
    "case_id": ["a1", "a2", "a3", "b1", "c1", "c2"],
    "queue_id": ["qa", "qa", "qa", "qb", "qc", "qc"],
    "vendor_id": ["v1", "unassigned", "v1", "v2", "unassigned", "unassigned"],
    "status": ["in_review", "queued", "pending_info", "in_review", "queued", "queued"],
    "age_seconds": [3600.0, 7200.0, 10800.0, 600.0, 60.0, 120.0],
    "risk": ["ok", "ok", "breached", "at_risk", "ok", "ok"],
    "max_used_share": [0.2, 0.4, 1.3, 0.8, 0.01, 0.02],
})
VENDOR_FLOW = pl.DataFrame({
    "vendor_id": ["v1", "v2"], "vendor_name": ["Vendor one", "Vendor two"],
    "inflow_1h": [1, 1], "outflow_1h": [1, 0], "inflow_24h": [20, 4], "outflow_24h": [18, 5],
    "decisions_24h": [16, 4], "reviewers_on_shift": [1, 1], "staffed_hours_24h": [8.0, 0.0],
})


def test_clears_in_from_the_last_hours_net_flow():
    assert metrics.hours_to_clear(0, 5, 0) == 0.0
    assert metrics.hours_to_clear(10, 1, 3) == pytest.approx(5.0)  # 10 / (3 out - 1 in)
    assert metrics.hours_to_clear(22, 9, 22) == pytest.approx(22 / 13)  # the queue: 22 out, 9 in
    assert metrics.hours_to_clear(10, 1, 1) is None  # outflow = inflow: not clearing
    assert metrics.hours_to_clear(10, 4, 1) is None  # growing
    assert [formatting.format_hours(h) for h in (None, 0.0, 0.5, 5.04, 72.0)] == [
        "not clearing", "clear", "< 1 h", "5.0 h", "3.0 d"]


def test_clears_in_is_capacitys_definition_at_a_constant_rate():
    """One definition with the Capacity page: capacity.hours_to_clear with the same flow every hour."""
    backlog, inflow, outflow = [10.0, 7.0, 30.0], [1.0, 2.0, 4.0], [3.0, 9.0, 5.0]
    hours = 48
    arrivals = [[i] * hours for i in inflow]
    served = [[o] * hours for o in outflow]
    reference = capacity.hours_to_clear(backlog, arrivals, served)
    for b, i, o, r in zip(backlog, inflow, outflow, reference):
        assert metrics.hours_to_clear(b, i, o) == pytest.approx(r)


@pytest.mark.parametrize(
    "backlog,breached,at_risk,state",
    [(10, 1, 0, "red"), (11, 1, 0, "amber"), (100, 9, 0, "amber"), (100, 10, 0, "red"), (100, 0, 10, "amber"),
     (100, 3, 6, "amber"), (100, 0, 9, "green"), (100, 0, 0, "green"), (0, 0, 0, "green"), (3, 0, 1, "amber")],
)
def test_colour_state(backlog, breached, at_risk, state):
    assert colour_state(backlog, breached, at_risk) == state


def test_per_queue_table():
    table = health_table(QUEUE_FLOW, OPEN_CASES, VENDOR_FLOW, "queue")
    assert table["group"].to_list() == ["qa", "qb", "qc"]  # red, amber (at risk), then qc
    qa = table.row(0, named=True)
    assert (qa["backlog"], qa["in_review"], qa["queued"], qa["pending_info"]) == (3, 1, 1, 1)
    assert (qa["oldest_case_id"], qa["oldest_age_seconds"]) == ("a3", 10800.0)
    assert qa["age_p50_seconds"] == pytest.approx(7200.0)
    assert qa["age_p90_seconds"] == pytest.approx(7200 + 0.8 * 3600)  # rank 0.9 x 2 = 1.8: between 2 h and 3 h
    # Team throughput 10 / 5 h = 2; qa does 8 of the team's 10 decisions: capacity 2 x 2 x 0.8 = 3.2/h.
    assert qa["throughput_per_staffed_hour"] == pytest.approx(2.0)
    assert qa["capacity_per_hour"] == pytest.approx(3.2)
    # Last hour: 1 in, 2 out: clears in 3 / (2 - 1) h.
    assert qa["projected_hours_to_clear"] == pytest.approx(3.0)
    assert (qa["breached"], qa["state"]) == (1, "red")  # 1 of 3 past target: a third, red
    qb = table.row(1, named=True)
    assert (qb["at_risk"], qb["state"]) == (1, "amber")
    assert qb["projected_hours_to_clear"] == pytest.approx(1.0)  # 1 / (1 out - 0 in)
    qc = table.row(2, named=True)
    # 2 in and none out over the last hour: not clearing; nothing late, so green.
    assert qc["projected_hours_to_clear"] is None and qc["state"] == "green"


def test_grouped_by_vertical_adds_teams_once():
    table = health_table(QUEUE_FLOW, OPEN_CASES, VENDOR_FLOW, "vertical")
    v1 = table.filter(pl.col("group") == "V1").row(0, named=True)
    assert v1["backlog"] == 4 and v1["breached"] == 1 and v1["at_risk"] == 1
    assert v1["reviewers_on_shift"] == 2  # team T1 counted once, not per queue
    assert v1["inflow_24h"] == 36
    assert v1["throughput_per_staffed_hour"] == pytest.approx(2.0)
    assert v1["first_action_target_min"] == 60  # the strictest of its queues
    assert v1["state"] == "red"


def test_grouped_by_vendor():
    table = health_table(QUEUE_FLOW, OPEN_CASES, VENDOR_FLOW, "vendor")
    rows = {r["group"]: r for r in table.iter_rows(named=True)}
    assert rows["v1"]["backlog"] == 2 and rows["v1"]["state"] == "red"
    assert rows["unassigned"]["label"] == "Not yet assigned" and rows["unassigned"]["backlog"] == 3
    # v2 staffed no hours in 24 h: no throughput figure rather than a division by zero.
    assert rows["v2"]["throughput_per_staffed_hour"] is None


def test_unknown_grouping_is_refused():
    with pytest.raises(ValueError):
        health_table(QUEUE_FLOW, OPEN_CASES, VENDOR_FLOW, "colour")


SCOPE: dict[str, Any] = {"regions": [], "verticals": [], "priorities": [], "vendors": []}


@pytest.fixture
def queue_warehouse(tmp_path, monkeypatch):
    """The hand warehouse plus a team, shifts and a few events in the last 24 hours."""
    path = hand_warehouse.build(tmp_path / "q.duckdb", home.ROWS)
    con = duckdb.connect(str(path))
    con.execute("UPDATE queues SET team = 'T-' || queue_id").fetchall()
    t = home.t
    # r1 works the fraud queue 06:00-14:00 (on shift at 12:00; 6 h of the last 24 h so far),
    # and yesterday 10:00-18:00 (6 h inside the window from 11-17 12:00).
    con.executemany("INSERT INTO shifts VALUES (?, ?, ?, ?)", [
        ("r1", t(18, 6), t(18, 14), "q_fraud_amer"),
        ("r1", t(17, 10), t(17, 18), "q_fraud_amer"),
        ("r2", t(18, 0), t(18, 8), "q_child_emea"),  # ended: not on shift at 12:00
    ])
    events = [
        # c3 and c4 were routed into the child-safety queue in the last 24 h (c4 in the last hour).
        ("c3", t(18, 10), "routed", None, "q_child_emea"),
        ("c4", t(18, 11, 10), "routed", None, "q_child_emea"),
        # c5 was decided by r1 in the fraud queue and escalated out of it to the child-safety queue.
        ("c5", t(18, 9, 5), "assigned", "r1", "q_fraud_amer"),
        ("c5", t(18, 9, 30), "decided", "r1", "q_fraud_amer"),
        ("c5", t(18, 11, 30), "escalated", "r1", "q_child_emea"),
    ]
    base = con.sql("SELECT max(event_id) FROM case_events").fetchall()[0][0]
    con.executemany("INSERT INTO case_events VALUES (?, ?, ?, ?, ?, ?, NULL)", [(base + i + 1, *e) for i, e in enumerate(events)])
    con.close()
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", str(path))
    return path


def test_queue_flow_query(queue_warehouse):
    flow = queries.run("queue_flow", as_of=home.AS_OF, **SCOPE)
    rows = {r["queue_id"]: r for r in flow.iter_rows(named=True)}
    child, fraud = rows["q_child_emea"], rows["q_fraud_amer"]
    # In: c3, c4 routed, c5 escalated in (c4 and c5 within the last hour). Out: nothing resolved there.
    assert (child["inflow_24h"], child["inflow_1h"], child["outflow_24h"]) == (3, 2, 0)
    # Fraud: c1, c2 and c6 resolved in the last 24 h (their resolved events), c5 escalated out at 11:30.
    assert (fraud["outflow_24h"], fraud["outflow_1h"]) == (4, 1)
    assert fraud["team_reviewers_on_shift"] == 1 and child["team_reviewers_on_shift"] == 0
    assert fraud["team_staffed_hours_24h"] == pytest.approx(12.0)  # 6 h today + 6 h yesterday
    assert child["team_staffed_hours_24h"] == pytest.approx(8.0)
    assert fraud["decisions_24h"] == 1 and fraud["team_decisions_24h"] == 1


def test_a_reroute_counts_out_of_the_queue_it_left(queue_warehouse):
    """c3 first lands in the fraud queue at 09:30 and is re-routed to child safety at 10:00 (the
    fixture's routed event): one more in and one more out for fraud; the child-safety queue's
    inflow is as before (the re-route brings c3 in, as its routing did)."""
    con = duckdb.connect(str(queue_warehouse))
    base = con.sql("SELECT max(event_id) FROM case_events").fetchall()[0][0]
    con.execute("INSERT INTO case_events VALUES (?, 'c3', ?, 'routed', NULL, 'q_fraud_amer', NULL)",
                [base + 1, home.t(18, 9, 30)]).fetchall()
    con.close()
    rows = {r["queue_id"]: r for r in queries.run("queue_flow", as_of=home.AS_OF, **SCOPE).iter_rows(named=True)}
    fraud, child = rows["q_fraud_amer"], rows["q_child_emea"]
    assert (fraud["inflow_24h"], fraud["outflow_24h"], fraud["outflow_1h"]) == (1, 5, 1)
    assert (child["inflow_24h"], child["outflow_24h"]) == (3, 0)


def test_queue_open_cases_query(queue_warehouse):
    open_cases = queries.run("queue_open_cases", as_of=home.AS_OF, **SCOPE)
    rows = {r["case_id"]: r for r in open_cases.iter_rows(named=True)}
    assert set(rows) == {"c3", "c4", "c5"}
    assert rows["c3"]["risk"] == "breached" and rows["c4"]["risk"] == "at_risk" and rows["c5"]["risk"] == "ok"
    assert rows["c3"]["vendor_id"] == "unassigned" and rows["c5"]["vendor_id"] == "v_bpo"
    assert rows["c4"]["age_seconds"] == pytest.approx(50 * 60)


def test_queue_vendor_flow_query(queue_warehouse):
    vendors = queries.run("queue_vendor_flow", as_of=home.AS_OF, **SCOPE)
    rows = {r["vendor_id"]: r for r in vendors.iter_rows(named=True)}
    # r1 (v_int) took c5, decided it and escalated it: in 1, out 2 (decided + escalated), 1 decision.
    assert (rows["v_int"]["inflow_24h"], rows["v_int"]["outflow_24h"], rows["v_int"]["decisions_24h"]) == (1, 2, 1)
    assert rows["v_int"]["outflow_1h"] == 1  # the escalation at 11:30
    assert rows["v_int"]["reviewers_on_shift"] == 1 and rows["v_bpo"]["reviewers_on_shift"] == 0


def test_queue_hourly_flow_query(queue_warehouse):
    hourly = queries.run("queue_hourly_flow", as_of=home.AS_OF, **SCOPE)
    assert hourly.height == 48
    assert hourly["hour_start"][-1] == home.AS_OF  # the current, just-started hour
    by_hour = {r["hour_start"]: r for r in hourly.iter_rows(named=True)}
    # 11-18 02:00-03:00: c1 created; 04:00: c1 resolved.
    assert by_hour[home.t(18, 2)]["created"] == 1 and by_hour[home.t(18, 4)]["resolved"] == 1
    # At 12:00 the backlog is c3, c4, c5 (as Home's backlog), and at 11-17 13:00 it is c2 (created 13:00, so
    # not yet at the end of 12:00-13:00) ... at the end of 13:00-14:00: c2 and c6.
    assert by_hour[home.t(18, 11)]["backlog_at_end"] == 3
    assert by_hour[home.t(17, 13)]["backlog_at_end"] == 2
    assert sum(hourly["created"]) - sum(hourly["resolved"]) == sum(hourly["net_flow"])


# --------------------------------------------------------------------------- Home: the worst queues

def test_worst_queues_by_sla_and_by_oldest_age():
    table = health_table(QUEUE_FLOW, OPEN_CASES, None, "queue")
    by_sla = worst_by_sla(table)
    # qa: 1 breached; qb: 1 at risk; qc: neither, so not named.
    assert by_sla["group"].to_list() == ["qa", "qb"]
    assert by_sla.select("breached", "at_risk").rows() == [(1, 0), (0, 1)]
    assert by_sla["label"].to_list() == ["A", "B"] and by_sla["region"].to_list() == ["AMER", "AMER"]
    by_age = worst_by_age(table)
    # Oldest open case ÷ resolution target: qa 3 h of 24 h = 0.125; qb 600 s of 48 h; qc 120 s of 48 h.
    assert by_age["group"].to_list() == ["qa", "qb", "qc"]
    assert by_age["age_of_target"].to_list() == pytest.approx([10800 / 86400, 600 / 172800, 120 / 172800])
    assert by_age["oldest_case_id"].to_list() == ["a3", "b1", "c2"]
    assert worst_by_age(table, 1)["group"].to_list() == ["qa"]


def test_worst_queues_rank_breached_before_at_risk_and_leave_out_empty_queues():
    open_cases = OPEN_CASES.filter(pl.col("queue_id") != "qc").with_columns(
        pl.when(pl.col("case_id") == "a1").then(pl.lit("at_risk")).otherwise(pl.col("risk")).alias("risk"))
    table = health_table(QUEUE_FLOW, open_cases, None, "queue")
    assert worst_by_sla(table).select("group", "breached", "at_risk").rows() == [("qa", 1, 1), ("qb", 0, 1)]
    assert "qc" not in worst_by_age(table)["group"].to_list()  # nothing open: no oldest case


def test_the_vendor_grouping_needs_the_vendor_flows():
    with pytest.raises(ValueError, match="vendor flows"):
        health_table(QUEUE_FLOW, OPEN_CASES, None, "vendor")


# --------------------------------------------------------------------------- one queue's history

def test_history_window_hours_over_7_days_days_beyond():
    seven = history_window(home.AS_OF, 7)
    # Now is 12:00 on the hour: the last bucket is (11:00, 12:00]; 168 hours back from it.
    assert seven.hourly and seven.range_start == datetime(2026, 11, 11, 12, 0)
    assert seven.history_start == datetime(2026, 11, 4, 12, 0)
    fourteen = history_window(home.AS_OF + timedelta(minutes=5), 14)
    assert not fourteen.hourly and fourteen.range_start == datetime(2026, 11, 5)  # 11-05 .. 11-18: 14 days
    assert fourteen.history_start == datetime(2026, 10, 29)
    with pytest.raises(ValueError):
        history_window(home.AS_OF, 8)


def history(queue_id: str, days: int, vendors: tuple[str, ...] = ()) -> pl.DataFrame:
    filters = Filters(start=home.AS_OF.date(), end=home.AS_OF.date(), vendors=vendors)
    data = plans.fetch(plans.queue_history(home.AS_OF, filters, queue_id, days))
    return history_figures(data["history"], history_window(home.AS_OF, days))


def test_queue_history_per_day_worked_by_hand(queue_warehouse):
    """The fraud queue over 14 days, buckets (day, next midnight], today's ending at 12:00:
    c9 in 11-09 (12:00), out at 11-12 00:00 (the 11-11 bucket); c7 in and out 11-10; c6 in 11-16,
    out 11-17; c2 in 11-17, out 11-18 01:00; c1 in and out 11-18; c5 in 11-18 09:00, open."""
    frame = history("q_fraud_amer", 14)
    assert frame.height == 14 and frame["bucket_start"][0] == datetime(2026, 11, 5)
    rows = {r["bucket_start"].day: r for r in frame.iter_rows(named=True)}
    got = {day: (r["backlog_start"], r["inflow"], r["outflow"], r["backlog_end"], r["oldest_age_hours"])
           for day, r in rows.items() if day in (9, 10, 11, 12, 16, 17, 18)}
    assert got == {
        9: (0, 1, 0, 1, 12.0),  # c9, 12 h old at 11-10 00:00
        10: (1, 1, 1, 1, 36.0),  # c7 in and out; c9 36 h old
        11: (1, 0, 1, 0, 0.0),  # c9 resolved at midnight: in this bucket, not open at its end
        12: (0, 0, 0, 0, 0.0),
        16: (0, 1, 0, 1, 12.0),  # c6
        17: (1, 1, 1, 1, 11.0),  # c2 in (13:00), c6 out; c2 11 h old at 11-18 00:00
        18: (1, 2, 2, 1, 3.0),  # c1, c5 in; c2, c1 out; c5 3 h old at 12:00
    }
    # The last bucket ends now and holds Queue health's backlog of the queue now (c5).
    assert rows[18]["bucket_end"] == home.AS_OF and not rows[18]["complete"] and rows[17]["complete"]
    # Trailing averages: the 7 days before the bucket. 11-18: backlog 11-16, 11-17 (2/7); in 11-16,
    # 11-17 (2/7); out 11-11, 11-17 (2/7); oldest (12 + 11) / 7. 11-12: over 11-05..11-11,
    # oldest (12 + 36) / 7. 11-05: the 7 days before it hold nothing, so 0 (not missing).
    assert (rows[18]["backlog_end_avg"], rows[18]["inflow_avg"], rows[18]["outflow_avg"]) == pytest.approx((2 / 7,) * 3)
    assert rows[18]["oldest_age_hours_avg"] == pytest.approx(23 / 7)
    assert rows[12]["oldest_age_hours_avg"] == pytest.approx(48 / 7)
    assert rows[12]["outflow_avg"] == pytest.approx(2 / 7)  # c7 (11-10) and c9 (11-11)
    assert rows[5]["inflow_avg"] == 0.0 and rows[5]["backlog_end_avg"] == 0.0


def test_queue_history_per_hour_worked_by_hand(queue_warehouse):
    """The child-safety queue over 7 days, per hour: c3 created at 10:00 sharp falls in (09:00, 10:00];
    c4 at 11:10 in (11:00, 12:00]; c8 (11-11 08:00 to 11:00) is before the range but inside the
    averages' week for its first hours."""
    frame = history("q_child_emea", 7)
    assert frame.height == 168 and frame["bucket_start"][-1] == datetime(2026, 11, 18, 11)
    rows = {r["bucket_start"]: r for r in frame.iter_rows(named=True)}
    def figures(r):
        return (r["backlog_start"], r["inflow"], r["outflow"], r["backlog_end"], r["oldest_age_hours"])
    assert figures(rows[home.t(18, 9)]) == (0, 1, 0, 1, 0.0)  # c3, 0 h old at 10:00
    assert figures(rows[home.t(18, 10)]) == (1, 0, 0, 1, 1.0)
    assert figures(rows[home.t(18, 11)]) == (1, 1, 0, 2, 2.0)  # c3 and c4 open now, as on Queue health
    last = rows[home.t(18, 11)]
    # The 168 hours before 11:00: c3 open at the ends of 09:00 and 10:00 (2/168); c3 in (1/168);
    # nothing out (c8 left at 11-11 11:00, the end of the 10:00 bucket, just before the window).
    assert (last["backlog_end_avg"], last["inflow_avg"], last["outflow_avg"]) == pytest.approx((2 / 168, 1 / 168, 0.0))
    assert last["oldest_age_hours_avg"] == pytest.approx(1 / 168)  # 0 h at 10:00, 1 h at 11:00
    first = rows[home.t(11, 12)]  # the range's first hour: its week holds c8 (in 07:00-08:00, out 10:00-11:00)
    assert (first["inflow_avg"], first["outflow_avg"]) == pytest.approx((1 / 168, 1 / 168))


@pytest.mark.parametrize("queue_id,days", [("q_fraud_amer", 7), ("q_fraud_amer", 90), ("q_child_emea", 30)])
def test_queue_history_reconciles_every_bucket(queue_warehouse, queue_id, days):
    """backlog_end = backlog_start + inflow − outflow in every bucket, and a bucket starts with the
    backlog the one before ended with; the backlog now is the open cases of Queue health's table."""
    frame = history(queue_id, days)
    assert (frame["backlog_start"] + frame["inflow"] - frame["outflow"] == frame["backlog_end"]).all()
    assert frame["backlog_start"][1:].to_list() == frame["backlog_end"][:-1].to_list()
    assert frame["inflow"].sum() > 0
    open_now = queries.run("queue_open_cases", as_of=home.AS_OF, **SCOPE).filter(pl.col("queue_id") == queue_id)
    assert frame["backlog_end"][-1] == open_now.height
    assert frame["oldest_age_hours"][-1] == pytest.approx(open_now["age_seconds"].max() / 3600)


def test_queue_history_applies_the_vendor_filter(queue_warehouse):
    frame = history("q_fraud_amer", 14, vendors=("v_bpo",))  # c2 and c5 only
    assert frame["inflow"].sum() == 2 and frame["outflow"].sum() == 1 and frame["backlog_end"][-1] == 1


def test_queue_history_of_an_unknown_queue_is_empty_not_an_error(queue_warehouse):
    frame = history("no such queue'; DROP TABLE cases; --", 30)
    assert frame.height == 30 and frame["backlog_end"].sum() == 0 and frame["inflow"].sum() == 0
