"""Demand forecasts: how many cases will arrive in each coming interval, with an 80 % interval.

The model is statsforecast's MSTL: the series is split into a daily and a weekly seasonal
pattern (STL, each smoothed over the cycles it has seen) and what is left (level, trend and
noise) is forecast by AutoETS, which picks no trend, a trend or a damped trend by AICc. The
seasonal patterns are carried forward. The interval of the ETS model of the rest is calibrated
on the model's own errors out of sample (`forecast_calibrated`; split conformal prediction).

Before the model sees a series, past spikes and holidays are damped: each point is compared
with its usual value at that hour of the week (the median over the weeks held, moved with the
level), and a point further than `CLEAN_K` robust standard deviations away is pulled back to
that bound. A spike of last Tuesday then neither lifts next Tuesday nor the trend.

Counts are forecast as they are (a square-root scale, tried, damped trends and narrowed the
interval); a forecast or bound below zero is zero.

Accuracy is measured by a rolling-origin backtest against the seasonal-naive forecast (the
same hour one season earlier) with MASE (`backtest`); benchmarks/forecast.md has the figures.
statsforecast is imported on first use: it takes seconds to import.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import NormalDist

import numpy as np

HOUR = 3600
DAY_SECONDS = 86400
WEEK_SECONDS = 7 * DAY_SECONDS
LEVEL = 80                      # the prediction interval, in percent
# Additive errors; no trend, an additive or a damped trend, chosen by AICc.
ETS_MODEL = "AZN"
CLEAN_K = 4.0                   # robust standard deviations before a point counts as a spike
# Fewer than this many cycles of a season: the season is left out of the model.
MIN_CYCLES = 2
# The longest history a model is fitted on, in cycles of its longest season (and at least
# MIN_POINTS points): older data add little and cost time.
FIT_CYCLES = 6
MIN_POINTS = 2000
# Below this many points the series' mean is carried forward (ETS needs more to fit).
MIN_MODEL_POINTS = 10
# statsmodels' STL evaluates its LOESS smoothers at every point unless told to jump; R's stl
# jumps by a tenth of each window, which changes the fit very little and is much faster.
STL_JUMPS = {"seasonal_jump": 2, "trend_jump": 20, "low_pass_jump": 3}


class ForecastError(ValueError):
    """A series that cannot be forecast (too short, not counts); the message says why."""


@dataclass(frozen=True)
class Forecast:
    """Arrays of one length (the horizon): the mean forecast and the 80 % interval."""

    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def seasons_for(interval_seconds: float, points: int) -> list[int]:
    """The daily and weekly season lengths (in points) that fit the interval and the history."""
    out = []
    for period in (DAY_SECONDS, WEEK_SECONDS):
        steps = period / interval_seconds
        if steps >= 2 and abs(steps - round(steps)) < 1e-9 and points >= MIN_CYCLES * round(steps):
            out.append(int(round(steps)))
    return out


def clean(values: np.ndarray, season: int | None) -> np.ndarray:
    """The series with spikes and dips beyond CLEAN_K robust standard deviations of their usual
    value (same phase of the season, moved with the level) replaced by that usual value.

    `values` is one series or a matrix of series (rows) of the same length.
    """
    y = np.asarray(values, dtype=float)
    single = y.ndim == 1
    y = np.atleast_2d(y)
    n = y.shape[1]
    if season is None or season < 2 or n < MIN_CYCLES * season:
        season = None
    if season is None:
        usual = np.repeat(np.median(y, axis=1, keepdims=True), n, axis=1)
    else:
        # Median of each phase over the cycles held (the first, partial cycle padded with NaN).
        pad = (-n) % season
        padded = np.concatenate([np.full((y.shape[0], pad), np.nan), y], axis=1)
        cycles = padded.reshape(y.shape[0], -1, season)
        phase = np.nanmedian(cycles, axis=1)
        usual = np.tile(phase, (1, cycles.shape[1]))[:, pad:]
        # Follow the level: the rolling median (over one cycle) of what the phase medians miss.
        usual = usual + _rolling_median(y - usual, season)
    residual = y - usual
    mad = np.median(np.abs(residual - np.median(residual, axis=1, keepdims=True)), axis=1, keepdims=True)
    # Counts are noisy at least like Poisson counts: never clip inside sqrt(usual) noise.
    scale = np.maximum(1.4826 * mad, np.sqrt(np.maximum(usual, 1.0)))
    out = np.where(np.abs(residual) > CLEAN_K * scale, usual, y)
    out = np.maximum(out, 0.0)
    return out[0] if single else out


def _rolling_median(x: np.ndarray, window: int) -> np.ndarray:
    """Centred rolling median along the last axis (the window shrinks at the ends)."""
    n = x.shape[-1]
    half = window // 2
    padded = np.concatenate([np.full(x.shape[:-1] + (half,), np.nan), x,
                             np.full(x.shape[:-1] + (window - 1 - half,), np.nan)], axis=-1)
    windows = np.lib.stride_tricks.sliding_window_view(padded, window, axis=-1)
    return np.nanmedian(windows, axis=-1)[..., :n]


def _models():
    # Imported here: statsforecast (with pandas, scipy and statsmodels) takes seconds to import.
    from statsforecast.models import MSTL, AutoETS

    return MSTL, AutoETS


def forecast_one(values, horizon: int, seasons: list[int], level: int = LEVEL) -> Forecast:
    """Forecast one count series `horizon` points ahead (seasons in points; empty: none)."""
    return as_counts(_model_forecast(values, horizon, seasons, level))


def _model_forecast(values, horizon: int, seasons: list[int], level: int) -> Forecast:
    """The model's own forecast and interval, before counts are kept at zero or above."""
    y = np.asarray(values, dtype=float)
    if horizon < 1:
        raise ForecastError("the horizon must be at least one step")
    if y.size < 3:
        raise ForecastError(f"needs at least 3 points of history, got {y.size}")
    if not np.all(np.isfinite(y)) or (y < 0).any():
        raise ForecastError("the values must be counts: finite and not negative")
    seasons = [s for s in sorted(seasons) if y.size >= MIN_CYCLES * s]
    keep = max(MIN_POINTS, FIT_CYCLES * max(seasons, default=1))
    y = y[-keep:]
    if not y.any():
        zeros = np.zeros(horizon)
        return Forecast(zeros, zeros, zeros)
    y = clean(y, max(seasons, default=None))
    if np.ptp(y) == 0:  # a constant series: nothing to fit
        flat = np.full(horizon, float(y[0]))
        return Forecast(flat, flat, flat)
    if y.size < MIN_MODEL_POINTS:
        return _flat(y, horizon, level)
    MSTL, AutoETS = _models()
    if seasons:
        model = MSTL(season_length=seasons, trend_forecaster=AutoETS(model=ETS_MODEL), stl_kwargs=dict(STL_JUMPS))
    else:
        model = AutoETS(model=ETS_MODEL)
    try:
        fitted = model.forecast(y=y, h=horizon, level=[level])
    except (ValueError, NotImplementedError, ZeroDivisionError, np.linalg.LinAlgError):
        return _flat(y, horizon, level)  # a series ETS cannot fit (too few distinct points)
    return Forecast(*(np.asarray(fitted[k], dtype=float) for k in ("mean", f"lo-{level}", f"hi-{level}")))


def as_counts(raw: Forecast) -> Forecast:
    """Counts are never negative: a forecast or bound below zero is zero."""
    mean = np.maximum(raw.mean, 0.0)
    lower, upper = np.maximum(raw.lower, 0.0), np.maximum(raw.upper, 0.0)
    return Forecast(mean, np.minimum(lower, mean), np.maximum(upper, mean))


def _flat(y: np.ndarray, horizon: int, level: int) -> Forecast:
    """The mean carried forward with a normal interval of the series' spread (short series)."""
    z = NormalDist().inv_cdf(0.5 + level / 200.0)
    mean = float(y.mean())
    spread = float(y.std(ddof=1)) if y.size > 1 else math.sqrt(mean)
    return Forecast(np.full(horizon, mean), np.full(horizon, mean - z * spread), np.full(horizon, mean + z * spread))


def _model_many(matrix: np.ndarray, horizon: int, seasons: list[int], level: int) -> Forecast:
    rows = [_model_forecast(row, horizon, seasons, level) for row in np.atleast_2d(matrix)]
    return Forecast(*(np.vstack([getattr(r, k) for r in rows]) if rows else np.zeros((0, horizon))
                      for k in ("mean", "lower", "upper")))


def forecast_many(matrix: np.ndarray, horizon: int, seasons: list[int], level: int = LEVEL) -> Forecast:
    """forecast_one for each row of a (series x points) matrix; arrays (series x horizon)."""
    return as_counts(_model_many(matrix, horizon, seasons, level))


# --- calibrating the interval ------------------------------------------------------------------
#
# The model's interval is that of the ETS model of what is left after the seasons are taken out
# in-sample: it leaves out the error in the seasonal patterns themselves, and it comes out too
# narrow (or, on bursty series, too wide). It is calibrated on the model's own errors out of
# sample (split conformal prediction): the same model is fitted on the history before the last
# `holdout` points and forecasts them; each side of the interval is then scaled so that the share
# of those points beyond it is what the level promises.


def side_scores(actual, mean, lower, upper) -> tuple[np.ndarray, np.ndarray]:
    """How far each actual went past the mean, in units of that side's half-width of the
    interval: (mean − actual) ÷ (mean − lower) for the lower side, (actual − mean) ÷ (upper −
    mean) for the upper. A point whose half-width is zero tells nothing about scale: left out."""
    actual, mean, lower, upper = (np.asarray(a, dtype=float).ravel() for a in (actual, mean, lower, upper))
    below, above = mean - lower, upper - mean
    lo = (mean - actual)[below > 0] / below[below > 0]
    hi = (actual - mean)[above > 0] / above[above > 0]
    return lo, hi


def conformal_quantile(scores, share: float) -> float | None:
    """The split-conformal quantile: the k-th smallest of n scores with k = ⌈(n + 1) · share⌉,
    so that a new score, exchangeable with these, is at most it with probability ≥ share. None
    when there are too few scores (k > n)."""
    s = np.sort(np.asarray(scores, dtype=float))
    k = math.ceil(round((s.size + 1) * share, 9))
    return float(s[k - 1]) if 1 <= k <= s.size else None


def calibration_factors(actual, mean, lower, upper, level: int = LEVEL) -> tuple[float, float]:
    """The factors (lower side, upper side) by which the half-widths of the interval are scaled so
    that at most (100 − level) ÷ 2 % of the actuals fall beyond each side: the conformal quantile
    at 1 − (100 − level) ÷ 200 of each side's scores (side_scores). A side with too few scores
    keeps its width (factor 1); a factor is never below 0 (the bound stays on its side)."""
    share = 1.0 - (100.0 - level) / 200.0
    out = []
    for scores in side_scores(actual, mean, lower, upper):
        q = conformal_quantile(scores, share)
        out.append(1.0 if q is None else max(q, 0.0))
    return out[0], out[1]


def widen(raw: Forecast, factors: tuple[float, float]) -> Forecast:
    """The interval with each side's half-width scaled by its factor (lower, upper)."""
    lo, hi = factors
    return Forecast(raw.mean, raw.mean - lo * (raw.mean - raw.lower), raw.mean + hi * (raw.upper - raw.mean))


def forecast_calibrated(matrix: np.ndarray, horizon: int, seasons: list[int], fit_points: int, holdout: int,
                        level: int = LEVEL, fits: dict | None = None) -> Forecast:
    """The forecast of each row of a (series x points) matrix `horizon` points ahead, fitted on
    its last `fit_points` points, with a calibrated interval. The calibration fit is the same
    model on up to `fit_points` points ending `holdout` points before the end (and not before the
    first point where any series has a count: earlier, the history held nothing); it forecasts
    those `holdout` points, and calibration_factors of its errors, pooled over every series and
    point, scale the interval's sides. With less history than two cycles of the longest season
    for that fit, or no holdout: the model's own interval. `fits` (for one matrix, seasons and
    level) keeps fits by window (start, end), so that a backtest fits a window once."""
    y = np.atleast_2d(np.asarray(matrix, dtype=float))
    n = y.shape[1]
    fits = {} if fits is None else fits

    def fitted(start: int, end: int, steps: int) -> Forecast:
        key = (start, end)
        if key not in fits or fits[key].mean.shape[-1] < steps:
            fits[key] = _model_many(y[:, start:end], steps, seasons, level)
        f = fits[key]
        return Forecast(f.mean[:, :steps], f.lower[:, :steps], f.upper[:, :steps])

    raw = fitted(max(n - fit_points, 0), n, horizon)
    end = n - holdout
    nonzero = np.flatnonzero(y.any(axis=0))
    start = max(end - fit_points, int(nonzero[0]) if nonzero.size else end)
    if holdout > 0 and end - start >= MIN_CYCLES * max(seasons, default=1) and end - start >= MIN_MODEL_POINTS:
        cal = fitted(start, end, holdout)
        raw = widen(raw, calibration_factors(y[:, end:], cal.mean, cal.lower, cal.upper, level))
    return as_counts(raw)


def seasonal_naive(values, horizon: int, season: int) -> np.ndarray:
    """The last full season repeated (`season` points earlier); the benchmark to beat."""
    y = np.asarray(values, dtype=float)
    if y.size < season:
        raise ForecastError(f"seasonal naive needs one season ({season} points), got {y.size}")
    last = y[-season:]
    return np.resize(last, horizon) if horizon <= season else np.tile(last, math.ceil(horizon / season))[:horizon]


def mase_scale(train, season: int) -> float:
    """The in-sample mean absolute error of the seasonal-naive forecast (MASE's denominator)."""
    y = np.asarray(train, dtype=float)
    if y.size <= season:
        return float("nan")
    return float(np.mean(np.abs(y[season:] - y[:-season])))


@dataclass(frozen=True)
class Backtest:
    """Per series (rows) and origin (columns): the model's and seasonal naive's MASE."""

    model_mase: np.ndarray
    naive_mase: np.ndarray
    coverage: np.ndarray       # share of actuals inside the 80 % interval
    origins: list[int]         # index of each origin in the series

    def summary(self) -> dict[str, float]:
        """Mean MASE of the model and of seasonal naive over every series and origin, their
        ratio (below 1: the model is better), and the interval's coverage."""
        ok = np.isfinite(self.model_mase) & np.isfinite(self.naive_mase)
        if not ok.any():
            return {"model_mase": float("nan"), "naive_mase": float("nan"), "ratio": float("nan"),
                    "coverage": float("nan"), "evaluations": 0}
        model, naive = float(self.model_mase[ok].mean()), float(self.naive_mase[ok].mean())
        return {"model_mase": model, "naive_mase": naive, "ratio": model / naive if naive > 0 else float("nan"),
                "coverage": float(self.coverage[ok].mean()), "evaluations": int(ok.sum())}


def backtest(matrix: np.ndarray, origins: list[int], horizon: int, seasons: list[int], naive_season: int,
             fit_points: int | None = None, holdout: int = 0) -> Backtest:
    """Rolling-origin evaluation: at each origin (an index into the series), fit on the points
    before it (the last `fit_points` of them; all by default), with the interval calibrated on
    the `holdout` points before the origin (forecast_calibrated; 0: the model's own interval),
    forecast `horizon` points and score both forecasts with MASE (scaled by the seasonal-naive
    error inside the fitting window). Nothing at or after an origin is used for its forecast."""
    y = np.atleast_2d(np.asarray(matrix, dtype=float))
    shape = (y.shape[0], len(origins))
    model, naive, coverage = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    fits: dict = {}  # a calibration fit can be another origin's fit: fitted once
    for j, origin in enumerate(origins):
        if origin < naive_season + 1 or origin + horizon > y.shape[1]:
            raise ForecastError(f"origin {origin} leaves too little history or future for a {horizon}-step test")
        fit = origin if fit_points is None else min(fit_points, origin)
        train, actual = y[:, :origin], y[:, origin:origin + horizon]
        fitted = forecast_calibrated(train, horizon, seasons, fit, holdout, fits=fits)
        for i in range(y.shape[0]):
            scale = mase_scale(train[i, -fit:], naive_season)
            if not scale > 0:
                continue
            model[i, j] = np.mean(np.abs(actual[i] - fitted.mean[i])) / scale
            naive[i, j] = np.mean(np.abs(actual[i] - seasonal_naive(train[i], horizon, naive_season))) / scale
            coverage[i, j] = np.mean((actual[i] >= fitted.lower[i]) & (actual[i] <= fitted.upper[i]))
    return Backtest(model, naive, coverage, list(origins))


# --- any count series (the command line) -------------------------------------------------------

NICE_INTERVALS = (60, 300, 600, 900, 1800, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY_SECONDS, WEEK_SECONDS)


@dataclass(frozen=True)
class Series:
    """A count series on a regular grid: the first point's time, the interval and the counts."""

    start: datetime
    interval_seconds: float
    values: np.ndarray

    def times(self, offset: int = 0, count: int | None = None) -> list[datetime]:
        count = self.values.size if count is None else count
        step = timedelta(seconds=self.interval_seconds)
        return [self.start + step * (offset + i) for i in range(count)]


def interval_of(times: list[datetime]) -> float:
    """The series' own interval in seconds: the median gap between points, snapped to a round
    interval (1, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h, 1 day, 1 week) within 10 %."""
    gaps = np.diff(np.array([t.timestamp() for t in times]))
    gaps = gaps[gaps > 0]
    if gaps.size == 0:
        raise ForecastError("needs at least two distinct timestamps")
    median = float(np.median(gaps))
    for nice in NICE_INTERVALS:
        if abs(median - nice) <= 0.1 * nice:
            return float(nice)
    return float(max(round(median), 1))


def regular(times: list[datetime], values: list[float]) -> Series:
    """Counts of a regular or irregular series summed into bins of its own interval, from the
    first timestamp; bins without a point count zero."""
    if len(times) != len(values):
        raise ForecastError("times and values differ in length")
    interval = interval_of(times)
    start = min(times)
    offsets = np.array([(t - start).total_seconds() for t in times]) / interval
    # A point a hair before a bin edge (clock jitter) belongs to the bin it is nearest to.
    index = np.floor(offsets + 0.5 if _on_grid(offsets) else offsets).astype(np.int64)
    counts = np.bincount(index, weights=np.asarray(values, dtype=float), minlength=int(index.max()) + 1)
    return Series(start, interval, counts)


def _on_grid(offsets: np.ndarray) -> bool:
    """Whether the points sit (nearly) on a grid of the interval, as a regular series does."""
    return bool(np.all(np.abs(offsets - np.round(offsets)) < 0.1))


def forecast_series(series: Series, horizon: int, level: int = LEVEL) -> tuple[list[datetime], Forecast]:
    """Forecast a regular series `horizon` intervals ahead: the times and the forecast, its
    interval calibrated on the last `horizon` points (at least one cycle of the longest season)
    forecast from the points before them, when the series is long enough."""
    seasons = seasons_for(series.interval_seconds, series.values.size)
    holdout = max(horizon, max(seasons, default=0))
    rows = forecast_calibrated(series.values[None, :], horizon, seasons, series.values.size, holdout, level)
    fitted = Forecast(rows.mean[0], rows.lower[0], rows.upper[0])
    return series.times(series.values.size, horizon), fitted
