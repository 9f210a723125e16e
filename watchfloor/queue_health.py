"""Queue health: backlog, ages, flows, staffing, time to clear at the last hour's net flow and a colour state.

The named queries give per-queue flows and staffing (queue_flow), per-vendor flows and
staffing (queue_vendor_flow) and every open case with its age and SLA risk
(queue_open_cases). This module summarises them for a chosen grouping. Definitions are in
docs/metrics.md ("Queue health").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from watchfloor import metrics

GROUPINGS = {"queue": "Queue", "vertical": "Vertical", "region": "Region", "tier": "Tier", "vendor": "Vendor"}
STATES = ("new", "queued", "in_review", "pending_info", "escalated")
STATE_RANK = {"red": 0, "amber": 1, "green": 2}


def _open_case_summary(open_cases: pl.DataFrame, key: str) -> pl.DataFrame:
    return open_cases.group_by(key).agg(
        *[(pl.col("status") == state).sum().alias(state) for state in STATES],
        pl.len().alias("backlog"),
        pl.col("case_id").sort_by("age_seconds").last().alias("oldest_case_id"),
        pl.col("age_seconds").max().alias("oldest_age_seconds"),
        pl.col("age_seconds").quantile(0.5, interpolation="linear").alias("age_p50_seconds"),
        pl.col("age_seconds").quantile(0.9, interpolation="linear").alias("age_p90_seconds"),
        (pl.col("risk") == "breached").sum().alias("breached"),
        (pl.col("risk") == "at_risk").sum().alias("at_risk"),
        pl.col("max_used_share").max().alias("max_used_share"),
    )


# Colour thresholds (docs/metrics.md, "Queue health"): red when a tenth of the backlog is past a
# target; amber when a case is past a target or a tenth of the backlog is at risk. A busy queue
# always holds a few cases at 75 % of a target; a share keeps amber for the queues falling behind,
# so most healthy queues are green.
RED_BREACHED_SHARE = 0.10
AMBER_AT_RISK_SHARE = 0.10


def colour_state(backlog: int, breached: int, at_risk: int) -> str:
    """red: breached ≥ 10 % of the backlog; amber: a breached case, or at risk ≥ 10 % of the
    backlog; green otherwise (and without a backlog)."""
    if backlog <= 0:
        return "green"
    if breached > 0 and breached >= RED_BREACHED_SHARE * backlog:
        return "red"
    if breached > 0 or (at_risk > 0 and at_risk >= AMBER_AT_RISK_SHARE * backlog):
        return "amber"
    return "green"


def _throughput(decisions: pl.Expr, staffed_hours: pl.Expr) -> pl.Expr:
    return pl.when(staffed_hours > 0).then(decisions / staffed_hours).otherwise(None)


def health_table(queue_flow: pl.DataFrame, open_cases: pl.DataFrame, vendor_flow: pl.DataFrame | None,
                 by: str) -> pl.DataFrame:
    """One row per group (queue, vertical, region, tier or vendor), sorted by risk (the vendor
    flows are needed for the vendor grouping only)."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; choose one of {', '.join(GROUPINGS)}")
    if by == "vendor":
        if vendor_flow is None:
            raise ValueError("the vendor grouping needs the vendor flows")
        rows = _by_vendor(open_cases, vendor_flow)
    else:
        rows = _by_queue_attribute(queue_flow, open_cases, by)
    states = [colour_state(r["backlog"], r["breached"], r["at_risk"]) for r in rows.iter_rows(named=True)]
    rows = rows.with_columns(pl.Series("state", states, dtype=pl.String))
    return rows.with_columns(pl.col("state").replace_strict(STATE_RANK, return_dtype=pl.Int8).alias("state_rank")).sort(
        ["state_rank", "breached", "at_risk", "max_used_share", "backlog", "group"],
        descending=[False, True, True, True, True, False],
    ).drop("state_rank")


def _with_projection(rows: pl.DataFrame) -> pl.DataFrame:
    """Clears in: the backlog over the last hour's net flow (watchfloor.metrics.hours_to_clear);
    None when the last hour's outflow did not exceed its inflow (not clearing)."""
    projected = [
        metrics.hours_to_clear(r["backlog"], r["inflow_1h"] or 0, r["outflow_1h"] or 0)
        for r in rows.iter_rows(named=True)
    ]
    return rows.with_columns(pl.Series("projected_hours_to_clear", projected, dtype=pl.Float64))


def _fill_open(rows: pl.DataFrame) -> pl.DataFrame:
    counts = [*STATES, "backlog", "breached", "at_risk"]
    return rows.with_columns(
        *[pl.col(c).fill_null(0).cast(pl.Int64) for c in counts],
        pl.col("max_used_share").fill_null(0.0),
    )


def _by_queue_attribute(queue_flow: pl.DataFrame, open_cases: pl.DataFrame, by: str) -> pl.DataFrame:
    key = "queue_id" if by == "queue" else by
    # Each queue's share of its team's capacity: its share of the team's decisions in 24 h.
    queues = queue_flow.with_columns(
        _throughput(pl.col("team_decisions_24h"), pl.col("team_staffed_hours_24h")).alias("team_throughput"),
        pl.when(pl.col("team_decisions_24h") > 0)
        .then(pl.col("decisions_24h") / pl.col("team_decisions_24h"))
        .otherwise(None)
        .alias("team_share"),
    ).with_columns(
        (pl.col("team_reviewers_on_shift") * pl.col("team_throughput") * pl.col("team_share")).alias("capacity_per_hour")
    )
    cases = open_cases.join(queue_flow.select("queue_id", *([] if by == "queue" else [by])), on="queue_id", how="inner")
    open_summary = _open_case_summary(cases, key)
    if by == "queue":
        grouped = queues.select(
            pl.col("queue_id").alias("group"),
            pl.col("queue_name").alias("label"),
            "vertical", "region", "tier", "priority", "first_action_target_min", "resolution_target_min",
            "inflow_1h", "outflow_1h", "inflow_24h", "outflow_24h",
            pl.col("team_reviewers_on_shift").alias("reviewers_on_shift"),
            pl.col("team_throughput").alias("throughput_per_staffed_hour"),
            "capacity_per_hour",
        )
    else:
        # Teams never straddle a vertical, region or tier, so team staffing adds up within a group.
        teams = queues.unique("team").group_by(by).agg(
            pl.col("team_reviewers_on_shift").sum().alias("reviewers_on_shift"),
            pl.col("team_decisions_24h").sum().alias("decisions"),
            pl.col("team_staffed_hours_24h").sum().alias("staffed_hours"),
        )
        grouped = (
            queues.group_by(by)
            .agg(
                pl.col("first_action_target_min").min(),
                *[pl.col(c).sum() for c in ("inflow_1h", "outflow_1h", "inflow_24h", "outflow_24h")],
                pl.col("capacity_per_hour").sum(),
            )
            .join(teams, on=by)
            .with_columns(_throughput(pl.col("decisions"), pl.col("staffed_hours")).alias("throughput_per_staffed_hour"))
            .drop("decisions", "staffed_hours")
            .rename({by: "group"})
            .with_columns(pl.col("group").alias("label"))
        )
    rows = grouped.join(open_summary.rename({key: "group"}), on="group", how="left")
    return _with_projection(_fill_open(rows))


def _by_vendor(open_cases: pl.DataFrame, vendor_flow: pl.DataFrame) -> pl.DataFrame:
    vendors = vendor_flow.with_columns(
        _throughput(pl.col("decisions_24h"), pl.col("staffed_hours_24h")).alias("throughput_per_staffed_hour"),
    ).with_columns((pl.col("reviewers_on_shift") * pl.col("throughput_per_staffed_hour")).alias("capacity_per_hour"))
    open_summary = _open_case_summary(open_cases, "vendor_id")
    rows = (
        vendors.select(
            pl.col("vendor_id").alias("group"),
            pl.col("vendor_name").alias("label"),
            "inflow_1h", "outflow_1h", "inflow_24h", "outflow_24h",
            "reviewers_on_shift", "throughput_per_staffed_hour", "capacity_per_hour",
        )
        .join(open_summary.rename({"vendor_id": "group"}), on="group", how="full", coalesce=True)
        .with_columns(
            pl.col("label").fill_null("Not yet assigned"),
            pl.lit(None, dtype=pl.Float64).alias("first_action_target_min"),
            *[pl.col(c).fill_null(0) for c in ("inflow_1h", "outflow_1h", "inflow_24h", "outflow_24h", "reviewers_on_shift")],
        )
    )
    return _with_projection(_fill_open(rows))


# --------------------------------------------------------------------------- Home: the worst queues

WORST_QUEUES = 5


def worst_by_sla(table: pl.DataFrame, n: int = WORST_QUEUES) -> pl.DataFrame:
    """The queues with the most open cases past an SLA target now, then at risk (Queue health's
    Breached and At risk columns of the per-queue table); queues with neither are left out."""
    return (
        table.filter((pl.col("breached") + pl.col("at_risk")) > 0)
        .sort(["breached", "at_risk", "backlog", "label", "group"], descending=[True, True, True, False, False])
        .head(n)
        .select("group", "label", "region", "vertical", "backlog", "breached", "at_risk")
    )


def worst_by_age(table: pl.DataFrame, n: int = WORST_QUEUES) -> pl.DataFrame:
    """The queues whose oldest open case is oldest against the queue's resolution target (age
    since created ÷ target; Queue health's Oldest column); empty queues are left out."""
    return (
        table.filter(pl.col("oldest_age_seconds").is_not_null() & (pl.col("resolution_target_min") > 0))
        .with_columns((pl.col("oldest_age_seconds") / (pl.col("resolution_target_min") * 60.0)).alias("age_of_target"))
        .sort(["age_of_target", "oldest_age_seconds", "label", "group"], descending=[True, True, False, False])
        .head(n)
        .select("group", "label", "region", "vertical", "oldest_case_id", "oldest_age_seconds",
                "resolution_target_min", "age_of_target")
    )


# --------------------------------------------------------------------------- one queue's history

HISTORY_DAYS = (7, 14, 30, 90)
TRAILING_DAYS = 7
HISTORY_FIGURES = ("backlog_end", "inflow", "outflow", "oldest_age_hours")


@dataclass(frozen=True)
class HistoryWindow:
    """The buckets of a queue's history: hours over 7 days, days over longer ranges. Each bucket
    (start, end] ends on the next hour or midnight; the last one, holding now, ends at now.
    history_start is range_start less the 7 days the trailing averages need."""
    days: int
    hourly: bool
    range_start: datetime
    history_start: datetime

    @property
    def buckets_per_trailing_window(self) -> int:
        return TRAILING_DAYS * 24 if self.hourly else TRAILING_DAYS


def history_window(as_of: datetime, days: int) -> HistoryWindow:
    if days not in HISTORY_DAYS:
        raise ValueError(f"a queue's history covers {', '.join(map(str, HISTORY_DAYS))} days, not {days!r}")
    hourly = days == min(HISTORY_DAYS)
    # The bucket holding now: (start, end] with end ≥ now, so a now on the hour closes the hour before.
    just_before = as_of - timedelta(microseconds=1)
    if hourly:
        current = just_before.replace(minute=0, second=0, microsecond=0)
        range_start = current - timedelta(hours=days * 24 - 1)
    else:
        current = just_before.replace(hour=0, minute=0, second=0, microsecond=0)
        range_start = current - timedelta(days=days - 1)
    return HistoryWindow(days, hourly, range_start, range_start - timedelta(days=TRAILING_DAYS))


def history_figures(buckets: pl.DataFrame, window: HistoryWindow) -> pl.DataFrame:
    """Per bucket of the range, from queries/queue_history.sql: backlog at its start and end,
    inflow, outflow and the oldest open case's age in hours at its end (0 when nothing is open),
    each with its trailing 7-day average: the mean over the 7 days of buckets just before it (so
    a bucket is compared with the week before it, not with itself). `complete` is false for the
    bucket still running (it ends at now)."""
    step = timedelta(hours=1) if window.hourly else timedelta(days=1)
    size = window.buckets_per_trailing_window
    frame = buckets.sort("bucket_start").with_columns(
        (pl.col("oldest_age_seconds").fill_null(0.0) / 3600.0).alias("oldest_age_hours"),
        ((pl.col("bucket_end") - pl.col("bucket_start")) == step).alias("complete"),
    )
    frame = frame.with_columns(
        pl.col(f).cast(pl.Float64).rolling_mean(window_size=size, min_samples=size).shift(1).alias(f"{f}_avg")
        for f in HISTORY_FIGURES
    )
    return frame.filter(pl.col("bucket_start") >= window.range_start).drop("oldest_age_seconds")
