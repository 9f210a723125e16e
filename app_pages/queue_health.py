"""Queue health: where the backlog is, how old it is, who is on shift, and what will breach."""

from datetime import UTC, datetime

import streamlit as st

import queries
from components import charts, plain, shell, sidebar_filters, times
from components.queue_table import QUEUE_PARAM, queue_health_table
from queries import plans
from watchfloor.queue_health import GROUPINGS, HISTORY_DAYS, health_table, history_figures, history_window

REFRESH_CHOICES = {"15 s": 15, "30 s": 30, "1 min": 60, "5 min": 300}
RANGE_LABELS = {days: f"{days} days" for days in HISTORY_DAYS}

user = shell.guard("queue_health")
st.title("Queue health", anchor=False)
st.caption("Open cases now, flows over the last hour and 24 hours, and staffing on shift. "
           "Region, vertical, priority and vendor filters apply; the date range does not.")

# The queues in scope: the known values a link's ?queue= must be one of.
page_now = shell.as_of()
page_data = shell.fetch_or_stop(plans.queue_health(page_now, sidebar_filters.current_filters(page_now.date())))
scoped_queues = page_data["queue_flow"]
queue_names = dict(zip(scoped_queues["queue_id"].to_list(), scoped_queues["queue_name"].to_list()))
linked_queue = st.query_params.get(QUEUE_PARAM)
if linked_queue is not None and linked_queue not in queue_names:
    st.warning("The link names a queue that is not in the warehouse or not within the sidebar's filters: "
               "showing every queue.", icon=":material/info:")
    linked_queue = None

# The grouping on a row of its own: its five buttons are never clipped, even at 800 px.
group_by = st.segmented_control("Group by", options=list(GROUPINGS), format_func=GROUPINGS.__getitem__,
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
    chosen = sidebar_filters.current_filters(as_of.date())
    data = shell.fetch_or_stop(plans.queue_health(as_of, chosen))
    table = queries.memo(data["queue_flow"], health_table, data["open_cases"], data["vendor_flow"], group_by)
    updated = datetime.now(UTC).replace(tzinfo=None)
    st.caption(f"Updated at {times.at(updated, '%H:%M:%S')} · data as of {times.at(as_of)}")
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
    if linked_queue is not None and group_by == "queue":
        st.caption(f"Showing one queue, {plain.md(queue_names[linked_queue])}, from a link; the tiles above "
                   "count every queue.")
        if st.button("Show all queues", key="queue_health_show_all"):
            del st.query_params[QUEUE_PARAM]
            st.rerun()
        table = table.filter(table["group"] == linked_queue)
    queue_health_table(table, group_by, key="queue_health_table")
    st.subheader("Backlog and net flow, last 48 hours", anchor=False)
    charts.backlog_and_flow_chart(data["hourly"], key="queue_health_flow_chart")


live_view()


st.subheader("Queue history", anchor=False)
if not queue_names:
    st.info("No queues match the filters.")
    st.stop()
# Without a link, the queue at the top of the per-queue table (the worst).
ranked = queries.memo(scoped_queues, health_table, page_data["open_cases"], page_data["vendor_flow"], "queue")
ids = sorted(queue_names, key=lambda q: (queue_names[q] or q, q))
shown_first = linked_queue or (ranked["group"][0] if ranked.height else ids[0])
# The queue and the range on rows of their own: the four range buttons are never clipped at 800 px.
queue_column, _ = st.columns([2, 1])
queue_id = queue_column.selectbox("Queue", options=ids, format_func=lambda q: queue_names[q] or q,
                                  index=ids.index(shown_first), key=f"queue_history_queue_{linked_queue or ''}")
days = st.segmented_control("Range", options=list(HISTORY_DAYS), format_func=RANGE_LABELS.__getitem__, default=30,
                            key="queue_history_days") or 30
window = history_window(page_now, days)
history = shell.fetch_or_stop(plans.queue_history(page_now, sidebar_filters.current_filters(page_now.date()), queue_id, days))
figures = queries.memo(history["history"], history_figures, window)
target_min = scoped_queues.filter(scoped_queues["queue_id"] == queue_id)["resolution_target_min"].to_list()
charts.queue_history_chart(figures, window.hourly, target_min[0] / 60 if target_min else None,
                           key="queue_history_chart")
per = "hour" if window.hourly else "day"
st.caption(f"Per {per} over the last {days} days ({times.label() if window.hourly else 'UTC'}), "
           f"to {times.at(page_now)}: the backlog at the end of "
           f"each {per}, cases created in the queue (inflow) and resolved (outflow), and the age of the oldest "
           f"case open at the end (0 when none is). Dashed: the trailing 7-day average, the mean over the 7 "
           f"days before each {per}. The {per} still running is drawn faint. Each {per}'s backlog is the one "
           f"before plus inflow less outflow; the last point is the queue's backlog now, as in the table. The "
           f"vendor filter applies.")
