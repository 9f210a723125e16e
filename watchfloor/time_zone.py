"""Display time zones: which names are valid, and a user's choice.

Everything Watchfloor stores, queries, caches and exports is UTC. A user may choose a time zone
in which the pages show times (kept in the users file, watchfloor.auth); the pages convert at
display only (components/times.py).
"""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

UTC = "UTC"
MAX_LENGTH = 64


class TimeZoneError(ValueError):
    """An unknown time zone name; str() is one line for the user."""


@functools.lru_cache(maxsize=1)
def names() -> tuple[str, ...]:
    """Every IANA name zoneinfo knows, sorted, UTC first."""
    return (UTC, *sorted(n for n in available_timezones() if n != UTC and not n.startswith(("Etc/", "SystemV/"))))


def check(name: object) -> str:
    """`name` as a valid IANA time zone name (surrounding spaces dropped), else TimeZoneError."""
    text = name.strip() if isinstance(name, str) else ""
    unknown = TimeZoneError(f"unknown time zone {str(name)[:MAX_LENGTH]!r}: use an IANA name such as "
                            "Europe/Berlin or America/New_York")
    if not text or len(text) > MAX_LENGTH or "\x00" in text or text.startswith(("/", ".")) or ".." in text:
        raise unknown
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise unknown from None
    return text


def or_utc(name: object) -> str:
    """A stored choice as a zone to use: UTC when there is none or it is no longer valid."""
    try:
        return check(name) if name else UTC
    except TimeZoneError:
        return UTC
