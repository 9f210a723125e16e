"""Summaries (watchfloor/summaries.py): the SLA clocks read from them are the clocks replayed from
the raw events, row for row and bit for bit, at any instant; a batch's incremental refresh leaves
the same tables as a full rebuild; and `watchfloor refresh` fails in one line.

Both ways: `summary_sla_clocks` (what the pages read) against `sla_clocks` (the definition,
replaying every pause, resume, reopening and stop), first on a random warehouse (business
calendars in five time zones across the DST changes, pauses, reopenings, events at one instant),
then every page query switched to the summaries against the same query on the raw macro, on a
seeded warehouse continued by live-feed batches.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import duckdb
import polars as pl
import pytest

import queries
from queries import plans, translate
from tests.live_warehouse import read_rows, seeded_then_live
from tests.sla_cases import TIMEZONES, Warehouse, random_case, t
from tests.summary_checks import CLOCK_READS, FIGURES_DEFINITION, assert_same, raw_twin
from watchfloor import summaries
from watchfloor.cli import main
from watchfloor.filters import Filters
from watchfloor.simulator.config import SimConfig
from watchfloor.warehouse import create_schema

# The named queries that read the SLA clock summary; each runs both ways below.
SWITCHED = ("sla_period_clocks", "home_sla", "home_sla_week_before", "executive_sla", "vendor_sla",
            "queue_open_cases", "capacity_backlog", "routing_cases", "routing_figures", "sla_now")
END = datetime(2026, 11, 18, 12, 0)


def compare_clocks(con, as_of: datetime, since: datetime) -> int:
    params = {"a": as_of, "s": since}
    raw = con.sql("SELECT * FROM sla_clocks($a, $s) ORDER BY case_id, clock", params=params).pl()
    summary = con.sql("SELECT * FROM summary_sla_clocks($a, $s) ORDER BY case_id, clock", params=params).pl()
    assert_same(raw, summary, (as_of, since))
    return raw.height


@pytest.fixture(scope="module")
def random_warehouse() -> Warehouse:
    rng = random.Random(20261205)
    w = Warehouse()
    for i in range(8):
        calendar = "business" if i % 2 else "24x7"
        start, end = rng.choice([(9, 17), (8, 18), (7, 19), (0, 24), (1, 3)])
        w.policy(f"p{i}", rng.choice([15, 60, 240, 480]), rng.choice([240, 1440, 2880, 4320]), calendar,
                 i % 4 < 2, start, end)
        for tz in TIMEZONES:
            w.queue(f"q{i}_{tz}", f"p{i}", tz)
    queues = list(w.queues)
    base = t("2026-02-20")  # spans the March and October/November DST changes
    for n in range(1500):
        created = base + timedelta(seconds=rng.randrange(0, 270 * 86400))
        first_action, resolved, events = random_case(rng, created)
        w.case(f"c{n}", rng.choice(queues), created, first_action, resolved, events)
    w._flush()
    summaries.refresh(w.con)
    return w


def test_summary_clocks_equal_the_replayed_clocks_at_any_instant(random_warehouse):
    con = random_warehouse.con
    rng = random.Random(7)
    instants = [t("2026-03-08 07:30"), t("2026-03-29 01:30"), t("2026-10-25 01:30"), t("2026-11-01 06:15"),
                t("2027-06-01")]
    instants += [t("2026-02-20") + timedelta(seconds=rng.randrange(0, 290 * 86400)) for _ in range(12)]
    compared = 0
    for as_of in instants:
        for days in (2, 400):
            compared += compare_clocks(con, as_of, as_of - timedelta(days=days))
    assert compared > 10000
    # The histories cover what the summaries must get right: pauses, stops, clocks read whole from
    # summary_sla_stopped with their breach causes, and breached clocks still running.
    kinds = {r[0] for r in con.sql("SELECT DISTINCT state FROM summary_sla_stretches").fetchall()}
    assert kinds == {"running", "paused", "stopped"}
    stopped = con.sql("SELECT count(*) FILTER (WHERE breached AND pending_s > 0 AND closed_s > 0), "
                      "count(*) FILTER (WHERE NOT breached) FROM summary_sla_stopped").fetchall()[0]
    assert min(stopped) > 10, stopped
    running = con.sql("SELECT count(*) FROM summary_sla_clocks($a, $a) WHERE stopped_at IS NULL AND breached "
                      "AND pending_s > 0 AND queue_s > 0", params={"a": t("2026-11-01 06:15")}).fetchall()[0][0]
    assert running > 10, running


def test_a_wrong_summary_row_is_caught(random_warehouse):
    """The comparison can fail: one case's fixed part or one stretch off by a minute shows."""
    con = random_warehouse.con
    as_of = t("2026-12-01")
    case_id, = con.sql("SELECT case_id FROM summary_sla_cases WHERE res_stop IS NULL AND created_at < $a "
                       "ORDER BY case_id LIMIT 1", params={"a": as_of}).fetchall()[0]
    stretch = con.sql("SELECT case_id, event_id FROM summary_sla_stretches WHERE state = 'paused' AND t < $a "
                      "AND t_next < $a ORDER BY case_id, event_id LIMIT 1", params={"a": as_of}).fetchall()[0]
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        con.execute("UPDATE summary_sla_cases SET p_created = p_created - 60 WHERE case_id = ?", [case_id]).fetchall()
        with pytest.raises(AssertionError):
            compare_clocks(con, as_of, as_of - timedelta(days=400))
        con.execute("ROLLBACK").fetchall()
        compare_clocks(con, as_of, as_of - timedelta(days=400))
        con.execute("BEGIN TRANSACTION").fetchall()
        con.execute("UPDATE summary_sla_stretches SET res_paused_before = res_paused_before + 60, "
                    "fa_paused_before = fa_paused_before + 60 WHERE case_id = ? AND event_id > ?", stretch).fetchall()
        with pytest.raises(AssertionError):
            compare_clocks(con, as_of, as_of - timedelta(days=400))
        con.execute("ROLLBACK").fetchall()
        # A stopped clock's stored result, or one breach cause of it, off by a second.
        for column in ("elapsed_seconds", "queue_s"):
            con.execute("BEGIN TRANSACTION").fetchall()
            con.execute(f"UPDATE summary_sla_stopped SET {column} = {column} + 1 WHERE (case_id, clock) = "
                        "(SELECT (case_id, clock) FROM summary_sla_stopped WHERE breached AND stopped_at < $a "
                        "ORDER BY case_id, clock LIMIT 1)", {"a": as_of}).fetchall()
            with pytest.raises(AssertionError):
                compare_clocks(con, as_of, as_of - timedelta(days=400))
            con.execute("ROLLBACK").fetchall()
        con.execute("BEGIN TRANSACTION").fetchall()
    finally:
        con.execute("ROLLBACK").fetchall()


# --- the page queries, on a seeded warehouse continued by live batches ---------------------------

@pytest.fixture(scope="module")
def live_warehouse(tmp_path_factory) -> dict:
    """Seeded for 4 days up to END (summaries built by the seeder), then 2 hours of live batches,
    each refreshing its cases' summaries in its transaction."""
    path = str(tmp_path_factory.mktemp("summaries") / "live.duckdb")
    now = seeded_then_live(path, SimConfig(days=4, cases_per_day=1500, seed=4, end=END), feed_seed=12)
    # The feed never reopens a case: one more batch, written as a loader writes, reopens resolved
    # cases (a few of them resolved again, one put on pending), with its refresh in its transaction.
    at = now + timedelta(minutes=5)
    con = duckdb.connect(path)
    try:
        con.execute("BEGIN TRANSACTION").fetchall()
        ids = [r[0] for r in con.sql("SELECT case_id FROM cases WHERE status = 'resolved' AND resolved_at > $e "
                                     "ORDER BY case_id LIMIT 30", params={"e": END}).fetchall()]
        first = con.sql("SELECT max(event_id) FROM case_events").fetchall()[0][0] + 1
        events = [(case_id, at, "reopened") for case_id in ids]
        events += [(case_id, at + timedelta(minutes=20), "resolved") for case_id in ids[:10]]
        events += [(ids[-1], at + timedelta(minutes=25), "pending_info")]
        con.executemany("INSERT INTO case_events (event_id, case_id, occurred_at, event_type) VALUES (?, ?, ?, ?)",
                        [(first + i, *e) for i, e in enumerate(events)])
        con.execute("UPDATE cases SET status = 'queued', resolved_at = NULL, updated_at = ? "
                    "WHERE case_id IN (SELECT unnest(?::VARCHAR[]))", [at, ids[10:]]).fetchall()
        con.execute("UPDATE cases SET resolved_at = ?, updated_at = ? WHERE case_id IN (SELECT unnest(?::VARCHAR[]))",
                    [at + timedelta(minutes=20), at + timedelta(minutes=20), ids[:10]]).fetchall()
        summaries.refresh(con, ids)
        con.execute("COMMIT").fetchall()
    finally:
        con.close()
    return {"path": path, "end": at + timedelta(minutes=30)}


def _calls(as_of: datetime) -> dict[str, list[dict]]:
    """Each switched query's parameters as the pages make them at as_of: over 7 days, and over 30
    with narrowing filters."""
    calls: dict[str, list[dict]] = {}
    day = as_of.date()
    for filters in (Filters(start=day - timedelta(days=6), end=day),
                    Filters(start=day - timedelta(days=29), end=day, regions=("EMEA", "AMER"), priorities=("P1", "P2"))):
        for make in (*plans.PAGE_PLANS.values(), plans.automation_cases):
            for call in make(as_of, filters):
                if call.name in SWITCHED and call.params not in calls.setdefault(call.name, []):
                    calls[call.name].append(call.params)
    return calls


def test_the_live_batches_paused_resumed_reopened_and_stopped_clocks(live_warehouse):
    con = duckdb.connect(live_warehouse["path"], read_only=True)
    try:
        kinds = dict(con.sql("SELECT event_type, count(*) FROM case_events WHERE occurred_at > $e GROUP BY ALL",
                             params={"e": END}).fetchall())
        mark = summaries.read_state(con).high_water_mark
        newest = con.sql("SELECT max(occurred_at) FROM case_events").fetchall()[0][0]
    finally:
        con.close()
    assert all(kinds.get(k, 0) > 0 for k in ("pending_info", "info_received", "reopened", "resolved")), kinds
    assert mark == newest


def test_every_switched_query_reads_the_same_from_the_summaries(live_warehouse):
    end = live_warehouse["end"]
    con = duckdb.connect(live_warehouse["path"], read_only=True)
    con.execute("SET TimeZone = 'UTC'").fetchall()
    try:
        for name in SWITCHED:
            for setup in queries.macro_sql_for(name):
                con.execute(setup).fetchall()
        ran = set()
        # Before the batches, inside them, and after them (clocks advanced from the summaries).
        # Inside the period's last day, and at its very end (midnight: the period ends at as_of).
        midnight = datetime.combine(end.date() + timedelta(days=1), datetime.min.time())
        for as_of in (END - timedelta(days=2, minutes=13), END + timedelta(hours=1, minutes=7), end + timedelta(hours=5),
                      midnight):
            for name, param_sets in _calls(as_of).items():
                sql = queries.load(name).sql
                assert any(p in sql for p in CLOCK_READS) and " sla_clocks(" not in sql, name
                raw_sql = raw_twin(sql)
                if name == "routing_figures":
                    # its clocks at their final stop come stored per case (summary_case_routes), the others
                    # from the open part: its raw twin is its definition, with every clock and step replayed
                    raw_sql = FIGURES_DEFINITION
                for params in param_sets:
                    bound = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
                    summary = con.sql(sql, params=bound).pl()
                    raw = con.sql(raw_sql, params=bound).pl()
                    if not translate.parsed(name).args.get("order"):
                        summary, raw = summary.sort(summary.columns), raw.sort(raw.columns)
                    assert_same(raw, summary, (name, as_of, params))
                    ran.add(name)
        assert ran == set(SWITCHED)
    finally:
        con.close()


def assert_a_wrong_count_caught(path: str, name: str, reading: str, params: dict, insert: str,
                                whole: datetime, cut: datetime) -> None:
    """The query `name` agrees with its raw twin; a count made one too many by `insert` (bound to an
    hour or day and the same as its bound) in a whole hour or day it reads from the summary shows
    against the twin, and one in the hour or day the period cuts does not (each change rolled back)."""
    sql = queries.load(name).sql
    assert reading in sql
    raw_sql = raw_twin(sql)
    con = duckdb.connect(path)
    con.execute("SET TimeZone = 'UTC'").fetchall()
    for setup in queries.macro_sql_for(name):
        con.execute(setup).fetchall()

    def compare() -> None:
        summary, raw = con.sql(sql, params=params).pl(), con.sql(raw_sql, params=params).pl()
        if not translate.parsed(name).args.get("order"):
            summary, raw = summary.sort(summary.columns), raw.sort(raw.columns)
        assert_same(raw, summary, name)

    try:
        compare()
        for unit, caught in ((whole, True), (cut, False)):
            con.execute("BEGIN TRANSACTION").fetchall()
            con.execute(insert, [unit, unit]).fetchall()
            if caught:
                with pytest.raises(AssertionError):
                    compare()
            else:
                compare()
            con.execute("ROLLBACK").fetchall()
    finally:
        con.close()


def test_a_wrong_met_hour_count_is_caught(live_warehouse):
    """The SLA page's met clocks of whole hours come from summary_sla_met_hours: one count off by one
    there shows against the raw twin, and the period's cut hours are not read from it (each change
    rolled back)."""
    as_of = END + timedelta(hours=1, minutes=7)
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in
              plans.sla(as_of, Filters(start=as_of.date() - timedelta(days=6), end=as_of.date()))[1].params.items()}
    cut_hour = datetime.combine(as_of.date(), datetime.min.time()) + timedelta(hours=as_of.hour)
    assert_a_wrong_count_caught(
        live_warehouse["path"], "sla_period_clocks", "summary_sla_met_hour_counts(", params,
        "INSERT INTO summary_sla_met_hours SELECT ?, clock, queue_id, priority, region, vendor_id, NULL, 1 "
        "FROM summary_sla_met_hours WHERE hour < ? ORDER BY ALL LIMIT 1",
        whole=cut_hour - timedelta(hours=3), cut=cut_hour)


def test_the_met_day_counts_are_the_stopped_clocks_counted_per_day(live_warehouse):
    """summary_sla_met_day_counts (what vendor_sla reads for whole days) against its twin counted
    from the replayed clocks, for ranges of whole days as of instants before, inside and after the
    live batches, since their first day or earlier (as a period's start is)."""
    end = live_warehouse["end"]
    con = duckdb.connect(live_warehouse["path"], read_only=True)
    con.execute("SET TimeZone = 'UTC'").fetchall()
    try:
        for setup in queries.macro_sql_for("vendor_sla"):
            con.execute(setup).fetchall()
        compared = 0
        for as_of in (END - timedelta(days=2, minutes=13), END + timedelta(hours=1, minutes=7), end + timedelta(hours=5)):
            midnight = datetime.combine(as_of.date(), datetime.min.time())
            for first, until, since in ((midnight - timedelta(days=3), midnight, midnight - timedelta(days=3)),
                                        (midnight - timedelta(days=6), midnight + timedelta(days=1), midnight - timedelta(days=8)),
                                        (midnight - timedelta(days=1), midnight - timedelta(days=1), midnight - timedelta(days=1))):
                params = {"a": as_of, "s": since, "f": first, "u": until}
                order = "ORDER BY day, clock, queue_id, priority, region, vendor_id, reviewer_id"
                summary = con.sql(f"SELECT * FROM summary_sla_met_day_counts($a, $s, $f, $u) {order}", params=params).pl()
                raw = con.sql(f"SELECT * FROM sla_met_day_counts($a, $s, $f, $u) {order}", params=params).pl()
                assert_same(raw, summary, params)
                compared += int(raw["clocks"].sum() or 0)
        assert compared > 5000
    finally:
        con.close()


def test_a_wrong_met_day_count_is_caught(live_warehouse):
    """The Vendors page's met clocks of whole days come from summary_sla_met_reviewer_days: one count
    off by one there shows in vendor_sla against its raw twin, and the day the period cuts (that of
    as_of) is not read from it (each change rolled back)."""
    as_of = END + timedelta(hours=1, minutes=7)
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in
              plans.vendors(as_of, Filters(start=as_of.date() - timedelta(days=6), end=as_of.date()))[4].params.items()}
    cut_day = datetime.combine(as_of.date(), datetime.min.time())
    assert_a_wrong_count_caught(
        live_warehouse["path"], "vendor_sla", "summary_sla_met_day_counts(", params,
        "INSERT INTO summary_sla_met_reviewer_days SELECT ?, clock, queue_id, priority, region, vendor_id, "
        "reviewer_id, NULL, 1 FROM summary_sla_met_reviewer_days WHERE day < ? ORDER BY ALL LIMIT 1",
        whole=cut_day - timedelta(days=2), cut=cut_day)


# The settled routes and scores with their codes as their names (an incremental refresh may code a
# name otherwise than a full rebuild numbers it, never name it otherwise), in a stable order.
SETTLED_NAMED = {
    "summary_settled_routes": """
        SELECT r.* EXCLUDE (source_no, category_no), s.name AS source, c.name AS category
        FROM summary_settled_routes r
        JOIN summary_names s ON s.kind = 'source' AND s.code = r.source_no
        JOIN summary_names c ON c.kind = 'category' AND c.code = r.category_no
        ORDER BY ALL""",
    "summary_settled_scores": """
        SELECT r.* EXCLUDE (classifier_no, category_no), k.name AS classifier, c.name AS category
        FROM summary_settled_scores r
        JOIN summary_names k ON k.kind = 'classifier' AND k.code = r.classifier_no
        JOIN summary_names c ON c.kind = 'category' AND c.code = r.category_no
        ORDER BY ALL""",
}


def _tables(path: str) -> dict[str, pl.DataFrame]:
    con = duckdb.connect(path, read_only=True)
    try:
        return {
            **{table: con.sql(sql).pl() for table, sql in SETTLED_NAMED.items()},
            "summary_sla_cases": con.sql("SELECT * FROM summary_sla_cases ORDER BY case_id").pl(),
            "summary_sla_stretches": con.sql("SELECT * FROM summary_sla_stretches ORDER BY case_id, event_id").pl(),
            "summary_sla_stopped": con.sql("SELECT * FROM summary_sla_stopped ORDER BY case_id, clock").pl(),
            "summary_sla_met_hours": con.sql("SELECT * FROM summary_sla_met_hours ORDER BY ALL").pl(),
            "summary_sla_met_reviewer_days": con.sql("SELECT * FROM summary_sla_met_reviewer_days ORDER BY ALL").pl(),
        }
    finally:
        con.close()


def test_incremental_refreshes_leave_what_a_full_rebuild_builds(live_warehouse, tmp_path):
    copy = tmp_path / "rebuilt.duckdb"
    copy.write_bytes(open(live_warehouse["path"], "rb").read())
    before = summaries.refresh_file(copy, full=False)  # nothing new since the last batch
    assert not before.full and before.cases == 0
    incremental = _tables(str(copy))
    report = summaries.refresh_file(copy, full=True)
    assert report.full and report.cases == incremental["summary_sla_cases"].height
    for name, frame in _tables(str(copy)).items():
        assert_same(frame, incremental[name], name)


def test_refresh_picks_up_what_another_system_wrote(live_warehouse, tmp_path):
    """Rows written without a refresh (another system's loader): an incremental refresh finds the
    touched cases from the high-water mark and gets the same summaries as a full rebuild."""
    copy = tmp_path / "other.duckdb"
    copy.write_bytes(open(live_warehouse["path"], "rb").read())
    con = duckdb.connect(str(copy))
    try:
        stamp = live_warehouse["end"] + timedelta(minutes=30)
        open_ids = [r[0] for r in con.sql("SELECT case_id FROM cases WHERE status <> 'resolved' ORDER BY case_id LIMIT 40").fetchall()]
        first = con.sql("SELECT max(event_id) FROM case_events").fetchall()[0][0] + 1
        con.executemany("INSERT INTO case_events (event_id, case_id, occurred_at, event_type) VALUES (?, ?, ?, ?)",
                        [(first + i, case_id, stamp, "pending_info" if i % 2 else "resolved")
                         for i, case_id in enumerate(open_ids)])
        con.execute("UPDATE cases SET resolved_at = ?, status = 'resolved', updated_at = ? WHERE case_id IN "
                    "(SELECT unnest(?::VARCHAR[])) ", [stamp, stamp, open_ids[::2]]).fetchall()
        con.execute("DELETE FROM cases WHERE case_id = (SELECT min(case_id) FROM cases WHERE status = 'resolved')").fetchall()
    finally:
        con.close()
    # A writer that refreshes only its own cases (as the live feed does) keeps the old mark: the
    # other system's events are still not in the summaries.
    con = duckdb.connect(str(copy))
    mark = summaries.read_state(con).high_water_mark
    con.execute("BEGIN TRANSACTION").fetchall()
    summaries.refresh(con, [open_ids[-1]])
    con.execute("COMMIT").fetchall()
    assert summaries.read_state(con).high_water_mark == mark < stamp
    con.close()
    report = summaries.refresh_file(copy, full=False)
    assert not report.full and report.cases == 41 and report.high_water_mark == stamp
    incremental = _tables(str(copy))
    summaries.refresh_file(copy, full=True)
    for name, frame in _tables(str(copy)).items():
        assert_same(frame, incremental[name], name)


def test_the_refresh_command(live_warehouse, tmp_path, capsys):
    copy = tmp_path / "cli.duckdb"
    copy.write_bytes(open(live_warehouse["path"], "rb").read())
    assert main(["refresh", "--warehouse", str(copy), "--full"]) == 0
    out = capsys.readouterr().out
    assert "full rebuild" in out and out.count("\n") == 1
    con = duckdb.connect(str(copy), read_only=True)
    generation = summaries.read_state(con).generation
    con.close()
    assert main(["refresh", "--warehouse", str(copy)]) == 0
    assert "incremental): 0 cases" in capsys.readouterr().out
    con = duckdb.connect(str(copy), read_only=True)
    assert summaries.read_state(con).generation == generation + 1
    con.close()


def test_the_refresh_command_builds_within_its_memory_bound(live_warehouse, tmp_path, monkeypatch):
    """`watchfloor refresh` builds with DuckDB held to the build's bound (the seeder's), not most of
    the machine: the bound in force while the summaries are built."""
    copy = tmp_path / "bounded.duckdb"
    copy.write_bytes(open(live_warehouse["path"], "rb").read())
    seen, real = [], summaries.refresh

    def refresh(con, case_ids=None):
        seen.append(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
        return real(con, case_ids)

    monkeypatch.setattr(summaries, "BUILD_MEMORY_LIMIT", "1234MB")
    monkeypatch.setattr(summaries, "refresh", refresh)
    assert main(["refresh", "--warehouse", str(copy), "--full"]) == 0
    assert seen == ["1.1 GiB"]  # 1234 MB, as DuckDB writes it


@pytest.mark.parametrize("setup, message", [
    ("missing", "no warehouse file at"),
    ("garbage", "cannot open warehouse"),
    ("empty", "holds no cases"),
])
def test_the_refresh_command_fails_in_one_line(tmp_path, capsys, setup, message):
    path = tmp_path / "w.duckdb"
    if setup == "garbage":
        path.write_bytes(b"not a warehouse\n")
    elif setup == "empty":
        con = duckdb.connect(str(path))
        from watchfloor.warehouse import create_schema

        create_schema(con)
        con.close()
    assert main(["refresh", "--warehouse", str(path)]) in (1, 2)
    captured = capsys.readouterr()
    assert message in captured.err and captured.err.count("\n") == 1 and "Traceback" not in captured.err


def test_the_pages_say_when_the_summaries_lag(live_warehouse, tmp_path):
    """freshness gives the summaries' high-water mark; a write without a refresh makes the pages
    say in one line how far behind the SLA figures are, and a refresh clears it."""
    from watchfloor.freshness import summary_lag

    copy = tmp_path / "lag.duckdb"
    copy.write_bytes(open(live_warehouse["path"], "rb").read())
    row = queries.run_uncached("freshness", warehouse=str(copy)).row(0, named=True)
    assert row["summaries_built"] and row["summaries_through"] == row["newest_event_at"]
    assert summary_lag(row["newest_event_at"], row["summaries_through"], True) is None
    queries.close_all()  # the runner's reader holds the file
    con = duckdb.connect(str(copy))
    later = row["newest_event_at"] + timedelta(minutes=95)
    con.execute("INSERT INTO case_events (event_id, case_id, occurred_at, event_type) "
                "SELECT max(event_id) + 1, min(case_id), ?, 'pending_info' FROM case_events", [later]).fetchall()
    con.close()
    queries.close_all()
    row = queries.run_uncached("freshness", warehouse=str(copy)).row(0, named=True)
    line = summary_lag(row["newest_event_at"], row["summaries_through"], row["summaries_built"])
    assert line == (f"SLA, trend and vendor-work figures include events up to {row['summaries_through']:%Y-%m-%d %H:%M} UTC, "
                    "1.6 h behind the newest event (run `watchfloor refresh` if this lasts).")
    queries.close_all()
    summaries.refresh_file(copy, full=False)
    row = queries.run_uncached("freshness", warehouse=str(copy)).row(0, named=True)
    assert summary_lag(row["newest_event_at"], row["summaries_through"], row["summaries_built"]) is None
    assert "not been built" in summary_lag(row["newest_event_at"], None, False)


def test_the_readiness_check_knows_every_table_a_refresh_builds():
    """warehouse.SUMMARY_TABLES (what the readiness check and the server copy look for) cannot import
    the summaries module; it lists the same tables by hand, and must name every one."""
    from watchfloor.schema import SUMMARY_TABLES

    assert sorted(SUMMARY_TABLES) == sorted(("summary_state", *summaries.BUILT_TABLES))


def test_a_warehouse_without_summaries_is_refused_with_the_way_out(live_warehouse, tmp_path, capsys):
    """A warehouse from before the summaries (or another system's): the dashboard's readiness check
    names the command; `watchfloor refresh` builds them (all of them: nothing was built before)."""
    from watchfloor.schema import SUMMARY_TABLES
    from watchfloor.warehouse import SummariesMissing, check_ready

    copy = tmp_path / "old.duckdb"
    copy.write_bytes(open(live_warehouse["path"], "rb").read())
    con = duckdb.connect(str(copy))
    for table in SUMMARY_TABLES:
        con.execute(f"DROP TABLE {table}").fetchall()
    con.close()
    with pytest.raises(SummariesMissing, match="run watchfloor refresh"):
        check_ready(str(copy))
    assert check_ready(str(copy), summaries=False) > 0
    assert main(["refresh", "--warehouse", str(copy)]) == 0
    assert "(full rebuild)" in capsys.readouterr().out
    assert check_ready(str(copy)) > 0


def test_a_load_refreshes_the_summaries_of_the_cases_it_wrote(live_warehouse, tmp_path):
    """watchfloor load rebuilds the touched cases' summaries in its transaction: right after it the
    clocks from the summaries equal the replayed ones, with the loaded pause and resumption in, and
    the summaries counted per hour, day or settle day are those a full rebuild gives."""
    from watchfloor.loader import load_files

    copy = tmp_path / "loaded.duckdb"
    copy.write_bytes(open(live_warehouse["path"], "rb").read())
    con = duckdb.connect(str(copy), read_only=True)
    case_id, created = con.sql("SELECT case_id, created_at FROM cases WHERE status <> 'resolved' AND created_at < $e "
                               "ORDER BY created_at DESC, case_id LIMIT 1", params={"e": END}).fetchall()[0]
    first = con.sql("SELECT max(event_id) FROM case_events").fetchall()[0][0] + 1
    con.close()
    pause, resume = live_warehouse["end"] + timedelta(minutes=1), live_warehouse["end"] + timedelta(minutes=50)
    events = tmp_path / "case_events.csv"
    events.write_text("event_id,case_id,occurred_at,event_type\n"
                      f"{first},{case_id},{pause:%Y-%m-%d %H:%M:%S},pending_info\n"
                      f"{first + 1},{case_id},{resume:%Y-%m-%d %H:%M:%S},info_received\n")
    results = load_files([events], copy)
    assert results[0].accepted == 2
    con = duckdb.connect(str(copy), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'").fetchall()
        for setup in queries.macro_sql_for("home_sla"):
            con.execute(setup).fetchall()
        assert summaries.read_state(con).high_water_mark == resume
        as_of = resume + timedelta(hours=1)
        compare_clocks(con, as_of, created - timedelta(days=1))
        paused = con.sql("SELECT max(paused_seconds) FROM summary_sla_clocks($a, $a) WHERE case_id = $c",
                         params={"a": as_of, "c": case_id}).fetchall()[0][0]
    finally:
        con.close()
    assert paused > 0
    # the per-day summaries the load rebuilt for its case's days are a full rebuild's
    loaded = _tables(str(copy))
    summaries.refresh_file(copy, full=True)
    for name, frame in _tables(str(copy)).items():
        assert_same(frame, loaded[name], name)


def test_a_build_that_fails_inside_a_transaction_raises_its_own_error(live_warehouse, tmp_path, monkeypatch):
    """A writer refreshes inside its transaction; when a build step fails there (DuckDB out of memory,
    say), the caller gets that error to report and roll back, not a complaint about the aborted
    transaction from tidying up."""
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(open(live_warehouse["path"], "rb").read())
    real = summaries.build_sql
    monkeypatch.setattr(summaries, "build_sql",
                        lambda name: "SELECT error('the build ran out of memory')" if name == _BUILD_LAST else real(name))
    con = duckdb.connect(str(copy))
    try:
        con.execute("SET TimeZone = 'UTC'").fetchall()
        con.execute("BEGIN TRANSACTION").fetchall()
        with pytest.raises(duckdb.InvalidInputException, match="ran out of memory"):
            summaries.refresh(con)
        con.execute("ROLLBACK").fetchall()
    finally:
        con.close()


_BUILD_LAST = summaries._BUILD[-1]


def test_a_refresh_rebuilds_summaries_of_an_older_layout(live_warehouse, tmp_path):
    """Summaries built by an earlier version (another layout: here summary_sla_cases without
    reviewer_id, no summary_sla_stopped) are made anew by the next refresh, even an incremental one."""
    copy = tmp_path / "older.duckdb"
    copy.write_bytes(open(live_warehouse["path"], "rb").read())
    con = duckdb.connect(str(copy))
    con.execute("DROP TABLE summary_sla_stopped").fetchall()
    con.execute("ALTER TABLE summary_sla_cases DROP COLUMN reviewer_id").fetchall()
    con.execute("UPDATE summary_state SET version = version - 1").fetchall()
    con.close()
    report = summaries.refresh_file(copy, full=False)
    assert report.full
    rebuilt = _tables(str(copy))
    summaries.refresh_file(copy, full=True)
    for name, frame in _tables(str(copy)).items():
        assert_same(frame, rebuilt[name], name)
    assert rebuilt["summary_sla_cases"]["reviewer_id"].null_count() < rebuilt["summary_sla_cases"].height


def test_a_full_rebuild_in_batches_builds_what_one_batch_builds(live_warehouse, tmp_path, monkeypatch):
    """A full rebuild takes the cases a batch at a time (memory stays bounded at 10M cases): small
    batches give every summary table exactly the rows of one batch over every case."""
    whole = tmp_path / "whole.duckdb"
    whole.write_bytes(open(live_warehouse["path"], "rb").read())
    batched = tmp_path / "batched.duckdb"
    batched.write_bytes(whole.read_bytes())
    monkeypatch.setattr(summaries, "FULL_BUILD_BATCH", 10**9)
    one = summaries.refresh_file(whole, full=True)
    monkeypatch.setattr(summaries, "FULL_BUILD_BATCH", 997)
    many = summaries.refresh_file(batched, full=True)
    assert one.cases == many.cases > 5 * 997  # several batches, the last one short
    for table in summaries.TABLES + summaries.HOURLY_TABLES:
        sql = f"SELECT * FROM {table} ORDER BY ALL"
        expected = read_rows(whole, sql)
        assert expected.height > 0, table
        assert_same(read_rows(batched, sql), expected, table)


def test_a_full_rebuild_keeps_the_cases_created_at_one_instant_in_one_batch(live_warehouse, tmp_path, monkeypatch):
    """A batch of a full rebuild is exactly the cases of its creation range (its builds then skip
    the test against the batch's list, wf_in_scope): 40 cases given one creation instant across
    the boundary of two batches are built once each, with the rows one batch over every case gives."""
    whole = tmp_path / "whole.duckdb"
    whole.write_bytes(open(live_warehouse["path"], "rb").read())
    with duckdb.connect(str(whole)) as con:
        # the 981st to 1,020th cases in creation order take the creation of the first of them
        # (earlier, so each still has no event before its creation)
        tied = con.execute("""UPDATE cases SET created_at = t.first FROM (
                                  SELECT case_id, min(created_at) OVER () AS first FROM (
                                      SELECT case_id, created_at FROM cases
                                      ORDER BY created_at, case_id LIMIT 40 OFFSET 980)) t
                              WHERE cases.case_id = t.case_id""").fetchall()[0][0]
        ranks = con.execute("""SELECT min(n), max(n) FROM (
                                   SELECT created_at, row_number() OVER (ORDER BY created_at, case_id) AS n FROM cases)
                               WHERE created_at = (SELECT created_at FROM cases
                                                   ORDER BY created_at, case_id LIMIT 1 OFFSET 990)""").fetchall()[0]
    assert tied == 40 and ranks[0] <= 1000 < ranks[1]  # the tie spans the first two batches of 1,000
    batched = tmp_path / "batched.duckdb"
    batched.write_bytes(whole.read_bytes())
    monkeypatch.setattr(summaries, "FULL_BUILD_BATCH", 10**9)
    one = summaries.refresh_file(whole, full=True)
    monkeypatch.setattr(summaries, "FULL_BUILD_BATCH", 1000)
    many = summaries.refresh_file(batched, full=True)
    assert one.cases == many.cases > 2000
    for table in summaries.TABLES + summaries.HOURLY_TABLES + summaries.DAY_TABLES:
        sql = f"SELECT * FROM {table} ORDER BY ALL"
        expected = read_rows(whole, sql)
        assert expected.height > 0, table
        assert_same(read_rows(batched, sql), expected, table)


def _summary_ddl(con) -> dict[str, str]:
    return dict(con.execute("SELECT table_name, sql FROM duckdb_tables() WHERE table_name LIKE 'summary%'").fetchall())


def test_a_full_refresh_makes_the_summary_tables_anew_as_the_schema_declares_them(live_warehouse, tmp_path):
    """A full refresh drops and recreates the summary tables rather than emptying them (rows inserted
    after a DELETE of the whole table were committed one at a time through its primary key): they
    come back as schema.sql declares them, keys included, with every case's rows as before, and
    summary_state, kept, counts one more refresh."""
    copy = tmp_path / "anew.duckdb"
    copy.write_bytes(open(live_warehouse["path"], "rb").read())
    tables = summaries.TABLES + summaries.HOURLY_TABLES + summaries.DAY_TABLES + summaries.MET_HOUR_TABLES
    before = {table: read_rows(copy, f"SELECT * FROM {table} ORDER BY ALL") for table in tables}
    con = duckdb.connect(str(copy), read_only=True)
    generation = summaries.read_state(con).generation
    con.close()
    summaries.refresh_file(copy, full=True)
    declared = duckdb.connect(":memory:")
    create_schema(declared)
    con = duckdb.connect(str(copy), read_only=True)
    try:
        assert _summary_ddl(con) == _summary_ddl(declared)
        assert summaries.read_state(con).generation == generation + 1
    finally:
        con.close()
        declared.close()
    for table in tables:
        assert before[table].height > 0, table
        assert_same(read_rows(copy, f"SELECT * FROM {table} ORDER BY ALL"), before[table], table)
