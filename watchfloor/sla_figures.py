"""The SLA page's figures: turns the frames of its named queries (queries/sla_*.sql) into the
tables and series the page draws. No Streamlit here; docs/metrics.md ("SLA page") defines
every figure.

The page evaluates the SLA clock once (queries/sla_period_clocks.sql); `sla_figures` derives
attainment, the breach list, next to breach and breach causes from those rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypedDict

import polars as pl

from watchfloor import metrics
from watchfloor.formatting import format_duration, format_time_left
from watchfloor.labels import NO_VENDOR, calendar_label, category_labels, pause_label, texts_of, vendor_label

FIRST_ACTION = "first_action"
RESOLUTION = "resolution"
CLOCKS = (FIRST_ACTION, RESOLUTION)
CLOCK_LABELS = {FIRST_ACTION: "First action", RESOLUTION: "Resolution"}

# The breach list's clock filter: 'both' or one clock.
BOTH = "both"
CLOCK_CHOICES = {BOTH: "Both clocks", FIRST_ACTION: "First action", RESOLUTION: "Resolution"}

# The dimensions attainment and breach causes are broken down by (the queries return all four).
BREAKDOWNS = {"queue": "Queue", "priority": "Priority", "vendor": "Vendor", "region": "Region"}

# Warning levels of a running clock (sla_clocks' state), worst first: breached past 100 % of the
# target, at risk from 75 %, warning from 50 %.
STATE_LABELS = {
    "breached": "Breached",
    "at_risk": "At risk",
    "warning": "Warning",
    "on_track": "On track",
    "met": "Met",
}

# The parts of a breached clock's wall time (queries/sla_period_clocks.sql), in workflow order.
CAUSE_PARTS: dict[str, str] = {
    "queue_seconds": "Waiting in queue",
    "review_seconds": "In review",
    "pending_seconds": "Pending info",
    "escalation_seconds": "In escalation",
    "closed_seconds": "Closed, later reopened",
}

BREACH_ROW_LIMIT = 500  # breach list rows shown (`breaches` keeps up to this many per clock)
NEXT_TO_BREACH_LIMIT = 100  # running clocks listed under "Next to breach"
HOURLY_MAX_DAYS = 2  # a date range of at most this many days is bucketed by hour
SERIES_TOP_N = 5  # breakdown values drawn as lines next to "All"
CAUSES_TOP_N = 10  # breakdown values drawn as bars in the breach-cause chart



def hourly_buckets(start: date, end: date) -> bool:
    """Attainment by hour when the inclusive date range spans at most HOURLY_MAX_DAYS days, else by day."""
    return (end - start).days + 1 <= HOURLY_MAX_DAYS


# --------------------------------------------------------------------------- from the clock rows

# The breakdown dimensions: the clock column holding the value.
DIMENSION_COLUMNS = {"queue": "queue_id", "priority": "priority", "vendor": "vendor_id", "region": "region"}
_CAUSE_COLUMNS = {"queue_s": "queue_seconds", "review_s": "review_seconds", "pending_s": "pending_seconds",
                  "escalation_s": "escalation_seconds", "closed_s": "closed_seconds"}


class SlaFigures(TypedDict):
    attainment: pl.DataFrame
    breaches: pl.DataFrame
    next_to_breach: pl.DataFrame
    causes: pl.DataFrame
    now: metrics.NowCounts


def sla_figures(clocks: pl.DataFrame, as_of: datetime, period_start: datetime, period_end: datetime,
                hourly: bool, now_counted: pl.DataFrame | None = None) -> SlaFigures:
    """Every figure frame of the page from the rows of queries/sla_period_clocks.sql; the counts of
    now from queries/sla_now.sql's rows when given (the page), else from the running clocks."""
    now = now_counts(clocks) if now_counted is None else metrics.now_counts_of(now_counted)
    return {
        "attainment": attainment(clocks, as_of, period_start, period_end, hourly),
        "breaches": breaches(clocks, as_of, period_start, period_end),
        "next_to_breach": next_to_breach(clocks, now=None if now_counted is None else now),
        "causes": breach_causes(clocks, as_of, period_start, period_end),
        "now": now,
    }


def now_counts(clocks: pl.DataFrame) -> metrics.NowCounts:
    """Open cases breached and at risk now (and running clocks per state): the shared figure of
    watchfloor.metrics, from the running clocks of the query."""
    running = clocks.filter(pl.col("case_id").is_not_null() & pl.col("stopped_at").is_null())
    return metrics.now_counts(running.select("case_id", "clock", "state"))


def _period_end(as_of: datetime, period_end: datetime) -> datetime:
    return min(period_end, as_of)


def _labelled(frame: pl.LazyFrame, dimension: str) -> pl.LazyFrame:
    """Add dimension, value and label columns for one breakdown ('all': no value, label 'All')."""
    if dimension == "all":
        return frame.with_columns(pl.lit("all").alias("dimension"), pl.lit(None, dtype=pl.String).alias("value"),
                                  pl.lit("All").alias("label"))
    value = pl.col(DIMENSION_COLUMNS[dimension])
    if dimension == "queue":
        label = pl.coalesce("queue_name", "queue_id")
    elif dimension == "vendor":
        label = pl.coalesce("vendor_name", "vendor_id", pl.lit(NO_VENDOR))
    else:
        label = value
    return frame.with_columns(pl.lit(dimension).alias("dimension"), value.cast(pl.String).alias("value"),
                              label.cast(pl.String).alias("label"))


def _share(met: pl.Expr, breached: pl.Expr) -> pl.Expr:
    return pl.when(met + breached > 0).then(met / (met + breached)).otherwise(None)


_ATTAINMENT_DTYPES: dict[str, pl.DataType | type[pl.DataType]] = {
    "clock": pl.String, "bucket": pl.Datetime("us"), "dimension": pl.String, "value": pl.String,
    "label": pl.String, "met": pl.Int64, "breached": pl.Int64, "attainment": pl.Float64}
ATTAINMENT_SCHEMA = pl.Schema(_ATTAINMENT_DTYPES)


def attainment(clocks: pl.DataFrame, as_of: datetime, period_start: datetime, period_end: datetime,
               hourly: bool) -> pl.DataFrame:
    """Met and breached per clock over [period_start, min(period_end, as_of)): per bucket (UTC hours
    if `hourly`, else UTC days) and over the whole period (bucket null), overall (dimension 'all')
    and per queue, priority, vendor and region. A clock counts in the bucket of its stop (met) or
    of its breach_at (breached). 'all' has a row for every bucket of the period, also empty ones
    (attainment null); the whole-period rows exist for the clocks counted only.
    Columns: clock, bucket, dimension, value, label, met, breached, attainment."""
    a, b = period_start, _period_end(as_of, period_end)
    every = "1h" if hourly else "1d"
    counted = clocks.lazy().filter(
        pl.col("counted_at").is_not_null() & (pl.col("counted_at") >= a) & (pl.col("counted_at") < b)
    ).with_columns(
        pl.col("counted_at").dt.truncate(every).alias("bucket"),
        pl.when(pl.col("breached")).then(0).otherwise(pl.col("clocks")).cast(pl.Int64).alias("met"),
        pl.when(pl.col("breached")).then(pl.col("clocks")).otherwise(0).cast(pl.Int64).alias("n_breached"),
    )
    counts = pl.Schema({k: v for k, v in ATTAINMENT_SCHEMA.items() if k != "attainment"})
    parts = []
    for dimension in ("all", *DIMENSION_COLUMNS):
        labelled = _labelled(counted, dimension)
        for keys in (["clock", "dimension", "value", "label"], ["clock", "bucket", "dimension", "value", "label"]):
            grouped = labelled.group_by(keys).agg(pl.col("met").sum(), pl.col("n_breached").sum().alias("breached"))
            if "bucket" not in keys:
                grouped = grouped.with_columns(pl.lit(None, dtype=pl.Datetime("us")).alias("bucket"))
            elif dimension == "all":
                grouped = _every_bucket(grouped, a, b, hourly)
            parts.append(grouped.select(list(counts)).cast(counts))
    frame = pl.concat(parts).with_columns(_share(pl.col("met"), pl.col("breached")).cast(pl.Float64).alias("attainment"))
    return frame.sort(["dimension", "clock", "bucket", "label"], nulls_last=False).select(list(ATTAINMENT_SCHEMA)).collect()


def _every_bucket(grouped: pl.LazyFrame, a: datetime, b: datetime, hourly: bool) -> pl.LazyFrame:
    """The 'all' series with a row per clock and bucket from a to b, empty buckets as zeros."""
    step = timedelta(hours=1) if hourly else timedelta(days=1)
    start = a.replace(minute=0, second=0, microsecond=0) if hourly else a.replace(hour=0, minute=0, second=0, microsecond=0)
    buckets = []
    while start < b:
        buckets.append(start)
        start += step
    grid = pl.DataFrame({"clock": [c for c in CLOCKS for _ in buckets], "bucket": buckets * len(CLOCKS)},
                        schema={"clock": pl.String, "bucket": pl.Datetime("us")}).lazy()
    grouped = grouped.cast({"bucket": pl.Datetime("us")})
    return grid.join(grouped.select("clock", "bucket", "met", "breached"), on=["clock", "bucket"], how="left").with_columns(
        pl.lit("all").alias("dimension"), pl.lit(None, dtype=pl.String).alias("value"), pl.lit("All").alias("label"),
        pl.col("met").fill_null(0), pl.col("breached").fill_null(0),
    )


BREACH_COLUMNS = ["clock", "case_id", "queue_id", "queue_name", "priority", "vendor_id", "vendor_name", "region",
                  "category", "created_at", "breach_at", "stopped_at", "elapsed_seconds", "target_seconds",
                  "paused_seconds", "used_share", "case_open", "clock_breaches"]


def _breached_in_period(clocks: pl.DataFrame, as_of: datetime, period_start: datetime, period_end: datetime) -> pl.DataFrame:
    b = _period_end(as_of, period_end)
    return clocks.filter(pl.col("breached") & pl.col("case_id").is_not_null()
                         & (pl.col("breach_at") >= period_start) & (pl.col("breach_at") < b))


def breaches(clocks: pl.DataFrame, as_of: datetime, period_start: datetime, period_end: datetime,
             row_limit: int = BREACH_ROW_LIMIT) -> pl.DataFrame:
    """The clocks whose breach_at lies in the period, newest breach first, at most `row_limit` per
    clock; clock_breaches = the full count per clock (so the page can say when it truncated);
    case_open = the case's resolution clock is still running at as_of."""
    rows = _breached_in_period(clocks, as_of, period_start, period_end)
    open_cases = clocks.filter((pl.col("clock") == RESOLUTION) & pl.col("case_id").is_not_null()
                               & pl.col("stopped_at").is_null())["case_id"].unique()
    rows = rows.sort(["breach_at", "case_id"], descending=[True, False]).with_columns(
        pl.len().over("clock").cast(pl.Int64).alias("clock_breaches"),
        pl.int_range(pl.len()).over("clock").alias("_rank"),
        pl.col("case_id").is_in(open_cases.implode()).alias("case_open"),
    ).filter(pl.col("_rank") < row_limit)
    return rows.sort(["breach_at", "case_id", "clock"], descending=[True, False, False]).select(BREACH_COLUMNS)


NEXT_COLUMNS = ["case_id", "clock", "queue_id", "queue_name", "priority", "vendor_id", "vendor_name", "region",
                "category", "status", "created_at", "target_seconds", "elapsed_seconds", "paused_seconds", "due_at",
                "seconds_left", "used_share", "state", "overdue"]


def next_to_breach(clocks: pl.DataFrame, limit: int | None = None,
                   now: metrics.NowCounts | None = None) -> pl.DataFrame:
    """The running clocks in two views of at most `limit` rows each (the query's $row_limit by
    default): about to breach (not breached yet), least time left first, then overdue, most
    recently breached first -- the query's view_rank. Clocks on track (under 50 % of the target)
    are not listed. The *_now columns count every running clock in scope by state, not only the
    rows listed (from `now`, counted in SQL, when given)."""
    limit = NEXT_TO_BREACH_LIMIT if limit is None else limit
    running = clocks.filter(pl.col("case_id").is_not_null() & pl.col("stopped_at").is_null())
    if now is None:
        counts = running.select(
            (pl.col("state") == "breached").sum().cast(pl.Int64).alias("breached_now"),
            (pl.col("state") == "at_risk").sum().cast(pl.Int64).alias("at_risk_now"),
            (pl.col("state") == "warning").sum().cast(pl.Int64).alias("warning_now"),
            pl.len().cast(pl.Int64).alias("running_now"),
        )
    else:
        counts = pl.DataFrame({"breached_now": [sum(now.breached.values())], "at_risk_now": [sum(now.at_risk.values())],
                               "warning_now": [sum(now.warning.values())], "running_now": [now.running]},
                              schema={c: pl.Int64 for c in ("breached_now", "at_risk_now", "warning_now", "running_now")})
    top = running.with_columns((pl.col("state") == "breached").alias("overdue")).filter(
        (pl.col("view_rank") <= limit) & (pl.col("state") != "on_track")).sort(["overdue", "view_rank"])
    return top.select(NEXT_COLUMNS).join(counts, how="cross")


CAUSE_SCHEMA = pl.Schema({"clock": pl.String, "dimension": pl.String, "value": pl.String, "label": pl.String,
                          "breached_clocks": pl.Int64, **{c: pl.Float64 for c in _CAUSE_COLUMNS.values()},
                          "total_seconds": pl.Float64})


def breach_causes(clocks: pl.DataFrame, as_of: datetime, period_start: datetime, period_end: datetime) -> pl.DataFrame:
    """Where the wall time of the clocks that breached in the period went, summed per clock and
    breakdown ('all', queue, priority, vendor, region): breached_clocks, the seconds of each part
    (CAUSE_PARTS) and total_seconds (their sum, the spans). Per clock the parts come from the
    query (queue_s .. closed_s)."""
    rows = _breached_in_period(clocks, as_of, period_start, period_end).lazy().rename(_CAUSE_COLUMNS).with_columns(
        [pl.col(c).fill_null(0.0).cast(pl.Float64) for c in _CAUSE_COLUMNS.values()])
    rows = rows.with_columns(pl.sum_horizontal(list(_CAUSE_COLUMNS.values())).alias("total_seconds"))
    parts = []
    for dimension in ("all", *DIMENSION_COLUMNS):
        grouped = _labelled(rows, dimension).group_by("clock", "dimension", "value", "label").agg(
            pl.len().cast(pl.Int64).alias("breached_clocks"),
            *[pl.col(c).sum() for c in (*_CAUSE_COLUMNS.values(), "total_seconds")])
        parts.append(grouped.select(list(CAUSE_SCHEMA)).cast(CAUSE_SCHEMA))
    frame = pl.concat(parts)
    return frame.sort(["dimension", "clock", "total_seconds", "label"], descending=[False, False, True, False]).collect()


# --------------------------------------------------------------------------- policies


def policy_table(policies: pl.DataFrame) -> pl.DataFrame:
    """One row per policy, in readable units (queries/sla_policies.sql)."""
    rows = []
    for row in policies.iter_rows(named=True):
        rows.append({
            "Policy": row["policy_name"],
            "Priority": row["priority"],
            "First action": format_duration(row["first_action_target_seconds"]),
            "Resolution": format_duration(row["resolution_target_seconds"]),
            "Calendar": calendar_label(row["calendar"], row["business_start_hour"], row["business_end_hour"]),
            "Pending info": pause_label(row["pause_on_pending"]),
            "Queues": row["queue_count"],
            "Queue names": list(row["queue_names"] or []),
        })
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "Policy": pl.String, "Priority": pl.String, "First action": pl.String, "Resolution": pl.String,
        "Calendar": pl.String, "Pending info": pl.String, "Queues": pl.Int64, "Queue names": pl.List(pl.String)}
    return pl.DataFrame(rows, schema=schema)


# --------------------------------------------------------------------------- attainment


@dataclass(frozen=True)
class Attainment:
    met: int
    breached: int

    @property
    def share(self) -> float | None:
        return metrics.attainment(self.met, self.breached)


def any_whole_period(attainment: pl.DataFrame) -> bool:
    """Whether any clock stopped or breached in the period (there are whole-period rows)."""
    return attainment.filter(pl.col("bucket").is_null()).height > 0


def in_percent(view: pl.DataFrame) -> pl.DataFrame:
    """A clock view (clock_view) with its attainment in percent, as the breakdown table shows it."""
    return view.with_columns(pl.col("attainment") * 100)


def overall_attainment(attainment: pl.DataFrame, clock: str) -> Attainment:
    """Met and breached over the whole period for one clock (the 'all' row with no bucket)."""
    rows = attainment.filter(
        (pl.col("dimension") == "all") & pl.col("bucket").is_null() & (pl.col("clock") == clock)
    )
    if rows.height == 0:
        return Attainment(0, 0)
    return Attainment(int(rows["met"][0]), int(rows["breached"][0]))


def clock_view(table: pl.DataFrame, clock: str) -> pl.DataFrame:
    """One clock's part of breakdown_table: label, met, breached, attainment (a share); values with
    clocks counted only, most breaches first (then most clocks, then label)."""
    prefix = "fa" if clock == FIRST_ACTION else "res"
    view = table.select(
        "label",
        pl.col(f"{prefix}_met").alias("met"),
        pl.col(f"{prefix}_breached").alias("breached"),
        pl.col(f"{prefix}_attainment").alias("attainment"),
    ).filter(pl.col("met") + pl.col("breached") > 0)
    return view.with_columns((pl.col("met") + pl.col("breached")).alias("_n")).sort(
        ["breached", "_n", "label"], descending=[True, True, False]).drop("_n")


def breakdown_table(attainment: pl.DataFrame, dimension: str) -> pl.DataFrame:
    """Whole-period met, breached and attainment per value of `dimension`, both clocks side by side;
    most breaches first. Columns: value, label, {fa,res}_{met,breached,attainment}."""
    whole = attainment.filter((pl.col("dimension") == dimension) & pl.col("bucket").is_null())
    columns = {
        "value": pl.String, "label": pl.String,
        "fa_met": pl.Int64, "fa_breached": pl.Int64, "fa_attainment": pl.Float64,
        "res_met": pl.Int64, "res_breached": pl.Int64, "res_attainment": pl.Float64,
    }
    if whole.height == 0:
        return pl.DataFrame(schema=columns)
    merged: dict[tuple, dict] = {}
    for row in whole.iter_rows(named=True):
        key = (row["value"], row["label"])
        entry = merged.setdefault(key, {"value": row["value"], "label": row["label"],
                                        "fa_met": 0, "fa_breached": 0, "res_met": 0, "res_breached": 0})
        prefix = "fa" if row["clock"] == FIRST_ACTION else "res"
        entry[f"{prefix}_met"] = int(row["met"])
        entry[f"{prefix}_breached"] = int(row["breached"])
    for entry in merged.values():
        for prefix in ("fa", "res"):
            entry[f"{prefix}_attainment"] = Attainment(entry[f"{prefix}_met"], entry[f"{prefix}_breached"]).share
    table = pl.DataFrame(list(merged.values()), schema=columns)
    return table.with_columns((pl.col("fa_breached") + pl.col("res_breached")).alias("_b")).sort(
        ["_b", "label"], descending=[True, False]
    ).drop("_b")


def chart_series(attainment: pl.DataFrame, dimension: str, clock: str, top_n: int = SERIES_TOP_N) -> pl.DataFrame:
    """The attainment series to draw for one clock: 'All' (every bucket) and the `top_n` values of
    `dimension` with most breaches of that clock over the period (ties: more clocks, then label).
    Columns: label, bucket, attainment, met, breached; 'All' first."""
    rows = attainment.filter((pl.col("clock") == clock) & pl.col("bucket").is_not_null())
    overall = rows.filter(pl.col("dimension") == "all")
    whole = attainment.filter(
        (pl.col("clock") == clock) & (pl.col("dimension") == dimension) & pl.col("bucket").is_null()
    )
    top = (
        whole.with_columns((pl.col("met") + pl.col("breached")).alias("_n"))
        .sort(["breached", "_n", "label"], descending=[True, True, False])
        .head(top_n)["label"].to_list()
    )
    parts = [overall.select("label", "bucket", "attainment", "met", "breached").sort("bucket")]
    for label in top:
        parts.append(
            rows.filter((pl.col("dimension") == dimension) & (pl.col("label") == label))
            .select("label", "bucket", "attainment", "met", "breached").sort("bucket")
        )
    return pl.concat(parts) if parts else overall


# --------------------------------------------------------------------------- breach list


@dataclass(frozen=True)
class BreachList:
    rows: pl.DataFrame  # the rows to show, newest breach first
    total: int  # breaches of the chosen clock(s) in the period
    truncated: bool


def select_breaches(breaches: pl.DataFrame, clock_choice: str, limit: int = BREACH_ROW_LIMIT) -> BreachList:
    """The breach list for 'both' or one clock, newest first, at most `limit` rows.

    `breaches` keeps up to `limit` rows per clock and each clock's full count, so the newest
    `limit` of both clocks are among its rows."""
    rows = breaches if clock_choice == BOTH else breaches.filter(pl.col("clock") == clock_choice)
    totals = rows.group_by("clock").agg(pl.col("clock_breaches").first())
    total = int(totals["clock_breaches"].sum()) if totals.height else 0
    rows = rows.sort(["breach_at", "case_id", "clock"], descending=[True, False, False]).head(limit)
    return BreachList(rows=rows, total=total, truncated=total > rows.height)


def breach_display(rows: pl.DataFrame) -> pl.DataFrame:
    """The breach list in readable columns (ids kept for the case link)."""
    return rows.select(
        pl.col("case_id").alias("Case"),
        pl.col("clock").replace_strict(CLOCK_LABELS, default=pl.col("clock")).alias("Clock"),
        pl.col("breach_at").alias("Breached at"),
        texts_of(rows, lambda elapsed, target: f"{format_duration(elapsed)} / {format_duration(target)}",
                 "elapsed_seconds", "target_seconds").alias("Elapsed / target"),
        pl.col("case_open").alias("Still open"),
        pl.col("queue_name").alias("Queue"),
        pl.col("priority").alias("Priority"),
        texts_of(rows, vendor_label, "vendor_id", "vendor_name").alias("Vendor"),
        category_labels("category").alias("Category"),
        pl.col("region").alias("Region"),
        pl.col("created_at").alias("Created"),
    )


# --------------------------------------------------------------------------- next to breach


@dataclass(frozen=True)
class RunningNow:
    running: int
    breached: int
    at_risk: int
    warning: int


def running_now(next_to_breach: pl.DataFrame) -> RunningNow:
    """Counts of every running clock in scope by warning level (not only the listed rows)."""
    if next_to_breach.height == 0:
        return RunningNow(0, 0, 0, 0)
    row = next_to_breach.row(0, named=True)
    return RunningNow(int(row["running_now"]), int(row["breached_now"]), int(row["at_risk_now"]), int(row["warning_now"]))


# The two views of the running clocks: at risk or warning (least time left first), and overdue.
UPCOMING = "upcoming"
OVERDUE = "overdue"
NEXT_VIEWS = {UPCOMING: "About to breach", OVERDUE: "Overdue"}


def next_view(next_to_breach: pl.DataFrame, view: str) -> pl.DataFrame:
    """The rows of one view, in the query's order (by time left; overdue: most recently breached first)."""
    return next_to_breach.filter(pl.col("overdue") == (view == OVERDUE))


def next_view_counts(next_to_breach: pl.DataFrame) -> dict[str, int]:
    """Running clocks in scope per view (all of them, not only the rows listed): about to breach
    counts the clocks at risk or warning, as the headline tile's note does."""
    now = running_now(next_to_breach)
    return {UPCOMING: now.at_risk + now.warning, OVERDUE: now.breached}


def next_to_breach_display(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.select(
        pl.col("case_id").alias("Case"),
        pl.col("clock").replace_strict(CLOCK_LABELS, default=pl.col("clock")).alias("Clock"),
        pl.col("state").replace_strict(STATE_LABELS, default=pl.col("state")).alias("Level"),
        (pl.col("used_share") * 100).alias("Used"),
        texts_of(rows, format_time_left, "seconds_left").alias("Time left"),
        pl.col("queue_name").alias("Queue"),
        texts_of(rows, _status_label, "status").alias("Status"),
        pl.col("priority").alias("Priority"),
        texts_of(rows, vendor_label, "vendor_id", "vendor_name").alias("Vendor"),
        category_labels("category").alias("Category"),
    )


def _status_label(status: str | None) -> str:
    return {
        "new": "New", "queued": "Queued", "in_review": "In review", "pending_info": "Pending info",
        "escalated": "Escalated", "resolved": "Resolved",
    }.get(status or "", status or "–")


# --------------------------------------------------------------------------- breach causes


def cause_split(causes: pl.DataFrame, clock: str, dimension: str, top_n: int = CAUSES_TOP_N) -> pl.DataFrame:
    """Long form for a stacked bar: per value of `dimension` (the `top_n` with most breached
    clocks; 'all' for the overall split) and part, the seconds and their share of the value's
    wall time. Columns: label, breached_clocks, part, seconds, share; values in order of breached
    clocks, parts in CAUSE_PARTS order."""
    rows = causes.filter((pl.col("clock") == clock) & (pl.col("dimension") == dimension))
    rows = rows.sort(["breached_clocks", "total_seconds", "label"], descending=[True, True, False]).head(top_n)
    out = []
    for row in rows.iter_rows(named=True):
        total = row["total_seconds"] or 0.0
        for column, part in CAUSE_PARTS.items():
            seconds = float(row[column] or 0.0)
            out.append({"label": row["label"], "breached_clocks": int(row["breached_clocks"]), "part": part,
                        "seconds": seconds, "share": seconds / total if total > 0 else None})
    schema = {"label": pl.String, "breached_clocks": pl.Int64, "part": pl.String, "seconds": pl.Float64, "share": pl.Float64}
    return pl.DataFrame(out, schema=schema)


# --------------------------------------------------------------------------- case timeline


# The state a case is in after each event, as the breach-cause split counts it; events not listed
# (first_action, decided, enforced) leave the state as it was.
EVENT_STATE = {
    "created": "Waiting in queue", "routed": "Waiting in queue", "info_received": "Waiting in queue",
    "reopened": "Waiting in queue", "assigned": "In review", "pending_info": "Pending info",
    "escalated": "In escalation", "resolved": "Closed",
}


def timeline_states(event_types: list[str]) -> list[str]:
    """The state after each event (carried over events that do not change it)."""
    states, state = [], "Waiting in queue"
    for event_type in event_types:
        state = EVENT_STATE.get(event_type, state)
        states.append(state)
    return states


def timeline_display(events: pl.DataFrame) -> pl.DataFrame:
    """A case's events with the state each leaves it in and for how long (sla_case_events.sql)."""
    return events.select(
        pl.col("occurred_at").alias("When"),
        texts_of(events, lambda e: e.replace("_", " ").capitalize(), "event_type").alias("Event"),
        pl.Series("Then", timeline_states(events["event_type"].to_list()), dtype=pl.String),
        texts_of(events, format_duration, "seconds_in_state").alias("For"),
        pl.col("actor_id").alias("By"),
        pl.coalesce("queue_name", "queue_id").alias("Queue"),
        pl.col("detail").alias("Detail"),
    )
