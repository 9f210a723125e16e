"""Vendors: each vendor against its contract on throughput, quality and SLA, by vendor, region,
site or week; two vendors side by side; exports."""

import streamlit as st

import queries
from components import shell, sidebar_filters, times, vendor_charts
from queries import plans
from watchfloor import vendors as v

user = shell.guard("vendors")
as_of = shell.as_of()
chosen = sidebar_filters.current_filters(as_of.date())

st.title("Vendors", anchor=False)
st.caption(
    f"{chosen.start:%Y-%m-%d} to {chosen.end:%Y-%m-%d} (UTC days), as of {times.at(as_of)}. "
    "The filters apply to the queues the work was done in and to the reviewers' vendor."
)

fetched = shell.fetch_or_stop(plans.vendors(as_of, chosen))
data = queries.memo(fetched["work"], v.vendor_figures, fetched["quality"], fetched["outcomes"], fetched["contracts"],
                      fetched["sla"])
if data["vendor"].height == 0:
    st.info("No vendor work, QA checks or appeals in this period for these filters. Widen the date range or the filters.")
    st.stop()

st.subheader("Scorecards", anchor=False)
vendor_charts.grade_tiles(data["vendor"])
level = st.segmented_control("Show by", options=list(v.LEVELS), format_func=v.LEVELS.__getitem__, default="vendor",
                             key="vendors_level", required=True) or "vendor"
vendor_charts.scorecard_table(data[level], key=f"vendors_table_{level}")

st.subheader("Week by week", anchor=False)
trend_figures = [f.key for f in v.FIGURES]
trend = st.selectbox("Figure", options=trend_figures, format_func=lambda k: v.FIGURES_BY_KEY[k].label,
                     index=trend_figures.index("qa_accuracy"), key="vendors_trend_figure", width=300)
vendor_charts.weekly_trend(data["week"], trend or "qa_accuracy", chosen.start, chosen.end, key="vendors_trend_chart")

st.subheader("Side by side", anchor=False)
names = dict(zip(data["vendor"]["vendor_id"], data["vendor"]["vendor"]))
ids = sorted(names, key=names.__getitem__)
if len(ids) < 2:
    st.info("Only one vendor has work in this period for these filters.")
else:
    left, right = st.columns(2)
    first = left.selectbox("Vendor", options=ids, format_func=names.__getitem__, index=0, key="vendors_compare_first")
    others = [x for x in ids if x != first]
    second = right.selectbox("Compared with", options=others, format_func=names.__getitem__, index=0,
                             key="vendors_compare_second")
    vendor_charts.side_by_side(data["vendor"], first, second, key="vendors_compare_table")

st.subheader("Agreement with QA by category", anchor=False)
vendor_charts.kappa_heatmap(data["kappa"], names, key="vendors_kappa_chart")

st.subheader("Export", anchor=False)
vendor_charts.exports(data[level], level, data["week"], data["kappa"], chosen.start, chosen.end, as_of, data["vendor"])
