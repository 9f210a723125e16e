"""The shared filters (date range, region, vertical, priority, vendor) and their URL form.

A copied link must reproduce the view, so the filters round-trip through query
parameters: `?from=2026-11-01&to=2026-11-07&region=EMEA&region=APAC&priority=P0`.
Values not in the known set are dropped and reported, never passed on to SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

# URL key -> Filters attribute, for the multi-value filters.
MULTI_KEYS = {"region": "regions", "vertical": "verticals", "priority": "priorities", "vendor": "vendors"}
DEFAULT_DAYS = 7
MAX_DAYS = 400


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    regions: tuple[str, ...] = ()
    verticals: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()

    def sql_params(self) -> dict[str, list[str]]:
        """The multi-value filters as bound parameters (an empty list means all)."""
        return {attr: list(getattr(self, attr)) for attr in MULTI_KEYS.values()}

    def period_params(self) -> dict[str, datetime]:
        """The date range as a half-open UTC interval [period_start, period_end)."""
        return {
            "period_start": datetime.combine(self.start, datetime.min.time()),
            "period_end": datetime.combine(self.end + timedelta(days=1), datetime.min.time()),
        }

    def to_query_params(self) -> dict[str, list[str]]:
        params: dict[str, list[str]] = {"from": [self.start.isoformat()], "to": [self.end.isoformat()]}
        for key, attr in MULTI_KEYS.items():
            values = list(getattr(self, attr))
            if values:
                params[key] = values
        return params


@dataclass
class ParsedFilters:
    filters: Filters
    dropped: list[str] = field(default_factory=list)


def default_filters(today: date) -> Filters:
    return Filters(start=today - timedelta(days=DEFAULT_DAYS - 1), end=today)


def parse_query_params(
    params: Mapping[str, Sequence[str]],
    known: Mapping[str, Sequence[str]],
    today: date,
) -> ParsedFilters:
    """Filters from URL query parameters; unknown or malformed values are dropped and named."""
    defaults = default_filters(today)
    dropped: list[str] = []

    def parse_date(key: str, fallback: date) -> date:
        raw = list(params.get(key, []))
        if not raw:
            return fallback
        try:
            return date.fromisoformat(raw[-1])
        except ValueError:
            dropped.append(f"{key}={raw[-1]}")
            return fallback

    start = parse_date("from", defaults.start)
    end = parse_date("to", defaults.end)
    if start > end:
        dropped.append(f"from={start.isoformat()} (after to={end.isoformat()})")
        start, end = defaults.start, defaults.end
    if (end - start).days > MAX_DAYS:
        dropped.append(f"from={start.isoformat()} (range over {MAX_DAYS} days)")
        start = end - timedelta(days=MAX_DAYS)

    chosen: dict[str, tuple[str, ...]] = {}
    for key, attr in MULTI_KEYS.items():
        allowed = set(known.get(key, ()))
        kept: list[str] = []
        for value in params.get(key, []):
            if value in allowed and value not in kept:
                kept.append(value)
            elif value not in allowed:
                dropped.append(f"{key}={value}")
        chosen[attr] = tuple(kept)
    return ParsedFilters(Filters(start=start, end=end, **chosen), dropped)
