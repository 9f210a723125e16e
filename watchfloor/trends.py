"""Trends & spikes: the page's figures, worked out from its named queries' frames.

- `spike_view`: the detector (watchfloor.spike_detector) over every series of the chosen breakdown, with
  weeks of history before the period, in the page's buckets: the volume chart's bands.
- `breakdown_record`: the breakdown's own spikes, hourly on the spike record's window, so that
  they read the same whatever the period (`in_period` picks the listed ones).
- `watched_view`: the spike record's alerts (watchfloor.spike_record: every category's watched
  series, the category, x surface, x region, x surface x region, hourly, over one fixed window
  before now) that touch the period, spikes and bursts told apart, and how many alerts a week each
  category gets at the sensitivity in force;
  `spike_list` puts them and the breakdown's own episodes into the page's one ranked list,
  `scope_points` draws one watched series.
- `movers`: period-over-period change per value (absolute and percent).
- `emerging`: the values whose share of cases rose most against the previous period.
- `classifier_table`: precision against human decisions per classifier and score band.

Definitions: docs/metrics.md, "Trends & spikes".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import polars as pl

from watchfloor import spike_detector, spike_record, watched_scopes
from watchfloor.labels import category_label, category_labels, humanise, humanised
from watchfloor.spike_record import scope_label  # noqa: F401 - the pages' name for it

# The breakdowns the page offers (the values trends_series.sql accepts for $dimension).
DIMENSIONS = {
    "category": "Category",
    "surface": "Surface",
    "region": "Region",
    "language": "Language",
    "source": "Source",
}
EMERGING_DIMENSIONS = {
    "subcategory": "Subcategory",
    "language": "Language",
    "surface": "Surface",
    "organisation": "Organisation",
}
# History before the period for the detector's weekly baseline (4 weeks) plus a day of slack.
HISTORY = timedelta(days=29)
HOURLY_MAX_DAYS = 14  # hourly buckets by default up to this many days, daily beyond
EMERGING_TOP_N = 5
MIN_ORG_CASES = 5
SPIKE_CASE_LIMIT = 200
MOVERS_TOP_N = 10
RECENT = timedelta(hours=24)  # an episode that ended within this of now is "recent"
SEVERITY_ORDER = {name: i for i, name in enumerate(spike_detector.SEVERITIES)}


SURFACE_LABELS = {"api": "API"}


def value_label(dimension: str, value: str | None) -> str:
    """How a value of a breakdown reads: category names, region and language codes as they are."""
    if dimension == "category":
        return category_label(value)
    if dimension in ("language", "region", "organisation") and value:
        return value
    if dimension == "surface" and value in SURFACE_LABELS:
        return SURFACE_LABELS[value]
    return humanise(value)


def value_labels(dimension: str, column: str) -> pl.Expr:
    """value_label() of a column as an expression; null stays null."""
    if dimension == "category":
        return category_labels(column)
    if dimension in ("language", "region", "organisation"):
        return pl.when(pl.col(column) == "").then(pl.lit("–")).otherwise(pl.col(column)).alias(column)
    if dimension == "surface":
        return pl.col(column).replace_strict(SURFACE_LABELS, default=humanised(column), return_dtype=pl.String)
    return humanised(column)


def default_hourly(period_start: datetime, period_end: datetime) -> bool:
    return (period_end - period_start) <= timedelta(days=HOURLY_MAX_DAYS)


def bucket_of(hourly: bool) -> timedelta:
    return timedelta(hours=1) if hourly else timedelta(days=1)


def history_start(period_start: datetime, period_end: datetime) -> datetime:
    """Where the series query starts: the detector's history, or the previous period for the
    movers if that reaches further back."""
    return min(period_start - HISTORY, period_start - (period_end - period_start))


def judged_end(period_end: datetime, as_of: datetime, hourly: bool) -> datetime:
    """The end of the last complete bucket: the bucket still filling up is never judged."""
    step = bucket_of(hourly)
    floor = datetime.min + ((as_of - datetime.min) // step) * step
    return min(period_end, floor)


# --------------------------------------------------------------------------- spikes


@dataclass(frozen=True)
class SpikeView:
    points: pl.DataFrame  # key, bucket, observed, expected, upper, score, in_episode (period only)
    episodes: pl.DataFrame  # key, label, onset, ..., state, excess, ratio; ranked
    bucket: timedelta


def spike_view(series: pl.DataFrame, dimension: str, period_start: datetime, period_end: datetime,
               as_of: datetime, hourly: bool, sensitivity: str = "normal") -> SpikeView:
    """Run the detector over each series (history included) and keep the period.

    Episodes are those whose span touches the period, ranked: ongoing first, then by severity,
    then by excess cases. State: 'ongoing' (still elevated at the last complete bucket), 'recent'
    (ended within 24 hours of now), 'earlier'.
    """
    step = bucket_of(hourly)
    end = judged_end(period_end, as_of, hourly)
    start = history_start(period_start, period_end)
    if series.height:
        # Buckets before the data begins are unknown, not zero: a jump from nothing to the usual
        # level would look like a spike. Every series starts at the first bucket with cases.
        start = max(start, cast(datetime, series["bucket"].min()))
    empty_points = spike_detector.detect_many(pl.DataFrame(schema={"key": pl.String, "bucket": pl.Datetime("us"),
                                                           "cases": pl.Int64}), "key", value_column="cases")[0]
    if end <= start + step:
        return SpikeView(empty_points, _rank(_empty_episodes(), dimension, end, step), step)
    points, episodes = spike_detector.detect_many(series, "key", value_column="cases", params=spike_detector.SpikeParams.at(sensitivity),
                                          start=start, end=end - step, interval=step)
    points = points.filter(pl.col("bucket") >= period_start)
    episodes = episodes.filter((pl.col("end") >= period_start) & (pl.col("onset") < period_end))
    return SpikeView(points, _rank(episodes, dimension, end, step), step)


def _empty_episodes() -> pl.DataFrame:
    frame = spike_detector.episodes_frame([])
    return frame.with_columns(pl.lit(None, pl.String).alias("key")).select("key", pl.all().exclude("key"))


def _rank(episodes: pl.DataFrame, dimension: str, judged_until: datetime, step: timedelta) -> pl.DataFrame:
    recent_from = judged_until - RECENT
    return (
        episodes.with_columns(
            value_labels(dimension, "key").alias("label"),
            pl.when(pl.col("ongoing")).then(pl.lit("ongoing"))
            .when(pl.col("end") + step >= recent_from).then(pl.lit("recent"))
            .otherwise(pl.lit("earlier")).alias("state"),
            (pl.col("observed") - pl.col("expected")).alias("excess"),
            pl.when(pl.col("expected") > 0).then(pl.col("observed") / pl.col("expected")).alias("ratio"),
            pl.col("severity").replace_strict(SEVERITY_ORDER, default=len(SEVERITY_ORDER)).alias("_severity_rank"),
        )
        .sort(["ongoing", "_severity_rank", "excess", "onset"], descending=[True, False, True, True])
        .drop("_severity_rank")
    )


def breakdown_record(series: pl.DataFrame, dimension: str, hour: datetime, sensitivity: str = "normal") -> SpikeView:
    """The breakdown's own spikes on the spike record's window and grid: hourly, from
    `hour` - spike_record.HISTORY (or the first hour with cases) to the last complete hour before
    `hour` (spike_record.hour_of(now)), with the sensitivity's settings; states as the record's
    (ongoing at its last hour, recent within 24 hours of it). `series`: trends_series, hourly, over
    spike_record.query_params(now). Whatever period the page shows, a breakdown spike has the
    same onset, end, peak, multiplier and excess (the period only picks which are listed:
    `in_period`), as the watched alerts do."""
    step = WATCHED_STEP
    span = spike_record.grid(series, hour)
    if span is None:
        empty_points = spike_detector.detect_many(pl.DataFrame(schema={"key": pl.String, "bucket": pl.Datetime("us"),
                                                               "cases": pl.Int64}), "key", value_column="cases")[0]
        return SpikeView(empty_points, _rank(_empty_episodes(), dimension, hour, step), step)
    points, episodes = spike_detector.detect_many(series, "key", value_column="cases", params=spike_detector.SpikeParams.at(sensitivity),
                                          start=span[0], end=span[1], interval=step)
    return SpikeView(points, _rank(episodes, dimension, span[1] + step, step), step)


def in_period(view: SpikeView, period_start: datetime, period_end: datetime) -> SpikeView:
    """The points of [period_start, period_end) and the episodes whose buckets overlap it."""
    return SpikeView(
        view.points.filter((pl.col("bucket") >= period_start) & (pl.col("bucket") < period_end)),
        view.episodes.filter((pl.col("end") + view.bucket > period_start) & (pl.col("onset") < period_end)),
        view.bucket)


def spike_case_window(episode: dict, step: timedelta) -> tuple[datetime, datetime]:
    """The cases behind an episode: created from its onset to the end of its last bucket
    (`until`, when the row of spike_list gives it)."""
    return episode["onset"], episode.get("until") or episode["end"] + step


# --------------------------------------------------------------------------- watched scopes

WATCHED_STEP = spike_record.STEP  # the watched series are hourly, as the evaluation scores them
RATE_SCHEMA = {"category": pl.String, "label": pl.String, "spikes": pl.Int64, "bursts": pl.Int64,
               "weeks": pl.Float64, "spikes_per_week": pl.Float64, "bursts_per_week": pl.Float64}


@dataclass(frozen=True)
class WatchedView:
    alerts: pl.DataFrame  # the spike record's rows touching the period (spike_record.RECORD_SCHEMA), ranked
    rate: pl.DataFrame  # RATE_SCHEMA: alerts a week per category at the sensitivity (alert_rate)
    sensitivity: str = "normal"


def watched_view(record: spike_record.SpikeRecord, categories: list[str], period_start: datetime,
                 period_end: datetime) -> WatchedView:
    """The spike record's alerts touching the period, ranked (spike_record.ranked), and each of
    `categories`' alerts a week over the whole record (alert_rate: counted from two weeks after its
    first hour, when the weekly baseline takes over, to its last complete hour). The record is the
    same whatever the period (watchfloor.spike_record)."""
    rate = pl.DataFrame(schema=RATE_SCHEMA)
    if record.first is not None:
        assert record.last is not None  # a record judged from a first hour has a last one
        rate = alert_rate(record.spikes, sorted(categories), record.first + spike_record.WARM_UP,
                          record.last + WATCHED_STEP)
    return WatchedView(spike_record.ranked(record.overlapping(period_start, period_end)), rate, record.sensitivity)


def alert_rate(alerts: pl.DataFrame, categories: list[str], judged_from: datetime, judged_to: datetime) -> pl.DataFrame:
    """Alerts a week per category: of kind 'spike' and of the burst kinds (batch, one account),
    counting the alerts that start in [judged_from, judged_to) (judged_from: two weeks after the
    first hour of data, when the weekly baseline takes over), over weeks = that span in weeks.
    Every category in `categories` has a row, most spikes first. Empty when the span is under a
    day."""
    weeks = (judged_to - judged_from) / timedelta(days=7)
    if weeks < 1 / 7:
        return pl.DataFrame(schema=RATE_SCHEMA)
    counted = (
        alerts.filter((pl.col("onset") >= judged_from) & (pl.col("onset") < judged_to))
        .group_by("category")
        .agg((pl.col("kind") == "spike").sum().cast(pl.Int64).alias("spikes"),
             (pl.col("kind") != "spike").sum().cast(pl.Int64).alias("bursts"))
    )
    frame = (
        pl.DataFrame({"category": categories}, schema={"category": pl.String})
        .join(counted, on="category", how="left")
        .with_columns(pl.col("spikes").fill_null(0), pl.col("bursts").fill_null(0))
    )
    return (
        frame.with_columns(
            pl.Series("label", [category_label(c) for c in frame["category"].to_list()], dtype=pl.String),
            pl.lit(weeks).alias("weeks"),
            (pl.col("spikes") / weeks).alias("spikes_per_week"),
            (pl.col("bursts") / weeks).alias("bursts_per_week"),
        )
        .sort(["spikes", "bursts", "category"], descending=[True, True, False])
        .select(list(RATE_SCHEMA))
    )


_SPIKE_LIST_DTYPES: dict[str, pl.DataType | type[pl.DataType]] = {
    "source": pl.String, "key": pl.String, "category": pl.String, "surface": pl.String, "region": pl.String,
    "label": pl.String, "state": pl.String, "severity": pl.String, "onset": pl.Datetime("us"),
    "peak": pl.Datetime("us"), "end": pl.Datetime("us"), "until": pl.Datetime("us"), "observed": pl.Float64,
    "expected": pl.Float64, "ratio": pl.Float64, "score": pl.Float64, "excess": pl.Float64, "ongoing": pl.Boolean,
    "kind": pl.String, "burst_cases": pl.Float64,
}
SPIKE_LIST_SCHEMA = pl.Schema(_SPIKE_LIST_DTYPES)


def spike_list(view: SpikeView | None, watched: WatchedView, dimension: str) -> pl.DataFrame:
    """The page's ranked spike list: the watched alerts of every category (source 'watched', key
    'category/surface/region') and, when the breakdown is not by category, the episodes of the
    breakdown's own series (source 'breakdown', labelled 'Region: EMEA'; `view`: breakdown_record
    in_period, on the record's window, so they read the same whatever the period). By category the
    breakdown's series are the category series the watched alerts already hold (the same counts,
    settings and history), so they are not listed twice. Spikes come before bursts (kind 'batch'
    or 'one account', see watchfloor.watched_scopes.burst_kind); then ongoing first, by severity, by
    excess cases, the later onset. `until` is the end of the last bucket."""
    alerts = watched.alerts
    parts = [alerts.select(
        pl.lit("watched").alias("source"),
        pl.concat_str([pl.col("category"), pl.col("surface"), pl.col("region")], separator="/",
                      ignore_nulls=True).alias("key"),
        "category", "surface", "region", "label", "state", "severity", "onset", "peak", "end",
        "until", "observed", "expected", pl.col("multiplier").alias("ratio"), "score", "excess", "ongoing",
        "kind", "burst_cases",
    )]
    if dimension != "category" and view is not None:
        name = DIMENSIONS[dimension]
        episodes = view.episodes
        parts.append(episodes.select(
            pl.lit("breakdown").alias("source"), "key",
            pl.lit(None, pl.String).alias("category"), pl.lit(None, pl.String).alias("surface"),
            pl.lit(None, pl.String).alias("region"),
            (pl.lit(f"{name}: ") + pl.col("label")).alias("label"), "state", "severity", "onset", "peak", "end",
            (pl.col("end") + view.bucket).alias("until"), "observed", "expected", "ratio", "score", "excess", "ongoing",
            pl.lit("spike").alias("kind"), pl.lit(None, pl.Float64).alias("burst_cases"),
        ))
    combined = pl.concat([p.cast(SPIKE_LIST_SCHEMA) for p in parts], how="vertical")
    return (
        combined.with_columns(
            pl.col("severity").replace_strict(SEVERITY_ORDER, default=len(SEVERITY_ORDER)).alias("_severity_rank"),
            (pl.col("kind") != "spike").alias("_burst"))
        .sort(["_burst", "ongoing", "_severity_rank", "excess", "onset"], descending=[False, True, False, True, True],
              maintain_order=True)
        .drop("_severity_rank", "_burst")
    )


def spike_case_scope(spike: dict, dimension: str) -> dict:
    """Which cases are behind a listed spike: the breakdown's value, or the watched scope
    (category, and its surface and region when narrower)."""
    if spike["source"] == "watched":
        return {"dimension": "category", "key": spike["category"], "surface": spike["surface"],
                "region": spike["region"]}
    return {"dimension": dimension, "key": spike["key"], "surface": None, "region": None}


def scope_points(cells: pl.DataFrame, category: str, surface: str | None, region: str | None,
                 period_start: datetime, hour: datetime, sensitivity: str = "normal") -> pl.DataFrame:
    """One watched series of the spike record's frame (watched_series), judged on the record's grid
    with its level's settings, for its chart: bucket, observed, expected, upper, score, in_episode
    from the period's start (empty if nothing to judge). `hour`: spike_record.hour_of(now)."""
    empty = spike_detector.empty_points("key").drop("key")
    grid = spike_record.grid(cells, hour)
    if grid is None:
        return empty
    watched = watched_scopes.watched_series(cells.filter(pl.col("category") == category), *grid, interval=WATCHED_STEP)
    params = spike_detector.SpikeParams.at(sensitivity)
    detection = watched_scopes.scope_detection(watched, category, surface, region, params, params.fine())
    if detection is None:
        return empty
    return detection.frame().filter(pl.col("bucket") >= period_start)


# --------------------------------------------------------------------------- movers


def movers(series: pl.DataFrame, dimension: str, period_start: datetime, period_end: datetime,
           as_of: datetime) -> pl.DataFrame:
    """Cases per value in the period against the period of the same length before it.

    When the period runs into the future (it ends after now), both periods are cut to the same
    length: [start, now) against [start - (now - start), start). change = current - previous;
    change_share = change / previous (null when previous is 0). Sorted by the size of the change.
    """
    end = min(period_end, as_of)
    length = end - period_start
    previous_start = period_start - length
    counts = (
        series.filter((pl.col("bucket") >= previous_start) & (pl.col("bucket") < end))
        .group_by("key")
        .agg(
            pl.col("cases").filter(pl.col("bucket") >= period_start).sum().alias("current"),
            pl.col("cases").filter(pl.col("bucket") < period_start).sum().alias("previous"),
        )
    )
    return (
        counts.with_columns(
            value_labels(dimension, "key").alias("label"),
            (pl.col("current") - pl.col("previous")).alias("change"),
        )
        .with_columns(
            pl.when(pl.col("previous") > 0).then(pl.col("change") / pl.col("previous")).alias("change_share"),
        )
        .sort([pl.col("change").abs(), "key"], descending=[True, False])
        .select("key", "label", "current", "previous", "change", "change_share")
    )


def top_riser(movers_frame: pl.DataFrame) -> dict | None:
    """The value with the largest rise in cases (first in the movers' order on a tie), or None."""
    rising = movers_frame.filter(pl.col("change") > 0).sort("change", descending=True, maintain_order=True)
    return rising.row(0, named=True) if rising.height else None


def movers_period_label(period_start: datetime, period_end: datetime, as_of: datetime,
                        stamp: Callable[[datetime], str] | None = None) -> str:
    """The two periods `movers` compares, in words (`stamp` writes a time for the reader, with its
    zone; UTC by default)."""
    end = min(period_end, as_of)
    previous_start = period_start - (end - period_start)
    if stamp is None:
        fmt = "%Y-%m-%d %H:%M"
        return f"{period_start:{fmt}} to {end:{fmt}} against {previous_start:{fmt}} to {period_start:{fmt}} (UTC)"
    return f"{stamp(period_start)} to {stamp(end)} against {stamp(previous_start)} to {stamp(period_start)}"


# --------------------------------------------------------------------------- emerging patterns


def emerging(shares: pl.DataFrame, top_n: int = EMERGING_TOP_N) -> pl.DataFrame:
    """Per dimension, the values whose share of all cases in scope rose most.

    share = value's cases / all cases in scope, in the period and in the period before;
    change = share now - share before (in share points). Only values that rose, top_n per
    dimension, largest rise first.
    """
    totals = shares.filter(pl.col("dimension") == "all")
    if totals.height == 0:
        return pl.DataFrame(schema={"dimension": pl.String, "value": pl.String, "current_cases": pl.Int64,
                                    "previous_cases": pl.Int64, "share_now": pl.Float64,
                                    "share_before": pl.Float64, "share_change": pl.Float64})
    now_total, before_total = totals["current_cases"][0], totals["previous_cases"][0]
    rows = shares.filter(pl.col("dimension") != "all").with_columns(
        (pl.col("current_cases") / now_total if now_total else pl.lit(None, pl.Float64)).alias("share_now"),
        (pl.col("previous_cases") / before_total if before_total else pl.lit(0.0)).alias("share_before"),
    ).with_columns((pl.col("share_now") - pl.col("share_before")).alias("share_change"))
    return (
        rows.filter(pl.col("share_change") > 0)
        .sort(["dimension", "share_change", "value"], descending=[False, True, False])
        .group_by("dimension", maintain_order=True).head(top_n)
        .select("dimension", "value", "current_cases", "previous_cases", "share_now", "share_before", "share_change")
    )


# --------------------------------------------------------------------------- classifier signal


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float | None, float | None]:
    """The Wilson score interval of a proportion (95 % by default); (None, None) without trials."""
    if trials <= 0:
        return None, None
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def classifier_table(frame: pl.DataFrame) -> pl.DataFrame:
    """Per classifier and score band: cases, automated, human decided, precision and its 95 %
    Wilson interval. precision = human violating / (human violating + human non-violating)."""
    rows = []
    for row in frame.iter_rows(named=True):
        decided = row["human_violating"] + row["human_non_violating"]
        low, high = wilson_interval(row["human_violating"], decided)
        rows.append({
            "classifier": row["classifier"],
            "band": f"{row['band']:.1f}–{row['band'] + 0.1:.1f}",
            "cases": row["cases"],
            "automated": row["automated"],
            "decided": decided,
            "precision": row["human_violating"] / decided if decided else None,
            "low": low,
            "high": high,
        })
    schema = {"classifier": pl.String, "band": pl.String, "cases": pl.Int64, "automated": pl.Int64,
              "decided": pl.Int64, "precision": pl.Float64, "low": pl.Float64, "high": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def classifier_overall(frame: pl.DataFrame) -> pl.DataFrame:
    """Per classifier, all bands together: cases and precision against human decisions."""
    grouped = frame.group_by("classifier").agg(
        pl.col("cases").sum(), pl.col("automated").sum(),
        pl.col("human_violating").sum(), pl.col("human_non_violating").sum(),
    )
    decided = pl.col("human_violating") + pl.col("human_non_violating")
    return grouped.with_columns(
        decided.alias("decided"),
        pl.when(decided > 0).then(pl.col("human_violating") / decided).alias("precision"),
    ).sort(["cases", "classifier"], descending=[True, False])
