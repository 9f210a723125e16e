"""The Quality page in a real browser, on the small simulated warehouse of test_vendors_page.py."""

from __future__ import annotations

import pytest

from tests.e2e import support

pytestmark = pytest.mark.e2e

RANGE = support.VENDOR_SIM_RANGE


@pytest.fixture(scope="module")
def quality_server(vendor_sim_server):
    return vendor_sim_server


def test_analyst_sees_accuracy_calibration_and_agreement(page, quality_server, e2e_users):
    support.open_logged_in(page, quality_server, e2e_users["analyst"], f"/quality?{RANGE}")
    page.get_by_role("heading", name="Quality", exact=True).wait_for()
    support.wait_for_app(page)
    support.assert_no_exception(page, quality_server, "the Quality page")
    text = support.body_text(page)
    for heading in ("Reviewer accuracy", "Golden set over time", "Who needs calibration", "Errors by category",
                    "Agreement by category"):
        assert heading in text, f"missing section {heading!r}"
    for tile in ("QA accuracy", "Golden-set accuracy", "Agreement (κ)", "Reviewers checked"):
        assert tile in text
    assert "No QA checks" not in text and "could not be loaded" not in text
    support.screenshot(page, "quality")


def test_confusion_for_one_category(page, quality_server, e2e_users):
    support.open_logged_in(page, quality_server, e2e_users["vendor_manager"], f"/quality?{RANGE}")
    page.get_by_role("heading", name="Quality", exact=True).wait_for()
    support.wait_for_app(page)
    box = page.locator(".st-key-quality_confusion_category")
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name="Harassment", exact=True).click()
    support.wait_for_app(page)
    support.assert_no_exception(page, quality_server, "the Quality page, confusion for Harassment")
    support.screenshot(page, "quality_confusion_harassment")
