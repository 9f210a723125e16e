"""What the server-engine tests share: the registry of test parameters for every named query, the
simulated warehouse they run on, and the comparison of an engine's result with DuckDB's.

The registry is the page plans (queries/plans.py: the calls the pages make, with the page defaults
and with narrowing filters) plus the calls pages make outside a plan (a case's history, a spike's
cases, a case, an incident's cases, a queue's history, the capacity forecast of some queues, the alert rule editor).
`missing_calls` names every query with no parameters there: the tests fail on it, so a new query
is compared on every engine or the suite says why not.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

import queries
from watchfloor.config import parse_time
from watchfloor.filters import Filters, default_filters

END = parse_time("2026-11-18T12:00")
AS_OF = datetime(2026, 11, 18, 11, 0)


def must_run(reason: str) -> None:
    """A missing engine: a failure under CI=true (the suite must test it there), a skip elsewhere."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def seed_warehouse(path: Path) -> str:
    from watchfloor.simulator import SimConfig
    from watchfloor.simulator.writer import seed

    from watchfloor import summaries

    seed(path, SimConfig(days=8, cases_per_day=400, seed=9, end=END), progress=False)
    summaries.refresh_file(path)  # the pages' summaries, copied to the server with the tables
    return str(path)


def plan_calls() -> dict[str, list[dict]]:
    """Every query the page plans call, with the page defaults and with narrowing filters."""
    from queries import plans

    narrow = Filters(start=default_filters(AS_OF.date()).start, end=AS_OF.date(),
                     regions=("EMEA", "AMER"), verticals=(), priorities=("P1", "P2"), vendors=())
    calls: dict[str, list[dict]] = {}
    for filters in (default_filters(AS_OF.date()), narrow):
        # (the Automation page's cases behind a band of its flow take the sidebar filters too)
        for make in (*plans.PAGE_PLANS.values(), plans.trends, plans.automation_cases):
            for call in make(AS_OF, filters):
                if call.params not in calls.setdefault(call.name, []):
                    calls[call.name].append(call.params)
    calls["alert_scope_values"] = [{}]  # the Alerts page's rule editor (no parameters)
    return calls


def outside_plan_calls(duck: str) -> dict[str, list[dict]]:
    """Calls a page makes outside its plan, with ids taken from the warehouse."""
    import duckdb

    from queries import plans

    con = duckdb.connect(duck, read_only=True)
    try:
        case_id, account, created, category = con.sql(
            "SELECT case_id, account_id, created_at, category FROM cases WHERE escalated AND account_id IS NOT NULL "
            "ORDER BY case_id LIMIT 1").fetchall()[0]
        incident = con.sql("SELECT incident_id FROM cases WHERE incident_id IS NOT NULL "
                           "GROUP BY ALL ORDER BY count(*) DESC, incident_id LIMIT 1").fetchall()
        some_queues = [r[0] for r in con.sql("SELECT queue_id FROM queues ORDER BY queue_id LIMIT 3").fetchall()]
    finally:
        con.close()
    calls: dict[str, list[dict]] = {
        "sla_case_events": [{"case_id": case_id, "created_at": created, "as_of": AS_OF}],
    }
    made = [
        *plans.trends_spike_cases(default_filters(AS_OF.date()), "category", category, AS_OF - timedelta(days=2), AS_OF),
        *plans.capacity_series(AS_OF, some_queues),
        *plans.case(AS_OF, case_id),
        *plans.case_search(AS_OF, account),
        *plans.case_excerpt(case_id),
        *plans.incident_cases(AS_OF, incident[0][0] if incident else "none"),
        # Queue health's history of one queue: per hour over 7 days, per day over 30, one vendor.
        *plans.queue_history(AS_OF, default_filters(AS_OF.date()), some_queues[0], 7),
        *plans.queue_history(AS_OF, Filters(start=AS_OF.date(), end=AS_OF.date(), vendors=("cobalt",)),
                             some_queues[1], 30),
    ]
    for call in made:
        calls.setdefault(call.name, []).append(call.params)
    return calls


def all_calls(duck: str) -> dict[str, list[dict]]:
    calls = plan_calls()
    for name, params in outside_plan_calls(duck).items():
        calls.setdefault(name, []).extend(params)
    return calls


def missing_calls(calls: dict[str, list[dict]]) -> list[str]:
    return [name for name in queries.available() if not calls.get(name)]


def order_columns(name: str) -> list[str] | None:
    """The result columns the query's outermost ORDER BY sorts on ([] when it does not order;
    None when it orders on something that is not a result column, so rows must match as they come)."""
    from sqlglot import exp

    from queries import server

    tree = server.parsed(name)
    order = tree.args.get("order")
    if order is None:
        return []
    select = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
    names = select.named_selects if select is not None else []
    keys = []
    for item in order.expressions:
        key = item.this
        if isinstance(key, exp.Literal) and key.is_int and 0 < int(key.name) <= len(names):
            keys.append(names[int(key.name) - 1])
        elif isinstance(key, exp.Column) and key.name in names:
            keys.append(key.name)
        else:
            return None
    return keys


def normal(frame: pl.DataFrame) -> pl.DataFrame:
    """Engine-neutral values: numbers as floats rounded to 6 places, dates as datetimes, lists sorted."""
    cols = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype.is_numeric():
            col = col.cast(pl.Float64).round(6)
        elif dtype == pl.Date:
            col = col.cast(pl.Datetime("us"))
        elif isinstance(dtype, pl.Datetime):
            col = col.dt.replace_time_zone(None).dt.cast_time_unit("us")
        elif isinstance(dtype, pl.List):
            col = col.list.sort().cast(pl.List(pl.String)).list.join("\x1f")
        elif dtype == pl.Null:
            col = col.cast(pl.String)
        elif dtype == pl.Boolean:
            col = col.cast(pl.Boolean)
        cols.append(col.alias(name))
    return frame.select(cols)


def assert_same(name: str, on_duck: pl.DataFrame, on_other: pl.DataFrame, params: dict, engine: str) -> None:
    """Same columns, same rows; where the query orders its rows, in the same order of its sort keys
    (rows that tie on every key may come in any order, on any engine)."""
    assert on_other.columns == on_duck.columns, (name, engine)
    assert on_other.height == on_duck.height, (name, engine, params)
    a, b = normal(on_duck), normal(on_other)
    if not a.height:
        return
    keys = order_columns(name)
    if keys is None:  # ordered on an expression: the rows themselves must come in the same order
        for column in a.columns:
            assert a[column].to_list() == b[column].to_list(), (name, engine, "in order", column, params)
        return
    for column in keys:  # the SQL's own order
        assert a[column].to_list() == b[column].to_list(), (name, engine, "order by", column, params)
    a, b = a.sort(a.columns, nulls_last=True), b.sort(b.columns, nulls_last=True)
    for column in a.columns:
        assert a[column].to_list() == b[column].to_list(), (name, engine, column, params)
