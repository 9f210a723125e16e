"""A dashboard-like reader for the concurrency test: threads that run named queries through the same
runner and reader pool the dashboard uses, until told to stop, and record what they saw.

    python reader_probe.py WAREHOUSE STOP_FILE OUT.jsonl REFRESH_SECONDS

The freshness thread refreshes in ticks, one every REFRESH_SECONDS as a page's freshness banner
does: each tick runs the freshness query afresh and writes {"tick", "started", "finished",
"newest", "cases"} (wall times), or {"tick", "started", "error"}. Two page threads run the Home
page's heavier queries back to back beside it and write {"t", "error"} on any error. Once
STOP_FILE exists the probe finishes the tick in hand, runs one more tick and exits, so the last
tick starts after everything the writers committed before the file appeared. OUT.ready appears
once the first tick is done (the writers start after it).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import queries  # noqa: E402

SCOPE: dict[str, Any] = {"regions": [], "verticals": [], "priorities": [], "vendors": []}
# The Home page's queries, the SLA clock among them.
PAGE_QUERIES = ("home_flow", "home_sla", "home_backlog_by_state", "home_open_incidents")
SAFETY_SECONDS = 900.0  # a probe nobody stops ends by itself


def main() -> int:
    warehouse, stop_file, out, refresh = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4])
    lock = threading.Lock()
    lines: list[dict] = []
    done = threading.Event()
    give_up = time.monotonic() + SAFETY_SECONDS

    def freshness() -> None:
        tick, last = 0, False
        while time.monotonic() < give_up:
            last = last or stop_file.exists()  # seen before this tick starts: this tick is the last
            tick += 1
            started = time.time()
            try:
                frame = queries.run_uncached("freshness", warehouse=warehouse)
                row = {"tick": tick, "started": started, "finished": time.time(),
                       "newest": frame["newest_event_at"][0].isoformat(sep=" "), "cases": int(frame["cases"][0])}
            except Exception as exc:  # recorded, the test fails on any
                row = {"tick": tick, "started": started, "error": f"{type(exc).__name__}: {exc}"}
            with lock:
                lines.append(row)
            if tick == 1:
                Path(f"{out}.ready").touch()
            if last:
                break
            time.sleep(max(0.0, refresh - (time.time() - started)))
        done.set()

    def page() -> None:
        # A page's heavier queries, uncached, back to back.
        while not done.is_set():
            now = datetime.utcnow().replace(second=0, microsecond=0)
            values: dict[str, Any] = {"as_of": now, "top_n": 3, **SCOPE}
            try:
                for name in PAGE_QUERIES:
                    params = {k: values[k] for k in queries.load(name).parameters}
                    queries.run_uncached(name, warehouse=warehouse, **params)
            except Exception as exc:
                with lock:
                    lines.append({"t": time.time(), "error": f"{type(exc).__name__}: {exc}"})
            time.sleep(0.05)

    threads = [threading.Thread(target=freshness)] + [threading.Thread(target=page) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queries.close_all()
    out.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
