"""The Trends & spikes page in a real browser, on a small simulated warehouse with known spikes.

The warehouse: `watchfloor seed --days 35 --cases-per-day 800 --seed 3 --end 2026-11-18T12:00`
(about 29,000 cases, a few seconds to build), in the default noisy world. The page is opened on
2026-11-01..2026-11-07, where it lists one spike and one burst: the planted spam spike of
2026-11-06 (x4.19 on the api surface; spam x api carries nearly all of its excess, so the alert
reads 'Spam · API', a narrow alert) and a classifier back-fill on 2026-11-07 11:00 (134 hate cases
on the api surface in one hour), shown as a batch, not a spike. The planted election-integrity
spike (x3.66 from 2026-10-31 10:06) is not listed: on a category of about two cases an hour it
stays below the smallest spike the detector reports (docs/metrics.md, "Trend spikes").
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.e2e import support
from watchfloor.simulator import writer
from watchfloor.simulator.config import SimConfig

pytestmark = pytest.mark.e2e

AS_OF = datetime(2026, 11, 18, 12, 0)
PERIOD = "from=2026-11-01&to=2026-11-07"


@pytest.fixture(scope="module")
def trends_server(e2e_dir, users_file):
    path = e2e_dir / "trends_warehouse.duckdb"
    writer.seed(str(path), SimConfig(days=35, cases_per_day=800, seed=3, end=AS_OF), replace=True)
    server = support.start_server(e2e_dir / "trends_server", str(path), AS_OF, users_file)
    yield server
    server.stop()


def open_trends(page, server, creds) -> None:
    support.open_logged_in(page, server, creds, f"/trends?{PERIOD}")
    page.get_by_role("heading", name="Trends & spikes", exact=True).wait_for()
    support.wait_for_app(page)


def test_analyst_sees_spikes_movers_patterns_and_classifiers(page, trends_server, e2e_users):
    open_trends(page, trends_server, e2e_users["analyst"])
    support.assert_no_exception(page, trends_server, "the Trends page")
    support.screenshot(page, "trends")
    text = support.body_text(page)
    for heading in ("Current and recent spikes", "Volume", "Top movers", "Emerging patterns", "Classifier signal"):
        assert heading in text, f"missing section {heading!r}"
    assert "could not be loaded" not in text
    # the spike and the burst in the period (see the module docstring)
    assert "1 spike and 1 burst, ongoing first" in text
    # the list itself is drawn on a canvas; the top spike's tile names the narrow alert first
    assert "Spam · API · critical" in text
    assert page.locator("[data-testid=stPlotlyChart]").count() >= 3  # volume, heatmap, classifier volume


def test_choosing_a_spike_draws_its_band_and_lists_its_cases(page, trends_server, e2e_users):
    open_trends(page, trends_server, e2e_users["analyst"])
    support.click_row(page, ".st-key-trends_spike_table_category")
    page.get_by_text("Cases behind the", exact=False).first.wait_for()
    support.assert_no_exception(page, trends_server, "the Trends page after choosing a spike")
    text = support.body_text(page)
    assert "Select a row to open the case" in text
    assert "The band runs from the expected count" in text  # the chosen spike's own series
    # the first spike is the narrow alert: its own series (spam on the API) and its cases
    assert "Spam · API: cases per hour (UTC)" in text
    assert "Cases behind the Spam · API spike" in text
    support.screenshot(page, "trends_spike_selected")
    # a case of the spike opens on the Case page
    support.click_row(page, "[class*='st-key-trends_spike_cases_']")
    page.wait_for_url("**/case?case_id=*")
    support.wait_for_app(page)
    support.assert_no_exception(page, trends_server, "the Case page opened from a spike")


def test_breakdown_by_region_and_daily_buckets(page, trends_server, e2e_users):
    open_trends(page, trends_server, e2e_users["analyst"])
    page.locator("[data-testid=stButtonGroup]").get_by_text("Region", exact=True).click()
    support.wait_for_app(page)
    page.locator("[data-testid=stButtonGroup]").get_by_text("Daily", exact=True).click()
    support.wait_for_app(page)
    support.assert_no_exception(page, trends_server, "the Trends page by region, daily")
    text = support.body_text(page)
    assert "Top riser by region" in text
    assert "Cases per day (UTC)" in text
    support.screenshot(page, "trends_region_daily")


@pytest.fixture(scope="module")
def home_server(e2e_dir, users_file, trends_server):
    """The same warehouse, with 'now' pinned on 2026-11-06 21:00, just after the spam spike."""
    server = support.start_server(e2e_dir / "trends_home_server", str(e2e_dir / "trends_warehouse.duckdb"),
                                  datetime(2026, 11, 6, 21, 0), users_file)
    yield server
    server.stop()


def test_home_lists_the_spiking_category(page, home_server, e2e_users):
    support.open_logged_in(page, home_server, e2e_users["ops_lead"])
    page.get_by_role("heading", name="Top rising categories").wait_for()
    support.wait_for_app(page)
    support.assert_no_exception(page, home_server, "Home")
    support.screenshot(page, "home_rising_categories")
    text = support.body_text(page)
    assert "No category spiked in the last 24 hours" not in text
    assert "Categories with a spike in the last 24 hours" in text
