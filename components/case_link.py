"""Opening a case from any table: the Case page when the role may view it.

Pages draw their case lists with `case_table` (rows selectable one at a time); when a row is
selected, `open_case` switches to the Case page with `?case_id=...`, or returns False so the
page can show the case's key facts itself (until the Case page exists, or for roles without it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
import streamlit as st

from components import tables
from watchfloor import roles

CASE_PAGE = "case"
CASE_PARAM = "case_id"


def case_page_available(role: str) -> bool:
    """This role may open the Case page."""
    return roles.can_view(role, CASE_PAGE)


def open_case(case_id: str | None, role: str) -> bool:
    """Switch to the Case page for `case_id` (this ends the run); False if that is not possible."""
    if not case_id or not case_page_available(role):
        return False
    st.switch_page(roles.page(CASE_PAGE).path, query_params={CASE_PARAM: case_id})
    return True  # not reached: switch_page ends the run


def selected_row(event: Any) -> int | None:
    """The index of the row selected in a single-row selectable st.dataframe, if any."""
    try:
        rows = event.selection.rows
    except AttributeError:
        try:
            rows = event["selection"]["rows"]
        except (KeyError, TypeError):
            return None
    return rows[0] if rows else None


def select_hint(role: str, details_here: bool = False) -> str:
    """What selecting a row does for this role: open the Case page, show the case's facts on this
    page (`details_here`), or nothing (then the rows are not selectable and no hint is given)."""
    if case_page_available(role):
        return " Select a row to open the case."
    if details_here:
        return " Select a row to see the case's facts and events below the table."
    return ""


def case_table(
    data: pl.DataFrame | Any,
    case_ids: list[str],
    *,
    key: str,
    role: str,
    on_stay: Callable[[int], object] | None = None,
    **dataframe_kwargs: Any,
) -> int | None:
    """A table whose rows open their case. `data` may be a frame or a pandas Styler; `case_ids`
    gives the case of each row. When a row is selected and the Case page cannot be opened,
    `on_stay(row)` draws what the page shows instead. A role that can neither open the case nor
    see it here gets a plain table (a selection that does nothing would mislead). Returns the
    selected row, if any."""
    if on_stay is None and not case_page_available(role):
        tables.table(data, key=key, hide_index=True, **dataframe_kwargs)
        return None
    event = tables.table(
        data, key=key, on_select="rerun", selection_mode="single-row", hide_index=True, **dataframe_kwargs,
    )
    row = selected_row(event)
    if row is None or row >= len(case_ids):
        return None
    if not open_case(case_ids[row], role) and on_stay is not None:
        on_stay(row)
    return row
