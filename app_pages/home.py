"""Home: the daily health check — the last 24 hours against the same 24 hours a week earlier."""

import streamlit as st

import queries
from components import charts, sensitivity, shell, sidebar_filters, times
from components.kpi import kpi_tile, page_link
from components.queue_table import worst_by_age_table, worst_by_sla_table
from components.spike_lines import spike_list
from queries import plans
from watchfloor.compare import describe_count_change, describe_share_change
from watchfloor.formatting import format_count, format_share, versus
from watchfloor.home_figures import summarise_day
from watchfloor.labels import texts_of
from watchfloor.metrics import LAST_24H
from watchfloor.queue_health import WORST_QUEUES, health_table, worst_by_age, worst_by_sla

user = shell.guard("home")
as_of = shell.as_of()
chosen = sidebar_filters.current_filters(as_of.date())

st.title("Daily health", anchor=False)
st.caption(
    f"Last 24 hours to {times.at(as_of)} against the same 24 hours a week earlier. "
    "Region, vertical, priority and vendor filters apply; the date range does not."
)

data = shell.fetch_or_stop(plans.home(as_of, chosen))

# Worked out once per set of fetched frames, for every rerun and session that gets them.
health = queries.memo(data["flow"], summarise_day, data["sla"], data["sla_week_before"], data["incidents"],
                         data["backlog"], data["now"])
level = sensitivity.current()
backlog = data["backlog"]
rising = plans.rising_categories(data["watched"], as_of, level)
role = user.role
WEEK = "vs a week ago"

st.subheader("Volume", anchor=False)
inflow_tile, resolved_tile, backlog_tile, incidents_tile = st.columns(4)
with inflow_tile:
    kpi_tile(f"Inflow · {LAST_24H}", format_count(health.inflow.current), describe_count_change(health.inflow),
             help="Cases created in the last 24 hours.", higher_is_better=None,
             link_page="trends", role=role, compared_with=WEEK)
with resolved_tile:
    kpi_tile(f"Resolved · {LAST_24H}", format_count(health.resolved.current), describe_count_change(health.resolved),
             help="Cases resolved in the last 24 hours.", link_page="queue_health", role=role, compared_with=WEEK)
with backlog_tile:
    kpi_tile("Backlog now", format_count(health.backlog.current), describe_count_change(health.backlog),
             help="Open cases now (the sum of the bars of Backlog by state below), against open cases a week "
                  "ago at the same time.",
             higher_is_better=False, link_page="queue_health", role=role, compared_with=WEEK)
with incidents_tile:
    kpi_tile("Open incidents", format_count(health.open_incidents_total),
             note=" · ".join(f"{sev} {count}" for sev, count in health.open_incidents.items()),
             help="Incidents started and not yet resolved, by severity.",
             link_page="incidents", role=role)

st.subheader("Service levels", anchor=False)
first_tile, resolution_tile, breached_tile, at_risk_tile = st.columns(4)
with first_tile:
    kpi_tile(f"First-action SLA · {LAST_24H}", format_share(health.first_action_attainment.current),
             describe_share_change(health.first_action_attainment),
             help="Met ÷ (met + breached) over first-action clocks that stopped or breached in the last 24 hours.",
             link_page="sla", role=role, compared_with=WEEK)
with resolution_tile:
    kpi_tile(f"Resolution SLA · {LAST_24H}", format_share(health.resolution_attainment.current),
             describe_share_change(health.resolution_attainment),
             help="Met ÷ (met + breached) over resolution clocks that stopped or breached in the last 24 hours.",
             link_page="sla", role=role, compared_with=WEEK)
with breached_tile:
    kpi_tile("Breached now", format_count(health.breached_now.get("any", 0)),
             note=f"clocks: first action {health.breached_now.get('first_action', 0):,} · resolution {health.breached_now.get('resolution', 0):,}",
             help="Open cases with a clock already past its target (a case counts once; the note counts clocks).", link_page="sla", role=role)
with at_risk_tile:
    kpi_tile("At risk now", format_count(health.at_risk_now.get("any", 0)),
             note=f"clocks: first action {health.at_risk_now.get('first_action', 0):,} · resolution {health.at_risk_now.get('resolution', 0):,}",
             help="Open cases with a clock at 75 % of its target or more and none breached.", link_page="sla", role=role)

st.subheader("Queues furthest behind", anchor=False)
queue_rows = queries.memo(data["queue_flow"], health_table, data["open_cases"], None, "queue")
# One table under the other: side by side, their columns would be cut at 1440 px already.
st.markdown("**Most open cases past or near an SLA target now**")
worst_by_sla_table(queries.memo(queue_rows, worst_by_sla), role, key="home_worst_by_sla")
st.markdown("**Oldest open case against the resolution target**")
worst_by_age_table(queries.memo(queue_rows, worst_by_age), role, key="home_worst_by_age")
st.caption(f"The {WORST_QUEUES} worst queues, with Queue health's figures now (its Breached, At risk and Oldest "
           "columns). Here, as there, the region and priority filters pick queues by their own region and SLA "
           "policy. Age is counted from a case's creation, pauses included.")

backlog_column, rising_column = st.columns(2)
with backlog_column:
    st.subheader("Backlog by state", anchor=False)
    charts.backlog_by_state_bar(backlog, key="home_backlog_chart")
    page_link("queue_health", "Queue health →", role)
with rising_column:
    st.subheader("Top rising categories", anchor=False)
    if rising.height == 0:
        st.info("No category spiked in the last 24 hours: every category stayed within its expected range.")
    else:
        # Two lines a spike: a table of its figures scrolled sideways in this half column at 800 px.
        spike_list(rising, key="home_rising", peak=False,
                   last_24h=texts_of(rising, versus, "last_24h", "week_before").to_list())
    st.caption("Categories with a spike in the last 24 hours, found by the spike detector (each hour judged "
               "against the same hours of the weeks before) on the category and on each of its surfaces, regions "
               "and surface-region pairs, so a spike confined to one of them is seen too; ongoing first, then by "
               f"severity. Each: where, level, × expected, extra cases; from its onset to the end of its last "
               f"elevated hour (ongoing: still above its expected range); the last 24 hours against a week earlier. "
               f"Bursts (a batch landing at once, reports piling onto one account) are left out. "
               f"Sensitivity: {sensitivity.LABELS[level].lower()} (set on the Trends page).")
    page_link("trends", "Trends & spikes →", role)
