"""The freshness rule on the freshness banner's figure (queries/freshness.sql and
watchfloor.freshness.assess): how long ago the newest event in the warehouse happened."""

from __future__ import annotations

import queries
from watchfloor import freshness
from watchfloor.alerting.findings import Context, Finding
from watchfloor.alerting.rules import Rule
from watchfloor.formatting import format_lag


def evaluate(rule: Rule, context: Context) -> list[Finding]:
    row = queries.run("freshness", warehouse=context.warehouse).row(0, named=True)
    seen = freshness.assess(row["newest_event_at"], context.as_of, context.freshness_amber_minutes,
                            context.freshness_red_minutes)
    limit = rule.params["older_than_minutes"]
    if seen.lag_minutes is not None and seen.lag_minutes < limit:
        return []
    return [Finding(
        key="warehouse",
        title=("Warehouse stale: the newest event is " + format_lag(seen.lag_minutes) + " old"
               if seen.lag_minutes is not None else "Warehouse stale: it holds no events"),
        where="the case warehouse (every page)",
        measure=f"newest event {seen.describe()}; fires from {format_lag(limit)}",
        since=seen.newest_event_at, page="home", link={})]
