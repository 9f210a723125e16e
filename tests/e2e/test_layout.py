"""What a new team meets on day one, in real Chromium: headline numbers not cut at 800 px wide,
no blank band above the page, and a sidebar offering only the filters the page uses."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e import support

# The tiles' values and labels: nothing cut ("13…") and nothing hidden by overflow.
CUT_TILES = """() => [...document.querySelectorAll('[data-testid=stMetricValue], [data-testid=stMetricLabel]')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 || e.innerText.includes('…'))
  .map(e => e.innerText)"""


@pytest.mark.parametrize("path", ["/", "/queue_health", "/sla"])
def test_headline_numbers_are_whole_at_800_px(browser, warm_server, e2e_users, path):
    context = support.new_context(browser, viewport={"width": 800, "height": 1000})
    page = context.new_page()
    try:
        support.open_logged_in(page, warm_server, e2e_users["ops_lead"], path)
        page.locator("[data-testid=stMetricValue]").first.wait_for()
        support.wait_for_app(page, quiet_s=1.0)
        assert page.locator("[data-testid=stMetricValue]").count() >= 4
        assert page.evaluate(CUT_TILES) == []
        text = support.body_text(page)
        assert "None" not in text.split() and "nan" not in text.split()
        support.assert_no_exception(page, warm_server, path)
    finally:
        context.close()


def test_no_blank_band_above_the_page(page, warm_server, e2e_users):
    support.open_logged_in(page, warm_server, e2e_users["ops_lead"], "/sla")
    title = page.locator("[data-testid=stMain] h1").first
    title.wait_for()
    # Streamlit's default leaves about 6 rem above the first element; the app keeps 2.5 rem.
    first = page.evaluate("""() => document.querySelector('[data-testid=stMainBlockContainer]')
        .getBoundingClientRect().top + parseFloat(getComputedStyle(
            document.querySelector('[data-testid=stMainBlockContainer]')).paddingTop)""")
    assert first <= 48


def _sidebar_labels(page) -> set[str]:
    sidebar = page.locator("[data-testid=stSidebar]")
    return {t.strip() for t in sidebar.locator("[data-testid=stWidgetLabel]").all_inner_texts()}


def test_the_sidebar_offers_only_the_filters_a_page_uses(page, warm_server, e2e_users):
    support.open_logged_in(page, warm_server, e2e_users["admin"], "/sla")
    for path, expected, absent in [
        ("/sla", {"Date range", "Region", "Vendor"}, set()),
        ("/", {"Region", "Vendor"}, {"Date range"}),  # Home: the last 24 h, whatever the date range
        ("/queue_health", {"Region"}, {"Date range"}),
        ("/incidents", {"Date range"}, {"Region", "Vendor"}),  # an incident spans regions and vendors
        ("/case", set(), {"Date range", "Region", "Vendor"}),
        ("/audit", set(), {"Date range", "Region", "Vendor"}),
    ]:
        page.goto(warm_server.url + path)
        page.get_by_text("Signed in as").wait_for()
        support.wait_for_app(page, quiet_s=1.0)
        # on a busy machine the sidebar may be drawn after the page settles once: wait for its labels
        try:
            page.wait_for_function(
                "expected => { const shown = new Set([...document.querySelectorAll("
                "'[data-testid=stSidebar] [data-testid=stWidgetLabel]')].map(e => e.innerText.trim()));"
                " return expected.every(label => shown.has(label)); }", arg=sorted(expected), timeout=60_000)
        except PlaywrightTimeout:
            pass  # the assertion below names what the sidebar shows
        labels = _sidebar_labels(page)
        assert expected <= labels and not (absent & labels), (path, labels)
    # A filter not offered keeps its value for the pages that use it: the date range is still in the URL.
    assert "from=" in page.url
