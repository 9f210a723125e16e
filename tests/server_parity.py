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
from typing import Any

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
    from watchfloor import summaries
    from watchfloor.simulator.config import SimConfig
    from watchfloor.simulator.writer import seed

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
        kept = con.sql("SELECT hour, sensitivity, series_key FROM summary_spike_records ORDER BY hour").fetchall()
    finally:
        con.close()
    calls: dict[str, list[dict]] = {
        "sla_case_events": [{"case_id": case_id, "created_at": created, "as_of": AS_OF}],
        # The spike record the writers kept, as a page asks for it (and with series of another key).
        "kept_spike_record": [*({"hour": h, "sensitivity": sens, "series_key": key} for h, sens, key in kept),
                              {"hour": AS_OF, "sensitivity": "normal", "series_key": "0:none"}],
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

    from queries import translate

    tree = translate.parsed(name)
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


def assert_same(name: str, on_duck: pl.DataFrame, on_other: pl.DataFrame, params: dict, engine: str,
                ordered: bool = True) -> None:
    """Same columns, same rows; where the query orders its rows, in the same order of its sort keys
    (rows that tie on every key may come in any order, on any engine). `ordered=False`: in any
    order (rows read from a table)."""
    assert on_other.columns == on_duck.columns, (name, engine)
    assert on_other.height == on_duck.height, (name, engine, params)
    a, b = normal(on_duck), normal(on_other)
    if not a.height:
        return
    keys = order_columns(name) if ordered else []
    if keys is None:  # ordered on an expression: the rows themselves must come in the same order
        for column in a.columns:
            assert a[column].to_list() == b[column].to_list(), (name, engine, "in order", column, params)
        return
    for column in keys:  # the SQL's own order
        assert a[column].to_list() == b[column].to_list(), (name, engine, "order by", column, params)
    a, b = a.sort(a.columns, nulls_last=True), b.sort(b.columns, nulls_last=True)
    for column in a.columns:
        assert a[column].to_list() == b[column].to_list(), (name, engine, column, params)


def summary_builds(query_folder: Path) -> dict[str, str]:
    """Every summary build (watchfloor/summary_sql/*.sql, each `INSERT INTO <summary> SELECT ...`)
    as a named query of the test's own folder (tests/conftest.py, query_folder): {query name: the
    summary table it fills}. The query is the build's SELECT, taken from sqlglot's tree of the
    build and written back in DuckDB's dialect, so a server runs it through the same transpiler."""
    import sqlglot
    from sqlglot import exp

    from watchfloor import summaries

    builds = {}
    for path in sorted((Path(summaries.__file__).parent / "summary_sql").glob("*.sql")):
        insert = sqlglot.parse_one(summaries.build_sql(path.stem), read="duckdb")
        assert isinstance(insert, exp.Insert), f"{path.name} is not one INSERT ... SELECT"
        target = insert.this if isinstance(insert.this, exp.Table) else insert.this.this
        name = f"summary_build_{path.stem}"
        (query_folder / f"{name}.sql").write_text(insert.expression.sql(dialect="duckdb"))
        builds[name] = target.name
    return builds


# Business-hours positions (macros/sla.sql) of instants every 10 minutes, and a second either side,
# in desks of several time zones: a half-hour offset, one without DST, a southern one, Dublin's
# winter-time DST, and a weekday desk open round the clock in Cairo, whose 2026 changes fall at
# midnight before a Friday (so a repeated wall time lies inside its business hours). Each position
# is mapped back to an instant (the next opening for one held out of hours), and half an hour on.
BUSINESS_PROBES = """
SELECT
    z.tz, z.sh, z.eh, p.ts,
    wf_local_ts(p.ts, z.tz) AS local_ts,
    wf_business_pos(p.ts, z.tz, z.sh, z.eh) AS pos,
    wf_business_ts(wf_business_pos(p.ts, z.tz, z.sh, z.eh), z.tz, z.sh, z.eh) AS at_pos,
    wf_business_ts(wf_business_pos(p.ts, z.tz, z.sh, z.eh) + 1800, z.tz, z.sh, z.eh) AS half_hour_on
FROM (VALUES ('America/New_York', 9, 17), ('Europe/Dublin', 9, 17), ('Asia/Singapore', 9, 17),
             ('Australia/Sydney', 8, 18), ('Asia/Kolkata', 9, 18), ('Africa/Cairo', 0, 24)) z(tz, sh, eh)
CROSS JOIN (
    SELECT t.ts + d.s * INTERVAL 1 SECOND AS ts
    FROM range($start::TIMESTAMP, $end::TIMESTAMP, INTERVAL 10 MINUTE) t(ts)
    CROSS JOIN (VALUES (-1), (0), (1)) d(s)
) p
ORDER BY z.tz, p.ts
"""

# The days around each 2026 DST change of those zones (UTC).
DST_WINDOWS = [
    ("2026-03-06", "2026-03-10"),  # New York springs forward (Sunday 8 March)
    ("2026-03-27", "2026-03-31"),  # Dublin (29 March)
    ("2026-04-03", "2026-04-07"),  # Sydney falls back (5 April)
    ("2026-04-22", "2026-04-26"),  # Cairo springs forward at midnight before Friday 24 April
    ("2026-10-01", "2026-10-06"),  # Sydney springs forward (4 October)
    ("2026-10-23", "2026-11-03"),  # Dublin (25 October), Cairo (Thursday 29 October, 24:00), New York (1 November)
]


def assert_business_hours_agree(duck: str, other: str, engine: str, query_folder: Path) -> None:
    """The SLA clock's business-hours arithmetic on `other` (a server warehouse) agrees with DuckDB's
    over DST_WINDOWS, and both give the values worked out by hand. `query_folder`: the test's own
    queries folder (tests/conftest.py), where the probe query is written."""
    (query_folder / "business_probes.sql").write_text(BUSINESS_PROBES)
    rows = {}
    for start, end in DST_WINDOWS:
        params: dict[str, Any] = {"start": datetime.fromisoformat(start), "end": datetime.fromisoformat(end)}
        on_duck = queries.run_uncached("business_probes", warehouse=duck, **params)
        on_other = queries.run_uncached("business_probes", warehouse=other, **params)
        assert on_duck.height == 6 * 3 * 6 * 24 * (datetime.fromisoformat(end) - datetime.fromisoformat(start)).days
        assert_same("business_probes", on_duck, on_other, params, engine)
        for source, frame in (("duckdb", on_duck), (engine, on_other)):
            rows.update({(source, r["tz"], r["ts"].replace(tzinfo=None)): r for r in frame.iter_rows(named=True)})

    def probe(source, tz, ts):
        row = rows[(source, tz, datetime.fromisoformat(ts))]
        return {k: (v.replace(tzinfo=None).isoformat(sep=" ") if isinstance(v, datetime) else v) for k, v in row.items()}

    for source in ("duckdb", engine):
        # Worked out by hand. Cairo repeats 23:00-24:00 on Thursday 29 October (UTC+3, then +2): both
        # passes of 23:30 hold one position, which maps to the later instant.
        first, second = probe(source, "Africa/Cairo", "2026-10-29 20:30:00"), probe(source, "Africa/Cairo", "2026-10-29 21:30:00")
        assert first["local_ts"] == second["local_ts"] == "2026-10-29 23:30:00" and first["pos"] == second["pos"]
        assert first["at_pos"] == second["at_pos"] == "2026-10-29 21:30:00", source
        # Its skipped hour (Friday 24 April, 00:00-01:00): 23:50 on Thursday (UTC+2), half an hour on, is 01:20.
        assert probe(source, "Africa/Cairo", "2026-04-23 21:50:00")["half_hour_on"] == "2026-04-23 22:20:00", source
        # New York, Friday 30 October 16:40 EDT: 20 minutes left, then Monday 2 November 09:10 EST.
        assert probe(source, "America/New_York", "2026-10-30 20:40:00")["half_hour_on"] == "2026-11-02 14:10:00", source
        # Sydney, Friday 2 October 17:50 AEST: 10 minutes left, then Monday 5 October 08:20 AEDT.
        assert probe(source, "Australia/Sydney", "2026-10-02 07:50:00")["half_hour_on"] == "2026-10-04 21:20:00", source
        # Kolkata (UTC+5:30), edges of 09:00-18:00 on Monday 26 October: a second before opening is
        # held at the opening; a second after closing is held at the next day's opening.
        assert probe(source, "Asia/Kolkata", "2026-10-26 03:29:59")["at_pos"] == "2026-10-26 03:30:00", source
        opening = probe(source, "Asia/Kolkata", "2026-10-26 03:30:00")
        assert opening["at_pos"] == "2026-10-26 03:30:00" and opening["half_hour_on"] == "2026-10-26 04:00:00", source
        assert probe(source, "Asia/Kolkata", "2026-10-26 12:30:01")["at_pos"] == "2026-10-27 03:30:00", source
        assert probe(source, "Asia/Kolkata", "2026-10-26 12:29:59")["half_hour_on"] == "2026-10-27 03:59:59", source
