"""The queue-health table: one row per queue or group, worst first, with a colour state."""

from __future__ import annotations

import re
from urllib.parse import quote

import polars as pl
import streamlit as st

import queries
from components import tables
from components.chart_style import marked
from watchfloor import queue_health as qh
from watchfloor import roles
from watchfloor.formatting import format_duration, format_hours
from watchfloor.labels import texts_of

STATE_MARKS = {"red": "behind", "amber": "at risk", "green": "on track"}


def queue_health_table(table: pl.DataFrame, group_by: str, key: str) -> None:
    if table.height == 0:
        st.info("No queues match the filters.")
        return
    red, amber = f"{qh.RED_BREACHED_SHARE:.0%}", f"{qh.AMBER_AT_RISK_SHARE:.0%}"
    # What a lead acts on comes first (state, size, lateness, clearing, staffing); the detail after.
    columns = {
        "State": st.column_config.TextColumn("State", pinned=True, help=(
            f"Red: {red} or more of the backlog past an SLA target. Amber: a case past a target, or {amber} or "
            "more of the backlog at risk (at 75 % of a target). Green otherwise.")),
        "label": st.column_config.TextColumn(qh.GROUPINGS.get(group_by, "Queue"), pinned=True),
        "backlog": st.column_config.NumberColumn("Backlog", format="localized"),
        "breached": st.column_config.NumberColumn("Breached", format="localized"),
        "at_risk": st.column_config.NumberColumn("At risk", format="localized"),
        "clears_in": st.column_config.TextColumn("Clears in", help=(
            "Backlog ÷ (out − in) over the last hour; 'not clearing' when the last hour's outflow did not "
            "exceed its inflow.")),
        "inflow_1h": st.column_config.NumberColumn("In 1 h", format="localized"),
        "outflow_1h": st.column_config.NumberColumn("Out 1 h", format="localized"),
        "reviewers_on_shift": st.column_config.NumberColumn("On shift", format="localized",
                                                            help="Reviewers on shift now in the team(s) working this queue."),
        "throughput_per_staffed_hour": st.column_config.NumberColumn("Per staffed h", format="%.1f",
                                                                     help="Human decisions per staffed reviewer-hour, last 24 h."),
        "oldest_h": st.column_config.NumberColumn("Oldest (h)", format="%.1f"),
        "waiting": st.column_config.NumberColumn("Waiting", format="localized",
                                                 help="New and queued cases: not yet with a reviewer."),
        "in_review": st.column_config.NumberColumn("In review", format="localized"),
        "pending_info": st.column_config.NumberColumn("Pending", format="localized"),
        "escalated": st.column_config.NumberColumn("Escalated", format="localized"),
        "p50_h": st.column_config.NumberColumn("Age p50 (h)", format="%.1f"),
        "p90_h": st.column_config.NumberColumn("Age p90 (h)", format="%.1f"),
        "inflow_24h": st.column_config.NumberColumn("In 24 h", format="localized"),
        "outflow_24h": st.column_config.NumberColumn("Out 24 h", format="localized"),
        "oldest_case_id": st.column_config.LinkColumn("Oldest case", display_text=r"case_id=(.*)"),
    }
    tables.table(
        queries.memo(table, _health_rows, tuple(columns)),
        hide_index=True,  # an empty queue has no ages: a dash, never "None"
        column_config=columns,
        key=key,
        height=min(38 + 35 * table.height, 520),
    )


def _health_rows(table: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """The table's rows as shown (kept with the health table: built once for every rerun and session)."""
    hours = 3600.0
    shown = table.with_columns(
        marked(pl.col("state").replace_strict(STATE_MARKS, return_dtype=pl.String), pl.col("state")).alias("State"),
        (pl.col("new") + pl.col("queued")).alias("waiting"),
        (pl.col("oldest_age_seconds") / hours).alias("oldest_h"),
        (pl.col("age_p50_seconds") / hours).alias("p50_h"),
        (pl.col("age_p90_seconds") / hours).alias("p90_h"),
        texts_of(table, format_hours, "projected_hours_to_clear", skip_nulls=False).alias("clears_in"),
        ("case?case_id=" + pl.col("oldest_case_id")).alias("oldest_case_id"),
    )
    return shown.select(list(columns))


# --------------------------------------------------------------------------- Home: the worst queues

QUEUE_PARAM = "queue"
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")


def _queue_columns(rows: pl.DataFrame, role: str) -> tuple[pl.DataFrame, dict]:
    linked = roles.can_view(role, "queue_health")
    columns = {"label": st.column_config.TextColumn("Queue", pinned=True)}
    return queries.memo(rows, _queue_rows, linked), columns


def _queue_rows(rows: pl.DataFrame, linked: bool) -> pl.DataFrame:
    """Home's queue rows with their place and, if the user may open Queue health, a link to it
    showing each queue (`?queue=<id>`, from the warehouse's queue ids; an id that is not a plain
    identifier gets none). Kept with the rows."""
    rows = rows.with_columns(pl.concat_str("region", pl.lit(" · "), "vertical", ignore_nulls=True).alias("where"))
    if linked:
        links = [f"queue_health?{QUEUE_PARAM}={quote(q, safe='')}" if _SAFE_ID.match(q or "") else None
                 for q in rows["group"].to_list()]
        rows = rows.with_columns(pl.Series("link", links, dtype=pl.String))
    return rows


def _link_and_place(columns: dict, rows: pl.DataFrame) -> None:
    """The figures come right after the queue's name (what a narrow screen shows first); then the
    link and the queue's region and vertical."""
    if "link" in rows.columns:
        columns["link"] = st.column_config.LinkColumn("Open", display_text="Queue health →",
                                                      help="Queue health with this queue's row and history.")
    columns["where"] = st.column_config.TextColumn("Region · vertical")


def worst_by_sla_table(rows: pl.DataFrame, role: str, key: str) -> None:
    """The queues with the most open cases past an SLA target now, then at risk."""
    if rows.height == 0:
        st.info("No queue has an open case past or near its SLA target.")
        return
    shown, columns = _queue_columns(rows, role)
    columns |= {
        "breached": st.column_config.NumberColumn("Breached", format="localized",
                                                  help="Open cases past an SLA target now (Queue health's Breached)."),
        "at_risk": st.column_config.NumberColumn("At risk", format="localized",
                                                 help="Open cases at 75 % of a target or more, none past it."),
        "backlog": st.column_config.NumberColumn("Backlog", format="localized"),
    }
    _link_and_place(columns, shown)
    tables.table(queries.memo(shown, _selected, tuple(columns)), hide_index=True, column_config=columns, key=key)


def _selected(rows: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    return rows.select(list(columns))


def worst_by_age_table(rows: pl.DataFrame, role: str, key: str) -> None:
    """The queues whose oldest open case is oldest against the queue's resolution target."""
    if rows.height == 0:
        st.info("No open cases.")
        return
    shown, columns = _queue_columns(rows, role)
    shown = queries.memo(shown, _age_rows)
    columns |= {
        "oldest": st.column_config.TextColumn("Oldest open", help="Age of the queue's oldest open case (since it "
                                                                   "was created): Queue health's Oldest."),
        "of_target": st.column_config.NumberColumn("Of target", format="%.0f %%",
                                                   help="That age as a share of the queue's resolution target."),
        "target": st.column_config.TextColumn("Target", help="The queue's resolution target."),
    }
    _link_and_place(columns, shown)
    tables.table(queries.memo(shown, _selected, tuple(columns)), hide_index=True, column_config=columns, key=key)


def _age_rows(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.with_columns(
        texts_of(rows, format_duration, "oldest_age_seconds").alias("oldest"),
        pl.Series("target", [format_duration(m * 60.0) for m in rows["resolution_target_min"].to_list()],
                  dtype=pl.String),
        (pl.col("age_of_target") * 100).alias("of_target"),
    )
