"""The attacks on sessions of the security review, tried again in Chromium against a running server:
a removed or demoted user in an open session, a copied cookie after signing out, guessing
passwords, and what a visitor learns before signing in."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e import support
from watchfloor import sessions

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def module_users(e2e_dir) -> tuple[Path, dict[str, support.Credentials]]:
    """Users of this module alone (the tests remove and demote them)."""
    path = e2e_dir / "session_users.yaml"
    return path, support.make_users(path)


@pytest.fixture(scope="module")
def server(e2e_dir, module_users):
    """A server of this module alone: its throttle counts only this module's failed sign-ins."""
    warehouse, as_of = support.build_warehouse(e2e_dir / "sessions_warehouse")
    started = support.start_server(e2e_dir / "sessions_server", warehouse, as_of, module_users[0])
    yield started
    started.stop()


def users_command(users_file: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "watchfloor", "users", *args, "--users-file", str(users_file)],
                   cwd=support.APP_ROOT, check=True, capture_output=True, timeout=60)


def audit_actions(server) -> list[tuple[str, str]]:
    path = Path(server.env_overrides["WATCHFLOOR_WAREHOUSE"]).parent / "audit.jsonl"
    if not path.exists():
        return []
    return [(e["user"], e["action"]) for e in map(json.loads, path.read_text().splitlines())]


def test_before_signing_in_a_visitor_learns_no_page_path_or_version(browser, server):
    frames: list[bytes] = []
    context = support.new_context(browser)
    try:
        page = context.new_page()
        page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(
            payload if isinstance(payload, bytes) else payload.encode())))
        page.goto(server.url + "/case?case_id=c1")
        support.wait_for_app(page)
        assert support.login_form_visible(page)
        received = b"".join(frames)
        assert received, "no websocket frame was seen"
        for secret in (b"Audit", b"Queue health", b"Executive summary", b"audit", b"queue_health", b"Home.py",
                       str(support.APP_ROOT).encode(), b"1.67.0", ".".join(map(str, sys.version_info[:3])).encode()):
            assert secret not in received, f"{secret!r} reached a visitor before signing in"
    finally:
        context.close()
    for path in ("/_stcore/metrics", "/_stcore/agent/openapi.json"):
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(server.url + path, timeout=10)
        assert answer.value.code == 404, path


def test_the_session_cookie_is_httponly_strict_and_dies_with_signing_out(browser, server, module_users):
    creds = module_users[1]["ops_lead"]
    first = support.new_context(browser)
    try:
        page = first.new_page()
        support.open_logged_in(page, server, creds)
        support.wait_for_app(page, quiet_s=1.5)
        [cookie] = [c for c in first.cookies() if c["name"] == sessions.COOKIE_NAME]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]  # plain http here
        assert page.evaluate("document.cookie").find(sessions.COOKIE_NAME) == -1  # scripts cannot read it
        copy = support.new_context(browser)
        copy.add_cookies([cookie])
        stolen = copy.new_page()
        stolen.goto(server.url + "/")
        stolen.get_by_text("Signed in as").wait_for()  # a copied cookie works while the user is signed in ...
        page.get_by_role("button", name="Log out").click()
        page.wait_for_selector("input[aria-label='Username']")
        support.wait_for_app(page, quiet_s=1.0)
        assert sessions.COOKIE_NAME not in {c["name"] for c in first.cookies()}  # cleared in this browser
        support.click_nav(stolen, "SLA")  # ... and not after: the open session ends at its next click
        stolen.wait_for_selector("input[aria-label='Username']")
        assert "Signed in as" not in support.body_text(stolen)
        again = copy.new_page()
        again.goto(server.url + "/")
        support.wait_for_app(again)
        assert support.login_form_visible(again), "the copied cookie still opens the dashboard after logging out"
        copy.close()
    finally:
        first.close()
    assert (creds.username, "logout") in audit_actions(server)


def test_a_removed_analyst_cannot_view_or_reveal_in_an_open_session(page, server, module_users):
    users_file, users = module_users
    creds = users["analyst"]
    support.open_logged_in(page, server, creds, "/case?case_id=c1")
    page.get_by_role("heading", name="Case", exact=True).wait_for()
    support.wait_for_app(page)
    views_before = audit_actions(server).count((creds.username, "view"))
    users_command(users_file, "remove", creds.username)
    support.click_nav(page, "Trends & spikes")
    page.wait_for_selector("input[aria-label='Username']")
    assert "Signed in as" not in support.body_text(page)
    page.goto(server.url + "/case?case_id=c1")
    support.wait_for_app(page)
    assert support.login_form_visible(page)
    actions = audit_actions(server)
    assert actions.count((creds.username, "view")) == views_before and (creds.username, "reveal") not in actions
    assert (creds.username, "session_ended") in actions


def test_a_demoted_user_loses_the_pages_of_the_old_role_at_the_next_click(page, server, module_users):
    users_file, users = module_users
    creds = users["admin"]
    support.open_logged_in(page, server, creds)
    assert "Audit" in support.nav_titles(page)
    users_command(users_file, "set-role", creds.username, "--role", "executive")
    support.click_nav(page, "SLA")
    assert "Audit" not in support.nav_titles(page) and "Case" not in support.nav_titles(page)
    assert "Executive" in support.body_text(page)
    page.goto(server.url + "/audit")
    support.wait_for_app(page)
    headings = [h.strip() for h in page.locator("[data-testid=stMain] h1").all_inner_texts()]
    assert "Audit" not in headings


def test_guessing_passwords_is_locked_out_and_recorded(page, server, module_users):
    creds = module_users[1]["vendor_manager"]
    page.goto(server.url + "/")
    for attempt in range(5):
        support.submit_login(page, creds.username, f"guess number {attempt}", server)
    page.get_by_text("Too many failed sign-ins").wait_for()
    support.submit_login(page, creds.username, creds.password, server)  # the right one, too late
    page.get_by_text("Too many failed sign-ins").wait_for()
    assert support.login_form_visible(page) and "Signed in as" not in support.body_text(page)
    support.screenshot(page, "login__locked_out")
    actions = audit_actions(server)
    assert actions.count((creds.username, "login_failed")) == 5 and (creds.username, "locked_out") in actions
    assert (creds.username, "login") not in actions


def test_behind_an_https_proxy_the_cookie_is_secure(browser, server, module_users):
    # A proxy on this host that ends TLS says so with X-Forwarded-Proto (Chromium keeps Secure
    # cookies for localhost over plain http, so the flag can be read back here).
    context = support.new_context(browser, extra_http_headers={"X-Forwarded-Proto": "https"})
    try:
        page = context.new_page()
        support.open_logged_in(page, server, module_users[1]["executive"])
        support.wait_for_app(page, quiet_s=1.5)
        [cookie] = [c for c in context.cookies() if c["name"] == sessions.COOKIE_NAME]
        assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    finally:
        context.close()
