"""The spike record: every spike of the watched series, found once and read by every page that shows
a spike (Trends & spikes, Incidents, Home, the Executive summary) and by the spike alert rule.

The detector (watchfloor.watched_scopes: every category watched on its own series and on each surface,
region and surface x region, hourly) runs over one fixed window: the HISTORY before the
dashboard's 'now' snapped to the hour, whatever period a page shows. A page's period only decides
which spikes it lists (those overlapping it); a spike's onset, end, peak, multiplier, excess cases
and severity are the record's, the same everywhere. One named query feeds it (watched_series.sql,
window from `query_params`); queries/plans.py keeps the record per warehouse, hour, filters and
sensitivity (`plans.spike_record`).

Definitions: docs/metrics.md, "The spike record".
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import numpy as np
import polars as pl

from watchfloor import spike_detector, watched_scopes
from watchfloor.formatting import format_count, format_multiplier
from watchfloor.labels import SURFACE_LABELS, category_label, humanise, texts_of

STEP = timedelta(hours=1)
# Nine weeks: four weeks of the detector's weekly baseline before five weeks of spikes (a week, a
# month and the last five weeks of a quarter judged on a full baseline).
HISTORY = timedelta(weeks=9)
RECENT = timedelta(hours=24)  # a spike that ended within this of the last judged hour is 'recent'
WARM_UP = timedelta(days=14)  # the weekly baseline takes over two weeks after the first hour of data
SEVERITY_RANK = {name: i for i, name in enumerate(spike_detector.SEVERITIES)}

_RECORD_DTYPES: dict[str, pl.DataType | type[pl.DataType]] = {
    "spike_id": pl.String, "category": pl.String, "surface": pl.String, "region": pl.String, "level": pl.String,
    "label": pl.String, "onset": pl.Datetime("us"), "detected_at": pl.Datetime("us"), "peak": pl.Datetime("us"),
    "end": pl.Datetime("us"), "until": pl.Datetime("us"), "hours": pl.Int64, "observed": pl.Float64,
    "expected": pl.Float64, "excess": pl.Float64, "multiplier": pl.Float64, "peak_observed": pl.Float64,
    "peak_expected": pl.Float64, "score": pl.Float64, "severity": pl.String, "ongoing": pl.Boolean,
    "state": pl.String, "kind": pl.String, "burst_cases": pl.Float64,
}
RECORD_SCHEMA = pl.Schema(_RECORD_DTYPES)


def series_key(cells: pl.DataFrame) -> str:
    """What watched_series' frame holds, as a short text: its columns and types, its height and a
    digest of its rows' hashes, sorted (the same rows in any order give the same key). The record
    kept in the warehouse (watchfloor.spike_record_summary) is read only for series with its key."""
    hashes = np.sort(cells.hash_rows(seed=0).to_numpy())
    digest = hashlib.blake2b(hashes.tobytes(), digest_size=16)
    digest.update(repr(list(cells.schema.items())).encode())
    return f"{cells.height}:{digest.hexdigest()}"


def hour_of(as_of: datetime) -> datetime:
    """'Now' snapped to the hour: the end of the last complete hour, where the record ends."""
    return as_of.replace(minute=0, second=0, microsecond=0)


def query_params(as_of: datetime) -> dict[str, datetime]:
    """The window of watched_series.sql for the record at `as_of`: [hour - HISTORY, hour)."""
    until = hour_of(as_of)
    return {"history_start": until - HISTORY, "until": until}


def scope_label(category: str, surface: str | None = None, region: str | None = None) -> str:
    """'Impersonation · Image gen · APAC': a watched series in words (category, then surface, region)."""
    parts = [category_label(category)]
    if surface is not None:
        parts.append(SURFACE_LABELS.get(surface) or humanise(surface))
    if region is not None:
        parts.append(region)
    return " · ".join(parts)


@dataclass(frozen=True)
class SpikeRecord:
    """The spikes (RECORD_SCHEMA, in onset order) and the hours they were judged over."""

    spikes: pl.DataFrame
    first: datetime | None  # first hour of the judged grid (None: nothing judged)
    last: datetime | None  # last complete hour judged
    sensitivity: str = "normal"

    def overlapping(self, start: datetime, end: datetime) -> pl.DataFrame:
        """The spikes whose hours [onset, until) overlap [start, end)."""
        return self.spikes.filter((pl.col("onset") < end) & (pl.col("until") > start))

    def covers(self, start: datetime) -> bool:
        """Whether spikes from `start` on are in the record (the judged grid reaches back that far)."""
        return self.first is not None and start >= self.first

    def of_category(self, category: str) -> pl.DataFrame:
        return self.spikes.filter(pl.col("category") == category)


def empty(sensitivity: str = "normal") -> SpikeRecord:
    return SpikeRecord(pl.DataFrame(schema=RECORD_SCHEMA), None, None, sensitivity)


def grid(cells: pl.DataFrame, hour: datetime) -> tuple[datetime, datetime] | None:
    """(first, last) hour the record judges: from the window's start (or the first hour with cases,
    if later: hours before the data begins are unknown, not zero) to the last complete hour before
    `hour`; None with fewer than two hours."""
    start = hour - HISTORY
    if cells.height:
        start = max(start, cast(datetime, cells["bucket"].min()))
    last = hour - STEP
    if last <= start:
        return None
    return start, last


def build(cells: pl.DataFrame, hour: datetime, sensitivity: str = "normal") -> SpikeRecord:
    """The record from watched_series' frame (category, surface, region, bucket, cases, top_account,
    slot_0 .. slot_5) for the window ending at `hour` (hour_of(now)).

    Each row is an alert of watchfloor.watched_scopes.watched_alerts (the episodes of one category's watched
    series that share an hour, labelled with the narrowest series holding most of it): onset,
    detected_at, peak, end (its last elevated hour), until = end + 1 h, hours; observed and
    expected: its scope's cases and expected cases over [onset, until); excess = observed - expected;
    multiplier = observed / expected (null when nothing was expected); peak_observed and
    peak_expected: its peak hour's; severity and score; ongoing (still elevated at the last complete
    hour); state: 'ongoing', 'recent' (ended within 24 hours of the last complete hour) or 'earlier';
    kind: 'spike', or a burst ('batch', 'one account'; watchfloor.watched_scopes.burst_kind)."""
    span = grid(cells, hour)
    if span is None:
        return empty(sensitivity)
    watched = watched_scopes.watched_series(cells, *span, interval=STEP)
    params = spike_detector.SpikeParams.at(sensitivity)
    alerts = watched_scopes.watched_alerts(watched, params, params.fine())
    recent_from = span[1] + STEP - RECENT
    labels = [scope_label(c, s, r) for c, s, r in alerts.select("category", "surface", "region").iter_rows()]
    record = alerts.with_columns(
        pl.Series("label", labels, dtype=pl.String),
        (pl.col("end") + STEP).alias("until"),
        pl.col("points").alias("hours"),
        (pl.col("observed") - pl.col("expected")).alias("excess"),
        pl.when(pl.col("expected") > 0).then(pl.col("observed") / pl.col("expected")).alias("multiplier"),
        pl.when(pl.col("ongoing")).then(pl.lit("ongoing"))
        .when(pl.col("end") + STEP >= recent_from).then(pl.lit("recent"))
        .otherwise(pl.lit("earlier")).alias("state"),
    ).with_columns(
        pl.concat_str([pl.col("category"), pl.col("onset").dt.strftime("%Y-%m-%dT%H")], separator="@").alias("spike_id"),
    ).select(list(RECORD_SCHEMA)).cast(RECORD_SCHEMA).sort("onset", "category")
    return SpikeRecord(record, span[0], span[1], sensitivity)


def ranked(frame: pl.DataFrame) -> pl.DataFrame:
    """Spikes in the order pages list them: ongoing first, then by severity, then by excess cases,
    the later onset first."""
    return (
        frame.with_columns(pl.col("severity").replace_strict(SEVERITY_RANK, default=len(SEVERITY_RANK)).alias("_rank"))
        .sort(["ongoing", "_rank", "excess", "onset"], descending=[True, False, True, True], maintain_order=True)
        .drop("_rank")
    )


def multiplier_text(multiplier: float | None) -> str:
    """', 5.6× expected' (nothing when no case was expected)."""
    return "" if multiplier is None else f", {multiplier:.1f}× expected"


# How every page writes a spike's figures (texts, so that they read the same everywhere).
TEXT_COLUMNS = {"span_text": "From – to (UTC)", "peak_text": "Peak", "multiplier_text": "× expected",
                "excess_text": "Extra cases"}


def span_text(onset: datetime, until: datetime, ongoing: bool) -> str:
    """'12-03 14:00 – 12-03 21:00', or '12-03 14:00 – ongoing': from the onset to the end of its
    last elevated hour (until)."""
    return f"{onset:%m-%d %H:00} – " + ("ongoing" if ongoing else f"{until:%m-%d %H:00}")


def peak_text(peak: datetime, peak_observed: float, peak_expected: float) -> str:
    """'12-03 15:00 (2,406 vs 310)': the peak hour, its cases against its expected count."""
    return f"{peak:%m-%d %H:00} ({peak_observed:,.0f} vs {peak_expected:,.0f})"


def texts(frame: pl.DataFrame) -> pl.DataFrame:
    """The record's rows with their figures as every page writes them (TEXT_COLUMNS): span, peak,
    multiplier ('5.6×', '–' when nothing was expected) and extra cases ('10,713')."""
    return frame.with_columns(
        texts_of(frame, span_text, "onset", "until", "ongoing").alias("span_text"),
        texts_of(frame, peak_text, "peak", "peak_observed", "peak_expected").alias("peak_text"),
        texts_of(frame, format_multiplier, "multiplier", skip_nulls=False).alias("multiplier_text"),
        texts_of(frame, format_count, "excess").alias("excess_text"),
    )


def describe(spike: dict, zone: str = "UTC") -> str:
    """A spike in one line, as every page words it: 'High spike in Spam · API, 12-03 14:00 – 12-03
    21:00 UTC, peak 12-03 15:00 (2,406 vs 310): 5.6× expected, 10,713 extra cases'. Its times are
    written as given; `zone` names their zone (a page showing them in a reader's zone converts them
    first)."""
    kind = "spike" if spike["kind"] == "spike" else spike["kind"]
    multiplier = format_multiplier(spike["multiplier"])
    return (f"{spike['severity'].capitalize()} {kind} in {spike['label']}, "
            f"{span_text(spike['onset'], spike['until'], spike['ongoing'])} {zone}, peak "
            f"{peak_text(spike['peak'], spike['peak_observed'], spike['peak_expected'])}: {multiplier} expected, "
            f"{spike['excess']:,.0f} extra cases")


def utc_hour(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:00} UTC"


def coverage_note(record: SpikeRecord, start: datetime, stamp: Callable[[datetime], str] = utc_hour) -> str | None:
    """What a page whose period starts at `start` says when the record does not reach back that far
    (`stamp` writes a time for the reader, UTC by default)."""
    if record.covers(start):
        return None
    if record.first is None:
        return "No spike is judged yet: the warehouse holds less than two complete hours."
    return (f"Spikes are judged from {stamp(record.first)} on (the {HISTORY.days // 7} weeks before now, or "
            "since the data begins); earlier ones are not listed.")
