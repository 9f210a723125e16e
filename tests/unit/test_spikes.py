"""The spike detector (watchfloor/spike_detector.py): its statistics checked against independent
computations, its baseline by hand, and detection on synthetic series with known spikes."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import pytest

from watchfloor import spike_detector as sp
from watchfloor import watched_scopes

START = datetime(2026, 1, 5)  # a Monday
HOURS_8_WEEKS = 24 * 7 * 8
H = timedelta(hours=1)


def hourly(n: int, start: datetime = START) -> list[datetime]:
    return [start + timedelta(hours=i) for i in range(n)]


def seasonal_rate(n: int, base: float) -> np.ndarray:
    """A daily cycle (peak at 06:00, trough at 18:00, 0.4x to 1.6x) and quieter weekends (0.7x)."""
    h = np.arange(n)
    return base * (1 + 0.6 * np.sin(2 * np.pi * h / 24)) * np.where((h // 24) % 7 >= 5, 0.7, 1.0)


def after_warm_up(episodes, days: int = 14):
    return [e for e in episodes if e.onset >= START + timedelta(days=days)]


# --------------------------------------------------------------------------- the negative-binomial tail


def exact_tail(k: int, mu: float, a: float) -> float:
    """P(X >= k), summed term by term: Poisson(mu) when a = 0, else the negative binomial with mean
    mu and variance mu + a mu^2 (size r = 1/a, pmf(i) = C(i + r - 1, i) p^r (1 - p)^i, p = r/(r + mu))."""
    below = 0.0
    for i in range(k):
        if a == 0:
            log_pmf = -mu + i * math.log(mu) - math.lgamma(i + 1)
        else:
            r = 1.0 / a
            p = r / (r + mu)
            log_pmf = math.lgamma(i + r) - math.lgamma(r) - math.lgamma(i + 1) + r * math.log(p) + i * math.log1p(-p)
        below += math.exp(log_pmf)
    return 1.0 - below


@pytest.mark.parametrize("k,mu,a", [(5, 1.0, 0.0), (30, 15.0, 0.0), (140, 100.0, 0.0), (12, 4.0, 0.3),
                                    (60, 20.0, 0.05), (300, 100.0, 0.2), (9, 0.5, 2.0)])
def test_the_tail_matches_the_exact_sum(k, mu, a):
    tail = float(sp.nb_tail(np.array([k]), np.array([mu]), np.array([a]))[0])
    assert tail == pytest.approx(exact_tail(k, mu, a), rel=1e-6)


def test_overdispersion_makes_a_count_less_surprising():
    """60 where 20 are expected: about 1e-11 under Poisson, about 2e-3 at a = 0.2."""
    poisson, dispersed = (float(sp.nb_tail(np.array([60.0]), np.array([20.0]), np.array([a]))[0]) for a in (0.0, 0.2))
    assert poisson == pytest.approx(exact_tail(60, 20.0, 0.0), rel=1e-6) and poisson < 1e-10
    assert dispersed == pytest.approx(exact_tail(60, 20.0, 0.2), rel=1e-6) and 1e-3 < dispersed < 1e-2


def test_the_tail_of_nothing_and_outside_where_is_one():
    tails = sp.nb_tail(np.array([0.0, 5.0, 5.0]), np.array([3.0, 3.0, 3.0]), np.array([0.1, 0.1, 0.1]),
                       where=np.array([True, False, True]))
    assert tails[0] == 1.0 and tails[1] == 1.0 and tails[2] == pytest.approx(exact_tail(5, 3.0, 0.1), rel=1e-6)
    assert sp.tail_z(np.array([0.5]))[0] == pytest.approx(0.0, abs=1e-12)
    assert sp.tail_z(np.array([sp.z_to_p(3.0)]))[0] == pytest.approx(3.0)


# --------------------------------------------------------------------------- the dispersion


def cornish_fisher_quantile(mu: float, a: float, share: float) -> float:
    """mean + sd (z + (z^2 - 1)/6 skewness) of the negative binomial: the upper `share` quantile."""
    z = sp.tail_z(np.array([share]))[0]
    sd = math.sqrt(mu + a * mu * mu)
    skew = (1 + 2 * a * mu) / sd
    return mu + sd * (z + (z * z - 1) / 6 * skew)


@pytest.mark.parametrize("x,mu,share", [(40.0, 20.0, 0.01), (180.0, 100.0, 0.02), (9.0, 2.0, 0.05), (30.0, 4.0, 0.01)])
def test_needed_dispersion_puts_the_count_on_its_quantile(x, mu, share):
    a = float(sp.needed_dispersion(np.array([x]), np.array([mu]), share)[0])
    assert a > 0
    assert cornish_fisher_quantile(mu, a, share) == pytest.approx(x - 0.5, rel=1e-9)


def test_a_count_below_the_poisson_quantile_needs_no_dispersion():
    # Poisson(20)'s 1 % Cornish-Fisher quantile is 20 + 4.47 (2.33 + 4.36/6 / 4.47) = 31.1: 31 needs none
    needed = sp.needed_dispersion(np.array([31.0, 12.0, np.nan, 5.0]), np.array([20.0, 20.0, 20.0, np.nan]), 0.01)
    assert cornish_fisher_quantile(20.0, 0.0, 0.01) > 30.5
    assert needed[0] == -1.0 and needed[1] == -1.0
    assert np.isnan(needed[2]) and np.isnan(needed[3])


@pytest.mark.parametrize("window, share, lag", [
    (280, 0.05, 4),  # the window's values taken one by one (the lag is no whole number of renewals)
    (280, 0.05, 20),  # whole blocks of renewals: each block's largest values first
    (672, 0.01, 0),  # hourly, four weeks: the detector's own
    (2016, 0.01, 144),  # five-minute points, a week, twelve hours back
])
def test_the_dispersion_is_the_quantile_of_the_residuals_before(window, share, lag):
    """_tail_dispersion against numpy's own quantile: each point gets the (1 - share) quantile of
    the needed dispersions in the window before its renewal (renewed every window // 28 points,
    the latest `lag` points left out), NaN (unknown) left out; NaN under min_residuals values."""
    rng = np.random.default_rng(3)
    n, least = 900 if window < 1000 else 5000, 24
    expected = rng.uniform(5, 50, n)
    counts = rng.poisson(expected * rng.gamma(8, 1 / 8, n)).astype(float)
    counts[rng.random(n) < 0.05] = np.nan
    got = sp._tail_dispersion(counts, expected, window, share, least, lag=lag)
    needed = sp.needed_dispersion(counts, expected, share)
    step = window // sp.DISPERSION_UPDATES
    for t in range(n):
        renewal = (t // step) * step
        end = renewal - lag
        values = needed[max(end - window, 0):max(end, 0)]
        values = values[~np.isnan(values)]
        if len(values) < least:
            assert np.isnan(got[t])
        else:
            assert got[t] == pytest.approx(max(np.quantile(values, 1 - share, method="linear"), 0.0), rel=1e-9, abs=1e-12)


def test_the_dispersion_of_some_points_is_that_of_all():
    """With `need`, only the renewals holding a needed point are worked out: the same numbers there."""
    rng = np.random.default_rng(4)
    expected = rng.uniform(1, 40, (3, 1500))
    counts = rng.poisson(expected * rng.gamma(6, 1 / 6, expected.shape)).astype(float)
    counts[rng.random(counts.shape) < 0.03] = np.nan
    need = rng.random(counts.shape) < 0.01
    every = sp._tail_dispersion(counts, expected, 672, 0.01, 24)
    some = sp._tail_dispersion(counts, expected, 672, 0.01, 24, need=need)
    assert need.any() and np.array_equal(some[need], every[need], equal_nan=True)
    assert np.isnan(some[~need]).any()  # the others were not worked out


# --------------------------------------------------------------------------- the fast paths


@pytest.mark.parametrize("size", [3, 7, 8, 12, 13, 21])
def test_the_lagged_trimmed_mean_is_the_sorted_one(size):
    """The sorting network and the summing in numpy's order give the very numbers of sorting each
    point's lagged values and taking their trimmed mean (non-whole values, unknown points, lags
    beyond the start)."""
    rng = np.random.default_rng(size)
    values = rng.gamma(1.5, 4.0, (5, 400))
    values[rng.random(values.shape) < 0.1] = np.nan
    lags = sorted(rng.choice(np.arange(1, 450), size, replace=False).tolist())
    assert sp._sorting_network(size) or size < 2
    n = values.shape[-1]
    lagged = np.full((*values.shape, size), np.nan)
    for j, lag in enumerate(lags):
        if lag < n:
            lagged[..., lag:, j] = values[..., :n - lag]
    ordered = np.sort(lagged, axis=-1)  # NaN last
    known = (~np.isnan(lagged)).sum(axis=-1)
    for trim in (0.25, 0.1):
        cut = np.floor(known * trim).astype(int)
        idx = np.arange(size)
        keep = (idx >= cut[..., None]) & (idx < (known - cut)[..., None])
        count = keep.sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, np.where(keep, ordered, 0.0).sum(axis=-1) / np.maximum(count, 1), np.nan)
        slow = mean, np.maximum(known, 1)
        fast = sp._lagged_trimmed_mean(values, lags, trim)
        assert np.array_equal(fast[0], slow[0], equal_nan=True) and np.array_equal(fast[1], slow[1])


def test_window_sums_are_those_of_every_window():
    rng = np.random.default_rng(2)
    values = rng.gamma(2.0, 3.0, (4, 50))
    mask = rng.random((4, 50)) < 0.8
    for k in (1, 2, 3, 6):
        view = np.lib.stride_tricks.sliding_window_view
        assert np.array_equal(sp.window_sums(values, k), view(values, k, axis=-1).sum(axis=-1))
        assert np.array_equal(sp._window_all(mask, k), view(mask, k, axis=-1).all(axis=-1))


@pytest.mark.parametrize("a", [0.0, 1e-12, 0.01, 0.3, 3.0, 50.0])
def test_a_point_left_unscored_has_a_tail_above_the_ceiling(a):
    """_surely_above claims a tail above p only where the exact tail is above p: every whole count
    above its expected count, for means from nearly nothing to thousands."""
    mu = np.repeat([0.05, 0.7, 3.0, 12.0, 80.0, 600.0, 4000.0], 400)
    x = np.floor(mu + np.tile(np.linspace(0, 1, 400), 7) * (8 * np.sqrt(mu + a * mu * mu) + 6)) + 1
    disp = np.full(mu.shape, a)
    for p in (sp.z_to_p(2.5), 1e-3):
        sure = sp._surely_above(x, mu, disp, p, where=x > mu)
        tail = sp.nb_tail(x, mu, disp)
        assert not sure.all() and (sure.any() or a > 10)  # very wide tails: the bound settles none
        assert (tail[sure] > p).all()


def test_the_dispersion_is_the_series_own():
    """Poisson counts get (almost) none; gamma-Poisson counts of dispersion 0.2 about that."""
    rng = np.random.default_rng(8)
    rate = seasonal_rate(HOURS_8_WEEKS, 60.0)
    late = slice(24 * 21, None)
    poisson = sp.detect(hourly(HOURS_8_WEEKS), rng.poisson(rate))
    assert np.nanmedian(poisson.dispersion[late]) < 0.02
    mixed = sp.detect(hourly(HOURS_8_WEEKS), rng.poisson(rate * rng.gamma(5.0, 0.2, HOURS_8_WEEKS)))
    assert 0.12 < np.nanmedian(mixed.dispersion[late]) < 0.35


# --------------------------------------------------------------------------- the series


def test_the_interval_is_the_median_step_snapped():
    jittered = [START + i * timedelta(minutes=5) + timedelta(seconds=(7 * i) % 23 - 11) for i in range(50)]
    assert sp.infer_interval(jittered) == timedelta(minutes=5)
    gappy = [START + i * H for i in range(100) if i % 10 != 3]
    assert sp.infer_interval(gappy) == H
    assert sp.infer_interval([START, START + timedelta(days=1)]) == timedelta(days=1)
    with pytest.raises(sp.SeriesError, match="two distinct"):
        sp.infer_interval([START, START])


def test_the_grid_keeps_unknown_points_unknown():
    """Rows go to the nearest point of a grid from the first timestamp; rows on one point add up;
    a point with no row (or only empty counts) is unknown, not zero."""
    stamps = [START, START + timedelta(minutes=62), START + 2 * H + timedelta(minutes=2), START + 2 * H,
              START + 5 * H, START + 4 * H]
    grid, values, interval = sp.to_grid(stamps, [4, 5, 1, 2, 7, np.nan], H)
    assert interval == H and grid == hourly(6)
    np.testing.assert_array_equal(values, [4, 5, 3, np.nan, np.nan, 7])
    with pytest.raises(sp.SeriesError, match="negative"):
        sp.to_grid(stamps[:2], [1, -1])
    with pytest.raises(sp.SeriesError, match="differ in length"):
        sp.detect(stamps, [1, 2])


def test_unknown_points_are_never_judged_nor_counted():
    """Six weeks at 20 an hour with a day of no rows in week 4 and a spike of 100 an hour for
    4 hours in week 5: the missing day is unknown (never judged, not a drop to zero, no episode
    when the counts come back) and the spike is found."""
    rng = np.random.default_rng(2)
    n = 24 * 42
    counts = rng.poisson(20.0, n).astype(float)
    counts[24 * 30 + 9:24 * 30 + 13] = 100
    keep = [i for i in range(n) if not 24 * 22 <= i < 24 * 23]
    found = sp.detect([START + i * H for i in keep], counts[keep])
    assert len(found.timestamps) == n
    assert np.isnan(found.observed[24 * 22:24 * 23]).all() and np.isnan(found.score[24 * 22:24 * 23]).all()
    assert [e.onset for e in after_warm_up(found.episodes)] == [START + (24 * 30 + 9) * H]
    episode = after_warm_up(found.episodes)[0]
    assert episode.observed == counts[24 * 30 + 9:24 * 30 + 9 + episode.points].sum() >= 400


# --------------------------------------------------------------------------- the baseline


NO_LAG = timedelta(0)


def test_baseline_by_hand():
    """Constant 10 per hour, except that hour 5 of every day of week 1 held 50 (a spike
    repeated). min_history 1, no level lag, level window 24, trim 0.25, neighbours +-1 h, weeks 4.

    - Point 3 (day 0, hour 3): under a day of history, the mean of the previous 3 points = 10.
    - Point 24 + 3 (day 1, 03:00): daily baseline from lags 24 +- 1 (points 2, 3, 4 = 10, 10, 10),
      trimmed mean 10; level (recent + 1) / (baseline + 1) over the 3 points with a daily
      baseline before it (points 24, 25, 26 whose baselines are 10) = 31 / 31 -> 10.
    - Point 24 + 5 (day 1, 05:00): lags 24 +- 1 -> points 4, 5, 6 = 10, 50, 10; n = 3, trim
      floor(0.75) = 0 values at each end, mean = 70 / 3 = 23.33; level: points 24..28 all 10 with
      baselines 10, 10, 10, 10 (point 28's lags are 3, 4, 5 -> 70/3) ... the level factor is
      (50 + 1) / (10 + 10 + 10 + 10 + 23.33 + 1) = 51 / 64.33.
    """
    n = 24 * 2
    clean = np.full(n, 10.0)
    clean[5] = 50.0
    params = sp.SpikeParams(min_history=1, shrink_cases=0, level_lag=NO_LAG)  # shrinkage: the next test
    expected = sp.baseline(clean, H, params)
    assert math.isnan(expected[0])
    assert expected[3] == pytest.approx(10.0)
    assert expected[27] == pytest.approx(10.0)
    base_28 = 70 / 3
    level_29 = (5 * 10 + 1) / (4 * 10 + base_28 + 1)
    assert expected[29] == pytest.approx((10 + 50 + 10) / 3 * level_29)


def test_sparse_baselines_shrink_to_the_long_run_mean():
    """Zeros except 3 cases at point 3; min_history 1, shrink_cases 5, no level lag.

    Point 27 (day 1, 03:00): daily lags 23, 24, 25 -> points 4, 3, 2 = (0, 3, 0): mean 1 over 3
    values, resting on 3 cases: weight 3 / (3 + 5) = 0.375. Long-run mean of points 0..26: 3 / 27.
    Shrunk: 3/27 + 0.375 x (1 - 3/27) = 4/9.
    Level over points 24..26 (those with a daily baseline): observed 0, 0, 0; their shrunk baselines:
      24: points 1, 0 (no point -1) = (0, 0): no cases, weight 0 -> long-run mean 3/24
      25: points 2, 1, 0 = zeros -> 3/25
      26: points 3, 2, 1 = (3, 0, 0): mean 1, weight 0.375 -> 3/26 + 0.375 x (1 - 3/26)
    level = (0 + 1) / (sum of those + 1).
    """
    clean = np.zeros(48)
    clean[3] = 3.0
    expected = sp.baseline(clean, H, sp.SpikeParams(min_history=1, level_lag=NO_LAG))
    b24, b25 = 3 / 24, 3 / 25
    b26 = 3 / 26 + 0.375 * (1 - 3 / 26)
    level = 1 / (b24 + b25 + b26 + 1)
    assert expected[27] == pytest.approx(4 / 9 * level)
    # the long-run mean is all there is before any daily lag: point 20 = mean of points 0..19 = 3/20
    assert expected[20] == pytest.approx(3 / 20)


def test_the_level_leaves_out_the_latest_hours():
    """Two weeks at 10 an hour, then 40 from hour 336 on. With the default 3-hour lag the level
    factor of hours 336..339 still rests on hours before the jump (expected exactly 10); from
    hour 340 it starts to follow. Without the lag, hour 337 already expects more."""
    clean = np.full(24 * 16, 10.0)
    clean[336:] = 40.0
    lagged = sp.baseline(clean, H, sp.SpikeParams(shrink_cases=0))
    np.testing.assert_allclose(lagged[336:340], 10.0)
    assert lagged[340] > 10.0
    unlagged = sp.baseline(clean, H, sp.SpikeParams(shrink_cases=0, level_lag=NO_LAG))
    assert unlagged[337] > 10.0


def test_weekly_baseline_follows_the_week():
    """Eight weeks of a noiseless weekly pattern: once two weeks of history exist, the expected
    count is the pattern itself (every lag holds the same value, the level factor is 1)."""
    rate = seasonal_rate(HOURS_8_WEEKS, 40.0)
    expected = sp.baseline(rate, H, sp.SpikeParams(shrink_cases=0))
    inner = [i for i in range(24 * 15, HOURS_8_WEEKS) if i % 24 not in (0, 23)]
    # (at the trough, 18:00, both neighbours sit above it: the baseline is about 4 % high there)
    assert np.allclose(expected[inner], rate[inner], rtol=0.05)


# --------------------------------------------------------------------------- detection


def test_seasonal_series_with_a_known_spike():
    rate = seasonal_rate(HOURS_8_WEEKS, 30.0)
    onset = 24 * 42 + 9  # week 7, Monday 09:00
    rate[onset:onset + 6] *= 3
    counts = np.random.default_rng(4).poisson(rate)
    found = sp.detect(hourly(HOURS_8_WEEKS), counts)
    assert len(after_warm_up(found.episodes)) == 1
    episode = after_warm_up(found.episodes)[0]
    assert episode.onset == START + timedelta(hours=onset)
    assert episode.detected_at - episode.onset <= timedelta(hours=1)
    assert START + timedelta(hours=onset) <= episode.peak <= START + timedelta(hours=onset + 5)
    assert START + timedelta(hours=onset + 4) <= episode.end <= START + timedelta(hours=onset + 7)
    # The episode's totals are the sums over its points.
    seg = slice(onset, onset + episode.points)
    assert episode.observed == pytest.approx(float(counts[seg].sum()))
    assert episode.expected == pytest.approx(float(found.expected[seg].sum()))
    assert episode.ratio > 2.2
    assert episode.severity in ("high", "medium")
    assert not episode.ongoing


def test_the_daily_peak_is_not_a_spike():
    """The busiest hours of a strong daily cycle (1.6x the mean) never fire."""
    rate = seasonal_rate(HOURS_8_WEEKS, 200.0)
    counts = np.random.default_rng(5).poisson(rate)
    assert after_warm_up(sp.detect(hourly(HOURS_8_WEEKS), counts).episodes) == []


def test_busy_and_quiet_days_are_not_spikes():
    """Counts with day-level (log sd 0.11) and hour-level (log sd 0.19, lag-one correlation 0.32)
    noise, as the simulator draws them: the detector learns the series' dispersion and stays quiet,
    while a 3x spike of 4 hours is still found."""
    rng = np.random.default_rng(9)
    n = HOURS_8_WEEKS
    day = np.repeat(rng.normal(0, 0.11, n // 24 + 1), 24)[:n]
    hour = np.zeros(n)
    for t in range(1, n):
        hour[t] = 0.32 * hour[t - 1] + math.sqrt(1 - 0.32 ** 2) * rng.normal(0, 0.19)
    rate = seasonal_rate(n, 60.0) * np.exp(day + hour)
    quiet = sp.detect(hourly(n), rng.poisson(rate))
    assert len(after_warm_up(quiet.episodes, 21)) <= 1
    onset = 24 * 45 + 14
    spiked = rate.copy()
    spiked[onset:onset + 4] *= 3
    found = after_warm_up(sp.detect(hourly(n), rng.poisson(spiked)).episodes, 21)
    assert any(abs(e.onset - (START + onset * H)) <= H for e in found)


def test_sparse_series_one_noisy_hour_does_not_fire_but_a_burst_does():
    """0.2 cases an hour: a lone hour with 4 cases is below min_excess (20). 12 cases in each of
    three hours: no hour alone reaches 20 extra, but the first two together do (24 against 0.4):
    the episode opens at the first of them."""
    n = 24 * 35
    counts = np.random.default_rng(6).poisson(np.full(n, 0.2))
    counts[24 * 21 + 4: 24 * 21 + 7] = [0, 4, 0]
    assert sp.detect(hourly(n), counts).episodes == []
    counts[24 * 28 + 10: 24 * 28 + 13] = 12
    found = sp.detect(hourly(n), counts)
    assert [(e.onset, e.detected_at) for e in found.episodes] == [
        (START + timedelta(hours=24 * 28 + 10), START + timedelta(hours=24 * 28 + 11))]
    assert found.episodes[0].severity == "critical"


def test_run_lengths_grow_by_half_up_to_sustain():
    assert sp.run_lengths(sp.SpikeParams()) == [2, 3, 5, 8]
    assert sp.run_lengths(sp.SpikeParams(sustain=3)) == [2, 3]
    assert sp.run_lengths(sp.SpikeParams(sustain=12)) == [2, 3, 5, 8, 12]
    with pytest.raises(ValueError, match="sustain"):
        sp.SpikeParams(sustain=2)


def test_a_long_run_is_a_rise_on_a_thin_series_against_the_level_before_it():
    """Fine settings (min_excess 20, min_ratio 2.5), runs of 5 points. Seasonal baseline 2 an
    hour; the level factor 1 at the first point, 1.25 at the second and 1.6, 2, 2, 2 after (it
    follows the rise), so e = 2, 2.5, 3.2, 4, 4, 4, 4. Counts 1, 12, 12, 12, 12, 12, 1.
    The run of points 1..5: 60 cases against 5 x 2 x 1.25 = 12.5 at the level of its first point
    (17.7 at each point's own level), 47.5 extra, 4.8x; thin: 3 x 12.5 x 1.5 = 56.25 < 20 x 5.
    The runs of points 0..4 and 2..6 hold a point below its expected count: not a rise."""
    params = sp.SpikeParams().fine()
    th = sp._Thresholds.of([params])
    level = np.array([[1.0, 1.25, 1.6, 2.0, 2.0, 2.0, 2.0]])
    e = 2.0 * level
    x = np.array([[1.0, 12, 12, 12, 12, 12, 1]])
    known = np.ones(x.shape, dtype=bool)
    big, xk, ek = sp._runs(x, e, level, known, known, 5, params, th)
    assert big.tolist() == [[False, True, False]]
    assert xk.tolist() == [[49.0, 60.0, 49.0]]
    assert ek[0, 1] == pytest.approx(12.5)
    assert ek[0, 0] == pytest.approx(10.0)  # from point 0, at level 1: (2 + 2 + 2 + 2 + 2)
    # A level below 1 at the run's first point does not lower the bar: at a level of 0.5 (e = 1
    # an hour) the run is judged against the seasonal baseline's 5 x 2 = 10, not 5.
    quiet = np.full(x.shape, 0.5)
    assert sp._runs(x, 2.0 * quiet, quiet, known, known, 5, params, th)[2][0, 1] == pytest.approx(10.0)
    # On a busier series (10 an hour: 3 x 50 x 1.5 = 225 >= 100) the short runs see any such
    # rise: a long run is not tested there, even at 3x.
    busy = np.full(x.shape, 10.0)
    assert not sp._runs(np.full(x.shape, 30.0), busy, np.ones(x.shape), known, known, 5, params, th)[0].any()


def test_a_sustained_rise_on_a_thin_series_is_found():
    """2 cases an hour (Poisson), then 6 an hour for ten hours on day 30: no hour and no run of up
    to 3 hours reaches min_excess (20) extra (3 x 4 = 12), so with runs of up to scan (3) points
    only there is no episode. Its first 5 hours hold 30 cases against about 10, just about 20
    extra; its first 8 hours, 48 against about 16 (3x), open an episode at its first hour,
    raised at its eighth."""
    n = 24 * 35
    counts = np.random.default_rng(14).poisson(np.full(n, 2.0)).astype(float)
    rise = 24 * 30 + 9
    counts[rise:rise + 10] = 6.0
    assert after_warm_up(sp.detect(hourly(n), counts, sp.SpikeParams(sustain=3)).episodes) == []
    found = after_warm_up(sp.detect(hourly(n), counts).episodes)
    assert [(e.onset, e.detected_at) for e in found] == [
        (START + rise * H, START + (rise + 7) * H)]


def test_a_trending_series_is_followed_not_flagged():
    """Volume growing 30 % a week: the level factor follows it; a 3x spike on top still fires."""
    n = HOURS_8_WEEKS
    growth = 1.3 ** (np.arange(n) / (24 * 7))
    rate = seasonal_rate(n, 20.0) * growth
    counts = np.random.default_rng(7).poisson(rate)
    assert after_warm_up(sp.detect(hourly(n), counts).episodes) == []
    onset = 24 * 50 + 8
    spiked = rate.copy()
    spiked[onset:onset + 5] *= 3
    counts = np.random.default_rng(7).poisson(spiked)
    assert [e.onset for e in after_warm_up(sp.detect(hourly(n), counts).episodes)] == [START + timedelta(hours=onset)]


@pytest.mark.parametrize("alpha", [1e-3, sp.SpikeParams().alpha, sp.FINE_SCOPE.alpha])
def test_flat_poisson_alert_rate_stays_within_the_configured_rate(alpha):
    """A flat Poisson(25) series has no spike: a point opens an episode only if the point alone,
    or the run of two or of three points ending there, has a tail of at most alpha (scan = 3), so
    on at most about 3 x alpha of the judged points. 40 series of 8 weeks judge
    40 x (1344 - 24) = 52,800 points: at most 3 x alpha x 52,800 episodes."""
    params = sp.SpikeParams(alpha=alpha)
    total, judged = 0, 0
    for seed in range(40):
        counts = np.random.default_rng(100 + seed).poisson(np.full(HOURS_8_WEEKS, 25.0))
        found = sp.detect(hourly(HOURS_8_WEEKS), counts, params)
        total += len(found.episodes)
        judged += int((~np.isnan(found.expected)).sum())
    assert judged == 40 * (HOURS_8_WEEKS - 24)
    assert total <= params.scan * alpha * judged


def test_episodes_are_deduplicated_and_merged():
    """Two bursts 3 hours apart (less than the 12-hour merge gap) are one episode; 30 hours apart, two."""
    n = 24 * 35
    counts = np.full(n, 20.0)
    a = 24 * 21 + 2
    counts[a:a + 4] = 90
    counts[a + 7:a + 10] = 90  # 3 quiet points in between: closes, then merges
    b = a + 40
    counts[b:b + 3] = 90
    found = sp.detect(hourly(n), counts)
    assert [(e.onset, e.end) for e in found.episodes] == [
        (START + timedelta(hours=a), START + timedelta(hours=a + 9)),
        (START + timedelta(hours=b), START + timedelta(hours=b + 2)),
    ]
    # every hot point of a burst belongs to exactly one episode
    assert found.in_episode[a:a + 10].all() and found.in_episode[b:b + 3].all()
    assert found.in_episode.sum() == 10 + 3


def test_a_long_spike_does_not_become_its_own_baseline():
    """A 4-day 3x surge stays one episode to its end: its points are replaced by their expected
    counts before later baselines (and the level factor) are computed, and left out of the
    dispersion."""
    n = HOURS_8_WEEKS
    rate = seasonal_rate(n, 50.0)
    onset = 24 * 40
    rate[onset:onset + 96] *= 3
    counts = np.random.default_rng(8).poisson(rate)
    found = after_warm_up(sp.detect(hourly(n), counts).episodes)
    assert len(found) == 1
    assert found[0].points >= 90


def test_an_episode_at_the_end_is_ongoing():
    n = 24 * 30
    counts = np.full(n, 20.0)
    counts[-2:] = 100
    episode = sp.detect(hourly(n), counts).episodes[-1]
    assert episode.ongoing and episode.end == START + timedelta(hours=n - 1)


def test_daily_series_uses_the_weekly_cycle():
    """Daily counts, weekends at half volume: no alarm for weekends, a doubled Tuesday plus 60 fires."""
    days = 120
    stamps = [START + timedelta(days=i) for i in range(days)]
    rate = np.where(np.arange(days) % 7 >= 5, 150.0, 300.0)
    counts = np.random.default_rng(9).poisson(rate).astype(float)
    assert after_warm_up(sp.detect(stamps, counts).episodes, 28) == []
    counts[99] = 2 * 300 + 60  # day 99 is a Tuesday
    assert [e.onset for e in after_warm_up(sp.detect(stamps, counts).episodes, 28)] == [stamps[99]]


def test_five_minute_series_use_the_day_and_the_week():
    """Five-minute counts over three weeks: the periods follow from the spacing (288 points a
    day, 2016 a week); the evening peak is not a spike, 30 minutes at 4x are."""
    n = 288 * 21
    stamps = [START + timedelta(minutes=5 * i) for i in range(n)]
    t = np.arange(n)
    rate = 8.0 * (1 + 0.7 * np.sin(2 * np.pi * t / 288))
    counts = np.random.default_rng(10).poisson(rate).astype(float)
    assert after_warm_up(sp.detect(stamps, counts).episodes) == []
    onset = 288 * 17 + 100
    counts[onset:onset + 6] = np.random.default_rng(11).poisson(4 * rate[onset:onset + 6])
    found = after_warm_up(sp.detect(stamps, counts).episodes)
    assert len(found) == 1 and stamps[onset] <= found[0].onset <= stamps[onset + 2]


def test_detect_many_counts_missing_buckets_of_cases_as_zero():
    """detect_many judges counts of cases: an hour without a row had none."""
    import polars as pl

    rows = []
    for i in range(24 * 21):
        t = START + timedelta(hours=i)
        rows.append({"category": "spam", "bucket": t, "cases": 10})
        if i % 2 == 0:  # "fraud" only every other hour: the hours between count zero
            rows.append({"category": "fraud", "bucket": t, "cases": 4})
    points, episodes = sp.detect_many(pl.DataFrame(rows), "category")
    assert points.filter(pl.col("category") == "fraud").height == 24 * 21
    assert points.filter(pl.col("category") == "fraud")["observed"].sum() == 4 * (24 * 21 // 2)
    assert episodes.height == 0


def test_the_detector_is_causal():
    """Cutting the series anywhere changes nothing about the points before the cut: their
    expected counts, dispersions, scores and whether an episode was open are what a live system
    would have said at the time. The cuts fall before, inside and after two spikes."""
    rate = seasonal_rate(HOURS_8_WEEKS, 15.0)
    first, second = 24 * 30 + 7, 24 * 33 + 20
    rate[first:first + 5] *= 4
    rate[second:second + 30] *= 2.5
    counts = np.random.default_rng(12).poisson(rate).astype(float)
    stamps = hourly(HOURS_8_WEEKS)
    full = sp.detect(stamps, counts)
    assert len(after_warm_up(full.episodes)) >= 2
    for cut in (first - 1, first + 2, first + 6, second + 3, second + 40, HOURS_8_WEEKS - 2):
        part = sp.detect(stamps[:cut + 1], counts[:cut + 1])
        np.testing.assert_allclose(part.expected, full.expected[:cut + 1], equal_nan=True)
        np.testing.assert_allclose(part.dispersion, full.dispersion[:cut + 1], equal_nan=True)
        np.testing.assert_allclose(part.score, full.score[:cut + 1], equal_nan=True)
        # an episode found by the cut starts (and is detected) where the full run says
        for e in part.episodes:
            match = next(f for f in full.episodes if f.onset == e.onset)
            assert match.detected_at == e.detected_at


def test_a_week_that_starts_on_a_quiet_weekend_does_not_repeat_false_episodes():
    """Office-hours volume (weekdays 08-17 at 40 an hour, everything else 8) with the data
    starting on a Saturday. Before two weeks of history the baseline is the previous days, so
    Monday 08:00 (40 expected, against the weekend's 8) fires, inside the warm-up. It must not
    repeat: those points were judged on the stand-in baseline and are not replaced by it, so
    from day 14 the weekly baseline sees the real Mondays and nothing fires. (Replacing them
    taught every later weekday the weekend's level: an episode every weekday at 08:00.)"""
    saturday = datetime(2026, 1, 3)
    n = 24 * 7 * 6
    h = np.arange(n)
    weekday = ((h // 24) + 5) % 7 < 5  # day 0 is a Saturday
    office = (h % 24 >= 8) & (h % 24 < 17)
    rate = np.where(weekday & office, 40.0, 8.0)
    counts = np.random.default_rng(21).poisson(rate)
    found = sp.detect(hourly(n, saturday), counts)
    first_monday = [e for e in found.episodes if e.onset < saturday + timedelta(days=3)]
    assert first_monday, "the stand-in baseline should flag the first Monday (the premise of this test)"
    assert [e for e in found.episodes if e.onset >= saturday + timedelta(days=14)] == []


# --------------------------------------------------------------------------- sensitivity and bursts


def test_one_sensitivity_setting():
    assert sp.SpikeParams.at("normal") == sp.SpikeParams()
    low, normal, high = (sp.SpikeParams.at(s) for s in ("low", "normal", "high"))
    assert low.alpha < normal.alpha < high.alpha
    assert low.fine().alpha == pytest.approx(low.alpha / sp.FINE_ALPHA_DIVISOR)
    assert sp.FINE_SCOPE == normal.fine()
    with pytest.raises(ValueError, match="sensitivity must be one of low, normal, high"):
        sp.SpikeParams.at("extreme")


def test_bursts_are_told_from_spikes_by_hand():
    """An alert with 200 extra cases: 150 of them in its busiest ten minutes is a batch; 120
    against one account is one account; 60 and 40 are a spike (below half of 200 each)."""
    assert watched_scopes.burst_kind(200.0, account_cases=10.0, slot_cases=150.0) == ("batch", 150.0)
    assert watched_scopes.burst_kind(200.0, account_cases=120.0, slot_cases=20.0) == ("one account", 120.0)
    assert watched_scopes.burst_kind(200.0, account_cases=60.0, slot_cases=40.0) == ("spike", 0.0)
    assert watched_scopes.burst_kind(0.0, account_cases=60.0, slot_cases=40.0) == ("spike", 0.0)
