"""The Case and Audit pages in a real browser, on the hand-built warehouse of tests/unit/test_case_view.py.

The server finds its audit log beside the warehouse (audit.jsonl), so each test can read what
the app wrote; tests that count rows count only their own user's rows from where they start.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e import support
from tests.warehouses import case as hand

pytestmark = pytest.mark.e2e


def audit_rows(server) -> list[dict]:
    path: Path = server.audit_log
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def mine(server, username: str, since: int) -> list[tuple[str, str]]:
    """The user's case views and reveals since entry `since` (sign-ins are in the log too)."""
    return [(r["action"], r["case_id"]) for r in audit_rows(server)[since:]
            if r["user"] == username and r["action"] in ("view", "reveal")]


def go_to(page, title: str) -> None:
    support.click_nav(page, title)


def test_a_deep_link_opened_before_login_lands_on_the_case(page, case_server, e2e_users):
    creds = e2e_users["analyst"]
    start = len(audit_rows(case_server))
    page.goto(case_server.url + "/case?case_id=k1")
    support.login(page, case_server, creds)
    page.get_by_text("Case k1 · Fraud & scams").wait_for()
    support.wait_for_app(page, quiet_s=1.0)
    support.assert_no_exception(page, case_server, "the case deep link after login")
    assert parse_qs(urlparse(page.url).query).get("case_id") == ["k1"], page.url
    text = support.body_text(page)
    for part in ("SLA clocks", "Timeline", "Classifier signals", "Decision and enforcement", "QA reviews",
                 "Appeals", "Linked incident", "Other cases of this account and organisation", "Content blurred"):
        assert part in text, f"missing {part!r}"
    assert hand.EXCERPT_K1 not in page.content()  # not even in the page source until revealed
    assert mine(case_server, creds.username, start) == [("view", "k1")]
    support.screenshot(page, "case_k1")

    # The linked incident opens on the Incidents page.
    support.click_and_wait(page, page.get_by_role("link", name="Open the incident"))
    page.get_by_role("heading", name="Incidents", exact=True).wait_for()
    support.wait_for_app(page, quiet_s=1.0)
    support.assert_no_exception(page, case_server, "the incident opened from a case")
    assert parse_qs(urlparse(page.url).query).get("incident") == ["i1"], page.url
    assert "Scam wave" in support.body_text(page)

    # A link opened later in the same browser, logged in by its cookie, lands on its case too.
    page.goto(case_server.url + "/case?case_id=k3")
    page.get_by_text("Case k3 · Fraud & scams").wait_for()
    support.wait_for_app(page, quiet_s=1.0)
    support.assert_no_exception(page, case_server, "a case link opened with the login cookie")
    assert mine(case_server, creds.username, start) == [("view", "k1"), ("view", "k3")]


def test_reveal_then_leaving_blurs_it_again(page, case_server, e2e_users):
    creds = e2e_users["admin"]
    support.open_logged_in(page, case_server, creds, "/case?case_id=k1")
    page.get_by_text("Case k1 · Fraud & scams").wait_for()
    support.wait_for_app(page, quiet_s=1.0)
    start = len(audit_rows(case_server)) - 1  # the view just written
    page.get_by_label("Reason for revealing").fill("ticket T-42: confirm the scam wording")
    support.click_and_wait(page, page.get_by_role("button", name="Reveal content"), expect=hand.EXCERPT_K1)
    support.assert_no_exception(page, case_server, "the case after a reveal")
    support.screenshot(page, "case_k1_revealed")

    go_to(page, "Home")
    go_to(page, "Case")
    page.get_by_label("Find a case").fill("k1")
    support.click_and_wait(page, page.get_by_role("button", name="Find"), expect="Case k1 · Fraud & scams")
    support.wait_for_app(page, quiet_s=1.0)
    assert hand.EXCERPT_K1 not in page.content()
    assert "Content blurred" in support.body_text(page)
    assert mine(case_server, creds.username, start) == [("view", "k1"), ("reveal", "k1"), ("view", "k1")]
    reason = [r["reason"] for r in audit_rows(case_server)[start:] if r["action"] == "reveal"]
    assert reason == ["ticket T-42: confirm the scam wording"]


def test_hostile_search_shows_not_found(page, case_server, e2e_users):
    support.open_logged_in(page, case_server, e2e_users["ops_lead"])
    go_to(page, "Case")
    page.get_by_label("Find a case").fill("k1'; DROP TABLE cases; -- 🚨")
    support.click_and_wait(page, page.get_by_role("button", name="Find"), expect="Not found")
    support.assert_no_exception(page, case_server, "a hostile search")
    support.screenshot(page, "case_not_found")
    page.get_by_label("Find a case").fill("org_x")
    support.click_and_wait(page, page.get_by_role("button", name="Find"), expect="3 case(s) found")
    support.screenshot(page, "case_search_org")
    # Selecting a row opens its case (newest first: k2, k1, k3).
    support.click_row(page, ".st-key-case_search_results", "k3")
    page.get_by_text("Case k3 · Fraud & scams").wait_for()
    support.wait_for_app(page, quiet_s=1.0)
    support.assert_no_exception(page, case_server, "a case opened from the search results")
    assert parse_qs(urlparse(page.url).query).get("case_id") == ["k3"], page.url


def test_a_breach_on_the_sla_page_opens_its_case(page, case_server, e2e_users):
    creds = e2e_users["ops_lead"]
    support.open_logged_in(page, case_server, creds)
    go_to(page, "SLA")
    page.get_by_role("heading", name="SLA", exact=True).wait_for()
    support.wait_for_app(page)
    start = len(audit_rows(case_server))
    # Breaches newest first: k2 (first action, 18 11:30), then k6 (16 16:00).
    support.click_row(page, ".st-key-sla_breach_table_both", "k2")
    page.get_by_text("Case k2 · Child safety").wait_for()
    support.wait_for_app(page, quiet_s=1.0)
    support.assert_no_exception(page, case_server, "the case opened from the SLA page")
    assert "/case" in page.url and parse_qs(urlparse(page.url).query).get("case_id") == ["k2"], page.url
    assert "overdue 30 min" in support.body_text(page)
    assert mine(case_server, creds.username, start) == [("view", "k2")]
    support.screenshot(page, "case_k2_from_sla")


def test_admins_see_the_audit_log(page, case_server, e2e_users):
    support.open_logged_in(page, case_server, e2e_users["admin"], "/case?case_id=k6")
    page.get_by_text("Case k6").first.wait_for()
    support.wait_for_app(page, quiet_s=1.0)
    go_to(page, "Audit")
    page.get_by_role("heading", name="Audit", exact=True).wait_for()
    support.wait_for_app(page)
    support.assert_no_exception(page, case_server, "the Audit page")
    text = support.body_text(page)
    assert "The audit log is intact" in text
    assert "Export these entries (CSV)" in text
    support.screenshot(page, "audit")
