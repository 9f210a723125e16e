"""The Alerts page's figures, from the alert store's frames: open alerts and who has them, the
history with time to acknowledge and to resolve, and how the deliveries went per channel.
docs/metrics.md ("Alerts page") defines each figure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import polars as pl

from watchfloor.alerting.rules import SEVERITY_RANK
from watchfloor.formatting import format_duration

HISTORY_DAYS = 7
SNOOZE_CHOICES = {"30 min": timedelta(minutes=30), "1 hour": timedelta(hours=1), "4 hours": timedelta(hours=4),
                  "24 hours": timedelta(hours=24)}
WORKER_LATE_INTERVALS = 3  # the worker is 'not running' when it has not been seen for this many intervals


@dataclass(frozen=True)
class Summary:
    open: int
    unacknowledged: int
    opened_in_window: int
    median_to_acknowledge_s: float | None
    median_to_resolve_s: float | None


def _seconds(a: str, b: str) -> pl.Expr:
    return (pl.col(b) - pl.col(a)).dt.total_seconds().cast(pl.Float64)


def with_durations(alerts: pl.DataFrame) -> pl.DataFrame:
    """Adds to_acknowledge_s (opened to acknowledged) and to_resolve_s (opened to resolved); null until reached."""
    return alerts.with_columns(_seconds("opened_at", "acknowledged_at").alias("to_acknowledge_s"),
                               _seconds("opened_at", "resolved_at").alias("to_resolve_s"))


def summary(alerts: pl.DataFrame, now: datetime, days: int = HISTORY_DAYS) -> Summary:
    """Open and unacknowledged alerts now; over the alerts opened in the last `days` days, the
    median time to acknowledge (of those acknowledged) and to resolve (of those resolved)."""
    rows = with_durations(alerts)
    open_rows = rows.filter(pl.col("resolved_at").is_null())
    recent = rows.filter(pl.col("opened_at") >= now - timedelta(days=days))
    return Summary(
        open=open_rows.height,
        unacknowledged=open_rows.filter(pl.col("acknowledged_at").is_null()).height,
        opened_in_window=recent.height,
        median_to_acknowledge_s=cast(float | None, recent["to_acknowledge_s"].drop_nulls().median()),
        median_to_resolve_s=cast(float | None, recent["to_resolve_s"].drop_nulls().median()),
    )


def utc_stamp(moment: datetime, fmt: str) -> str:
    """'11-18 12:10 UTC': a time as written by default (a page passes one for its reader's zone)."""
    return f"{moment:{fmt}} UTC"


def status(row: dict, now: datetime, stamp: Callable[[datetime, str], str] = utc_stamp) -> str:
    """What state an alert is in, in words: who acknowledged or snoozed it, and when."""
    if row["resolved_at"] is not None:
        return f"Resolved {stamp(row['resolved_at'], '%m-%d %H:%M')}"
    if row["acknowledged_at"] is not None:
        return f"Acknowledged by {row['acknowledged_by']} at {stamp(row['acknowledged_at'], '%m-%d %H:%M')}"
    if row["snoozed_until"] is not None and row["snoozed_until"] > now:
        return f"Snoozed by {row['snoozed_by']} until {stamp(row['snoozed_until'], '%m-%d %H:%M')}"
    if row["notified_at"] is None:
        return "New, not notified yet (cooldown or quiet hours)"
    return "New, not acknowledged"


def open_table(alerts: pl.DataFrame, now: datetime, stamp: Callable[[datetime, str], str] = utc_stamp) -> pl.DataFrame:
    """The open alerts, most severe first, then oldest first; the columns the page shows."""
    rows = alerts.filter(pl.col("resolved_at").is_null()).with_columns(
        pl.col("severity").replace_strict(SEVERITY_RANK, default=len(SEVERITY_RANK)).alias("_rank"))
    rows = rows.sort(["_rank", "opened_at", "id"])
    return rows.select(
        "id", "severity", "title", "where_text", "measure",
        pl.coalesce("since", "opened_at").alias("since"), "opened_at",
        pl.Series("status", [status(r, now, stamp) for r in rows.iter_rows(named=True)], dtype=pl.String),
        "notices", "rule_id", "page", "link_query",
    )


def history_table(alerts: pl.DataFrame, now: datetime, days: int = HISTORY_DAYS) -> pl.DataFrame:
    """Alerts opened in the last `days` days, newest first, with time to acknowledge and resolve."""
    rows = with_durations(alerts).filter(pl.col("opened_at") >= now - timedelta(days=days)).sort("id", descending=True)
    # Formatted in plain Python after collecting (a few hundred rows at most; no callbacks inside Polars).
    return rows.select(
        "id", "severity", "title", "rule_id", "opened_at", "acknowledged_by",
        pl.Series("to_acknowledge", _durations(rows["to_acknowledge_s"]), dtype=pl.String),
        "resolved_at",
        pl.Series("to_resolve", _durations(rows["to_resolve_s"]), dtype=pl.String),
    )


def _durations(series: pl.Series) -> list[str | None]:
    return [None if v is None else format_duration(v) for v in series.to_list()]


def channel_health(deliveries: pl.DataFrame) -> pl.DataFrame:
    """Per channel and URL: notices sent, waiting to be retried, failed or skipped, the last
    success and the last error."""
    if deliveries.height == 0:
        return pl.DataFrame(schema={"channel": pl.String, "target_label": pl.String, "sent": pl.Int64,
                                    "retrying": pl.Int64, "failed": pl.Int64, "last_sent": pl.Datetime("us"),
                                    "last_error": pl.String})
    return deliveries.group_by("channel", "target_label").agg(
        (pl.col("status") == "sent").sum().cast(pl.Int64).alias("sent"),
        (pl.col("status") == "pending").sum().cast(pl.Int64).alias("retrying"),
        pl.col("status").is_in(["failed", "skipped"]).sum().cast(pl.Int64).alias("failed"),
        pl.col("sent_at").max().alias("last_sent"),
        pl.col("last_error").drop_nulls().first().alias("last_error"),
    ).sort("channel", "target_label")


def worker_state(seen_at: datetime | None, now: datetime, interval_seconds: float,
                 stamp: Callable[[datetime, str], str] = utc_stamp) -> tuple[bool, str]:
    """(running, words): whether the worker has run within a few intervals, and when it last did."""
    if seen_at is None:
        return False, "The alert worker has not run yet: start it with `watchfloor alerts run` (make run starts it)."
    ago = (now - seen_at).total_seconds()
    if ago > WORKER_LATE_INTERVALS * interval_seconds:
        return False, (f"The alert worker last ran {format_duration(ago)} ago ({stamp(seen_at, '%Y-%m-%d %H:%M')}): "
                       "it seems to have stopped, so nobody is being told. Check its log.")
    return True, f"The alert worker checks every rule every {format_duration(interval_seconds)}; last run {stamp(seen_at, '%H:%M:%S')}."
