"""Capacity: the named queries on a warehouse built by hand, and the staffing plan, backlog
projection, vendor hours and export against figures worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest

import queries
from queries import demand_forecasts, plans
from tests.warehouses.capacity import HOUR, NOW, t
from watchfloor import capacity as cap
from watchfloor import erlang
from watchfloor.config import ConfigError
from watchfloor.filters import default_filters


@pytest.fixture
def data(capacity_warehouse, monkeypatch):
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", capacity_warehouse)
    return plans.fetch(plans.capacity(NOW, default_filters(NOW.date())), warehouse=capacity_warehouse)


def test_arrivals_per_group_and_hour(data):
    rows = {(r["team"], r["hour"]): r["arrivals"] for r in data["arrivals"].iter_rows(named=True)}
    # 10:00: c4 routed and info_received into qa1, c2 routed into qa2 (Team A: 3); c2 escalated into
    # q_solo at 10:40 (1). 11:00: c3 escalated into q_solo (1).
    assert rows == {("Team A", t(18, 10)): 3, ("q_solo", t(18, 10)): 1, ("q_solo", t(18, 11)): 1}


def test_groups_targets_and_handle_times(data):
    groups = cap.groups(data["queues"]).sort("team")
    team = groups.row(0, named=True)
    assert team["team"] == "Team A" and team["label"] == "Team A" and team["queues"] == 2
    assert team["target_seconds"] == 3600.0  # the strictest of 60 and 240 min
    # sessions: c4 10:10-10:14 (240 s) and 10:45-10:51 (360 s) in qa1; c2 10:30-10:40 (600 s) in qa2
    assert team["sessions"] == 3 and team["aht_seconds"] == pytest.approx(400.0)
    solo = groups.row(1, named=True)
    assert solo["label"] == "Child safety EMEA P0" and solo["target_seconds"] == 900.0
    # c3's session has not ended: no session, so the AHT of all groups together (1200 s / 3)
    assert solo["sessions"] == 0 and solo["aht_seconds"] == pytest.approx(400.0)


def test_roster_hours_and_the_repeated_week(data):
    roster = data["roster"]
    teams = ["Team A", "q_solo"]
    ahead = cap.roster_ahead(roster, teams, HOUR, 7 * 24)
    # Team A today, 12:00: r1 all hour, r2 from 12:30 (half); 13:00-15:00 both; 16:00-19:00 r2;
    # 20:00 r2 half. From 13:00 (after the last shift start, 12:30) each hour is at least the same
    # hour of the week before 13:00 today: 11-18 13:00 takes max(2, r1's 1 h on 11-11) = 2.
    assert list(ahead[0, :10]) == [1.5, 2, 2, 2, 1, 1, 1, 1, 0.5, 0]
    assert ahead[0, 25] == 0.0   # 11-19 13:00 repeats 11-12 13:00: nobody
    assert ahead[0, 166] == 1.0  # 11-25 10:00 repeats 11-18 10:00: r1
    # q_solo's only shift (11-11 10:00) lies before the last start: published, never repeated
    assert ahead[1].sum() == 0.0


def test_vendor_mix_and_rostered_hours(data):
    mix = cap.vendor_mix(data["roster"], ["Team A", "q_solo"], HOUR - timedelta(days=28), HOUR)
    shares = {(r["team"], r["vendor_id"]): r["share"] for r in mix.iter_rows(named=True)}
    # before 12:00 today: Team A had r1 1 h a week ago and 4 h today (08-12), all v1; q_solo r3 (v1)
    assert shares == {("Team A", "v1"): 1.0, ("q_solo", "v1"): 1.0}


def test_staffing_plan_by_hand():
    groups = pl.DataFrame({"team": ["g"], "label": ["G"], "region": ["AMER"], "tier": ["L1"],
                           "target_seconds": [20.0], "aht_seconds": [180.0]})
    arrivals = np.array([[200.0, 0.0]])
    rostered = np.array([[10.0, 2.0]])
    plan = cap.staffing_plan(arrivals, ["g"], HOUR, groups, rostered,
                             cap.Scenario(service_level=0.8, max_occupancy=1.0, shrinkage=0.3))
    assert plan.load[0, 0] == pytest.approx(10.0)
    assert list(plan.needed[0]) == [14, 0] and list(plan.needed_scheduled[0]) == [20, 0]
    assert list(plan.gap[0]) == [-10, 2]
    assert plan.on_floor[0, 0] == pytest.approx(7.0)
    assert plan.roster_service_level[0, 0] == 0.0 and plan.roster_service_level[0, 1] == 1.0  # 7 < A = 10
    # what-if: half the arrivals and the same staff: A = 5, 7 on the floor
    half = cap.staffing_plan(arrivals, ["g"], HOUR, groups, rostered, cap.Scenario(
        service_level=0.8, max_occupancy=1.0, shrinkage=0.3, arrivals_change=-0.5))
    assert half.load[0, 0] == pytest.approx(5.0)
    assert half.needed[0, 0] == int(erlang.required(5.0, 180, 20, 0.8).reviewers) == 8
    assert half.roster_service_level[0, 0] == pytest.approx(float(erlang.evaluate(7, 5.0, 180, 20).service_level))
    # a longer handle time and a one-minute target for everyone
    slower = cap.staffing_plan(arrivals, ["g"], HOUR, groups, rostered, cap.Scenario(
        service_level=0.8, max_occupancy=1.0, shrinkage=0.3, aht_change=0.5, target_minutes=1.0))
    assert slower.load[0, 0] == pytest.approx(15.0) and slower.target_seconds[0] == 60.0


def test_spike_scenario_hits_only_its_group_and_hours():
    forecast = np.ones((2, 6)) * 10
    out = cap.scenario_arrivals(forecast, ["a", "b"], cap.Scenario(spike=cap.Spike(3.0, start_hour=2, hours=2, group="b")))
    assert out[0].tolist() == [10] * 6 and out[1].tolist() == [10, 10, 30, 30, 10, 10]
    every = cap.scenario_arrivals(forecast, ["a", "b"], cap.Scenario(arrivals_change=0.1, spike=cap.Spike(2.0, 0, 1)))
    assert every[:, 0].tolist() == pytest.approx([22, 22]) and every[:, 1].tolist() == pytest.approx([11, 11])


def test_hours_to_clear_by_hand():
    # 20 waiting, 10 finished and 5 arriving an hour: 5 fewer an hour, gone after 4 h
    assert cap.hours_to_clear([20.0], np.full((1, 10), 5.0), np.full((1, 10), 10.0))[0] == pytest.approx(4.0)
    # 12 waiting: 2.4 h (linear within the third hour)
    assert cap.hours_to_clear([12.0], np.full((1, 10), 5.0), np.full((1, 10), 10.0))[0] == pytest.approx(2.4)
    assert cap.hours_to_clear([0.0], np.zeros((1, 3)), np.zeros((1, 3)))[0] == 0.0
    assert np.isinf(cap.hours_to_clear([5.0], np.full((1, 3), 10.0), np.full((1, 3), 10.0))[0])


def test_backlog_projection_by_hand():
    # One group: AHT 360 s, 1 reviewer on the floor (10 cases an hour), 5 arrivals an hour, target 1 h.
    groups = pl.DataFrame({"team": ["g"], "label": ["G"], "region": ["AMER"], "tier": ["L1"],
                           "target_seconds": [3600.0], "aht_seconds": [360.0]})
    plan = cap.staffing_plan(np.full((1, 48), 5.0), ["g"], HOUR, groups, np.ones((1, 48)),
                             cap.Scenario(service_level=0.8, max_occupancy=1.0, shrinkage=0.0))
    # 20 cases waiting: two already past their target, 18 due at 12:30 (half an hour from now)
    backlog = pl.DataFrame({"case_id": [f"c{i}" for i in range(20)], "queue_id": ["q"] * 20,
                            "created_at": [HOUR] * 20,
                            "first_action_due_at": [HOUR - timedelta(hours=1)] * 2 + [HOUR + timedelta(minutes=30)] * 18})
    projection = cap.backlog_projection(plan, backlog, {"q": "g"}, HOUR)
    assert projection.backlog_now[0] == 20 and projection.breached_now[0] == 2
    assert list(projection.backlog[0, :6]) == [20, 15, 10, 5, 0, 0]
    assert projection.clears_in_hours[0] == pytest.approx(4.0)
    # Served at 10 an hour after the two late ones: positions 3..20 are served at 0.3 h .. 2.0 h;
    # due at 0.5 h, positions 3, 4 and 5 (0.3, 0.4, 0.5 h) make it, the other 15 breach in hour 0.
    # New arrivals wait backlog ÷ capacity: 2 h, 1.5 h, 1 h (not above the 1 h target), 0.5 h: the
    # first two hours' 10 arrivals breach; after that the queue is empty and Erlang C says who waits.
    erlang_late = 1 - plan.roster_service_level[0, 4]
    assert projection.breaches[0, 0] == pytest.approx(15 + 5)
    assert projection.breaches[0, 1] == pytest.approx(5)
    assert projection.breaches[0, 2] == pytest.approx(0) and projection.breaches[0, 3] == pytest.approx(0)
    assert projection.breaches[0, 4] == pytest.approx(5 * erlang_late)
    summary = cap.projection_summary(projection, groups).row(0, named=True)
    assert summary["backlog_peak"] == 20 and summary["backlog_end"] == 0
    assert summary["expected_breaches"] == pytest.approx(projection.breaches.sum())


def test_vendor_hours_by_hand():
    groups = pl.DataFrame({"team": ["g", "h"], "label": ["G", "H"], "region": ["AMER"] * 2, "tier": ["L1"] * 2,
                           "target_seconds": [3600.0] * 2, "aht_seconds": [360.0] * 2})
    plan = cap.staffing_plan(np.zeros((2, 336)), ["g", "h"], HOUR, groups, np.zeros((2, 336)))
    plan = cap.Plan(**{**plan.__dict__, "needed_scheduled": np.vstack([np.full(336, 2), np.full(336, 1)])})
    mix = pl.DataFrame({"team": ["g", "g", "h"], "vendor_id": ["v1", "v2", "v2"], "share": [0.75, 0.25, 1.0]})
    vendors = pl.DataFrame({"vendor_id": ["v1", "v2"], "name": ["One", "Two"], "kind": ["internal", "bpo"],
                            "cost_per_hour_usd": [50.0, 20.0], "contracted_hours_per_week": [200.0, None]})
    rostered = pl.DataFrame({"vendor_id": ["v1"], "week": [1], "rostered_hours": [90.0]})
    out = cap.vendor_hours(plan, mix, rostered, vendors)
    one = out.filter(pl.col("vendor_id") == "v1", pl.col("week") == 1).row(0, named=True)
    # g needs 2 an hour for 168 h = 336 h a week, three quarters from v1: 252 h; contract 200 h
    assert one["needed_hours"] == pytest.approx(252.0) and one["gap_hours"] == pytest.approx(52.0)
    assert one["gap_cost_usd"] == pytest.approx(52 * 50.0) and one["rostered_hours"] == 90.0
    two = out.filter(pl.col("vendor_id") == "v2", pl.col("week") == 2).row(0, named=True)
    # a quarter of g's 336 h and all of h's 168 h; no contract on file: no gap
    assert two["needed_hours"] == pytest.approx(84 + 168) and two["gap_hours"] is None
    # a warehouse from before the contract column: the vendors' hours are simply not on file
    old = cap.vendor_hours(plan, mix, rostered, vendors.drop("contracted_hours_per_week"))
    assert old["contracted_hours_per_week"].null_count() == old.height


def test_outlook_on_the_hand_warehouse(data):
    groups = cap.groups(data["queues"])
    teams = groups["team"].to_list()
    forecast = pl.DataFrame({"team": ["Team A"] * 2, "hour": [HOUR, HOUR + timedelta(hours=1)],
                             "forecast": [36.0, 0.0], "lower": [30.0, 0.0], "upper": [40.0, 0.0]})
    view = cap.outlook(data, groups, forecast, NOW, teams, cap.Scenario(service_level=0.8, max_occupancy=1.0,
                                                                         shrinkage=0.0))
    # Team A at 12:00: 36 arrivals × 400 s = 4 Erlangs with a 1 h target: 5 reviewers; 1.5 rostered
    first = view.frame.filter((pl.col("team") == "Team A") & (pl.col("hour") == HOUR)).row(0, named=True)
    assert first["offered_load"] == pytest.approx(4.0) and first["needed_on_floor"] == 5
    assert first["rostered"] == 1.5 and first["gap"] == pytest.approx(-3.5)
    assert view.now_row == {"needed_scheduled": 5.0, "rostered": 1.5}
    # Waiting now: c1 and c2 in Team A (c1 past its target), c3 in q_solo (due 12:35)
    summary = {r["team"]: r for r in view.backlog_summary.iter_rows(named=True)}
    assert summary["Team A"]["backlog_now"] == 2 and summary["Team A"]["breached_now"] == 1
    assert summary["q_solo"]["backlog_now"] == 1 and summary["q_solo"]["breached_now"] == 0
    # q_solo has no one on the roster: c3 cannot be served before 12:35
    assert summary["q_solo"]["expected_breaches"] >= 1 and summary["q_solo"]["clears_in_hours"] is None


def test_backtest_of_the_groups_and_its_summary():
    rng = np.random.default_rng(3)
    hours = cap.HISTORY_DAYS * 24
    start = cap.forecast_origin(NOW) - timedelta(days=cap.HISTORY_DAYS)
    times = cap.hour_grid(start, hours)
    lam = 20 + 12 * np.sin(2 * np.pi * np.arange(hours) / 24)
    arrivals = pl.DataFrame({"team": ["a"] * hours + ["quiet"] * hours, "hour": pl.concat([times, times]),
                             "arrivals": np.concatenate([rng.poisson(lam), np.zeros(hours)]).astype(np.int64)})
    per_group = cap.forecast_backtest(arrivals, ["a", "quiet"], cap.forecast_origin(NOW))
    row = per_group.filter(pl.col("team") == "a").row(0, named=True)
    assert row["model_mase"] < 0.85 * row["naive_mase"]
    quiet = per_group.filter(pl.col("team") == "quiet").row(0, named=True)
    assert quiet["model_mase"] is None  # nothing to scale by: not scored
    summary = cap.backtest_summary(per_group)
    assert summary["groups"] == 1 and summary["ratio"] == pytest.approx(row["model_mase"] / row["naive_mase"])


def test_forecast_is_fitted_once_per_day_and_shared(monkeypatch):
    demand_forecasts.results.clear()
    calls = []

    def fake(arrivals, teams, origin):
        calls.append(origin)
        return pl.DataFrame({"team": teams})

    monkeypatch.setattr(cap, "demand_forecast", fake)
    monkeypatch.setattr(demand_forecasts, "SEPARATE_PROCESS", False)
    frame = pl.DataFrame({"team": [], "hour": [], "arrivals": []})
    for minute in (0, 10, 59):
        demand_forecasts.group_forecast("w", NOW.replace(minute=minute), frame, ["a"])
    demand_forecasts.group_forecast("w", NOW + timedelta(hours=5), frame, ["a"])
    assert calls == [datetime(2026, 11, 18)]
    demand_forecasts.group_forecast("w", NOW + timedelta(days=1), frame, ["a"])
    assert calls == [datetime(2026, 11, 18), datetime(2026, 11, 19)]
    demand_forecasts.results.clear()


def test_concurrent_requests_wait_for_the_one_in_flight():
    import threading
    import time

    once = demand_forecasts.Once()
    started = []

    def slow():
        started.append(1)
        time.sleep(0.2)
        return 42

    results = []
    threads = [threading.Thread(target=lambda: results.append(once.get("k", slow, 60))) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == [42] * 4 and started == [1]
    # a failure is not kept: the next call tries again
    with pytest.raises(ZeroDivisionError):
        once.get("bad", lambda: 1 / 0, 60)
    assert once.get("bad", lambda: 7, 60) == 7
    # a background failure can be kept for a while: whoever polls sees it instead of starting it again
    failed = once.start("bad-bg", lambda: 1 / 0, 60, keep_failure=60)
    assert isinstance(failed.exception(timeout=5), ZeroDivisionError)
    assert once.start("bad-bg", lambda: 8, 60, keep_failure=60) is failed
    future = once.start("bg", lambda: 5, 60)
    assert future.result(timeout=5) == 5 and once.start("bg", lambda: 6, 60).result() == 5


def test_csv_export_neutralises_formulas():
    frame = pl.DataFrame({"hour": [HOUR] * 6, "label": ["=HYPERLINK(1)", "+1", "-2", "@x", "\tTab", "Plain"],
                          "gap": [-1.0, 2.0, -3.0, 0.0, 1.0, 2.0]})
    text = cap.plan_csv(frame).decode()
    lines = text.splitlines()
    assert lines[0] == "hour,label,gap"
    assert lines[1] == "2026-11-18T12:00:00Z,'=HYPERLINK(1),-1.0"  # numbers stay numbers
    assert [line.split(",")[1] for line in lines[2:]] == ["'+1", "'-2", "'@x", "'\tTab", "Plain"]


def test_defaults_from_the_environment(monkeypatch):
    assert cap.defaults() == cap.Defaults()
    monkeypatch.setenv("WATCHFLOOR_CAPACITY_SERVICE_LEVEL", "0.9")
    monkeypatch.setenv("WATCHFLOOR_CAPACITY_SHRINKAGE", "0")
    assert cap.defaults() == cap.Defaults(service_level=0.9, shrinkage=0.0)
    for name, bad in (("SERVICE_LEVEL", "1"), ("MAX_OCCUPANCY", "0"), ("SHRINKAGE", "1"), ("SHRINKAGE", "lots")):
        monkeypatch.setenv(f"WATCHFLOOR_CAPACITY_{name}", bad)
        with pytest.raises(ConfigError):
            cap.defaults()
        monkeypatch.delenv(f"WATCHFLOOR_CAPACITY_{name}")


def test_queries_take_bound_parameters_only():
    for name in ("capacity_arrivals", "capacity_queues", "capacity_roster", "capacity_backlog", "capacity_vendors",
                 "capacity_queue_arrivals"):
        assert queries.load(name)  # each is a named file
    assert queries.load("capacity_queue_arrivals").parameters == {"history_start", "until", "queue_ids"}
