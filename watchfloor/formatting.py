"""Numbers, shares and durations as people read them: one formatter for each kind of text, used
alike by the pages, the alert messages and digests, and the exports (no Streamlit here).

An unknown value reads '–'. Durations come in three writings, each for its place: exact
(`format_duration`, '1 h 30 min': a clock, a wait), coarse (`coarse_duration`, '7.5 h': a
response time at a glance) and the lag of the data (`format_lag`, '3.0 days').
"""

from __future__ import annotations

import math

UNKNOWN = "–"

# --------------------------------------------------------------------------- counts and shares


def format_count(value: float | int | None) -> str:
    return UNKNOWN if value is None else f"{value:,.0f}"


def format_share(value: float | None) -> str:
    return UNKNOWN if value is None else f"{value:.1%}"


def format_multiplier(value: float | None) -> str:
    """'5.6×': how many times the expected count."""
    return UNKNOWN if value is None else f"{value:.1f}×"


def signed_count(n: float | None) -> str:
    """'+4,266', '-8,441', '0': a change in cases with its sign and separators."""
    if n is None:
        return UNKNOWN
    return "0" if round(n) == 0 else f"{n:+,.0f}"


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """'1 entry', '2 entries', '1,204 cases': a count with its noun in the right number."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def versus(now: float | None, before: float | None) -> str:
    """'13,038 vs 2,346': two counts with separators ('–' where unknown)."""
    return " vs ".join(format_count(v) for v in (now, before))


# --------------------------------------------------------------------------- durations


def format_duration(seconds: float | None) -> str:
    """A duration for people: '45 s', '15 min', '1 h 30 min', '2 d', '1 d 4 h' (sign dropped)."""
    if seconds is None:
        return UNKNOWN
    total = abs(float(seconds))
    if total < 60:
        return f"{total:.0f} s"
    minutes = int(round(total / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    days, hours = divmod(hours, 24)
    return f"{days} d" + (f" {hours} h" if hours else "")


def format_time_left(seconds: float | None) -> str:
    """Time until a clock passes its target: '10 min', or 'overdue 1 h 30 min' once past it."""
    if seconds is None:
        return UNKNOWN
    if seconds < 0:
        return f"overdue {format_duration(seconds)}"
    return format_duration(seconds)


def coarse_duration(seconds: float | None) -> str:
    """A response time at a glance: '25 min' under 90 minutes, then hours with one decimal
    ('7.5 h') under two days, then days ('3.0 d'); '–' when unknown (None, NaN or negative)."""
    if seconds is None or math.isnan(float(seconds)) or seconds < 0:
        return UNKNOWN
    seconds = float(seconds)
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _handle_time(seconds: float) -> str:
    """A handling time: '250 s' under ten minutes, then minutes with one decimal ('15.0 min')."""
    return f"{seconds / 60:.1f} min" if seconds >= 600 else f"{seconds:.0f} s"


def format_hours(hours: float | None) -> str:
    """'not clearing', '< 1 h', '5.5 h', '3.2 d' (a plain text the tables show)."""
    if hours is None:
        return "not clearing"
    if hours == 0:
        return "clear"
    if hours < 1:
        return "< 1 h"
    if hours < 48:
        return f"{hours:,.1f} h"
    return f"{hours / 24:,.1f} d"


def format_lag(minutes: float) -> str:
    """How far the data is behind: 'less than a minute', '50 min', '3.0 h', '3.0 days'."""
    minutes = max(minutes, 0.0)
    if minutes < 1:
        return "less than a minute"
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours = minutes / 60
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


# --------------------------------------------------------------------------- a figure by its kind

# The kinds of figure the Executive summary and the vendor scorecard show, each with its writing.
VALUE_KINDS = ("count", "share", "duration", "seconds", "rate", "usd", "kappa")


def format_value(value: float | None, kind: str) -> str:
    """A figure's value as its kind reads: count '12,345', share '92.3%', duration (seconds,
    coarse) '2.0 h', seconds (a handling time) '250 s', rate '4.2', usd '$3.46', kappa '0.71'."""
    if kind not in VALUE_KINDS:
        raise ValueError(f"a figure's kind is one of {', '.join(VALUE_KINDS)}, not {kind!r}")
    if value is None:
        return UNKNOWN
    if kind == "count":
        return format_count(value)
    if kind == "share":
        return format_share(value)
    if kind == "duration":
        return coarse_duration(value)
    if kind == "seconds":
        return _handle_time(value)
    if kind == "usd":
        return f"${value:,.2f}"
    if kind == "kappa":
        return f"{value:.2f}"
    return f"{value:,.1f}"
