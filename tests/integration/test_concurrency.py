"""Reading while writers write, with real processes on one embedded DuckDB file: a dashboard-like
reader (the runner and reader pool the pages use, three threads), the live feed and two
`watchfloor load` runs at the same time.

Checked: the reader never gets an error (no lock error reaches it), every writer exits 0 with no
lock error, each batch the feed writes is seen by the reader within one refresh interval (the
reader's cache TTL of 1 s, plus the time a writer holds the file), and nothing written is lost:
the final counts are the seeded ones plus what the feed and the loads report they wrote.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from watchfloor.config import utc_now
from watchfloor.simulator import SimConfig
from watchfloor.simulator.writer import seed

ROOT = Path(__file__).resolve().parents[2]
WATCHFLOOR = [sys.executable, "-m", "watchfloor"]
READ_SECONDS = 20.0
FEED_SECONDS = 12.0
REFRESH_SECONDS = 3.0  # the reader's refresh interval (its cache TTL for the freshness query)
# One refresh interval of the probe (its cache TTL), plus the longest a batch may hold the file.
# One refresh interval, plus the time writers hold the file (a load holds it for about a second)
# and some slack for a busy 2-core machine.
VISIBLE_WITHIN = REFRESH_SECONDS + 4.0
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


@pytest.mark.slow
def test_dashboard_reader_live_feed_and_loads_at_once(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    end = utc_now().replace(second=0, microsecond=0)
    seed(warehouse, SimConfig(days=2, cases_per_day=3000, seed=21, end=end), progress=False)
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.sql("SELECT count(*) FROM queues WHERE queue_id = 'fs-amer-l1-p2'").fetchall() == [(1,)]
    con.close()
    cases0, events0 = counts(warehouse)
    exports = [export_cases(tmp_path, f"LOAD-{p}", end - timedelta(hours=1), 400) for p in "AB"]

    env = {**os.environ, "PYTHONPATH": str(ROOT), "WATCHFLOOR_WAREHOUSE": str(warehouse)}
    env.pop("WATCHFLOOR_AS_OF", None)
    started = time.time()
    reader = subprocess.Popen([sys.executable, str(ROOT / "tests/integration/reader_probe.py"), str(warehouse),
                               str(READ_SECONDS), str(tmp_path / "reader.jsonl"), str(REFRESH_SECONDS)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    feed = subprocess.Popen([*WATCHFLOOR, "simulate", "--live", "--speed", "40", "--interval", "0.5",
                             "--for", str(FEED_SECONDS), "--seed", "4"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    loads = []
    for i, files in enumerate(exports):
        time.sleep(3.0)
        loads.append(subprocess.Popen([*WATCHFLOOR, "load", *map(str, files), "--no-progress"],
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outputs = {}
    for name, proc in [("feed", feed), ("load A", loads[0]), ("load B", loads[1]), ("reader", reader)]:
        out, err = proc.communicate(timeout=120)
        outputs[name] = (proc.returncode, out, err)
    for name, (code, out, err) in outputs.items():
        assert code == 0, f"{name} exited {code}: {err}"
        assert "lock" not in err.lower() and "Traceback" not in err, f"{name}: {err}"

    # What the writers say they wrote.
    feed_cases = feed_events = 0
    batches = []
    for line in outputs["feed"][1].splitlines():
        m = BATCH.search(line)
        if m:
            feed_cases += int(m.group(1))
            feed_events += int(m.group(2))
            if m.group(3):
                batches.append(datetime.fromisoformat(m.group(3)))
    loaded = {}
    for name in ("load A", "load B"):
        for line in outputs[name][1].splitlines():
            m = re.match(r".*-> (\w+): ([\d,]+) rows read, ([\d,]+) accepted", line)
            if m:
                loaded[(name, m.group(1))] = int(m.group(3).replace(",", ""))
    assert loaded == {("load A", "cases"): 400, ("load A", "case_events"): 800,
                      ("load B", "cases"): 400, ("load B", "case_events"): 800}
    assert len(batches) >= 5 and feed_events > 0, outputs["feed"][1]

    # Nothing lost: seeded + fed + loaded.
    assert counts(warehouse) == (cases0 + feed_cases + 800, events0 + feed_events + 1600)

    # The reader saw no error, and saw each batch within one refresh interval.
    seen = [json.loads(line) for line in (tmp_path / "reader.jsonl").read_text().splitlines()]
    errors = [s["error"] for s in seen if "error" in s]
    assert errors == []
    fresh = [(s["t"], datetime.fromisoformat(s["newest"])) for s in seen if "newest" in s]
    assert len(fresh) > 20
    cases_seen = [s["cases"] for s in seen if "cases" in s]
    assert max(cases_seen) > cases0  # new cases appeared on the reader's side while it ran
    # A batch's newest event is about the wall time it was written at (the feed keeps up with the
    # clock); the reader must have seen it within VISIBLE_WITHIN of that.
    for newest in batches:
        written = newest.replace(tzinfo=timezone.utc).timestamp()
        first_seen = next((t for t, n in fresh if n >= newest), None)
        assert first_seen is not None, f"batch with newest event {newest} never seen"
        # (the batch's newest event is up to one feed interval, 0.5 s, before its commit)
        assert first_seen - written <= VISIBLE_WITHIN + 0.5, (newest, first_seen - written)
    assert time.time() - started < 90
