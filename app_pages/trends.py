"""Trends & spikes: which abuse patterns are rising, since when, how big, which cases, and is the
classifier catching them."""

import streamlit as st

import queries
from components import plain, sensitivity, shell, sidebar_filters, times, trends_charts
from queries import plans
from watchfloor import spike_record
from watchfloor import trends as tr

user = shell.guard("trends")
as_of = shell.as_of()
chosen = sidebar_filters.current_filters(as_of.date())
period = chosen.period_params()
start, end = period["period_start"], period["period_end"]

st.title("Trends & spikes", anchor=False)
st.caption(
    f"{chosen.start:%Y-%m-%d} to {chosen.end:%Y-%m-%d} (UTC days), as of {times.at(as_of)}. All sidebar "
    "filters apply. Spikes are judged point by point against the weeks before, as they would have been live."
)

dimension_column, step_column = st.columns([2, 1])
with dimension_column:
    dimension = st.segmented_control("Break down by", options=list(tr.DIMENSIONS), format_func=tr.DIMENSIONS.__getitem__,
                                     default="category", key="trends_dimension", required=True) or "category"
with step_column:
    hourly = st.segmented_control("Buckets", options=[True, False], format_func=lambda h: "Hourly" if h else "Daily",
                                  default=tr.default_hourly(start, end), key="trends_hourly", required=True)
    hourly = tr.default_hourly(start, end) if hourly is None else hourly
sensitivity_column, cost_column = st.columns([1, 1], vertical_alignment="bottom")
with sensitivity_column:
    level = sensitivity.control()
cost = cost_column.empty()  # what the setting costs, once the alerts are worked out

data = shell.fetch_or_stop(plans.trends(as_of, chosen, dimension=dimension, hourly=hourly))
# The detector judges complete buckets only: asked as of the last one, its figures are kept for the
# bucket (an hour) instead of being computed again every refresh interval.
judged = tr.judged_end(end, as_of, hourly)
view = queries.memo(data["series"], tr.spike_view, dimension, start, end, judged, hourly, level)
record = plans.spike_record(data["watched"], as_of, level)  # the spikes every page shows alike
watched = plans.watched_view(record, data["watched"], start, end)
# The breakdown's own spikes, on the record's window like the watched alerts (none by category).
breakdown = None if dimension == "category" else plans.breakdown_view(
    data["breakdown"], dimension, spike_record.hour_of(as_of), level, start, end)
spikes = plans.spike_list(breakdown, watched, dimension)
movers = queries.memo(data["series"], tr.movers, dimension, start, end, as_of)
trends_charts.sensitivity_cost(cost, watched.rate, sensitivity.LABELS[level])

trends_charts.headline(spikes, movers, dimension, user.role)

st.subheader("Current and recent spikes", anchor=False)
selected = trends_charts.spike_table(spikes, dimension)
if (note := spike_record.coverage_note(record, start, times.hour_stamp)) is not None:
    st.caption(note)

st.subheader("Volume", anchor=False)
if selected is not None and selected["source"] == "watched":
    # A watched alert: its own hourly series (category, surface, region) with its band.
    trends_charts.scope_chart(queries.memo(data["watched"], tr.scope_points, selected["category"],
                                              selected["surface"], selected["region"], start,
                                              spike_record.hour_of(as_of), level),
                              selected)
elif selected is not None and breakdown is not None and selected["source"] == "breakdown":
    # A breakdown value's spike: its hourly series as the spike was judged, with its band.
    trends_charts.scope_chart(breakdown.points.filter(breakdown.points["key"] == selected["key"]), selected)
else:
    options = trends_charts.series_options(view, dimension)
    # One selector per chosen spike, so that choosing a spike shows its series.
    picked = f"{selected['key']}_{selected['onset']:%Y%m%d%H}" if selected else "none"
    shown = st.selectbox("Series", options=list(options), format_func=options.__getitem__,
                         key=f"trends_series_{dimension}_{picked}",
                         index=list(options).index(selected["key"]) if selected and selected["key"] in options else 0,
                         width=320)
    trends_charts.volume_chart(view, dimension, shown, selected)

if selected is not None:
    st.subheader(f"Cases behind the {plain.md(selected['label'])} spike", anchor=False)
    spike_start, spike_end = tr.spike_case_window(selected, view.bucket)
    cases = shell.fetch_or_stop(plans.trends_spike_cases(chosen, **tr.spike_case_scope(selected, dimension),
                                                         spike_start=spike_start, spike_end=spike_end))
    trends_charts.spike_cases(cases["cases"], selected, user.role)

st.subheader("Alerts a week by category", anchor=False)
trends_charts.alert_rate_chart(watched.rate, sensitivity.LABELS[level])

st.subheader("Top movers", anchor=False)
trends_charts.movers_table(movers, dimension, tr.movers_period_label(start, end, as_of, times.at))

st.subheader("Emerging patterns", anchor=False)
st.caption("Subcategories, languages, surfaces and organisations whose share of all cases rose most against the "
           f"period of the same length before (organisations with at least {tr.MIN_ORG_CASES} cases).")
trends_charts.emerging_patterns(queries.memo(data["shares"], tr.emerging))

st.subheader("Classifier signal", anchor=False)
trends_charts.classifier_signal(queries.memo(data["classifier"], tr.classifier_table),
                                queries.memo(data["classifier"], tr.classifier_overall),
                                data["classifier_volume"], hourly)
