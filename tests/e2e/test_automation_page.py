"""The Automation & routing page in a real browser, on a small simulated warehouse.

The warehouse: `watchfloor seed --days 35 --cases-per-day 800 --seed 4 --end 2026-11-18T12:00`
(about 29,000 cases). Its classifiers toxicity-v6 and spam-v7 drift from 14 days before the end
(docs/simulator.md), and some cases are re-routed or sent back down after an escalation; the page
is opened on 2026-11-12..2026-11-18.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.e2e import support
from watchfloor.simulator import writer
from watchfloor.simulator.config import SimConfig

pytestmark = pytest.mark.e2e

AS_OF = datetime(2026, 11, 18, 12, 0)
PERIOD = "from=2026-11-12&to=2026-11-18"


@pytest.fixture(scope="module")
def automation_server(e2e_dir, users_file):
    path = e2e_dir / "automation_warehouse.duckdb"
    writer.seed(str(path), SimConfig(days=35, cases_per_day=800, seed=4, end=AS_OF), replace=True)
    server = support.start_server(e2e_dir / "automation_server", str(path), AS_OF, users_file)
    yield server
    server.stop()


def open_page(page, server, creds) -> None:
    support.open_logged_in(page, server, creds, f"/automation?{PERIOD}")
    page.get_by_role("heading", name="Automation & routing", exact=True).wait_for()
    support.wait_for_app(page)


def test_ops_lead_sees_flow_bottlenecks_classifiers_and_candidates(page, automation_server, e2e_users):
    open_page(page, automation_server, e2e_users["ops_lead"])
    support.assert_no_exception(page, automation_server, "the Automation & routing page")
    support.screenshot(page, "automation")
    text = support.body_text(page)
    for heading in ("Routing flow", "Bottlenecks over time", "Classifier feedback", "Threshold what-if",
                    "Automation candidates"):
        assert heading in text, f"missing section {heading!r}"
    for tile in ("Re-route rate", "Escalation rate", "Escalation loop rate", "Would automate", "Wrong a day"):
        assert tile in text, f"missing tile {tile!r}"
    assert "could not be loaded" not in text
    # Sankey, bottlenecks, precision by week, score bands, threshold curve
    assert page.locator("[data-testid=stPlotlyChart]").count() >= 5


def test_a_band_of_the_flow_lists_its_cases_and_opens_one(page, automation_server, e2e_users):
    open_page(page, automation_server, e2e_users["analyst"])
    support.click_row(page, ".st-key-automation_links")
    page.get_by_text("Select a row to open the case.", exact=False).first.wait_for()
    support.assert_no_exception(page, automation_server, "the Automation & routing page after choosing a band")
    support.screenshot(page, "automation_band_cases")
    support.click_row(page, "[class*='st-key-automation_link_cases_']")
    page.wait_for_url("**/case?case_id=*")
    support.wait_for_app(page)
    support.assert_no_exception(page, automation_server, "the Case page opened from a band of the flow")


# The boxes of the routing flow's node labels as drawn: text, x, y, width, height (px).
LABEL_BOXES = ("els => els.map(e => { const r = e.getBoundingClientRect(); "
               "return [e.textContent, r.x, r.y, r.width, r.height]; })")


def overlapping_labels(page, slack: float = 3.0) -> list[tuple[str, str]]:
    """Pairs of the flow's node labels whose boxes overlap by more than `slack` px both ways."""
    boxes = [b for b in page.locator(".sankey .node-label").evaluate_all(LABEL_BOXES) if b[3] > 0]
    assert len(boxes) >= 12, boxes  # sources, queue groups, paths and outcomes are all labelled
    return [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]) > slack
            and min(a[2] + a[4], b[2] + b[4]) - max(a[2], b[2]) > slack]


def test_narrow_window_still_reads(page, automation_server, e2e_users):
    page.set_viewport_size({"width": 800, "height": 900})
    open_page(page, automation_server, e2e_users["admin"])
    support.assert_no_exception(page, automation_server, "the Automation & routing page at 800 px")
    flow = page.locator("[data-testid=stPlotlyChart]").first
    flow.scroll_into_view_if_needed()
    page.locator(".sankey .node-label").first.wait_for()
    support.screenshot(page, "automation_800")
    # With the sidebar open the flow is about 450 px wide: its labels wrap and each column's sit
    # in a gap of their own, none written over another.
    assert overlapping_labels(page) == []


def test_refused_to_vendor_managers(page, automation_server, e2e_users):
    support.open_logged_in(page, automation_server, e2e_users["vendor_manager"], f"/automation?{PERIOD}")
    support.wait_for_app(page)
    assert "Automation & routing" not in support.nav_titles(page)
