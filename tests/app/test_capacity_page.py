"""The Capacity page (AppTest) on the hand-built warehouse of tests/unit/test_capacity.py, with a
forecast fixed by hand so that every tile can be worked out."""

from __future__ import annotations

import threading
from datetime import timedelta

import polars as pl
import pytest

from queries import daily_forecast, demand_forecasts
from tests.app.conftest import app_for, errors, table_with
from tests.conftest import pin_warehouse
from tests.warehouses import capacity as hand
from watchfloor import capacity as cap
from watchfloor import roles

PAGE = "app_pages/capacity.py"
ALLOWED = [role for role in roles.ROLES if roles.can_view(role, "capacity")]
SECTIONS = ["Staffing gap, next 7 days", "Backlog and breaches, next 48 hours", "Demand forecast",
            "Forecast accuracy, last 4 weeks", "Vendors: reviewer hours per week", "Export"]


@pytest.fixture
def capacity_env(monkeypatch, capacity_warehouse):
    """Team A expects 36 arrivals in the current hour (12:00) and none after; q_solo none."""
    def forecast(arrivals, teams, origin):
        rows = [("Team A", hand.HOUR, 36.0)] + [(team, hand.HOUR + timedelta(hours=h), 0.0)
                                                for team in teams for h in range(1, 3)]
        return pl.DataFrame(rows, schema={"team": pl.String, "hour": pl.Datetime("us"), "forecast": pl.Float64},
                            orient="row").with_columns(pl.col("forecast").alias("lower"), pl.col("forecast").alias("upper"))

    monkeypatch.setattr(cap, "demand_forecast", forecast)
    monkeypatch.setattr(demand_forecasts, "SEPARATE_PROCESS", False)  # the hand-made forecast lives in this process
    demand_forecasts.results.clear()
    warehouse = pin_warehouse(monkeypatch, capacity_warehouse, hand.NOW)
    # As the server does when it starts: today's forecast is prepared before anyone opens the page.
    daily_forecast.prepare(warehouse, hand.NOW)[0].result(timeout=120)
    yield warehouse
    demand_forecasts.results.clear()


def run_page(role: str = "ops_lead", **state):
    at = app_for(PAGE, role=role)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def test_allowed_roles_match_the_access_table():
    assert set(ALLOWED) == {"admin", "ops_lead", "vendor_manager"}


@pytest.mark.parametrize("role", ALLOWED)
def test_renders_for_each_allowed_role(capacity_env, role):
    at = run_page(role)
    assert not at.exception, [e.value for e in at.exception]
    assert not errors(at)
    assert [t.value for t in at.title] == ["Capacity"]
    assert [s.value for s in at.subheader] == SECTIONS


@pytest.mark.parametrize("role", ["executive", "analyst"])
def test_refused_for_other_roles(capacity_env, role):
    at = run_page(role)
    assert any("does not give access" in e for e in errors(at))
    assert not at.title


def test_tiles_show_the_hand_worked_staffing(capacity_env):
    at = run_page()
    tiles = {m.label: m.value for m in at.metric}
    # Team A at 12:00: 36 × 400 s = 4 Erlangs, 1 h target, at most 85 % busy: 5 on the floor,
    # ⌈5 / 0.75⌉ = 7 to schedule; q_solo expects nothing. Rostered: 1.5 reviewer-hours.
    assert tiles["Reviewers needed now"] == "7"
    assert tiles["On the roster now"] == "1.5"
    deltas = {m.label: m.delta for m in at.metric}
    assert deltas["On the roster now"] == "-5.5 against the need"
    worst = table_with(at, "Needed scheduled")
    assert worst.iloc[0]["Queue group"] == "Team A" and worst.iloc[0]["Gap"] == -5.5
    backlog = table_with(at, "Waiting now").set_index("Queue group")
    assert backlog.loc["Team A", "Waiting now"] == 2 and backlog.loc["Team A", "Past first-action target"] == 1
    assert backlog.loc["Child safety EMEA P0", "Waiting now"] == 1


def test_what_if_recomputes_at_once(capacity_env):
    at = run_page(capacity_shrinkage=0)
    assert {m.label: m.value for m in at.metric}["Reviewers needed now"] == "5"
    assert any("shrinkage 0%" in i.value for i in at.info)
    at = run_page(capacity_arrivals_change=100)
    # 72 arrivals: 8 Erlangs, at most 85 % busy: 10 on the floor, ⌈10 / 0.75⌉ = 14
    assert {m.label: m.value for m in at.metric}["Reviewers needed now"] == "14"
    at = run_page(capacity_spike_group="Team A", capacity_spike_multiplier=2.0, capacity_spike_start=0,
                  capacity_spike_hours=1)
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Reviewers needed now"] == "14"


def test_other_views_and_the_export(capacity_env):
    at = run_page(capacity_gap_by="region", capacity_forecast_level="queue")
    assert not at.exception and not errors(at)
    assert [b.proto.label for b in at.get("download_button")] == ["Download the staffing plan (CSV)"]
    vendors = table_with(at, "Hours contracted")
    assert set(vendors["Vendor"]) == {"Vendor One", "=Vendor Two"}  # shown as plain cell text


def test_backtest_says_when_history_is_too_short(capacity_env):
    at = run_page()
    assert any("running in the background" in i.value for i in at.info) or any(
        "Not enough history" in i.value for i in at.info)
    # The page started the backtest in the background (the same key returns the same run): wait
    # for it; the next run shows what came of it.
    demand_forecasts.group_backtest(capacity_env, hand.NOW, pl.DataFrame(), ["Team A", "q_solo"]).result(timeout=120)
    at.run()
    assert any("Not enough history" in i.value for i in at.info)


def test_filters_choose_the_groups(capacity_env):
    at = app_for(PAGE, role="ops_lead")
    at.session_state["filter_regions"] = ["EMEA"]
    at.run()
    assert not at.exception
    backlog = table_with(at, "Waiting now")
    assert list(backlog["Queue group"]) == ["Child safety EMEA P0"]
    assert {m.label: m.value for m in at.metric}["Reviewers needed now"] == "0"


def test_page_never_waits_for_the_forecast(monkeypatch, capacity_warehouse):
    """A visit while the forecast is still being fitted shows the rest of the page and says so; the
    next run after the fit has finished shows the staffing figures (order and state, no clock)."""
    release, fitting = threading.Event(), threading.Event()

    def slow_forecast(arrivals, teams, origin):
        fitting.set()
        release.wait(120)
        return pl.DataFrame({"team": teams, "hour": [hand.HOUR] * len(teams), "forecast": [0.0] * len(teams),
                             "lower": [0.0] * len(teams), "upper": [0.0] * len(teams)})

    monkeypatch.setattr(cap, "demand_forecast", slow_forecast)
    monkeypatch.setattr(demand_forecasts, "SEPARATE_PROCESS", False)
    demand_forecasts.results.clear()
    pin_warehouse(monkeypatch, capacity_warehouse, hand.NOW)
    try:
        at = run_page()
        assert fitting.is_set()  # the visit found no forecast and started one in the background
        assert not at.exception and not errors(at)
        assert [t.value for t in at.title] == ["Capacity"]
        assert any("being prepared" in i.value for i in at.info)
        assert "Reviewers needed now" not in [m.label for m in at.metric]
        shown = [s.value for s in at.subheader]
        assert "Demand forecast" in shown and "Forecast accuracy, last 4 weeks" in shown
        assert "Staffing gap, next 7 days" not in shown
        assert not release.is_set()  # the run above ended while the fit was still under way
        release.set()
        forecast = demand_forecasts.group_forecast_started(capacity_warehouse, hand.NOW, pl.DataFrame(), ["Team A", "q_solo"])
        forecast.result(timeout=120)
        at.run()
        assert not at.exception and not errors(at)
        assert not any("being prepared" in i.value for i in at.info)
        assert [s.value for s in at.subheader] == SECTIONS
        assert "Reviewers needed now" in [m.label for m in at.metric]
    finally:
        release.set()
        demand_forecasts.results.clear()


def test_a_failed_fit_is_one_line(monkeypatch, capacity_warehouse):
    def broken(arrivals, teams, origin):
        raise ValueError("no arrivals to fit\nsecond line")

    monkeypatch.setattr(cap, "demand_forecast", broken)
    monkeypatch.setattr(demand_forecasts, "SEPARATE_PROCESS", False)
    demand_forecasts.results.clear()
    pin_warehouse(monkeypatch, capacity_warehouse, hand.NOW)
    try:
        demand_forecasts.group_forecast_started(capacity_warehouse, hand.NOW, pl.DataFrame(), ["Team A", "q_solo"]).exception(120)
        at = run_page()
        assert not at.exception
        assert any(e.startswith("The forecast could not be fitted: no arrivals to fit") and "second" not in e
                   for e in errors(at))
        assert [t.value for t in at.title] == ["Capacity"]
    finally:
        demand_forecasts.results.clear()
