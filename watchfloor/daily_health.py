"""Home's daily health: turns the named queries' frames into the figures the tiles show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl

from watchfloor import metrics, spikes
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
) -> DailyHealth:
    """`sla` is home_sla's frame (with home_sla_week_before's rows): 'attainment' rows per period
    and clock (met, breached), 'running' rows per running clock now. The figures are the shared
    ones of watchfloor.metrics: attainment, the backlog as the sum of the open cases by state
    (the week-earlier backlog from home_flow), breached and at risk now."""
    attainment = sla.filter(pl.col("kind") == "attainment")
    now = metrics.now_counts(sla.filter(pl.col("kind") == "running"))

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


# --------------------------------------------------------------------------- rising categories

RISING_HISTORY = timedelta(days=29)  # what home_rising_categories.sql fetches
RISING_WINDOW = timedelta(hours=24)
_SEVERITY_RANK = {name: i for i, name in enumerate(spikes.SEVERITIES)}


def rising_categories(hourly: pl.DataFrame, as_of: datetime, top_n: int = 3,
                      sensitivity: str = "normal") -> pl.DataFrame:
    """The categories with a spike alert in the last 24 hours, as the spike evaluation scores them.

    `hourly` is home_rising_categories' frame (category, surface, region, bucket, cases,
    top_account, slot_0 .. slot_5) over the 29 days before the current hour. Every category is watched on
    its category, category x surface, category x region and category x surface x region series
    (the category series with the sensitivity's settings, SpikeParams.at; the narrower ones with
    their fine() version), and its episodes that share an hour are one alert, labelled with its
    scope (watchfloor.spikes.watched_alerts). Bursts (a batch landing at once, reports piling onto
    one account: watchfloor.spikes.burst_kind) are not spikes and do not count. A category is
    rising if one of its spike alerts reaches into the last 24 complete hours. One row per
    category (its most important alert: ongoing first, then by severity, then by excess cases),
    top_n rows. Columns: category, surface and region of the alert's scope (null: all), state
    ('ongoing' or 'ended'), onset, severity, cases and expected over the alert in its scope,
    last_24h (the scope's cases in the last 24 hours) and week_before (the same 24 hours a week
    earlier).
    """
    hour = as_of.replace(minute=0, second=0, microsecond=0)
    window_start = hour - RISING_WINDOW
    schema = {"category": pl.String, "surface": pl.String, "region": pl.String, "state": pl.String,
              "onset": pl.Datetime("us"), "severity": pl.String, "cases": pl.Float64, "expected": pl.Float64,
              "last_24h": pl.Int64, "week_before": pl.Int64}
    if hourly.height == 0:
        return pl.DataFrame(schema=schema)
    # Hours before the data begins are unknown, not zero (a jump from nothing would look like a spike).
    start = max(hour - RISING_HISTORY, hourly["bucket"].min())
    if start >= hour - timedelta(hours=1):
        return pl.DataFrame(schema=schema)
    watched = spikes.watched_series(hourly, start, hour - timedelta(hours=1))
    params = spikes.SpikeParams.at(sensitivity)
    alerts = spikes.watched_alerts(watched, params, params.fine()).filter(
        (pl.col("end") >= window_start) & (pl.col("kind") == "spike"))
    if alerts.height == 0:
        return pl.DataFrame(schema=schema)
    ranked = (
        alerts.with_columns(
            pl.col("severity").replace_strict(_SEVERITY_RANK, default=len(_SEVERITY_RANK)).alias("_rank"),
            (pl.col("observed") - pl.col("expected")).alias("_excess"),
        )
        .sort(["ongoing", "_rank", "_excess", "category"], descending=[True, False, True, False])
        .unique("category", keep="first", maintain_order=True)
        .head(top_n)
    )
    index = {t: i for i, t in enumerate(watched.stamps)}
    rows = watched.keys.with_row_index("row")
    last_24h, week_before = [], []
    for alert in ranked.iter_rows(named=True):
        # The scope's own series (every scope with an alert is watched, so it has a row).
        row = rows.filter((pl.col("category") == alert["category"]) & (pl.col("level") == alert["level"])
                          & pl.col("surface").eq_missing(alert["surface"])
                          & pl.col("region").eq_missing(alert["region"]))["row"][0]
        values = watched.values[row]
        last_24h.append(_hours_sum(values, index, window_start, hour, watched.stamps[0]))
        week_before.append(_hours_sum(values, index, window_start - timedelta(days=7), hour - timedelta(days=7),
                                      watched.stamps[0]))
    return ranked.select(
        "category", "surface", "region",
        pl.when(pl.col("ongoing")).then(pl.lit("ongoing")).otherwise(pl.lit("ended")).alias("state"),
        "onset", "severity",
        pl.col("observed").alias("cases"), "expected",
        pl.Series("last_24h", last_24h, dtype=pl.Int64), pl.Series("week_before", week_before, dtype=pl.Int64),
    )


def _hours_sum(values, index: dict, start: datetime, end: datetime, first: datetime) -> int:
    """Cases of a watched series in [start, end) (hours before its grid count as none)."""
    lo = index.get(max(start, first), 0 if start < first else len(values))
    hi = index.get(end, len(values)) if end > first else 0
    return int(values[lo:hi].sum())
