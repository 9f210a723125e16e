"""Home's daily health: turns the named queries' frames into the figures the tiles show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl

from watchfloor import spikes
from watchfloor.compare import Change

CURRENT = "last_24h"
PREVIOUS = "week_before"
SEVERITIES = ("SEV0", "SEV1", "SEV2", "SEV3")


@dataclass(frozen=True)
class DailyHealth:
    inflow: Change
    resolved: Change
    backlog: Change
    first_action_attainment: Change
    resolution_attainment: Change
    breached_now: dict[str, int]  # clock -> open cases past target
    at_risk_now: dict[str, int]  # clock -> open cases at >= 75 % of target
    open_incidents: dict[str, int]  # severity -> count
    backlog_by_state: dict[str, int] = field(default_factory=dict)

    @property
    def open_incidents_total(self) -> int:
        return sum(self.open_incidents.values())


def _value(frame: pl.DataFrame, column: str, **match: str) -> float | None:
    rows = frame
    for key, value in match.items():
        rows = rows.filter(pl.col(key) == value)
    if rows.height == 0:
        return None
    return rows[column][0]


def summarise(
    flow: pl.DataFrame,
    sla: pl.DataFrame,
    incidents: pl.DataFrame,
    backlog_by_state: pl.DataFrame,
) -> DailyHealth:
    """`sla` is home_sla's frame: 'attainment' rows per period and clock, 'now' rows per clock."""
    attainment = sla.filter(pl.col("kind") == "attainment")
    sla_now = sla.filter(pl.col("kind") == "now")
    def change(frame: pl.DataFrame, column: str, **match: str) -> Change:
        return Change(
            _value(frame, column, period=CURRENT, **match),
            _value(frame, column, period=PREVIOUS, **match),
        )

    clocks = {row["clock"]: row for row in sla_now.iter_rows(named=True)}
    return DailyHealth(
        inflow=change(flow, "inflow"),
        resolved=change(flow, "resolved"),
        backlog=change(flow, "backlog_at_end"),
        first_action_attainment=change(attainment, "attainment", clock="first_action"),
        resolution_attainment=change(attainment, "attainment", clock="resolution"),
        breached_now={clock: int(row["breached"]) for clock, row in clocks.items()},
        at_risk_now={clock: int(row["at_risk"]) for clock, row in clocks.items()},
        open_incidents={row["severity"]: int(row["open_incidents"]) for row in incidents.iter_rows(named=True)},
        backlog_by_state={row["status"]: int(row["cases"]) for row in backlog_by_state.iter_rows(named=True)},
    )


# --------------------------------------------------------------------------- rising categories

RISING_HISTORY = timedelta(days=29)  # what home_rising_categories.sql fetches
RISING_WINDOW = timedelta(hours=24)
_SEVERITY_RANK = {name: i for i, name in enumerate(spikes.SEVERITIES)}


def rising_categories(hourly: pl.DataFrame, as_of: datetime, top_n: int = 3,
                      params: spikes.SpikeParams | None = None) -> pl.DataFrame:
    """The categories with a spike episode in the last 24 hours, from the spike detector.

    `hourly` is home_rising_categories' frame (category, bucket, cases) over the 29 days before
    the current hour. The detector judges every hour of every category against the weeks
    before it; a category is rising if one of its episodes reaches into the last 24 complete
    hours. One row per category (its most important episode: ongoing first, then by severity,
    then by excess cases), top_n rows. Columns: category, state ('ongoing' or 'ended'), onset,
    severity, cases and expected over that episode, last_24h (cases in the last 24 hours) and
    week_before (the same 24 hours a week earlier).
    """
    hour = as_of.replace(minute=0, second=0, microsecond=0)
    window_start = hour - RISING_WINDOW
    schema = {"category": pl.String, "state": pl.String, "onset": pl.Datetime("us"), "severity": pl.String,
              "cases": pl.Float64, "expected": pl.Float64, "last_24h": pl.Int64, "week_before": pl.Int64}
    if hourly.height == 0:
        return pl.DataFrame(schema=schema)
    # Hours before the data begins are unknown, not zero (a jump from nothing would look like a spike).
    start = max(hour - RISING_HISTORY, hourly["bucket"].min())
    if start >= hour - timedelta(hours=1):
        return pl.DataFrame(schema=schema)
    _, episodes = spikes.detect_many(hourly, "category", value_column="cases", params=params,
                                     start=start, end=hour - timedelta(hours=1), interval=timedelta(hours=1))
    episodes = episodes.filter(pl.col("end") >= window_start)
    if episodes.height == 0:
        return pl.DataFrame(schema=schema)
    counts = hourly.group_by("category").agg(
        pl.col("cases").filter(pl.col("bucket") >= window_start).sum().alias("last_24h"),
        pl.col("cases").filter((pl.col("bucket") >= window_start - timedelta(days=7))
                               & (pl.col("bucket") < hour - timedelta(days=7))).sum().alias("week_before"),
    )
    ranked = (
        episodes.with_columns(
            pl.col("severity").replace_strict(_SEVERITY_RANK, default=len(_SEVERITY_RANK)).alias("_rank"),
            (pl.col("observed") - pl.col("expected")).alias("_excess"),
        )
        .sort(["ongoing", "_rank", "_excess", "category"], descending=[True, False, True, False])
        .unique("category", keep="first", maintain_order=True)
        .head(top_n)
        .join(counts, on="category", how="left")
    )
    return ranked.select(
        "category",
        pl.when(pl.col("ongoing")).then(pl.lit("ongoing")).otherwise(pl.lit("ended")).alias("state"),
        "onset", "severity",
        pl.col("observed").alias("cases"), "expected",
        pl.col("last_24h").cast(pl.Int64), pl.col("week_before").cast(pl.Int64),
    )
