"""The demo keeps itself fresh: the dashboard beside the live feed, as `make run` starts them.

The warehouse is seeded to end 40 minutes ago, so without the feed its freshness banner would say
"40 min ago" (amber from 15 minutes). The feed catches it up and keeps it moving; the banner a
user sees stays green with data a minute or two old at most, and the SLA page (the SLA clock over the fed
cases) draws without an error.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import timedelta

import duckdb
import pytest

from tests.e2e import support
from watchfloor.config import utc_now
from watchfloor.simulator.config import SimConfig
from watchfloor.simulator.writer import seed

pytestmark = pytest.mark.e2e

STALE_MINUTES = 40


@pytest.fixture(scope="module")
def live_server(e2e_dir, users_file):
    warehouse = e2e_dir / "live" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    end = utc_now().replace(second=0, microsecond=0) - timedelta(minutes=STALE_MINUTES)
    seed(warehouse, SimConfig(days=2, cases_per_day=2000, seed=17, end=end), progress=False)
    con = duckdb.connect(str(warehouse), read_only=True)
    newest_before = con.sql("SELECT max(occurred_at) FROM case_events").fetchall()[0][0]
    con.close()
    assert utc_now() - newest_before > timedelta(minutes=STALE_MINUTES - 1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHFLOOR_")}
    env["WATCHFLOOR_WAREHOUSE"] = str(warehouse)
    log = open(e2e_dir / "live" / "feed.log", "wb")
    feed = subprocess.Popen([sys.executable, "-m", "watchfloor", "simulate", "--live", "--interval", "2"],
                            cwd=support.APP_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    server = support.start_server(e2e_dir / "live_server", str(warehouse), None, users_file)
    try:
        # The feed's catch-up batches (15 simulated minutes each) come back to back.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = (e2e_dir / "live" / "feed.log").read_text(errors="replace")
            if text.count("newest event") >= 4 and feed.poll() is None:
                break
            time.sleep(0.5)
        yield server, feed, newest_before
    finally:
        server.stop()
        feed.terminate()
        try:
            feed.wait(timeout=15)
        except subprocess.TimeoutExpired:
            feed.kill()
        log.close()


def assert_fresh(text: str) -> None:
    """The banner is green (no amber or red notice) and the newest event is at most a minute or two
    old: the feed writes every 10 s, the freshness query is cached for 30 s and "now" is floored to
    the minute, so on a busy machine it can read "1 min ago"."""
    banner = re.search(r"Data as of [^\n]*\((less than a minute|(\d+) min) ago\)", text)
    assert banner, text[:2000]
    assert "running behind" not in text and "Data is stale" not in text, banner.group(0)
    assert banner.group(2) is None or int(banner.group(2)) <= 2, banner.group(0)


def test_the_banner_stays_green_while_the_feed_runs(page, live_server, e2e_users):
    server, feed, newest_before = live_server
    support.open_logged_in(page, server, e2e_users["ops_lead"])
    support.wait_for_app(page)
    support.assert_no_exception(page, server, "Home beside the live feed")
    text = support.body_text(page)
    assert_fresh(text)
    assert f"{newest_before:%Y-%m-%d %H:%M} UTC" not in text  # not the seeded end any more
    support.screenshot(page, "live_feed_home")
    # The SLA page evaluates the SLA clock over the cases the feed wrote.
    support.click_nav(page, "SLA")
    page.get_by_role("heading", name="SLA", exact=True).wait_for()
    support.wait_for_app(page)
    support.assert_no_exception(page, server, "the SLA page beside the live feed")
    assert_fresh(support.body_text(page))
    support.screenshot(page, "live_feed_sla")
    assert feed.poll() is None, "the live feed stopped"
