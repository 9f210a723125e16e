"""Period-over-period comparisons shown as deltas on tiles."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    current: float | None
    previous: float | None

    @property
    def delta(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def delta_share(self) -> float | None:
        """Relative change; None when there is nothing to compare against."""
        if self.delta is None or not self.previous:
            return None
        return self.delta / self.previous


NO_CHANGE = "no change"


def describe_count_change(change: Change) -> str | None:
    """'+120 (+8%)' style text for a count, or None when not comparable."""
    if change.delta is None:
        return None
    if round(change.delta) == 0:
        return NO_CHANGE
    text = f"{change.delta:+,.0f}"
    if change.delta_share is not None:
        text += f" ({change.delta_share:+.0%})"
    return text


def describe_relative_change(change: Change) -> str:
    """'+18%' for a count against its comparison, 'new' where the comparison was zero."""
    if change.current is None:
        return "–"
    if not change.previous:
        return "new" if change.current else "–"
    return f"{change.delta_share:+.0%}"


def describe_share_change(change: Change) -> str | None:
    """Change of a share in percentage points: '-2.1 pp'."""
    if change.delta is None:
        return None
    if round(change.delta * 100, 1) == 0:
        return NO_CHANGE
    return f"{change.delta * 100:+.1f} pp"
