"""The Executive summary in a real browser: the hand-worked figures on the warehouse of
tests/unit/test_executive_queries.py, and, on a small simulated warehouse, that the whole summary fits
on one 1440 x 900 screen and the exports download."""

from __future__ import annotations

import pytest

from tests.e2e import support

pytestmark = pytest.mark.e2e

@pytest.fixture(scope="module")
def exec_server(executive_hand_server):
    return executive_hand_server


@pytest.fixture(scope="module")
def sim_server(incident_sim_server):
    """seed 8 puts a SEV1 incident in the last 7 days and a SEV3 in the week before"""
    return incident_sim_server


def open_summary(page, server, creds) -> None:
    support.open_logged_in(page, server, creds)
    support.click_nav(page, "Executive summary")
    page.get_by_role("heading", name="Executive summary", exact=True).wait_for()
    support.wait_for_app(page)


def test_executive_sees_the_hand_worked_summary(page, exec_server, e2e_users):
    open_summary(page, exec_server, e2e_users["executive"])
    support.assert_no_exception(page, exec_server, "the executive summary")
    text = support.body_text(page)
    for figure in ("85.7%", "+25.7 pp", "62.5%", "-4.2 pp", "33.3%", "-16.7 pp", "2.0 h", "resolution 87.5%"):
        assert figure in text, f"missing {figure!r}"
    # tables are drawn on a canvas: their contents are checked in the AppTest and in the export
    assert "Notices by category (EU DSA)" in text
    # links only to pages the executive may open
    links = {(a.get_attribute("href") or "").rstrip("/").split("/")[-1]
             for a in page.locator("a[data-testid=stPageLink-NavLink]").all()}
    assert links == {"sla", "incidents"}, links
    support.screenshot(page, "executive_hand")


def test_the_summary_fits_one_screen_and_exports(page, sim_server, e2e_users):
    open_summary(page, sim_server, e2e_users["executive"])
    support.assert_no_exception(page, sim_server, "the executive summary on a simulated warehouse")
    height = page.evaluate("() => document.querySelector('[data-testid=stMainBlockContainer]').scrollHeight")
    page.screenshot(path=str(support.SCREENSHOTS / "executive_one_screen.png"))  # exactly what 1440 x 900 shows
    assert height <= 900, f"the summary is {height} px high; it must fit on a 900 px screen"
    with page.expect_download() as html_download:
        page.get_by_role("button", name="One page").click()
    html_path = html_download.value.path()
    content = open(html_path, encoding="utf-8").read()
    assert content.startswith("<!DOCTYPE html>") and "Executive summary" in content
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="CSV", exact=True).click()
    assert open(csv_download.value.path(), encoding="utf-8").readline().startswith("section,figure,current,previous")
    # the export rendered in the browser, for a look
    exported = page.context.new_page()
    exported.set_content(content)
    exported.screenshot(path=str(support.SCREENSHOTS / "executive_export.png"), full_page=True)
    exported.close()


def test_switching_to_a_month_keeps_one_screen(page, sim_server, e2e_users):
    open_summary(page, sim_server, e2e_users["executive"])
    support.click_and_wait(page, page.locator(".st-key-executive_period_kind button").filter(has_text="Month"))
    support.assert_no_exception(page, sim_server, "the executive summary for a month")
    assert "November 2026 to date" in support.body_text(page)
    page.screenshot(path=str(support.SCREENSHOTS / "executive_month.png"))
