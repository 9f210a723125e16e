"""The QA-check and appeal-outcome summaries (summary_qa_checks, summary_appeal_outcomes,
watchfloor/summaries.py): vendor_quality, vendor_outcomes and quality_reviews (the Quality page) read
from them give, row for row, the counts joined to the cases on the raw tables (their definitions
beside this file); the case routes hold each case's QA reviews and decided appeals as counted from
the raw rows; and every
writer keeps them so: the seeder, the live feed (which writes cases and events, never a QA review
or appeal), the loader (a file of QA reviews or appeals refreshes their cases), and `watchfloor
refresh` after another system's writes, each leaving what a full rebuild builds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

import queries
from queries import plans
from tests.live_warehouse import Clock, assert_wrong_row_caught, copy_of, read_rows
from tests.summary_checks import assert_same
from watchfloor import summaries
from watchfloor.filters import Filters
from watchfloor.loader import load_files
from watchfloor.simulator import writer
from watchfloor.simulator.config import SimConfig
from watchfloor.simulator.live import LiveConfig, LiveFeed

END = datetime(2026, 11, 18, 12, 0)
HERE = Path(__file__).parent
# Each query and the definition it is checked against: the same counts with each QA review or
# appeal joined to its case on the raw tables.
DEFINITIONS = {name: (HERE / f"{name}_definition.sql").read_text(encoding="utf-8")
               for name in ("vendor_quality", "vendor_outcomes", "quality_reviews")}
SUMMARY_OF = {"vendor_quality": "summary_qa_checks", "vendor_outcomes": "summary_appeal_outcomes",
              "quality_reviews": "summary_qa_checks"}
# The figure each query counts, summed over the comparisons to show they compared rows.
COUNTED = {"vendor_quality": "checks", "vendor_outcomes": "appeals_decided", "quality_reviews": "checks"}
# The summaries' rows, in a full order, and the same rows joined on the raw tables.
ROWS = {
    "summary_qa_checks": "SELECT * FROM summary_qa_checks ORDER BY qa_id",
    "summary_appeal_outcomes": "SELECT * FROM summary_appeal_outcomes ORDER BY appeal_id",
    "summary_case_routes": "SELECT case_id, evidence_until, qa_checked, qa_violating, golden_checked, golden_violating, "
                           "qa_agreed, appeals_decided, appeals_overturned FROM summary_case_routes ORDER BY case_id",
}
RAW_ROWS = {
    "summary_qa_checks": "SELECT qa.case_id, qa.qa_id, qa.reviewer_id, qa.reviewed_at, qa.is_golden, "
                         "qa.original_decision, qa.qa_decision, c.category, c.queue_id "
                         "FROM qa_reviews qa JOIN cases c ON c.case_id = qa.case_id ORDER BY qa.qa_id",
    "summary_appeal_outcomes": "SELECT ap.case_id, ap.appeal_id, ap.resolved_at, ap.outcome, c.reviewer_id, c.queue_id "
                               "FROM appeals ap JOIN cases c ON c.case_id = ap.case_id ORDER BY ap.appeal_id",
    # each case's QA reviews and decided appeals (what automation_candidates and automation_classifier
    # read from its case route), counted from the raw rows
    "summary_case_routes": """
        SELECT c.case_id,
               (SELECT max(t) FROM (SELECT reviewed_at AS t FROM qa_reviews q WHERE q.case_id = c.case_id
                                    UNION ALL SELECT resolved_at FROM appeals a WHERE a.case_id = c.case_id
                                    AND a.outcome IN ('upheld', 'overturned'))) AS evidence_until,
               (SELECT count(*) FROM qa_reviews q WHERE q.case_id = c.case_id AND NOT q.is_golden)::INTEGER AS qa_checked,
               (SELECT count(*) FROM qa_reviews q WHERE q.case_id = c.case_id AND NOT q.is_golden
                AND q.qa_decision = 'violating')::INTEGER AS qa_violating,
               (SELECT count(*) FROM qa_reviews q WHERE q.case_id = c.case_id AND q.is_golden)::INTEGER AS golden_checked,
               (SELECT count(*) FROM qa_reviews q WHERE q.case_id = c.case_id AND q.is_golden
                AND q.qa_decision = 'violating')::INTEGER AS golden_violating,
               (SELECT count(*) FROM qa_reviews q WHERE q.case_id = c.case_id
                AND q.qa_decision = q.original_decision)::INTEGER AS qa_agreed,
               (SELECT count(*) FROM appeals a WHERE a.case_id = c.case_id AND a.resolved_at IS NOT NULL
                AND a.outcome IN ('upheld', 'overturned'))::INTEGER AS appeals_decided,
               (SELECT count(*) FROM appeals a WHERE a.case_id = c.case_id AND a.resolved_at IS NOT NULL
                AND a.outcome = 'overturned')::INTEGER AS appeals_overturned
        FROM cases c ORDER BY c.case_id""",
}


@pytest.fixture(scope="module")
def live_warehouse(tmp_path_factory) -> dict:
    """Seeded for 9 days up to END (summaries built by the seeder), then 2 hours of live batches,
    each refreshing its cases' summaries in its transaction; with the QA reviews and appeals as
    the seeder left them."""
    path = str(tmp_path_factory.mktemp("reviews") / "live.duckdb")
    writer.seed(path, SimConfig(days=9, cases_per_day=1000, seed=12, end=END), progress=False)
    seeded = {t: read_rows(path, f"SELECT * FROM {t} ORDER BY ALL") for t in ("qa_reviews", "appeals")}
    clock = Clock(END)
    feed = LiveFeed(path, LiveConfig(seed=17, speed=2.0), clock=clock)
    for _ in range(12):
        clock.now += timedelta(minutes=10)
        feed.step()
    return {"path": path, "end": clock.now, "seeded": seeded}


def _open(path, read_only=True):
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("SET TimeZone = 'UTC'").fetchall()
    for name in DEFINITIONS:
        for setup in queries.macro_sql_for(name):
            con.execute(setup).fetchall()
    return con


def calls(as_of: datetime, days: int) -> list[tuple[str, dict]]:
    """The queries' parameters as the Vendors and Quality pages make them at as_of over `days` days:
    page defaults, and narrowing filters."""
    day = as_of.date()
    out = []
    for filters in (Filters(start=day - timedelta(days=days - 1), end=day),
                    Filters(start=day - timedelta(days=days - 1), end=day, regions=("EMEA", "AMER"),
                            verticals=("fraud", "harassment", "spam"), priorities=("P1", "P2"),
                            vendors=("cobalt", "northstar"))):
        for call in plans.vendors(as_of, filters) + plans.quality(as_of, filters):
            if call.name in DEFINITIONS:
                out.append((call.name, {k: list(v) if isinstance(v, tuple) else v for k, v in call.params.items()}))
    return out


def compare(con, name: str, params: dict) -> pl.DataFrame:
    sql = queries.load(name).sql
    assert SUMMARY_OF[name] in sql and "JOIN cases" not in sql
    raw = con.sql(DEFINITIONS[name], params=params).pl()
    summary = con.sql(sql, params=params).pl()
    assert_same(raw, summary, (name, params))  # both order their rows fully
    return raw


def compare_tables(con) -> None:
    for table in ROWS:
        assert_same(con.sql(RAW_ROWS[table]).pl(), con.sql(ROWS[table]).pl(), table)


def assert_as_rebuilt(copy: Path) -> None:
    """The summaries kept incrementally in `copy` are what a full rebuild of it builds."""
    incremental = {t: read_rows(copy, ROWS[t]) for t in ROWS}
    assert summaries.refresh_file(copy, full=True).full
    for table in ROWS:
        assert_same(read_rows(copy, ROWS[table]), incremental[table], table)


def test_the_queries_read_the_counts_joined_to_the_cases(live_warehouse):
    con = _open(live_warehouse["path"])
    try:
        compare_tables(con)
        counted = {name: 0 for name in DEFINITIONS}
        for as_of in (END - timedelta(days=2, minutes=13), END + timedelta(hours=1, minutes=7), live_warehouse["end"]):
            for days in (1, 7, 30, 90):
                for name, params in calls(as_of, days):
                    rows = compare(con, name, params)
                    counted[name] += rows[COUNTED[name]].sum()
        # Every kind of row is compared: checks golden and not, agreeing and not; appeals upheld and overturned.
        assert counted["vendor_quality"] > 1000 and counted["vendor_outcomes"] > 300, counted
        assert counted["quality_reviews"] == counted["vendor_quality"], counted  # the same checks, grouped otherwise
        kinds = con.sql("SELECT count(DISTINCT is_golden), count(*) FILTER (WHERE original_decision <> qa_decision) "
                        "FROM summary_qa_checks").fetchall()[0]
        assert kinds[0] == 2 and kinds[1] > 10, kinds
        outcomes = dict(con.sql("SELECT outcome, count(*) FROM summary_appeal_outcomes GROUP BY ALL").fetchall())
        assert all(outcomes.get(k, 0) > 0 for k in ("upheld", "overturned", "pending")), outcomes
    finally:
        con.close()


def test_the_live_feed_writes_no_review_and_refreshes_the_cases_it_changes(live_warehouse):
    """The feed writes cases and events only (the QA reviews and appeals are the seeder's), and its
    refresh of the cases it wrote leaves their QA checks and appeals with the cases' columns now."""
    path = live_warehouse["path"]
    for table, seeded in live_warehouse["seeded"].items():
        assert_same(seeded, read_rows(path, f"SELECT * FROM {table} ORDER BY ALL"), table)
    con = _open(path)
    try:
        compare_tables(con)
    finally:
        con.close()


def test_a_wrong_summary_row_is_caught(live_warehouse, tmp_path):
    """The comparison can fail: a QA check's category or queue, or an appeal's reviewer or outcome,
    changed in the summary shows in the query's rows."""
    copy = copy_of(live_warehouse["path"], tmp_path / "wrong.duckdb")
    w = _open(copy, read_only=False)
    try:
        params = dict(reversed(calls(END, 30)))  # the page defaults (the first call of each)
        qa = w.sql("SELECT qa_id FROM summary_qa_checks WHERE reviewed_at < $a ORDER BY reviewed_at DESC LIMIT 1",
                   params={"a": END}).fetchall()[0]
        appeal = w.sql("SELECT appeal_id FROM summary_appeal_outcomes WHERE outcome = 'upheld' AND reviewer_id IS NOT NULL "
                       "AND resolved_at < $a ORDER BY resolved_at DESC LIMIT 1", params={"a": END}).fetchall()[0]
        other_reviewer = w.sql("SELECT max(reviewer_id) FROM reviewers").fetchall()[0][0]
        for table, change, key, name in (
                ("summary_qa_checks", "category = 'spam' || category WHERE qa_id = ?", qa, "vendor_quality"),
                ("summary_qa_checks", "reviewed_at = reviewed_at - INTERVAL 40 DAY WHERE qa_id = ?", qa, "vendor_quality"),
                ("summary_qa_checks", "category = 'spam' || category WHERE qa_id = ?", qa, "quality_reviews"),
                ("summary_qa_checks", "reviewed_at = reviewed_at - INTERVAL 1 DAY WHERE qa_id = ?", qa, "quality_reviews"),
                ("summary_appeal_outcomes", "outcome = 'overturned' WHERE appeal_id = ?", appeal, "vendor_outcomes"),
                ("summary_appeal_outcomes", f"reviewer_id = '{other_reviewer}' WHERE appeal_id = ?", appeal,
                 "vendor_outcomes")):
            assert_wrong_row_caught(w, table, change, key, lambda name=name: compare(w, name, params[name]))
        for name in DEFINITIONS:
            compare(w, name, params[name])
    finally:
        w.close()


def test_incremental_refreshes_leave_what_a_full_rebuild_builds(live_warehouse, tmp_path):
    copy = copy_of(live_warehouse["path"], tmp_path / "rebuilt.duckdb")
    assert_as_rebuilt(copy)


def _write(path: Path, frame: pl.DataFrame) -> Path:
    frame.write_csv(path)
    return path


def test_loading_qa_reviews_and_appeals_refreshes_their_cases(live_warehouse, tmp_path):
    """Files of new QA reviews and appeals of stored cases (no case or event with them): the load's
    refresh puts them in the summaries with their cases' columns, as a full rebuild would."""
    copy = copy_of(live_warehouse["path"], tmp_path / "loaded.duckdb")
    cases = read_rows(copy, "SELECT case_id, reviewer_id, decision FROM cases WHERE reviewer_id IS NOT NULL "
                            "AND decision IS NOT NULL AND case_id NOT IN (SELECT case_id FROM qa_reviews) "
                            "AND case_id NOT IN (SELECT case_id FROM appeals) ORDER BY case_id LIMIT 6")
    qa_reviewer = read_rows(copy, "SELECT min(qa_reviewer_id) AS r FROM qa_reviews")["r"][0]
    at = live_warehouse["end"] - timedelta(hours=1)
    qa = _write(tmp_path / "qa_reviews.csv", pl.DataFrame({
        "qa_id": [f"QA-LOAD-{i}" for i in range(3)], "case_id": cases["case_id"][:3],
        "reviewer_id": cases["reviewer_id"][:3], "qa_reviewer_id": [qa_reviewer] * 3,
        "reviewed_at": [at] * 3, "original_decision": cases["decision"][:3],
        "qa_decision": ["violating", "non_violating", "violating"], "is_golden": [True, False, False]}))
    appeals = _write(tmp_path / "appeals.csv", pl.DataFrame({
        "appeal_id": [f"AP-LOAD-{i}" for i in range(3)], "case_id": cases["case_id"][3:],
        "filed_at": [at - timedelta(hours=5)] * 3, "resolved_at": [at, at, None],
        "outcome": ["overturned", "upheld", "pending"]}))
    results = {r.table: r for r in load_files([qa, appeals], copy)}
    assert results["qa_reviews"].accepted == 3 and results["appeals"].accepted == 3
    con = _open(copy)
    try:
        compare_tables(con)
        loaded = con.sql("SELECT count(*) FROM summary_qa_checks WHERE qa_id LIKE 'QA-LOAD-%'").fetchall()[0][0]
        loaded += con.sql("SELECT count(*) FROM summary_appeal_outcomes WHERE appeal_id LIKE 'AP-LOAD-%'").fetchall()[0][0]
        assert loaded == 6
        for name, params in calls(live_warehouse["end"], 7):
            compare(con, name, params)
    finally:
        con.close()
    assert_as_rebuilt(copy)


def test_refresh_picks_up_reviews_and_appeals_another_system_wrote(live_warehouse, tmp_path):
    """Written without a refresh, and with no case or event touched: a QA review added and one
    removed, a pending appeal decided. An incremental refresh finds those cases and gives a full
    rebuild's rows."""
    copy = copy_of(live_warehouse["path"], tmp_path / "other.duckdb")
    con = duckdb.connect(str(copy))
    try:
        con.execute("SET TimeZone = 'UTC'").fetchall()
        new_case, reviewer, decision = con.sql(
            "SELECT case_id, reviewer_id, decision FROM cases WHERE decision IS NOT NULL AND reviewer_id IS NOT NULL "
            "AND case_id NOT IN (SELECT case_id FROM qa_reviews) ORDER BY case_id LIMIT 1").fetchall()[0]
        con.execute("INSERT INTO qa_reviews SELECT 'QA-OTHER', ?, ?, qa_reviewer_id, ?, ?, ?, false "
                    "FROM qa_reviews ORDER BY qa_id LIMIT 1",
                    [new_case, reviewer, END - timedelta(hours=3), decision, decision]).fetchall()
        removed = con.sql("SELECT qa_id, case_id FROM qa_reviews ORDER BY qa_id LIMIT 1").fetchall()[0]
        con.execute("DELETE FROM qa_reviews WHERE qa_id = ?", [removed[0]]).fetchall()
        appeal = con.sql("SELECT appeal_id, case_id FROM appeals WHERE outcome = 'pending' ORDER BY appeal_id LIMIT 1"
                         ).fetchall()[0]
        con.execute("UPDATE appeals SET outcome = 'overturned', resolved_at = ? WHERE appeal_id = ?",
                    [END - timedelta(hours=2), appeal[0]]).fetchall()
    finally:
        con.close()
    report = summaries.refresh_file(copy, full=False)
    assert not report.full and report.cases == len({new_case, removed[1], appeal[1]})
    con = _open(copy)
    try:
        compare_tables(con)
        assert con.sql("SELECT count(*) FROM summary_qa_checks WHERE qa_id = 'QA-OTHER'").fetchall()[0][0] == 1
        assert con.sql("SELECT count(*) FROM summary_qa_checks WHERE qa_id = $q", params={"q": removed[0]}).fetchall()[0][0] == 0
        assert con.sql("SELECT outcome FROM summary_appeal_outcomes WHERE appeal_id = $a",
                       params={"a": appeal[0]}).fetchall()[0][0] == "overturned"
    finally:
        con.close()
    assert_as_rebuilt(copy)
