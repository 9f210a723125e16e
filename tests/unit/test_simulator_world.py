"""The simulator's noisy world (the default) against its calm Poisson world (SimConfig.calm,
`watchfloor seed --calm`): day- and hour-level random effects, a gamma factor per cell, holidays,
launches, back-fills and brigading (watchfloor/simulator/demand.py and bursts.py)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import duckdb
import numpy as np
import polars as pl
import pytest

from watchfloor.cli import main as cli_main
from watchfloor.simulator import bursts, demand
from watchfloor.simulator import catalog as cat
from watchfloor.simulator.config import SimConfig
from watchfloor.simulator.run import simulate

END = datetime(2026, 3, 20, 12, 0)


def test_the_noise_has_the_documented_dispersion():
    """Over a year of hours, the log of the noise factor of one category (day effect + hour
    effect, without the cell gamma) has the variance DAY_SD^2 + HOUR_SD^2 = 0.0482 and mean
    -(that)/2, so the factor's mean is 1; the cells' gamma factor has mean 1 and variance
    CELL_ALPHA."""
    cfg = SimConfig(days=365, cases_per_day=1000, seed=3, end=END)
    lam = np.ones((len(cat.CATEGORIES), len(cat.SURFACES), len(cat.REGIONS), 365 * 24))
    rate = demand.noise(cfg, lam, np.random.default_rng(1))
    cell = rate / rate.mean(axis=(1, 2), keepdims=True)  # the gamma factor alone
    factor = rate.mean(axis=(1, 2)) / cell.mean(axis=(1, 2))  # the category's day and hour effect
    logs = np.log(factor)
    want = demand.DAY_SD ** 2 + demand.HOUR_SD ** 2
    assert logs.var() == pytest.approx(want, rel=0.1)
    assert factor.mean() == pytest.approx(1.0, abs=0.02)
    assert cell.var() == pytest.approx(demand.CELL_ALPHA, rel=0.1)
    # hour effects follow one another (lag-one correlation near HOUR_AR once the day is taken out)
    within_day = logs - np.repeat(logs.reshape(len(cat.CATEGORIES), -1, 24).mean(axis=2), 24, axis=1)
    lag_one = np.mean([np.corrcoef(row[1:], row[:-1])[0, 1] for row in within_day])
    assert 0.15 < lag_one < demand.HOUR_AR


def test_the_calm_world_is_poisson_and_the_default_is_not():
    """Hourly counts of the largest category (spam) around its expected count: index of
    dispersion (variance / mean of count - expected) about 1 in the calm world, several times
    that in the noisy one."""
    def dispersion(calm: bool) -> float:
        cfg = SimConfig(days=60, cases_per_day=20000, seed=4, end=END, calm=calm)
        rngs = cfg.rngs()
        grid = demand.time_grid(cfg)
        lam = demand.intensity(cfg, grid, demand.plan_launches(cfg, rngs["launches"]))
        counts = rngs["arrivals"].poisson(demand.noise(cfg, lam, rngs["noise"]))
        spam = cat.CATEGORY_INDEX["spam"]
        x, mu = counts[spam].sum(axis=(0, 1)), lam[spam].sum(axis=(0, 1))
        return float(np.mean((x - mu) ** 2 / mu))
    calm, noisy = dispersion(True), dispersion(False)
    assert calm == pytest.approx(1.0, abs=0.1)
    assert noisy > 5 * calm


def test_holidays_and_launches_shape_the_expected_counts():
    """Christmas Day in AMER: developer surfaces fall to 0.45 of the calm world's expected count
    (the same cycles and totals, no holidays), consumer surfaces rise to 1.10. A launch lifts its
    surface by 1 + lift at its top and decays."""
    cfg = SimConfig(days=28, cases_per_day=5000, seed=1, end=datetime(2026, 12, 31))
    grid = demand.time_grid(cfg)
    lam = demand.intensity(cfg, grid, [])
    calm = demand.intensity(SimConfig(days=28, cases_per_day=5000, seed=1, end=datetime(2026, 12, 31), calm=True), grid, [])
    amer = cat.REGIONS.index("AMER")
    christmas = grid.holiday[amer]
    assert christmas.sum() == 24
    api, chat = cat.SURFACES.index("api"), cat.SURFACES.index("chat")
    ratio = lam[:, :, amer][..., christmas].sum(axis=(0, 2)) / calm[:, :, amer][..., christmas].sum(axis=(0, 2))
    assert ratio[api] == pytest.approx(demand.HOLIDAY_BUSINESS)
    assert ratio[chat] == pytest.approx(demand.HOLIDAY_CONSUMER)
    launch = demand.Launch(surface=api, t0_h=100.0, lift=0.5)
    factor = launch.factor(np.arange(grid.hours, dtype=float))
    assert factor[:99].max() == 1.0 and factor[106] == pytest.approx(1.5, rel=0.01)
    assert 1.0 < factor[106 + 72] == pytest.approx(1 + 0.5 * math.exp(-72.5 / demand.LAUNCH_DECAY_H), rel=0.02)
    lifted = demand.intensity(cfg, grid, [launch])
    assert np.allclose(lifted[:, api] / lam[:, api], factor)
    assert np.allclose(lifted[:, chat], lam[:, chat])


@pytest.fixture(scope="module")
def noisy_world():
    cfg = SimConfig(days=21, cases_per_day=3000, seed=11, end=END)
    return cfg, simulate(cfg), bursts.plan_bursts(cfg, cfg.rngs()["bursts"])


def test_back_fills_and_brigading_are_there_and_are_not_spikes(noisy_world):
    """Every planned back-fill lands as classifier cases of its category on its surface within a
    few minutes; every brigading as user reports against one account on its surface in its region;
    neither is in sim_spikes (they are not abuse spikes)."""
    cfg, frames, planned = noisy_world
    assert {b.kind for b in planned} == {"backfill", "brigading"}
    cases = frames["cases"]
    start = cfg.start
    for b in planned:
        t0, t1 = start + timedelta(seconds=b.t0), start + timedelta(seconds=b.t1)
        window = cases.filter(pl.col("created_at").is_between(t0, t1) & (pl.col("category") == cat.CATEGORIES[b.category].key)
                              & (pl.col("surface") == cat.SURFACES[b.surface]))
        if b.kind == "backfill":
            assert (t1 - t0) <= timedelta(seconds=max(bursts.BACKFILL_SECONDS))
            assert window.filter(pl.col("source") == "classifier").height >= b.cases
        else:
            by_account = (window.filter((pl.col("source") == "user_report") & (pl.col("region") == cat.REGIONS[b.region]))
                          .group_by("account_id").len().sort("len", descending=True))
            assert by_account["len"][0] >= b.cases
    spikes = frames["sim_spikes"]
    assert spikes.height > 0
    for b in planned:
        t0 = start + timedelta(seconds=b.t0)
        same = spikes.filter((pl.col("category") == cat.CATEGORIES[b.category].key) & (pl.col("starts_at") == t0))
        assert same.height == 0


def test_the_calm_world_has_no_bursts_launches_or_noise():
    cfg = SimConfig(days=21, cases_per_day=3000, seed=11, end=END, calm=True)
    rngs = cfg.rngs()
    assert bursts.plan_bursts(cfg, rngs["bursts"]) == []
    assert demand.plan_launches(cfg, rngs["launches"]) == []
    lam = np.ones((2, 2, 2, 48))
    assert demand.noise(cfg, lam, rngs["noise"]) is lam
    grid = demand.time_grid(SimConfig(days=3, cases_per_day=100, seed=1, end=datetime(2026, 12, 27), calm=True))
    calm_lam = demand.intensity(SimConfig(days=3, cases_per_day=100, seed=1, end=datetime(2026, 12, 27), calm=True), grid)
    flat = calm_lam.sum(axis=(0, 1, 2))
    assert grid.holiday.any() and flat.sum() == pytest.approx(300.0)


def test_seed_calm_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "calm.duckdb"
    assert cli_main(["seed", "--warehouse", str(path), "--days", "2", "--cases-per-day", "300", "--seed", "3",
                     "--end", "2026-03-01T00:00", "--calm", "--no-progress"]) == 0
    assert "seed 3, calm" in capsys.readouterr().out
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.sql("SELECT value FROM watchfloor_meta WHERE key = 'world'").fetchall() == [("calm",)]
    finally:
        con.close()
    noisy = tmp_path / "noisy.duckdb"
    assert cli_main(["seed", "--warehouse", str(noisy), "--days", "2", "--cases-per-day", "300", "--seed", "3",
                     "--end", "2026-03-01T00:00", "--no-progress"]) == 0
    con = duckdb.connect(str(noisy), read_only=True)
    try:
        assert con.sql("SELECT value FROM watchfloor_meta WHERE key = 'world'").fetchall() == [("noisy",)]
    finally:
        con.close()
