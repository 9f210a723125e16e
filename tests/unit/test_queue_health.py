"""Queue health summaries worked out by hand, and the queue queries on a hand-built warehouse."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import polars as pl
import pytest

import queries
from tests import hand_warehouse as hw
from watchfloor import capacity, metrics
from watchfloor.queue_health import colour_state, health_table

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
    assert [metrics.format_hours(h) for h in (None, 0.0, 0.5, 5.04, 72.0)] == [
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


SCOPE = {"regions": [], "verticals": [], "priorities": [], "vendors": []}


@pytest.fixture
def queue_warehouse(tmp_path, monkeypatch):
    """The hand warehouse plus a team, shifts and a few events in the last 24 hours."""
    path = hw.build(tmp_path / "q.duckdb")
    con = duckdb.connect(str(path))
    con.execute("UPDATE queues SET team = 'T-' || queue_id").fetchall()
    t = hw.t
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
    flow = queries.run("queue_flow", as_of=hw.AS_OF, **SCOPE)
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
                [base + 1, hw.t(18, 9, 30)]).fetchall()
    con.close()
    rows = {r["queue_id"]: r for r in queries.run("queue_flow", as_of=hw.AS_OF, **SCOPE).iter_rows(named=True)}
    fraud, child = rows["q_fraud_amer"], rows["q_child_emea"]
    assert (fraud["inflow_24h"], fraud["outflow_24h"], fraud["outflow_1h"]) == (1, 5, 1)
    assert (child["inflow_24h"], child["outflow_24h"]) == (3, 0)


def test_queue_open_cases_query(queue_warehouse):
    open_cases = queries.run("queue_open_cases", as_of=hw.AS_OF, **SCOPE)
    rows = {r["case_id"]: r for r in open_cases.iter_rows(named=True)}
    assert set(rows) == {"c3", "c4", "c5"}
    assert rows["c3"]["risk"] == "breached" and rows["c4"]["risk"] == "at_risk" and rows["c5"]["risk"] == "ok"
    assert rows["c3"]["vendor_id"] == "unassigned" and rows["c5"]["vendor_id"] == "v_bpo"
    assert rows["c4"]["age_seconds"] == pytest.approx(50 * 60)


def test_queue_vendor_flow_query(queue_warehouse):
    vendors = queries.run("queue_vendor_flow", as_of=hw.AS_OF, **SCOPE)
    rows = {r["vendor_id"]: r for r in vendors.iter_rows(named=True)}
    # r1 (v_int) took c5, decided it and escalated it: in 1, out 2 (decided + escalated), 1 decision.
    assert (rows["v_int"]["inflow_24h"], rows["v_int"]["outflow_24h"], rows["v_int"]["decisions_24h"]) == (1, 2, 1)
    assert rows["v_int"]["outflow_1h"] == 1  # the escalation at 11:30
    assert rows["v_int"]["reviewers_on_shift"] == 1 and rows["v_bpo"]["reviewers_on_shift"] == 0


def test_queue_hourly_flow_query(queue_warehouse):
    hourly = queries.run("queue_hourly_flow", as_of=hw.AS_OF, **SCOPE)
    assert hourly.height == 48
    assert hourly["hour_start"][-1] == hw.AS_OF  # the current, just-started hour
    by_hour = {r["hour_start"]: r for r in hourly.iter_rows(named=True)}
    # 11-18 02:00-03:00: c1 created; 04:00: c1 resolved.
    assert by_hour[hw.t(18, 2)]["created"] == 1 and by_hour[hw.t(18, 4)]["resolved"] == 1
    # At 12:00 the backlog is c3, c4, c5 (as Home's backlog), and at 11-17 13:00 it is c2 (created 13:00, so
    # not yet at the end of 12:00-13:00) ... at the end of 13:00-14:00: c2 and c6.
    assert by_hour[hw.t(18, 11)]["backlog_at_end"] == 3
    assert by_hour[hw.t(17, 13)]["backlog_at_end"] == 2
    assert sum(hourly["created"]) - sum(hourly["resolved"]) == sum(hourly["net_flow"])
