"""Role-aware navigation built from the one access table in watchfloor.roles."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from watchfloor import roles

APP_ROOT = Path(__file__).resolve().parent.parent


def page_is_built(page_key: str) -> bool:
    """Pages whose file does not exist yet stay out of the menu and out of links."""
    return (APP_ROOT / roles.page(page_key).path).is_file()


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


def pages_by_group(role: str) -> dict[str, list[st.Page]]:
    """The pages this role may open, grouped by audience, in the table's order."""
    grouped: dict[str, list[st.Page]] = {}
    for spec in roles.pages_for(role):
        if page_is_built(spec.key):
            grouped.setdefault(spec.group, []).append(st_page(spec.key))
    return grouped



def _login_screen() -> None:
    """The page a visitor's URL is held on while the login form is shown (it draws nothing)."""


def register_for_visitor(entry_path: str) -> None:
    """For a visitor who is not logged in yet and opened a page's URL (a deep link such as
    /case?case_id=...), register every built page, hidden.

    Nothing of a page runs before the login. Registering them makes the deep link the session's
    page, so the run after the login lands on it without a page switch: a switch in that run can
    drop the browser component that writes the login cookie before it has run. Other URLs
    register nothing (an unknown one would put a "page not found" dialog over the login form).
    """
    keys = [spec.key for spec in roles.PAGES if page_is_built(spec.key)]
    if entry_path not in keys:
        return
    # Home is not the default here, so that /home resolves like every other page's URL.
    login_screen = st.Page(_login_screen, title="Log in", url_path="login", default=True)
    st.navigation([login_screen, *(st_page(key, default=False) for key in keys)], position="hidden")
