"""SLA: what is about to breach, how attainment went over the date range, and why breaches happen."""

import streamlit as st

import queries
from components import shell, sidebar_filters, sla_charts, times
from queries import plans
from watchfloor import sla_figures

user = shell.guard("sla")
as_of = shell.as_of()
chosen = sidebar_filters.current_filters(as_of.date())
hourly = sla_figures.hourly_buckets(chosen.start, chosen.end)

st.title("SLA", anchor=False)
st.caption(
    f"{chosen.start:%Y-%m-%d} to {chosen.end:%Y-%m-%d} (UTC days), clocks as of {times.at(as_of)}. "
    "All sidebar filters apply; *now* figures and *Next to breach* ignore the date range."
)

fetched = shell.fetch_or_stop(plans.sla(as_of, chosen))
period = chosen.period_params()
figures = queries.memo(fetched["clocks"], sla_figures.sla_figures, as_of, period["period_start"], period["period_end"],
                          hourly, fetched["now"])
data = {"policies": fetched["policies"], **figures}

sla_charts.headline(data["attainment"], data["now"], user.role)

st.subheader("Next to breach", anchor=False)
sla_charts.next_to_breach(data["next_to_breach"], as_of, user.role)

st.subheader("Attainment", anchor=False)
breakdown = st.selectbox("Break down by", options=list(sla_figures.BREAKDOWNS), format_func=sla_figures.BREAKDOWNS.__getitem__,
                         key="sla_breakdown", width=240)
sla_charts.attainment_charts(data["attainment"], breakdown, hourly)
sla_charts.breakdown_table(data["attainment"], breakdown)

st.subheader("Why breaches happen", anchor=False)
cause_clock = st.segmented_control("Clock", options=list(sla_figures.CLOCKS), format_func=sla_figures.CLOCK_LABELS.__getitem__,
                                   default=sla_figures.FIRST_ACTION, key="sla_causes_clock", required=True)
sla_charts.breach_causes(data["causes"], breakdown, cause_clock or sla_figures.FIRST_ACTION)

st.subheader("Breaches in the period", anchor=False)
breach_clock = st.segmented_control("Clock", options=list(sla_figures.CLOCK_CHOICES), format_func=sla_figures.CLOCK_CHOICES.__getitem__,
                                    default=sla_figures.BOTH, key="sla_breach_clock", required=True)
sla_charts.breach_list(data["breaches"], breach_clock or sla_figures.BOTH, as_of, user.role)

st.subheader("Policies in force", anchor=False)
sla_charts.policies(data["policies"])
