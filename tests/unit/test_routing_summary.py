"""The case-stage summaries (summary_case_stages, summary_stage_days, summary_stage_day_totals and
summary_case_routes, watchfloor/summaries.py): the Automation page's routing queries read from them give the rows replayed
from the raw events, row for row, in the same order and bit for bit (the hours per day and stage:
the same days, stages and cases, and hours within 1e-9 of the replay's, which sums its seconds in
another order), and a batch's incremental refresh leaves the same rows as a full rebuild.

Both ways: `summary_routing_segments` (what routing_cases and routing_stage_hours read) against
`routing_segments` (the replay of the raw events, queries/macros/routing.sql), and the two queries
themselves on each (routing_stage_hours against its definition replayed with no summary,
routing_stage_hours_definition.sql; routing_figures against its definition, every case's step and SLA
clocks replayed from the raw events with no summary, routing_figures_definition.sql), on the seeded parity warehouse and on a seeded warehouse continued by live-feed
batches (with reopened cases): ranges of 7, 30 and 90 days, as of instants before, inside and after
the batches and in the middle of a range, with and without filters. The Automation page's counts read
from summary_case_routes too (automation_candidates, automation_classifier) are compared the same way
with their definitions on the raw cases, QA reviews and appeals (the *_definition.sql files here).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

import queries
from queries import plans, translate
from tests.live_warehouse import assert_wrong_row_caught, copy_of, read_rows, seeded_then_live
from tests.summary_checks import FIGURES_DEFINITION, assert_same
from watchfloor import summaries
from watchfloor.filters import Filters
from watchfloor.simulator.config import SimConfig

END = datetime(2026, 11, 18, 12, 0)
ROUTING = ("routing_cases", "routing_figures", "routing_stage_hours")
# The Automation page's counts read from the case routes too, each against its definition on the raw
# cases, QA reviews and appeals (the files beside this one).
COUNTS = ("automation_candidates", "automation_classifier", "automation_category_decisions")
COUNT_DEFINITIONS = {name: (Path(__file__).parent / f"{name}_definition.sql").read_text(encoding="utf-8")
                     for name in COUNTS}
# routing_stage_hours reads whole days from summaries of their own: it is compared with its definition.
STAGE_HOURS_DEFINITION = (Path(__file__).parent / "routing_stage_hours_definition.sql").read_text(encoding="utf-8")


# routing_figures' sums of seconds (the breached cases' per stage, review time), part of them read from
# the settled summaries.
SUMMED_SECONDS = ("waiting_s", "review_s", "pending_s", "escalated_s", "rerouted_s")


def raw_form(sql: str) -> str:
    return sql.replace("summary_routing_segments(", "routing_segments(")


@pytest.fixture(scope="module")
def live_warehouse(tmp_path_factory) -> dict:
    """Seeded for 9 days up to END (summaries built by the seeder), then 2 hours of live batches,
    each refreshing its cases' summaries in its transaction; then one batch written as a loader
    writes reopens resolved cases (some routed again, to a lower tier) with its own refresh."""
    path = str(tmp_path_factory.mktemp("routing") / "live.duckdb")
    now = seeded_then_live(path, SimConfig(days=9, cases_per_day=1000, seed=8, end=END), feed_seed=33)
    at = now + timedelta(minutes=5)
    con = duckdb.connect(path)
    try:
        con.execute("BEGIN TRANSACTION").fetchall()
        ids = [r[0] for r in con.sql("SELECT case_id FROM cases WHERE status = 'resolved' AND resolved_at > $e "
                                     "ORDER BY case_id LIMIT 20", params={"e": END}).fetchall()]
        l1 = con.sql("SELECT min(queue_id) FROM queues WHERE tier = 'L1'").fetchall()[0][0]
        first = con.sql("SELECT max(event_id) FROM case_events").fetchall()[0][0] + 1
        events = [(case_id, at, "reopened", None) for case_id in ids]
        events += [(case_id, at + timedelta(minutes=10), "routed", l1) for case_id in ids[:10]]
        events += [(case_id, at + timedelta(minutes=20), "resolved", None) for case_id in ids[:5]]
        con.executemany("INSERT INTO case_events (event_id, case_id, occurred_at, event_type, queue_id) "
                        "VALUES (?, ?, ?, ?, ?)", [(first + i, *e) for i, e in enumerate(events)])
        con.execute("UPDATE cases SET status = 'queued', resolved_at = NULL, updated_at = ? "
                    "WHERE case_id IN (SELECT unnest(?::VARCHAR[]))", [at, ids[5:]]).fetchall()
        con.execute("UPDATE cases SET resolved_at = ?, updated_at = ? WHERE case_id IN (SELECT unnest(?::VARCHAR[]))",
                    [at + timedelta(minutes=20), at + timedelta(minutes=20), ids[:5]]).fetchall()
        summaries.refresh(con, ids)
        con.execute("COMMIT").fetchall()
    finally:
        con.close()
    return {"path": path, "end": at + timedelta(minutes=30), "reopened": ids}


def connect(path: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(path, read_only=True)
    con.execute("SET TimeZone = 'UTC'").fetchall()
    for name in ROUTING + COUNTS:
        for setup in queries.macro_sql_for(name):
            con.execute(setup).fetchall()
    return con


@pytest.fixture()
def con(live_warehouse):
    con = connect(live_warehouse["path"])
    yield con
    con.close()


def compare_segments(con, created_from, created_to, open_since, as_of) -> int:
    params = {"f": created_from, "t": created_to, "o": open_since, "a": as_of}
    order = "ORDER BY case_id, started_at, event_id"
    raw = con.sql(f"SELECT * FROM routing_segments($f, $t, $o, $a) {order}", params=params).pl()
    summary = con.sql(f"SELECT * FROM summary_routing_segments($f, $t, $o, $a) {order}", params=params).pl()
    assert_same(raw, summary, params)
    return raw.height


def routing_calls(as_of: datetime, days: int, names: tuple[str, ...] = ROUTING) -> list[tuple[str, dict]]:
    """The routing queries' parameters as the Automation page makes them at as_of over `days`
    days ending that day: page defaults, and narrowing filters."""
    day = as_of.date()
    calls = []
    for filters in (Filters(start=day - timedelta(days=days - 1), end=day),
                    Filters(start=day - timedelta(days=days - 1), end=day, regions=("EMEA", "AMER"),
                            priorities=("P1", "P2"))):
        # the page's plan, and its cases one by one (read for a band of the flow)
        for call in [*plans.automation(as_of, filters), *plans.automation_cases(as_of, filters)]:
            if call.name in names:
                calls.append((call.name, {k: list(v) if isinstance(v, tuple) else v for k, v in call.params.items()}))
    return calls


def compare_query(con, name: str, params: dict) -> pl.DataFrame:
    sql = queries.load(name).sql
    summary = con.sql(sql, params=params).pl()
    assert translate.parsed(name).args.get("order"), name  # both order their rows: compared in that order
    if name == "routing_stage_hours":
        assert "summary_stage_day_totals" in sql and "routing_segments(" not in sql
        raw = con.sql(STAGE_HOURS_DEFINITION, params=params).pl()
        assert raw.schema == summary.schema, (raw.schema, summary.schema)
        assert_same(raw.drop("hours"), summary.drop("hours"), (name, params))
        off = ((raw["hours"] - summary["hours"]).abs() > 1e-9 * raw["hours"].abs().clip(lower_bound=1.0))
        assert not off.any(), (name, params, raw.filter(off).head(3).to_dicts(), summary.filter(off).head(3).to_dicts())
        return raw
    if name in COUNTS:
        assert "summary_case_routes" in sql and "FROM cases" not in sql
        raw = con.sql(COUNT_DEFINITIONS[name], params=params).pl()
        assert_same(raw, summary, (name, params))
        return raw
    if name == "routing_figures":
        assert "summary_case_routes" in sql and " routing_segments(" not in sql
        assert "summary_" not in "".join(line for line in FIGURES_DEFINITION.splitlines() if not line.startswith("--"))
        raw = con.sql(FIGURES_DEFINITION, params=params).pl()
        assert raw.schema == summary.schema, (raw.schema, summary.schema)
        # The sums of seconds add the settled summaries' sums to the other cases': the same seconds summed
        # in another order, within 1e-9 of the definition's.
        assert_same(raw.drop(SUMMED_SECONDS), summary.drop(SUMMED_SECONDS), (name, params))
        for column in SUMMED_SECONDS:
            a, b = raw[column], summary[column]
            assert (a.is_null() == b.is_null()).all(), (name, params, column)
            off = (a - b).abs() > 1e-9 * a.abs().clip(lower_bound=1.0)
            assert not off.fill_null(False).any(), (name, params, column, raw.filter(off).head(3).to_dicts(),
                                                    summary.filter(off)[column].head(3).to_list())
        return raw
    assert "summary_routing_segments(" in sql and " routing_segments(" not in sql, name
    raw = con.sql(raw_form(sql), params=params).pl()
    assert_same(raw, summary, (name, params))
    return raw


def instants(con, end: datetime) -> list[datetime]:
    """Before the batches, inside one, after them, and inside a step of a case (mid-segment)."""
    inside = con.sql("SELECT started_at + (ended_at - started_at) / 2 FROM summary_case_stages "
                     "WHERE stage = 'review' AND ended_at - started_at > INTERVAL 20 MINUTE AND started_at < $e "
                     "ORDER BY started_at DESC, case_id LIMIT 1", params={"e": END - timedelta(days=3)}).fetchall()[0][0]
    return [END - timedelta(days=2, minutes=13), END + timedelta(hours=1, minutes=7), end + timedelta(hours=5), inside]


def test_the_summary_segments_are_the_replayed_segments(con, live_warehouse):
    compared = 0
    for as_of in instants(con, live_warehouse["end"]):
        for days in (1, 7, 30, 90):
            start = as_of - timedelta(days=days)
            compared += compare_segments(con, start, as_of, None, as_of)  # as routing_cases asks
            compared += compare_segments(con, None, as_of, start, as_of)  # as routing_stage_hours asks
        # a range that ended before as_of (a past week looked at now)
        compared += compare_segments(con, as_of - timedelta(days=9), as_of - timedelta(days=2), None, as_of)
    assert compared > 50000
    # The histories cover what the summary must get right: every stage, re-routes and returns,
    # steps still open, reopened cases.
    stages = dict(con.sql("SELECT stage, count(*) FROM summary_case_stages GROUP BY ALL").fetchall())
    assert all(stages.get(k, 0) > 0 for k in ("waiting", "review", "pending", "escalated", "rerouted", "closed")), stages
    returns = con.sql("SELECT count(*) FROM summary_case_stages WHERE event_type = 'routed' AND nth_routed > 1 "
                      "AND wf_tier_rank(tier) < wf_tier_rank(tier_before)").fetchall()[0][0]
    assert returns >= 10
    assert con.sql("SELECT count(*) FROM summary_case_stages WHERE ended_at IS NULL AND stage <> 'closed'"
                   ).fetchall()[0][0] > 50
    assert con.sql("SELECT count(DISTINCT case_id) FROM summary_case_stages WHERE event_type = 'reopened' "
                   "AND case_id IN (SELECT unnest($ids::VARCHAR[]))", params={"ids": live_warehouse["reopened"]}
                   ).fetchall()[0][0] == 20


def test_the_routing_queries_read_the_same_from_the_summary(con, live_warehouse):
    ran = {name: 0 for name in ROUTING}
    for as_of in instants(con, live_warehouse["end"]):
        for days in (7, 30, 90):
            for name, params in routing_calls(as_of, days):
                rows = compare_query(con, name, params)
                ran[name] += 1
                assert rows.height > 0, (name, params)
    assert ran == {"routing_cases": 24, "routing_figures": 24, "routing_stage_hours": 24}


def test_the_automation_counts_read_the_same_from_the_summary(con, live_warehouse):
    """automation_candidates, automation_classifier and automation_category_decisions against their
    definitions on the raw tables, as of instants before, inside and after the batches (a past as_of:
    cases whose QA reviews or appeals came later are counted from the raw rows), over 7, 30 and 90 days,
    with and without filters."""
    ran = {name: 0 for name in COUNTS}
    evidence = {"whole": 0, "later": 0}
    for as_of in instants(con, live_warehouse["end"]):
        for days in (7, 30, 90):
            for name, params in routing_calls(as_of, days, COUNTS):
                rows = compare_query(con, name, params)
                ran[name] += 1
                counted = "human_violating" if name == "automation_category_decisions" else "qa_checked"
                assert rows.height > 0 and rows[counted].sum() > 0, (name, params)
        row = con.sql("SELECT count(*) FILTER (WHERE evidence_until <= $a), count(*) FILTER (WHERE evidence_until > $a) "
                      "FROM summary_case_routes WHERE created_at < $a", params={"a": as_of}).fetchall()[0]
        evidence["whole"] += row[0]
        evidence["later"] += row[1]
    assert ran == {"automation_candidates": 24, "automation_classifier": 24, "automation_category_decisions": 24}
    # both ways a case's evidence is read: counted with its row, and from the raw rows made by as_of
    assert evidence["whole"] > 100 and evidence["later"] > 100, evidence


def test_the_figures_comparison_covers_each_way_a_case_is_read(con, live_warehouse):
    """routing_figures reads a case three ways as of an instant (settled by then; its last step begun
    but a clock still open, joined to its open clocks; a step after the instant, read from the case
    stages): the instants compared above hold cases of each, and open clocks that breached."""
    for setup in queries.macro_sql_for("routing_figures"):
        con.execute(setup).fetchall()
    found = {"settled": 0, "open": 0, "open_breached": 0, "ahead": 0}
    for as_of in instants(con, live_warehouse["end"]):
        start = as_of - timedelta(days=30)
        row = con.sql("""
            SELECT count(*) FILTER (WHERE r.last_started_at <= $a AND r.res_stopped_at <= $a),
                   count(*) FILTER (WHERE r.last_started_at <= $a AND NOT coalesce(r.res_stopped_at <= $a, false)),
                   count(*) FILTER (WHERE r.last_started_at <= $a AND NOT coalesce(r.res_stopped_at <= $a, false)
                                      AND r.case_id IN (SELECT case_id FROM summary_sla_open_clocks($a, $s, false)
                                                        WHERE breached)),
                   count(*) FILTER (WHERE r.last_started_at > $a)
            FROM summary_case_routes r WHERE r.created_at >= $s AND r.created_at < $a""",
                      params={"a": as_of, "s": start}).fetchall()[0]
        for key, n in zip(found, row):
            found[key] += n
    assert all(n > 0 for n in found.values()), found


def test_the_comparisons_cover_the_settled_summaries_and_the_cases_read_one_by_one(con, live_warehouse):
    """The instants compared above read most of a range's cases from the settled summaries and the
    rest one by one: cases created on the day the range cuts, cases settled on as_of's own day before
    as_of (read one by one although settled by then), cases settled after as_of (a past as_of), and
    cases never settled (a step or a clock still running)."""
    found = {"summed": 0, "cut_day": 0, "settled_that_day": 0, "settled_later": 0, "unsettled": 0}
    for as_of in instants(con, live_warehouse["end"]):
        day = datetime.combine(as_of.date(), datetime.min.time())
        row = con.sql("""
            SELECT count(*) FILTER (WHERE settled_at < $d AND created_at < $d),
                   count(*) FILTER (WHERE created_at >= $d),
                   count(*) FILTER (WHERE settled_at >= $d AND settled_at <= $a AND created_at < $d),
                   count(*) FILTER (WHERE settled_at > $a),
                   count(*) FILTER (WHERE settled_at IS NULL)
            FROM summary_case_routes WHERE created_at >= $d - INTERVAL 7 DAY AND created_at < $a""",
                      params={"a": as_of, "d": day}).fetchall()[0]
        for key, n in zip(found, row):
            found[key] += n
        summed = con.sql("SELECT sum(cases) FROM summary_settled_routes WHERE settled_day < $d AND created_day >= $d - "
                         "INTERVAL 7 DAY", params={"d": day}).fetchall()[0][0]
        assert summed == row[0], (as_of, summed, row)
    assert all(n > 0 for n in found.values()), found


def test_the_seeded_warehouse_reads_the_same_from_the_summary(parity_warehouse):
    """The seeded warehouse the server engines are compared on (summaries built by the seeder),
    as of its end and in the middle of the range."""
    con = connect(parity_warehouse)
    try:
        newest = con.sql("SELECT max(created_at) FROM cases").fetchall()[0][0]
        for as_of in (newest, newest - timedelta(days=3, hours=5, minutes=17)):
            for days in (7, 30):
                for name, params in routing_calls(as_of, days):
                    compare_query(con, name, params)
    finally:
        con.close()


def test_a_wrong_summary_row_is_caught(live_warehouse, tmp_path):
    """The comparison can fail: a case's time in review before its step at as_of a minute off, one
    of its re-routes counted as a return; a day's stage total a minute off or a case too many, or a
    step still open a minute off (the hours per day and stage); a case's row of summary_case_routes
    with a minute more in review, its resolution clock's breach flipped or its outcome's code another's,
    or a name of summary_names changed (the figures); a case's QA checks agreeing or golden violating
    counted one too many (the automation candidates and classifier feedback); those of a case read one
    by one (created or settled on as_of's day); and a row of the settled summaries with a case, a breach,
    a QA check, a human violating decision or a minute of review too many."""
    copy = copy_of(live_warehouse["path"], tmp_path / "wrong.duckdb")
    as_of = END
    calls = dict(reversed(routing_calls(as_of, 7, ROUTING + COUNTS)))  # the page defaults (no filters)
    w = duckdb.connect(str(copy))
    try:
        w.execute("SET TimeZone = 'UTC'").fetchall()
        for name in ROUTING + COUNTS:
            for setup in queries.macro_sql_for(name):
                w.execute(setup).fetchall()
            compare_query(w, name, calls[name])
        recent = "created_at > $a - INTERVAL 3 DAY AND ended_at < $a ORDER BY case_id LIMIT 1"
        reviewed = w.sql(f"SELECT case_id FROM summary_case_stages WHERE review_before > 0 AND {recent}",
                         params={"a": as_of}).fetchall()[0][0]
        rerouted = w.sql(f"SELECT case_id FROM summary_case_stages WHERE reroutes > 0 AND {recent}",
                         params={"a": as_of}).fetchall()[0][0]
        # routing_stage_hours: a whole day's total a minute off, or counting one case too many; a
        # step still open a minute earlier (its case's open row); a piece of the day as_of cuts
        # (as_of is noon) ending a minute early
        total = w.sql("SELECT day, stage, queue_id FROM summary_stage_day_totals WHERE day >= $a - INTERVAL 3 DAY "
                      "AND day < $a - INTERVAL 1 DAY ORDER BY stage_us DESC LIMIT 1", params={"a": as_of}).fetchall()[0]
        still_open = w.sql("SELECT case_id FROM summary_stage_days WHERE ended_at IS NULL "
                           "AND started_at < $a - INTERVAL 1 DAY ORDER BY case_id LIMIT 1", params={"a": as_of}).fetchall()[0]
        # routing_figures: a case's hours in review before its last step a minute off, or a stopped
        # clock's breach flipped (cases read one by one: created on as_of's day, which the range cuts)
        today = "created_at >= date_trunc('day', $a) AND created_at < $a"
        routed = w.sql(f"SELECT case_id FROM summary_case_routes WHERE review_s > 0 AND last_started_at < $a "
                       f"AND {today} ORDER BY case_id LIMIT 1", params={"a": as_of}).fetchall()[0]
        stopped = w.sql(f"SELECT case_id FROM summary_case_routes WHERE res_stopped_at < $a AND {today} "
                        "ORDER BY case_id LIMIT 1", params={"a": as_of}).fetchall()[0]
        # a decided case's outcome code changed to another outcome's; a source's name changed
        decided = w.sql("SELECT case_id, (SELECT max(code) FROM summary_names WHERE kind = 'outcome' AND code <> r.outcome_no) "
                        "FROM summary_case_routes r WHERE resolved_at < $a AND created_at > $a - INTERVAL 3 DAY "
                        "AND outcome_no IS NOT NULL ORDER BY case_id LIMIT 1", params={"a": as_of}).fetchall()[0]
        source = w.sql("SELECT source_no FROM summary_case_routes WHERE created_at > $a - INTERVAL 3 DAY "
                       "AND created_at < $a ORDER BY case_id LIMIT 1", params={"a": as_of}).fetchall()[0]
        # a case with its QA reviews counted whole as of as_of, one agreeing (candidates) and one golden
        # violating (classifier feedback) too many: one settled on as_of's day (read one by one)
        checked = w.sql("SELECT case_id FROM summary_case_routes WHERE evidence_until <= $a AND qa_checked > 0 "
                        "AND classifier_no IS NOT NULL AND settled_at >= date_trunc('day', $a) AND settled_at < $a "
                        "AND created_at > $a - INTERVAL 5 DAY ORDER BY case_id LIMIT 1", params={"a": as_of}).fetchall()[0]
        # the settled summaries: a row of a whole day of the range settled before as_of's day
        settled = "settled_day < date_trunc('day', $a) AND created_day >= date_trunc('day', $a) - INTERVAL 5 DAY"
        group = w.sql(f"SELECT created_day, settled_day, queue_id, source_no, category_no FROM summary_settled_routes "
                      f"WHERE {settled} AND qa_checked > 0 AND cases > automated ORDER BY ALL LIMIT 1",
                      params={"a": as_of}).fetchall()[0]
        scored = w.sql(f"SELECT created_day, settled_day, queue_id, classifier_no, score_band FROM summary_settled_scores "
                       f"WHERE {settled} AND drift_band IS NOT NULL ORDER BY ALL LIMIT 1", params={"a": as_of}).fetchall()[0]
        in_group = "created_day = ? AND settled_day = ? AND queue_id = ? AND source_no = ? AND category_no = ?"
        in_scored = "created_day = ? AND settled_day = ? AND queue_id = ? AND classifier_no = ? AND score_band = ?"
        cut = w.sql("SELECT case_id, started_at FROM summary_stage_days WHERE day = date_trunc('day', $a) "
                    "AND ended_at < $a AND ended_at - started_at > INTERVAL 2 MINUTE ORDER BY case_id LIMIT 1",
                    params={"a": as_of}).fetchall()[0]
        for table, change, key, name in (
                ("summary_case_stages", "review_before = review_before + 60 WHERE case_id = ? AND review_before > 0",
                 [reviewed], "routing_cases"),
                ("summary_case_stages", "reroutes = reroutes - 1, returns = returns + 1 WHERE case_id = ? AND reroutes > 0",
                 [rerouted], "routing_cases"),
                ("summary_case_routes", "review_s = review_s + 60 WHERE case_id = ?", routed, "routing_figures"),
                ("summary_case_routes", "res_breached = NOT res_breached WHERE case_id = ?", stopped, "routing_figures"),
                ("summary_case_routes", "outcome_no = ? WHERE case_id = ?", decided[::-1], "routing_figures"),
                ("summary_names", "name = name || '_' WHERE kind = 'source' AND code = ?", source, "routing_figures"),
                ("summary_case_routes", "qa_agreed = qa_agreed + 1 WHERE case_id = ?", checked, "automation_candidates"),
                ("summary_case_routes", "golden_violating = golden_violating + 1 WHERE case_id = ?", checked,
                 "automation_classifier"),
                ("summary_settled_routes", f"breached = breached + 1 WHERE {in_group}", group, "routing_figures"),
                ("summary_settled_routes", f"human_review_s = human_review_s + 60 WHERE {in_group}", group,
                 "routing_figures"),
                ("summary_settled_routes", f"qa_agreed = qa_agreed + 1 WHERE {in_group}", group, "automation_candidates"),
                ("summary_settled_routes", f"cases = cases + 1 WHERE {in_group}", group, "automation_candidates"),
                ("summary_settled_routes", f"human_violating = human_violating + 1 WHERE {in_group}", group,
                 "automation_category_decisions"),
                ("summary_settled_scores", f"cases = cases + 1 WHERE {in_scored}", scored, "routing_figures"),
                ("summary_settled_scores", f"review_s = review_s + 60 WHERE {in_scored}", scored,
                 "routing_figures"),
                ("summary_settled_scores", f"golden_checked = golden_checked + 1 WHERE {in_scored}", scored,
                 "automation_classifier"),
                ("summary_stage_day_totals", "stage_us = stage_us + 60000000 WHERE day = ? AND stage = ? AND queue_id = ?",
                 total, "routing_stage_hours"),
                ("summary_stage_day_totals", "cases = cases + 1 WHERE day = ? AND stage = ? AND queue_id = ?",
                 total, "routing_stage_hours"),
                ("summary_stage_days", "started_at = started_at - INTERVAL 1 MINUTE WHERE case_id = ? AND ended_at IS NULL",
                 still_open, "routing_stage_hours"),
                ("summary_stage_days", "ended_at = ended_at - INTERVAL 1 MINUTE WHERE case_id = ? AND started_at = ?",
                 cut, "routing_stage_hours")):
            assert_wrong_row_caught(w, table, change, key, lambda name=name: compare_query(w, name, calls[name]))
        for name in ROUTING + COUNTS:
            compare_query(w, name, calls[name])
    finally:
        w.close()


def _stages(path: str) -> dict[str, pl.DataFrame]:
    return {"summary_case_stages": read_rows(path, "SELECT * FROM summary_case_stages ORDER BY case_id, started_at, event_id"),
            "summary_stage_days": read_rows(path, "SELECT * FROM summary_stage_days ORDER BY case_id, day, stage, started_at"),
            "summary_stage_day_totals": read_rows(path, "SELECT * FROM summary_stage_day_totals ORDER BY ALL"),
            "summary_case_routes": read_rows(path, ROUTES_NAMED)}


# summary_case_routes with its codes as their names: a full rebuild numbers the names anew, so that an
# incremental refresh may code them otherwise, but never name them otherwise.
ROUTES_NAMED = """
SELECT r.* EXCLUDE (source_no, category_no, classifier_no, outcome_no),
       s.name AS source, c.name AS category, k.name AS classifier_name, o.name AS outcome
FROM summary_case_routes r
JOIN summary_names s ON s.kind = 'source' AND s.code = r.source_no
JOIN summary_names c ON c.kind = 'category' AND c.code = r.category_no
LEFT JOIN summary_names k ON k.kind = 'classifier' AND k.code = r.classifier_no
LEFT JOIN summary_names o ON o.kind = 'outcome' AND o.code = r.outcome_no
ORDER BY r.case_id"""


def assert_same_stages(rebuilt: dict[str, pl.DataFrame], incremental: dict[str, pl.DataFrame]) -> None:
    for table, rows in incremental.items():
        assert rows.height > 0, table
        assert_same(rebuilt[table], rows, table)


def test_incremental_refreshes_leave_what_a_full_rebuild_builds(live_warehouse, tmp_path):
    copy = copy_of(live_warehouse["path"], tmp_path / "rebuilt.duckdb")
    tables = _stages(str(copy))
    incremental = tables["summary_case_stages"]
    # The live batches and the reopening batch ended steps the seed had left open, and began new ones.
    assert incremental.filter(pl.col("started_at") > END).height > 500
    assert incremental.filter(pl.col("case_id").is_in(live_warehouse["reopened"])
                              & (pl.col("event_type") == "reopened")).height == 20
    report = summaries.refresh_file(copy, full=True)
    assert report.full
    assert_same_stages(_stages(str(copy)), tables)


def test_refresh_picks_up_steps_another_system_wrote(live_warehouse, tmp_path):
    """Events written without a refresh (another system's loader), ending open steps and beginning
    new ones, and a case deleted: an incremental refresh gives a full rebuild's rows."""
    copy = copy_of(live_warehouse["path"], tmp_path / "other.duckdb")
    con = duckdb.connect(str(copy))
    try:
        stamp = live_warehouse["end"] + timedelta(minutes=30)
        open_ids = [r[0] for r in con.sql("SELECT case_id FROM summary_case_stages WHERE ended_at IS NULL "
                                          "AND stage = 'waiting' ORDER BY case_id LIMIT 30").fetchall()]
        sme = con.sql("SELECT min(queue_id) FROM queues WHERE tier = 'SME'").fetchall()[0][0]
        first = con.sql("SELECT max(event_id) FROM case_events").fetchall()[0][0] + 1
        rows = []
        for i, case_id in enumerate(open_ids):
            rows.append((first + 2 * i, case_id, stamp, "escalated", None))
            rows.append((first + 2 * i + 1, case_id, stamp + timedelta(minutes=5), "routed", sme))
        con.executemany("INSERT INTO case_events (event_id, case_id, occurred_at, event_type, queue_id) "
                        "VALUES (?, ?, ?, ?, ?)", rows)
        con.execute("DELETE FROM cases WHERE case_id = ?", [open_ids[0]]).fetchall()
    finally:
        con.close()
    report = summaries.refresh_file(copy, full=False)
    assert len(open_ids) >= 10
    assert not report.full and report.cases == len(open_ids)
    tables = _stages(str(copy))
    incremental = tables["summary_case_stages"]
    assert incremental.filter(pl.col("case_id") == open_ids[0]).height == 0
    assert incremental.filter(pl.col("started_at") == stamp + timedelta(minutes=5)).height == len(open_ids) - 1
    summaries.refresh_file(copy, full=True)
    assert_same_stages(_stages(str(copy)), tables)
