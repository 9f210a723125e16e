"""Spark SQL, the engine behind Databricks, for real: pyspark's own Spark Connect server (local,
two cores) holding the same data as a DuckDB warehouse, and every named query compared on both.

The set-up (tests/spark_server.py) installs Debian's Java when it is missing (as root, `apt-get
update` first), starts one Spark Connect server for the whole module on a free port, and puts the
warehouse's tables there as Parquet tables. Under CI=true a Spark that cannot be started is a
failure, not a skip. The SLA clock's business-hours positions are also compared on their own, over
instants around DST changes and the edges of business hours in desks of several time zones.
"""

from __future__ import annotations

import pytest

import queries
from tests import spark_server
from tests.server_parity import all_calls, assert_business_hours_agree, assert_same, must_run


@pytest.fixture(scope="module")
def both(parity_warehouse, tmp_path_factory) -> tuple[str, str]:
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
