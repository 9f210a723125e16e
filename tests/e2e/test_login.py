"""The login gate: one message for any failed login; no way round it by URL; deep links survive it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e import support
from watchfloor import roles, sessions

pytestmark = pytest.mark.e2e

FAILED = "Username or password is incorrect."
DEEP_LINK = "/home?region=EMEA&priority=P1"
DEEP_LINK_TRIES = 2


def _failed_login_text(page, server, username: str, password: str) -> str:
    page.goto(server.url + "/")
    support.submit_login(page, username, password, server)
    page.get_by_text(FAILED).wait_for()
    support.assert_no_exception(page, server, "the login form")
    assert support.login_form_visible(page), "the login form is gone after a failed login"
    assert "Signed in as" not in support.body_text(page)
    return page.locator("[data-testid=stMain]").inner_text()


def test_wrong_password_and_unknown_user_get_the_same_message(page, app_server, e2e_users):
    creds = e2e_users["analyst"]
    wrong_password = _failed_login_text(page, app_server, creds.username, creds.password + "x")
    unknown_user = _failed_login_text(page, app_server, "e2e_nobody", creds.password)
    for text in (wrong_password, unknown_user):
        assert text.count(FAILED) == 1, text
        lowered = text.lower().replace(FAILED.lower(), "")
        for hint in ("unknown user", "no such user", "not found", "wrong password", "does not exist",
                     "username is incorrect", "password is incorrect", "invalid username", "invalid password"):
            assert hint not in lowered, f"the failed login hints which part was wrong ({hint!r}): {text!r}"
    # Same message, same page: nothing tells the two failures apart.
    assert wrong_password == unknown_user
    support.screenshot(page, "login__failed")


def test_reopening_the_app_with_the_login_cookie_shows_no_error(page, warm_server, e2e_users):
    support.open_logged_in(page, warm_server, e2e_users["analyst"])
    page.reload()  # a new session: the authenticator logs in from its cookie
    page.get_by_text("Signed in as").wait_for()
    support.wait_for_app(page)
    assert not support.login_form_visible(page), "the login cookie did not log the user back in"
    support.assert_no_exception(page, warm_server, "the page reopened with the login cookie")


def test_page_outside_the_role_is_not_reachable_by_url(page, warm_server, e2e_users):
    role = "executive"
    forbidden = [spec for spec in roles.PAGES if not roles.can_view(role, spec.key)]
    if not forbidden:
        pytest.skip(f"no built page lies outside the {role} role yet; nothing to try by URL")
    target = next((spec for spec in forbidden if spec.key == "queue_health"), forbidden[0])

    support.open_logged_in(page, warm_server, e2e_users[role])
    page.goto(f"{warm_server.url}/{target.key}")
    page.get_by_text("Signed in as").wait_for()
    support.wait_for_app(page)

    main = page.locator("[data-testid=stMain]")
    headings = [h.strip() for h in main.locator("h1").all_inner_texts()]
    assert target.title not in headings, f"{role} reached {target.key} by URL: headings {headings}"
    text = support.body_text(page)
    # A clear answer at the page's own address, not Streamlit's "Page not found" nor Home.
    assert f"does not give access to the {target.title} page" in text, (
        f"/{target.key} as {role} does not say the role may not open it: headings {headings}")
    assert "Page not found" not in text and "Daily health" not in headings
    assert target.title not in support.nav_titles(page)
    support.assert_no_exception(page, warm_server, f"/{target.key} as {role}")


def test_deep_link_to_a_page_outside_the_role_says_so_after_the_login(browser, warm_server, e2e_users):
    """A vendor manager following a link to the Audit page signs in and is told the role does not
    open it, instead of landing on Home without a word."""
    context = support.new_context(browser, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{warm_server.url}/audit")
        support.login(page, warm_server, e2e_users["vendor_manager"])
        page.get_by_text("does not give access to the Audit page").wait_for()
        assert urlparse(page.url).path.endswith("/audit")
        support.assert_no_exception(page, warm_server, "the forbidden deep link after login")
    finally:
        context.close()


def _region_tags(page) -> list[str]:
    region = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(
        has=page.get_by_text("Region", exact=True)
    )
    assert region.count() == 1, "no Region filter in the sidebar"
    # Streamlit 1.67's multiselect draws each chosen value as an element with data-tag and aria-label.
    return [tag.get_attribute("aria-label") or tag.inner_text().strip() for tag in region.locator("[data-tag]").all()]


def _deep_link_problems(page, server, creds) -> list[str]:
    page.goto(server.url + DEEP_LINK)
    support.login(page, server, creds)
    support.assert_no_exception(page, server, "the deep link after login")
    page.get_by_role("heading", name="Daily health").wait_for()
    problems = []
    query = parse_qs(urlparse(page.url).query)
    if query.get("region") != ["EMEA"] or query.get("priority") != ["P1"]:
        problems.append(f"URL after login lost region=EMEA/priority=P1: {page.url}")
    tags = _region_tags(page)
    if tags != ["EMEA"]:
        problems.append(f"sidebar Region filter shows {tags or 'All'} (URL {page.url})")
    return problems


def test_deep_link_with_filters_survives_the_login(browser, warm_server, e2e_users):
    # Repeated in fresh browsers: the filter widgets have been seen to lose the race
    # with the reruns that follow a login now and then.
    failures = []
    for attempt in range(1, DEEP_LINK_TRIES + 1):
        context = support.new_context(browser, viewport={"width": 1440, "height": 900})
        try:
            failures += [f"try {attempt}: {p}" for p in _deep_link_problems(context.new_page(), warm_server, e2e_users["ops_lead"])]
        finally:
            context.close()
    assert not failures, "\n".join(failures)


@pytest.fixture
def fresh_server(e2e_dir, users_file, request):
    """A server nobody has logged in to yet (the state after every start or restart)."""
    warehouse, as_of = support.build_warehouse(e2e_dir / f"warehouse_{request.node.name}")
    server = support.start_server(e2e_dir / f"server_{request.node.name}", warehouse, as_of, users_file)
    yield server
    server.stop()


def test_deep_link_survives_the_login_on_a_freshly_started_server(page, fresh_server, e2e_users):
    problems = _deep_link_problems(page, fresh_server, e2e_users["ops_lead"])
    assert not problems, "\n".join(problems)


def test_unknown_filter_value_is_dropped_with_a_notice(page, warm_server, e2e_users):
    page.goto(warm_server.url + "/home?region=MARS")
    support.login(page, warm_server, e2e_users["ops_lead"])
    support.assert_no_exception(page, warm_server, "a link with region=MARS")
    assert "MARS" not in parse_qs(urlparse(page.url).query).get("region", []), f"MARS kept in the URL: {page.url}"
    assert "MARS" not in " ".join(_region_tags(page))
    notices = page.locator("[data-testid=stAlert]").filter(has_text="MARS")
    flashed = [text for text in support.seen(page, "alerts") if "MARS" in text]
    assert notices.count() >= 1, (
        "no notice names the dropped value MARS once the page has settled"
        + (f"; it was drawn and removed again by a later rerun: {flashed}" if flashed else "")
    )


def test_a_deep_link_login_is_remembered_by_the_cookie(page, warm_server, e2e_users):
    # The run after the login lands on the deep-linked page without a page switch, so the browser
    # component that writes the login cookie gets to run; a second visit needs no login.
    page.goto(warm_server.url + "/sla")
    support.login(page, warm_server, e2e_users["ops_lead"])
    page.get_by_role("heading", name="SLA", exact=True).wait_for()
    assert urlparse(page.url).path.endswith("/sla"), page.url
    support.wait_for_app(page, quiet_s=1.0)
    assert sessions.COOKIE_NAME in {cookie["name"] for cookie in page.context.cookies()}
    page.goto(warm_server.url + "/queue_health")
    page.get_by_role("heading", name="Queue health", exact=True).wait_for()
    assert not support.login_form_visible(page)
