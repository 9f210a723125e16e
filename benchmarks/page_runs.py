"""Whole page runs for the page benchmark: each page's script run the way the server runs it for a
signed-in user (Streamlit's AppTest, in this process), so the time covers everything the page does
before the browser draws: its queries, the Python figures worked out from them, and the elements
it sends. A cold run starts with the query results and the figures memoised on them cleared; a
warm run is a rerun answered from them."""

from __future__ import annotations

import dataclasses
import logging
import os
import statistics
import tempfile
import time
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import queries
from components.sidebar_filters import FILTERS_KEY
from queries import demand_forecasts
from tests.app.conftest import app_for
from watchfloor import auth
from watchfloor.filters import default_filters

# A page run outside a server logs that it has no script context for each call made between runs.
# (a filter, not a level: Streamlit sets its loggers' levels again when it reads its config)
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
    lambda record: "missing ScriptRunContext" not in record.getMessage())

# The benchmark's pages with a script of their own (the plan-only rows, such as the sidebar's
# queries or a queue's history, are drill-downs or parts of these).
SCRIPTS = {
    "home": "app_pages/home.py", "queue_health": "app_pages/queue_health.py", "sla": "app_pages/sla.py",
    "trends": "app_pages/trends.py", "vendors": "app_pages/vendors.py", "quality": "app_pages/quality.py",
    "incidents": "app_pages/incidents.py", "executive": "app_pages/executive.py",
    "capacity": "app_pages/capacity.py", "automation": "app_pages/automation.py",
}


@contextmanager
def serving(warehouse: Path, as_of: datetime):
    """The settings a page run reads: this warehouse, 'now' pinned to as_of, a users file of its own."""
    saved = {k: os.environ.get(k) for k in ("WATCHFLOOR_WAREHOUSE", "WATCHFLOOR_AS_OF", "WATCHFLOOR_USERS_FILE")}
    with tempfile.TemporaryDirectory() as tmp:
        users = Path(tmp) / "users.yaml"
        auth.save_users(users, {"credentials": {"usernames": {}}})
        os.environ.update(WATCHFLOOR_WAREHOUSE=str(warehouse), WATCHFLOOR_AS_OF=as_of.isoformat(),
                          WATCHFLOOR_USERS_FILE=str(users))
        # The forecast's fitting process is started here, by the benchmark's own main script: a process
        # spawned while AppTest runs a page installs that page as __main__ and reads it again.
        demand_forecasts.fit(os.getpid)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def page_run_seconds(page: str, start: date, end: date, repeats: int) -> tuple[float, float]:
    """(median cold run, median warm rerun) of the page's script over [start, end], signed in as an
    administrator (who sees every page). Raises if the page shows an exception."""
    at = app_for(SCRIPTS[page], role="admin", username="bench")
    # the filters a session has chosen (the page script alone does not read them from the URL)
    at.session_state[FILTERS_KEY] = dataclasses.replace(default_filters(end), start=start)
    _run(at)  # imports the page's modules and warms DuckDB's buffers, untimed
    cold, warm = [], []
    for _ in range(repeats):
        queries.clear_cache()
        cold.append(_run(at))
        warm.append(_run(at))
    return statistics.median(cold), statistics.median(warm)


def _run(at) -> float:
    begin = time.perf_counter()
    at.run()
    took = time.perf_counter() - begin
    if at.exception:
        raise RuntimeError(f"the page failed: {at.exception[0].value}")
    return took
