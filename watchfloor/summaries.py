"""Summary tables: what the pages would otherwise recompute from every raw event on each run.

The summaries (declared in schema.sql, described in docs/warehouse.md, "Summaries") are derived
from the contract tables only, by the named SQL files in summary_sql/, and are rebuilt either
whole or for the cases a write touched. The writers (seed, load, the live feed) refresh them in
the same transaction as their write; `watchfloor refresh` does it for warehouses written by other
systems. summary_state keeps the layout version, the high-water mark (the newest case event taken
in) and a generation number bumped by every refresh.

The SLA clock summary mirrors `sla_clocks` (queries/macros/sla.sql), which stays the definition:
the macro file is created on the connection so the build uses the very same calendar functions.
Each clock that has reached its final stop is also stored whole (summary_sla_stopped), as of that
stop: no later instant changes it.

The hourly counts (summary_hourly_cases, summary_hourly_accounts) mirror `case_hours` and
`case_hour_accounts` (queries/macros/hourly.sql). They are kept per UTC hour of created_at, so a
refresh of some cases rebuilds the whole hours those cases were created in, as the raw tables
have them now and as the summaries last saw them (a case removed since, or moved to another hour).
The reviewer-session summary (summary_review_sessions) holds every session of a case with the
handling it belongs to; `summary_reviewer_sessions` (queries/macros/sessions.sql) reads it as
`reviewer_sessions`, the replay of the raw events it stands in for, would give. The handling
summary (summary_handlings) holds each finished handling once, with its handled seconds, from the
sessions; `summary_period_handlings` (same file) reads it as `period_handlings` gives from the replay.
The stage summary (summary_case_stages) holds every step of a case through the Automation page's
stages, selected from `routing_case_segments` (queries/macros/routing.sql), the replay that stays the
definition; `summary_routing_segments` reads it as of any instant. The stage days
(summary_stage_days) cut those steps at midnights: per case, day and stage, the time spent, so that
the hours per day and stage are a sum over whole days (built from the case's steps just built).
The met SLA clocks per hour (summary_sla_met_hours) count the met rows of summary_sla_stopped per
UTC hour of their stop, so that a period's met clocks are a sum over its whole hours; a refresh
of some cases rebuilds the hours their met clocks stopped in, before and after. The met clocks per
reviewer and day (summary_sla_met_reviewer_days) are counted and rebuilt the same way per UTC day,
with the reviewer who decided the case (the Vendors page's SLA adherence).
The case routes (summary_case_routes) keep, per case, its last step with the path it carries and its
SLA clocks' final stops, so that the Automation page's figures are one pass over a row per case.
Their source, category, classifier and outcome are integer codes of summary_names, so that the
figures group on numbers and name only the grouped rows; each also holds its case's QA reviews and
decided appeals counted whole, with the instant of the last, for the automation candidates and
classifier feedback (rebuilt with the case, as the QA checks below).
The QA checks (summary_qa_checks) and appeal outcomes (summary_appeal_outcomes) hold each QA review
and appeal with the columns of its case the Vendors page groups and filters by (category, reviewer,
current queue), so that its quality and outcome figures read no case: rebuilt with the case, which
every writer refreshes when it writes a case, its events, or a QA review or appeal of it.
The settled routes and scores (summary_settled_routes, summary_settled_scores) count and sum the
case routes of the cases settled by an instant (settled_at: nothing the Automation page reads of them
changes after it) per UTC day of creation, day of settling, filter columns and each figure's keys, so
that a period's additive figures read per case only the cases settled on or after its as_of's day or
not at all. A refresh of some cases rebuilds the (creation day, settle day) pairs their rows held
before and hold after.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import duckdb

from watchfloor import spike_record_summary
from watchfloor.sql_macros import macro_text
from watchfloor.transactions import in_transaction
from watchfloor.warehouse import create_schema, open_for_writing

VERSION = 14  # 2: the hourly counts; 3: the reviewer sessions; 4: the stopped SLA clocks (summary_sla_stopped); 5: the case stages; 6: the stage days; 7: the spike record and its cells; 8: the handlings; 9: the met SLA clocks per hour; 10: the case routes; 11: the QA checks and appeal outcomes; 12: the met clocks per reviewer and day; 13: the case routes' names as codes (summary_names); 14: the settled routes and scores
SUMMARY = "sla_clocks"
TABLES: tuple[str, ...] = ("summary_sla_cases", "summary_sla_stretches", "summary_sla_stopped",
          "summary_review_sessions", "summary_case_stages", "summary_stage_days", "summary_handlings",
          "summary_case_routes")
_SQL_DIR = Path(__file__).resolve().parent / "summary_sql"
# wf_in_scope (queries/macros/scope.sql) for a batch of a full build: its scope is exactly the cases of
# its creation range (the batches never split cases created at the same instant), so the builds that
# bound their rows by that range take every row in it.
_WHOLE_RANGE_SCOPE = "CREATE OR REPLACE TEMP MACRO wf_in_scope(id) AS true"
# Built in this order: the case stages first (the SLA summaries take the case's events from its steps
# rather than read case_events again); the stretches read their cases' rows, the stopped clocks both;
# the stage days the case stages; the finished handlings (summary_handlings) the cases' sessions; the
# case routes (summary_case_routes: per case, what routing_figures reads) its steps, stopped clocks
# and the codes of its names (summary_names, coded just before).
_BUILD: tuple[str, ...] = ("case_stages", "sla_cases", "sla_stretches", "sla_stopped", "review_sessions", "stage_days", "handlings",
          "names", "case_routes")
# The QA reviews and appeals with the columns of their case the Vendors page reads (vendor_quality,
# vendor_outcomes): per case like the tables above, built after them.
REVIEW_TABLES = ("summary_qa_checks", "summary_appeal_outcomes")
TABLES += REVIEW_TABLES
_BUILD += ("qa_checks", "appeal_outcomes")
# The columns they copy from qa_reviews and appeals (a row written by another system differs in them).
_QA_COLUMNS = "case_id, qa_id, reviewer_id, reviewed_at, is_golden, original_decision, qa_decision"
_APPEAL_COLUMNS = "case_id, appeal_id, resolved_at, outcome"
# A full rebuild builds this many cases at a time (its memory stays bounded whatever the size).
FULL_BUILD_BATCH = 1_000_000
# DuckDB's memory for a build (the seeder's and `watchfloor refresh`'s): past it, it spills to disk
# rather than take most of the machine from the dashboard beside it (without it a full rebuild of
# 10M cases held 11 GB).
BUILD_MEMORY_LIMIT = "3GB"
# The hourly counts: rebuilt per hour (summary_hours), not per case.
HOURLY_TABLES = ("summary_hourly_cases", "summary_hourly_accounts", "summary_watched_cells")
_HOURLY_BUILD = ("hourly_cases", "hourly_accounts", "watched_cells")
# The stage hours per day: summed from summary_stage_days per day (summary_days), not per case.
DAY_TABLES = ("summary_stage_day_totals",)
# The spike record kept for the coming hours (watchfloor.spike_record_summary), after the hourly counts.
SPIKE_TABLES = ("summary_spike_records", "summary_spikes")

# The met SLA clocks per hour of their stop: counted from summary_sla_stopped per hour
# (summary_met_hours), not per case.
MET_HOUR_TABLES = ("summary_sla_met_hours",)

# The met SLA clocks of the cases with a vendor per day of their stop and reviewer (vendor_sla's whole
# days): counted from summary_sla_stopped per day (summary_met_days), as the hours above.
MET_DAY_TABLES = ("summary_sla_met_reviewer_days",)

# The names the case routes store as integer codes (summary_names): added by the case builds before
# the case routes as new names are met, never removed by an incremental refresh (a name no case holds
# any longer keeps its code and is simply not read); made anew only by a full rebuild.
NAME_TABLES = ("summary_names",)
# The settled cases' figures per (creation day, settle day) of summary_case_routes: rebuilt per pair
# (summary_settle_days), not per case.
SETTLED_TABLES = ("summary_settled_routes", "summary_settled_scores")
_SETTLED_BUILD = ("settled_routes", "settled_scores")

# Every table a refresh builds (summary_state, which counts the refreshes, apart); a full refresh
# makes each of them anew. warehouse.SUMMARY_TABLES lists the same with summary_state.
BUILT_TABLES = (TABLES + NAME_TABLES + HOURLY_TABLES + DAY_TABLES + MET_HOUR_TABLES + MET_DAY_TABLES + SPIKE_TABLES
                + SETTLED_TABLES)


@dataclass(frozen=True)
class _MetCounts:
    """Met clocks of summary_sla_stopped counted per bucket of their stop: the temp table of the
    buckets to rebuild (one column named by the unit), the unit, the tables and their build."""
    scope: str
    unit: str
    tables: tuple[str, ...]
    build: str


_MET_COUNTS = (_MetCounts("summary_met_hours", "hour", MET_HOUR_TABLES, "sla_met_hours"),
               _MetCounts("summary_met_days", "day", MET_DAY_TABLES, "sla_met_reviewer_days"))


class SummaryError(RuntimeError):
    """The summaries could not be refreshed; the message is one line."""


@dataclass(frozen=True)
class SummaryState:
    version: int | None
    high_water_mark: datetime | None
    refreshed_at: datetime | None
    generation: int

    @property
    def built(self) -> bool:
        return self.version == VERSION


@dataclass(frozen=True)
class RefreshReport:
    full: bool
    cases: int
    high_water_mark: datetime | None

    def line(self) -> str:
        mark = f"{self.high_water_mark:%Y-%m-%d %H:%M:%S}" if self.high_water_mark else "none (no events)"
        kind = "full rebuild" if self.full else "incremental"
        return f"summaries refreshed ({kind}): {self.cases:,} cases; events taken in up to {mark} UTC"


@cache
def build_sql(name: str) -> str:
    return (_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def read_state(con: duckdb.DuckDBPyConnection) -> SummaryState:
    """The summaries' state; version None when they were never built (or the table is missing)."""
    try:
        row = con.execute(
            "SELECT version, high_water_mark, refreshed_at, generation FROM summary_state WHERE summary = ?",
            [SUMMARY]).fetchall()
    except duckdb.CatalogException:
        return SummaryState(None, None, None, 0)
    if not row:
        return SummaryState(None, None, None, 0)
    version, mark, refreshed, generation = row[0]
    return SummaryState(version, mark, refreshed, generation)


def refresh(con: duckdb.DuckDBPyConnection, case_ids: Iterable[str] | None = None) -> RefreshReport:
    """Rebuild the summaries of `case_ids` (every case when None, or when the stored layout is
    older than VERSION). Runs inside the caller's transaction if there is one: a writer calls it
    after its own writes, before COMMIT, so readers see both or neither."""
    create_schema(con)
    state = read_state(con)
    full = case_ids is None or not state.built
    if full:
        # Every table is made anew (also the layout, if another version built it) rather than
        # emptied: rows inserted after a DELETE of the same table's rows in one transaction are
        # committed one at a time through its primary key, on one core (at 1M cases, 14 s of a
        # 41 s refresh), while a new table's rows are written as they come.
        for table in BUILT_TABLES:
            con.execute(f"DROP TABLE IF EXISTS {table}").fetchall()
        create_schema(con)
    con.execute(macro_text("sla.sql")).fetchall()
    con.execute(macro_text("routing.sql")).fetchall()
    con.execute("CREATE OR REPLACE TEMP TABLE summary_scope (case_id VARCHAR)").fetchall()
    con.execute(macro_text("scope.sql")).fetchall()  # after its table: DuckDB binds the macro's subquery now
    try:
        if full:
            _hour_scope(con, full=True)
        else:
            ids = sorted(set(case_ids or ()))  # not None here: `full` otherwise
            if ids:
                con.execute("INSERT INTO summary_scope SELECT unnest(?::VARCHAR[])", [ids]).fetchall()
            _hour_scope(con, full=False)  # before the old rows go: they hold a removed case's hour
            _day_scope(con)  # and the days its old steps ran through
            for counts in _MET_COUNTS:
                _met_scope(con, counts)  # and the hours and days its met clocks stopped in
            _settle_scope(con)  # and the (creation day, settle day) pairs of its settled route
            for table in TABLES:
                con.execute(f"DELETE FROM {table} WHERE case_id IN (SELECT case_id FROM summary_scope)").fetchall()
        if full:
            cases = _build_in_batches(con)
        else:
            cases = con.execute("SELECT count(*) FROM summary_scope").fetchall()[0][0]
            if cases:
                _build_scope(con)
        _rebuild_hours(con, full)
        _rebuild_stage_days(con, full)
        for counts in _MET_COUNTS:
            _rebuild_met_counts(con, counts, full)
        _rebuild_settled(con, full)
        spike_record_summary.keep(con, full)
        mark = _newest_event(con)
        if not full and state.high_water_mark is not None:
            # Events of other cases after the old mark (another system's write, not refreshed) are
            # not in the summaries: the mark stays, so the pages still say they lag.
            stale = con.execute(
                "SELECT count(*) FROM case_events WHERE occurred_at > ? "
                "AND case_id NOT IN (SELECT case_id FROM summary_scope)", [state.high_water_mark]).fetchall()[0][0]
            if stale:
                mark = state.high_water_mark
        now = datetime.now(UTC).replace(tzinfo=None)
        con.execute(
            """INSERT INTO summary_state VALUES (?, ?, ?, ?, 1)
               ON CONFLICT (summary) DO UPDATE SET version = excluded.version,
                   high_water_mark = excluded.high_water_mark, refreshed_at = excluded.refreshed_at,
                   generation = summary_state.generation + 1""",
            [SUMMARY, VERSION, mark, now]).fetchall()
    finally:
        for table in ("summary_scope", "summary_hours", "summary_batches", "summary_days", "summary_met_hours",
                      "summary_met_days", "summary_settle_days"):
            try:
                con.execute(f"DROP TABLE IF EXISTS {table}").fetchall()
            except duckdb.TransactionException:
                pass  # the build failed inside the caller's transaction: its rollback takes them
    return RefreshReport(full=full, cases=cases, high_water_mark=mark)


def _build_scope(con: duckdb.DuckDBPyConnection) -> None:
    """The per-case summaries of the cases in summary_scope. The builds that read cases or the
    summaries ordered by creation also get the scope's creation range ($created_from up to
    $created_to, exclusive) as a bound, so that a batch of a full build skips the row groups of the
    other batches' cases instead of scanning them all (none of them holds a row of the scope)."""
    span = dict(zip(("created_from", "created_to"), con.execute(
        "SELECT min(created_at), max(created_at) + INTERVAL 1 MICROSECOND FROM cases "
        "WHERE case_id IN (SELECT case_id FROM summary_scope)").fetchall()[0]))
    for name in _BUILD:
        sql = build_sql(name)
        con.execute(sql, span if "$created_from" in sql else None).fetchall()


def _build_in_batches(con: duckdb.DuckDBPyConnection) -> int:
    """Every case's summaries, about FULL_BUILD_BATCH cases at a time in creation order: each case's
    rows depend on that case alone, and a build of every case at once needs memory in proportion to
    the warehouse (at 10M cases more than a seed's bound). The cases created at one instant share a
    batch (rank, not row number), so that a batch is exactly the cases of its creation range and
    wf_in_scope can be true for it. Returns the number of cases."""
    con.execute("CREATE OR REPLACE TEMP TABLE summary_batches AS "
                "SELECT case_id, (rank() OVER (ORDER BY created_at) - 1) // ? AS batch FROM cases",
                [FULL_BUILD_BATCH]).fetchall()
    cases, batches = con.execute("SELECT count(*), coalesce(max(batch) + 1, 0) FROM summary_batches").fetchall()[0]
    con.execute(_WHOLE_RANGE_SCOPE).fetchall()
    try:
        for batch in range(batches):
            con.execute("DELETE FROM summary_scope").fetchall()
            con.execute("INSERT INTO summary_scope SELECT case_id FROM summary_batches WHERE batch = ?",
                        [batch]).fetchall()
            _build_scope(con)
    finally:
        try:
            con.execute(macro_text("scope.sql")).fetchall()
        except duckdb.TransactionException:
            pass  # the build failed inside the caller's transaction: its rollback takes the macro too
    return cases


def _hour_scope(con: duckdb.DuckDBPyConnection, full: bool) -> None:
    """The temp table summary_hours: every hour with cases (full), or the hours the cases in
    summary_scope were created in, now and as the SLA summary last saw them."""
    if full:
        con.execute("CREATE OR REPLACE TEMP TABLE summary_hours AS "
                    "SELECT DISTINCT date_trunc('hour', created_at) AS hour FROM cases").fetchall()
        return
    con.execute(
        """CREATE OR REPLACE TEMP TABLE summary_hours AS
           SELECT date_trunc('hour', created_at) AS hour FROM cases
           WHERE case_id IN (SELECT case_id FROM summary_scope)
           UNION
           SELECT date_trunc('hour', created_at) FROM summary_sla_cases
           WHERE case_id IN (SELECT case_id FROM summary_scope)""").fetchall()


def _rebuild_hours(con: duckdb.DuckDBPyConnection, full: bool) -> None:
    """Replace the hourly counts of the hours in summary_hours (every row on a full refresh)."""
    for table in HOURLY_TABLES:
        if full:
            con.execute(f"DELETE FROM {table}").fetchall()
        else:
            con.execute(f"DELETE FROM {table} WHERE hour IN (SELECT hour FROM summary_hours)").fetchall()
    first, until = con.execute("SELECT min(hour), max(hour) + INTERVAL 1 HOUR FROM summary_hours").fetchall()[0]
    if first is not None:
        con.execute(macro_text("hourly.sql")).fetchall()
        for name in _HOURLY_BUILD:
            con.execute(build_sql(name), {"first": first, "until": until}).fetchall()


def _day_scope(con: duckdb.DuckDBPyConnection) -> None:
    """The temp table summary_days: the days of the stage-day rows of the cases in summary_scope,
    as last built (the new rows' days are added after the build)."""
    con.execute("CREATE OR REPLACE TEMP TABLE summary_days AS SELECT DISTINCT day FROM summary_stage_days "
                "WHERE case_id IN (SELECT case_id FROM summary_scope)").fetchall()


def _rebuild_stage_days(con: duckdb.DuckDBPyConnection, full: bool) -> None:
    """Replace the stage-day totals of the days the cases in summary_scope ran through, before and
    after their build (every day on a full refresh)."""
    if full:
        con.execute("CREATE OR REPLACE TEMP TABLE summary_days AS SELECT DISTINCT day FROM summary_stage_days").fetchall()
        for table in DAY_TABLES:
            con.execute(f"DELETE FROM {table}").fetchall()
    else:
        con.execute("INSERT INTO summary_days SELECT DISTINCT day FROM summary_stage_days "
                    "WHERE case_id IN (SELECT case_id FROM summary_scope) "
                    "AND day NOT IN (SELECT day FROM summary_days)").fetchall()
        for table in DAY_TABLES:
            con.execute(f"DELETE FROM {table} WHERE day IN (SELECT day FROM summary_days)").fetchall()
    con.execute(build_sql("stage_day_totals")).fetchall()


def _met_scope(con: duckdb.DuckDBPyConnection, counts: _MetCounts) -> None:
    """The temp table of `counts`' buckets: those the met clocks of the cases in summary_scope
    stopped in, as last built (the new rows' buckets are added after the build)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {counts.scope} AS SELECT DISTINCT date_trunc('{counts.unit}', stopped_at) "
                f"AS {counts.unit} FROM summary_sla_stopped WHERE NOT breached "
                "AND case_id IN (SELECT case_id FROM summary_scope)").fetchall()


def _rebuild_met_counts(con: duckdb.DuckDBPyConnection, counts: _MetCounts, full: bool) -> None:
    """Replace `counts`' rows of the buckets the cases in summary_scope stopped a met clock in,
    before and after their build (every bucket on a full refresh)."""
    unit = counts.unit
    if full:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {counts.scope} AS SELECT DISTINCT date_trunc('{unit}', stopped_at) "
                    f"AS {unit} FROM summary_sla_stopped WHERE NOT breached").fetchall()
        for table in counts.tables:
            con.execute(f"DELETE FROM {table}").fetchall()
    else:
        con.execute(f"INSERT INTO {counts.scope} SELECT DISTINCT date_trunc('{unit}', stopped_at) FROM summary_sla_stopped "
                    "WHERE NOT breached AND case_id IN (SELECT case_id FROM summary_scope) "
                    f"AND date_trunc('{unit}', stopped_at) NOT IN (SELECT {unit} FROM {counts.scope})").fetchall()
        for table in counts.tables:
            con.execute(f"DELETE FROM {table} WHERE {unit} IN (SELECT {unit} FROM {counts.scope})").fetchall()
    con.execute(build_sql(counts.build)).fetchall()


_SETTLE_PAIRS = ("SELECT DISTINCT date_trunc('day', created_at) AS created_day, date_trunc('day', settled_at) "
                 "AS settled_day FROM summary_case_routes WHERE settled_at IS NOT NULL")


def _settle_scope(con: duckdb.DuckDBPyConnection) -> None:
    """The temp table summary_settle_days: the (creation day, settle day) pairs of the settled cases
    in summary_scope, as last built (the new rows' pairs are added after the build)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE summary_settle_days AS {_SETTLE_PAIRS} "
                "AND case_id IN (SELECT case_id FROM summary_scope)").fetchall()


def _rebuild_settled(con: duckdb.DuckDBPyConnection, full: bool) -> None:
    """Replace the settled routes and scores of the pairs the cases in summary_scope were settled in,
    before and after their build (every pair on a full refresh)."""
    if full:
        con.execute(f"CREATE OR REPLACE TEMP TABLE summary_settle_days AS {_SETTLE_PAIRS}").fetchall()
        for table in SETTLED_TABLES:
            con.execute(f"DELETE FROM {table}").fetchall()
    else:
        con.execute(f"INSERT INTO summary_settle_days SELECT * FROM ({_SETTLE_PAIRS} "
                    "AND case_id IN (SELECT case_id FROM summary_scope)) EXCEPT SELECT * FROM summary_settle_days"
                    ).fetchall()
        for table in SETTLED_TABLES:
            con.execute(f"DELETE FROM {table} t USING summary_settle_days d "
                        "WHERE t.created_day = d.created_day AND t.settled_day = d.settled_day").fetchall()
    span = con.execute("SELECT min(created_day), max(created_day) + INTERVAL 1 DAY FROM summary_settle_days").fetchall()[0]
    if span[0] is not None:
        for name in _SETTLED_BUILD:
            con.execute(build_sql(name), dict(zip(("created_from", "created_to"), span))).fetchall()


def touched_since_mark(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Cases whose summaries may be out of date: with events after the high-water mark, updated
    after it, missing from the summaries, or with a QA review or appeal the summaries hold otherwise
    or not at all (those tables have no time of writing to compare with the mark). Cases no longer
    in `cases` are dropped by refresh."""
    mark = read_state(con).high_water_mark
    rows = con.execute(
        f"""SELECT case_id FROM case_events WHERE $mark IS NULL OR occurred_at > $mark
           UNION SELECT case_id FROM cases WHERE $mark IS NULL OR updated_at > $mark
           UNION SELECT c.case_id FROM cases c ANTI JOIN summary_sla_cases s ON s.case_id = c.case_id
           UNION SELECT s.case_id FROM summary_sla_cases s ANTI JOIN cases c ON c.case_id = s.case_id
           UNION SELECT case_id FROM (SELECT {_QA_COLUMNS} FROM qa_reviews EXCEPT SELECT {_QA_COLUMNS} FROM summary_qa_checks)
           UNION SELECT case_id FROM (SELECT {_QA_COLUMNS} FROM summary_qa_checks EXCEPT SELECT {_QA_COLUMNS} FROM qa_reviews)
           UNION SELECT case_id FROM (SELECT {_APPEAL_COLUMNS} FROM appeals EXCEPT SELECT {_APPEAL_COLUMNS} FROM summary_appeal_outcomes)
           UNION SELECT case_id FROM (SELECT {_APPEAL_COLUMNS} FROM summary_appeal_outcomes EXCEPT SELECT {_APPEAL_COLUMNS} FROM appeals)""",
        {"mark": mark}).fetchall()
    return [r[0] for r in rows]


def refresh_incremental(con: duckdb.DuckDBPyConnection) -> RefreshReport:
    """Bring the summaries up to the raw tables by rebuilding only the touched cases (a full
    rebuild if they were never built)."""
    create_schema(con)
    if not read_state(con).built:
        return refresh(con)
    return refresh(con, touched_since_mark(con))


def _newest_event(con: duckdb.DuckDBPyConnection) -> datetime | None:
    return con.execute("SELECT max(occurred_at) FROM case_events").fetchall()[0][0]


def refresh_file(path, full: bool = True) -> RefreshReport:
    """Refresh the summaries of a warehouse file in one transaction of its own (the seeder's and
    `watchfloor refresh`'s way): whole, or only the cases touched since the high-water mark."""
    with open_for_writing(path) as con:
        con.execute("SET TimeZone = 'UTC'").fetchall()
        con.execute("SET memory_limit = $limit", {"limit": BUILD_MEMORY_LIMIT}).fetchall()
        with in_transaction(con):
            report = refresh(con) if full else refresh_incremental(con)
    return report
