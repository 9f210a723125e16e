"""watchfloor forecast: forecast any count series from a CSV file at its own interval."""

from __future__ import annotations

import json
import math
from datetime import datetime

from watchfloor import forecast as fc
from watchfloor.cli.options import UsageError
from watchfloor.cli.series_file import read_columns
from watchfloor.config import ConfigError, parse_time

MAX_HORIZON = 100_000


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "forecast",
        help="forecast a CSV time series of counts",
        description=(
            "Forecast a count series H steps ahead at its own interval (the median gap between its "
            "timestamps, snapped to a round interval). Irregular series are summed into bins of that "
            "interval; bins without a point count zero. Daily and weekly seasonality are used where the "
            "interval and the history allow. See docs/metrics.md, 'Capacity'."
        ),
    )
    parser.add_argument("file", metavar="FILE.csv", help="CSV file with a header row")
    parser.add_argument("--horizon", type=int, required=True, metavar="H", help="steps to forecast")
    parser.add_argument("--time-column", default="timestamp", help="column of ISO-8601 timestamps (default: timestamp)")
    parser.add_argument("--value-column", default="value", help="column of counts (default: value)")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON list of {timestamp, forecast, lower, upper} (80 %% interval)")
    parser.set_defaults(func=run)


def read_counts(path: str, time_column: str, value_column: str) -> tuple[list[datetime], list[float]]:
    """The (times, counts) of a CSV file, oldest first; UsageError with a clear message otherwise."""
    raw_times, raw_values = read_columns(path, time_column, value_column)
    if len(raw_times) < 3:
        raise UsageError(f"{path}: needs at least three rows of data, found {len(raw_times)}")
    times, values = [], []
    for i, (raw_time, raw_value) in enumerate(zip(raw_times, raw_values)):
        try:
            if raw_time is None or "\x00" in raw_time:
                raise ConfigError("empty")
            times.append(parse_time(raw_time))
        except ConfigError:
            raise UsageError(f"{path}: row {i + 2}: cannot read {raw_time!r} as an ISO-8601 timestamp "
                             f"(column {time_column!r})") from None
        try:
            value = float(raw_value)
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value) or value < 0:
            raise UsageError(f"{path}: row {i + 2}: {raw_value!r} is not a count (column {value_column!r})")
        values.append(value)
    order = sorted(range(len(times)), key=times.__getitem__)
    return [times[i] for i in order], [values[i] for i in order]


def run(args) -> int:
    if not 1 <= args.horizon <= MAX_HORIZON:
        raise UsageError(f"--horizon must be between 1 and {MAX_HORIZON:,}, got {args.horizon}")
    times, values = read_counts(args.file, args.time_column, args.value_column)
    try:
        series = fc.regular(times, values)
        ahead, fitted = fc.forecast_series(series, args.horizon)
    except fc.ForecastError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    rows = [{"timestamp": t.isoformat(), "forecast": round(float(m), 4), "lower": round(float(lo), 4),
             "upper": round(float(hi), 4)} for t, m, lo, hi in zip(ahead, fitted.mean, fitted.lower, fitted.upper)]
    if args.json:
        print(json.dumps(rows))
        return 0
    seasons = fc.seasons_for(series.interval_seconds, series.values.size)
    print(f"{series.values.size} intervals of {_interval_text(series.interval_seconds)} from "
          f"{series.start.isoformat()}; seasons: {', '.join(map(str, seasons)) or 'none'} steps; "
          f"forecast of the next {args.horizon} (80 % interval):")
    for row in rows:
        print(f"{row['timestamp']}  {row['forecast']:12.2f}  [{row['lower']:.2f}, {row['upper']:.2f}]")
    return 0


def _interval_text(seconds: float) -> str:
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds:g} seconds"

