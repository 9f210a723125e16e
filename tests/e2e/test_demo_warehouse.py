"""The demo warehouse in a real browser: `watchfloor seed --demo` always leaves a recent SEV1/SEV0
incident open at the end (the showcase spike, docs/simulator.md), so Home, Incidents and the
Executive summary have something to show on first look. A small demo (15 days, 2,000 cases a
day, seeded through the command line in a couple of seconds) stands in for `make run`'s."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pytest

from tests.e2e import support
from watchfloor.cli import main as cli_main

pytestmark = pytest.mark.e2e

END = datetime(2026, 11, 18, 12, 0)


@pytest.fixture(scope="module")
def demo(e2e_dir, users_file):
    path = e2e_dir / "demo_showcase.duckdb"
    assert cli_main(["seed", "--demo", "--warehouse", str(path), "--days", "15", "--cases-per-day", "2000",
                     "--seed", "7", "--end", END.isoformat(), "--no-progress"]) == 0
    with duckdb.connect(str(path), read_only=True) as con:
        # The showcase: started 30-40 h before the end, mitigated, not resolved.
        (incident_id, title, severity), = con.sql(
            """SELECT incident_id, title, severity FROM incidents WHERE status = 'mitigated'
               AND resolved_at IS NULL AND started_at BETWEEN $a AND $b""",
            params={"a": END - timedelta(hours=40), "b": END - timedelta(hours=30)}).fetchall()
        # Home's open incidents, counted here independently: started by now, not resolved by now.
        open_by_severity = dict(con.sql(
            """SELECT severity, count(*) FROM incidents WHERE started_at <= $t
               AND (resolved_at IS NULL OR resolved_at > $t) GROUP BY 1""", params={"t": END}).fetchall())
        # The Executive summary's severe incidents: SEV0/SEV1 started in the last 7 days.
        severe_this_week = dict(con.sql(
            """SELECT severity, count(*) FROM incidents WHERE severity IN ('SEV0', 'SEV1')
               AND started_at >= $a AND started_at < $t GROUP BY 1""",
            params={"a": END - timedelta(days=7), "t": END}).fetchall())
    server = support.start_server(e2e_dir / "demo_showcase_server", str(path), END, users_file)
    yield {"server": server, "incident_id": incident_id, "title": title, "severity": severity,
           "open": open_by_severity, "severe": severe_this_week}
    server.stop()


def test_home_shows_the_open_showcase_incident(page, demo, e2e_users):
    server = demo["server"]
    support.open_logged_in(page, server, e2e_users["ops_lead"])
    page.get_by_text("Open incidents").first.wait_for()
    support.wait_for_app(page)
    support.assert_no_exception(page, server, "Home on the demo warehouse")
    assert demo["severity"] in ("SEV0", "SEV1") and demo["open"][demo["severity"]] >= 1
    by_severity = " · ".join(f"{s} {demo['open'].get(s, 0)}" for s in ("SEV0", "SEV1", "SEV2", "SEV3"))
    assert by_severity in support.body_text(page)
    support.screenshot(page, "demo__home")


def test_incidents_page_tells_the_showcase_story(page, demo, e2e_users):
    server = demo["server"]
    support.open_logged_in(page, server, e2e_users["executive"], f"/incidents?incident={demo['incident_id']}")
    page.get_by_role("heading", name="Incidents", exact=True).wait_for()
    support.wait_for_app(page)
    support.assert_no_exception(page, server, "Incidents on the demo warehouse")
    text = support.body_text(page)
    assert demo["incident_id"] in text and demo["title"] in text
    for milestone in ("Started", "Detected", "Acknowledged", "Mitigated", "The spike that set it off"):
        assert milestone in text, milestone
    support.screenshot(page, "demo__incidents")


def test_executive_summary_lists_the_showcase_incident(page, demo, e2e_users):
    server = demo["server"]
    support.open_logged_in(page, server, e2e_users["executive"], "/executive")
    page.get_by_role("heading", name="Executive summary", exact=True).wait_for()
    support.wait_for_app(page)
    support.assert_no_exception(page, server, "Executive summary on the demo warehouse")
    text = support.body_text(page)
    # The tile's breakdown (the table beside it is drawn on a canvas: see the screenshot).
    assert demo["severe"].get(demo["severity"], 0) >= 1
    assert "SEV0 + SEV1 incidents" in text
    assert f"SEV0 {demo['severe'].get('SEV0', 0)} · SEV1 {demo['severe'].get('SEV1', 0)}" in text
    assert "No SEV0 or SEV1 incident started" not in text
    support.screenshot(page, "demo__executive")
