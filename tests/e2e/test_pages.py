"""Every role sees exactly its pages in the menu, and every one of them renders without an error."""

from __future__ import annotations

import pytest

from tests.e2e import support
from watchfloor import roles

pytestmark = pytest.mark.e2e


def built_pages_for(role: str) -> list[roles.PageSpec]:
    return list(roles.pages_for(role))


@pytest.mark.parametrize("role", roles.ROLES)
def test_role_sees_its_pages_and_each_renders(role, page, warm_server, e2e_users):
    expected = built_pages_for(role)
    assert expected, f"role {role} may see no page at all"
    support.open_logged_in(page, warm_server, e2e_users[role])
    support.assert_no_exception(page, warm_server, f"the first page after login as {role}")

    shown = support.nav_titles(page)
    if len(expected) == 1:
        # Streamlit hides a menu of a single page.
        assert shown == [], f"{role}: one page is open to this role, yet the menu shows {shown}"
    else:
        assert shown == [spec.title for spec in expected], f"{role}: menu differs from roles.pages_for"

    for spec in expected:
        if shown and spec is not expected[0]:  # the first is the page the login landed on
            support.click_nav(page, spec.title)
        support.assert_no_exception(page, warm_server, f"{spec.key} as {role}")
        assert "Signed in as" in support.body_text(page), f"{spec.key} as {role}: the shell is gone"
        support.screenshot(page, f"{role}__{spec.key}")


def test_home_shows_daily_health_and_freshness(page, warm_server, e2e_users):
    support.open_logged_in(page, warm_server, e2e_users["ops_lead"])
    page.get_by_role("heading", name="Daily health").wait_for()
    text = support.body_text(page)
    assert "Data as of" in text, "the freshness banner is missing"
    support.assert_no_exception(page, warm_server, "home")
