"""How far behind now the warehouse is, and whether that is fine, worrying or stale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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


def format_lag(minutes: float) -> str:
    minutes = max(minutes, 0.0)
    if minutes < 1:
        return "less than a minute"
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours = minutes / 60
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def assess(newest_event_at: datetime | None, now: datetime, amber_minutes: float, red_minutes: float) -> Freshness:
    """Green below the amber lag, amber from it, red from the red lag or with no events at all."""
    if newest_event_at is None:
        return Freshness(None, None, "red")
    lag = (now - newest_event_at).total_seconds() / 60
    level = "red" if lag >= red_minutes else "amber" if lag >= amber_minutes else "green"
    return Freshness(newest_event_at, lag, level)
