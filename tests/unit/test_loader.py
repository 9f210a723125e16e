"""watchfloor load: row checks and quarantine, counts that add up, idempotence, and files that
cannot be read at all (one line, exit code 2, nothing written).

The small exports below are written by hand; each expected count is worked out next to them.
"""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from watchfloor.cli import main
from watchfloor.config import parse_time
from watchfloor.loader import LoadError, contract_columns, load_files, table_for
from watchfloor.simulator.config import SimConfig
from watchfloor.simulator.writer import seed

POLICIES = """sla_policy_id,priority,first_action_target_min,resolution_target_min,calendar,pause_on_pending
pol_p1,P1,60,1440,24x7,true
pol_p2,P2,480,4320,24x7,false
"""
QUEUES = """queue_id,name,vertical,region,tier,sla_policy_id,timezone
q_fraud,Fraud AMER L1,Fraud & spam,AMER,L1,pol_p2,America/New_York
q_child,Child safety EMEA L1,Child safety,EMEA,L1,pol_p1,Europe/Dublin
"""
HEADER = "case_id,created_at,source,surface,category,priority,region,language,queue_id,status,resolved_at,decision,updated_at"
# Row numbers count data rows (the first row after the header is row 1).
CASES = "\n".join([
    HEADER,
    "c1,2026-11-18 09:00:00,user_report,chat,fraud_scams,P2,AMER,en,q_fraud,queued,,,2026-11-18 09:00:00",  # 1 ok
    # 2 ok: an offset is converted to UTC (10:00+02:00 = 08:00 UTC); resolved 09:30Z = 09:30 UTC
    "c2,2026-11-18T10:00:00+02:00,classifier,api,spam,P2,AMER,en,q_fraud,resolved,2026-11-18T09:30:00Z,violating,2026-11-18 09:30",
    "c3,2026-11-18 09:00,user_report,chat,fraud_scams,P9,AMER,en,q_fraud,queued,,,2026-11-18 09:00",  # 3 priority P9
    "c4,yesterday,user_report,chat,fraud_scams,P2,AMER,en,q_fraud,queued,,,2026-11-18 09:00",  # 4 not a time
    "c5,2026-11-18 12:00,user_report,chat,fraud_scams,P2,AMER,en,q_fraud,resolved,2026-11-18 11:00,violating,2026-11-18 12:00",  # 5 resolved before created
    "c6,2026-11-18 09:00,user_report,chat,fraud_scams,P2,AMER,en,q_nowhere,queued,,,2026-11-18 09:00",  # 6 unknown queue
    "c1,2026-11-18 09:00:00,user_report,chat,fraud_scams,P2,AMER,en,q_fraud,queued,,,2026-11-18 09:00:00",  # 7 repeats c1
    "c7,2026-11-18 09:00,,chat,child_safety,P1,EMEA,en,q_child,queued,,,2026-11-18 09:00",  # 8 source missing
    "c8,2026-11-18 11:00,proactive,chat,child_safety,P1,EMEA,de,q_child,queued,,,2026-11-18 11:00",  # 9 ok
]) + "\n"
# 9 rows: accepted c1, c2, c8 = 3; rejected rows 3, 4, 5, 6, 8 = 5; duplicate row 7 = 1; 3 + 5 + 1 = 9.
EVENTS = """event_id,case_id,occurred_at,event_type,actor_id,queue_id,detail
1,c1,2026-11-18 09:00,created,,,user_report
2,c1,2026-11-18 09:00:05,routed,system,q_fraud,
3,c3,2026-11-18 09:00,created,,,user_report
4,c8,2026-11-18 10:59,created,,,proactive
5,c8,2026-11-18 11:00:05,closed,system,q_child,
"""
# 5 rows: accepted 1, 2 = 2; rejected 3 (c3 was rejected, so unknown case), 4 (before c8's
# creation at 11:00), 5 (event type 'closed') = 3; no duplicates.


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def exports(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "exports"
    folder.mkdir()
    return {
        "policies": write(folder, "sla_policies.csv", POLICIES),
        "queues": write(folder, "queues.csv", QUEUES),
        "cases": write(folder, "cases_2026-11-18.csv", CASES),
        "events": write(folder, "case_events.csv", EVENTS),
    }


def rows(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def test_rows_are_checked_and_counts_add_up(tmp_path, exports):
    warehouse = tmp_path / "w.duckdb"
    # Given children first: the loader writes parents first, so references resolve.
    results = load_files([exports["events"], exports["cases"], exports["queues"], exports["policies"]], warehouse)
    by_table = {r.table: r for r in results}
    assert [r.table for r in results] == ["case_events", "cases", "queues", "sla_policies"]
    cases = by_table["cases"]
    assert (cases.rows_read, cases.accepted, cases.rejected, cases.duplicates) == (9, 3, 5, 1)
    events = by_table["case_events"]
    assert (events.rows_read, events.accepted, events.rejected, events.duplicates) == (5, 2, 3, 0)
    for r in results:
        assert r.accepted + r.rejected + r.duplicates == r.rows_read
    assert rows(warehouse, "SELECT case_id, created_at::VARCHAR, resolved_at::VARCHAR FROM cases ORDER BY 1") == [
        ("c1", "2026-11-18 09:00:00", None),
        ("c2", "2026-11-18 08:00:00", "2026-11-18 09:30:00"),
        ("c8", "2026-11-18 11:00:00", None),
    ]
    quarantine = rows(warehouse, "SELECT table_name, row_number, reason, record FROM load_quarantine ORDER BY 1, 2")
    reasons = {(t, n): reason for t, n, reason, _ in quarantine}
    assert reasons == {
        ("case_events", 3): "case_id: 'c3' is not in cases",
        ("case_events", 4): "occurred_at is before its case was created",
        ("case_events", 5): "event_type: 'closed' is not one of " + ", ".join(
            ["created", "routed", "assigned", "first_action", "pending_info", "info_received", "escalated",
             "decided", "enforced", "reopened", "resolved"]),
        ("cases", 3): "priority: 'P9' is not one of P0, P1, P2, P3",
        ("cases", 4): "created_at: not a time: 'yesterday'",
        ("cases", 5): "resolved_at is before created_at",
        ("cases", 6): "queue_id: 'q_nowhere' is not in queues",
        ("cases", 8): "source: missing",
    }
    # The record keeps the row as it was in the file.
    record = json.loads(next(r for t, n, _, r in quarantine if (t, n) == ("cases", 4)))
    assert record["case_id"] == "c4" and record["created_at"] == "yesterday"
    assert str(exports["cases"]) in rows(warehouse, "SELECT DISTINCT file FROM load_quarantine WHERE table_name = 'cases'")[0]


def test_loading_the_same_files_again_adds_nothing(tmp_path, exports):
    warehouse = tmp_path / "w.duckdb"
    files = [exports["policies"], exports["queues"], exports["cases"], exports["events"]]
    load_files(files, warehouse)
    before = rows(warehouse, "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_events), "
                             "(SELECT count(*) FROM load_quarantine)")
    again = {r.table: r for r in load_files(files, warehouse)}
    after = rows(warehouse, "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_events), "
                            "(SELECT count(*) FROM load_quarantine)")
    assert before == after == [(3, 2, 8)]
    # Everything accepted the first time is a duplicate now; the bad rows are rejected again.
    assert (again["cases"].accepted, again["cases"].rejected, again["cases"].duplicates) == (0, 5, 4)
    assert (again["case_events"].accepted, again["case_events"].duplicates) == (0, 2)
    assert rows(warehouse, "SELECT count(DISTINCT load_id) FROM load_runs") == [(2,)]


def test_a_newer_export_of_a_case_replaces_the_stored_row(tmp_path, exports):
    warehouse = tmp_path / "w.duckdb"
    load_files([exports["policies"], exports["queues"], exports["cases"]], warehouse)
    newer = write(tmp_path, "cases.csv", "\n".join([
        HEADER,
        # c1 resolved later: updated_at 10:00 is newer than the stored 09:00 -> replaces it
        "c1,2026-11-18 09:00:00,user_report,chat,fraud_scams,P2,AMER,en,q_fraud,resolved,2026-11-18 10:00,violating,2026-11-18 10:00",
        # c8 with the same updated_at as stored (11:00) -> a duplicate, the stored row stays
        "c8,2026-11-18 11:00,proactive,chat,child_safety,P1,EMEA,de,q_child,resolved,2026-11-18 11:30,violating,2026-11-18 11:00",
    ]) + "\n")
    (result,) = load_files([newer], warehouse)
    assert (result.accepted, result.updated, result.duplicates, result.rejected) == (1, 1, 1, 0)
    assert rows(warehouse, "SELECT case_id, status FROM cases WHERE case_id IN ('c1', 'c8') ORDER BY 1") == [
        ("c1", "resolved"), ("c8", "queued")]


def test_a_simulated_warehouse_survives_export_and_load_unchanged(tmp_path):
    """Every table exported (CSV and Parquet) and loaded into an empty warehouse comes back equal:
    the checks reject nothing the simulator writes."""
    source = tmp_path / "sim.duckdb"
    seed(source, SimConfig(days=2, cases_per_day=400, seed=5, end=parse_time("2026-11-18T12:00")), progress=False)
    out = tmp_path / "out"
    out.mkdir()
    con = duckdb.connect(str(source), read_only=True)
    tables = [t for t in contract_columns() if t != "watchfloor_meta"]
    for i, table in enumerate(tables):
        fmt = "parquet" if i % 2 else "csv"
        con.sql(f"COPY {table} TO '{out / (table + '.' + fmt)}' ({'FORMAT parquet' if fmt == 'parquet' else 'HEADER'})")
    con.close()
    target = tmp_path / "loaded.duckdb"
    results = load_files(sorted(out.iterdir()), target)
    assert all(r.rejected == 0 and r.duplicates == 0 and r.accepted == r.rows_read for r in results)
    con = duckdb.connect(str(target))
    con.sql(f"ATTACH '{source}' AS src (READ_ONLY)")
    for table in tables:
        for a, b in (("src", "main"), ("main", "src")):
            diff = con.sql(f"SELECT count(*) FROM (SELECT * FROM {a}.{table} EXCEPT ALL SELECT * FROM {b}.{table})")
            assert diff.fetchall() == [(0,)], table
    con.close()


# --- files that cannot be read at all --------------------------------------------------------

def _bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    folder.mkdir(exist_ok=True)
    latin = folder / "cases_latin.csv"
    latin.write_bytes((HEADER + "\n").encode() + "c1,2026-11-18 09:00,user_report,chat,café,P2,AMER,fr,q_fraud,queued,,,2026-11-18 09:00\n".encode("latin-1"))
    binary = folder / "cases_binary.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    good_parquet = folder / "full.parquet"
    pl.DataFrame({"case_id": ["c1"]}).write_parquet(good_parquet)
    truncated = folder / "cases_truncated.parquet"
    truncated.write_bytes(good_parquet.read_bytes()[:-30])
    headless = write(folder, "cases_noheader.csv", "\n".join(CASES.splitlines()[1:]) + "\n")
    empty = write(folder, "cases_empty.csv", "")
    unclosed = write(folder, "cases_quote.csv", HEADER + '\nc1,"2026-11-18 09:00,user_report\n')
    missing = write(folder, "cases_missing.csv", "case_id,created_at\nc1,2026-11-18 09:00\n")
    unnamed = write(folder, "export.csv", CASES)
    twice = write(folder, "cases_twice.csv", HEADER.replace("case_id,", "case_id,CASE_ID,", 1) + "\n"
                  + CASES.splitlines()[1].replace("c1,", "c1,c1,", 1) + "\n")
    duration = folder / "cases_duration.parquet"
    pl.DataFrame({"case_id": ["c1"], "handling": [timedelta(minutes=5)]}).write_parquet(duration)
    parquet_twice = folder / "cases_twice.parquet"
    pl.DataFrame({"case_id": ["c1"], "Case_Id": ["c1"]}).write_parquet(parquet_twice)
    directory = folder / "cases_dir.csv"
    directory.mkdir()
    return {
        "case twice": (twice, "the column case_id is named twice ('case_id' and 'CASE_ID')"),
        "parquet case twice": (parquet_twice, "the column case_id is named twice ('case_id' and 'Case_Id')"),
        "duration": (duration, "column handling has the Parquet type Duration"),
        "directory": (directory, "is a directory, not a CSV or Parquet file"),
        "latin": (latin, "not UTF-8 text"),
        "binary": (binary, "binary content"),
        "truncated": (truncated, "not a readable Parquet file"),
        "no header": (headless, "no header naming a column of cases"),
        "empty": (empty, "the file is empty"),
        "unclosed quote": (unclosed, "not a readable CSV file"),
        "missing columns": (missing, "columns missing for cases: source, surface"),
        "unknown table": (unnamed, "cannot tell the table from the file name"),
    }


@pytest.mark.parametrize("case", ["latin", "binary", "truncated", "no header", "empty", "unclosed quote",
                                  "missing columns", "unknown table", "case twice", "parquet case twice",
                                  "duration", "directory"])
def test_an_unreadable_file_is_one_line_exit_2_and_nothing_is_written(tmp_path, exports, capsys, case):
    warehouse = tmp_path / "w.duckdb"
    assert main(["load", str(exports["policies"]), str(exports["queues"]), "--warehouse", str(warehouse)]) == 0
    capsys.readouterr()
    bad, expected = _bad_files(tmp_path / "bad")[case]
    # A good file given together with the bad one is not loaded either: no partial write.
    code = main(["load", str(exports["cases"]), str(bad), "--warehouse", str(warehouse), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert expected in lines[0] and "nothing was loaded" in lines[0]
    assert "Traceback" not in captured.err
    assert rows(warehouse, "SELECT (SELECT count(*) FROM cases), (SELECT count(DISTINCT load_id) FROM load_runs)") == [(0, 1)]


def test_an_unreadable_file_does_not_create_the_warehouse(tmp_path, capsys):
    warehouse = tmp_path / "new.duckdb"
    bad, _ = _bad_files(tmp_path / "bad")["binary"]
    assert main(["load", str(bad), "--warehouse", str(warehouse)]) == 2
    assert not warehouse.exists()


def test_the_command_prints_counts_per_file_and_in_total(tmp_path, exports, capsys):
    warehouse = tmp_path / "w.duckdb"
    code = main(["load", str(exports["policies"]), str(exports["queues"]), str(exports["cases"]),
                 "--warehouse", str(warehouse)])
    out = capsys.readouterr().out
    assert code == 0
    # 2 policies + 2 queues + 9 case rows = 13 read; 2 + 2 + 3 accepted; 5 rejected; 1 duplicate.
    assert "cases_2026-11-18.csv -> cases: 9 rows read, 3 accepted, 5 rejected, 1 duplicates" in out
    assert "total: 13 rows read, 7 accepted, 5 rejected, 1 duplicates" in out
    assert "load_quarantine" in out


def test_table_names_come_from_the_file_name_or_the_option(tmp_path):
    assert table_for(Path("cases.csv"), None) == "cases"
    assert table_for(Path("case_events_2026-11.parquet"), None) == "case_events"
    assert table_for(Path("CASES-part-2.csv"), None) == "cases"
    assert table_for(Path("anything.csv"), "qa_reviews") == "qa_reviews"
    with pytest.raises(LoadError, match="cannot tell the table"):
        table_for(Path("casesx.csv"), None)
    with pytest.raises(LoadError, match="unknown table 'bogus'"):
        table_for(Path("cases.csv"), "bogus")


def test_list_and_boolean_columns_accept_common_spellings(tmp_path):
    folder = tmp_path / "e"
    folder.mkdir()
    write(folder, "vendors.csv", "vendor_id,name,kind,cost_per_hour_usd\nv1,Internal,internal,55\n")
    reviewers = write(folder, "reviewers.csv", "\n".join([
        "reviewer_id,vendor_id,region,languages,hired_at,active",
        'r1,v1,AMER,"[en, es]",2025-01-01,yes',
        "r2,v1,EMEA,de;fr,2025-01-01 08:00,FALSE",
        "r3,v1,APAC,ja,2025-01-01,maybe",  # not a boolean -> rejected
    ]) + "\n")
    results = {r.table: r for r in load_files([folder / "vendors.csv", reviewers], tmp_path / "w.duckdb")}
    assert (results["reviewers"].accepted, results["reviewers"].rejected) == (2, 1)
    assert rows(tmp_path / "w.duckdb", "SELECT reviewer_id, languages, active FROM reviewers ORDER BY 1") == [
        ("r1", ["en", "es"], True), ("r2", ["de", "fr"], False)]


def test_a_large_file_shows_a_progress_bar(tmp_path, exports, capsys, monkeypatch):
    import watchfloor.loader as loader

    # Thresholds shrunk so the 9-row export counts as large and is checked in slices of 2 rows.
    monkeypatch.setattr(loader, "PROGRESS_MIN_ROWS", 0)
    monkeypatch.setattr(loader, "CHUNK_ROWS", 2)
    results = load_files([exports["policies"], exports["queues"], exports["cases"]], tmp_path / "w.duckdb",
                         progress=True)
    err = capsys.readouterr().err
    assert "checking cases_2026-11-18.csv: 100%" in err and "9.00/9.00 " in err
    # Slicing changes nothing: the same counts as in one piece.
    cases = next(r for r in results if r.table == "cases")
    assert (cases.accepted, cases.rejected, cases.duplicates) == (3, 5, 1)


def test_policies_need_positive_targets_and_a_working_day(tmp_path):
    policies = write(tmp_path, "sla_policies.csv", "\n".join([
        "sla_policy_id,priority,first_action_target_min,resolution_target_min,calendar,pause_on_pending,business_start_hour,business_end_hour",
        "ok,P1,60,1440,business,true,8,18",
        "zero,P1,0,1440,24x7,true,,",            # a target of 0 minutes
        "day,P2,60,1440,business,true,17,9",     # the working day ends before it starts
        "defaults,P3,60,1440,business,false,,",  # empty hours take the defaults 9-17
    ]) + "\n")
    (result,) = load_files([policies], tmp_path / "w.duckdb")
    assert (result.accepted, result.rejected) == (2, 2)
    assert rows(tmp_path / "w.duckdb", "SELECT sla_policy_id, business_start_hour, business_end_hour "
                                       "FROM sla_policies ORDER BY 1") == [("defaults", 9, 17), ("ok", 8, 18)]
    reasons = dict(rows(tmp_path / "w.duckdb", "SELECT row_number, reason FROM load_quarantine"))
    assert reasons == {2: "first_action_target_min must be above 0",
                       3: "business hours must satisfy 0 <= business_start_hour < business_end_hour <= 24"}


def test_a_rule_the_checks_do_not_know_is_one_line_and_nothing_is_written(tmp_path, exports, capsys):
    warehouse = tmp_path / "w.duckdb"
    assert main(["load", str(exports["policies"]), "--warehouse", str(warehouse)]) == 0
    con = duckdb.connect(str(warehouse))
    # An organisation's own constraint, stricter than the contract.
    con.execute("CREATE UNIQUE INDEX one_name ON queues (vertical, region, tier)").fetchall()
    con.close()
    twin = write(tmp_path, "queues.csv", QUEUES + "q_fraud2,Fraud again,Fraud & spam,AMER,L1,pol_p2,America/New_York\n")
    capsys.readouterr()
    assert main(["load", str(twin), "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "the warehouse refused the rows" in err[0] and "nothing was loaded" in err[0]
    assert rows(warehouse, "SELECT count(*) FROM queues") == [(0,)]


# --------------------------------------------------------------------------- values that are not values


SCORED = HEADER + ",classifier_score,content_excerpt"


def _case(case_id: str, created: str = "2026-11-18 09:00", score: str = "0.5", excerpt: str = "fine") -> str:
    return (f"{case_id},{created},classifier,chat,spam,P2,AMER,en,q_fraud,queued,,,{created},{score},{excerpt}")


def test_nan_and_infinite_numbers_are_quarantined(tmp_path, exports):
    cases = write(tmp_path, "cases.csv", "\n".join([SCORED, _case("n1", score="NaN"), _case("n2", score="inf"),
                                                    _case("n3", score="-Infinity"), _case("ok", score="0.93")]) + "\n")
    warehouse = tmp_path / "w.duckdb"
    [_, _, result] = load_files([exports["policies"], exports["queues"], cases], warehouse)
    assert (result.accepted, result.rejected) == (1, 3)
    reasons = rows(warehouse, "SELECT row_number, reason FROM load_quarantine ORDER BY row_number")
    assert reasons == [(1, "classifier_score: not a finite number: 'NaN'"),
                       (2, "classifier_score: not a finite number: 'inf'"),
                       (3, "classifier_score: not a finite number: '-Infinity'")]
    # Parquet floats arrive as numbers, not text: the same check holds
    parquet = tmp_path / "cases_p.parquet"
    pl.read_csv(cases, infer_schema=False).with_columns(pl.col("classifier_score").cast(pl.Float64),
                                                          pl.col("case_id") + "p").write_parquet(parquet)
    [result] = load_files([parquet], warehouse)
    assert (result.accepted, result.rejected) == (1, 3)
    assert rows(warehouse, "SELECT count(*) FROM cases WHERE isnan(classifier_score) OR isinf(classifier_score)") == [(0,)]


def test_a_nul_byte_anywhere_is_quarantined(tmp_path, exports):
    filler = [_case(f"f{i}") for i in range(300)]  # well past the first 8 KB
    text = "\n".join([SCORED, *filler, _case("nul", excerpt="bad\x00content")]) + "\n"
    assert text.index("\x00") > 8192
    cases = write(tmp_path, "cases.csv", text)
    warehouse = tmp_path / "w.duckdb"
    [_, _, result] = load_files([exports["policies"], exports["queues"], cases], warehouse)
    assert (result.accepted, result.rejected) == (300, 1)
    assert rows(warehouse, "SELECT row_number, reason FROM load_quarantine") == [(301, "content_excerpt: contains a NUL byte")]
    assert rows(warehouse, "SELECT count(*) FROM cases WHERE contains(content_excerpt, chr(0))") == [(0,)]


def test_times_beyond_now_and_the_tolerance_are_quarantined(tmp_path, exports, monkeypatch):
    from datetime import datetime

    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    soon = now + timedelta(minutes=30)
    late = now + timedelta(minutes=90)
    cases = write(tmp_path, "cases.csv", "\n".join([
        SCORED, _case("c2031", created="2031-01-01 09:00"), _case("soon", created=f"{soon:%Y-%m-%d %H:%M}"),
        _case("late", created=f"{late:%Y-%m-%d %H:%M}")]) + "\n")
    warehouse = tmp_path / "w.duckdb"
    [_, _, result] = load_files([exports["policies"], exports["queues"], cases], warehouse)
    assert (result.accepted, result.rejected) == (1, 2)  # within the default hour: kept
    reasons = [r[0] for r in rows(warehouse, "SELECT reason FROM load_quarantine ORDER BY row_number")]
    assert reasons[0].startswith("created_at: in the future (2031-01-01 09:00, later than ")
    monkeypatch.setenv("WATCHFLOOR_LOAD_FUTURE_MINUTES", "120")
    [result] = load_files([cases], tmp_path / "w2.duckdb", table="cases")
    assert (result.accepted, result.rejected) == (0, 3)  # only the queues are missing now ...
    assert rows(tmp_path / "w2.duckdb", "SELECT count(*) FROM load_quarantine WHERE reason LIKE '%future%'") == [(1,)]
    monkeypatch.setenv("WATCHFLOOR_LOAD_FUTURE_MINUTES", "soon")
    with pytest.raises(LoadError, match="WATCHFLOOR_LOAD_FUTURE_MINUTES must be a number"):
        load_files([cases], tmp_path / "w3.duckdb", table="cases")


def test_planned_shifts_may_lie_in_the_future(tmp_path):
    from watchfloor.loader import check_rows

    columns = contract_columns()["shifts"]
    frame = pl.DataFrame({"reviewer_id": ["r1"], "starts_at": ["2031-01-01 08:00"], "ends_at": ["2031-01-01 16:00"]})
    good, bad = check_rows(frame, "shifts", columns)
    assert good.height == 1 and bad.height == 0
