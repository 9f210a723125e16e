"""Spark SQL, the engine behind Databricks, for real: pyspark's own Spark Connect server (local,
two cores) holding the same data as a DuckDB warehouse, and every named query compared on both.

The set-up (tests/spark_server.py) installs Debian's Java when it is missing (as root, `apt-get
update` first), starts one Spark Connect server for the whole module on a free port, and puts the
warehouse's tables there as Parquet tables. Under CI=true a Spark that cannot be started is a
failure, not a skip. The SLA clock's business-hours positions are also compared on their own, over
instants around DST changes and the edges of business hours in desks of several time zones.
"""

from __future__ import annotations

from datetime import datetime

import pytest

import queries
from tests import spark_server
from tests.server_parity import all_calls, assert_same, must_run


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


def test_business_hours_positions_agree_with_duckdb_across_dst_changes(both, query_folder):
    duck, spark = both
    (query_folder / "business_probes.sql").write_text(BUSINESS_PROBES)
    rows = {}
    for start, end in DST_WINDOWS:
        params = {"start": datetime.fromisoformat(start), "end": datetime.fromisoformat(end)}
        on_duck = queries.run_uncached("business_probes", warehouse=duck, **params)
        on_spark = queries.run_uncached("business_probes", warehouse=spark, **params)
        assert on_duck.height == 6 * 3 * 6 * 24 * (datetime.fromisoformat(end) - datetime.fromisoformat(start)).days
        assert_same("business_probes", on_duck, on_spark, params, "spark")
        for engine, frame in (("duckdb", on_duck), ("spark", on_spark)):
            rows.update({(engine, r["tz"], r["ts"].replace(tzinfo=None)): r for r in frame.iter_rows(named=True)})

    def probe(engine, tz, ts):
        row = rows[(engine, tz, datetime.fromisoformat(ts))]
        return {k: (v.replace(tzinfo=None).isoformat(sep=" ") if isinstance(v, datetime) else v) for k, v in row.items()}

    for engine in ("duckdb", "spark"):
        # Worked out by hand. Cairo repeats 23:00-24:00 on Thursday 29 October (UTC+3, then +2): both
        # passes of 23:30 hold one position, which maps to the later instant.
        first, second = probe(engine, "Africa/Cairo", "2026-10-29 20:30:00"), probe(engine, "Africa/Cairo", "2026-10-29 21:30:00")
        assert first["local_ts"] == second["local_ts"] == "2026-10-29 23:30:00" and first["pos"] == second["pos"]
        assert first["at_pos"] == second["at_pos"] == "2026-10-29 21:30:00", engine
        # Its skipped hour (Friday 24 April, 00:00-01:00): 23:50 on Thursday (UTC+2), half an hour on, is 01:20.
        assert probe(engine, "Africa/Cairo", "2026-04-23 21:50:00")["half_hour_on"] == "2026-04-23 22:20:00", engine
        # New York, Friday 30 October 16:40 EDT: 20 minutes left, then Monday 2 November 09:10 EST.
        assert probe(engine, "America/New_York", "2026-10-30 20:40:00")["half_hour_on"] == "2026-11-02 14:10:00", engine
        # Sydney, Friday 2 October 17:50 AEST: 10 minutes left, then Monday 5 October 08:20 AEDT.
        assert probe(engine, "Australia/Sydney", "2026-10-02 07:50:00")["half_hour_on"] == "2026-10-04 21:20:00", engine
        # Kolkata (UTC+5:30), edges of 09:00-18:00 on Monday 26 October: a second before opening is
        # held at the opening; a second after closing is held at the next day's opening.
        assert probe(engine, "Asia/Kolkata", "2026-10-26 03:29:59")["at_pos"] == "2026-10-26 03:30:00", engine
        opening = probe(engine, "Asia/Kolkata", "2026-10-26 03:30:00")
        assert opening["at_pos"] == "2026-10-26 03:30:00" and opening["half_hour_on"] == "2026-10-26 04:00:00", engine
        assert probe(engine, "Asia/Kolkata", "2026-10-26 12:30:01")["at_pos"] == "2026-10-27 03:30:00", engine
        assert probe(engine, "Asia/Kolkata", "2026-10-26 12:29:59")["half_hour_on"] == "2026-10-27 03:59:59", engine
