"""watchfloor detect-spikes: run the spike detector on a CSV count series and print its episodes.

Any count series will do, regular or not: the detector puts it on a regular grid (the interval is
read from the timestamps) where a bucket without a row is unknown, never zero. Rows that cannot be
read (a timestamp or count that is not one) are skipped and counted in a note on stderr; only a
file with nothing to judge ends with one line and exit code 2.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from watchfloor import spike_detector
from watchfloor.cli.options import UsageError
from watchfloor.cli.series_file import read_columns

SHOWN_PROBLEMS = 3  # rows named in the note about skipped rows


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "detect-spikes",
        help="find spike episodes in a CSV time series of counts",
        description=(
            "Run the spike detector on a CSV file with one row per time point (counts every few minutes to "
            "every day; regular or not) and print the spike episodes. The interval is read from the "
            "timestamps; a bucket without a row is unknown, not zero (see --fill-missing). Each point is "
            "judged only on the points before it; a series needs about two weeks before its weekly cycle is "
            "known. Rows that cannot be read are skipped and counted on stderr. See docs/metrics.md, "
            "'Trend spikes'."
        ),
    )
    parser.add_argument("file", metavar="FILE.csv", help="CSV file with a header row")
    parser.add_argument("--time-column", default="timestamp",
                        help="column of timestamps: ISO-8601 (an offset is converted to UTC, none is taken as UTC) "
                             "or Unix epoch seconds (default: timestamp)")
    parser.add_argument("--value-column", default="value", help="column of counts (default: value)")
    parser.add_argument("--sensitivity", choices=spike_detector.SENSITIVITIES, default="normal",
                        help="how unusual a count must be to open an episode (default: normal)")
    parser.add_argument("--fill-missing", action="store_true",
                        help="count a bucket without a row as zero (for exports that leave out empty buckets) "
                             "instead of unknown")
    parser.add_argument("--json", action="store_true", help="print one JSON object per episode, one per line")
    parser.set_defaults(func=run)


@dataclass
class Series:
    times: list[datetime]
    values: list[float]  # NaN: an empty count (unknown)
    skipped: list[str] = field(default_factory=list)  # 'row 7 (timestamp 'abc')', ...


def read_series(path: str, time_column: str, value_column: str) -> Series:
    """The readable (timestamp, count) rows of a CSV file; raises UsageError with a clear message
    when the file itself cannot be read or holds fewer than two distinct readable timestamps."""
    raw_times, raw_values = read_columns(path, time_column, value_column)
    epoch = _all_numbers(raw_times)
    series = Series([], [])
    for row, (raw_time, raw_value) in enumerate(zip(raw_times, raw_values), start=2):
        moment = _parse_epoch(raw_time) if epoch else _parse_time(raw_time)
        if moment is None:
            series.skipped.append(f"row {row} (timestamp {_shown(raw_time)})")
            continue
        value = _parse_count(raw_value)
        if value is None:
            series.skipped.append(f"row {row} (count {_shown(raw_value)})")
            continue
        series.times.append(moment)
        series.values.append(value)
    if len(set(series.times)) < 2:
        found = len(series.times)
        detail = f"; {len(series.skipped)} unreadable: {', '.join(series.skipped[:SHOWN_PROBLEMS])}" if series.skipped else ""
        raise UsageError(f"{path}: needs rows at two or more distinct times to show its interval, found "
                         f"{found} readable row{'' if found == 1 else 's'}{detail}")
    return series


def _shown(value) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\x00", "\\0")
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _all_numbers(values: list) -> bool:
    """Whether the time column holds Unix epoch seconds (every non-empty value a number)."""
    seen = False
    for value in values:
        if value is None or not str(value).strip():
            continue
        try:
            float(value)
        except ValueError:
            return False
        seen = True
    return seen


def _parse_epoch(value) -> datetime | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(seconds):
        return None
    if abs(seconds) > 1e11:  # milliseconds
        seconds /= 1000.0
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def _parse_time(value: str | None) -> datetime | None:
    """An ISO-8601 timestamp as naive UTC (offsets are converted, naive values taken as UTC)."""
    if value is None:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _parse_count(value: str | None) -> float | None:
    """A count (a number at least 0); NaN for an empty value (unknown); None when it is not one."""
    if value is None or not value.strip():
        return math.nan
    try:
        number = float(value)
    except ValueError:
        return None
    if math.isnan(number):
        return math.nan
    if not math.isfinite(number) or number < 0:
        return None
    return number


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    return value


def _duration(step: timedelta) -> str:
    seconds = int(step.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


def run(args) -> int:
    series = read_series(args.file, args.time_column, args.value_column)
    params = spike_detector.SpikeParams.at(args.sensitivity)
    observed: Sequence[float] | np.ndarray  # the grid's counts, or a list of them with the gaps filled
    grid, observed, interval = spike_detector.to_grid(series.times, series.values)
    if args.fill_missing:
        observed = [0.0 if math.isnan(v) else v for v in observed]
    found = spike_detector.detect(grid, observed, params, interval=interval)
    if series.skipped:
        shown = ", ".join(series.skipped[:SHOWN_PROBLEMS])
        more = f" and {len(series.skipped) - SHOWN_PROBLEMS} more" if len(series.skipped) > SHOWN_PROBLEMS else ""
        print(f"watchfloor detect-spikes: note: skipped {len(series.skipped)} unreadable "
              f"row{'' if len(series.skipped) == 1 else 's'}: {shown}{more}", file=sys.stderr)
    if args.json:
        for episode in found.episodes:
            print(json.dumps({k: _json_value(v) for k, v in episode.as_dict().items()}))
        return 0
    unknown = int(sum(1 for v in found.observed if math.isnan(v)))
    gaps = f", {unknown} of them unknown (no row)" if unknown else ""
    print(f"{len(grid)} points every {_duration(interval)}{gaps}, {grid[0].isoformat()} to {grid[-1].isoformat()}, "
          f"{args.sensitivity} sensitivity: {len(found.episodes)} spike episode{'s' if len(found.episodes) != 1 else ''}")
    for e in found.episodes:
        state = " (ongoing)" if e.ongoing else ""
        print(f"- {e.onset.isoformat()} to {e.end.isoformat()}{state}: {e.severity}, {e.observed:g} observed vs "
              f"{e.expected:.1f} expected, peak {e.peak_observed:g} vs {e.peak_expected:.1f} at {e.peak.isoformat()}, "
              f"score {e.score:.1f}")
    return 0
