"""The Incidents page in a real browser: the hand-worked figures on the warehouse of
tests/unit/test_executive_queries.py, a deep link to one incident, and the charts on a small
simulated warehouse (a SEV1 incident with its spike)."""

from __future__ import annotations

import pytest

from tests.e2e import support

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def incidents_server(executive_hand_server):
    return executive_hand_server


@pytest.fixture(scope="module")
def incidents_sim_server(incident_sim_server):
    return incident_sim_server


def open_incidents(page, server, creds, query: str = "") -> None:
    support.open_logged_in(page, server, creds, "/incidents" + query)
    page.get_by_role("heading", name="Incidents", exact=True).wait_for()
    support.wait_for_app(page)


def plotly_traces(page, key: str) -> list[dict]:
    """Name and point count of each trace of the plotly chart with this widget key."""
    return page.evaluate(
        """key => { const el = document.querySelector(`.st-key-${key} .js-plotly-plot`);
                   return el ? el.data.map(t => ({name: t.name, n: (t.x || []).length})) : []; }""",
        key,
    )


def test_incident_commander_reads_the_hand_worked_incidents(page, incidents_server, e2e_users):
    open_incidents(page, incidents_server, e2e_users["ops_lead"])
    support.assert_no_exception(page, incidents_server, "the incidents page")
    text = support.body_text(page)
    for figure in ("Time to detect", "30 min", "10 min", "3.0 h", "7.5 h", "Timeline", "One incident"):
        assert figure in text, f"missing {figure!r}"
    gantt = plotly_traces(page, "incidents_gantt")
    assert {t["name"] for t in gantt} >= {"SEV0", "SEV1", "SEV2"}
    support.screenshot(page, "incidents_hand")


def test_a_link_opens_one_incident(page, incidents_server, e2e_users):
    open_incidents(page, incidents_server, e2e_users["executive"], "?incident=INC-1")
    support.assert_no_exception(page, incidents_server, "the incidents page with ?incident=")
    text = support.body_text(page)
    assert "SEV0 · Child safety wave on image generation" in text
    hourly = {t["name"]: t["n"] for t in plotly_traces(page, "incidents_hourly_chart")}
    assert hourly["Linked cases"] == 40  # 11-15 05:00 .. 11-16 20:00


def test_the_charts_on_a_simulated_incident(page, incidents_sim_server, e2e_users):
    open_incidents(page, incidents_sim_server, e2e_users["ops_lead"])
    support.assert_no_exception(page, incidents_sim_server, "the incidents page on a simulated warehouse")
    text = support.body_text(page)
    assert "The spike that set it off" in text and "Simulated data: the simulator injected" in text
    page.screenshot(path=str(support.SCREENSHOTS / "incidents_top.png"))
    support.screenshot(page, "incidents")
