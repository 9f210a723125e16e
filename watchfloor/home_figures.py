"""Home's daily health: turns the named queries' frames into the figures the tiles show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl

from watchfloor import metrics, spike_record
from watchfloor.compare import Change
from watchfloor.spike_record import SpikeRecord

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
    breached_now: dict[str, int]  # 'any' -> open cases past a target; clock -> running clocks past it
    at_risk_now: dict[str, int]  # 'any' -> open cases at >= 75 % of a target, none past; clock -> clocks
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
    now_counted: pl.DataFrame,
) -> DailyHealth:
    """`sla` is home_sla's frame (with home_sla_week_before's rows): 'attainment' rows per period
    and clock (met, breached); `now_counted` is sla_now's (the open cases breached and at risk now,
    counted in SQL). The figures are the shared ones of watchfloor.metrics: attainment, the backlog
    as the sum of the open cases by state (the week-earlier backlog from home_flow), breached and
    at risk now."""
    attainment = sla.filter(pl.col("kind") == "attainment")
    now = metrics.now_counts_of(now_counted)

    def change(frame: pl.DataFrame, column: str, **match: str) -> Change:
        return Change(
            _value(frame, column, period=CURRENT, **match),
            _value(frame, column, period=PREVIOUS, **match),
        )

    def share(clock: str) -> Change:
        def one(period: str) -> float | None:
            rows = attainment.filter((pl.col("period") == period) & (pl.col("clock") == clock))
            return metrics.attainment(rows["met"][0], rows["breached"][0]) if rows.height else None
        return Change(one(CURRENT), one(PREVIOUS))

    return DailyHealth(
        inflow=change(flow, "inflow"),
        resolved=change(flow, "resolved"),
        backlog=Change(metrics.backlog(backlog_by_state), _value(flow, "backlog_at_end", period=PREVIOUS)),
        first_action_attainment=share("first_action"),
        resolution_attainment=share("resolution"),
        breached_now={"any": now.breached_cases, **now.breached},
        at_risk_now={"any": now.at_risk_cases, **now.at_risk},
        open_incidents={row["severity"]: int(row["open_incidents"]) for row in incidents.iter_rows(named=True)},
        backlog_by_state={row["status"]: int(row["cases"]) for row in backlog_by_state.iter_rows(named=True)},
    )


def summarise_day(flow: pl.DataFrame, sla: pl.DataFrame, sla_week_before: pl.DataFrame, incidents: pl.DataFrame,
                  backlog_by_state: pl.DataFrame, now_counted: pl.DataFrame) -> DailyHealth:
    """summarise() over Home's frames as fetched: home_sla's and home_sla_week_before's rows apart."""
    return summarise(flow, pl.concat([sla, sla_week_before], how="diagonal_relaxed"), incidents, backlog_by_state,
                     now_counted)


# --------------------------------------------------------------------------- rising categories

RISING_WINDOW = timedelta(hours=24)
RISING_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "spike_id": pl.String, "category": pl.String, "surface": pl.String, "region": pl.String,
    "label": pl.String, "state": pl.String, "ongoing": pl.Boolean, "onset": pl.Datetime("us"),
    "end": pl.Datetime("us"), "until": pl.Datetime("us"), "peak": pl.Datetime("us"),
    "peak_observed": pl.Float64, "peak_expected": pl.Float64, "severity": pl.String,
    "cases": pl.Float64, "expected": pl.Float64, "excess": pl.Float64, "multiplier": pl.Float64,
    "last_24h": pl.Int64, "week_before": pl.Int64}


def rising_categories(record: SpikeRecord, cells: pl.DataFrame, as_of: datetime, top_n: int = 3) -> pl.DataFrame:
    """The categories with a spike in the last 24 hours: the spike record's spikes (bursts do not
    count) whose hours reach into the 24 complete hours before now, one per category (its most
    important: ongoing first, then by severity, then by excess cases; spike_record.ranked), top_n
    rows. The spike's figures are the record's (onset, end, peak, severity; cases and expected
    over the spike in its scope, excess, multiplier); state: 'ongoing' or 'ended'. last_24h: the
    scope's cases in the last 24 complete hours, week_before: the same hours a week earlier, from
    `cells` (the record's watched_series frame)."""
    hour = spike_record.hour_of(as_of)
    window_start = hour - RISING_WINDOW
    found = spike_record.ranked(record.overlapping(window_start, hour).filter(pl.col("kind") == "spike"))
    found = found.unique("category", keep="first", maintain_order=True).head(top_n)
    if found.height == 0:
        return pl.DataFrame(schema=RISING_SCHEMA)
    week = timedelta(days=7)
    last_24h, week_before = [], []
    for spike in found.iter_rows(named=True):
        scope = pl.col("category") == spike["category"]
        for dim in ("surface", "region"):
            if spike[dim] is not None:
                scope &= pl.col(dim) == spike[dim]
        rows = cells.filter(scope)
        last_24h.append(_cases_in(rows, window_start, hour))
        week_before.append(_cases_in(rows, window_start - week, hour - week))
    return found.select(
        "spike_id", "category", "surface", "region", "label",
        pl.when(pl.col("ongoing")).then(pl.lit("ongoing")).otherwise(pl.lit("ended")).alias("state"),
        "ongoing", "onset", "end", "until", "peak", "peak_observed", "peak_expected", "severity",
        pl.col("observed").alias("cases"), "expected", "excess", "multiplier",
        pl.Series("last_24h", last_24h, dtype=pl.Int64), pl.Series("week_before", week_before, dtype=pl.Int64),
    )


def _cases_in(cells: pl.DataFrame, start: datetime, end: datetime) -> int:
    """Cases of the cells in hours [start, end)."""
    return int(cells.filter((pl.col("bucket") >= start) & (pl.col("bucket") < end))["cases"].sum())
