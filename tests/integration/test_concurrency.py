"""Reading while writers write, with real processes on one embedded DuckDB file: a dashboard-like
reader (the runner and reader pool the pages use, three threads), the live feed and two
`watchfloor load` runs at the same time.

Checked: the reader never gets an error (no lock error reaches it), every writer exits 0 with no
lock error, nothing written is lost (the final counts are the seeded ones plus what the feed and
the loads report they wrote), and each batch the feed writes is visible on the reader's side at
its next refresh tick: the first freshness refresh that starts after the feed has reported the
batch (which it does after committing it) sees it. That is measured against the writer's commit
and the reader's ticks, not against the wall clock, so it holds on a machine of any speed or load;
the reader keeps ticking until every writer has finished. The scenario is counted in batches too:
the loads start after the feed's first and second batches, and the feed is stopped (politely,
after the batch in hand) once it has written FEED_BATCHES and both loads are done.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from watchfloor import summaries
from watchfloor.config import utc_now
from watchfloor.simulator.config import SimConfig
from watchfloor.simulator.writer import seed

ROOT = Path(__file__).resolve().parents[2]
WATCHFLOOR = [sys.executable, "-m", "watchfloor"]
FEED_BATCHES = 8  # the feed writes at least this many batches, the loads running among them
REFRESH_SECONDS = 1.0  # the reader's refresh tick (a freshness banner's refresh)
WRITERS_TIMEOUT_S = 600.0  # only reached when something hangs
BATCH = re.compile(r"\+(\d+) cases, \+(\d+) events, .*?(?:newest event (\S+ \S+))?$")


def export_cases(folder: Path, prefix: str, created: datetime, n: int) -> tuple[Path, Path]:
    """n new cases (queued) and their created + routed events, as a loader would get them."""
    cases = ["case_id,created_at,source,surface,category,priority,region,language,queue_id,status,updated_at"]
    events = ["event_id,case_id,occurred_at,event_type,actor_id,queue_id,detail"]
    for i in range(n):
        at = created + timedelta(seconds=i)
        ts = at.isoformat(sep=" ")
        cid = f"{prefix}-{i:05d}"
        cases.append(f"{cid},{ts},user_report,chat,spam,P2,AMER,en,fs-amer-l1-p2,queued,{ts}")
        # Loaded event ids far above the feed's, so the two never collide.
        base = {"A": 10**9, "B": 2 * 10**9}[prefix[-1]]
        events.append(f"{base + 2 * i},{cid},{ts},created,,,user_report")
        events.append(f"{base + 2 * i + 1},{cid},{ts},routed,system,fs-amer-l1-p2,")
    case_file, event_file = folder / f"cases_{prefix}.csv", folder / f"case_events_{prefix}.csv"
    case_file.write_text("\n".join(cases) + "\n")
    event_file.write_text("\n".join(events) + "\n")
    return case_file, event_file


def counts(path: Path) -> tuple[int, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql("SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_events)").fetchall()[0]
    finally:
        con.close()


def read_lines(proc: subprocess.Popen, into: list[tuple[float, str]]) -> threading.Thread:
    """Read a process's output as it comes, each line with the wall time it arrived."""
    stdout = proc.stdout
    if stdout is None:
        raise ValueError("start the process with stdout=subprocess.PIPE to read its output")

    def pump() -> None:
        for line in stdout:
            into.append((time.time(), line.rstrip("\n")))

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    return thread


@pytest.mark.slow
def test_dashboard_reader_live_feed_and_loads_at_once(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    end = utc_now().replace(second=0, microsecond=0)
    seed(warehouse, SimConfig(days=2, cases_per_day=3000, seed=21, end=end), progress=False)
    summaries.refresh_file(warehouse)  # as `watchfloor seed` does
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.sql("SELECT count(*) FROM queues WHERE queue_id = 'fs-amer-l1-p2'").fetchall() == [(1,)]
    con.close()
    cases0, events0 = counts(warehouse)
    exports = [export_cases(tmp_path, f"LOAD-{p}", end - timedelta(hours=1), 400) for p in "AB"]

    env = {**os.environ, "PYTHONPATH": str(ROOT), "WATCHFLOOR_WAREHOUSE": str(warehouse)}
    env.pop("WATCHFLOOR_AS_OF", None)
    stop_file = tmp_path / "stop-reading"
    reader = subprocess.Popen([sys.executable, str(ROOT / "tests/integration/reader_probe.py"), str(warehouse),
                               str(stop_file), str(tmp_path / "reader.jsonl"), str(REFRESH_SECONDS)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = Path(f"{tmp_path / 'reader.jsonl'}.ready")
    deadline = time.monotonic() + WRITERS_TIMEOUT_S
    while not ready.exists():  # the writers start once the reader has read the seeded warehouse
        assert reader.poll() is None and time.monotonic() < deadline, reader.stderr.read() if reader.poll() else ""
        time.sleep(0.1)
    feed = subprocess.Popen([*WATCHFLOOR, "simulate", "--live", "--speed", "40", "--interval", "0.5", "--seed", "4"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    feed_lines: list[tuple[float, str]] = []
    pump = read_lines(feed, feed_lines)

    def wait_for_batches(n: int) -> None:
        deadline = time.monotonic() + WRITERS_TIMEOUT_S
        # batches that wrote something (a quiet interval's "+0 cases" batch names no newest event)
        while sum(1 for _, line in feed_lines if (m := BATCH.search(line)) and m.group(3)) < n:
            assert feed.poll() is None and time.monotonic() < deadline, f"the feed stopped: {feed.stderr.read()}"
            time.sleep(0.05)

    loads = []
    for i, files in enumerate(exports):
        wait_for_batches(i + 1)  # the loads start while the feed is writing
        loads.append(subprocess.Popen([*WATCHFLOOR, "load", *map(str, files), "--no-progress"],
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outputs = {}
    for name, proc in [("load A", loads[0]), ("load B", loads[1])]:
        out, err = proc.communicate(timeout=WRITERS_TIMEOUT_S)
        outputs[name] = (proc.returncode, out, err)
    wait_for_batches(FEED_BATCHES)
    feed.send_signal(signal.SIGTERM)  # ends after the batch in hand
    feed.wait(timeout=WRITERS_TIMEOUT_S)
    pump.join(timeout=WRITERS_TIMEOUT_S)
    outputs["feed"] = (feed.returncode, "\n".join(line for _, line in feed_lines), feed.stderr.read())
    stop_file.touch()  # every writer is done: the reader takes one more tick and stops
    out, err = reader.communicate(timeout=WRITERS_TIMEOUT_S)
    outputs["reader"] = (reader.returncode, out, err)
    for name, (code, _out, err) in outputs.items():
        assert code == 0, f"{name} exited {code}: {err}"
        assert "lock" not in err.lower() and "Traceback" not in err, f"{name}: {err}"

    # What the writers say they wrote, and when the feed reported each batch (after its commit).
    feed_cases = feed_events = 0
    batches: list[tuple[float, datetime]] = []
    for arrived, line in feed_lines:
        m = BATCH.search(line)
        if m:
            feed_cases += int(m.group(1))
            feed_events += int(m.group(2))
            if m.group(3):
                batches.append((arrived, datetime.fromisoformat(m.group(3))))
    loaded = {}
    for name in ("load A", "load B"):
        for line in outputs[name][1].splitlines():
            m = re.match(r".*-> (\w+): ([\d,]+) rows read, ([\d,]+) accepted", line)
            if m:
                loaded[(name, m.group(1))] = int(m.group(3).replace(",", ""))
    assert loaded == {("load A", "cases"): 400, ("load A", "case_events"): 800,
                      ("load B", "cases"): 400, ("load B", "case_events"): 800}
    assert len(batches) >= FEED_BATCHES and feed_events > 0, outputs["feed"][1]

    # Nothing lost: seeded + fed + loaded.
    assert counts(warehouse) == (cases0 + feed_cases + 800, events0 + feed_events + 1600)

    # The reader saw no error, and each batch at its first refresh tick after the batch's commit.
    seen = [json.loads(line) for line in (tmp_path / "reader.jsonl").read_text().splitlines()]
    errors = [s["error"] for s in seen if "error" in s]
    assert errors == []
    ticks = sorted((s for s in seen if "tick" in s), key=lambda s: s["tick"])
    assert [s["tick"] for s in ticks] == list(range(1, len(ticks) + 1))
    assert ticks[-1]["started"] > max(arrived for arrived, _ in batches)  # it kept ticking to the end
    assert ticks[-1]["cases"] == counts(warehouse)[0]  # ... and its last tick saw everything
    cases_seen = [s["cases"] for s in ticks]
    assert cases_seen == sorted(cases_seen)  # counts only grow: nothing seen disappears
    assert max(cases_seen) > cases0 and min(cases_seen) < max(cases_seen)  # new cases arrived while it read
    for arrived, newest in batches:
        tick = next(s for s in ticks if s["started"] > arrived)
        assert datetime.fromisoformat(tick["newest"]) >= newest, (
            f"the batch with newest event {newest} (reported at {arrived:.3f}) was not visible at the reader's "
            f"next tick {tick['tick']} (started {tick['started']:.3f}): it saw {tick['newest']}")
