"""The named-query runner: loading, parameter binding, caching and errors."""

from __future__ import annotations

import threading
import time
from typing import Any

import duckdb
import pytest

import queries
from queries.reader_pools import ReaderPool
from tests import hand_warehouse
from tests.warehouses import home
from watchfloor import spike_record
from watchfloor.warehouse import WarehouseError, WarehouseMissing, open_for_writing, writer_waiting_path

SCOPE: dict[str, Any] = {"regions": [], "verticals": [], "priorities": [], "vendors": []}


def test_every_query_file_loads_and_declares_its_parameters():
    names = queries.available()
    assert "home_flow" in names and "freshness" in names
    for name in names:
        query = queries.load(name)
        assert query.sql.strip()
    assert queries.load("home_flow").parameters == {"as_of", "regions", "verticals", "priorities", "vendors"}
    assert queries.load("freshness").parameters == set()


@pytest.mark.parametrize("sql, expected", [
    ("SELECT $a, $b_2 FROM t WHERE x = $a", {"a", "b_2"}),
    # a mark inside a comment or a string is not a parameter
    ("-- uses $old\nSELECT $a", {"a"}),
    ("SELECT '$price' AS label, $a", {"a"}),
    # an apostrophe in a comment (line or block, as sqlglot writes them) starts no string
    ("-- the case's queue\nSELECT $a, $b", {"a", "b"}),
    ("/* the case's queue */ SELECT $a, 'x' AS y, $b", {"a", "b"}),
    # "--" inside a string starts no comment
    ("SELECT 'a--b' AS s, $a", {"a"}),
    ("SELECT 'it''s' AS s, $a /* $no\n$none */, $b", {"a", "b"}),
])
def test_parameters_are_found_in_code_only(sql, expected):
    assert queries.parameters_of(sql) == expected


@pytest.mark.parametrize("name", ["no_such_query", "../Home", "home_flow.sql", "DROP TABLE cases", ""])
def test_unknown_or_malformed_names_are_refused(name):
    with pytest.raises(queries.UnknownQuery):
        queries.load(name)


def test_missing_and_unexpected_parameters_are_refused(hand_env):
    with pytest.raises(queries.ParameterError, match="needs parameters: as_of"):
        queries.run("home_flow", **SCOPE)
    with pytest.raises(queries.ParameterError, match="takes no parameters: bogus"):
        queries.run("freshness", bogus=1)
    with pytest.raises(queries.ParameterError, match="unsupported type"):
        queries.run("home_flow", as_of=object(), **SCOPE)


def test_values_are_bound_not_formatted(hand_env):
    hostile = "AMER') OR 1=1 --"
    frame = queries.run("home_flow", as_of=home.AS_OF, **{**SCOPE, "regions": [hostile]})
    assert frame["inflow"].sum() == 0  # matched nothing rather than everything
    # The tables are still there and unchanged.
    assert queries.run_uncached("freshness")["cases"][0] == len(home.CASES)


def test_results_are_cached_until_the_ttl_runs_out(hand_env, monkeypatch):
    runs = []
    real = queries.run_uncached
    monkeypatch.setattr(queries.runner, "run_uncached", lambda name, **kw: runs.append(name) or real(name, **kw))
    first = queries.run("freshness", ttl=0.3)
    assert queries.run("freshness", ttl=0.3) is first
    assert queries.cache.hits == 1 and runs == ["freshness"]
    time.sleep(0.35)
    again = queries.run("freshness", ttl=0.3)
    # Run again once expired; an unchanged answer keeps the frame it replaces (and what was derived from it).
    assert runs == ["freshness", "freshness"] and again.equals(first)


def test_cache_keys_include_parameters(hand_env):
    all_regions = queries.run("home_flow", as_of=home.AS_OF, **SCOPE)
    emea = queries.run("home_flow", as_of=home.AS_OF, **{**SCOPE, "regions": ["EMEA"]})
    assert all_regions["inflow"].to_list() != emea["inflow"].to_list()
    # Lists in any order, tuples or sets are the same key.
    again = queries.run("home_flow", as_of=home.AS_OF, **{**SCOPE, "regions": ("EMEA",)})
    assert again is emea


def test_missing_warehouse_raises_a_clear_error(tmp_path):
    with pytest.raises(WarehouseMissing, match="no warehouse at"):
        queries.run("freshness", warehouse=str(tmp_path / "nowhere.duckdb"))


def test_a_file_that_is_not_a_warehouse_raises_a_clear_error(tmp_path):
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_text("this is not a database\n" * 100)
    with pytest.raises(WarehouseError, match="cannot open warehouse"):
        queries.run("freshness", warehouse=str(bogus))


def test_sql_errors_name_the_query(query_folder):
    (query_folder / "broken.sql").write_text("SELECT * FROM no_such_table WHERE x = $x")
    db = query_folder / "w.duckdb"
    duckdb.connect(str(db)).close()
    with pytest.raises(queries.QueryError, match="query 'broken' failed"):
        queries.run_uncached("broken", warehouse=str(db), x=1)


def test_threads_each_get_their_own_result(hand_env):
    results: dict[int, int] = {}
    # watched_series returns one row per case-hour before the current hour: the hand
    # warehouse's first cases are c9 (11-09 12:00), c7 (11-10 14:00) and c8 (11-11 08:00).
    as_of = {1: home.t(9, 13), 2: home.t(10, 15), 3: home.t(11, 9)}

    def work(n: int) -> None:
        params: dict[str, Any] = {**spike_record.query_params(as_of[n]), **SCOPE}
        frame = queries.run_uncached("watched_series", **params)
        results[n] = frame.height

    threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2, 3) * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {1: 1, 2: 2, 3: 3}


def test_the_reader_lets_go_so_a_writer_can_write(tmp_path):
    path = hand_warehouse.build(tmp_path / "w.duckdb", home.ROWS)
    # Held an hour when idle: only the writer's marker can make it let go within the writer's wait.
    pool = ReaderPool(path, idle_seconds=3600)
    with pool.cursor() as cur:
        assert cur.sql("SELECT count(*) FROM cases").fetchall()[0][0] == len(home.CASES)
        assert pool.is_open
    # While the reader is open a writer waits (and announces it); it gets in once the reader closes.
    with open_for_writing(path, wait_seconds=120) as con:
        con.execute("INSERT INTO watchfloor_meta VALUES ('touched', 'yes')").fetchall()
    assert not pool.is_open  # it let go for the writer, long before its idle hour
    assert not writer_waiting_path(path).exists()
    with pool.cursor() as cur:
        assert cur.sql("SELECT value FROM watchfloor_meta WHERE key = 'touched'").fetchall() == [("yes",)]
    pool.close()


def test_a_connection_an_engine_error_broke_is_replaced_at_once(tmp_path):
    """An internal engine error invalidates the DuckDB connection it ran on (every later query on it
    fails): the next query gets a new connection, though a busy dashboard is never idle. A query
    error of the ordinary kind keeps the connection."""
    path = hand_warehouse.build(tmp_path / "w.duckdb", home.ROWS)
    pool = ReaderPool(path, idle_seconds=3600)
    with pytest.raises(duckdb.InternalException):
        with pool.cursor() as cur:
            cur.sql("SELECT 1").fetchall()
            raise duckdb.InternalException("INTERNAL Error: as a query that met an engine bug")
    assert pool.opens == 1
    with pool.cursor() as cur:
        assert cur.sql("SELECT count(*) FROM cases").fetchall()[0][0] == len(home.CASES)
    assert pool.opens == 2
    with pytest.raises(duckdb.CatalogException):
        with pool.cursor() as cur:
            cur.sql("SELECT * FROM no_such_table").fetchall()
    with pool.cursor() as cur:
        assert cur.sql("SELECT 1").fetchall() == [(1,)]
    assert pool.opens == 2
    pool.close()


def test_the_reader_connection_keeps_to_its_memory_limit(hand_env, monkeypatch):
    monkeypatch.setenv("WATCHFLOOR_READER_MEMORY_LIMIT", "300MiB")
    queries.close_all()
    try:
        with queries.pool_for(hand_env).cursor() as cur:
            limit = cur.sql("SELECT current_setting('memory_limit')").fetchall()[0][0]
    finally:
        queries.close_all()
    assert limit == "300.0 MiB"


def test_macros_are_created_once_per_cursor(hand_env, monkeypatch):
    pool = queries.pool_for(hand_env)
    ran: list[str] = []
    original = pool._take_cursor

    def spying_take():
        cur, installed = original()

        class Spy:
            def execute(self, sql):
                ran.append(sql)
                return cur.execute(sql)

            def sql(self, *args, **kwargs):
                return cur.sql(*args, **kwargs)

        return Spy(), installed

    monkeypatch.setattr(pool, "_take_cursor", spying_take)
    for _ in range(3):
        queries.run_uncached("home_sla", as_of=home.AS_OF, **SCOPE)
    # filters.sql and sla.sql, each once, although the query ran three times on the one cursor.
    assert len(ran) == 2


def test_derived_figures_are_computed_once_per_cached_frame(hand_env):
    calls: list[int] = []

    def total(frame, column):
        calls.append(1)
        return frame[column].sum()

    flow = queries.run("home_flow", as_of=home.AS_OF, **SCOPE)
    assert queries.memo(flow, total, "inflow") == 7  # 5 in the last 24 h + 2 the week before
    assert queries.memo(queries.run("home_flow", as_of=home.AS_OF, **SCOPE), total, "inflow") == 7
    assert len(calls) == 1
    assert queries.memo(flow, total, "resolved") == 5 and len(calls) == 2
    queries.clear_cache()
    fresh = queries.run("home_flow", as_of=home.AS_OF, **SCOPE)
    del flow
    import gc

    gc.collect()
    assert queries.memo(fresh, total, "inflow") == 7 and len(calls) == 3


def test_a_plan_runs_its_queries_side_by_side_and_raises_their_errors(hand_env):
    from queries import plans

    plan = [
        plans.QueryCall("flow", "home_flow", {"as_of": home.AS_OF, **SCOPE}),
        plans.QueryCall("incidents", "home_open_incidents", {"as_of": home.AS_OF}),
        plans.QueryCall("freshness", "freshness"),
    ]
    frames = plans.fetch(plan)
    assert list(frames) == ["flow", "incidents", "freshness"]
    assert frames["flow"].equals(queries.run_uncached("home_flow", as_of=home.AS_OF, **SCOPE))
    with pytest.raises(queries.ParameterError):
        plans.fetch([*plan, plans.QueryCall("broken", "home_flow", {"as_of": home.AS_OF})])
