"""KPI tiles: a figure, its change against the comparison period, and a link to the page behind it."""

from __future__ import annotations

from typing import Literal

import streamlit as st
from streamlit.errors import StreamlitAPIException

from components.navigation import url_path as navigation_url
from watchfloor import roles
from watchfloor.compare import NO_CHANGE

# The values of st.metric's delta_color and delta_arrow that the tiles use.
DeltaColour = Literal["normal", "inverse", "off"]
DeltaArrow = Literal["auto", "off"]


def kpi_tile(
    label: str,
    value: str,
    delta: str | None = None,
    *,
    help: str | None = None,
    higher_is_better: bool | None = True,
    link_page: str | None = None,
    link_label: str | None = None,
    role: str = "",
    query_params: dict | None = None,
    note: str | None = None,
    compared_with: str | None = None,
) -> None:
    """One bordered tile. `higher_is_better=None` shows the delta in grey; `note` is a caption below."""
    colour: DeltaColour = "off" if higher_is_better is None else ("normal" if higher_is_better else "inverse")
    arrow: DeltaArrow = "auto"
    if delta == NO_CHANGE:
        colour, arrow = "off", "off"
    # Tiles in one row stretch to the tallest, so a row reads as a row whether or not a tile has a link.
    with st.container(border=True, height="stretch"):
        st.metric(label, value, delta=delta, delta_color=colour, delta_arrow=arrow, help=help,
                  delta_description=compared_with if delta else None)
        if note:
            st.caption(note)
        page_link(link_page, link_label, role, query_params)


def page_link(page_key: str | None, label: str | None, role: str, query_params: dict | None = None) -> None:
    """A link to another page, only if the user's role may open it."""
    if not page_key or not roles.can_view(role, page_key):
        return
    spec = roles.page(page_key)
    try:
        st.page_link(spec.path, label=label or f"{spec.title} →", icon=spec.icon, query_params=query_params)
    except StreamlitAPIException:
        # The page runs outside the app's navigation (a single-page test): a plain link will do.
        st.markdown(f"[{label or spec.title + ' →'}](/{navigation_url(page_key)})")
