"""Queue health: where the backlog is, how old it is, who is on shift, and what will breach."""

from datetime import datetime

import streamlit as st

import queries
from components import charts, filters, shell
from components.queue_table import queue_health_table
from queries import plans
from watchfloor.queue_health import GROUPINGS, health_table

REFRESH_CHOICES = {"15 s": 15, "30 s": 30, "1 min": 60, "5 min": 300}

user = shell.guard("queue_health")
st.title("Queue health", anchor=False)
st.caption("Open cases now, flows over the last hour and 24 hours, and staffing on shift. "
           "Region, vertical, priority and vendor filters apply; the date range does not.")

# The grouping on a row of its own: its five buttons are never clipped, even at 800 px.
group_by = st.segmented_control("Group by", options=list(GROUPINGS), format_func=GROUPINGS.get,
                                default="queue", key="queue_health_group_by") or "queue"
refresh_column, interval_column, _ = st.columns([1.7, 1, 1.3], vertical_alignment="bottom")
with refresh_column:
    auto_refresh = st.toggle("Refresh automatically", value=True, key="queue_health_auto_refresh")
with interval_column:
    interval = st.selectbox("Every", options=list(REFRESH_CHOICES), index=1, key="queue_health_interval",
                            disabled=not auto_refresh)


@st.fragment(run_every=REFRESH_CHOICES[interval] if auto_refresh else None)
def live_view() -> None:
    shell.guard("queue_health")  # a timed rerun runs only this function: the user is checked again here
    as_of = shell.as_of()
    chosen = filters.current_filters(as_of.date())
    data = shell.fetch_or_stop(plans.queue_health(as_of, chosen))
    table = queries.derived(data["queue_flow"], health_table, data["open_cases"], data["vendor_flow"], group_by)
    st.caption(f"Updated at {datetime.now():%H:%M:%S} · data as of {as_of:%Y-%m-%d %H:%M} UTC")
    red, amber = (table["state"] == "red").sum(), (table["state"] == "amber").sum()
    backlog_tile, breached_tile, at_risk_tile, states_tile = st.columns(4)
    backlog_tile.metric("Backlog now", f"{table['backlog'].sum():,}", border=True,
                        help="Open cases now, the same figure as Home's Backlog now.")
    breached_tile.metric("Breached now", f"{table['breached'].sum():,}", border=True,
                         help="Open cases with a clock past its SLA target (a case counts once), as on Home and SLA.")
    at_risk_tile.metric("At risk now", f"{table['at_risk'].sum():,}", border=True,
                        help="Open cases at 75 % of a target or more, none past it, as on Home and SLA.")
    states_tile.metric(f"{GROUPINGS[group_by]}s red / amber", f"{red:,} / {amber:,}", border=True,
                       help=f"Of {table.height:,}. Red: 10 % or more of the backlog past a target; amber: a case past "
                            "a target, or 10 % or more of the backlog at risk.")
    queue_health_table(table, group_by, key="queue_health_table")
    st.subheader("Backlog and net flow, last 48 hours", anchor=False)
    charts.backlog_and_flow_chart(data["hourly"], key="queue_health_flow_chart")


live_view()
