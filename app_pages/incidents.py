"""Incidents: what escalated in the date range, how fast it was handled, and the story of each one."""

import streamlit as st

from components import incident_charts as charts
from components import sensitivity, shell, sidebar_filters, times
from queries import plans
from watchfloor import incidents as inc
from watchfloor import spike_record

user = shell.guard("incidents")
as_of = shell.as_of()
chosen = sidebar_filters.current_filters(as_of.date())
period = chosen.period_params()

st.title("Incidents", anchor=False)
st.caption(
    f"Incidents open at any time from {chosen.start:%Y-%m-%d} to {chosen.end:%Y-%m-%d} (UTC days), as known at "
    f"{times.at(as_of)}. The sidebar date range applies; region, vertical, priority and vendor do not "
    "(an incident spans them)."
)

severity_column, status_column = st.columns(2)
with severity_column:
    severities = st.multiselect("Severity", options=list(inc.SEVERITIES), key="incidents_severity", placeholder="All")
with status_column:
    statuses = st.multiselect("Status", options=list(inc.STATUSES), format_func=str.capitalize,
                              key="incidents_status", placeholder="All")

data = shell.fetch_or_stop(plans.incidents(as_of, chosen))
listed = inc.filter_list(data["incidents"], severities, statuses)
if listed.height == 0:
    st.info("No incidents in this date range" + (" with these severities and statuses." if severities or statuses else ".")
            + " Widen the date range in the sidebar to see earlier ones.")
    st.stop()

charts.response_tiles(inc.response_summary(listed))

st.subheader("Timeline", anchor=False)
charts.gantt(inc.timeline(listed, as_of), period["period_start"], period["period_end"], as_of)

st.subheader("All incidents", anchor=False)
charts.incident_list(listed)

st.subheader("One incident", anchor=False)
incident = charts.choose_incident(listed)
story_column, chart_column = st.columns([1.1, 1])
with story_column:
    st.markdown("**Milestones and notes**")
    charts.story(inc.story(data["events"], incident))
with chart_column:
    st.markdown("**Linked cases per hour, with the milestones**")
    charts.hourly_chart(inc.hourly_for(data["hourly"], incident["incident_id"]), incident)
st.markdown("**The spike that set it off**",
            help="The spike detector's record of the incident's category (as on Trends & spikes, Home and the "
                 "Executive summary): the spike that overlaps the incident, from a day before it started.")
record = plans.spike_record(data["watched"], as_of, sensitivity.current())  # the spikes every page shows alike
charts.spike_facts(inc.detected_spike(record, incident, as_of), inc.spike(data["hourly"], incident, as_of), incident,
                   inc.ground_truth_note(incident, times.minute_stamp), spike_record.coverage_note(record, incident["started_at"] - inc.LEAD,
                                                                                  times.hour_stamp))

st.subheader("Linked cases", anchor=False)
linked = shell.fetch_or_stop(plans.incident_cases(as_of, incident["incident_id"]))
charts.linked_cases(linked["cases"], incident, user.role)
