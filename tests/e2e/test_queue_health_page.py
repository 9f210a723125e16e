"""Queue health in a real browser: the table, grouping, and the auto-refresh that keeps the filters."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e import support

pytestmark = pytest.mark.e2e


def updated_at(page) -> str:
    match = re.search(r"Updated at (\d\d:\d\d:\d\d)", support.body_text(page))
    assert match, "no 'Updated at' time on the page"
    return match.group(1)


def test_queue_health_refreshes_itself_and_keeps_the_filters(page, warm_server, e2e_users):
    support.open_logged_in(page, warm_server, e2e_users["ops_lead"], "/queue_health?region=EMEA")
    support.assert_no_exception(page, warm_server, "queue health")
    text = support.body_text(page)
    assert "Queue health" in text and "Backlog and net flow" in text
    # EMEA holds c3 and c4 of the three open cases (the table itself is drawn on a canvas).
    assert re.search(r"Backlog now\s+2\b", text), text[:400]
    support.screenshot(page, "queue_health_emea")

    # Wait for a refresh of the fragment alone (every 30 s by default).
    first = updated_at(page)
    try:
        page.wait_for_function(
            "first => { const m = document.body.innerText.match(/Updated at (\\d\\d:\\d\\d:\\d\\d)/);"
            " return m !== null && m[1] !== first; }", arg=first, timeout=50_000)
    except PlaywrightTimeout:
        pass  # said below, with the time still shown
    assert updated_at(page) != first, "the page did not refresh itself within 50 s"
    assert "region=EMEA" in page.url
    assert re.search(r"Backlog now\s+2\b", support.body_text(page))  # the filter still applies
    support.assert_no_exception(page, warm_server, "queue health after an automatic refresh")


def test_queue_health_groups_by_region(page, warm_server, e2e_users):
    support.open_logged_in(page, warm_server, e2e_users["admin"], "/queue_health")
    page.locator("[data-testid=stButtonGroup]").get_by_text("Region", exact=True).click()
    support.wait_for_app(page)
    support.assert_no_exception(page, warm_server, "queue health grouped by region")
    support.screenshot(page, "queue_health_by_region")
    assert "Regions red / amber" in support.body_text(page)


RANGES = ("7 days", "14 days", "30 days", "90 days")


def test_a_link_opens_one_queues_history_whole_at_800_px(browser, warm_server, e2e_users):
    """The link Home builds for a queue: its row and its history; the range buttons are whole at
    800 px, and 7 days draws hours."""
    context = support.new_context(browser, viewport={"width": 800, "height": 1600})
    page = context.new_page()
    try:
        support.open_logged_in(page, warm_server, e2e_users["ops_lead"], "/queue_health?queue=q_fraud_amer")
        page.get_by_text("Per day over the last 30 days").wait_for()
        support.wait_for_app(page, quiet_s=1.0)
        text = support.body_text(page)
        assert "Showing one queue, Fraud AMER L1, from a link" in text
        for label in RANGES:
            box = page.locator("[data-testid=stButtonGroup]").get_by_text(label, exact=True).bounding_box()
            assert box is not None and box["x"] + box["width"] <= 800, label
        page.locator("[data-testid=stButtonGroup]").get_by_text("7 days", exact=True).click()
        page.get_by_text("Per hour over the last 7 days").wait_for()
        support.wait_for_app(page)
        assert page.locator("[data-testid=stPlotlyChart]").count() == 2
        support.assert_no_exception(page, warm_server, "queue history")
    finally:
        context.close()


def test_home_names_the_worst_queues(page, warm_server, e2e_users):
    support.open_logged_in(page, warm_server, e2e_users["ops_lead"], "/")
    page.get_by_text("Queues furthest behind").wait_for()
    support.wait_for_app(page)
    text = support.body_text(page)
    assert "Most open cases past or near an SLA target now" in text
    assert "Oldest open case against the resolution target" in text
    support.assert_no_exception(page, warm_server, "home")
