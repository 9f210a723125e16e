"""Quality: how accurate reviewers are against QA and golden sets, where they err, how well they
agree per category, and who most needs calibration. Reviewers appear by id only."""

import streamlit as st

import queries
from components import quality_charts, shell, sidebar_filters, times
from queries import plans
from watchfloor import quality as q
from watchfloor.labels import category_label

user = shell.guard("quality")
as_of = shell.as_of()
chosen = sidebar_filters.current_filters(as_of.date())

st.title("Quality", anchor=False)
st.caption(
    f"QA checks made {chosen.start:%Y-%m-%d} to {chosen.end:%Y-%m-%d} (UTC days), as of {times.at(as_of)}. "
    "Region, vertical and priority apply to the case's queue; vendor to the reviewer's."
)

fetched = shell.fetch_or_stop(plans.quality(as_of, chosen))
data = queries.memo(fetched["reviews"], q.quality_figures, chosen.start, chosen.end)
if data["summary"].checks + data["summary"].golden_items == 0:
    st.info("No QA checks or golden-set items in this period for these filters. Widen the date range or the filters.")
    st.stop()

quality_charts.headline(data["summary"])

left, right = st.columns(2)
with left:
    st.subheader("Reviewer accuracy", anchor=False)
    quality_charts.accuracy_distribution(data["histogram"], key="quality_histogram")
with right:
    st.subheader("Golden set over time", anchor=False)
    quality_charts.golden_over_time(data["golden"], data["weekly"], key="quality_golden_chart")

st.subheader("Who needs calibration", anchor=False)
quality_charts.calibration(data["calibration"], key="quality_calibration_table")

st.subheader("Errors by category", anchor=False)
quality_charts.errors_by_category(data["errors"], key="quality_errors_chart")
categories = sorted(fetched["reviews"]["category"].unique().to_list(), key=category_label)
category = st.selectbox("Confusion for", options=["all", *categories],
                        format_func=lambda c: "All categories" if c == "all" else category_label(c),
                        key="quality_confusion_category", width=300)
quality_charts.confusion(q.confusion(fetched["reviews"], None if category in (None, "all") else category),
                         key="quality_confusion_chart")

st.subheader("Agreement by category", anchor=False)
quality_charts.agreement_table(data["agreement"], key="quality_agreement_table")
