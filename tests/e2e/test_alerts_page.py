"""The Alerts page in a real browser: a message's link to one alert survives the login, the alert is
chosen, and acknowledging it records who did it. The worker has run once on the hand warehouse
(three alerts: a breached case in Child safety EMEA L1, SEV1 incident i1 unacknowledged, the
warehouse stale); its store sits beside the warehouse, where the dashboard looks for it."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from tests import hand_warehouse
from tests.e2e import support
from tests.warehouses import home

pytestmark = pytest.mark.e2e

RULES = """
rules:
  - {id: breached, kind: sla_cases, severity: high, channels: [ops]}
  - {id: unacknowledged, kind: incident, unacknowledged_minutes: 15, severity: critical, channels: [oncall]}
  - {id: stale, kind: freshness, older_than_minutes: 30, severity: medium}
"""


@pytest.fixture(scope="module")
def alerts_server(e2e_dir, users_file):
    folder = e2e_dir / "alerts"
    folder.mkdir(exist_ok=True)
    warehouse = str(folder / "hand.duckdb")
    shutil.copy(hand_warehouse.build(e2e_dir / "alerts_source.duckdb", home.ROWS), warehouse)
    (folder / "alert-rules.yaml").write_text(RULES)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHFLOOR_")}
    env.update({"WATCHFLOOR_WAREHOUSE": warehouse, "WATCHFLOOR_AS_OF": home.AS_OF.isoformat()})
    subprocess.run([sys.executable, "-m", "watchfloor", "alerts", "run", "--once"], cwd=support.APP_ROOT, env=env,
                   check=True, capture_output=True, timeout=180)
    with sqlite3.connect(folder / "alerts.sqlite") as con:
        ids = dict(con.execute("SELECT rule_id, id FROM alerts").fetchall())
    server = support.start_server(e2e_dir / "alerts_server", warehouse, home.AS_OF, users_file)
    yield server, ids, folder / "alerts.sqlite"
    server.stop()


def test_a_link_to_an_alert_survives_the_login_and_acknowledging_it_is_recorded(page, alerts_server, e2e_users):
    server, ids, store = alerts_server
    support.open_logged_in(page, server, e2e_users["ops_lead"], f"/alerts?alert={ids['stale']}")
    page.get_by_role("heading", name="Alerts", exact=True).wait_for()
    support.wait_for_app(page)
    support.assert_no_exception(page, server, "the Alerts page")
    text = support.body_text(page)
    assert "Open alerts\n\n3" in text and "Not acknowledged\n\n3" in text  # (table cells are drawn on a canvas)
    # the alert the link named is the one chosen (its label, in the select box's text or input)
    chosen = page.locator(f".st-key-alerts_choice_{ids['stale']}")
    shown = chosen.inner_text() + " ".join(chosen.locator("input").evaluate_all("els => els.map(e => e.value)"))
    assert f"No. {ids['stale']} · Medium · Warehouse stale: the newest event is 50 min old" in shown, shown
    support.screenshot(page, "alerts_1440")
    page.get_by_role("button", name="Acknowledge", exact=True).click()
    page.get_by_text(f"Alert {ids['stale']} acknowledged by e2e_ops_lead.").wait_for()
    support.wait_for_app(page)
    with sqlite3.connect(store) as con:
        assert con.execute("SELECT acknowledged_by FROM alerts WHERE id = ?", (ids["stale"],)).fetchone() == (
            "e2e_ops_lead",)
    page.set_viewport_size({"width": 800, "height": 900})
    support.wait_for_app(page)
    support.assert_no_exception(page, server, "the Alerts page at 800 px")
    support.screenshot(page, "alerts_800")
