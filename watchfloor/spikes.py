"""Spike detection for count series: causal, seasonal, count-aware, reporting episodes.

`detect(timestamps, counts)` takes any regular series (the interval is read from the
timestamps) and returns the spike **episodes** in it. Every point is judged only on the points
before it, as a live system must judge the hour that has just closed.

How a point is judged (docs/metrics.md, "Trend spikes", has the formulas):

1. Expected count. The seasonal baseline is a trimmed mean of the same point of the week in the
   previous `weeks` weeks, each with its `neighbours` points either side (12 values by default
   for hourly data, so one earlier spike cannot drag it up). With less than two weeks of history
   the same point of the previous days is used instead; with less than a day, the mean of the
   previous points. A level factor (recent counts ÷ recent baselines over `level_window`
   points, clipped) lets the baseline follow a trend.
2. Surprise. The upper tail P(X >= observed) of a Poisson count with the expected mean, as a
   standard-normal score z (Wilson–Hilferty), shrunk by sqrt(dispersion) where the series is
   noisier than Poisson (dispersion: rolling median of squared Pearson residuals).
3. A point is *hot* when p <= alpha and it is also big enough to matter: at least `min_excess`
   cases and `min_ratio` times the expected count (so 1 -> 4 in a sparse series never fires).
   Two consecutive points whose sum passes the same test (p <= alpha, `min_excess` together,
   each at `min_ratio`) also open an episode: this catches moderate spikes in small series
   after two points. So at most about 2 x alpha of the points of a series with no spike open
   an episode.
4. Episodes. An episode opens at a hot point, stays open while points are *elevated*
   (z >= z_continue and above expected), ends after `end_after` points in a row that are not,
   and is merged with the next one if fewer than `merge_gap` points separate them.
5. Points at which an episode is open (from its alert until it ends) are replaced by their
   expected count before later baselines are computed (repeated passes until nothing changes),
   so a long spike does not become its own baseline. Merging only joins episodes for the
   report; it never changes what a baseline saw. Only points whose expected count rests on the
   weekly baseline are replaced: one judged on the previous days (the first two weeks) may be
   the weekly cycle itself, and replacing it would make the same false episode repeat weekly.

`FINE_SCOPE` holds stricter settings for series narrower than a category, watched many at once.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from statistics import NormalDist
from typing import Sequence

import numpy as np
import polars as pl

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
# Median of a chi-square with one degree of freedom: a squared Pearson residual's median
# when the series is exactly Poisson with a large mean.
CHI2_1_MEDIAN = 0.4549364

SEVERITIES = ("critical", "high", "medium", "low")
MAX_PASSES = 8


class SeriesError(ValueError):
    """The series cannot be judged (irregular, unsorted, negative counts...)."""


@dataclass(frozen=True)
class SpikeParams:
    """Detector settings. Defaults were chosen on simulator seed 7 (benchmarks/spikes.md)."""

    alpha: float = 1e-4  # per-point chance that a point with no spike opens an episode alone
    min_excess: float = 5.0  # a hot point has at least this many cases above expected
    min_ratio: float = 1.5  # ... and at least this many times the expected count
    z_continue: float = 2.0  # an episode continues while points score at least this
    end_after: int = 3  # an episode ends after this many points in a row below z_continue
    merge_gap: int = 6  # episodes fewer than this many points apart are one episode
    weeks: int = 4  # weeks of history for the seasonal baseline
    neighbours: int = 1  # points either side of the same point of the week (sub-daily series)
    trim: float = 0.25  # share of the baseline values dropped at each end before averaging
    shrink_cases: float = 5.0  # a seasonal mean resting on this many cases is half shrunk to the long-run mean
    level_window: int = 72  # points of the trend (level) factor
    level_clip: float = 3.0  # the level factor stays within [1/level_clip, level_clip]
    dispersion_window: int = 336  # points of the dispersion estimate
    min_history: int = 24  # points before the first judged point

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 0.5:
            raise ValueError("alpha must be between 0 and 0.5")
        if self.end_after < 1 or self.merge_gap < 0 or self.weeks < 1 or self.min_history < 1:
            raise ValueError("end_after, weeks and min_history must be at least 1, merge_gap at least 0")

    @property
    def z_single(self) -> float:
        return NormalDist().inv_cdf(1 - self.alpha)



# For series narrower than a category (category x surface x region, say), where a category has
# some twenty watched at once: each must fire less often for the category's alerts to stay
# within the target, and in a thin series a few extra cases say little. Chosen with the
# defaults on simulator seed 7 (benchmarks/spikes.md).
FINE_SCOPE = SpikeParams(alpha=3e-5, min_excess=20.0, min_ratio=2.0)


@dataclass(frozen=True)
class Episode:
    onset: datetime  # first point of the episode
    detected_at: datetime  # the point whose close raised the alert (onset, or the point after)
    peak: datetime  # point with the highest score
    end: datetime  # last elevated point
    points: int  # points from onset to end
    observed: float  # cases in the episode
    expected: float  # expected cases over the same points
    peak_observed: float
    peak_expected: float
    score: float  # highest z of the episode
    severity: str
    ongoing: bool  # still elevated at the last point of the series

    @property
    def excess(self) -> float:
        return self.observed - self.expected

    @property
    def ratio(self) -> float:
        return self.observed / self.expected if self.expected > 0 else math.inf

    def as_dict(self) -> dict:
        out = asdict(self)
        out["excess"] = self.excess
        out["ratio"] = self.ratio if math.isfinite(self.ratio) else None
        return out


@dataclass
class Detection:
    """Everything the detector worked out, point by point, and the episodes."""

    timestamps: list[datetime]
    interval: timedelta
    observed: np.ndarray
    expected: np.ndarray  # NaN where not judged (warm-up)
    upper: np.ndarray  # highest count still within the band (z below z_continue)
    score: np.ndarray  # z, NaN where not judged
    in_episode: np.ndarray  # bool
    episodes: list[Episode] = field(default_factory=list)

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame({
            "bucket": self.timestamps,
            "observed": self.observed,
            "expected": self.expected,
            "upper": self.upper,
            "score": self.score,
            "in_episode": self.in_episode,
        }, schema_overrides={"bucket": pl.Datetime("us")})


# --------------------------------------------------------------------------- the series


def interval_of(timestamps: Sequence[datetime]) -> timedelta:
    """The series' interval: its smallest step. Raises SeriesError unless every step is that interval."""
    if len(timestamps) < 2:
        raise SeriesError("a series needs at least two points to show its interval")
    steps = [b - a for a, b in zip(timestamps, timestamps[1:])]
    for i, step in enumerate(steps):
        if step <= timedelta(0):
            raise SeriesError(f"timestamps must increase: {timestamps[i + 1]} follows {timestamps[i]}")
    interval = min(steps)
    for i, step in enumerate(steps):
        if step != interval:
            kind = "missing points" if step % interval == timedelta(0) else "an irregular gap"
            raise SeriesError(
                f"the series is not regular: its interval is {interval}, but {timestamps[i]} is followed by "
                f"{timestamps[i + 1]} ({kind})"
            )
    return interval


def fill_missing(timestamps: Sequence[datetime], counts: Sequence[float]) -> tuple[list[datetime], list[float]]:
    """Insert zero counts for the missing points of a series whose steps are multiples of its smallest step."""
    if len(timestamps) < 2:
        return list(timestamps), list(counts)
    steps = [b - a for a, b in zip(timestamps, timestamps[1:])]
    if any(s <= timedelta(0) for s in steps):
        raise SeriesError("timestamps must increase")
    interval = min(steps)
    if any(s % interval for s in steps):
        bad = next(i for i, s in enumerate(steps) if s % interval)
        raise SeriesError(f"the series is not regular: {timestamps[bad]} is followed by {timestamps[bad + 1]}, "
                          f"which is not a whole number of {interval} steps")
    by_time = dict(zip(timestamps, counts))
    n = (timestamps[-1] - timestamps[0]) // interval + 1
    grid = [timestamps[0] + i * interval for i in range(n)]
    return grid, [by_time.get(t, 0.0) for t in grid]


def _period(interval: timedelta, length: timedelta) -> int | None:
    """Points per `length` if the interval divides it, else None (no such cycle)."""
    if interval > length or length % interval:
        return None
    return length // interval


# --------------------------------------------------------------------------- statistics


def poisson_z(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """P(X >= observed) for X ~ Poisson(expected), as the standard-normal z with the same upper tail.

    P(X >= k) = P(Gamma(k, 1) <= mu); Wilson-Hilferty's cube-root normal approximation of the
    gamma gives z = 3 sqrt(k) (1 - 1/(9k) - (mu/k)^(1/3)). k = 0 (always at least 0): z = -inf.
    """
    k = np.asarray(observed, dtype=float)
    mu = np.maximum(np.asarray(expected, dtype=float), 1e-9)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = 3.0 * np.sqrt(k) * (1.0 - 1.0 / (9.0 * k) - np.cbrt(mu / k))
    return np.where(k > 0, z, -np.inf)


def z_to_p(z: float) -> float:
    """Upper-tail probability of a standard-normal score."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def _trimmed_mean(values: np.ndarray, trim: float) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise trimmed mean ignoring NaN (NaN where a row has no value), and the values per row."""
    n = np.sum(~np.isnan(values), axis=1)
    ordered = np.sort(values, axis=1)  # NaN sort last
    cut = np.floor(n * trim).astype(int)
    idx = np.arange(values.shape[1])[None, :]
    keep = (idx >= cut[:, None]) & (idx < (n - cut)[:, None])
    total = np.where(keep, np.nan_to_num(ordered), 0.0).sum(axis=1)
    count = keep.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan), np.maximum(n, 1)


def _lagged(values: np.ndarray, lags: list[int]) -> np.ndarray:
    """Matrix of values[t - lag] per lag (NaN before the series starts)."""
    n = len(values)
    out = np.full((n, len(lags)), np.nan)
    for j, lag in enumerate(lags):
        if 0 < lag < n:
            out[lag:, j] = values[:-lag]
    return out


def _rolling_sum_before(values: np.ndarray, window: int) -> np.ndarray:
    """Sum of the `window` values before each point (fewer at the start), NaN-free input."""
    c = np.concatenate([[0.0], np.cumsum(values)])
    idx = np.arange(len(values))
    return c[idx] - c[np.maximum(idx - window, 0)]


def baseline(clean: np.ndarray, interval: timedelta, params: SpikeParams) -> np.ndarray:
    """Expected count per point from the (cleaned) points before it; NaN with too little history."""
    return _baseline(clean, interval, params)[0]


def _baseline(clean: np.ndarray, interval: timedelta,
              params: SpikeParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(expected, values, full_cycle): the expected count, how many earlier points it is an
    average of, and whether it rests on the series' longest cycle (the week for hourly and daily
    series; the previous points when the interval has no cycle)."""
    n = len(clean)
    week = _period(interval, WEEK)
    day = _period(interval, DAY)
    sub_daily = interval < DAY
    spread = range(-params.neighbours, params.neighbours + 1) if sub_daily else range(0, 1)
    idx = np.arange(n)
    expected = np.full(n, np.nan)
    if n == 0:
        return expected, np.ones(0), np.zeros(0, dtype=bool)

    trailing = _rolling_sum_before(clean, params.level_window) / np.maximum(np.minimum(idx, params.level_window), 1)
    expected[:] = np.where(idx > 0, trailing, np.nan)  # fallback: mean of the previous points
    values = np.maximum(np.minimum(idx, params.level_window), 1).astype(float)
    candidates = []  # (seasonal baseline, first point it applies to), from the weakest to the best
    if day is not None and day > 1:
        daily_lags = [k * day + j for k in range(1, 8) for j in spread if k * day + j > 0]
        candidates.append((*_trimmed_mean(_lagged(clean, daily_lags), params.trim), day))
    if week is not None:
        weekly_lags = [k * week + j for k in range(1, params.weeks + 1) for j in spread if k * week + j > 0]
        candidates.append((*_trimmed_mean(_lagged(clean, weekly_lags), params.trim), 2 * week))
    # The long-run mean per point (over the dispersion window): sparse series shrink to it.
    long_mean = _rolling_sum_before(clean, params.dispersion_window) / np.maximum(
        np.minimum(idx, params.dispersion_window), 1)
    full_cycle = idx > 0
    for seasonal, count, first in candidates:
        has = (idx >= first) & ~np.isnan(seasonal)
        # Shrink the seasonal mean towards the long-run mean by how many cases it rests on: with a
        # handful of cases behind it, the same hour of earlier weeks says little (12 zeros do not
        # make an hour impossible). Weight: cases / (cases + shrink_cases).
        cases = np.nan_to_num(seasonal) * count
        weight = cases / (cases + params.shrink_cases) if params.shrink_cases > 0 else np.ones_like(cases)
        seasonal = long_mean + weight * (seasonal - long_mean)
        # Level factor: how the recent points compare with this same baseline (compared over
        # the points where it exists), so that it follows a trend but not the cycle itself.
        recent = _rolling_sum_before(np.where(has, clean, 0.0), params.level_window)
        recent_base = _rolling_sum_before(np.where(has, seasonal, 0.0), params.level_window)
        # +1 on both sides keeps the factor near 1 where the counts are tiny.
        level = np.clip((recent + 1.0) / (recent_base + 1.0), 1 / params.level_clip, params.level_clip)
        expected = np.where(has, seasonal * level, expected)
        values = np.where(has, count, values)
        full_cycle = has  # the last candidate is the longest cycle
    expected[idx < params.min_history] = np.nan
    return expected, values, full_cycle & ~np.isnan(expected)


def dispersion(clean: np.ndarray, expected: np.ndarray, window: int) -> np.ndarray:
    """Over-dispersion factor per point (>= 1) from the squared Pearson residuals before it."""
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = (clean - expected) ** 2 / np.maximum(expected, 0.5)
    rolling = (
        pl.Series(r2, dtype=pl.Float64, nan_to_null=True)
        .rolling_median(window_size=window, min_samples=max(12, window // 8))
        .shift(1)
        .to_numpy()
    )
    phi = np.nan_to_num(rolling / CHI2_1_MEDIAN, nan=1.0)
    return np.clip(phi, 1.0, 25.0)


def band_upper(expected: np.ndarray, phi: np.ndarray, z: float) -> np.ndarray:
    """The count that scores about z: expected + z * sqrt(phi * expected) (normal approximation)."""
    return expected + z * np.sqrt(phi * np.maximum(expected, 0.0))


# --------------------------------------------------------------------------- detection


def _scores(observed: np.ndarray, clean: np.ndarray, interval: timedelta, params: SpikeParams):
    expected, values, full_cycle = _baseline(clean, interval, params)
    # The baseline is itself an estimate: a (trimmed) mean of `values` Poisson counts adds about
    # 1.2 / values of the count's own variance (a 25 % trimmed mean is ~84 % efficient).
    phi = dispersion(clean, expected, params.dispersion_window) + 1.2 / values
    z = poisson_z(observed, expected) / np.sqrt(phi)
    z = np.where(np.isnan(expected), np.nan, z)
    return expected, phi, z, full_cycle


def _walk(observed: np.ndarray, expected: np.ndarray, z: np.ndarray, phi: np.ndarray, params: SpikeParams):
    """Walk the points in time order: [start, alert, last elevated] of each episode, before merging."""
    known = ~np.isnan(expected)
    ratio_ok = known & (observed >= params.min_ratio * expected)
    single = ratio_ok & (observed - expected >= params.min_excess) & (z >= params.z_single)
    # A point and the one before it, taken together: the same tail test on their sum.
    pair_end = np.zeros_like(single)
    if len(observed) > 1:
        both = ratio_ok[1:] & ratio_ok[:-1]
        obs2 = observed[1:] + observed[:-1]
        exp2 = np.nan_to_num(expected[1:] + expected[:-1], nan=np.inf)
        z2 = poisson_z(obs2, exp2) / np.sqrt(phi[1:])
        pair_end[1:] = both & (obs2 - exp2 >= params.min_excess) & (z2 >= params.z_single)
    elevated = (z >= params.z_continue) & (observed > expected)
    elevated = np.nan_to_num(elevated, nan=0).astype(bool)

    episodes: list[list[int]] = []
    n = len(observed)
    candidates = np.flatnonzero(single | pair_end)
    pos = 0
    while pos < len(candidates):
        alert = int(candidates[pos])
        start = alert if single[alert] else alert - 1
        if episodes and start <= episodes[-1][2]:
            start = episodes[-1][2] + 1
        last, quiet, i = alert, 0, alert + 1
        while i < n and quiet < params.end_after:
            if elevated[i]:
                last, quiet = i, 0
            else:
                quiet += 1
            i += 1
        episodes.append([start, alert, last])
        pos = int(np.searchsorted(candidates, last + 1))
    return episodes


def _merge(raw: list[list[int]], merge_gap: int) -> list[list[int]]:
    """Episodes fewer than merge_gap points apart become one (keeping the first alert)."""
    merged: list[list[int]] = []
    for start, alert, last in raw:
        if merged and start - merged[-1][2] - 1 < merge_gap:
            merged[-1][2] = last
        else:
            merged.append([start, alert, last])
    return merged


def _open_mask(raw: list[list[int]], n: int, end_after: int) -> np.ndarray:
    """The points at which an episode was open when they closed: from its alert until it ended
    (end_after quiet points after its last elevated one). Only these are replaced by their
    expected counts, so a baseline never uses what was learnt after its point."""
    mask = np.zeros(n, dtype=bool)
    for _start, alert, last in raw:
        mask[alert:min(last + end_after, n)] = True
    return mask


def severity(peak_ratio: float, score: float) -> str:
    """critical: peak at 5x expected or more; high: 3x; medium: 2x; low: below 2x."""
    if peak_ratio >= 5:
        return "critical"
    if peak_ratio >= 3:
        return "high"
    if peak_ratio >= 2:
        return "medium"
    return "low"


def detect(timestamps: Sequence[datetime], counts: Sequence[float], params: SpikeParams | None = None) -> Detection:
    """Judge every point of a regular count series and return the detection with its episodes."""
    params = params or SpikeParams()
    timestamps = list(timestamps)
    observed = np.asarray(counts, dtype=float)
    if len(timestamps) != len(observed):
        raise SeriesError("timestamps and counts differ in length")
    if np.isnan(observed).any():
        raise SeriesError("counts must be numbers (found an empty or non-numeric value)")
    if (observed < 0).any():
        raise SeriesError("counts cannot be negative")
    interval = interval_of(timestamps)

    # Pass 1 on the raw series; each later pass with the points at which the previous pass had
    # an episode open replaced by their expected counts, so a spike does not inflate the
    # baselines after it, until nothing changes. Every pass is causal: whether an episode was
    # open at a point is known when that point closes, and only earlier points feed a baseline.
    clean = observed.copy()
    n = len(observed)
    opened = np.zeros(n, dtype=bool)
    for _ in range(MAX_PASSES):
        expected, phi, z, full_cycle = _scores(observed, clean, interval, params)
        raw = _walk(observed, expected, z, phi, params)
        # Only points judged on the full cycle are replaced: an episode judged on a stand-in
        # baseline (the previous days, before two weeks of history) may be the weekly cycle
        # itself (Monday after a quiet weekend), and replacing it would teach every later
        # Monday the weekend's level, so the false episode would repeat week after week.
        mask = _open_mask(raw, n, params.end_after) & full_cycle
        cleaned = np.where(mask, np.minimum(observed, expected), observed)
        if np.array_equal(mask, opened) and np.allclose(cleaned, clean, rtol=1e-9, atol=1e-12):
            break
        opened, clean = mask, cleaned
    merged = _merge(raw, params.merge_gap)
    in_episode = np.zeros(n, dtype=bool)
    for start, _alert, last in merged:
        in_episode[start:last + 1] = True

    episodes = []
    for start, alert, last in merged:
        seg = slice(start, last + 1)
        seg_z = np.nan_to_num(z[seg], nan=-np.inf)
        peak = start + int(np.argmax(seg_z))
        peak_ratio = observed[peak] / expected[peak] if expected[peak] > 0 else math.inf
        episodes.append(Episode(
            onset=timestamps[start],
            detected_at=timestamps[alert],
            peak=timestamps[peak],
            end=timestamps[last],
            points=last - start + 1,
            observed=float(observed[seg].sum()),
            expected=float(np.nansum(expected[seg])),
            peak_observed=float(observed[peak]),
            peak_expected=float(expected[peak]),
            score=float(z[peak]),
            severity=severity(peak_ratio, float(z[peak])),
            ongoing=(len(observed) - 1 - last) < params.end_after,
        ))
    return Detection(
        timestamps=timestamps,
        interval=interval,
        observed=observed,
        expected=expected,
        upper=band_upper(expected, phi, params.z_continue),
        score=z,
        in_episode=in_episode,
        episodes=episodes,
    )


def episodes_frame(episodes: list[Episode]) -> pl.DataFrame:
    """Episodes as a frame (one row each), in the order given."""
    schema = {
        "onset": pl.Datetime("us"), "detected_at": pl.Datetime("us"), "peak": pl.Datetime("us"),
        "end": pl.Datetime("us"), "points": pl.Int64, "observed": pl.Float64, "expected": pl.Float64,
        "peak_observed": pl.Float64, "peak_expected": pl.Float64, "score": pl.Float64,
        "severity": pl.String, "ongoing": pl.Boolean,
    }
    return pl.DataFrame([{k: getattr(e, k) for k in schema} for e in episodes], schema=schema, orient="row")


def detect_many(frame: pl.DataFrame, key: str, *, time_column: str = "bucket", value_column: str = "cases",
                params: SpikeParams | None = None, start: datetime | None = None, end: datetime | None = None,
                interval: timedelta | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Run the detector on every series of a long frame (key, time, value), each on a full grid.

    The grid runs from `start` to `end` (both included; by default the frame's first and last
    timestamps) every `interval` (by default the smallest step found); missing points count as
    zero. Returns (points: key, bucket, observed, expected, upper, score, in_episode; episodes:
    key plus the Episode fields).
    """
    params = params or SpikeParams()
    key_type = frame.schema.get(key, pl.String)
    no_episodes = episodes_frame([]).with_columns(pl.lit(None, key_type).alias(key)).select(key, pl.all().exclude(key))
    if frame.height == 0:
        return _empty_points(key, key_type), no_episodes
    times = frame[time_column].unique().sort()
    if interval is None:
        steps = times.diff().drop_nulls()
        if steps.len() == 0:
            raise SeriesError("a series needs at least two points to show its interval")
        interval = steps.min()
    start = start or times.min()
    end = end or times.max()
    if end <= start:  # a single point has no interval to judge it by
        return _empty_points(key, key_type), no_episodes
    grid = pl.datetime_range(start, end, interval=interval, eager=True, time_unit="us").alias("bucket")
    keys = frame[key].unique().sort()
    full = (
        pl.DataFrame({key: keys}).join(pl.DataFrame({"bucket": grid}), how="cross")
        .join(frame.select(key, pl.col(time_column).cast(pl.Datetime("us")).alias("bucket"), value_column),
              on=[key, "bucket"], how="left")
        .with_columns(pl.col(value_column).fill_null(0).cast(pl.Float64))
        .sort(key, "bucket")
    )
    stamps = grid.to_list()
    point_parts, episode_rows = [], []
    values = full[value_column].to_numpy().reshape(len(keys), len(stamps))
    for i, name in enumerate(keys.to_list()):
        found = detect(stamps, values[i], params)
        point_parts.append(found.frame().with_columns(pl.lit(name, key_type).alias(key)))
        for e in found.episodes:
            episode_rows.append({key: name, **{k: v for k, v in e.as_dict().items() if k not in ("excess", "ratio")}})
    points = pl.concat(point_parts).select(key, pl.all().exclude(key))
    episodes = no_episodes
    if episode_rows:
        episodes = pl.DataFrame(episode_rows, schema=no_episodes.schema, orient="row")
    return points, episodes


def _empty_points(key: str, key_type: pl.DataType = pl.String) -> pl.DataFrame:
    return pl.DataFrame(schema={key: key_type, "bucket": pl.Datetime("us"), "observed": pl.Float64,
                                "expected": pl.Float64, "upper": pl.Float64, "score": pl.Float64,
                                "in_episode": pl.Boolean})
