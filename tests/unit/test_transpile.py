"""The transpiler with no database: every named query, with the parameter types of its test calls,
transpiles to every tested engine, and what cannot be transpiled is refused by name, never dropped."""

from __future__ import annotations

import pytest

import queries
from queries import translate
from tests.server_parity import missing_calls, plan_calls, summary_builds

# Calls the pages make outside a plan take ids from a warehouse; their parameters hold no lists,
# so their SQL is the same for any value.
OUTSIDE_PLANS = {"sla_case_events", "trends_spike_cases", "capacity_arrivals", "capacity_queue_arrivals",
                 "case_detail", "case_timeline", "case_qa_reviews", "case_appeals", "case_related",
                 "case_search", "case_excerpt", "incident_cases", "kept_spike_record"}


def test_every_named_query_has_test_parameters():
    # The parity tests run each query with the registry's parameters; a query with none is named here.
    missing = [n for n in missing_calls(plan_calls()) if n not in OUTSIDE_PLANS]
    assert not missing, f"no test parameters for {missing}: add their calls to tests/server_parity.py"
    unknown = OUTSIDE_PLANS - set(queries.available())
    assert not unknown, f"tests/unit/test_transpile.py names queries that do not exist: {sorted(unknown)}"


@pytest.mark.parametrize("engine", translate.TESTED_ENGINES)
def test_every_named_query_transpiles_to_every_tested_engine(engine):
    """Every query transpiles, the SLA clock's included (every tested engine has a tested translation of it)."""
    assert engine in translate.SLA_CLOCK_ENGINES
    calls = plan_calls()
    refused = {}
    for name in queries.available():
        for params in calls.get(name) or [{}]:
            try:
                sql, binds = translate.transpile(name, engine, translate._list_types(params))
            except translate.DuckDBOnly as exc:
                refused[name] = str(exc)
                break
            assert set(binds) == queries.load(name).parameters
            for param in binds:
                assert f":{param}" in sql, (name, param)
    assert not refused, refused


@pytest.mark.parametrize("engine", translate.TESTED_ENGINES)
def test_every_summary_build_transpiles_to_every_tested_engine(query_folder, engine):
    # Their results are compared on Spark in tests/integration/test_spark.py; here, with no database, that
    # each transpiles and keeps its markers (a build with a DuckDB-only construct is named).
    builds = summary_builds(query_folder)
    assert len(builds) == 19
    for name in builds:
        sql, binds = translate.transpile(name, engine)
        assert all(f":{param}" in sql for param in binds), name
    spark = translate.transpile("summary_build_case_stages", "spark", text_binds=False)[0]
    assert "'infinity'" not in spark.lower() and "9999-12-31 23:59:59.999999" in spark


def test_the_text_binds_markers_only_and_never_values():
    sql, _ = translate.transpile("home_flow", "postgres", (("regions", "TEXT"),))
    assert ":as_of" in sql and "CAST(:regions AS TEXT[])" in sql
    assert "wf_in" not in sql.lower()  # the filter macro is inlined
    assert "/*" not in sql  # comments stay in queries/ (text() would read a colon in one as a marker)
    spark_sql, _ = translate.transpile("home_flow", "spark", (("regions", "TEXT"),), text_binds=False)
    assert "CAST(:regions AS ARRAY<STRING>)" in spark_sql


def test_the_sla_clock_is_inlined_where_tested_and_refused_elsewhere():
    sql, _ = translate.transpile("home_sla", "postgres")
    assert "sla_clocks" not in sql.lower() and "ignore nulls" not in sql.lower()  # PostgreSQL has no IGNORE NULLS
    for engine in ("spark", "databricks"):
        sql, _ = translate.transpile("home_sla", engine)
        assert "sla_clocks" not in sql.lower() and "TO_UTC_TIMESTAMP(" in sql, engine
    with pytest.raises(translate.DuckDBOnly, match="'home_sla' runs only on DuckDB: it uses the SLA clock"):
        translate.transpile("home_sla", "snowflake")


@pytest.mark.parametrize("engine", translate.TESTED_ENGINES)
def test_a_macro_argument_that_is_an_operation_stays_one_value(query_folder, engine):
    # DuckDB binds `wf_double(a + 1)` as (a + 1) * 2; written without the parentheses it would be a + 2.
    import sqlglot
    from sqlglot import exp

    (query_folder / "macros" / "double.sql").write_text("CREATE OR REPLACE TEMP MACRO wf_double(x) AS (x * 2);\n")
    (query_folder / "doubles.sql").write_text("SELECT wf_double(case_id + 1) AS d FROM cases")
    doubled = sqlglot.parse_one(translate.transpile("doubles", engine)[0], read=engine).find(exp.Mul)
    assert doubled is not None and doubled.this.find(exp.Add) is not None, doubled.sql(engine)


def test_databricks_gets_the_spark_translation():
    assert translate.family("databricks") == "spark"
    sql = translate.transpile("vendor_work", "databricks")[0]
    assert "PERCENTILE(handle_seconds" in sql and "SEQUENCE(" in sql  # Spark's rewrites, not DuckDB's forms


@pytest.mark.parametrize("engine", translate.TESTED_ENGINES)
def test_a_duckdb_function_with_no_translation_is_refused_by_name(query_folder, engine):
    (query_folder / "reversed_ids.sql").write_text("SELECT list_reverse(['a', 'b']) AS ids FROM cases WHERE case_id = $c")
    with pytest.raises(translate.DuckDBOnly, match=r"'reversed_ids' runs only on DuckDB: the function LIST_REVERSE\(\)"):
        translate.transpile("reversed_ids", engine)


def test_a_duckdb_construct_left_in_the_tree_is_refused_by_name(query_folder):
    (query_folder / "positional.sql").write_text("SELECT a.case_id FROM cases a POSITIONAL JOIN cases b")
    with pytest.raises(translate.DuckDBOnly, match="'positional'"):
        translate.transpile("positional", "postgres")


def test_a_macro_sqlglot_cannot_read_refuses_its_queries_by_name(query_folder):
    (query_folder / "macros" / "broken.sql").write_text(
        "CREATE OR REPLACE TEMP MACRO wf_broken(x) AS (x +* FROM);\n")
    (query_folder / "uses_broken.sql").write_text("SELECT wf_broken(1) AS y")
    (query_folder / "fine.sql").write_text("SELECT 1 AS y")
    with pytest.raises(translate.DuckDBOnly, match="'uses_broken' runs only on DuckDB: it uses the macro wf_broken, "
                                                "and sqlglot cannot read broken.sql"):
        translate.transpile("uses_broken", "postgres")
    assert translate.transpile("fine", "postgres")[0] == "SELECT 1 AS y"


def test_the_runner_creates_the_macro_files_a_query_names_and_no_others():
    sla = queries.macro_sql_for("home_sla")
    assert any("sla_clocks" in text for text in sla) and any("wf_in" in text for text in sla)
    assert queries.macro_sql_for("freshness") == ()
    # A macro name in a comment is not a use.
    assert "sla_clocks" not in queries.query_words("home_flow")
