"""The demand forecast on series of known structure, its spike damping, the backtest's measures,
irregular series, and `watchfloor forecast`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pytest

from watchfloor import forecast as fc
from watchfloor.cli import main

HOURS = np.arange(6 * 168 + 336)


def daily(h):
    return 10.0 + 6.0 * np.sin(2 * np.pi * h / 24)


def test_pure_seasonal_series_is_continued():
    y = daily(HOURS) * (1 + 0.3 * (HOURS % 168 >= 120))  # quieter weekdays, busier weekends
    train, future = y[:-336], y[-336:]
    got = fc.forecast_one(train, 336, [24, 168])
    assert np.max(np.abs(got.mean - future)) < 0.5
    assert np.all(got.lower <= got.mean) and np.all(got.mean <= got.upper)


def test_trend_is_carried_forward_and_beats_seasonal_naive():
    y = daily(HOURS) + 0.02 * HOURS  # +0.48 a day
    train, future = y[:-336], y[-336:]
    got = fc.forecast_one(train, 336, [24, 168])
    naive = fc.seasonal_naive(train, 336, 168)
    model_error, naive_error = np.mean(np.abs(got.mean - future)), np.mean(np.abs(naive - future))
    assert model_error < 0.5 * naive_error  # naive stays a week behind the trend (3.4 below)
    assert got.mean[-24:].mean() > got.mean[:24].mean() + 4.0  # still rising two weeks out


def test_poisson_counts_backtest_beats_seasonal_naive_with_a_calibrated_interval():
    rng = np.random.default_rng(5)
    lam = np.tile(daily(np.arange(168)) * (1 + 0.4 * (np.arange(168) >= 120)), 10)
    y = rng.poisson(np.vstack([lam, 2 * lam])).astype(float)
    bt = fc.backtest(y, [6 * 168, 7 * 168, 8 * 168], 336, [24, 168], 168)
    summary = bt.summary()
    assert summary["evaluations"] == 6
    assert summary["ratio"] < 0.85  # at least 15 % lower error than seasonal naive
    assert 0.6 < summary["coverage"] < 0.95


def test_a_past_spike_does_not_lift_the_forecast(monkeypatch):
    y = daily(HOURS[:-336])
    spiked = y.copy()
    spiked[-168 + 10:-168 + 16] *= 6  # six hours at six times the usual, a week before the end
    plain, damped = fc.forecast_one(y, 168, [24, 168]), fc.forecast_one(spiked, 168, [24, 168])
    assert np.max(np.abs(damped.mean - plain.mean)) < 0.05 * plain.mean.max()
    monkeypatch.setattr(fc, "CLEAN_K", 1e9)  # without the damping the spike comes back next week
    undamped = fc.forecast_one(spiked, 168, [24, 168])
    assert np.max(np.abs(undamped.mean - plain.mean)) > 0.3 * plain.mean.max()


def test_clean_clips_spikes_and_dips_only():
    y = np.tile(5 * daily(np.arange(168)), 4)   # 20 to 80 an hour
    y[200] += 300                                 # a spike
    y[294] = 0.0                                  # a dip at a daily peak (an outage, a holiday)
    out = fc.clean(y, 168)
    assert out[200] == pytest.approx(y[200 - 168]) and out[294] == pytest.approx(y[294 - 168])
    keep = np.ones(y.size, dtype=bool)
    keep[[200, 294]] = False
    assert np.allclose(out[keep], y[keep])


def test_zero_constant_and_short_series():
    zeros = fc.forecast_one(np.zeros(500), 24, [24, 168])
    assert not zeros.mean.any() and not zeros.upper.any()
    flat = fc.forecast_one(np.full(500, 7.0), 5, [24])
    assert np.allclose(flat.mean, 7.0)
    short = fc.forecast_one(np.array([3.0, 5.0, 4.0, 6.0, 5.0]), 3, [24, 168])  # too short to fit: the mean
    assert np.allclose(short.mean, 4.6) and np.all(short.lower < 4.6) and np.all(short.upper > 4.6)
    no_season = fc.forecast_one(np.array([3.0, 5.0, 4.0, 6.0, 5.0, 4.0, 6.0, 5.0, 4.0, 5.0, 6.0, 5.0]), 3, [24])
    assert no_season.mean.shape == (3,) and np.all((no_season.mean > 3) & (no_season.mean < 7))
    with pytest.raises(fc.ForecastError):
        fc.forecast_one(np.array([1.0, 2.0]), 3, [])
    with pytest.raises(fc.ForecastError):
        fc.forecast_one(np.array([1.0, -2.0, 3.0]), 3, [])


def test_seasonal_naive_and_mase_scale_by_hand():
    assert list(fc.seasonal_naive([1, 2, 3, 4, 5], 5, 2)) == [4, 5, 4, 5, 4]
    # |3-1|, |4-2|, |8-3| over the three pairs one season apart
    assert fc.mase_scale([1, 2, 3, 4, 8], 2) == pytest.approx(3.0)


def test_seasons_follow_the_interval_and_the_history():
    assert fc.seasons_for(3600, 24 * 21) == [24, 168]
    assert fc.seasons_for(3600, 24 * 10) == [24]            # one week only: no weekly season
    assert fc.seasons_for(300, 288 * 14) == [288, 2016]
    assert fc.seasons_for(86400, 60) == [7]
    assert fc.seasons_for(7 * 86400, 100) == []


def test_irregular_points_are_binned_at_their_own_interval():
    start = datetime(2026, 1, 1)
    times = [start + timedelta(minutes=m) for m in (0, 14, 31, 44, 61, 75, 118)]
    series = fc.regular(times, [1, 1, 2, 1, 1, 1, 3])
    assert series.interval_seconds == 900  # median gap 15.5 min, snapped to 15
    # bin k counts the points in [k·15, (k+1)·15) min: 0 and 14; none; 31 and 44; none; 61; 75; none; 118
    assert list(series.values) == [2, 0, 3, 0, 1, 1, 0, 3]
    regular = fc.regular([start + timedelta(hours=h, seconds=1) for h in range(4)], [5, 6, 7, 8])
    assert regular.interval_seconds == 3600 and list(regular.values) == [5, 6, 7, 8]
    gaps = fc.regular([start + timedelta(hours=h) for h in (0, 1, 2, 5, 6, 7)], [1, 2, 3, 4, 5, 6])
    assert list(gaps.values) == [1, 2, 3, 0, 0, 4, 5, 6]  # a missing hour of a count series is zero


def write_series(path, hours: int, missing: frozenset[int] | set[int] = frozenset()) -> None:
    start = datetime(2026, 3, 2)
    rows = ["timestamp,value"] + [f"{(start + timedelta(hours=h)).isoformat()}Z,{int(daily(h))}"
                                  for h in range(hours) if h not in missing]
    path.write_text("\n".join(rows) + "\n")


def test_cli_json_forecasts_at_the_series_interval(tmp_path, capsys):
    path = tmp_path / "hourly.csv"
    write_series(path, 24 * 21)
    assert main(["forecast", str(path), "--horizon", "30", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 30 and set(rows[0]) == {"timestamp", "forecast", "lower", "upper"}
    assert rows[0]["timestamp"] == (datetime(2026, 3, 2) + timedelta(hours=24 * 21)).isoformat()
    assert rows[1]["timestamp"] == (datetime(2026, 3, 2) + timedelta(hours=24 * 21 + 1)).isoformat()
    got = np.array([r["forecast"] for r in rows])
    want = np.floor(daily(np.arange(24 * 21, 24 * 21 + 30)))
    assert np.max(np.abs(got - want)) < 2.0
    assert all(r["lower"] <= r["forecast"] <= r["upper"] for r in rows)


def test_cli_text_output(tmp_path, capsys):
    path = tmp_path / "daily.csv"
    path.write_text("day,n\n" + "\n".join(f"2026-01-{d:02d},{10 + d % 7}" for d in range(1, 29)) + "\n")
    assert main(["forecast", str(path), "--horizon", "3", "--time-column", "day", "--value-column", "n"]) == 0
    out = capsys.readouterr().out
    assert "28 intervals of 1 day" in out and "seasons: 7 steps" in out
    assert "2026-01-29T00:00:00" in out


@pytest.mark.parametrize("content,message", [
    ("", "empty"),
    ("a,b\n1,2\n3,4\n5,6\n", "no column 'timestamp' or 'value'"),
    ("timestamp,value\n2026-01-01,1\nyesterday,2\n2026-01-03,3\n", "row 3: cannot read 'yesterday'"),
    ("timestamp,value\n2026-01-01,1\n2026-01-02,NaN\n2026-01-03,3\n", "row 3: 'NaN' is not a count"),
    ("timestamp,value\n2026-01-01,1\n2026-01-02,-4\n2026-01-03,3\n", "is not a count"),
    ("timestamp,value\n2026-01-01,1\n", "at least three rows"),
    ("timestamp,value\n2026-01-01\x00,1\n2026-01-02,2\n2026-01-03,3\n", "cannot read"),
])
def test_cli_unreadable_input_gives_one_line_and_exit_2(tmp_path, capsys, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    assert main(["forecast", str(path), "--horizon", "3"]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1, err


def test_cli_missing_file_and_bad_horizon(tmp_path, capsys):
    assert main(["forecast", str(tmp_path / "nope.csv"), "--horizon", "3"]) == 2
    assert "no such file" in capsys.readouterr().err
    path = tmp_path / "ok.csv"
    write_series(path, 48)
    assert main(["forecast", str(path), "--horizon", "0"]) == 2
    assert "--horizon must be between" in capsys.readouterr().err
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x01garbage")
    assert main(["forecast", str(tmp_path / "binary.csv"), "--horizon", "3"]) == 2
