"""The hourly counts (watchfloor/summaries.py, summary_hourly_cases and summary_hourly_accounts):
every query switched to them gives, row for row, what the same query gives on the raw cases
(queries/macros/hourly.sql: `case_hours` and `case_hour_accounts` are the definitions), at the
pages' parameters over 7, 30 and 90 days, hourly and daily, with and without filters, and at
bounds that cut an hour; a corrupted summary row makes the comparison fail; incremental
refreshes (live-feed batches, a loader's batch that moves cases to other vendors, removes one and
lands a burst from one account) leave what a full rebuild builds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import duckdb
import polars as pl
import pytest

import queries
from queries import plans, translate
from tests.live_warehouse import copy_of, read_rows, seeded_then_live
from watchfloor import summaries
from watchfloor.filters import Filters
from watchfloor.simulator.config import SimConfig

# The named queries that read the hourly counts; each runs both ways below.
SWITCHED = ("trends_series", "watched_series")
END = datetime(2026, 11, 18, 12, 0)
BURST_ACCOUNT = "acct_hourly_burst"


def raw_form(sql: str) -> str:
    """The query on the raw cases: the summary macros replaced by their definitions (the spike
    record's kept cells by watched_hours, their sum from the hourly counts)."""
    return (sql.replace("summary_case_hours(", "case_hours(").replace("summary_case_hour_accounts(", "case_hour_accounts(")
            .replace("summary_watched_hours(", "watched_hours("))


def assert_same(raw: pl.DataFrame, summary: pl.DataFrame, where) -> None:
    """The same columns, types and rows in the same order."""
    assert raw.schema == summary.schema, (where, raw.schema, summary.schema)
    assert raw.height == summary.height, (where, raw.height, summary.height)
    assert raw.equals(summary), (where, raw.join(summary, on=raw.columns, how="anti").head(3).to_dicts(),
                                 summary.join(raw, on=raw.columns, how="anti").head(3).to_dicts())


@pytest.fixture(scope="module")
def live_warehouse(tmp_path_factory) -> dict:
    """Seeded for 5 days up to END (summaries built by the seeder), then 2 hours of live batches
    (each refreshing its cases' summaries in its transaction), then a batch written as a loader
    writes: cases moved to another vendor and priority, one case removed, and a burst of cases
    from one account in one hour, with the refresh of those cases in its transaction."""
    path = str(tmp_path_factory.mktemp("hourly") / "live.duckdb")
    now = seeded_then_live(path, SimConfig(days=5, cases_per_day=1500, seed=5, end=END), feed_seed=13)
    con = duckdb.connect(path)
    try:
        con.execute("BEGIN TRANSACTION").fetchall()
        moved = [r[0] for r in con.sql("SELECT case_id FROM cases WHERE vendor_id IS NOT NULL AND created_at < $e "
                                       "ORDER BY case_id LIMIT 25", params={"e": END - timedelta(days=1)}).fetchall()]
        vendors = [r[0] for r in con.sql("SELECT DISTINCT vendor_id FROM cases WHERE vendor_id IS NOT NULL "
                                         "ORDER BY 1").fetchall()]
        con.execute("UPDATE cases SET vendor_id = ?, priority = 'P0', updated_at = ? "
                    "WHERE case_id IN (SELECT unnest(?::VARCHAR[]))", [vendors[-1], now, moved]).fetchall()
        removed = con.sql("SELECT min(case_id) FROM cases WHERE created_at < $e",
                          params={"e": END - timedelta(days=2)}).fetchall()[0][0]
        con.execute("DELETE FROM case_events WHERE case_id = ?", [removed]).fetchall()
        con.execute("DELETE FROM cases WHERE case_id = ?", [removed]).fetchall()
        # The burst: copies of one recent case from one account, over 25 minutes of one hour.
        template = con.sql("SELECT case_id FROM cases WHERE created_at >= $e ORDER BY case_id LIMIT 1",
                           params={"e": END}).fetchall()[0][0]
        burst_hour = END + timedelta(minutes=60)
        burst = [f"burst-{i:02d}" for i in range(14)]
        for i, case_id in enumerate(burst):
            con.execute("INSERT INTO cases SELECT * REPLACE (? AS case_id, ? AS created_at, ? AS updated_at, "
                        "? AS account_id, NULL AS first_action_at, NULL AS resolved_at, 'queued' AS status, "
                        "NULL AS decision, NULL AS enforcement_action, NULL AS reviewer_id) "
                        "FROM cases WHERE case_id = ?",
                        [case_id, burst_hour + timedelta(minutes=5 + 2 * i), burst_hour + timedelta(minutes=40),
                         BURST_ACCOUNT, template]).fetchall()
        summaries.refresh(con, [*moved, removed, *burst])
        con.execute("COMMIT").fetchall()
    finally:
        con.close()
    return {"path": path, "end": now, "moved": moved, "vendor": vendors[-1], "burst_hour": burst_hour}


def _calls(as_of: datetime) -> dict[str, list[dict]]:
    """Each switched query's parameters as the pages make them at as_of: over 7, 30 and 90 days,
    hourly and daily, by every breakdown, with and without narrowing filters."""
    calls: dict[str, list[dict]] = {}
    day = as_of.date()
    for days in (7, 30, 90):
        for scope in ({}, {"regions": ("EMEA", "AMER"), "priorities": ("P0", "P1", "P2")},
                      {"verticals": ("Child safety", "Fraud & spam"), "vendors": ("meridian", "internal")}):
            filters = Filters(start=day - timedelta(days=days - 1), end=day, **scope)
            for dimension in ("category", "surface", "language", "source"):
                for hourly in (True, False):
                    for call in plans.trends(as_of, filters, dimension=dimension, hourly=hourly):
                        if call.name in SWITCHED and call.params not in calls.setdefault(call.name, []):
                            calls[call.name].append(call.params)
            for make in plans.PAGE_PLANS.values():
                for call in make(as_of, filters):
                    if call.name in SWITCHED and call.params not in calls.setdefault(call.name, []):
                        calls[call.name].append(call.params)
    return calls


def _cut(as_of: datetime) -> dict[str, list[dict]]:
    """Bounds that cut an hour at either end, fall inside one hour, or end on one."""
    scope: dict[str, Any] = {"regions": [], "verticals": [], "priorities": [], "vendors": []}
    spans = [(as_of - timedelta(days=3, minutes=17), as_of - timedelta(minutes=3)),
             (as_of - timedelta(hours=5, minutes=50), as_of - timedelta(hours=5, minutes=10)),
             (as_of - timedelta(hours=6), as_of - timedelta(hours=5, minutes=30)),
             (as_of - timedelta(hours=7, minutes=30), as_of - timedelta(hours=2))]
    return {
        "trends_series": [{"history_start": a, "period_end": b, "hourly": h, "dimension": "region", **scope}
                          for a, b in spans for h in (True, False)],
        "watched_series": [{"history_start": a, "until": b, **scope} for a, b in spans],
    }


def compare(con, name: str, params: dict) -> int:
    sql = queries.load(name).sql
    bound = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
    summary = con.sql(sql, params=bound).pl()
    raw = con.sql(raw_form(sql), params=bound).pl()
    if not translate.parsed(name).args.get("order"):  # rows in no set order: compared sorted
        raw, summary = raw.sort(raw.columns), summary.sort(summary.columns)
    assert_same(raw, summary, (name, params))
    return raw.height


def _reader(path: str):
    con = duckdb.connect(path, read_only=True)
    con.execute("SET TimeZone = 'UTC'").fetchall()
    for name in SWITCHED:
        for setup in queries.macro_sql_for(name):
            con.execute(setup).fetchall()
    return con


def test_every_switched_query_reads_the_same_from_the_hourly_counts(live_warehouse):
    con = _reader(live_warehouse["path"])
    try:
        rows = {name: 0 for name in SWITCHED}
        for name in SWITCHED:
            sql = queries.load(name).sql
            assert "summary_case_hours(" in sql and " case_hours(" not in sql, name
            assert name != "watched_series" or "summary_watched_hours(" in sql
        # Before the batches, inside them, after them (the burst's hour), and later.
        end = live_warehouse["end"]
        for as_of in (END - timedelta(days=2, minutes=13), END + timedelta(hours=1, minutes=7),
                      end + timedelta(minutes=50), end + timedelta(hours=5)):
            for calls in (_calls(as_of), _cut(as_of)):
                for name, param_sets in calls.items():
                    for params in param_sets:
                        rows[name] += compare(con, name, params)
        assert all(n > 500 for n in rows.values()), rows
        # The comparisons covered the burst: its cell-hour's busiest account is the burst account.
        burst = con.sql("SELECT max(cases) FROM summary_hourly_accounts WHERE account_id = $a",
                        params={"a": BURST_ACCOUNT}).fetchall()[0][0]
        assert burst == 14
    finally:
        con.close()


def test_the_spike_record_cells_over_every_case_are_the_raw_cases(live_warehouse):
    """Without filters watched_series reads the kept cells (summary_watched_cells, summed from the
    hourly counts); every priority (a case always has one) is every case, read the filtered way
    from the raw cases: the same rows."""
    con = _reader(live_warehouse["path"])
    try:
        end = live_warehouse["end"]
        for as_of in (END + timedelta(hours=1, minutes=7), end + timedelta(minutes=50), end + timedelta(hours=5)):
            until = as_of.replace(minute=0)
            every = {"history_start": until - timedelta(days=4), "until": until, "regions": [], "verticals": [],
                     "priorities": [], "vendors": []}
            sql = queries.load("watched_series").sql
            kept = con.sql(sql, params=every).pl()
            raw = con.sql(raw_form(sql), params={**every, "priorities": ["P0", "P1", "P2", "P3"]}).pl()
            assert kept.height > 500
            assert_same(raw.sort(raw.columns), kept.sort(kept.columns), as_of)
    finally:
        con.close()


def test_the_hourly_counts_add_up_to_the_cases(live_warehouse):
    """Independently of the macros: per hour, the summary's cases and slots are the raw cases."""
    con = _reader(live_warehouse["path"])
    try:
        raw = con.sql("SELECT date_trunc('hour', created_at) AS hour, count(*) AS cases, "
                      "count(*) FILTER (WHERE minute(created_at) >= 50) AS last_slot, count(account_id) AS with_account "
                      "FROM cases GROUP BY 1 ORDER BY 1").pl()
        summary = con.sql("SELECT hour, sum(cases)::BIGINT AS cases, sum(slot_5)::BIGINT AS last_slot, "
                          "sum(with_account)::BIGINT AS with_account FROM summary_hourly_cases GROUP BY 1 ORDER BY 1").pl()
        assert_same(raw, summary, "per hour")
        moved = con.sql("SELECT sum(cases) FROM summary_hourly_cases WHERE vendor_id = $v AND priority = 'P0'",
                        params={"v": live_warehouse["vendor"]}).fetchall()[0][0]
        assert moved >= len(live_warehouse["moved"])
    finally:
        con.close()


def test_a_wrong_summary_row_is_caught(live_warehouse, tmp_path):
    """The comparison can fail: one hourly row off by one case, one account row, or one row of the
    spike record's cells (read without filters) shows; the hourly rows are read within filters."""
    copy = copy_of(live_warehouse["path"], tmp_path / "wrong.duckdb")
    as_of = live_warehouse["end"] + timedelta(hours=1)
    watched = {"history_start": as_of - timedelta(days=4), "until": as_of.replace(minute=0), "regions": [],
               "verticals": [], "priorities": [], "vendors": []}
    series = {"history_start": END - timedelta(days=4), "period_end": END + timedelta(days=1), "hourly": False,
              "dimension": "language", "regions": [], "verticals": [], "priorities": [], "vendors": []}
    writer = duckdb.connect(str(copy))
    hour, priority = writer.execute("SELECT hour, priority FROM summary_hourly_cases WHERE hour >= $h "
                                    "ORDER BY hour, priority LIMIT 1", {"h": END - timedelta(days=2)}).fetchall()[0]
    writer.execute("UPDATE summary_hourly_cases SET cases = cases + 1 WHERE hour = ? AND priority = ?",
                   [hour, priority]).fetchall()
    writer.close()
    within = {**watched, "priorities": [priority]}
    con = _reader(str(copy))
    # (without filters too: the kept cells no longer match the hourly counts they are summed from)
    for name, params in (("trends_series", series), ("watched_series", within), ("watched_series", watched)):
        with pytest.raises(AssertionError):
            compare(con, name, params)
    con.close()
    summaries.refresh_file(copy, full=True)
    con = _reader(str(copy))
    compare(con, "trends_series", series)
    compare(con, "watched_series", watched)
    compare(con, "watched_series", within)
    con.close()
    burst_priority = read_rows(str(copy), f"SELECT priority FROM summary_hourly_accounts WHERE account_id = '{BURST_ACCOUNT}' "
                                          "LIMIT 1")["priority"][0]
    for table, change in (("summary_hourly_accounts", f"cases = cases - 1 WHERE account_id = '{BURST_ACCOUNT}'"),
                          ("summary_watched_cells", "cases = cases + 1 WHERE hour = (SELECT min(hour) FROM summary_watched_cells "
                                                    f"WHERE hour >= TIMESTAMP '{watched['history_start']}')"),
                          ("summary_watched_cells", "top_account = top_account + 1 WHERE top_account = "
                                                    "(SELECT max(top_account) FROM summary_watched_cells)")):
        wrong = copy_of(copy, tmp_path / "wrong-again.duckdb")
        writer = duckdb.connect(str(wrong))
        writer.execute(f"UPDATE {table} SET {change}").fetchall()
        writer.close()
        con = _reader(str(wrong))
        with pytest.raises(AssertionError):
            compare(con, "watched_series", {**watched, "priorities": [burst_priority]}
                    if table == "summary_hourly_accounts" else watched)
        con.close()


def _tables(path: str) -> dict[str, pl.DataFrame]:
    return {table: read_rows(path, f"SELECT * FROM {table} ORDER BY ALL") for table in summaries.HOURLY_TABLES}


def test_incremental_refreshes_leave_what_a_full_rebuild_builds(live_warehouse, tmp_path):
    copy = copy_of(live_warehouse["path"], tmp_path / "rebuilt.duckdb")
    incremental = _tables(str(copy))
    assert incremental["summary_hourly_cases"].height > 1000
    report = summaries.refresh_file(copy, full=True)
    assert report.full
    for name, frame in _tables(str(copy)).items():
        assert_same(frame, incremental[name], name)


def test_refresh_picks_up_what_another_system_wrote(live_warehouse, tmp_path):
    """Cases written without a refresh (new ones, one moved to another vendor, one removed): an
    incremental refresh rebuilds their hours and gets what a full rebuild gets."""
    copy = copy_of(live_warehouse["path"], tmp_path / "other.duckdb")
    stamp = live_warehouse["end"] + timedelta(minutes=30)
    con = duckdb.connect(str(copy))
    try:
        con.execute("INSERT INTO cases SELECT * REPLACE ('other-' || case_id AS case_id, $u AS updated_at) "
                    "FROM cases WHERE created_at >= $s ORDER BY case_id LIMIT 20",
                    {"u": stamp, "s": END - timedelta(days=3)}).fetchall()
        con.execute("UPDATE cases SET vendor_id = NULL, updated_at = $u WHERE case_id = "
                    "(SELECT min(case_id) FROM cases WHERE vendor_id IS NOT NULL)", {"u": stamp}).fetchall()
        con.execute("DELETE FROM cases WHERE case_id = (SELECT max(case_id) FROM cases WHERE created_at < $s)",
                    {"s": END - timedelta(days=3)}).fetchall()
    finally:
        con.close()
    before = _tables(str(copy))
    report = summaries.refresh_file(copy, full=False)
    assert not report.full and report.cases > 2
    incremental = _tables(str(copy))
    assert not incremental["summary_hourly_cases"].equals(before["summary_hourly_cases"])
    summaries.refresh_file(copy, full=True)
    for name, frame in _tables(str(copy)).items():
        assert_same(frame, incremental[name], name)
