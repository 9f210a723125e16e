"""What a rule kind's adapter (watchfloor.alerting.kinds) is given, `Context`, and returns,
`Finding`s; and the helpers they share to scope a rule like the pages' sidebar filters and to link
to a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from watchfloor.alerting.rules import Rule
from watchfloor.filters import Filters


@dataclass(frozen=True)
class Finding:
    key: str  # what the rule fired for, stable from one evaluation to the next (one open alert each)
    title: str  # what, in one line
    where: str  # where
    measure: str  # how bad, against the rule's threshold
    since: datetime | None  # when the condition began, where the data says (else: when first seen)
    page: str  # the page that shows it (a roles.PAGES key)
    link: dict[str, list[str]] = field(default_factory=dict)  # that page's query parameters


@dataclass
class Context:
    as_of: datetime  # the evaluation's 'now', floored to the minute as the pages' is
    warehouse: str | None = None
    freshness_red_minutes: float = 60.0
    freshness_amber_minutes: float = 15.0
    memo: dict[Any, Any] = field(default_factory=dict)  # frames shared by the rules of one evaluation

    def once(self, key: Any, compute: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


def scope_filters(rule: Rule, start: date, end: date) -> Filters:
    """The rule's region, vertical and vendor scope as the pages' sidebar filters."""
    return Filters(start=start, end=end, regions=tuple(rule.scope_values("region")),
                   verticals=tuple(rule.scope_values("vertical")), vendors=tuple(rule.scope_values("vendor")))


def link_params(filters: Filters, **extra: list[str] | str | None) -> dict[str, list[str]]:
    """The page's URL parameters for these filters (as the sidebar writes them), plus `extra`."""
    params = filters.to_query_params()
    for key, value in extra.items():
        if value is None or value == []:
            continue
        params[key] = [value] if isinstance(value, str) else list(value)
    return params


def day_range(as_of: datetime, since: datetime | None) -> tuple[date, date]:
    """The sidebar date range from `since` (or today) to today."""
    first = min(since.date(), as_of.date()) if since else as_of.date()
    return first, as_of.date()

