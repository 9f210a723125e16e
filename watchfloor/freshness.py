"""How far behind now the warehouse is, and whether that is fine, worrying or stale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from watchfloor.formatting import format_lag


@dataclass(frozen=True)
class Freshness:
    newest_event_at: datetime | None
    lag_minutes: float | None
    level: str  # green | amber | red

    def describe(self, shown_at: str | None = None) -> str:
        """'2026-03-08 14:00 UTC (3 min ago)'; `shown_at`: the newest event's time as the reader
        sees it (their zone), UTC by default."""
        if self.newest_event_at is None or self.lag_minutes is None:
            return "never: the warehouse holds no events"
        when = shown_at or f"{self.newest_event_at:%Y-%m-%d %H:%M} UTC"
        return f"{when} ({format_lag(self.lag_minutes)} ago)"


def assess(newest_event_at: datetime | None, now: datetime, amber_minutes: float, red_minutes: float) -> Freshness:
    """Green below the amber lag, amber from it, red from the red lag or with no events at all."""
    if newest_event_at is None:
        return Freshness(None, None, "red")
    lag = (now - newest_event_at).total_seconds() / 60
    level = "red" if lag >= red_minutes else "amber" if lag >= amber_minutes else "green"
    return Freshness(newest_event_at, lag, level)


def summary_lag(newest_event_at: datetime | None, summaries_through: datetime | None, built: bool) -> str | None:
    """One line when the summaries the pages read (SLA clocks, hourly case counts, reviewer sessions)
    are behind the raw events, else None.
    The figures still come from the summaries: this says how far behind they are."""
    if not built:
        return ("SLA, trend and vendor-work figures are not available yet: the summaries have not been built "
                "(run `watchfloor refresh`).")
    if newest_event_at is None or (summaries_through is not None and summaries_through >= newest_event_at):
        return None
    if summaries_through is None:
        return "SLA, trend and vendor-work figures do not include any events yet: the summaries are behind the warehouse."
    behind = (newest_event_at - summaries_through).total_seconds() / 60
    return (f"SLA, trend and vendor-work figures include events up to {summaries_through:%Y-%m-%d %H:%M} UTC, "
            f"{format_lag(behind)} behind the newest event (run `watchfloor refresh` if this lasts).")
