"""Many people at once against the real server (`watchfloor serve`): every page run must finish.

Sessions speak Streamlit's own websocket protocol (tests/session_client.py): each opens the app,
logs in through the login form and then opens pages as a click in the sidebar does. First every
session opens the SLA page at the same moment (where the server once hung: Python callbacks
inside Polars deadlocked against the interpreter lock), then every session walks through every
page it may see, each starting at another page, so different pages run side by side.

Checked: every run finishes (a run still going after HANG_S counts as a hang; that limit only
tells a hang from a slow machine and is far above any page's time), no page draws an exception
or an error, each page draws its own title, and the server still answers a new session after.
Page times are measured by `make bench-load` (benchmarks/load.md), not here.
"""

from __future__ import annotations

import asyncio
import urllib.request
from datetime import timedelta

import pytest

from tests.e2e import support
from tests.session_client import Run, Session, run_apart
from watchfloor import summaries
from watchfloor.config import utc_now
from watchfloor.simulator.config import SimConfig
from watchfloor.simulator.writer import seed

SESSIONS = 10
HANG_S = 300.0
TITLES = {
    "home": "Daily health", "queue_health": "Queue health", "sla": "SLA", "trends": "Trends & spikes",
    "vendors": "Vendors", "quality": "Quality", "incidents": "Incidents", "executive": "Executive summary",
    "case": "Case", "audit": "Audit", "capacity": "Capacity", "alerts": "Alerts",
    "automation": "Automation & routing",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("many_sessions")
    warehouse = work / "warehouse.duckdb"
    end = utc_now().replace(second=0, microsecond=0) - timedelta(minutes=5)
    seed(warehouse, SimConfig(days=35, cases_per_day=2000, seed=5, end=end), progress=False)
    summaries.refresh_file(warehouse)  # as `watchfloor seed` does
    users = support.make_users(work / "users.yaml")
    running = support.start_server(work / "server", str(warehouse), None, work / "users.yaml")
    yield running, users["admin"]
    running.stop()


def problems(runs: list[Run]) -> list[str]:
    found = []
    for run in runs:
        if not run.finished:
            found.append(f"{run.page}: still running after {HANG_S:.0f} s (a hang)")
        for text in run.exceptions + run.errors:
            found.append(f"{run.page}: {text[:300]}")
        if run.finished and run.page in TITLES and not run.shows(TITLES[run.page]):
            found.append(f"{run.page}: no title {TITLES[run.page]!r}; drew {run.texts[:5]}")
    return found


async def logged_in(url: str, creds) -> tuple[Session, list[Run]]:
    session, first = await Session.open(url, timeout_s=HANG_S)
    return session, [first, await session.login(creds.username, creds.password)]


async def everyone(url: str, creds) -> tuple[list[Run], list[list[Run]], list[str]]:
    opened = await asyncio.gather(*(logged_in(url, creds) for _ in range(SESSIONS)))
    sessions = [s for s, _ in opened]
    logins = [run for _, runs in opened for run in runs]
    pages = [p for p in sessions[0].pages if p.rstrip("/") in TITLES or p == ""]
    pages = ["home" if p == "" else p for p in pages]
    try:
        sla = await asyncio.gather(*(s.goto("sla") for s in sessions))
        walks = []
        if all(run.finished for run in sla):  # after a hang, everything else would only wait too
            walks = await asyncio.gather(*(walk(s, pages[i % len(pages):] + pages[:i % len(pages)])
                                           for i, s in enumerate(sessions)))
    finally:
        await asyncio.gather(*(s.close() for s in sessions))
    return logins + list(sla), walks, pages


async def walk(session: Session, pages: list[str]) -> list[Run]:
    """Open each page in turn; a session stops at its first page that does not finish."""
    runs = []
    for page in pages:
        runs.append(await session.goto(page))
        if not runs[-1].finished:
            break
    return runs


@pytest.mark.slow
def test_every_page_from_many_sessions_at_once_finishes(server):
    running, admin = server
    first, walks, pages = run_apart(everyone(running.url, admin))
    assert set(pages) == set(TITLES), pages  # the admin sees every built page
    runs = first + [run for walk_runs in walks for run in walk_runs]
    found = problems(runs)
    assert found == [], "\n".join(found) + "\n" + running.log_tail()
    assert len(runs) == SESSIONS * (3 + len(pages))
    # Every session logged in and saw the signed-in shell.
    assert all(any("Signed in as" in t for t in run.texts) for run in first if run.page == "login")

    # The server still serves: its health check answers and a new session gets the login form.
    with urllib.request.urlopen(f"{running.url}/_stcore/health", timeout=30) as response:
        assert response.read().decode().strip() == "ok"

    async def newcomer() -> Run:
        session, run = await Session.open(running.url, timeout_s=HANG_S)
        await session.close()
        return run

    run = run_apart(newcomer())
    assert run.finished and run.shows("Watchfloor") and not run.errors
