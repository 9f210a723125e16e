"""Spark SQL, the engine behind Databricks, for real: pyspark's own Spark Connect server (local,
two cores) holding the same data as a DuckDB warehouse, and every named query compared on both.

The set-up (tests/spark_server.py) installs Debian's Java when it is missing (as root, `apt-get
update` first), starts one Spark Connect server for the whole module on a free port, and puts the
warehouse's tables there as Parquet tables. Under CI=true a Spark that cannot be started is a
failure, not a skip. The SLA clock's business-hours positions are also compared on their own, over
instants around DST changes and the edges of business hours in desks of several time zones.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

import queries
from tests import spark_server
from tests.server_parity import all_calls, assert_business_hours_agree, assert_same, must_run, summary_builds
from watchfloor import engines


@pytest.fixture(scope="module")
def both(parity_warehouse, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """(DuckDB file, Spark Connect URL) holding the same simulated warehouse (tests/conftest.py)."""
    duck = parity_warehouse
    try:
        with spark_server.server() as url:
            counts = spark_server.load_warehouse(duck, url, tmp_path_factory.mktemp("parquet"))
            assert counts["cases"] > 2000
            yield duck, url
            queries.close_all()
    except spark_server.Unavailable as exc:
        must_run(str(exc))


@pytest.fixture(scope="module")
def calls(both) -> dict[str, list[dict]]:
    return all_calls(both[0])


@pytest.mark.parametrize("name", queries.available())
def test_every_named_query_gives_the_same_result_on_spark(both, calls, name):
    duck, spark = both
    assert calls.get(name), f"no test parameters for {name}: add its calls to tests/server_parity.py"
    for params in calls[name]:
        assert_same(name, queries.run_uncached(name, warehouse=duck, **params),
                    queries.run_uncached(name, warehouse=spark, **params), params, "spark")


def test_pages_read_spark_through_the_runner(both, monkeypatch):
    duck, spark = both
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", spark)
    assert queries.run("freshness")["cases"][0] == queries.run_uncached("freshness", warehouse=duck)["cases"][0]


def test_a_value_with_a_colon_or_quote_stays_a_value_on_spark(both):
    # A search term reaches Spark as a bound parameter, never as SQL text.
    duck, spark = both
    from queries import plans
    from tests.server_parity import AS_OF

    for call in plans.case_search(AS_OF, "x' OR 1=1 -- :as_of"):
        on_spark = queries.run_uncached(call.name, warehouse=spark, **call.params)
        assert on_spark.height == queries.run_uncached(call.name, warehouse=duck, **call.params).height == 0


def test_business_hours_positions_agree_with_duckdb_across_dst_changes(both, query_folder):
    assert_business_hours_agree(*both, "spark", query_folder)


def test_every_summary_build_gives_the_duckdb_summary_on_spark(both, query_folder):
    """Each summary's build (watchfloor/summary_sql), its SELECT transpiled like a named query and
    run on Spark over the raw tables for the full build's scope (every case, every hour with cases,
    the cases' creation range), gives the rows of the summary table DuckDB built. A build that
    reads another summary (the SLA stretches and stopped clocks read summary_sla_cases) reads
    DuckDB's, copied to Spark."""
    duck, spark = both
    session = engines.spark_session(spark)
    session.sql("CREATE OR REPLACE TEMP VIEW summary_scope AS SELECT case_id FROM cases").collect()
    session.sql("CREATE OR REPLACE TEMP VIEW summary_hours AS "
                "SELECT DISTINCT date_trunc('HOUR', created_at) AS hour FROM cases").collect()
    # the stage-day totals' days: every day of summary_stage_days (DuckDB's, copied like the others)
    session.sql("CREATE OR REPLACE TEMP VIEW summary_days AS SELECT DISTINCT day FROM summary_stage_days").collect()
    # the met clocks' hours: every hour a met clock of summary_sla_stopped stopped in
    session.sql("CREATE OR REPLACE TEMP VIEW summary_met_hours AS SELECT DISTINCT date_trunc('HOUR', stopped_at) AS hour "
                "FROM summary_sla_stopped WHERE NOT breached").collect()
    # and their days (the met clocks per reviewer and day)
    session.sql("CREATE OR REPLACE TEMP VIEW summary_met_days AS SELECT DISTINCT date_trunc('DAY', stopped_at) AS day "
                "FROM summary_sla_stopped WHERE NOT breached").collect()
    # the settled cases' (creation day, settle day) pairs (the settled routes and scores)
    session.sql("CREATE OR REPLACE TEMP VIEW summary_settle_days AS SELECT DISTINCT date_trunc('DAY', created_at) "
                "AS created_day, date_trunc('DAY', settled_at) AS settled_day FROM summary_case_routes "
                "WHERE settled_at IS NOT NULL").collect()
    con = duckdb.connect(duck, read_only=True)
    try:
        first, until, created_from, created_to = con.sql(
            "SELECT date_trunc('hour', min(created_at)), date_trunc('hour', max(created_at)) + INTERVAL 1 HOUR, "
            "min(created_at), max(created_at) + INTERVAL 1 MICROSECOND FROM cases").fetchall()[0]
        builds = summary_builds(query_folder)
        assert len(builds) == 19 and "summary_sla_cases" in builds.values()
        for name, table in builds.items():
            given = {"first": first, "until": until, "created_from": created_from, "created_to": created_to}
            params = {k: v for k, v in given.items() if k in queries.load(name).parameters}
            assert set(params) == queries.load(name).parameters, f"{name}: no test value for some of its parameters"
            built = con.sql(f"SELECT * FROM {table}").pl()
            if table == "summary_names":
                # The names build codes only the names not yet coded: run as the full build ran it
                # (one batch, nothing coded before), over an empty summary_names shadowing DuckDB's copy.
                session.sql("CREATE OR REPLACE TEMP VIEW summary_names AS SELECT * FROM VALUES "
                            "(CAST(NULL AS STRING), CAST(NULL AS INT), CAST(NULL AS STRING)) AS t(kind, code, name) "
                            "WHERE false").collect()
                try:
                    on_spark = queries.run_uncached(name, warehouse=spark, **params)
                finally:
                    session.sql("DROP VIEW IF EXISTS summary_names").collect()
            else:
                on_spark = queries.run_uncached(name, warehouse=spark, **params)
            assert built.height > 0 and on_spark.width == built.width, (name, on_spark.columns)
            # INSERT fills the table's columns by position: the table's names are the ones that count.
            assert_same(name, built, on_spark.rename(dict(zip(on_spark.columns, built.columns))), params, "spark",
                        ordered=False)
    finally:
        con.close()
        session.sql("DROP VIEW IF EXISTS summary_scope").collect()
        session.sql("DROP VIEW IF EXISTS summary_hours").collect()
        session.sql("DROP VIEW IF EXISTS summary_days").collect()
        session.sql("DROP VIEW IF EXISTS summary_met_hours").collect()
        session.sql("DROP VIEW IF EXISTS summary_met_days").collect()
        session.sql("DROP VIEW IF EXISTS summary_settle_days").collect()
