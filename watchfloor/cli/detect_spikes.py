"""watchfloor detect-spikes: run the spike detector on a CSV export and print its episodes."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from watchfloor import spikes


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "detect-spikes",
        help="find spike episodes in a CSV time series of counts",
        description=(
            "Run the spike detector on a CSV file with one row per time point (a regular series: "
            "hourly, daily, ...) and print the spike episodes. Each point is judged only on the points "
            "before it; the first two weeks of an hourly series serve mostly as history. "
            "See docs/metrics.md, 'Trend spikes'."
        ),
    )
    parser.add_argument("file", metavar="FILE.csv", help="CSV file with a header row")
    parser.add_argument("--time-column", default="timestamp", help="column of ISO-8601 timestamps (default: timestamp)")
    parser.add_argument("--value-column", default="value", help="column of counts (default: value)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per episode, one per line")
    parser.add_argument("--fill-missing", action="store_true",
                        help="count missing time points as zero instead of refusing the series")
    parser.add_argument("--alpha", type=float, default=spikes.SpikeParams.alpha,
                        help=f"per-point false-alarm rate of the onset test (default: {spikes.SpikeParams.alpha:g})")
    parser.add_argument("--min-excess", type=float, default=spikes.SpikeParams.min_excess,
                        help=f"cases above expected a point needs to open an episode (default: {spikes.SpikeParams.min_excess:g})")
    parser.set_defaults(func=run)


def read_series(path: str, time_column: str, value_column: str, fill: bool = False) -> tuple[list[datetime], list[float]]:
    """The (timestamps, counts) of a CSV file; raises UsageError with a clear message."""
    from watchfloor.cli import UsageError

    file = Path(path)
    if not file.is_file():
        raise UsageError(f"{path}: no such file")
    try:
        frame = pl.read_csv(file, infer_schema=False)
    except pl.exceptions.NoDataError:
        raise UsageError(f"{path}: the file is empty") from None
    except (pl.exceptions.ComputeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not a readable CSV file ({str(exc).splitlines()[0]})") from None
    missing = [c for c in (time_column, value_column) if c not in frame.columns]
    if missing:
        names = ", ".join(frame.columns) or "none"
        raise UsageError(f"{path}: no column {' or '.join(repr(m) for m in missing)} (columns: {names}); "
                         "choose with --time-column and --value-column")
    if frame.height < 2:
        raise UsageError(f"{path}: needs at least two rows of data, found {frame.height}")
    raw_times = frame[time_column].to_list()
    times = [_parse_time(value) for value in raw_times]
    bad = next((i for i, t in enumerate(times) if t is None), None)
    if bad is not None:
        raise UsageError(f"{path}: row {bad + 2}: cannot read {raw_times[bad]!r} as an ISO-8601 timestamp "
                         f"(column {time_column!r})")
    raw_values = frame[value_column].to_list()
    values = []
    for i, raw in enumerate(raw_values):
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value) or value < 0:
            raise UsageError(f"{path}: row {i + 2}: {raw!r} is not a count (column {value_column!r})")
        values.append(value)
    order = sorted(range(len(times)), key=times.__getitem__)
    times, values = [times[i] for i in order], [values[i] for i in order]
    for a, b in zip(times, times[1:]):
        if a == b:
            raise UsageError(f"{path}: the timestamp {a.isoformat()} appears more than once")
    try:
        if fill:
            times, values = spikes.fill_missing(times, values)
        spikes.interval_of(times)
    except spikes.SeriesError as exc:
        hint = "; pass --fill-missing to count missing points as zero" if "missing points" in str(exc) else ""
        raise UsageError(f"{path}: {exc}{hint}") from None
    return times, values


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
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    return value


def run(args) -> int:
    from watchfloor.cli import UsageError

    try:
        params = spikes.SpikeParams(alpha=args.alpha, min_excess=args.min_excess)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    times, values = read_series(args.file, args.time_column, args.value_column, args.fill_missing)
    found = spikes.detect(times, values, params)
    if args.json:
        for episode in found.episodes:
            print(json.dumps({k: _json_value(v) for k, v in episode.as_dict().items()}))
        return 0
    print(f"{len(times)} points every {found.interval}, {times[0].isoformat()} to {times[-1].isoformat()}: "
          f"{len(found.episodes)} spike episode{'s' if len(found.episodes) != 1 else ''}")
    for e in found.episodes:
        state = " (ongoing)" if e.ongoing else ""
        print(f"- {e.onset.isoformat()} to {e.end.isoformat()}{state}: {e.severity}, {e.observed:g} observed vs "
              f"{e.expected:.1f} expected, peak {e.peak_observed:g} vs {e.peak_expected:.1f} at {e.peak.isoformat()}, "
              f"score {e.score:.1f}")
    return 0
