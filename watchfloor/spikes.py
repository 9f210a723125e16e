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
`watched_series` and `watched_alerts` watch every category on its category, x surface, x region
and x surface x region series and merge the episodes of one category that share an hour into
alerts labelled with their scope: what Home and the Trends page show, and what
benchmarks/eval_spikes.py scores.
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
    """Trimmed mean over the last axis ignoring NaN (NaN where there is no value), and the values
    it rests on."""
    n = np.sum(~np.isnan(values), axis=-1)
    ordered = np.sort(values, axis=-1)  # NaN sort last
    cut = np.floor(n * trim).astype(int)
    idx = np.arange(values.shape[-1])
    keep = (idx >= cut[..., None]) & (idx < (n - cut)[..., None])
    total = np.where(keep, np.nan_to_num(ordered), 0.0).sum(axis=-1)
    count = keep.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan), np.maximum(n, 1)


def _lagged(values: np.ndarray, lags: list[int]) -> np.ndarray:
    """values[..., t - lag] per lag, as a new last axis (NaN before the series starts)."""
    n = values.shape[-1]
    out = np.full((*values.shape, len(lags)), np.nan)
    for j, lag in enumerate(lags):
        if 0 < lag < n:
            out[..., lag:, j] = values[..., :-lag]
    return out


def _rolling_sum_before(values: np.ndarray, window: int) -> np.ndarray:
    """Sum of the `window` values before each point (fewer at the start), NaN-free input; along
    the last axis (one series, or one per row)."""
    c = np.concatenate([np.zeros((*values.shape[:-1], 1)), np.cumsum(values, axis=-1)], axis=-1)
    idx = np.arange(values.shape[-1])
    return c[..., idx] - c[..., np.maximum(idx - window, 0)]


def baseline(clean: np.ndarray, interval: timedelta, params: SpikeParams) -> np.ndarray:
    """Expected count per point from the (cleaned) points before it; NaN with too little history."""
    return _baseline(clean, interval, params)[0]


def _baseline(clean: np.ndarray, interval: timedelta,
              params: SpikeParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(expected, values, full_cycle): the expected count, how many earlier points it is an
    average of, and whether it rests on the series' longest cycle (the week for hourly and daily
    series; the previous points when the interval has no cycle). Along the last axis: `clean`
    is one series or one series per row."""
    n = clean.shape[-1]
    week = _period(interval, WEEK)
    day = _period(interval, DAY)
    sub_daily = interval < DAY
    spread = range(-params.neighbours, params.neighbours + 1) if sub_daily else range(0, 1)
    idx = np.arange(n)
    expected = np.full(clean.shape, np.nan)
    if n == 0:
        return expected, np.ones(clean.shape), np.zeros(clean.shape, dtype=bool)

    trailing = _rolling_sum_before(clean, params.level_window) / np.maximum(np.minimum(idx, params.level_window), 1)
    expected[:] = np.where(idx > 0, trailing, np.nan)  # fallback: mean of the previous points
    values = np.broadcast_to(np.maximum(np.minimum(idx, params.level_window), 1).astype(float), clean.shape)
    candidates = []  # (seasonal baseline, first point it applies to), from the weakest to the best
    if day is not None and day > 1:
        daily_lags = [k * day + j for k in range(1, 8) for j in spread if k * day + j > 0]
        # Needed only until the weekly baseline takes over (two weeks in, where it always has
        # values): worked out for those points alone, which gives the same numbers in less time.
        upto = min(n, 2 * week) if week is not None else n
        mean, count = _trimmed_mean(_lagged(clean[..., :upto], daily_lags), params.trim)
        if upto < n:
            rest = (*clean.shape[:-1], n - upto)
            mean = np.concatenate([mean, np.full(rest, np.nan)], axis=-1)
            count = np.concatenate([count, np.ones(rest, dtype=count.dtype)], axis=-1)
        candidates.append((mean, count, day))
    if week is not None:
        weekly_lags = [k * week + j for k in range(1, params.weeks + 1) for j in spread if k * week + j > 0]
        candidates.append((*_trimmed_mean(_lagged(clean, weekly_lags), params.trim), 2 * week))
    # The long-run mean per point (over the dispersion window): sparse series shrink to it.
    long_mean = _rolling_sum_before(clean, params.dispersion_window) / np.maximum(
        np.minimum(idx, params.dispersion_window), 1)
    full_cycle = np.broadcast_to(idx > 0, clean.shape)
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
    expected[..., idx < params.min_history] = np.nan
    return expected, values, full_cycle & ~np.isnan(expected)


def dispersion(clean: np.ndarray, expected: np.ndarray, window: int) -> np.ndarray:
    """Over-dispersion factor per point (>= 1) from the squared Pearson residuals before it; one
    series, or one per row (each row's window never reaches into another's)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = (clean - expected) ** 2 / np.maximum(expected, 0.5)
    rows = r2.reshape(-1, r2.shape[-1]) if r2.size else r2.reshape(0, r2.shape[-1])
    frame = pl.DataFrame({
        "series": np.repeat(np.arange(rows.shape[0]), rows.shape[1]),
        "r2": pl.Series(rows.ravel(), dtype=pl.Float64, nan_to_null=True),
    })
    rolling = (
        frame.select(pl.col("r2").rolling_median(window_size=window, min_samples=max(12, window // 8))
                     .shift(1).over("series"))
        .to_series().to_numpy().reshape(r2.shape)
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
    return _run(timestamps, interval_of(timestamps), observed, params)


def _run(timestamps: list[datetime], interval: timedelta, observed: np.ndarray, params: SpikeParams) -> Detection:
    """detect() on a series already checked (regular, numbers, none negative)."""
    return _run_many(timestamps, interval, observed[None, :], params)[0]


BATCH_ROWS = 64  # series judged together (memory: rows x points x 21 lagged values)


def _run_many(timestamps: list[datetime], interval: timedelta, observed: np.ndarray,
              params: SpikeParams) -> list[Detection]:
    """detect() on each row of a matrix of checked series sharing their timestamps. The numbers
    are worked out for many series at once (the same arithmetic, row by row), which is what
    makes watching hundreds of narrow series cheap."""
    out: list[Detection] = []
    for first in range(0, observed.shape[0], BATCH_ROWS):
        out += _run_batch(timestamps, interval, observed[first:first + BATCH_ROWS], params)
    return out


def _run_batch(timestamps: list[datetime], interval: timedelta, observed: np.ndarray,
               params: SpikeParams) -> list[Detection]:
    # Pass 1 on the raw series; each later pass with the points at which the previous pass had
    # an episode open replaced by their expected counts, so a spike does not inflate the
    # baselines after it, until nothing changes (per series: a series that has settled is not
    # judged again). Every pass is causal: whether an episode was open at a point is known when
    # that point closes, and only earlier points feed a baseline.
    rows, n = observed.shape
    clean = observed.copy()
    opened = np.zeros((rows, n), dtype=bool)
    last: list = [None] * rows
    active = np.arange(rows)
    for _ in range(MAX_PASSES):
        expected, phi, z, full_cycle = _scores(observed[active], clean[active], interval, params)
        unsettled = []
        for j, row in enumerate(active):
            raw = _walk(observed[row], expected[j], z[j], phi[j], params)
            last[row] = (expected[j], phi[j], z[j], raw)
            # Only points judged on the full cycle are replaced: an episode judged on a stand-in
            # baseline (the previous days, before two weeks of history) may be the weekly cycle
            # itself (Monday after a quiet weekend), and replacing it would teach every later
            # Monday the weekend's level, so the false episode would repeat week after week.
            mask = _open_mask(raw, n, params.end_after) & full_cycle[j]
            cleaned = np.where(mask, np.minimum(observed[row], expected[j]), observed[row])
            if np.array_equal(mask, opened[row]) and np.allclose(cleaned, clean[row], rtol=1e-9, atol=1e-12):
                continue
            opened[row], clean[row] = mask, cleaned
            unsettled.append(row)
        if not unsettled:
            break
        active = np.array(unsettled, dtype=int)
    return [_detection(timestamps, interval, observed[row], *last[row], params) for row in range(rows)]


def _detection(timestamps: list[datetime], interval: timedelta, observed: np.ndarray, expected: np.ndarray,
               phi: np.ndarray, z: np.ndarray, raw: list[list[int]], params: SpikeParams) -> Detection:
    n = len(observed)
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


# --------------------------------------------------------------------------- watched scopes
#
# A category is watched on several series at once: the category itself and every
# category x surface, category x region and category x surface x region series with cases
# (every scope a spike can hit; a live system does not know which one the next spike will).
# The category series are judged with the defaults, the narrower ones with FINE_SCOPE, and the
# episodes of one category that share an hour are one alert. benchmarks/eval_spikes.py scores
# exactly these alerts, and Home and the Trends page show them.

SCOPE_LEVELS = {
    "category": (),
    "category x surface": ("surface",),
    "category x region": ("region",),
    "category x surface x region": ("surface", "region"),
}
# An alert is labelled with the narrowest of its series that carries at least this share of
# the largest excess among them: a spike on one surface everywhere reads "category · surface",
# not one of its surface x region series (which each hold a part of it), nor the category.
SCOPE_SHARE = 0.75


@dataclass
class Watched:
    """Every watched series of every category on one grid: row i of `values` is the series of `keys` row i."""

    keys: pl.DataFrame  # category, surface, region (null: all of them), level
    stamps: list[datetime]
    interval: timedelta
    values: np.ndarray  # series x points


def watched_series(counts: pl.DataFrame, start: datetime, end: datetime,
                   interval: timedelta = timedelta(hours=1)) -> Watched:
    """The watched series from counts per (category, surface, region, bucket), on the grid from
    start to end (both included) every `interval`; missing buckets count as zero, buckets
    outside the grid are left out. Every scope with a case in `counts` has a series."""
    points = int((end - start) // interval) + 1 if end >= start else 0
    step_us = interval // timedelta(microseconds=1)
    cells = (
        counts.select(pl.col("category").cast(pl.String), pl.col("surface").cast(pl.String),
                      pl.col("region").cast(pl.String), pl.col("bucket").cast(pl.Datetime("us")),
                      pl.col("cases").cast(pl.Float64))
        .group_by("category", "surface", "region", "bucket").agg(pl.col("cases").sum())
    )
    cell_keys = cells.select("category", "surface", "region").unique().with_row_index("cell")
    placed = (cells.join(cell_keys, on=["category", "surface", "region"], nulls_equal=True)
              .with_columns(((pl.col("bucket") - start).dt.total_microseconds() // step_us).alias("point"))
              .filter(pl.col("point").is_between(0, points - 1)))
    by_cell = np.zeros((cell_keys.height, points))
    by_cell[placed["cell"].to_numpy(), placed["point"].to_numpy()] = placed["cases"].to_numpy()
    # Every coarser series is a sum of cells (exact: counts are whole numbers).
    key_parts, value_parts = [], []
    for level, dims in SCOPE_LEVELS.items():
        level_keys = cell_keys.select("category", *dims).unique().with_row_index("series")
        row_of_cell = (cell_keys.join(level_keys, on=["category", *dims], how="left", nulls_equal=True)
                       .sort("cell")["series"].to_numpy())
        values = np.zeros((level_keys.height, points))
        np.add.at(values, row_of_cell, by_cell)
        key_parts.append(level_keys.select(
            "category",
            *(pl.col(d) if d in dims else pl.lit(None, pl.String).alias(d) for d in ("surface", "region")),
            pl.lit(level).alias("level")))
        value_parts.append(values)
    keys = pl.concat(key_parts).with_row_index("row").sort("category", "level", "surface", "region", nulls_last=False)
    order = keys["row"].to_numpy()
    values = np.concatenate(value_parts)[order] if value_parts else np.zeros((0, points))
    stamps = [start + i * interval for i in range(points)]
    return Watched(keys.drop("row"), stamps, interval, values)


def could_alert(values: np.ndarray, params: SpikeParams) -> np.ndarray:
    """Per series (row), whether it could open an episode at all.

    A hot point, or a hot pair, needs at least min_excess cases above an expected count that is
    never negative, so its count (or the pair's sum) is at least min_excess; the first point is
    never judged. A series in which no two consecutive points add up to min_excess can never
    alert, and is not run through the detector (most narrow series of a quiet category)."""
    if values.ndim != 2 or values.shape[1] < 2:
        return np.zeros(values.shape[0] if values.ndim == 2 else 0, dtype=bool)
    return (values[:, 1:] + values[:, :-1]).max(axis=1) >= params.min_excess


def _params_for(level: str, params: SpikeParams, fine: SpikeParams) -> SpikeParams:
    return params if level == "category" else fine


def judge_watched(watched: Watched, params: SpikeParams | None = None, fine: SpikeParams = FINE_SCOPE,
                  levels: Sequence[str] | None = None) -> dict[int, Detection]:
    """The detector over every watched series (of `levels`, all by default) that could alert:
    the category series with `params` (the defaults), the narrower ones with `fine`. Returns the
    detections with at least one episode, by row of watched.keys."""
    params = params or SpikeParams()
    wanted = set(levels) if levels is not None else set(SCOPE_LEVELS)
    found: dict[int, Detection] = {}
    if len(watched.stamps) < 2:
        return found
    level_of = watched.keys["level"].to_list()
    for level in wanted:
        p = _params_for(level, params, fine)
        rows = np.flatnonzero(np.array([lv == level for lv in level_of], dtype=bool))
        if rows.size == 0:
            continue
        judged = rows[could_alert(watched.values[rows], p)]
        for row, detection in zip(judged, _run_many(watched.stamps, watched.interval, watched.values[judged], p)):
            if detection.episodes:
                found[int(row)] = detection
    return found


WATCHED_EPISODE_SCHEMA = {
    "series": pl.Int64, "category": pl.String, "surface": pl.String, "region": pl.String, "level": pl.String,
    **episodes_frame([]).schema,
}


def watched_episodes(watched: Watched, params: SpikeParams | None = None, fine: SpikeParams = FINE_SCOPE,
                     levels: Sequence[str] | None = None,
                     found: dict[int, Detection] | None = None) -> pl.DataFrame:
    """One row per episode of every watched series: its row (series), scope and Episode fields."""
    found = judge_watched(watched, params, fine, levels) if found is None else found
    keys = watched.keys.to_dicts()
    rows = []
    for series in sorted(found):
        for e in found[series].episodes:
            rows.append({"series": series, **keys[series],
                         **{k: getattr(e, k) for k in episodes_frame([]).columns}})
    return pl.DataFrame(rows, schema=WATCHED_EPISODE_SCHEMA, orient="row")


def alert_groups(spans: Sequence[tuple[datetime, datetime]]) -> list[list[int]]:
    """Episodes (onset, end: first and last point) of one category whose points overlap, as one
    alert: the indices of each alert's episodes, alerts in time order. An analyst watching all of
    a category's series sees one event when several fire over the same hours (the category and
    its surface, say); episodes that only touch (one ends at 14:00, the next starts at 15:00)
    stay apart."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], spans[i][1]))
    groups: list[list[int]] = []
    group_end = None
    for i in order:
        onset, end = spans[i]
        if groups and onset <= group_end:
            groups[-1].append(i)
            group_end = max(group_end, end)
        else:
            groups.append([i])
            group_end = end
    return groups


def merge_alerts(spans: Sequence[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The alerts of alert_groups as (first onset, last end)."""
    return [(min(spans[i][0] for i in g), max(spans[i][1] for i in g)) for g in alert_groups(spans)]


ALERT_SCHEMA = {
    "category": pl.String, "surface": pl.String, "region": pl.String, "level": pl.String,
    "onset": pl.Datetime("us"), "detected_at": pl.Datetime("us"), "peak": pl.Datetime("us"),
    "end": pl.Datetime("us"), "points": pl.Int64, "observed": pl.Float64, "expected": pl.Float64,
    "peak_observed": pl.Float64, "peak_expected": pl.Float64, "score": pl.Float64, "severity": pl.String,
    "ongoing": pl.Boolean, "episodes": pl.Int64, "series": pl.Int64,
}


def _scope_of(episodes: list[dict]) -> dict:
    """The episode whose series labels the alert: the narrowest carrying at least SCOPE_SHARE of
    the largest excess (observed - expected) among the alert's episodes; then the larger excess."""
    excess = [e["observed"] - e["expected"] for e in episodes]
    top = max(excess)
    candidates = [i for i, x in enumerate(excess) if x >= SCOPE_SHARE * top] if top > 0 else range(len(episodes))
    best = max(candidates, key=lambda i: (len(SCOPE_LEVELS[episodes[i]["level"]]), excess[i]))
    return episodes[best]


def watched_alerts(watched: Watched, params: SpikeParams | None = None, fine: SpikeParams = FINE_SCOPE,
                   found: dict[int, Detection] | None = None) -> pl.DataFrame:
    """The alerts of every category: its watched series' episodes merged where they share a point.

    Per alert: onset (first onset), detected_at (earliest alert), end (last end) and points
    over all its episodes; its scope (category, surface, region, level) is the series chosen by
    SCOPE_SHARE, and observed and expected are that series' counts summed over the alert's
    points [onset, end]; peak, peak counts, score and severity are that series' episode's;
    ongoing if any of its episodes is; episodes and series: how many episodes, and of how many
    series, it merges. In time order."""
    found = judge_watched(watched, params, fine) if found is None else found
    episodes = watched_episodes(watched, params, fine, found=found)
    if episodes.height == 0:
        return pl.DataFrame(schema=ALERT_SCHEMA)
    index = {t: i for i, t in enumerate(watched.stamps)}
    rows = []
    for (category,), group in episodes.group_by("category", maintain_order=True):
        members = group.to_dicts()
        for ids in alert_groups([(m["onset"], m["end"]) for m in members]):
            merged = [members[i] for i in ids]
            scope = _scope_of(merged)
            onset = min(m["onset"] for m in merged)
            end = max(m["end"] for m in merged)
            detection = found[scope["series"]]
            span = slice(index[onset], index[end] + 1)
            rows.append({
                "category": category, "surface": scope["surface"], "region": scope["region"],
                "level": scope["level"], "onset": onset, "detected_at": min(m["detected_at"] for m in merged),
                "peak": scope["peak"], "end": end, "points": index[end] - index[onset] + 1,
                "observed": float(detection.observed[span].sum()),
                "expected": float(np.nansum(detection.expected[span])),
                "peak_observed": scope["peak_observed"], "peak_expected": scope["peak_expected"],
                "score": scope["score"], "severity": scope["severity"],
                "ongoing": any(m["ongoing"] for m in merged), "episodes": len(merged),
                "series": len({m["series"] for m in merged}),
            })
    return pl.DataFrame(rows, schema=ALERT_SCHEMA, orient="row").sort("onset", "category")


def scope_detection(watched: Watched, category: str, surface: str | None, region: str | None,
                    params: SpikeParams | None = None, fine: SpikeParams = FINE_SCOPE) -> Detection | None:
    """The detection of one watched series (for its chart), with its level's settings; None if
    the scope is not watched (no case in it)."""
    params = params or SpikeParams()
    keys = watched.keys.with_row_index("row").filter(
        (pl.col("category") == category)
        & (pl.col("surface").is_null() if surface is None else pl.col("surface") == surface)
        & (pl.col("region").is_null() if region is None else pl.col("region") == region))
    if keys.height == 0 or len(watched.stamps) < 2:
        return None
    row, level = keys["row"][0], keys["level"][0]
    return _run(watched.stamps, watched.interval, watched.values[row], _params_for(level, params, fine))
