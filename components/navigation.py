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


def st_page(page_key: str) -> st.Page:
    spec = roles.page(page_key)
    return st.Page(
        str(APP_ROOT / spec.path),
        title=spec.title,
        icon=spec.icon,
        url_path=url_path(page_key),
        default=page_key == "home",
    )


def pages_by_group(role: str) -> dict[str, list[st.Page]]:
    """The pages this role may open, grouped by audience, in the table's order."""
    grouped: dict[str, list[st.Page]] = {}
    for spec in roles.pages_for(role):
        if page_is_built(spec.key):
            grouped.setdefault(spec.group, []).append(st_page(spec.key))
    return grouped
