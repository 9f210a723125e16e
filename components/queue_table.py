"""The queue-health table: one row per queue or group, worst first, with a colour state."""

from __future__ import annotations

import polars as pl
import streamlit as st

from components.charts import marked
from components.navigation import page_is_built

STATE_MARKS = {"red": "breached", "amber": "at risk", "green": "on track"}


def queue_health_table(table: pl.DataFrame, group_by: str, key: str) -> None:
    if table.height == 0:
        st.info("No queues match the filters.")
        return
    hours = 3600.0
    shown = table.with_columns(
        marked(pl.col("state").replace_strict(STATE_MARKS, return_dtype=pl.String), pl.col("state")).alias("State"),
        (pl.col("oldest_age_seconds") / hours).alias("oldest_h"),
        (pl.col("age_p50_seconds") / hours).alias("p50_h"),
        (pl.col("age_p90_seconds") / hours).alias("p90_h"),
    )
    columns = {
        "State": st.column_config.TextColumn("State", help="Red: a case past its SLA target. Amber: a case at 75 % of a target, "
                                             "or a backlog that will not clear within the first-action target."),
        "label": st.column_config.TextColumn(group_by.title() if group_by != "queue" else "Queue"),
        "backlog": st.column_config.NumberColumn("Backlog", format="%d"),
        "new": st.column_config.NumberColumn("New", format="%d"),
        "queued": st.column_config.NumberColumn("Queued", format="%d"),
        "in_review": st.column_config.NumberColumn("In review", format="%d"),
        "pending_info": st.column_config.NumberColumn("Pending", format="%d"),
        "escalated": st.column_config.NumberColumn("Escalated", format="%d"),
        "oldest_h": st.column_config.NumberColumn("Oldest (h)", format="%.1f"),
        "oldest_case_id": st.column_config.TextColumn("Oldest case"),
        "p50_h": st.column_config.NumberColumn("Age p50 (h)", format="%.1f"),
        "p90_h": st.column_config.NumberColumn("Age p90 (h)", format="%.1f"),
        "inflow_1h": st.column_config.NumberColumn("In 1 h", format="%d"),
        "outflow_1h": st.column_config.NumberColumn("Out 1 h", format="%d"),
        "inflow_24h": st.column_config.NumberColumn("In 24 h", format="%d"),
        "outflow_24h": st.column_config.NumberColumn("Out 24 h", format="%d"),
        "reviewers_on_shift": st.column_config.NumberColumn("On shift", format="%d",
                                                            help="Reviewers on shift now in the team(s) working this queue."),
        "throughput_per_staffed_hour": st.column_config.NumberColumn("Per staffed h", format="%.1f",
                                                                     help="Human decisions per staffed reviewer-hour, last 24 h."),
        "projected_hours_to_clear": st.column_config.NumberColumn("Clears in (h)", format="%.1f",
                                                                  help="Backlog ÷ (capacity now − inflow per hour); empty when not shrinking."),
        "breached": st.column_config.NumberColumn("Breached", format="%d"),
        "at_risk": st.column_config.NumberColumn("At risk", format="%d"),
    }
    if page_is_built("case"):
        shown = shown.with_columns(("case?case_id=" + pl.col("oldest_case_id")).alias("oldest_case_id"))
        columns["oldest_case_id"] = st.column_config.LinkColumn("Oldest case", display_text=r"case_id=(.*)")
    st.dataframe(
        shown.select(list(columns)),
        hide_index=True,
        column_config=columns,
        key=key,
        height=min(38 + 35 * shown.height, 520),
    )
