"""A dashboard-like reader for the concurrency test: threads that run named queries through the same
runner and reader pool the dashboard uses, for a while, and record what they saw.

    python reader_probe.py WAREHOUSE SECONDS OUT.jsonl REFRESH_SECONDS

Each line of OUT is {"t": wall time, "newest": newest event, "cases": case count} or {"t", "error"}.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import queries  # noqa: E402

SCOPE = {"regions": [], "verticals": [], "priorities": [], "vendors": []}
# The Home page's queries, the SLA clock among them.
PAGE_QUERIES = ("home_flow", "home_sla", "home_backlog_by_state", "home_open_incidents")


def main() -> int:
    warehouse, seconds, out, refresh = sys.argv[1], float(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4])
    lock = threading.Lock()
    lines: list[dict] = []
    deadline = time.monotonic() + seconds

    def freshness() -> None:
        # The freshness banner: cached for the refresh interval, as on a page.
        while time.monotonic() < deadline:
            try:
                frame = queries.run("freshness", warehouse=warehouse, ttl=refresh)
                row = {"t": time.time(), "newest": frame["newest_event_at"][0].isoformat(sep=" "),
                       "cases": int(frame["cases"][0])}
            except Exception as exc:  # recorded, the test fails on any
                row = {"t": time.time(), "error": f"{type(exc).__name__}: {exc}"}
            with lock:
                lines.append(row)
            time.sleep(0.1)

    def page() -> None:
        # A page's heavier queries, uncached, back to back.
        while time.monotonic() < deadline:
            now = datetime.utcnow().replace(second=0, microsecond=0)
            values = {"as_of": now, "top_n": 3, **SCOPE}
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
