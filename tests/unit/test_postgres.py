"""Server warehouses for real: a throw-away PostgreSQL cluster (Debian's package) holding the same
data as a DuckDB warehouse, and every named query compared on both engines.

The set-up (tests/pg_cluster.py) installs Debian's `postgresql` when it is missing (as root,
`apt-get update` first), creates a cluster in a temporary folder owned by the `postgres` user
(PostgreSQL refuses to run as root), starts it on a free port and stops it at the end.

Parameters come from the page plans (queries/plans.py), the same calls the pages make: each
query is run with the page defaults and with narrowing filters (lists bound as arrays).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest

import queries
from queries import server
from tests import pg_cluster
from watchfloor.config import parse_time
from watchfloor.filters import Filters, default_filters
from watchfloor.simulator import SimConfig
from watchfloor.simulator.writer import seed

END = parse_time("2026-11-18T12:00")
AS_OF = datetime(2026, 11, 18, 11, 0)


def _free_port() -> int:
    return pg_cluster.free_port()


@pytest.fixture(scope="module")
def postgres() -> str:
    try:
        with pg_cluster.cluster() as url:
            yield url
            queries.close_all()
    except pg_cluster.Unavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def both(postgres, tmp_path_factory) -> tuple[str, str]:
    """(DuckDB file, PostgreSQL URL) holding the same simulated warehouse."""
    from watchfloor.server import copy_warehouse

    duck = tmp_path_factory.mktemp("duck") / "w.duckdb"
    seed(duck, SimConfig(days=8, cases_per_day=400, seed=9, end=END), progress=False)
    counts = copy_warehouse(duck, postgres)
    assert counts["cases"] > 2000
    return str(duck), postgres


def _calls() -> dict[str, list[dict]]:
    """Every query the page plans call, with the page defaults and with narrowing filters."""
    from queries import plans

    narrow = Filters(start=default_filters(AS_OF.date()).start, end=AS_OF.date(),
                     regions=("EMEA", "AMER"), verticals=(), priorities=("P1", "P2"), vendors=())
    calls: dict[str, list[dict]] = {}
    for filters in (default_filters(AS_OF.date()), narrow):
        plan_lists = [make(AS_OF, filters) for make in plans.PAGE_PLANS.values()]
        for extra in ("trends",):
            if hasattr(plans, extra):
                plan_lists.append(getattr(plans, extra)(AS_OF, filters))
        for plan in plan_lists:
            for call in plan:
                calls.setdefault(call.name, []).append(call.params)
    calls["alert_scope_values"] = [{}]  # the Alerts page's rule editor (no parameters)
    return calls


def _case_calls(duck: str) -> dict[str, list[dict]]:
    from queries import plans

    one = queries.run_uncached("freshness", warehouse=duck)  # the warehouse is reachable
    assert one["cases"][0] > 0
    import duckdb

    con = duckdb.connect(duck, read_only=True)
    case_id, account, created, category = con.sql(
        "SELECT case_id, account_id, created_at, category FROM cases WHERE escalated AND account_id IS NOT NULL "
        "ORDER BY case_id LIMIT 1").fetchall()[0]
    incident_id = con.sql("SELECT incident_id FROM cases WHERE incident_id IS NOT NULL "
                          "GROUP BY ALL ORDER BY count(*) DESC, incident_id LIMIT 1").fetchall()
    some_queues = [r[0] for r in con.sql("SELECT queue_id FROM queues ORDER BY queue_id LIMIT 3").fetchall()]
    con.close()
    # Calls a page makes outside its plan: a case's history on the SLA page, a spike's cases on Trends.
    calls: dict[str, list[dict]] = {
        "sla_case_events": [{"case_id": case_id, "created_at": created, "as_of": AS_OF}],
    }
    if hasattr(plans, "trends_spike_cases"):
        for call in plans.trends_spike_cases(default_filters(AS_OF.date()), "category", category,
                                             AS_OF - timedelta(days=2), AS_OF):
            calls.setdefault(call.name, []).append(call.params)
    # Capacity: the forecast chart of one queue or set of queues.
    for call in plans.capacity_series(AS_OF, some_queues):
        calls.setdefault(call.name, []).append(call.params)
    for maker, args in ((getattr(plans, "case", None), (AS_OF, case_id)),
                        (getattr(plans, "case_search", None), (AS_OF, account)),
                        (getattr(plans, "case_excerpt", None), (case_id,)),
                        (plans.incident_cases, (AS_OF, incident_id[0][0] if incident_id else "none"))):
        if maker is not None:
            for call in maker(*args):
                calls.setdefault(call.name, []).append(call.params)
    return calls


def _normal(frame: pl.DataFrame) -> pl.DataFrame:
    """Engine-neutral values: numbers as floats rounded to 6 places, dates as datetimes, lists sorted;
    rows in a fixed order (ties in ORDER BY may come back in any order)."""
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
        cols.append(col.alias(name))
    out = frame.select(cols)
    return out.sort(out.columns, nulls_last=True) if out.height else out


# Queries whose answer is not fully determined by the data, so two engines may both be right.
KNOWN_DIFFERENCES: dict[str, str] = {}  # query name -> why the engines may differ; none today


def test_transpiled_text_binds_values_and_never_formats_them():
    sql, params = server.transpile("home_flow", "postgres", (("regions", "TEXT"),))
    assert ":as_of" in sql and "CAST(:regions AS TEXT[])" in sql
    assert "wf_in" not in sql.lower()  # the filter macro is inlined
    assert "AMER" not in sql
    # The SLA clock (a DuckDB table macro) is inlined for PostgreSQL; engines without that
    # translation refuse it with a message instead of answering wrongly.
    clock_sql, _ = server.transpile("home_sla", "postgres")
    assert "sla_clocks" not in clock_sql.lower() and "ignore nulls" not in clock_sql.lower()
    with pytest.raises(server.DuckDBOnly, match="runs only on DuckDB: it uses the SLA clock"):
        server.transpile("home_sla", "snowflake")


@pytest.mark.parametrize("name", queries.available())
def test_every_named_query_gives_the_same_result_on_both_engines(both, name):
    duck, pg = both
    calls = {**_calls(), **_case_calls(duck)}
    if name not in calls:
        pytest.skip(f"no page plan calls {name}, so no parameters to compare it with")
    for params in calls[name]:
        on_duck = queries.run_uncached(name, warehouse=duck, **params)
        on_pg = queries.run_uncached(name, warehouse=pg, **params)
        assert on_pg.columns == on_duck.columns
        assert on_pg.height == on_duck.height, params
        a, b = _normal(on_duck), _normal(on_pg)
        for column in a.columns if a.height else ():
            if a[column].to_list() != b[column].to_list() and name in KNOWN_DIFFERENCES:
                pytest.xfail(f"{name}: {KNOWN_DIFFERENCES[name]}")
            assert a[column].to_list() == b[column].to_list(), (name, column, params)


def test_pages_data_flows_through_the_runner_with_a_url(both, monkeypatch):
    duck, pg = both
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", pg)
    frame = queries.run("freshness")
    assert frame["cases"][0] == queries.run_uncached("freshness", warehouse=duck)["cases"][0]
    from watchfloor.warehouse import check_ready

    assert check_ready(pg) == frame["cases"][0]


def test_an_unreachable_server_is_one_clear_error(tmp_path):
    url = f"postgresql+psycopg://postgres:secret@127.0.0.1:{_free_port()}/postgres"
    with pytest.raises(queries.QueryError, match="failed on the server warehouse") as info:
        queries.run_uncached("freshness", warehouse=url)
    assert "secret" not in str(info.value)
    from watchfloor.warehouse import WarehouseError, check_ready

    with pytest.raises(WarehouseError, match=r"cannot reach warehouse postgresql\+psycopg://postgres:\*\*\*@"):
        check_ready(url)


def test_init_creates_the_tables_and_copies_a_duckdb_warehouse_into_the_server(both, capsys):
    import psycopg

    duck, pg = both
    # A fresh database on the same cluster.
    with psycopg.connect(pg.replace("postgresql+psycopg", "postgresql"), autocommit=True) as con:
        con.execute("DROP DATABASE IF EXISTS copy_target")
        con.execute("CREATE DATABASE copy_target")
    target = pg.rsplit("/", 1)[0] + "/copy_target"
    from watchfloor.cli import main

    assert main(["init", "--warehouse", target]) == 0
    assert "13 tables ready" in capsys.readouterr().out  # the 12 contract tables and watchfloor_meta
    assert main(["init", "--warehouse", target, "--copy-from", duck]) == 0
    cases = queries.run_uncached("freshness", warehouse=duck)["cases"][0]
    assert f"copied {cases:,} cases" in capsys.readouterr().out
    assert queries.run_uncached("freshness", warehouse=target)["cases"][0] == cases
    # A second copy needs --replace: one line, exit 2, nothing changed.
    assert main(["init", "--warehouse", target, "--copy-from", duck]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"already holds {cases} cases; use --replace" in err[0]
    assert main(["init", "--warehouse", target, "--copy-from", duck, "--replace"]) == 0
    assert queries.run_uncached("freshness", warehouse=target)["cases"][0] == cases
    queries.close_all()


def test_a_query_past_the_time_limit_is_cancelled_by_the_server(postgres, tmp_path, monkeypatch):
    """On PostgreSQL the time limit is the server's statement_timeout: the server cancels the query."""
    (tmp_path / "sleepy.sql").write_text("SELECT 1 AS n FROM (SELECT pg_sleep($seconds)) AS s")
    (tmp_path / "macros").mkdir()
    monkeypatch.setattr(queries, "QUERY_DIR", tmp_path)
    # pg_sleep is no function a named query may use: known here for this test only.
    monkeypatch.setitem(server.KNOWN_FUNCTIONS, "postgres", server.KNOWN_FUNCTIONS["postgres"] | {"pg_sleep"})
    queries.load.cache_clear()
    server.parsed.cache_clear()
    try:
        with pytest.raises(queries.QueryTimeout, match="'sleepy' was cancelled at its time limit of 0.5 s"):
            queries.run_uncached("sleepy", warehouse=postgres, time_limit=0.5, seconds=60)
        # The pooled connection carries on, and the limit is set for each query anew.
        assert queries.run_uncached("sleepy", warehouse=postgres, time_limit=30, seconds=1)["n"].to_list() == [1]
    finally:
        queries.load.cache_clear()
        server.parsed.cache_clear()
        server.transpile.cache_clear()


def test_copying_a_nul_byte_into_the_server_is_one_line_without_case_content(both, tmp_path, capsys):
    # A warehouse filled before the loader refused NUL bytes may hold one; the copy names where it is
    # and says nothing of the case (the driver's error would carry the whole row).
    import shutil

    import duckdb
    import psycopg

    duck, pg = both
    dirty = tmp_path / "dirty.duckdb"
    shutil.copy(duck, dirty)
    con = duckdb.connect(str(dirty))
    con.execute("UPDATE cases SET content_excerpt = 'secret excerpt' || chr(0) || 'tail' WHERE case_id = "
                "(SELECT min(case_id) FROM cases)").fetchall()
    con.close()
    with psycopg.connect(pg.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
        c.execute("DROP DATABASE IF EXISTS nul_target")
        c.execute("CREATE DATABASE nul_target")
    target = pg.rsplit("/", 1)[0] + "/nul_target"
    from watchfloor.cli import main

    assert main(["init", "--warehouse", target, "--copy-from", str(dirty)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "cases.content_excerpt holds 1 value(s) with a NUL byte" in err[0] and "nothing was copied" in err[0]
    assert "secret excerpt" not in err[0] and "Traceback" not in err[0]
    queries.close_all()
