"""The SLA page in a real browser, on the hand-built SLA warehouse of tests/unit/test_sla_page_queries.py."""

from __future__ import annotations

import pytest

from tests.e2e import support

pytestmark = pytest.mark.e2e


def open_sla_page(page, server, creds) -> None:
    support.open_logged_in(page, server, creds)
    support.click_nav(page, "SLA")
    page.get_by_role("heading", name="SLA", exact=True).wait_for()
    support.wait_for_app(page)


def test_ops_lead_opens_the_sla_page_from_the_menu(page, sla_server, e2e_users):
    open_sla_page(page, sla_server, e2e_users["ops_lead"])
    support.assert_no_exception(page, sla_server, "the SLA page")
    text = support.body_text(page)
    for heading in ("Next to breach", "Attainment", "Why breaches happen", "Breaches in the period", "Policies in force"):
        assert heading in text, f"missing section {heading!r}"
    assert "62.5%" in text and "6 breaches, newest first" in text
    assert "could not be loaded" not in text
    assert "/sla" in page.url
    support.screenshot(page, "sla")


def test_selecting_a_breach_shows_the_case(page, sla_server, e2e_users):
    open_sla_page(page, sla_server, e2e_users["ops_lead"])
    support.click_row(page, ".st-key-sla_breach_table_both", "c3")
    page.get_by_text("Case c3").first.wait_for()
    support.assert_no_exception(page, sla_server, "the SLA page after selecting a breach")
    support.screenshot(page, "sla_case_selected")
