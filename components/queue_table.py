"""The queue-health table: one row per queue or group, worst first, with a colour state."""

from __future__ import annotations

import polars as pl
import streamlit as st

from components.charts import marked
from components.navigation import page_is_built
from watchfloor import metrics
from watchfloor import queue_health as qh
from watchfloor.labels import texts_of

STATE_MARKS = {"red": "behind", "amber": "at risk", "green": "on track"}


def queue_health_table(table: pl.DataFrame, group_by: str, key: str) -> None:
    if table.height == 0:
        st.info("No queues match the filters.")
        return
    hours = 3600.0
    shown = table.with_columns(
        marked(pl.col("state").replace_strict(STATE_MARKS, return_dtype=pl.String), pl.col("state")).alias("State"),
        (pl.col("new") + pl.col("queued")).alias("waiting"),
        (pl.col("oldest_age_seconds") / hours).alias("oldest_h"),
        (pl.col("age_p50_seconds") / hours).alias("p50_h"),
        (pl.col("age_p90_seconds") / hours).alias("p90_h"),
        texts_of(table, metrics.format_hours, "projected_hours_to_clear", skip_nulls=False).alias("clears_in"),
    )
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
        "oldest_case_id": st.column_config.TextColumn("Oldest case"),
    }
    if page_is_built("case"):
        shown = shown.with_columns(("case?case_id=" + pl.col("oldest_case_id")).alias("oldest_case_id"))
        columns["oldest_case_id"] = st.column_config.LinkColumn("Oldest case", display_text=r"case_id=(.*)")
    st.dataframe(
        shown.select(list(columns)),
        hide_index=True,
        placeholder="–",  # an empty queue has no ages: a dash, never "None"
        column_config=columns,
        key=key,
        height=min(38 + 35 * shown.height, 520),
    )
