"""The Vendors page in a real browser, on a small simulated warehouse (21 days, 3,000 cases a day,
seeded in a few seconds): grades, the scorecard by site, week-by-week trends, the comparison and the
printable scorecard download."""

from __future__ import annotations

import pytest

from tests.e2e import support

pytestmark = pytest.mark.e2e

RANGE = support.VENDOR_SIM_RANGE
VENDOR_NAMES = ("Cobalt Moderation", "Lotus Digital Services", "Meridian Review Services", "Northstar CX",
                "Trust Ops (internal)")


@pytest.fixture(scope="module")
def vendors_server(vendor_sim_server):
    return vendor_sim_server


def open_vendors(page, server, creds) -> None:
    support.open_logged_in(page, server, creds, f"/vendors?{RANGE}")
    page.get_by_role("heading", name="Vendors", exact=True).wait_for()
    support.wait_for_app(page)


def test_vendor_manager_sees_grades_and_every_section(page, vendors_server, e2e_users):
    open_vendors(page, vendors_server, e2e_users["vendor_manager"])
    support.assert_no_exception(page, vendors_server, "the Vendors page")
    text = support.body_text(page)
    for heading in ("Scorecards", "Week by week", "Side by side", "Agreement with QA by category", "Export"):
        assert heading in text, f"missing section {heading!r}"
    for name in VENDOR_NAMES:
        assert name in text
    assert text.count("Grade ") >= len(VENDOR_NAMES)
    assert "could not be loaded" not in text and "No vendor work" not in text
    assert "2026-11-02 to 2026-11-18" in text
    support.screenshot(page, "vendors")


def test_scorecard_by_site_and_another_trend(page, vendors_server, e2e_users):
    open_vendors(page, vendors_server, e2e_users["vendor_manager"])
    page.locator("[data-testid=stButtonGroup]").get_by_text("Vendor and site", exact=True).click()
    support.wait_for_app(page)
    trend = page.locator(".st-key-vendors_trend_figure")
    trend.locator("input").click()
    page.keyboard.type("AHT")
    page.keyboard.press("Enter")
    support.wait_for_app(page)
    support.assert_no_exception(page, vendors_server, "the Vendors page by site, AHT trend")
    support.screenshot(page, "vendors_by_site")
    chart = page.locator(".st-key-vendors_trend_chart")
    assert "AHT (minutes)" in chart.inner_text(), chart.inner_text()[:300]


def test_printable_scorecard_downloads(page, vendors_server, e2e_users):
    open_vendors(page, vendors_server, e2e_users["admin"])
    button = page.locator(".st-key-vendors_export_html button")
    button.scroll_into_view_if_needed()
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename.startswith("scorecard_") and download.suggested_filename.endswith(".html")
    html = open(download.path(), encoding="utf-8").read()
    assert "Vendor scorecard:" in html and "<svg" in html and "Against the contract" in html
    # look at the printable page as a user would
    printable = page.context.new_page()
    printable.set_content(html)
    printable.screenshot(path=str(support.SCREENSHOTS / "vendors_printable_scorecard.png"), full_page=True)
    printable.close()
    support.assert_no_exception(page, vendors_server, "the Vendors page after a download")
