"""The audit log (watchfloor/audit.py): append-only, chained by HMACs under a key kept apart from
it, its newest entry anchored in a head file apart from it, surviving restarts; tampering shows,
including a cut-off end and an emptied log. The MACs are checked against a computation written out
here with hmac and json directly."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from watchfloor import audit
from watchfloor.cli import main as cli_main
from watchfloor.config import load_settings

APP_ROOT = Path(__file__).resolve().parents[2]


def canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha(body: dict) -> str:
    return hashlib.sha256(canonical(body)).hexdigest()


def the_key() -> bytes:
    return bytes.fromhex(load_settings().audit_key_file.read_text().strip())


def mac(body: dict) -> str:
    return hmac.new(the_key(), canonical(body), hashlib.sha256).hexdigest()


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def log_path(tmp_path) -> Path:
    return tmp_path / "audit" / "audit.jsonl"


def write_three(path: Path) -> list[audit.Entry]:
    log = audit.AuditLog(path)
    return [
        log.append(user="ana", role="analyst", action=audit.VIEW, case_id="k1", when=datetime(2026, 11, 18, 9, 0)),
        log.append(user="ana", role="analyst", action=audit.REVEAL, case_id="k1", reason="ticket T-1 check",
                   when=datetime(2026, 11, 18, 9, 1)),
        log.append(user="ole", role="ops_lead", action=audit.VIEW, case_id="k2", when=datetime(2026, 11, 19, 8, 0)),
    ]


def test_entries_are_chained_by_keyed_hashes(log_path):
    first, second, third = write_three(log_path)
    stored = lines(log_path)
    assert [e["seq"] for e in stored] == [1, 2, 3]
    assert stored[0]["prev"] == "0" * 64
    key_id = hashlib.sha256(the_key()).hexdigest()[:16]
    expected_first = mac({"seq": 1, "at": "2026-11-18T09:00:00Z", "user": "ana", "role": "analyst",
                          "action": "view", "case_id": "k1", "reason": "", "prev": "0" * 64, "v": 2, "key": key_id})
    assert stored[0]["hash"] == expected_first == first.hash
    assert stored[0]["v"] == 2 and stored[0]["key"] == key_id
    assert stored[1]["prev"] == expected_first
    assert stored[1]["hash"] == mac({k: v for k, v in stored[1].items() if k != "hash"})
    assert stored[1]["hash"] != sha({k: v for k, v in stored[1].items() if k != "hash"})  # no key, no hash
    assert stored[2]["prev"] == stored[1]["hash"]
    assert stored[1]["reason"] == "ticket T-1 check"
    result = audit.AuditLog(log_path).verify()
    assert result.intact and result.entries == 3 and result.head == third.hash


def test_the_log_survives_a_restart(log_path):
    write_three(log_path)
    reopened = audit.AuditLog(log_path)  # a new process would do the same: nothing is kept in memory
    fourth = reopened.append(user="ana", role="analyst", action=audit.VIEW, case_id="k3")
    assert fourth.seq == 4 and fourth.prev == lines(log_path)[2]["hash"]
    assert [e.seq for e in reopened.entries()] == [1, 2, 3, 4]
    assert reopened.verify().intact


def test_the_store_has_no_way_to_change_or_delete_an_entry():
    public = {name for name in dir(audit.AuditLog) if not name.startswith("_")}
    assert public == {"append", "entries", "verify", "reveals_since", "snapshot"}


def test_sign_in_events_need_no_case(log_path):
    log = audit.AuditLog(log_path)
    entry = log.append(user="ana", role="", action=audit.LOGIN_FAILED, reason="client 10.0.0.9")
    assert entry.case_id == "" and log.verify().intact


def test_an_edited_entry_is_detected(log_path):
    write_three(log_path)
    stored = lines(log_path)
    stored[1]["reason"] = "nothing to see"
    log_path.write_text("".join(json.dumps(e) + "\n" for e in stored), encoding="utf-8")
    result = audit.AuditLog(log_path).verify()
    assert not result.intact
    assert result.problems == ["line 2: its content does not match its hash (the entry was changed)"]


def test_an_edit_that_recomputes_the_chain_without_the_key_is_detected(log_path):
    # The attack of the issue: change an entry and recompute every hash after it, as a plain SHA-256
    # chain would allow. Without the key the hashes cannot be right.
    write_three(log_path)
    stored = lines(log_path)
    stored[0]["user"] = "someone_else"
    prev = "0" * 64
    for entry in stored:
        entry["prev"] = prev
        entry["hash"] = prev = sha({k: v for k, v in entry.items() if k != "hash"})
    log_path.write_text("".join(json.dumps(e) + "\n" for e in stored), encoding="utf-8")
    problems = audit.AuditLog(log_path).verify().problems
    assert problems[:3] == [f"line {n}: its content does not match its hash (the entry was changed)" for n in (1, 2, 3)]
    assert problems[3] == "entry 3 is not the one the head recorded (the end of the log was rewritten)"


def test_a_deleted_entry_with_the_chain_recomputed_without_the_key_is_detected(log_path):
    write_three(log_path)
    stored = lines(log_path)
    del stored[1]
    stored[1]["seq"], stored[1]["prev"] = 2, stored[0]["hash"]
    stored[1]["hash"] = sha({k: v for k, v in stored[1].items() if k != "hash"})
    log_path.write_text("".join(json.dumps(e) + "\n" for e in stored), encoding="utf-8")
    problems = audit.AuditLog(log_path).verify().problems
    assert problems == ["line 2: its content does not match its hash (the entry was changed)",
                        "the log ends at entry 2 but its head records entry 3: entries 3-3 were cut off the end "
                        "(or the log was replaced by an older copy)"]


def test_a_cut_off_end_and_an_emptied_log_are_detected(log_path):
    write_three(log_path)
    kept = log_path.read_text(encoding="utf-8").splitlines(keepends=True)
    log_path.write_text("".join(kept[:1]), encoding="utf-8")
    assert audit.AuditLog(log_path).verify().problems == [
        "the log ends at entry 1 but its head records entry 3: entries 2-3 were cut off the end "
        "(or the log was replaced by an older copy)"]
    log_path.write_text("", encoding="utf-8")
    assert audit.AuditLog(log_path).verify().problems == [
        "the log is empty (or gone) but its head records 3 entries: all of them were removed"]
    log_path.unlink()
    assert not audit.AuditLog(log_path).verify().intact


def test_the_head_is_kept_apart_from_the_log_and_signed(log_path):
    entries = write_three(log_path)
    log = audit.AuditLog(log_path)
    assert log.head_file.parent != log_path.parent
    head = json.loads(log.head_file.read_text())
    assert (head["seq"], head["hash"]) == (3, entries[-1].hash)
    assert head["mac"] == hmac.new(the_key(), f"watchfloor-audit-head|3|{entries[-1].hash}".encode(),
                                   hashlib.sha256).hexdigest()
    # rolled back to an earlier head without the key: refused
    log.head_file.write_text(json.dumps({**head, "seq": 1, "hash": entries[0].hash}))
    assert log.verify().problems == [f"the head file {log.head_file} does not carry this key's signature "
                                     "(it was changed, or it belongs to another key)"]
    log.head_file.unlink()
    assert log.verify().problems == [f"no head file at {log.head_file}: whether entries were cut off the end "
                                     "cannot be told (it was deleted, or the log was moved without it)"]


def test_an_entry_written_without_updating_the_head_is_named(log_path, monkeypatch):
    write_three(log_path)
    write_head = audit._write_head
    monkeypatch.setattr(audit, "_write_head", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space left")))
    with pytest.raises(audit.AuditError, match="could not be updated: No space left"):
        audit.AuditLog(log_path).append(user="ana", role="analyst", action=audit.VIEW, case_id="k4")
    monkeypatch.setattr(audit, "_write_head", write_head)
    assert audit.AuditLog(log_path).verify().problems == [
        "entries 4-4 come after the head: written without updating it (a write cut short, or entries added "
        "outside Watchfloor)"]
    audit.AuditLog(log_path).append(user="ana", role="analyst", action=audit.VIEW, case_id="k5")
    assert audit.AuditLog(log_path).verify().intact  # the next entry anchors them again


def test_another_key_is_named(log_path, tmp_path):
    write_three(log_path)
    other = tmp_path / "other.key"
    audit.create_key(other)
    result = audit.AuditLog(log_path, key_file=other).verify()
    assert result.problems[0].startswith("line 1: signed with another audit key")


def test_the_key_is_created_read_only_once_and_never_replaced(tmp_path):
    key = tmp_path / "keys" / "audit.key"
    assert audit.create_key(key) is True
    assert oct(key.stat().st_mode & 0o777) == "0o400"
    first = key.read_text()
    assert audit.create_key(key) is False and key.read_text() == first
    assert len(bytes.fromhex(first.strip())) == 32


def test_a_missing_or_loose_key_is_a_clear_error(log_path, tmp_path):
    with pytest.raises(audit.AuditError, match="no audit key at .*watchfloor audit init-key"):
        audit.AuditLog(log_path, key_file=tmp_path / "none.key").append(user="a", role="admin", action=audit.VIEW,
                                                                        case_id="k1")
    loose = tmp_path / "loose.key"
    audit.create_key(loose)
    os.chmod(loose, 0o666)
    with pytest.raises(audit.AuditError, match="may be written by others"):
        audit.AuditLog(log_path, key_file=loose).verify()
    assert not log_path.exists()


def test_a_log_written_before_the_key_is_kept_and_sealed(log_path):
    # Three entries as the previous version wrote them: plain SHA-256, no key.
    prev, old = "0" * 64, []
    for seq, (user, case) in enumerate([("ana", "k1"), ("ole", "k2"), ("ana", "k3")], start=1):
        body = {"seq": seq, "at": f"2026-11-1{seq}T09:00:00Z", "user": user, "role": "analyst", "action": "view",
                "case_id": case, "reason": "", "prev": prev}
        prev = sha(body)
        old.append({**body, "hash": prev})
    log_path.parent.mkdir(parents=True)
    log_path.write_text("".join(json.dumps(e) + "\n" for e in old), encoding="utf-8")
    before = log_path.read_bytes()
    result = audit.AuditLog(log_path).verify()
    assert result.intact and result.unkeyed == 3 and "not sealed yet" in result.notes[0]
    fourth = audit.AuditLog(log_path).append(user="ana", role="analyst", action=audit.VIEW, case_id="k4")
    assert log_path.read_bytes().startswith(before)  # nothing stored is lost or rewritten
    assert (fourth.seq, fourth.prev, fourth.v) == (4, old[-1]["hash"], 2)
    result = audit.AuditLog(log_path).verify()
    assert result.intact and result.entries == 4 and "sealed by the first signed entry" in result.notes[0]
    # an old entry changed (and its plain chain recomputed) after the seal breaks the link to it
    stored = lines(log_path)
    stored[2]["user"] = "someone_else"
    stored[2]["hash"] = sha({k: v for k, v in stored[2].items() if k != "hash"})
    log_path.write_text("".join(json.dumps(e) + "\n" for e in stored), encoding="utf-8")
    assert audit.AuditLog(log_path).verify().problems == [
        "line 4: does not follow the entry before it (an entry before it was changed, removed or moved)"]
    # and an unkeyed entry appended after keyed ones is named
    stored = lines(log_path)[:4]
    forged = {"seq": 5, "at": "2026-11-19T09:00:00Z", "user": "x", "role": "admin", "action": "view",
              "case_id": "k9", "reason": "", "prev": stored[3]["hash"]}
    log_path.write_text("".join(json.dumps(e) + "\n" for e in [*old, stored[3], {**forged, "hash": sha(forged)}]),
                        encoding="utf-8")
    problems = audit.AuditLog(log_path).verify().problems
    assert problems[0] == ("line 5: an entry without the audit key's signature after signed ones (added by someone "
                           "who does not have the key)")


def test_a_removed_entry_is_detected(log_path):
    write_three(log_path)
    kept = log_path.read_text(encoding="utf-8").splitlines(keepends=True)
    log_path.write_text(kept[0] + kept[2], encoding="utf-8")
    problems = audit.AuditLog(log_path).verify().problems
    assert len(problems) == 2
    assert problems[0].startswith("line 2: entry number 3, expected 2")
    assert problems[1].startswith("line 2: does not follow the entry before it")


def test_a_line_that_is_not_an_entry_is_reported_and_blocks_appending(log_path):
    write_three(log_path)
    with open(log_path, "a", encoding="utf-8") as handle:
        handle.write("not json\n")
    assert audit.AuditLog(log_path).verify().problems == ["line 4: not an audit entry"]
    assert len(audit.AuditLog(log_path).entries()) == 3
    with pytest.raises(audit.AuditError, match="not an entry"):
        audit.AuditLog(log_path).append(user="ana", role="analyst", action=audit.VIEW, case_id="k1")


def test_concurrent_writers_keep_one_chain(log_path):
    log = audit.AuditLog(log_path)

    def write(n: int) -> None:
        for i in range(25):
            audit.AuditLog(log_path).append(user=f"u{n}", role="analyst", action=audit.VIEW, case_id=f"k{i}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # and another process at the same time as this one
    code = ("from watchfloor import audit\n"
            f"log = audit.AuditLog({str(log_path)!r})\n"
            "for i in range(25): log.append(user='other', role='admin', action='view', case_id='p')\n")
    subprocess.run([sys.executable, "-c", code], cwd=APP_ROOT, check=True, timeout=60)
    result = log.verify()
    assert result.intact, result.problems
    assert result.entries == 6 * 25 + 25
    assert [e.seq for e in log.entries()] == list(range(1, 176))


def test_a_missing_log_is_empty_and_intact(log_path):
    log = audit.AuditLog(log_path)
    assert log.entries() == [] and log.verify().intact and log.verify().entries == 0


def test_an_unwritable_location_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(audit.AuditError, match="cannot open the audit log"):
        audit.AuditLog(blocker / "audit.jsonl").append(user="a", role="admin", action=audit.VIEW, case_id="k1")


def test_append_refuses_unknown_actions_and_missing_fields(log_path):
    log = audit.AuditLog(log_path)
    with pytest.raises(ValueError):
        log.append(user="a", role="admin", action="delete", case_id="k1")
    with pytest.raises(ValueError):
        log.append(user="", role="admin", action=audit.VIEW, case_id="k1")
    assert not log_path.exists()


def test_reasons():
    assert audit.clean_reason("  ticket   T-1234\n check ") == "ticket T-1234 check"
    for short in ("", None, "   ", "because"):  # 'because' has 7 characters
        with pytest.raises(audit.ReasonError):
            audit.clean_reason(short)
    with pytest.raises(audit.ReasonError):
        audit.clean_reason("x" * (audit.REASON_MAX_CHARS + 1))


# --------------------------------------------------------------------------- the Audit page's figures


def test_filter_and_summary(log_path):
    write_three(log_path)
    frame = audit.to_frame(audit.AuditLog(log_path).entries())
    assert frame["seq"].to_list() == [3, 2, 1]  # newest first
    everything = audit.summary(frame)
    # 3 entries: 2 views (k1 by ana, k2 by ole), 1 reveal; 2 people; 2 cases
    assert everything == audit.AuditSummary(entries=3, views=2, reveals=1, users=2, cases=2)
    day_18 = audit.filter_entries(frame, audit.AuditFilter(start=datetime(2026, 11, 18), end=datetime(2026, 11, 19)))
    assert day_18["seq"].to_list() == [2, 1]
    reveals = audit.filter_entries(frame, audit.AuditFilter(actions=(audit.REVEAL,)))
    assert reveals["reason"].to_list() == ["ticket T-1 check"]
    assert audit.filter_entries(frame, audit.AuditFilter(users=("ole",)))["case_id"].to_list() == ["k2"]
    assert audit.filter_entries(frame, audit.AuditFilter(case_id=" k1 "))["seq"].to_list() == [2, 1]
    assert audit.filter_entries(frame, audit.AuditFilter(case_id="' OR 1=1")).height == 0
    assert audit.summary(frame.head(0)) == audit.AuditSummary(0, 0, 0, 0, 0)


def test_csv_export(log_path):
    log = audit.AuditLog(log_path)
    log.append(user="ana", role="analyst", action=audit.REVEAL, case_id="k1", reason='=HYPERLINK("x"), "quoted"',
               when=datetime(2026, 11, 18, 9, 1, 5))
    text = audit.to_csv(audit.to_frame(log.entries())).decode("utf-8")
    rows = text.splitlines()
    assert rows[0] == "seq,at,user,role,action,case_id,reason,hash"
    assert rows[1].startswith('1,2026-11-18T09:01:05Z,ana,analyst,reveal,k1,"\'=HYPERLINK(""x""), ""quoted""",')
    assert rows[1].endswith(log.entries()[0].hash)
    assert audit.to_csv(audit.to_frame([])).decode("utf-8") == "seq,at,user,role,action,case_id,reason,hash\n"


# --------------------------------------------------------------------------- settings and the command


def test_the_location_is_configurable(monkeypatch, tmp_path):
    monkeypatch.delenv("WATCHFLOOR_AUDIT_LOG", raising=False)
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", str(tmp_path / "wh" / "warehouse.duckdb"))
    assert load_settings().audit_log == tmp_path / "wh" / "audit.jsonl"  # beside the warehouse
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", "postgresql://db/cases")
    assert load_settings().audit_log == Path("data/audit.jsonl")
    monkeypatch.setenv("WATCHFLOOR_AUDIT_LOG", str(tmp_path / "elsewhere.jsonl"))
    assert load_settings().audit_log == tmp_path / "elsewhere.jsonl"


def test_audit_verify_command(log_path, capsys):
    assert cli_main(["audit", "verify", "--log", str(log_path)]) == 0
    assert "No audit log" in capsys.readouterr().out
    entries = write_three(log_path)
    assert cli_main(["audit", "verify", "--log", str(log_path)]) == 0
    out = capsys.readouterr().out
    assert "intact: 3 entries" in out and entries[-1].hash in out
    stored = lines(log_path)
    stored[2]["case_id"] = "k9"
    log_path.write_text("".join(json.dumps(e) + "\n" for e in stored), encoding="utf-8")
    assert cli_main(["audit", "verify", "--log", str(log_path)]) == 1
    err = capsys.readouterr().err
    assert "tampered with" in err and "line 3: its content does not match its hash" in err


def test_audit_verify_finds_the_log_from_the_settings(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("WATCHFLOOR_AUDIT_LOG", str(tmp_path / "a.jsonl"))
    write_three(tmp_path / "a.jsonl")
    assert cli_main(["audit", "verify"]) == 0
    assert "intact: 3 entries" in capsys.readouterr().out


def test_frame_schema_when_empty():
    assert audit.to_frame([]).schema == pl.Schema(audit.SCHEMA)


def test_reveals_since_counts_one_users_recent_reveals(log_path, monkeypatch):
    log = audit.AuditLog(log_path)
    # ana reveals at 08:00, 08:59, 09:00 and 09:30; ole at 09:10; ana views at 09:20.
    for user, action, minute in [("ana", audit.REVEAL, 0), ("ana", audit.REVEAL, 59), ("ana", audit.REVEAL, 60),
                                 ("ole", audit.REVEAL, 70), ("ana", audit.VIEW, 80), ("ana", audit.REVEAL, 90)]:
        log.append(user=user, role="analyst", action=action, case_id="k1", reason="ticket T-9 wording",
                   when=datetime(2026, 11, 18, 8 + minute // 60, minute % 60))
    # since 09:00 (inclusive): ana's reveals at 09:00 and 09:30 -> 2; since 08:30: + 08:59 -> 3
    assert log.reveals_since("ana", datetime(2026, 11, 18, 9, 0)) == 2
    assert log.reveals_since("ana", datetime(2026, 11, 18, 8, 30)) == 3
    assert log.reveals_since("ana", datetime(2026, 11, 18, 7, 0)) == 4
    assert log.reveals_since("ole", datetime(2026, 11, 18, 9, 0)) == 1
    assert log.reveals_since("ana", datetime(2026, 11, 18, 10, 0)) == 0
    assert audit.AuditLog(log_path.parent / "missing.jsonl").reveals_since("ana", datetime(2026, 1, 1)) == 0


def test_reveals_since_reads_back_across_chunks(log_path, monkeypatch):
    monkeypatch.setattr(audit, "_TAIL_CHUNK", 100)  # smaller than one line: every line spans chunks
    log = audit.AuditLog(log_path)
    for minute in range(30):
        log.append(user="ana", role="analyst", action=audit.REVEAL, case_id=f"k{minute}", reason="ticket T-9 wording",
                   when=datetime(2026, 11, 18, 9, minute))
    # 09:10 .. 09:29 -> 20 reveals
    assert log.reveals_since("ana", datetime(2026, 11, 18, 9, 10)) == 20
    assert log.reveals_since("ana", datetime(2026, 11, 18, 8, 0)) == 30
    # appending still finds the last line when the chunk is smaller than a line
    assert log.append(user="ana", role="analyst", action=audit.VIEW, case_id="k1").seq == 31
    assert log.verify().intact


def test_the_snapshot_reads_only_what_was_appended_and_still_sees_tampering(log_path):
    write_three(log_path)
    log = audit.AuditLog(log_path)
    first = log.snapshot()
    assert first.verification.intact and first.frame["seq"].to_list() == [3, 2, 1]
    log.append(user="ole", role="ops_lead", action=audit.VIEW, case_id="k4")
    second = log.snapshot()
    assert second.verification.intact and second.verification.entries == 4
    assert second.frame["seq"].to_list() == [4, 3, 2, 1]
    assert second.verification.head == log.verify().head
    # an edit before the part read last time: the whole file is checked again
    stored = lines(log_path)
    stored[0]["case_id"] = "k9"
    log_path.write_text("".join(json.dumps(e) + "\n" for e in stored), encoding="utf-8")
    third = log.snapshot()
    assert third.verification.problems == ["line 1: its content does not match its hash (the entry was changed)"]
    assert third.frame["case_id"].to_list()[-1] == "k9"


def test_the_snapshot_judges_a_last_line_without_its_newline(log_path):
    write_three(log_path)
    with open(log_path, "a", encoding="utf-8") as handle:
        handle.write('{"seq": 4, "at": "2026')  # cut short
    snap = audit.AuditLog(log_path).snapshot()
    assert snap.verification.problems == ["line 4: not an audit entry"]
    assert snap.frame.height == 3


def test_entries_with_wrong_field_types_are_not_entries(log_path):
    write_three(log_path)
    stored = lines(log_path)
    stored[2]["seq"] = "3"
    log_path.write_text("".join(json.dumps(e) + "\n" for e in stored), encoding="utf-8")
    log = audit.AuditLog(log_path)
    assert log.verify().problems == ["line 3: not an audit entry"]  # the head agrees: nothing was cut
    assert log.snapshot().frame.height == 2


def test_counts_read_in_the_right_number():
    from watchfloor.formatting import count_of

    assert [count_of(n, "entry", "entries") for n in (0, 1, 2, 1204)] == ["0 entries", "1 entry", "2 entries", "1,204 entries"]
    assert count_of(1, "case") == "1 case" and count_of(3, "case") == "3 cases"


def test_audit_verify_reports_a_cut_end_and_an_unreadable_key(log_path, capsys, tmp_path):
    write_three(log_path)
    log_path.write_text("", encoding="utf-8")  # truncated to empty
    assert cli_main(["audit", "verify", "--log", str(log_path)]) == 1
    assert "its head records 3 entries: all of them were removed" in capsys.readouterr().err
    assert cli_main(["audit", "verify", "--log", str(log_path), "--key", str(tmp_path / "none.key")]) == 2
    err = capsys.readouterr().err
    assert "no audit key at" in err and "Traceback" not in err


def test_audit_init_key_command(tmp_path, capsys):
    key = tmp_path / "k" / "audit.key"
    assert cli_main(["audit", "init-key", "--key", str(key)]) == 0
    assert "created the audit key" in capsys.readouterr().out and oct(key.stat().st_mode & 0o777) == "0o400"
    assert cli_main(["audit", "init-key", "--key", str(key)]) == 0
    assert "exists already" in capsys.readouterr().out
