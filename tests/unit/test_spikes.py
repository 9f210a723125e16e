"""The spike detector (watchfloor/spikes.py) on synthetic series with known spikes."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import pytest

from watchfloor import spikes as sp

START = datetime(2026, 1, 5)  # a Monday
HOURS_8_WEEKS = 24 * 7 * 8


def hourly(n: int, start: datetime = START) -> list[datetime]:
    return [start + timedelta(hours=i) for i in range(n)]


def seasonal_rate(n: int, base: float) -> np.ndarray:
    """A daily cycle (peak at 06:00, trough at 18:00, 0.4x to 1.6x) and quieter weekends (0.7x)."""
    h = np.arange(n)
    return base * (1 + 0.6 * np.sin(2 * np.pi * h / 24)) * np.where((h // 24) % 7 >= 5, 0.7, 1.0)


# --------------------------------------------------------------------------- the Poisson tail


def exact_upper_tail(k: int, mu: float) -> float:
    """P(X >= k), X ~ Poisson(mu), summed term by term: the independent check of poisson_z."""
    term, below = math.exp(-mu), 0.0
    for i in range(k):
        below += term
        term *= mu / (i + 1)
    return 1.0 - below


@pytest.mark.parametrize("k,mu", [(5, 1.0), (12, 4.0), (30, 15.0), (140, 100.0)])
def test_poisson_z_matches_the_exact_tail(k, mu):
    z = float(sp.poisson_z(np.array([k]), np.array([mu]))[0])
    exact = exact_upper_tail(k, mu)
    # Wilson-Hilferty is within a few per cent in log-probability over these cases.
    assert math.log(sp.z_to_p(z)) == pytest.approx(math.log(exact), rel=0.06)


def test_poisson_z_errs_on_the_quiet_side_for_tiny_means():
    """3 cases where 0.2 are expected: exact P = 1.15e-3; the approximation says 1.9e-3 (less
    surprising), so a sparse series is, if anything, judged more calmly."""
    exact = exact_upper_tail(3, 0.2)
    assert exact == pytest.approx(1 - math.exp(-0.2) * (1 + 0.2 + 0.02), rel=1e-12)
    approx = sp.z_to_p(float(sp.poisson_z(np.array([3]), np.array([0.2]))[0]))
    assert exact < approx < 2 * exact


def test_poisson_z_of_zero_observed_is_never_surprising():
    assert sp.poisson_z(np.array([0.0]), np.array([3.0]))[0] == -math.inf


# --------------------------------------------------------------------------- the series


def test_interval_is_read_from_the_timestamps():
    stamps = [START + timedelta(minutes=15 * i) for i in range(10)]
    assert sp.interval_of(stamps) == timedelta(minutes=15)


def test_irregular_and_unsorted_series_are_refused():
    with pytest.raises(sp.SeriesError, match="irregular gap"):
        sp.interval_of([START, START + timedelta(hours=1), START + timedelta(hours=2, minutes=30)])
    with pytest.raises(sp.SeriesError, match="missing points"):
        sp.interval_of([START, START + timedelta(hours=1), START + timedelta(hours=3)])
    with pytest.raises(sp.SeriesError, match="increase"):
        sp.interval_of([START, START - timedelta(hours=1)])
    with pytest.raises(sp.SeriesError, match="negative"):
        sp.detect(hourly(3), [1, -1, 2])


def test_fill_missing_counts_missing_points_as_zero():
    stamps = [START, START + timedelta(hours=1), START + timedelta(hours=3)]
    grid, counts = sp.fill_missing(stamps, [4, 5, 6])
    assert grid == hourly(4)
    assert counts == [4, 5, 0.0, 6]


# --------------------------------------------------------------------------- the baseline


def test_baseline_by_hand():
    """Constant 10 per hour, except that hour 5 of every day of week 1 held 50 (a spike
    repeated). min_history 1, level window 24, trim 0.25, neighbours 1, weeks 4.

    - Point 3 (day 0, hour 3): under a day of history, the mean of the previous 3 points = 10.
    - Point 24 + 3 (day 1, 03:00): daily baseline from lags 24 +- 1 (points 2, 3, 4 = 10, 10, 10),
      trimmed mean 10; level (recent 24 + 1) / (baseline 24 + 1) over the 3 points with a daily
      baseline before it (points 24, 25, 26 whose baselines are 10) = 31 / 31 -> 10.
    - Point 24 + 5 (day 1, 05:00): lags 24 +- 1 -> points 4, 5, 6 = 10, 50, 10; n = 3, trim
      floor(0.75) = 0 values at each end, mean = 70 / 3 = 23.33; level: points 24..28 all 10 with
      baselines 10, 10, 10, 10 (point 28's lags are 3, 4, 5 -> 70/3) ... the level factor is
      (50 + 1) / (10 + 10 + 10 + 10 + 23.33 + 1) = 51 / 64.33.
    """
    n = 24 * 2
    clean = np.full(n, 10.0)
    clean[5] = 50.0
    params = sp.SpikeParams(min_history=1, shrink_cases=0)  # shrinkage: the next test
    expected = sp.baseline(clean, timedelta(hours=1), params)
    assert math.isnan(expected[0])
    assert expected[3] == pytest.approx(10.0)
    assert expected[27] == pytest.approx(10.0)
    # points 24..28: baselines 10, 10, 10, 10 (lags of 28 are 3, 4, 5 -> (10+10+50)/3), observed 10 each
    base_28 = 70 / 3
    level_29 = (5 * 10 + 1) / (4 * 10 + base_28 + 1)
    assert expected[29] == pytest.approx((10 + 50 + 10) / 3 * level_29)


def test_sparse_baselines_shrink_to_the_long_run_mean():
    """Zeros except 3 cases at point 3; min_history 1, shrink_cases 5, level window 72.

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
    expected = sp.baseline(clean, timedelta(hours=1), sp.SpikeParams(min_history=1))
    b24, b25 = 3 / 24, 3 / 25
    b26 = 3 / 26 + 0.375 * (1 - 3 / 26)
    level = 1 / (b24 + b25 + b26 + 1)
    assert expected[27] == pytest.approx(4 / 9 * level)
    # the long-run mean is all there is before any daily lag: point 20 = mean of points 0..19 = 3/20
    assert expected[20] == pytest.approx(3 / 20)


def test_weekly_baseline_follows_the_week():
    """Eight weeks of a noiseless weekly pattern: once two weeks of history exist, the expected
    count is the pattern itself (every lag holds the same value, the level factor is 1)."""
    rate = seasonal_rate(HOURS_8_WEEKS, 40.0)
    expected = sp.baseline(rate, timedelta(hours=1), sp.SpikeParams(shrink_cases=0))
    # neighbours +-1 h: the trimmed mean of the 3 hours x 2..4 weeks keeps the middle hour's value
    # and as many of the lower as of the higher neighbour, so it is the pattern at that hour up to
    # its curvature. Around midnight a neighbour may fall on the other side of a weekend boundary.
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
    assert len(found.episodes) == 1
    episode = found.episodes[0]
    assert episode.onset == START + timedelta(hours=onset)
    assert episode.detected_at - episode.onset <= timedelta(hours=1)
    assert START + timedelta(hours=onset) <= episode.peak <= START + timedelta(hours=onset + 5)
    assert episode.end >= START + timedelta(hours=onset + 4)
    assert episode.end <= START + timedelta(hours=onset + 7)
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
    found = sp.detect(hourly(HOURS_8_WEEKS), counts)
    assert [e for e in found.episodes if e.onset >= START + timedelta(days=14)] == []


def test_sparse_series_one_noisy_hour_does_not_fire_but_a_burst_does():
    """0.2 cases an hour: a lone hour with 4 cases has p ~ 6e-5 under Poisson(0.2) yet only 3.8
    cases of excess, below min_excess (5). 12 cases in each of three hours do fire."""
    n = 24 * 35
    counts = np.random.default_rng(6).poisson(np.full(n, 0.2))
    counts[24 * 21 + 4: 24 * 21 + 7] = [0, 4, 0]
    found = sp.detect(hourly(n), counts)
    assert found.episodes == []
    counts[24 * 28 + 10: 24 * 28 + 13] = 12
    found = sp.detect(hourly(n), counts)
    assert [e.onset for e in found.episodes] == [START + timedelta(hours=24 * 28 + 10)]
    assert found.episodes[0].severity == "critical"


def test_a_trending_series_is_followed_not_flagged():
    """Volume growing 30 % a week: the level factor follows it; a 3x spike on top still fires."""
    n = HOURS_8_WEEKS
    growth = 1.3 ** (np.arange(n) / (24 * 7))
    rate = seasonal_rate(n, 20.0) * growth
    counts = np.random.default_rng(7).poisson(rate)
    quiet = sp.detect(hourly(n), counts)
    assert [e for e in quiet.episodes if e.onset >= START + timedelta(days=14)] == []
    onset = 24 * 50 + 8
    spiked = rate.copy()
    spiked[onset:onset + 5] *= 3
    counts = np.random.default_rng(7).poisson(spiked)
    found = [e for e in sp.detect(hourly(n), counts).episodes if e.onset >= START + timedelta(days=14)]
    assert [e.onset for e in found] == [START + timedelta(hours=onset)]


@pytest.mark.parametrize("alpha", [1e-3, sp.SpikeParams().alpha, sp.FINE_SCOPE.alpha])
def test_flat_poisson_alert_rate_stays_within_the_configured_rate(alpha):
    """A flat Poisson(25) series has no spike: an episode opens on at most about 2 x alpha of the
    judged points (one point at p <= alpha, or a pair whose sum is). 40 series of 8 weeks judge
    40 x (1344 - 24) = 52,800 points: at most 2 x alpha x 52,800 episodes (105.6 at 1e-3, 10.6 at
    the default 1e-4, 3.2 at the finer series' 3e-5)."""
    params = sp.SpikeParams(alpha=alpha)
    total, judged = 0, 0
    for seed in range(40):
        counts = np.random.default_rng(100 + seed).poisson(np.full(HOURS_8_WEEKS, 25.0))
        found = sp.detect(hourly(HOURS_8_WEEKS), counts, params)
        total += len(found.episodes)
        judged += int((~np.isnan(found.expected)).sum())
    assert judged == 40 * (HOURS_8_WEEKS - 24)
    assert total <= 2 * alpha * judged


def test_episodes_are_deduplicated_and_merged():
    """Two bursts 3 hours apart (< merge_gap 6) are one episode; 30 hours apart, two."""
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
    counts before later baselines (and the level factor) are computed."""
    n = HOURS_8_WEEKS
    rate = seasonal_rate(n, 50.0)
    onset = 24 * 40
    rate[onset:onset + 96] *= 3
    counts = np.random.default_rng(8).poisson(rate)
    found = [e for e in sp.detect(hourly(n), counts).episodes if e.onset >= START + timedelta(days=14)]
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
    assert [e for e in sp.detect(stamps, counts).episodes if e.onset >= START + timedelta(days=28)] == []
    counts[99] = 2 * 300 + 60  # day 99 is a Tuesday
    found = [e for e in sp.detect(stamps, counts).episodes if e.onset >= START + timedelta(days=28)]
    assert [e.onset for e in found] == [stamps[99]]


def test_detect_many_fills_missing_points_with_zero():
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
    expected counts, scores and whether an episode was open are what a live system would have
    said at the time. The cuts fall before, inside and after two spikes."""
    rate = seasonal_rate(HOURS_8_WEEKS, 15.0)
    first, second = 24 * 30 + 7, 24 * 33 + 20
    rate[first:first + 5] *= 4
    rate[second:second + 30] *= 2.5
    counts = np.random.default_rng(12).poisson(rate).astype(float)
    stamps = hourly(HOURS_8_WEEKS)
    full = sp.detect(stamps, counts)
    assert len([e for e in full.episodes if e.onset >= START + timedelta(days=14)]) >= 2
    for cut in (first - 1, first + 2, first + 6, second + 3, second + 40, HOURS_8_WEEKS - 2):
        part = sp.detect(stamps[:cut + 1], counts[:cut + 1])
        np.testing.assert_allclose(part.expected, full.expected[:cut + 1], equal_nan=True)
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
