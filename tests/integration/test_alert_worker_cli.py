"""`watchfloor alerts` end to end: the command on a real warehouse, apprise posting to a real HTTP
receiver on localhost. The first run delivers, the second repeats nothing, a cleared condition
sends a resolved notice, a broken channel does not block the others, a malformed rules file is
refused with exit code 2, the built-in rules fire on a demo warehouse, and the digests go out on
schedule and on demand.

Hand warehouse (tests/warehouses/home.py) as of 2026-11-18 12:00: queue q_child_emea holds one
breached case (c3); SEV1 incident i1 has waited 30 h without an acknowledgement; the newest event
is 50 minutes old (see tests/unit/test_alert_evaluation.py for every figure).
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

import queries
from tests import hand_warehouse
from tests.warehouses import home, watched_spikes
from watchfloor.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[2]

RULES = """
rules:
  - id: breached
    kind: sla_cases
    severity: high
    channels: [ops]
  - id: unacknowledged
    kind: incident
    unacknowledged_minutes: 15
    severity: critical
    channels: [oncall, ops]
  - id: stale
    kind: freshness
    older_than_minutes: 30
    severity: medium
    channels: [ops]
digests:
  daily: {channels: [digest], at: "08:00", timezone: UTC}
"""


@pytest.fixture
def env(tmp_path, monkeypatch, receiver, hand_warehouse_path):
    """The hand warehouse pinned at its AS_OF, a rules file, a store, and channel URLs to the receiver."""
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", hand_warehouse_path)
    monkeypatch.setenv("WATCHFLOOR_AS_OF", home.AS_OF.isoformat())
    monkeypatch.setenv("WATCHFLOOR_ALERT_STORE", str(tmp_path / "alerts.sqlite"))
    monkeypatch.setenv("WATCHFLOOR_SECRETS_FILE", str(tmp_path / "secrets.toml"))
    monkeypatch.setenv("WATCHFLOOR_ALERT_URLS", ",".join(
        f"{name}={receiver.url(name)}" for name in ("ops", "oncall", "digest", "leads")))
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    return rules


def run_once(rules: Path | None, monkeypatch, at: datetime) -> int:
    monkeypatch.setenv("WATCHFLOOR_AS_OF", at.isoformat())
    return cli_main(["alerts", "run", "--once"] + (["--rules", str(rules)] if rules else []))


def test_first_run_delivers_and_the_second_repeats_nothing(env, monkeypatch, receiver, capsys):
    assert run_once(env, monkeypatch, home.AS_OF) == 0
    assert sorted(receiver.titles("ops")) == [
        "[CRITICAL] SEV1 incident i1 not acknowledged for 1 d 6 h: Scam wave",
        "[HIGH] 1 breached case in Child safety EMEA L1",
        "[MEDIUM] Warehouse stale: the newest event is 50 min old",
    ]
    assert receiver.titles("oncall") == ["[CRITICAL] SEV1 incident i1 not acknowledged for 1 d 6 h: Scam wave"]
    breached = next(p for p in receiver.delivered("ops") if "breached" in p["title"])
    assert ("See it: http://localhost:8501/queue_health?from=2026-11-18&to=2026-11-18&region=EMEA"
            "&vertical=Child+safety&priority=P1") in breached["message"]
    # the daily digest was due at 08:00: sent once, with Home's figures for the hand warehouse
    [digest] = receiver.delivered("digest")
    assert digest["title"] == "Daily operations digest, 2026-11-18"
    for line in ("Inflow 5 (+3 (+150%) vs a week earlier)", "Breached now 1 · At risk now 1",
                 "Open incidents 1 (SEV1 1)", "Open alerts (3):"):
        assert line in digest["message"]
    out = capsys.readouterr().out
    # three alerts and the digest: ops 3, oncall 1, digest 1
    assert "3 findings, 3 opened, 0 resolved, 4 notices queued, 5 sent, 0 to retry, 0 failed" in out
    assert receiver.url("ops") not in out  # URLs are secrets: never printed

    assert run_once(env, monkeypatch, home.AS_OF + timedelta(minutes=1)) == 0
    assert len(receiver.delivered("ops")) == 3 and len(receiver.delivered("oncall")) == 1
    assert len(receiver.delivered("digest")) == 1
    assert "3 findings, 0 opened, 0 resolved, 0 notices queued, 0 sent" in capsys.readouterr().out


def test_a_cleared_condition_sends_a_resolved_notice(tmp_path, monkeypatch, receiver, env):
    """The spike warehouse: an image_gen x APAC spike from 06:00 to 08:00 is ongoing at 09:30
    and over by 12:30 (tests/unit/test_watched_spikes.py works it out)."""
    warehouse = hand_warehouse.build(tmp_path / "spikes.duckdb", watched_spikes.rows())
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", warehouse)
    rules = tmp_path / "spike-rules.yaml"
    rules.write_text("rules:\n  - {id: spike, kind: spike, min_severity: medium, channels: [ops]}\n")
    assert run_once(rules, monkeypatch, datetime(2026, 11, 18, 9, 30)) == 0
    assert run_once(rules, monkeypatch, datetime(2026, 11, 18, 10, 30)) == 0
    assert receiver.titles("ops") == ["[HIGH] High spike in Impersonation · Image gen · APAC"]
    assert run_once(rules, monkeypatch, datetime(2026, 11, 18, 12, 30)) == 0
    titles = receiver.titles("ops")
    assert titles == ["[HIGH] High spike in Impersonation · Image gen · APAC",
                      "[RESOLVED] High spike in Impersonation · Image gen · APAC"]
    assert "Resolved at 2026-11-18 12:30 UTC, 3 h after it opened." in receiver.delivered("ops")[1]["message"]


def test_an_acknowledgement_in_the_warehouse_resolves_the_incident_alert(tmp_path, monkeypatch, receiver, env,
                                                                         hand_warehouse_path):
    warehouse = str(tmp_path / "hand.duckdb")
    shutil.copy(hand_warehouse_path, warehouse)
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", warehouse)
    assert run_once(env, monkeypatch, home.AS_OF) == 0
    queries.close_all()  # the writer needs the file
    with duckdb.connect(warehouse) as con:
        con.execute("UPDATE incidents SET acknowledged_at = ? WHERE incident_id = 'i1'",
                    [home.AS_OF + timedelta(minutes=2)]).fetchall()
    assert run_once(env, monkeypatch, home.AS_OF + timedelta(minutes=3)) == 0
    assert receiver.titles("oncall") == ["[CRITICAL] SEV1 incident i1 not acknowledged for 1 d 6 h: Scam wave",
                                         "[RESOLVED] SEV1 incident i1 not acknowledged for 1 d 6 h: Scam wave"]


def test_a_broken_channel_does_not_block_the_others(env, monkeypatch, receiver, capsys):
    receiver.failing.add("/oncall")
    assert run_once(env, monkeypatch, home.AS_OF) == 0
    assert len(receiver.delivered("ops")) == 3  # every notice to ops arrived
    assert receiver.tries("oncall") == 1
    out = capsys.readouterr().out
    assert "the opened notice to channel 'oncall' (json://…#" in out
    assert "failed (try 1 of 7, next in 30 s): Failed to send JSON POST notification: Internal server error" in out
    assert run_once(env, monkeypatch, home.AS_OF + timedelta(minutes=1)) == 0  # past the 30 s back-off
    assert receiver.tries("oncall") == 2
    receiver.failing.clear()
    assert run_once(env, monkeypatch, home.AS_OF + timedelta(minutes=3)) == 0  # past the 1 min back-off
    assert receiver.titles("oncall") == ["[CRITICAL] SEV1 incident i1 not acknowledged for 1 d 6 h: Scam wave"]
    assert len(receiver.delivered("ops")) == 3


@pytest.mark.parametrize("text, problem", [
    ("rules:\n  - {id: a, kind: sla_cases, at_least: many}\n", "rule 'a': at_least must be a whole number"),
    ("rules: [\n", "not valid YAML at line 2"),
])
def test_a_malformed_rules_file_is_refused_with_exit_code_2(tmp_path, text, problem):
    rules = tmp_path / "bad.yaml"
    rules.write_text(text)
    store = tmp_path / "alerts.sqlite"
    env = {"PATH": "/usr/bin:/bin", "WATCHFLOOR_WAREHOUSE": str(tmp_path / "none.duckdb"),
           "WATCHFLOOR_ALERT_STORE": str(store), "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "watchfloor", "alerts", "run", "--once", "--rules", str(rules)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"watchfloor alerts: error: {rules}: ") and problem in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not store.exists()  # nothing started
    checked = subprocess.run([sys.executable, "-m", "watchfloor", "alerts", "check", "--rules", str(rules)],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 2 and problem in checked.stderr


def test_check_lists_rules_and_masks_the_urls(env, receiver, capsys):
    assert cli_main(["alerts", "check", "--rules", str(env)]) == 0
    out = capsys.readouterr().out
    assert "3 rules (3 enabled), 1 digests" in out and "  ops: json://…#" in out
    assert "127.0.0.1" not in out


def test_digests_on_demand(env, receiver, capsys):
    assert cli_main(["alerts", "digest", "daily", "--rules", str(env)]) == 0
    assert receiver.titles("digest") == ["Daily operations digest, 2026-11-18"]
    assert "Open alerts: none." in receiver.delivered("digest")[0]["message"]  # the worker has not run
    assert cli_main(["alerts", "digest", "weekly", "--channel", "leads"]) == 0
    [weekly] = receiver.delivered("leads")
    assert weekly["title"].startswith("Weekly executive summary, week of 2026-11-09")
    [attachment] = weekly["attachments"]
    assert attachment["filename"] == "executive-summary-20261109-20261116.html"
    html = base64.b64decode(attachment["base64"]).decode("utf-8")
    assert "<h1>Executive summary</h1>" in html and "week of 2026-11-09" in html
    assert cli_main(["alerts", "digest", "daily", "--print"]) == 0
    assert "Inflow 5 (+3 (+150%) vs a week earlier)" in capsys.readouterr().out


def test_the_built_in_rules_fire_on_a_demo_warehouse(tmp_path, monkeypatch, receiver):
    """A small demo (the command `make run` uses, 15 days of 2,000 cases a day) always holds breached
    cases and a recent SEV0/SEV1 incident, still open: the built-in rules tell the ops channel."""
    demo = tmp_path / "demo.duckdb"
    end = datetime(2026, 11, 18, 12, 0)
    assert cli_main(["seed", "--demo", "--warehouse", str(demo), "--days", "15", "--cases-per-day", "2000",
                     "--seed", "7", "--end", end.isoformat(), "--no-progress"]) == 0
    with duckdb.connect(str(demo), read_only=True) as con:
        (incident_id, severity), = con.sql(
            "SELECT incident_id, severity FROM incidents WHERE severity IN ('SEV0', 'SEV1') AND resolved_at IS NULL "
            "AND started_at <= $t", params={"t": end}).fetchall()
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", str(demo))
    monkeypatch.setenv("WATCHFLOOR_ALERT_STORE", str(tmp_path / "alerts.sqlite"))
    monkeypatch.setenv("WATCHFLOOR_ALERT_RULES", str(tmp_path / "no-rules-file.yaml"))  # the built-in rules
    monkeypatch.setenv("WATCHFLOOR_SECRETS_FILE", str(tmp_path / "secrets.toml"))
    monkeypatch.setenv("WATCHFLOOR_ALERT_URLS", receiver.url("everything"))  # the default channel
    assert run_once(None, monkeypatch, end) == 0
    titles = receiver.titles("everything")
    assert any(t.startswith(f"[CRITICAL] {severity} incident {incident_id} open for ") for t in titles)
    assert any(t.startswith("[HIGH] ") and " breached case" in t for t in titles)
    assert any(t.startswith("Daily operations digest") for t in titles)
