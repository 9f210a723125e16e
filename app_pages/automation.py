"""Automation & routing: where cases flow and bounce, which stage makes them breach and which grew,
how the classifiers do against people, and what could be automated safely."""

import streamlit as st

import queries
from components import automation_charts as charts
from components import shell, sidebar_filters, times
from queries import plans
from watchfloor import automation as au

user = shell.guard("automation")
as_of = shell.as_of()
chosen = sidebar_filters.current_filters(as_of.date())
period = chosen.period_params()
start, end = period["period_start"], period["period_end"]
days = au.period_days(start, end, as_of)

st.title("Automation & routing", anchor=False)
st.caption(
    f"Cases created {chosen.start:%Y-%m-%d} to {chosen.end:%Y-%m-%d} (UTC days), as of {times.at(as_of)}. "
    "All sidebar filters apply (vertical: the case's current queue). Classifier drift compares the period with "
    "the four weeks before it."
)

data = shell.fetch_or_stop(plans.automation(as_of, chosen))
figures = data["figures"]
rates = queries.memo(figures, au.rates_of)
if rates["cases"] == 0:
    st.info("No case in this period for these filters. Widen the date range or the filters.")
    st.stop()

charts.headline(rates, user.role)

st.subheader("Routing flow", anchor=False)
flow = queries.memo(figures, au.flow_of)
charts.sankey(flow)
link = charts.links_table(flow)
if link is not None:  # the cases one by one, read only when a band is picked
    behind, total = au.link_cases(shell.fetch_or_stop(plans.automation_cases(as_of, chosen))["cases"], link)
    charts.link_cases(behind, total, link, user.role)

st.markdown("**Time per stage**")
charts.stage_table(queries.memo(figures, au.stage_times_of))
st.markdown("**Where breached cases lost their time, per queue group**")
charts.breach_table(queries.memo(figures, au.breach_stages_of))

st.subheader("Bottlenecks over time", anchor=False)
daily = queries.memo(data["stage_hours"], au.complete_days, start, end, as_of)
charts.bottleneck_chart(daily)
charts.bottleneck_table(queries.memo(daily, au.bottlenecks))
st.caption("Hours of case-time a day in each stage, over every case open that day (complete UTC days only), "
           "the stage that grew most first.")

st.subheader("Classifier feedback", anchor=False)
quality = queries.memo(data["classifier"], au.classifier_quality, data["category_decisions"], start, end)
charts.classifier_table(quality)
drift = queries.memo(data["classifier"], au.score_drift, start, end)
if quality.height:
    names = sorted(quality["classifier"].unique().to_list(),
                   key=lambda name: (drift.filter(drift["classifier"] == name)["psi"].fill_null(-1).max() or 0) * -1)
    picked = st.selectbox("Classifier", options=names, key="automation_classifier", width=320)
    trend_column, drift_column = st.columns(2)
    with trend_column:
        st.markdown("**Precision and recall by week**")
        charts.classifier_trend(queries.memo(data["classifier"], au.classifier_weekly, data["category_decisions"], end),
                                picked)
    with drift_column:
        st.markdown("**Score distribution against the four weeks before**")
        charts.score_band_chart(queries.memo(data["classifier"], au.score_bands, picked, start, end), picked)
    charts.drift_table(drift)

    st.subheader("Threshold what-if", anchor=False)
    current = au.current_threshold(queries.memo(figures, au.lowest_automated), picked)
    curve = queries.memo(queries.memo(figures, au.threshold_rows), au.threshold_curve, picked, days)
    threshold = st.select_slider("Auto-action threshold", options=list(au.THRESHOLDS),
                                 value=au.default_threshold(current),
                                 format_func=lambda t: f"{t:.2f}", key=f"automation_threshold_{picked}")
    charts.threshold_tiles(au.threshold_point(curve, threshold), user.role)
    charts.threshold_chart(curve, threshold, current, picked)
    charts.threshold_caption(picked, current)

st.subheader("Automation candidates", anchor=False)
review = queries.memo(figures, au.review_rows)
charts.candidates_table(queries.memo(data["candidates"], au.candidates, review, days))
st.caption("Categories and sources ranked by how safely they could be decided automatically: high agreement "
           "between the first decision and people (precision), QA agreeing with reviewers, few appeals overturned; "
           "then by the reviewer hours they take.")
