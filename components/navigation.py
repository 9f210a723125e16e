"""Role-aware navigation built from the one access table in watchfloor.roles."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import streamlit as st

from watchfloor import roles

APP_ROOT = Path(__file__).resolve().parent.parent


@functools.cache  # asked on every run; the app's files do not change under a running server
def url_path(page_key: str) -> str:
    return page_key


def page_key_of(page: st.Page) -> str:
    """The key of a page built by st_page (the default page's url_path reads as "")."""
    return page.url_path or "home"


def st_page(page_key: str, default: bool | None = None) -> st.Page:
    spec = roles.page(page_key)
    return st.Page(
        str(APP_ROOT / spec.path),
        title=spec.title,
        icon=spec.icon,
        url_path=url_path(page_key),
        default=page_key == "home" if default is None else default,
    )


_PAGES_KEY = "navigation_pages"


def pages_by_group(role: str) -> dict[str, list[st.Page]]:
    """The pages this role may open, grouped by audience, in the table's order; the built pages it
    may not open are registered hidden under their own address, where they say so (a link or a
    deep link through the login to such a page gets a clear answer, not "Page not found" or a
    silent landing on Home).

    Built once per session and role (building them was a tenth of a page run). Never shared
    between sessions: st.navigation marks the page it picks as callable, and the run unmarks it."""
    built = st.session_state.get(_PAGES_KEY)
    if built is None or built[0] != role:
        built = (role, _pages_by_group(role))
        st.session_state[_PAGES_KEY] = built
    return built[1]


def _pages_by_group(role: str) -> dict[str, list[st.Page]]:
    grouped: dict[str, list[st.Page]] = {}
    for spec in roles.pages_for(role):
        grouped.setdefault(spec.group, []).append(st_page(spec.key))
    refused = [not_allowed_page(spec, role) for spec in roles.PAGES if not roles.can_view(role, spec.key)]
    if refused:
        grouped.setdefault(next(iter(grouped), ""), []).extend(refused)
    return grouped


def not_allowed_page(spec: roles.PageSpec, role: str) -> st.Page:
    """A hidden stand-in at a page's address, for a role that may not open the page."""
    def refuse() -> None:
        st.title("Not open to your role", anchor=False)
        st.warning(f"Your role ({roles.label(role)}) does not give access to the {spec.title} page. "
                   "Ask an administrator if you need it.", icon=":material/lock:")
        home = next(iter(roles.pages_for(role)), None)
        if home is not None:
            st.page_link(home.path, label=f"Go to {home.title}", icon=home.icon)

    refuse.__name__ = f"not_allowed_{spec.key}"
    return st.Page(refuse, title=spec.title, url_path=url_path(spec.key), visibility="hidden", default=False)


_VISITOR_PATH = re.compile(r"^[a-z0-9_]{1,40}$")


def _login_screen() -> None:
    """The page a visitor's URL is held on while the login form is shown (it draws nothing)."""


def register_for_visitor(entry_path: str) -> None:
    """For a visitor who is not signed in: register the sign-in screen only, under the URL they
    opened when it looks like a page's (a deep link such as /case?case_id=...).

    Nothing of any page, not even its title or path, reaches a visitor: the navigation they receive
    names one page, "Log in", at the address they typed themselves. The page's URL path being the
    deep link's makes it the session's page, so the run after the sign-in lands on the real page of
    that path (a page is known by its path) without a page switch. Any well-formed path is held
    this way, whether or not such a page exists, so the answer tells nothing about which exist.
    """
    pages = [st.Page(_login_screen, title="Log in", url_path="login", default=True)]
    if _VISITOR_PATH.match(entry_path or "") and entry_path != "login":
        pages.append(st.Page(_login_screen, title="Log in", url_path=entry_path, default=False))
    st.navigation(pages, position="hidden")
