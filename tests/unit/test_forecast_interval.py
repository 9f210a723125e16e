"""The forecast's 80 % interval: its split-conformal calibration by hand, that it uses only the
history before the forecast, and its coverage on Poisson counts of known mean."""

from __future__ import annotations

import numpy as np
import pytest

from watchfloor import forecast as fc


def test_side_scores_by_hand():
    # mean 10, interval [6, 15]: the lower side is 4 wide, the upper 5
    lo, hi = fc.side_scores([12, 7, 10], [10, 10, 10], [6, 6, 6], [15, 15, 15])
    assert list(lo) == pytest.approx([(10 - 12) / 4, (10 - 7) / 4, 0.0])
    assert list(hi) == pytest.approx([(12 - 10) / 5, (7 - 10) / 5, 0.0])
    # a side of zero width tells nothing about scale: left out
    lo, hi = fc.side_scores([3, 9], [5, 5], [5, 2], [8, 8])
    assert list(lo) == pytest.approx([(5 - 9) / 3]) and list(hi) == pytest.approx([-2 / 3, 4 / 3])


def test_conformal_quantile_is_the_kth_smallest():
    scores = np.arange(19, 0, -1.0)                      # 19 scores, 1 to 19, in any order
    assert fc.conformal_quantile(scores, 0.9) == 18.0    # k = ⌈20 · 0.9⌉ = 18
    assert fc.conformal_quantile(np.arange(1.0, 10.0), 0.9) == 9.0   # k = ⌈10 · 0.9⌉ = 9 of 9
    assert fc.conformal_quantile(np.arange(1.0, 5.0), 0.9) is None   # k = ⌈4.5⌉ = 5 of 4: too few
    assert fc.conformal_quantile([], 0.9) is None


def test_calibration_factors_from_known_errors():
    # Mean 10, interval 10 ± 2; the 19 actuals miss the mean by -4.5, -4, ..., 4.5 (steps of 0.5).
    # Upper scores d / 2 run -2.25 to 2.25 by 0.25; the 18th smallest is -2.25 + 17 · 0.25 = 2.0;
    # the lower scores -d / 2 are the same set. So each half-width doubles: 10 ± 4 holds 17 of 19.
    d = 0.5 * (np.arange(1, 20) - 10)
    ones = np.ones(19)
    assert fc.calibration_factors(10 + d, 10 * ones, 8 * ones, 12 * ones) == pytest.approx((2.0, 2.0))
    # The same errors against an upper side twice as wide: its scores halve, its factor is 1.0.
    assert fc.calibration_factors(10 + d, 10 * ones, 8 * ones, 14 * ones) == pytest.approx((2.0, 1.0))
    # Errors well inside the width narrow it: misses of -0.18 .. 0.18 by 0.02, half-width 2, so
    # scores -0.09 .. 0.09 by 0.01; the 18th smallest is -0.09 + 17 · 0.01 = 0.08.
    small = 0.02 * (np.arange(1, 20) - 10)
    assert fc.calibration_factors(10 + small, 10 * ones, 8 * ones, 12 * ones) == pytest.approx((0.08, 0.08))
    # Too few points for the quantile: the model's own width (factor 1)
    assert fc.calibration_factors([11, 9], [10, 10], [8, 8], [12, 12]) == (1.0, 1.0)


def test_widen_scales_each_side_around_the_mean():
    raw = fc.Forecast(np.array([10.0, 2.0]), np.array([8.0, -1.0]), np.array([13.0, 4.0]))
    out = fc.widen(raw, (1.5, 0.5))
    assert list(out.mean) == [10.0, 2.0]
    assert list(out.lower) == pytest.approx([10 - 1.5 * 2, 2 - 1.5 * 3])
    assert list(out.upper) == pytest.approx([10 + 0.5 * 3, 2 + 0.5 * 2])
    counts = fc.as_counts(out)  # a bound below zero is zero
    assert list(counts.lower) == pytest.approx([7.0, 0.0])


def seasonal_mean(hours: int) -> np.ndarray:
    """A known hourly mean: a daily cycle of 20 ± 12 and weekends 40 % busier."""
    h = np.arange(hours)
    return (20 + 12 * np.sin(2 * np.pi * h / 24)) * (1 + 0.4 * (h % 168 >= 120))


def test_calibration_uses_the_holdout_and_keeps_the_point_forecast(monkeypatch):
    rng = np.random.default_rng(7)
    y = rng.poisson(np.vstack([seasonal_mean(8 * 168)] * 2)).astype(float)
    fit, holdout = 6 * 168, 2 * 168
    calls = []
    real = fc._model_many
    monkeypatch.setattr(fc, "_model_many", lambda m, *a: calls.append(m.copy()) or real(m, *a))
    got = fc.forecast_calibrated(y, 48, [24, 168], fit, holdout)
    # the live fit on the last 6 weeks, the calibration fit on the 6 weeks before the holdout
    assert [c.shape for c in calls] == [(2, fit), (2, fit)]
    assert np.array_equal(calls[0], y[:, -fit:]) and np.array_equal(calls[1], y[:, -fit - holdout:-holdout])
    plain = fc.forecast_many(y[:, -fit:], 48, [24, 168])
    assert np.allclose(got.mean, plain.mean)          # the point forecast does not change
    # a holdout of twice the errors gives a wider interval on both sides
    calls.clear()
    wild = y.copy()
    wild[:, -holdout:] = np.maximum(2 * y[:, -holdout:] - y[:, -holdout:].mean(), 0)
    wider = fc.forecast_calibrated(wild, 48, [24, 168], fit, holdout)
    assert np.all(wider.upper - wider.mean > got.upper - got.mean)


def test_too_little_history_before_the_holdout_keeps_the_model_interval():
    rng = np.random.default_rng(8)
    y = rng.poisson(seasonal_mean(6 * 168)).astype(float)
    y[:4 * 168 + 100] = 0.0   # the warehouse held nothing before: 2 weeks minus 100 h before the holdout
    got = fc.forecast_calibrated(y, 24, [24, 168], 6 * 168, 2 * 168)
    plain = fc.forecast_many(y, 24, [24, 168])
    assert np.allclose(got.lower, plain.lower) and np.allclose(got.upper, plain.upper)


def test_backtest_forecasts_from_the_points_before_each_origin_only(monkeypatch):
    seen, windows = [], []
    real, real_many = fc.forecast_calibrated, fc._model_many
    monkeypatch.setattr(fc, "forecast_calibrated", lambda m, *a, **k: seen.append(m.shape[1]) or real(m, *a, **k))
    monkeypatch.setattr(fc, "_model_many", lambda m, *a: windows.append(m.shape[1]) or real_many(m, *a))
    y = np.random.default_rng(9).poisson(seasonal_mean(9 * 168)).astype(float)
    bt = fc.backtest(y, [6 * 168, 7 * 168], 168, [24, 168], 168, fit_points=4 * 168, holdout=168)
    assert seen == [6 * 168, 7 * 168]   # each origin's forecast sees only the points before it
    # Fits: weeks 2-6 (origin 6), 1-5 (its calibration), 3-7 (origin 7); origin 7's calibration
    # fit, weeks 2-6, is origin 6's own and is not fitted again.
    assert windows == [4 * 168] * 3
    assert np.all(np.isfinite(bt.coverage))


def test_interval_covers_about_80_percent_of_poisson_counts():
    """Four series of Poisson counts around a known seasonal mean (about 14 to 45 an hour): fitted
    on 6 weeks, calibrated on the 2 weeks before, scored on 2 fresh weeks. 4 × 336 = 1,344 scored
    points: the sampling error of a share near 0.8 is √(0.8 · 0.2 ÷ 1344) = 1.1 points, and the
    calibration's own quantile, from as many points, about as much again: 1.5 points together.
    Coverage within 75-85 % (over 3 standard errors) says the interval means what it says; the
    model's own interval covers about 65 % here."""
    rng = np.random.default_rng(21)
    lam = seasonal_mean(10 * 168) * np.array([[0.7], [1.0], [1.3], [1.6]])
    y = rng.poisson(lam).astype(float)
    history, future = y[:, :8 * 168], y[:, 8 * 168:]
    got = fc.forecast_calibrated(history, 336, [24, 168], 6 * 168, 2 * 168)
    coverage = np.mean((future >= got.lower) & (future <= got.upper))
    assert 0.75 <= coverage <= 0.85, coverage
