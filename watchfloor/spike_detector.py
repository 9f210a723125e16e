"""Spike detection for count series: causal, seasonal, overdispersion-aware, reporting episodes.

`detect(timestamps, counts)` takes any count series, regular or not (the interval is read from
the timestamps; the points are put on a regular grid where a bucket without a row is *unknown*,
never zero), and returns the spike **episodes** in it. Every point is judged only on the points
before it, as a live system must judge the bucket that has just closed.

How a point is judged (docs/metrics.md, "Trend spikes", has the formulas):

1. Expected count. The seasonal periods follow from the interval: a day and a week for data
   finer than a day (5 minutes to hours), a week for daily data, none beyond. The seasonal
   baseline is a trimmed mean of the same point of the week in the previous `weeks` weeks, with
   the points within `neighbour_time` of it (so one earlier spike cannot drag it up); with less
   than two weeks of history the same point of the previous days; with less than a day, the mean
   of the previous points. A level factor (recent counts / recent baselines over `level_time`,
   leaving out the latest `level_lag`, clipped) follows busy and quiet days and trends without
   following a spike that has just begun.
2. Dispersion. Real counts scatter far more than Poisson. Each series' negative-binomial
   dispersion a (variance = mean + a mean^2) comes from its own residuals: per earlier point, the
   a that would put its count exactly on the upper `dispersion_share` quantile
   (Cornish-Fisher); a is the (1 - dispersion_share) quantile of those over the previous
   `dispersion_time`, so the series' own tail, not its bulk, sets it, and points at which an
   episode was open are left out (a past spike does not make a series look noisy). For series
   finer than `volatility_below` a second estimate over the raw counts of the `volatility_time`
   before the last `volatility_lag` keeps a bursty series calmer for days after a burst (bursts
   come in spells there); the larger is used.
3. Surprise. The upper tail P(X >= observed) of that negative binomial, as a standard-normal
   score z. A point is *hot* when the tail is at most `alpha` (the sensitivity) and it is big
   enough to matter: at least `min_excess` cases above and `min_ratio` times the expected count.
   A run of 2 or 3 points (`scan`) whose sum passes the same test, with the dispersion of such
   sums estimated the same way, also opens an episode: a spike of hours is seen before any one
   of its hours alone is unlikely enough. On a thin series (too thin for `scan` points to reach
   `min_excess`), a sustained rise of 5 or 8 points (up to `sustain`), every point above
   expected, is tested on its sum as well, against the level before it began, the longer
   lengths sharing alpha.
4. Episodes. An episode opens at a hot point or the first point of a hot run, stays open while
   points are *elevated* (z >= z_continue and above expected), ends after `end_after` points in
   a row that are not, and is merged with the next one if they are less than `merge_gap` points
   (and `merge_time`) apart.
5. Points at which an episode is open (from its alert until it ends) are replaced by their
   expected count before later baselines are computed (repeated passes until nothing changes),
   so a long spike does not become its own baseline. Only points whose expected count rests on
   the weekly baseline are replaced: one judged on the previous days (the first two weeks) may
   be the weekly cycle itself.

One sensitivity setting (`SpikeParams.at(sensitivity)`: low, normal, high) sets alpha; every
other default was chosen once for every series (benchmarks/spikes.md says on what).
`SpikeParams.fine()` holds the stricter settings for series narrower than a category, watched
many at once (watchfloor.watched_scopes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, cast

import numpy as np
import polars as pl
from scipy import special

DAY = timedelta(days=1)
WEEK = timedelta(days=7)

SEVERITIES = ("critical", "high", "medium", "low")
SENSITIVITIES = ("low", "normal", "high")
# The per-point tail probability that opens an episode, per sensitivity.
SENSITIVITY_ALPHA = {"low": 1e-5, "normal": 1e-4, "high": 1e-3}
MAX_PASSES = 8
# Before a series has `min_residuals` residuals its dispersion is unknown: judged as this
# dispersed (calm), so a young series does not fire on ordinary noise.
UNKNOWN_DISPERSION = 1.0
# Intervals a series' median step is snapped to.
NICE_INTERVALS = tuple(timedelta(seconds=s) for s in (
    1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 14400, 21600, 28800,
    43200, 86400, 7 * 86400))


class SeriesError(ValueError):
    """The series cannot be judged (no interval, negative counts, lengths differ...)."""


@dataclass(frozen=True)
class SpikeParams:
    """Detector settings: one sensitivity (alpha) and defaults chosen once for every series
    (benchmarks/spikes.md)."""

    alpha: float = SENSITIVITY_ALPHA["normal"]  # per-point tail probability that opens an episode
    min_excess: float = 20.0  # a hot point (or run) has at least this many cases above expected
    min_ratio: float = 1.5  # ... and at least this many times the expected count
    z_continue: float = 2.5  # an episode continues while points score at least this
    end_after: int = 3  # an episode ends after this many points in a row below z_continue
    merge_gap: int = 6  # episodes fewer than this many points apart are one episode ...
    merge_time: timedelta = timedelta(hours=12)  # ... or closer than this
    weeks: int = 4  # weeks of history for the seasonal baseline
    neighbour_time: timedelta = timedelta(hours=1)  # points this close to the same point of the week (sub-daily)
    trim: float = 0.25  # share of the baseline values dropped at each end before averaging
    shrink_cases: float = 5.0  # a seasonal mean resting on this many cases is half shrunk to the long-run mean
    level_time: timedelta = timedelta(hours=24)  # span of the level factor (at least `level_points`)
    level_points: int = 7
    level_lag: timedelta = timedelta(hours=3)  # the level factor leaves out the latest points (a fresh spike)
    level_clip: float = 3.0  # the level factor stays within [1/level_clip, level_clip]
    dispersion_time: timedelta = timedelta(days=28)  # span of the dispersion estimate ...
    dispersion_share: float = 0.01  # ... and the tail share it matches
    volatility_time: timedelta = timedelta(days=7)  # span of the recent (raw) dispersion estimate ...
    volatility_share: float = 0.01  # ... and its tail share
    volatility_lag: timedelta = timedelta(hours=12)  # ... ending this long before the point
    volatility_below: timedelta = timedelta(hours=1)  # ... for series finer than this only
    scan: int = 3  # points a run of which is also tested as one (1: single points only, 2: pairs too)
    # Longer runs, up to `sustain` points (run_lengths), are tested on their sum too, on thin
    # series: a sustained rise there reaches min_excess only over several points, none of which
    # stands out alone (_runs says which runs count).
    sustain: int = 8
    min_residuals: int = 24  # residuals before a dispersion estimate counts
    min_history: int = 24  # points before the first judged point

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 0.5:
            raise ValueError("alpha must be between 0 and 0.5")
        if self.end_after < 1 or self.merge_gap < 0 or self.weeks < 1 or self.min_history < 1 or self.scan < 1:
            raise ValueError("end_after, weeks, min_history and scan must be at least 1, merge_gap at least 0")
        if self.sustain < self.scan:
            raise ValueError("sustain must be at least scan")
        if not (0 < self.dispersion_share < 0.5 and 0 < self.volatility_share < 0.5):
            raise ValueError("the dispersion shares must be between 0 and 0.5")

    @classmethod
    def at(cls, sensitivity: str = "normal") -> SpikeParams:
        """The settings of a sensitivity (low, normal, high)."""
        if sensitivity not in SENSITIVITY_ALPHA:
            raise ValueError(f"sensitivity must be one of {', '.join(SENSITIVITIES)}, not {sensitivity!r}")
        return cls(alpha=SENSITIVITY_ALPHA[sensitivity])

    def fine(self) -> SpikeParams:
        """For series narrower than a category (category x surface x region, say), of which a
        category has some twenty watched at once: each fires less often (alpha / FINE_ALPHA_DIVISOR),
        and a few extra cases in a thin series say little (FINE_MIN_EXCESS, FINE_MIN_RATIO)."""
        return replace(self, alpha=self.alpha / FINE_ALPHA_DIVISOR, min_excess=max(self.min_excess, FINE_MIN_EXCESS),
                       min_ratio=max(self.min_ratio, FINE_MIN_RATIO))

    @property
    def z_single(self) -> float:
        return float(-special.ndtri(self.alpha))


FINE_ALPHA_DIVISOR = 5.0
FINE_MIN_EXCESS = 20.0
FINE_MIN_RATIO = 2.5
FINE_SCOPE = SpikeParams().fine()


@dataclass(frozen=True)
class Episode:
    onset: datetime  # first point of the episode
    detected_at: datetime  # the point whose close raised the alert (onset, or the point after)
    peak: datetime  # point with the highest score
    end: datetime  # last elevated point
    points: int  # points from onset to end
    observed: float  # cases in the episode (unknown points count none)
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
    observed: np.ndarray  # NaN where unknown
    expected: np.ndarray  # NaN where not judged (warm-up)
    upper: np.ndarray  # about the highest count still within the band (z below z_continue)
    score: np.ndarray  # z, NaN where not judged
    dispersion: np.ndarray  # the negative-binomial dispersion a each point was judged with
    in_episode: np.ndarray  # bool
    episodes: list[Episode] = field(default_factory=list)

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame({
            "bucket": self.timestamps,
            "observed": pl.Series(self.observed, nan_to_null=True),
            "expected": pl.Series(self.expected, nan_to_null=True),
            "upper": pl.Series(self.upper, nan_to_null=True),
            "score": pl.Series(self.score, nan_to_null=True),
            "in_episode": self.in_episode,
        }, schema_overrides={"bucket": pl.Datetime("us"), "observed": pl.Float64, "expected": pl.Float64,
                             "upper": pl.Float64, "score": pl.Float64})


# --------------------------------------------------------------------------- the series


def infer_interval(timestamps: Sequence[datetime]) -> timedelta:
    """The series' interval: the lower quartile of its steps between distinct times (missing
    rows lengthen some steps; they do not move it), snapped to the nearest usual interval
    (seconds to a week). Raises SeriesError with fewer than two distinct times."""
    times = np.unique(np.asarray(timestamps, dtype="datetime64[us]"))
    if len(times) < 2:
        raise SeriesError("a series needs at least two distinct timestamps to show its interval")
    step = float(np.percentile(np.diff(times).astype(np.int64), 25)) / 1e6
    return min(NICE_INTERVALS, key=lambda nice: abs(math.log(nice.total_seconds() / step)))


def to_grid(timestamps: Sequence[datetime], counts: Sequence[float] | np.ndarray,
            interval: timedelta | None = None) -> tuple[list[datetime], np.ndarray, timedelta]:
    """The series on a regular grid every `interval` (inferred when None), in step with the
    timestamps: the grid's phase within the interval is the offset most of them share, else their
    circular mean offset (to 1/60 of the interval), so rows a little off the grid, as a
    collector's clock drifts, land one per point.
    Each row goes to the nearest grid point; the counts of rows on one point are added up; a
    point without a row, or whose rows are all unknown (NaN), is unknown (NaN), never zero. The
    grid runs from the first point with a row to the last."""
    if len(timestamps) != len(counts):
        raise SeriesError("timestamps and counts differ in length")
    values = np.asarray(counts, dtype=float)
    if (values[~np.isnan(values)] < 0).any():
        raise SeriesError("counts cannot be negative")
    interval = interval or infer_interval(timestamps)
    width = interval // timedelta(microseconds=1)
    micros = np.asarray(timestamps, dtype="datetime64[us]").astype(np.int64)
    offsets, shared = np.unique(micros % width, return_counts=True)
    if shared.max() * 2 >= len(micros):
        phase = int(offsets[np.argmax(shared)])
    else:
        angle = 2.0 * np.pi * (micros % width) / width
        turn = (math.atan2(np.sin(angle).mean(), np.cos(angle).mean()) / (2.0 * np.pi)) % 1.0
        phase = int(round(turn * 60) % 60) * (width // 60)
    index = (micros - phase + width // 2) // width  # the nearest grid point (phase + k x width)
    first = int(index.min())
    index = index - first
    n = int(index.max()) + 1
    total = np.zeros(n)
    known = np.zeros(n, dtype=bool)
    ok = ~np.isnan(values)
    np.add.at(total, index[ok], values[ok])
    known[index[ok]] = True
    origin = np.datetime64(first * width + phase, "us")
    grid = (origin + np.arange(n) * np.timedelta64(width, "us")).astype("datetime64[us]").tolist()
    return grid, np.where(known, total, np.nan), interval


def _period(interval: timedelta, length: timedelta) -> int | None:
    """Points per `length` if the interval divides it, else None (no such cycle)."""
    if interval > length or length % interval:
        return None
    return length // interval


def _points(span: timedelta, interval: timedelta, minimum: int = 1) -> int:
    return max(minimum, int(round(span / interval)))


# --------------------------------------------------------------------------- statistics


def nb_tail(observed: np.ndarray, expected: np.ndarray, dispersion: np.ndarray,
            where: np.ndarray | None = None) -> np.ndarray:
    """P(X >= observed) for X negative binomial with mean `expected` and variance
    expected + dispersion * expected^2 (Poisson where the dispersion is 0).

    With size r = 1 / dispersion and p = expected / (expected + r), P(X >= k) = I_p(k, r), the
    regularised incomplete beta function; the Poisson tail is the regularised lower incomplete
    gamma P(k, expected). k <= 0 (always at least 0): 1. Only the elements of `where` (all by
    default) are worked out; the others are 1."""
    k, mu, a = np.broadcast_arrays(np.asarray(observed, dtype=float), np.asarray(expected, dtype=float),
                                   np.asarray(dispersion, dtype=float))
    out = np.ones(k.shape)
    todo = (k > 0) if where is None else (where & (k > 0))
    if not todo.any():
        return out
    kk = k[todo]
    mm = np.maximum(mu[todo], 1e-9)
    aa = np.maximum(np.nan_to_num(a[todo]), 0.0)
    poisson = aa * mm < 1e-9
    tail = np.empty(kk.shape)
    with np.errstate(all="ignore"):
        tail[poisson] = special.gammainc(kk[poisson], mm[poisson])
        nb = ~poisson
        size = 1.0 / aa[nb]
        tail[nb] = special.betainc(kk[nb], size, mm[nb] / (mm[nb] + size))
    out[todo] = tail
    return out


def tail_z(p: np.ndarray) -> np.ndarray:
    """The standard-normal score with upper tail p."""
    return -special.ndtri(np.clip(p, 1e-300, 1.0))


def z_to_p(z: float) -> float:
    """Upper-tail probability of a standard-normal score."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def _zero_nan(values: np.ndarray) -> np.ndarray:
    """NaN as 0 (counts and expected counts are never infinite: plain where, cheaper than nan_to_num)."""
    return np.where(np.isnan(values), 0.0, values)


def _sorting_network(size: int) -> list[tuple[int, int]]:
    """Batcher's odd-even merge sort for `size` values: compare-exchange pairs (i < j) that leave
    any values sorted (those of the next power of two that touch a missing value are dropped:
    a missing value is as if it were +inf, which no exchange ever moves)."""
    m = 1
    while m < size:
        m *= 2
    pairs = []
    p = 1
    while p < m:
        k = p
        while k >= 1:
            for j in range(k % p, m - k, 2 * k):
                for i in range(min(k, m - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p) and i + j + k < size:
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return pairs


def _lagged_trimmed_mean(values: np.ndarray, lags: list[int], trim: float,
                         at: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per point t (along the last axis), the mean of values[t - lag] over `lags` after dropping
    the lowest and highest `trim` share of them (floor(known x trim) at each end), NaN (unknown)
    values left out, NaN where none is left; and how many values were known (at least 1).
    The values are sorted by a sorting network, one whole array per lag (elementwise min and
    max over every point at once), rather than by one small sort per point. at: (rows, points) of
    a series x points matrix: those points alone (the same numbers, each point's on its own)."""
    inf = np.where(np.isnan(values), np.inf, values)  # counts are never infinite
    n_points = values.shape[-1]
    columns = []
    for lag in lags:
        if at is not None:
            rows, points = at
            column = np.where(points >= lag, inf[rows, np.maximum(points - lag, 0)], np.inf)
        else:
            column = np.full(values.shape, np.inf)
            if 0 < lag < n_points:
                column[..., lag:] = inf[..., :-lag]
        columns.append(column)
    shape = columns[0].shape if columns else values.shape
    spare = np.empty(shape)
    for i, j in _sorting_network(len(columns)):
        low, high = columns[i], columns[j]
        np.minimum(low, high, out=spare)
        np.maximum(low, high, out=high)
        columns[i], spare = spare, low
    known = np.zeros(shape, dtype=np.int64)
    for column in columns:
        known += column != np.inf
    cut = np.floor(known * trim).astype(int)
    upto = known - cut
    kept = [np.where((j >= cut) & (j < upto), column, 0.0) for j, column in enumerate(columns)]
    count = np.maximum(upto - cut, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, _pairwise_sum(kept) / np.maximum(count, 1), np.nan), np.maximum(known, 1)


def _pairwise_sum(terms: list[np.ndarray]) -> np.ndarray:
    """The elementwise sum of the arrays in numpy's own order for a sum over a short axis (eight
    running sums, then the rest one by one), so that it gives the very numbers np.sum(axis=-1)
    gives over the same values stacked (test_the_lagged_trimmed_mean_is_the_sorted_one)."""
    if len(terms) < 8:
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total
    running = list(terms[:8])
    i = 8
    while i < len(terms) - len(terms) % 8:
        running = [r + t for r, t in zip(running, terms[i:i + 8])]
        i += 8
    total = ((running[0] + running[1]) + (running[2] + running[3])) + ((running[4] + running[5]) + (running[6] + running[7]))
    for term in terms[i:]:
        total = total + term
    return total


def _sum_before(values: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum of the known (non-NaN) values among the `window` points before each point, and how
    many there are; along the last axis."""
    v = _zero_nan(values)
    k = (~np.isnan(values)).astype(float)
    pad = np.zeros((*values.shape[:-1], 1))
    cv = np.concatenate([pad, np.cumsum(v, axis=-1)], axis=-1)
    ck = np.concatenate([pad, np.cumsum(k, axis=-1)], axis=-1)
    n = values.shape[-1]
    # cumulative[t] - cumulative[max(t - window, 0)], by slices (cumulative[0] is 0).
    window = max(window, 0)
    total, count = cv[..., :n].copy(), ck[..., :n].copy()
    if window < n:
        total[..., window:] -= cv[..., :n - window]
        count[..., window:] -= ck[..., :n - window]
    return total, count


def _shift(values: np.ndarray, lag: int) -> np.ndarray:
    """values[..., t - lag] at t along the last axis (0 before the series starts)."""
    if lag <= 0:
        return values
    out = np.zeros(values.shape)
    out[..., lag:] = values[..., :-lag]
    return out


def baseline(clean: np.ndarray, interval: timedelta, params: SpikeParams) -> np.ndarray:
    """Expected count per point from the (cleaned) points before it; NaN with too little history."""
    return _baseline(clean, interval, params)[0]


def _daily(clean: np.ndarray, interval: timedelta, params: SpikeParams) -> tuple[np.ndarray, np.ndarray] | None:
    """The stand-in seasonal baseline of _baseline (a trimmed mean of the same point of the
    previous days, and how many values it rests on), or None without a daily cycle. It is needed
    only until the weekly baseline takes over (two weeks in, where it always has values): worked
    out for those points alone, which gives the same numbers in less time."""
    n = clean.shape[-1]
    week = _period(interval, WEEK)
    day = _period(interval, DAY)
    if day is None or day <= 1:
        return None
    reach = _points(params.neighbour_time, interval, 0) if interval < DAY else 0
    daily_lags = [k * day + j for k in range(1, 8) for j in range(-reach, reach + 1) if k * day + j > 0]
    upto = min(n, 2 * week) if week is not None else n
    mean, count = _lagged_trimmed_mean(clean[..., :upto], daily_lags, params.trim)
    if upto < n:
        rest = (*clean.shape[:-1], n - upto)
        mean = np.concatenate([mean, np.full(rest, np.nan)], axis=-1)
        count = np.concatenate([count, np.ones(rest, dtype=count.dtype)], axis=-1)
    return mean, count


def _daily_settled(interval: timedelta) -> bool:
    """Whether _daily stays the same from pass to pass: it reads only the first two weeks, where
    no point is ever replaced (only points judged on the weekly baseline are), when the interval
    has a weekly cycle."""
    return _period(interval, WEEK) is not None


def _weekly(clean: np.ndarray, lags: list[int], trim: float, memo: dict | None) -> tuple[np.ndarray, np.ndarray]:
    """_lagged_trimmed_mean(clean, lags, trim), from `memo` where it holds the same rows worked out
    before ('clean', 'mean', 'count'): a later pass replaces a few points, and only the points
    that read one of them are worked out again (each point's mean is its own, so the numbers are
    the same). The memo is updated to these rows."""
    if memo is None or clean.ndim != 2:
        return _lagged_trimmed_mean(clean, lags, trim)
    if memo.get("clean") is None:
        mean, count = _lagged_trimmed_mean(clean, lags, trim)
    else:
        before = memo["clean"]
        changed = ~((clean == before) | (np.isnan(clean) & np.isnan(before)))
        reads = np.zeros(clean.shape, dtype=bool)
        n = clean.shape[-1]
        for lag in lags:
            if 0 < lag < n:
                reads[:, lag:] |= changed[:, :-lag]
        mean, count = memo["mean"].copy(), memo["count"].copy()
        rows, points = np.nonzero(reads)
        if rows.size:
            mean[rows, points], count[rows, points] = _lagged_trimmed_mean(clean, lags, trim, at=(rows, points))
    memo.update(clean=clean, mean=mean, count=count)
    return mean, count


def _baseline(clean: np.ndarray, interval: timedelta, params: SpikeParams,
              kept: np.ndarray | None = None,
              daily: tuple[np.ndarray, np.ndarray] | None = None,
              weekly: dict | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(expected, values, full_cycle, level): the expected count, how many earlier points it is
    an average of, whether it rests on the series' longest cycle (the week for sub-daily and
    daily series; the previous points when the interval has no cycle), and the level factor it
    was multiplied by (1 where none was). Along the last axis:
    `clean` is one series or one series per row; NaN (unknown) points are left out. daily: _daily's
    candidate for these rows when already worked out (it reads only the first two weeks). weekly
    (series x points only): the weekly trimmed means of these rows as worked out before ('clean',
    'mean', 'count', when there), of which only the points whose lagged values changed are worked
    out again; updated to these."""
    n = clean.shape[-1]
    week = _period(interval, WEEK)
    day = _period(interval, DAY)
    sub_daily = interval < DAY
    reach = _points(params.neighbour_time, interval, 0) if sub_daily else 0
    spread = range(-reach, reach + 1)
    idx = np.arange(n)
    level_window = _points(params.level_time, interval, params.level_points)
    expected = np.full(clean.shape, np.nan)
    if n == 0:
        return expected, np.ones(clean.shape), np.zeros(clean.shape, dtype=bool), np.ones(clean.shape)

    total, known = _sum_before(clean, level_window)
    expected[:] = np.where(known > 0, total / np.maximum(known, 1), np.nan)  # fallback: mean of the previous points
    values = np.maximum(known, 1.0)
    candidates = []  # (seasonal baseline, values, first point it applies to), from the weakest to the best
    if day is not None and day > 1:
        same_hour = daily if daily is not None else _daily(clean, interval, params)
        assert same_hour is not None  # _daily has one wherever a day holds more than one point
        candidates.append((*same_hour, day))
    if week is not None:
        weekly_lags = [k * week + j for k in range(1, params.weeks + 1) for j in spread if k * week + j > 0]
        candidates.append((*_weekly(clean, weekly_lags, params.trim, weekly), 2 * week))
    # The long-run mean per point (over the dispersion window): sparse series shrink to it. It
    # leaves out the `kept` series' unknown points (an episode was open there), if given.
    long_total, long_known = _sum_before(clean if kept is None else kept,
                                         _points(params.dispersion_time, interval, 2 * params.level_points))
    long_mean = np.where(long_known > 0, long_total / np.maximum(long_known, 1), np.nan)
    full_cycle = np.broadcast_to(idx > 0, clean.shape)
    levels = np.ones(clean.shape)
    for seasonal, count, first in candidates:
        has = (idx >= first) & ~np.isnan(seasonal)
        # Shrink the seasonal mean towards the long-run mean by how many cases it rests on: with a
        # handful of cases behind it, the same hour of earlier weeks says little (12 zeros do not
        # make an hour impossible). Weight: cases / (cases + shrink_cases).
        cases = np.nan_to_num(seasonal) * count
        weight = cases / (cases + params.shrink_cases) if params.shrink_cases > 0 else np.ones_like(cases)
        seasonal = np.where(np.isnan(long_mean), seasonal, long_mean + weight * (seasonal - long_mean))
        # Level factor: how the recent points compare with this same baseline (compared over
        # the known points where it exists), so that it follows busy days and trends but not
        # the cycle itself.
        mask = has & ~np.isnan(clean)
        lag = _points(params.level_lag, interval, 0)
        recent = _shift(_sum_before(np.where(mask, clean, np.nan), level_window)[0], lag)
        recent_base = _shift(_sum_before(np.where(mask, seasonal, np.nan), level_window)[0], lag)
        # +1 on both sides keeps the factor near 1 where the counts are tiny.
        level = np.clip((recent + 1.0) / (recent_base + 1.0), 1 / params.level_clip, params.level_clip)
        expected = np.where(has, seasonal * level, expected)
        levels = np.where(has, level, levels)
        values = np.where(has, count, values)
        full_cycle = has  # the last candidate is the longest cycle
    expected[..., idx < params.min_history] = np.nan
    return expected, values, full_cycle & ~np.isnan(expected), levels


def dispersion(observed: np.ndarray, clean: np.ndarray, expected: np.ndarray, interval: timedelta,
               params: SpikeParams, need: np.ndarray | None = None) -> np.ndarray:
    """The negative-binomial dispersion a per point (>= 0), from the points before it; one series,
    or one per row. The larger of two estimates: the cleaned points of the last dispersion_time
    (tail share dispersion_share) and the raw points of the volatility_time before the last
    volatility_lag (share volatility_share). UNKNOWN_DISPERSION until min_residuals residuals
    are there. need (series x points, optional): the points whose dispersion is wanted; the
    others may be anything."""
    long = _tail_dispersion(clean, expected, _points(params.dispersion_time, interval, 4 * params.min_residuals),
                            params.dispersion_share, params.min_residuals, need=need)
    if interval >= params.volatility_below:
        return np.where(np.isnan(long), UNKNOWN_DISPERSION, long)
    short = _tail_dispersion(observed, expected, _points(params.volatility_time, interval, 2 * params.min_residuals),
                             params.volatility_share, params.min_residuals // 2,
                             lag=_points(params.volatility_lag, interval, 0), need=need)
    return np.where(np.isnan(long), UNKNOWN_DISPERSION, np.fmax(long, short))


def needed_dispersion(counts: np.ndarray, expected: np.ndarray, share: float) -> np.ndarray:
    """Per point, the dispersion a at which the count would sit exactly on the upper `share`
    quantile of a negative binomial with its expected mean; -1 where it sits below even the
    Poisson quantile (it needs none). The quantile is Cornish-Fisher's (mean + sd * (z + (z^2 - 1)
    / 6 * skewness), skewness (1 + 2 a m) / sd, sd^2 = m + a m^2) with a continuity correction of
    1/2, which makes x - 1/2 = quantile a quadratic in a; the smaller root is taken."""
    z = float(-special.ndtri(share))
    c = (z * z - 1.0) / 6.0
    counts, expected = np.broadcast_arrays(np.asarray(counts, dtype=float), np.asarray(expected, dtype=float))
    mu = np.maximum(expected, 1e-6)
    y = counts - 0.5 - mu - c
    needed = np.full(mu.shape, -1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        # The root only where the count is above the Poisson quantile (a few points in a
        # hundred): the cube is the costliest step of the detector when taken everywhere.
        root = ~(y <= z * np.sqrt(mu))
        m, yy = mu[root], y[root]
        disc = m ** 3 * z * z * (8.0 * c * yy + z * z * m + 16.0 * c * c)
        needed[root] = ((4.0 * c * m * yy + z * z * m * m) - np.sqrt(np.maximum(disc, 0.0))) / (8.0 * c * c * m * m)
    return np.where(np.isnan(counts) | np.isnan(expected), np.nan, needed)


# A dispersion estimate is renewed this many times per window (daily for four weeks of hourly
# points): it moves slowly, and renewing it at every point would cost a quantile per point.
DISPERSION_UPDATES = 28


def _tail_dispersion(counts: np.ndarray, expected: np.ndarray, window: int, share: float,
                     min_residuals: int, lag: int = 0, need: np.ndarray | None = None) -> np.ndarray:
    """The dispersion a at which the upper `share` tail of the `window` residuals before a point
    sits on its quantile: the (1 - share) quantile (linear interpolation) of needed_dispersion
    over those points, NaN (unknown) counts left out. Renewed every window / DISPERSION_UPDATES
    points from the points before the renewal (and before the `lag` latest ones); NaN while
    fewer than min_residuals residuals are there. Along the last axis. need (series x points,
    optional): only the renewals that hold one of these points are worked out (the same numbers),
    the others are NaN."""
    needed = needed_dispersion(counts, expected, share)
    n = needed.shape[-1]
    step = max(1, window // DISPERSION_UPDATES)
    starts = np.arange(0, n, step)
    end = starts - lag  # exclusive
    first = np.maximum(end - window, 0)
    # The quantile lies among the largest `top` values: only those are sorted (largest first).
    top = min(window, int(math.ceil(window * share)) + 2)
    negated = np.where(np.isnan(needed), np.inf, -needed)
    if window % step == 0 and lag % step == 0 and n > 0:
        # Every window is a run of whole blocks of `step` points, and its `top` largest values
        # are the `top` largest of its blocks' own `top` largest: taken once per block, then
        # per window among those alone.
        blocks = -(-n // step)
        padded = np.full((*negated.shape[:-1], blocks * step), np.inf)
        padded[..., :n] = negated
        padded = padded.reshape(*negated.shape[:-1], blocks, step)
        keep = min(top, step)
        if keep < step:
            padded = np.partition(padded, keep - 1, axis=-1)[..., :keep]
        per_window = window // step
        b0, b1 = first // step, np.maximum(end, 0) // step  # blocks [b0, b1) of each window
        bidx = b0[:, None] + np.arange(per_window)[None, :]  # renewals x blocks
        inside = bidx < b1[:, None]
        if need is not None and needed.ndim == 2:
            # Only the (series, renewal) pairs that hold a needed point: pairs x blocks x keep.
            wanted = np.zeros((needed.shape[0], starts.size), dtype=bool)
            rows_at, points_at = np.nonzero(need)
            wanted[rows_at, points_at // step] = True
            pairs = np.nonzero(wanted)
            gathered = padded[pairs[0][:, None], np.clip(bidx, 0, blocks - 1)[pairs[1]], :]
            gathered = np.where(inside[pairs[1]][..., None], gathered, np.inf).reshape(pairs[0].size, per_window * keep)
        else:
            pairs = None
            gathered = padded[..., np.clip(bidx, 0, blocks - 1), :]  # ... x renewals x blocks x keep
            gathered = np.where(inside[..., None], gathered, np.inf).reshape(*gathered.shape[:-2], per_window * keep)
        known = np.concatenate([np.zeros((*needed.shape[:-1], 1)),
                                np.cumsum(~np.isnan(needed), axis=-1)], axis=-1)
        count = (known[..., np.clip(np.maximum(end, 0), 0, n)] - known[..., first]).astype(int)
        negated = gathered
        if pairs is not None:
            count = count[pairs]
        if top < negated.shape[-1]:
            negated = np.partition(negated, top - 1, axis=-1)[..., :top]
    else:
        pairs = None
        idx = first[:, None] + np.arange(window)[None, :]  # renewals x window
        inside = idx < end[:, None]
        negated = np.where(inside, negated[..., np.clip(idx, 0, max(n - 1, 0))], np.inf)
        count = np.sum(negated != np.inf, axis=-1)
        if top < window:
            negated = np.partition(negated, top - 1, axis=-1)[..., :top]
    largest = -np.sort(negated, axis=-1)  # descending; -inf where there was no value
    if largest.shape[-1] < top:  # fewer values than top in every window
        largest = np.concatenate([largest, np.full((*largest.shape[:-1], top - largest.shape[-1]), -np.inf)], axis=-1)
    from_top = np.maximum(count - 1, 0) * share  # position counted from the largest
    first = np.minimum(np.floor(from_top).astype(int), top - 1)
    second = np.minimum(first + 1, np.minimum(np.maximum(count - 1, 0), top - 1))
    high = np.take_along_axis(largest, first[..., None], axis=-1)[..., 0]
    low = np.take_along_axis(largest, second[..., None], axis=-1)[..., 0]
    with np.errstate(invalid="ignore"):
        quantile = high - (from_top - first) * (high - low)
    quantile = np.where(count >= min_residuals, np.maximum(quantile, 0.0), np.nan)
    if pairs is not None:
        every = np.full((needed.shape[0], starts.size), np.nan)
        every[pairs] = quantile
        quantile = every
    return np.repeat(quantile, step, axis=-1)[..., :n]


def band_upper(expected: np.ndarray, dispersion: np.ndarray, z: float) -> np.ndarray:
    """About the count that scores z: expected + z * sqrt(expected + a * expected^2) (normal approximation)."""
    e = np.maximum(expected, 0.0)
    return expected + z * np.sqrt(e + dispersion * e * e)


# --------------------------------------------------------------------------- detection


def window_sums(values: np.ndarray, k: int) -> np.ndarray:
    """The sums of every k consecutive points along the last axis (n - k + 1 of them), added in
    order: what sliding_window_view(values, k).sum(-1) gives, without a reduction per window."""
    n = values.shape[-1] - k + 1
    total = values[..., :n]
    for i in range(1, k):
        total = total + values[..., i:i + n]
    return total


def _window_all(mask: np.ndarray, k: int) -> np.ndarray:
    """Whether all of every k consecutive points are true, along the last axis (n - k + 1 of them)."""
    n = mask.shape[-1] - k + 1
    every = mask[..., :n]
    for i in range(1, k):
        every = every & mask[..., i:i + n]
    return every


def _run_sums(values: np.ndarray, k: int) -> np.ndarray:
    """The sum of the k points ending at each point, along the last axis (NaN if one is unknown
    or the series has not yet had k points)."""
    out = np.full(values.shape, np.nan)
    if values.shape[-1] >= k:
        out[..., k - 1:] = window_sums(values, k)
    return out


def _scores(observed: np.ndarray, clean: np.ndarray, held: np.ndarray, interval: timedelta, params: SpikeParams,
            baseline: tuple[np.ndarray, ...] | None = None, ceiling: float | None = None,
            daily: tuple[np.ndarray, np.ndarray] | None = None, previous: tuple | None = None,
            weekly: dict | None = None):
    """Per point: expected count, dispersion, score, whether the baseline is the full cycle, and
    for runs of k points ending there (run_lengths) the dispersion of their sums (estimated the
    same way from the sums' own residuals: noise partly averages out over a run). `clean` feeds
    the baseline; the dispersion leaves out the `held` points (an episode was open). `baseline`:
    (expected, full_cycle, level) when already worked out for these rows. ceiling (the lowest score that
    makes a point hot or elevated), when given: points whose tail is surely above its upper tail
    are not scored exactly (approx; their score is then the normal approximation, kept below
    the ceiling). daily: _daily's candidate for these rows, when already worked out. previous:
    (expected, dispersion, score, approx, ceiling, kept) of the same rows in the pass before: the
    dispersion is worked out again only after the first point whose kept count or expected count
    changed (each renewal reads the points before it), and a point whose expected count and
    dispersion have not changed keeps its score (the tails are the costly part, and a later pass
    changes the points after a held episode only). weekly: the
    weekly trimmed means' memo of these rows (_weekly)."""
    kept = np.where(held, np.nan, observed)
    if baseline is None:
        expected, _values, full_cycle, level = _baseline(clean, interval, params, kept, daily, weekly)
    else:
        expected, full_cycle, level = baseline
    if previous is None:
        a = dispersion(observed, kept, expected, interval, params)
    else:
        with np.errstate(invalid="ignore"):
            unchanged = (((kept == previous[5]) | (np.isnan(kept) & np.isnan(previous[5])))
                         & ((expected == previous[0]) | (np.isnan(expected) & np.isnan(previous[0]))))
        n = unchanged.shape[-1]
        first_change = np.where(unchanged.all(axis=-1), n, np.argmin(unchanged, axis=-1))
        need = np.arange(n) > first_change[:, None]
        a = previous[1]
        if need.any():
            a = np.where(need, dispersion(observed, kept, expected, interval, params, need), a)
    # The exact tail where the count is above expected; at or below it the normal
    # approximation (a score of at most 0, never surprising) saves the special functions.
    x, e = _zero_nan(observed), _zero_nan(expected)
    above = x > e
    same = np.zeros(x.shape, dtype=bool)
    if previous is not None and previous[4] == ceiling:
        with np.errstate(invalid="ignore"):
            same = (expected == previous[0]) & (a == previous[1])
    approx = np.zeros(x.shape, dtype=bool)
    if ceiling is not None:
        judged = above & ~np.isnan(expected) & ~np.isnan(observed)
        approx = _surely_above(x, e, a, z_to_p(ceiling), where=judged & ~same)
        approx = np.where(same, previous[3], approx) if previous is not None else approx
        above = above & ~approx
    z = tail_z(nb_tail(x, e, a, where=above & ~same))
    with np.errstate(invalid="ignore", divide="ignore"):
        normal = (x - e) / np.sqrt(np.maximum(e + a * e * e, 1e-9))
        z = np.where(above, z, normal)
    if approx.any():
        assert ceiling is not None  # approximated only below a ceiling
        # Below every threshold, as their exact score is: the normal approximation, kept below.
        z = np.where(approx, np.minimum(normal, np.nextafter(ceiling, -np.inf)), z)
    z = np.where(np.isnan(expected) | np.isnan(observed), np.nan, z)
    if previous is not None:
        z = np.where(same, previous[2], z)

    def run_a(k: int, rows: np.ndarray, need: np.ndarray | None = None) -> np.ndarray:
        """The dispersion of sums of k points, for the given rows (worked out on demand: only
        series with a run big enough to matter need it; and with `need`, only at those points)."""
        if k <= params.scan:
            return dispersion(_run_sums(observed[rows], k), _run_sums(kept[rows], k), _run_sums(expected[rows], k),
                              interval, params, need)
        # A longer run: the residuals of such sums only where the expected counts rest on the
        # full cycle, as the run's own do (the stand-in baseline of the first weeks errs in
        # other ways); and overlapping sums of k points hold few independent ones, so their tail
        # counts as known only over half the dispersion window at least (and min_residuals
        # sums without overlap).
        settings = replace(params, min_residuals=max(params.min_residuals * k,
                                                     _points(params.dispersion_time, interval) // 2))
        return dispersion(_run_sums(observed[rows], k), _run_sums(np.where(full_cycle[rows], kept[rows], np.nan), k),
                          _run_expected(expected[rows], level[rows], k, params), interval, settings, need)

    return expected, a, z, full_cycle, run_a, approx, level


def _surely_above(observed: np.ndarray, expected: np.ndarray, dispersion: np.ndarray, p: float,
                  where: np.ndarray) -> np.ndarray:
    """Where (among `where`: whole counts above their expected count) the tail P(X >= x) is
    certainly above p, without the incomplete beta function: above x the probabilities fall
    (the negative binomial's fall from x on once x > e - 1 - a e), so the tail is at least
    m P(X = x + m - 1) for any m >= 1; with m the standard deviation (at least 1) and a margin of
    4 for rounding, a bound above p settles it. Only such points are left unscored in the
    episodes-only runs (their exact score is below every threshold)."""
    out = np.zeros(observed.shape, dtype=bool)
    todo = where & (observed == np.floor(observed))
    if not todo.any():
        return out
    x = observed[todo]
    mu = np.maximum(expected[todo], 1e-9)
    aa = np.maximum(np.nan_to_num(dispersion[todo]), 0.0)
    m = np.maximum(np.floor(np.sqrt(mu + aa * mu * mu)), 1.0)
    j = x + m - 1.0
    with np.errstate(all="ignore"):
        poisson = aa * mu < 1e-9
        size = 1.0 / np.where(poisson, 1.0, aa)
        log_nb = (special.gammaln(j + size) - special.gammaln(size) - special.gammaln(j + 1.0)
                  + size * np.log1p(-mu / (size + mu)) + j * np.log(mu / (size + mu)))
        log_poisson = j * np.log(mu) - mu - special.gammaln(j + 1.0)
        log_pmf = np.where(poisson, log_poisson, log_nb)
        out[todo] = np.log(m) + log_pmf > math.log(4.0 * p)
    return out


@dataclass(frozen=True)
class _Thresholds:
    """What makes a point or run hot, per series (arrays of rows x 1): the settings in which the
    category series and the narrower ones differ, so that both are judged in one batch."""

    alpha: np.ndarray
    z_single: np.ndarray
    min_excess: np.ndarray
    min_ratio: np.ndarray

    @classmethod
    def of(cls, row_params: Sequence[SpikeParams]) -> _Thresholds:
        z_single = {p: p.z_single for p in set(row_params)}  # one normal quantile per setting

        def column(values) -> np.ndarray:
            return np.asarray(values, dtype=float).reshape(-1, 1)
        return cls(column([p.alpha for p in row_params]), column([z_single[p] for p in row_params]),
                   column([p.min_excess for p in row_params]), column([p.min_ratio for p in row_params]))

    def __getitem__(self, rows) -> _Thresholds:
        return _Thresholds(self.alpha[rows], self.z_single[rows], self.min_excess[rows], self.min_ratio[rows])


# The settings _Thresholds carries per series; every other setting is shared by a batch.
ROW_SETTINGS = ("alpha", "min_excess", "min_ratio")


def run_lengths(params: SpikeParams) -> list[int]:
    """The run lengths tested as one, shortest first: 2 .. scan, then longer ones up to sustain,
    each about half as long again as the one before (5 and 8 for scan 3 and sustain 8), so that
    a rise of any length up to sustain holds a tested run at least two thirds as long."""
    lengths = list(range(2, params.scan + 1))
    k = params.scan
    while k < params.sustain:
        k = min(params.sustain, max(k + 1, (3 * k + 1) // 2))
        lengths.append(k)
    return lengths


def _long_sums(expected: np.ndarray, level: np.ndarray, k: int) -> np.ndarray:
    """The expected sums of every k consecutive points (as window_sums) for a run longer than
    scan: its points' seasonal baselines at the level factor of its first point, or 1 if that is
    lower. By a run's later points the level factor has begun to follow the run itself (it
    leaves out only the latest level_lag), so the run is judged against the series as it was
    before it began; and a quiet spell before it (a level below 1) does not lower the bar, or
    ordinary hours after a quiet night would read as a rise."""
    return window_sums(expected / level, k) * np.maximum(level[..., :expected.shape[-1] - k + 1], 1.0)


def _run_expected(expected: np.ndarray, level: np.ndarray, k: int, params: SpikeParams) -> np.ndarray:
    """The expected sum of the k points ending at each point (NaN as _run_sums); for a run longer
    than scan, _long_sums'."""
    if k <= params.scan:
        return _run_sums(expected, k)
    out = np.full(expected.shape, np.nan)
    if expected.shape[-1] >= k:
        out[..., k - 1:] = _long_sums(expected, level, k)
    return out


def _runs(x: np.ndarray, e: np.ndarray, level: np.ndarray, known: np.ndarray, ratio_ok: np.ndarray, k: int,
          params: SpikeParams, th: _Thresholds) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(big, xk, ek) for the runs of k points ending at each point (from the k-th on): their sums
    of counts and of expected counts, and whether the run is big enough to be hot whatever its
    tail: min_excess cases above expected in all, and each point at min_ratio (up to scan
    points). A longer run (a sustained rise) is big enough when every point is above its expected
    count, its sum is at min_ratio times its expected sum (_long_sums), and the series is thin:
    scan points at min_ratio times its expected count an hour would fall short of min_excess
    extra cases (on a busier series the short runs see any such rise within scan points)."""
    xk = window_sums(x, k)
    if k <= params.scan:
        ek = window_sums(e, k)
        return _window_all(ratio_ok, k) & (xk - ek >= th.min_excess), xk, ek
    ek = _long_sums(e, level, k)
    thin = params.scan * ek * (th.min_ratio - 1.0) < th.min_excess * k
    rise = _window_all(known & (x > e), k) & (xk >= th.min_ratio * ek) & thin
    return rise & (xk - ek >= th.min_excess), xk, ek


def _big_enough(observed: np.ndarray, expected: np.ndarray, level: np.ndarray, params: SpikeParams,
                th: _Thresholds) -> np.ndarray:
    """Per series (row): whether any point, or run (run_lengths), is big enough to be hot
    (_runs; th's per series), whatever its tail. A series with none cannot open an episode with these expected counts: `_hot` finds no
    hot point."""
    known = ~np.isnan(expected) & ~np.isnan(observed)
    x = _zero_nan(observed)
    e = _zero_nan(expected)
    ratio_ok = known & (x >= th.min_ratio * e)
    found = (ratio_ok & (x - e >= th.min_excess)).any(axis=-1)
    for k in run_lengths(params):
        if x.shape[-1] < k:
            break
        found |= _runs(x, e, level, known, ratio_ok, k, params, th)[0].any(axis=-1)
    return found


def _hot(observed: np.ndarray, expected: np.ndarray, z: np.ndarray, a: np.ndarray, params: SpikeParams,
         run_a=None, th: _Thresholds | None = None, level: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(run_start, elevated) for series x points: run_start is the onset of the hot point or run
    that ends at a point (-1: none ends there); elevated: the point keeps an episode open.
    run_a(k, rows) gives the dispersion of sums of k points of those rows. th: per-series
    alpha, min_excess and min_ratio (params' own by default)."""
    th = th if th is not None else _Thresholds.of([params] * observed.shape[0])
    level = np.ones(observed.shape) if level is None else level
    known = ~np.isnan(expected) & ~np.isnan(observed)
    x = _zero_nan(observed)
    e = _zero_nan(expected)
    n = x.shape[-1]
    idx = np.arange(n)
    ratio_ok = known & (x >= th.min_ratio * e)
    single = ratio_ok & (x - e >= th.min_excess) & (np.where(np.isnan(z), -np.inf, z) >= th.z_single)
    # A run of k points ending at a point (run_lengths), taken together: the same tail test on
    # their sum, with the dispersion of such sums (run_a; without it the largest of the points':
    # as if their noise did not average out at all), if it is big enough (_runs). The run's
    # first point is the onset; where runs of several lengths are hot, the shortest's.
    run_start = np.where(single, idx, -1)
    window = np.lib.stride_tricks.sliding_window_view
    lengths = run_lengths(params)
    for k in lengths:
        if n < k:
            break
        big, xk, ek = _runs(x, e, level, known, ratio_ok, k, params, th)  # the tail is worked out for big runs only
        rows = np.flatnonzero(big.any(axis=-1))
        if rows.size == 0:
            continue
        if run_a is not None:
            need = np.zeros((rows.size, n), dtype=bool)
            need[:, k - 1:] = big[rows]
            ak = run_a(k, rows, need)[:, k - 1:]
        else:
            ak = window(a[rows], k, axis=-1).max(axis=-1)
        hit = np.zeros(x.shape, dtype=bool)
        # The longer lengths share the tail alpha between them (Bonferroni): a rise is tested
        # at several lengths, and each extra length would add its own false alerts.
        alpha = th.alpha[rows] if k <= params.scan else th.alpha[rows] / (len(lengths) - (params.scan - 1))
        hit[rows, k - 1:] = big[rows] & (nb_tail(xk[rows], ek[rows], ak, where=big[rows]) <= alpha)
        run_start = np.where(hit & (run_start < 0), idx - (k - 1), run_start)
    elevated = known & (np.where(np.isnan(z), -np.inf, z) >= params.z_continue) & (x > e)
    return run_start, elevated


def _walk(run_start: np.ndarray, elevated: np.ndarray, params: SpikeParams) -> list[list[int]]:
    """Walk one series' points in time order: [start, alert, last elevated] of each episode, before merging."""
    episodes: list[list[int]] = []
    n = len(run_start)
    candidates = np.flatnonzero(run_start >= 0)
    pos = 0
    while pos < len(candidates):
        alert = int(candidates[pos])
        start = int(run_start[alert])
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


def detect(timestamps: Sequence[datetime], counts: Sequence[float] | np.ndarray, params: SpikeParams | None = None,
           interval: timedelta | None = None) -> Detection:
    """Judge every point of a count series and return the detection with its episodes.

    The series need not be regular or sorted: it is put on a regular grid (`to_grid`; the
    interval is inferred unless given), where buckets without a row are unknown (NaN in the
    detection's observed counts): never judged, never counted, left out of every baseline."""
    params = params or SpikeParams()
    values = np.asarray(counts, dtype=float)
    if len(timestamps) != len(values):
        raise SeriesError("timestamps and counts differ in length")
    if (values[~np.isnan(values)] < 0).any():
        raise SeriesError("counts cannot be negative")
    grid, observed, interval = to_grid(list(timestamps), values, interval)
    return run_one(grid, interval, observed, params)


def run_one(timestamps: list[datetime], interval: timedelta, observed: np.ndarray, params: SpikeParams) -> Detection:
    """detect() on a series already on its grid (NaN: unknown; none negative)."""
    found = run_many(timestamps, interval, observed[None, :], params)[0]
    assert found is not None  # every series has its detection unless only the episodes are asked for
    return found


BATCH_ROWS = 64  # series judged together (memory: rows x points x lagged values)


def run_many(timestamps: list[datetime], interval: timedelta, observed: np.ndarray,
              params: SpikeParams, episodes_only: bool = False,
              row_params: Sequence[SpikeParams] | None = None) -> list[Detection | None]:
    """detect() on each row of a matrix of series on one grid. The numbers are worked out for
    many series at once (the same arithmetic, row by row), which is what makes watching hundreds
    of narrow series cheap. row_params: each row's settings (params for all by default); they
    may differ from params only in alpha, min_excess and min_ratio. episodes_only: None
    instead of the detection of a series that cannot open an episode (no point or run big
    enough for its expected counts; its dispersion and tails are then never worked out), as
    when only the episodes are wanted."""
    rows = observed.shape[0]
    row_params = list(row_params) if row_params is not None else [params] * rows
    if len(row_params) != rows:
        raise ValueError("one setting per series")
    if any(replace(p, **{k: getattr(params, k) for k in ROW_SETTINGS}) != params for p in set(row_params)):
        raise ValueError("series judged together may differ only in alpha, min_excess and min_ratio")
    th = _Thresholds.of(row_params)
    out: list[Detection | None] = [None] * rows
    chosen = np.arange(rows)
    baseline: tuple[np.ndarray, ...] | None = None
    daily: tuple[np.ndarray, np.ndarray] | None = None
    weekly: tuple[np.ndarray, np.ndarray] | None = None
    settled = _daily_settled(interval)
    if episodes_only and rows:
        # Pass 1's expected counts (nothing is held yet) settle which series could open an
        # episode at all: without a point or run big enough, a series has none in pass 1, so
        # nothing is replaced and it is settled. Only the others are judged further, together.
        parts = []
        for first in range(0, rows, BATCH_ROWS):
            part = slice(first, first + BATCH_ROWS)
            part_daily = _daily(observed[part], interval, params)
            part_weekly: dict[str, np.ndarray] = {}
            expected, _values, full_cycle, level = _baseline(observed[part], interval, params, observed[part],
                                                             part_daily, part_weekly)
            could = np.flatnonzero(_big_enough(observed[part], expected, level, params, th[part]))
            days = (part_daily[0][could], part_daily[1][could]) if part_daily is not None and settled else (None, None)
            weeks = (part_weekly["mean"][could], part_weekly["count"][could]) if "mean" in part_weekly else (None, None)
            parts.append((could + first, expected[could], full_cycle[could], level[could], *days, *weeks))
        chosen = np.concatenate([part[0] for part in parts])
        baseline = tuple(np.concatenate([part[i] for part in parts]) for i in (1, 2, 3))
        if parts[0][4] is not None:
            daily = (np.concatenate([part[4] for part in parts]), np.concatenate([part[5] for part in parts]))
        if parts[0][6] is not None:
            weekly = (np.concatenate([part[6] for part in parts]), np.concatenate([part[7] for part in parts]))
    for first in range(0, chosen.size, BATCH_ROWS):
        batch = chosen[first:first + BATCH_ROWS]
        known = None if baseline is None else tuple(b[first:first + BATCH_ROWS] for b in baseline)
        batch_daily = None if daily is None else (daily[0][first:first + BATCH_ROWS], daily[1][first:first + BATCH_ROWS])
        batch_weekly = None if weekly is None else (weekly[0][first:first + BATCH_ROWS], weekly[1][first:first + BATCH_ROWS])
        for row, detection in zip(batch, _run_batch(timestamps, interval, observed[batch], params, th[batch], known,
                                                    exact=not episodes_only, daily=batch_daily, weekly=batch_weekly)):
            out[int(row)] = detection
    return out


# A row's numbers after a pass: expected counts, dispersions, scores, raw episodes, approximated points.
_PassNumbers = tuple[np.ndarray, np.ndarray, np.ndarray, list[list[int]], np.ndarray]


def _run_batch(timestamps: list[datetime], interval: timedelta, observed: np.ndarray,
               params: SpikeParams, th: _Thresholds,
               baseline: tuple[np.ndarray, ...] | None = None, exact: bool = True,
               daily: tuple[np.ndarray, np.ndarray] | None = None,
               weekly: tuple[np.ndarray, np.ndarray] | None = None) -> list[Detection]:
    # Pass 1 on the raw series (its expected counts and full cycles given as `baseline` when
    # already worked out); each later pass with the points at which the previous pass had
    # an episode open replaced by their expected counts, so a spike does not inflate the
    # baselines and dispersions after it, until nothing changes (per series: a series that has
    # settled is not judged again). Every pass is causal: whether an episode was open at a point
    # is known when that point closes, and only earlier points feed a baseline. The stand-in
    # baseline of the first two weeks reads only points that are never replaced: worked out once
    # (`daily`, when given) rather than in every pass; the weekly trimmed means are kept from
    # pass to pass (`weekly`: pass 1's, when given), and worked out again only at the points
    # that read a replaced one (_weekly).
    rows, n = observed.shape
    memo = None
    if weekly is not None:
        memo = {"clean": observed.copy(), "mean": weekly[0].copy(), "count": weekly[1].copy()}
    if daily is None and _daily_settled(interval):
        daily = _daily(observed, interval, params)
    clean = observed.copy()
    opened = np.zeros((rows, n), dtype=bool)
    held = np.zeros((rows, n), dtype=bool)
    last: list[Any] = [None] * rows
    kept_before = np.empty((rows, n))
    active = np.arange(rows)
    last_ceiling = None
    for _ in range(MAX_PASSES):
        if active.size == 0:
            break
        # Without the points' scores (episodes only), a point whose tail is surely above every
        # threshold is not scored exactly (_surely_above).
        ceiling = None if exact else min(params.z_continue, float(th[active].z_single.min()))
        previous = None
        if last[active[0]] is not None:  # a later pass: the rows' numbers in the pass before
            previous = (*(np.stack([last[row][i] for row in active]) for i in (0, 1, 2, 4)), last_ceiling,
                        kept_before[active])
        weeks = {} if memo is None else {k: v[active] for k, v in memo.items()}
        expected, a, z, full_cycle, run_a, approx, level = _scores(
            observed[active], clean[active], held[active], interval, params, baseline, ceiling,
            None if daily is None else (daily[0][active], daily[1][active]), previous=previous, weekly=weeks)
        if "mean" in weeks:
            if memo is None:
                memo = {k: np.zeros((rows, n), dtype=v.dtype) for k, v in weeks.items()}
            for k, v in weeks.items():
                memo[k][active] = v
        last_ceiling = ceiling
        kept_before[active] = np.where(held[active], np.nan, observed[active])
        baseline = None
        run_start, elevated = _hot(observed[active], expected, z, a, params, run_a, th[active], level)
        open_now = np.zeros((active.size, n), dtype=bool)
        for j, row in enumerate(active):
            raw = _walk(run_start[j], elevated[j], params)
            last[row] = (expected[j], a[j], z[j], raw, approx[j])
            open_now[j] = _open_mask(raw, n, params.end_after)
        # Only points judged on the full cycle are replaced: an episode judged on a stand-in
        # baseline (the previous days, before two weeks of history) may be the weekly cycle
        # itself (Monday after a quiet weekend), and replacing it would teach every later
        # Monday the weekend's level, so the false episode would repeat week after week.
        # The dispersion leaves out every point at which an episode was open, whatever its
        # baseline: a burst in the first two weeks must not make the series look noisy.
        # A series whose held points and cleaned counts did not change has settled (every row
        # of the pass compared at once).
        mask = open_now & full_cycle
        cleaned = np.where(mask, np.fmin(observed[active], expected), observed[active])
        settled = ((open_now == held[active]).all(axis=-1) & (mask == opened[active]).all(axis=-1)
                   & np.isclose(cleaned, clean[active], rtol=1e-9, atol=1e-12, equal_nan=True).all(axis=-1))
        unsettled = active[~settled]
        if unsettled.size == 0:
            break
        opened[unsettled], clean[unsettled], held[unsettled] = mask[~settled], cleaned[~settled], open_now[~settled]
        active = unsettled
    return [_detection(timestamps, interval, observed[row], *cast(_PassNumbers, last[row]), params) for row in range(rows)]


def _detection(timestamps: list[datetime], interval: timedelta, observed: np.ndarray, expected: np.ndarray,
               a: np.ndarray, z: np.ndarray, raw: list[list[int]], approx: np.ndarray,
               params: SpikeParams) -> Detection:
    n = len(observed)
    merged = _merge(raw, max(params.merge_gap, _points(params.merge_time, interval, 0)))
    in_episode = np.zeros(n, dtype=bool)
    for start, _alert, last in merged:
        in_episode[start:last + 1] = True
    if approx.any():
        # The points of an episode that were left unscored get their exact score (its peak
        # is the highest of them).
        redo = np.flatnonzero(approx & in_episode)
        if redo.size:
            z = z.copy()
            z[redo] = tail_z(nb_tail(observed[redo], expected[redo], a[redo]))

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
            observed=float(np.nansum(observed[seg])),
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
        upper=band_upper(expected, a, params.z_continue),
        score=z,
        dispersion=a,
        in_episode=in_episode,
        episodes=episodes,
    )


def episodes_frame(episodes: list[Episode]) -> pl.DataFrame:
    """Episodes as a frame (one row each), in the order given."""
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
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
    timestamps) every `interval` (by default the smallest step found). The frame holds counts of
    cases, so a bucket without a row counts zero (nothing was created in it). Returns (points:
    key, bucket, observed, expected, upper, score, in_episode; episodes: key plus the Episode
    fields).
    """
    params = params or SpikeParams()
    key_type = frame.schema.get(key, pl.String)
    no_episodes = episodes_frame([]).with_columns(pl.lit(None, key_type).alias(key)).select(key, pl.all().exclude(key))
    if frame.height == 0:
        return empty_points(key, key_type), no_episodes
    times = frame[time_column].unique().sort()
    if interval is None:
        steps = times.diff().drop_nulls()
        if steps.len() == 0:
            raise SeriesError("a series needs at least two points to show its interval")
        interval = cast(timedelta, steps.min())
    start = start or cast(datetime, times.min())
    end = end or cast(datetime, times.max())
    if end <= start:  # a single point has no interval to judge it by
        return empty_points(key, key_type), no_episodes
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
    values = full[value_column].to_numpy().reshape(len(keys), len(stamps))
    point_parts, episode_rows = [], []
    for name, found in zip(keys.to_list(), run_many(stamps, interval, values, params)):
        assert found is not None  # every series has its detection unless only the episodes are asked for
        point_parts.append(found.frame().with_columns(pl.lit(name, key_type).alias(key)))
        for e in found.episodes:
            episode_rows.append({key: name, **{k: v for k, v in e.as_dict().items() if k not in ("excess", "ratio")}})
    points = pl.concat(point_parts).select(key, pl.all().exclude(key))
    episodes = no_episodes
    if episode_rows:
        episodes = pl.DataFrame(episode_rows, schema=no_episodes.schema, orient="row")
    return points, episodes


def empty_points(key: str, key_type: pl.DataType | type[pl.DataType] = pl.String) -> pl.DataFrame:
    return pl.DataFrame(schema={key: key_type, "bucket": pl.Datetime("us"), "observed": pl.Float64,
                                "expected": pl.Float64, "upper": pl.Float64, "score": pl.Float64,
                                "in_episode": pl.Boolean})
