"""Capacity: where demand is heading, how many reviewers each queue group needs hour by hour to
meet its first-action target, against the roster; backlog and breaches ahead; vendor hours; what-if."""

import streamlit as st

import queries
from components import capacity_charts as charts
from components import plain, shell, sidebar_filters, times
from queries import demand_forecasts, plans
from watchfloor import capacity as cap
from watchfloor.config import ConfigError, load_settings
from watchfloor.warehouse import first_line

LEVELS = {"team": "Queue group", "rvt": "Region × vertical × tier", "queue": "Queue"}

user = shell.guard("capacity")
as_of = shell.as_of()
chosen = sidebar_filters.current_filters(as_of.date())
warehouse = load_settings().warehouse

st.title("Capacity", anchor=False)
st.caption(f"As of {times.at(as_of)}. Reviewers needed per queue group (a team and the queues it works) "
           "by Erlang C from the demand forecast, against the roster. The region and vertical filters choose "
           "the groups; the date range, priority and vendor filters do not apply.")

try:
    base = cap.defaults()
except ConfigError as exc:
    st.error(f"Capacity settings: {exc}")
    st.stop()
data = shell.fetch_or_stop(plans.capacity(as_of, chosen))
groups = queries.memo(data["queues"], cap.groups)  # kept per result, as the outlook below
scope = cap.in_scope(groups, data["queues"], list(chosen.regions), list(chosen.verticals))
if not scope:
    st.info("No queue group matches the filters.")
    st.stop()
labels = dict(zip(groups["team"], groups["label"]))

scenario = charts.what_if(base, groups.filter(groups["team"].is_in(scope)))
# Fitted in the background (when the server starts, after midnight UTC): never waited for here.
forecast = charts.ready_or_pending(demand_forecasts.group_forecast_started(warehouse, as_of, data["arrivals"],
                                                                 groups["team"].to_list()),
                                   "The demand forecast of every queue group is being prepared (fitted once a day, in "
                                   "the background). Staffing, backlog and vendor figures appear here when it is "
                                   "ready; the page fills in by itself.")
zone = times.zone()  # the reader's display time zone (UTC unless they chose one)
if forecast is not None:
    view = queries.memo(data["roster"], cap.outlook_of, data["queues"], data["backlog"], data["vendors"], groups,
                           forecast, as_of, tuple(scope), scenario)
    note = charts.scenario_note(scenario, base)
    if note:
        st.info(note, icon=":material/tune:")
    charts.tiles(view)

    st.subheader("Staffing gap, next 7 days", anchor=False)
    by = st.segmented_control("Rows", options=["label", "region"], default="label", key="capacity_gap_by",
                              format_func={"label": "Queue group", "region": "Region"}.__getitem__) or "label"
    week = cap.next_days(view.frame, as_of, 7)
    charts.gap_heatmap(cap.gap_by(week, by), by, zone, key="capacity_gap_heatmap")
    st.markdown("**Worst under-staffed hours**")
    charts.worst_hours_table(cap.worst_hours(week), zone, key="capacity_worst_hours")

    st.subheader("Backlog and breaches, next 48 hours", anchor=False)
    charts.backlog_table(view.backlog_summary, key="capacity_backlog_table")
    shown = st.selectbox("Queue group", options=view.backlog_summary["team"].to_list(), format_func=labels.__getitem__,
                         key="capacity_backlog_group")
    charts.backlog_chart(cap.group_projection(view.projection, shown), zone, key="capacity_backlog_chart")

st.subheader("Demand forecast", anchor=False)
level = st.segmented_control("Forecast for", options=list(LEVELS), format_func=LEVELS.__getitem__, default="team",
                             key="capacity_forecast_level") or "team"
if level == "team":
    team = st.selectbox("Queue group", options=scope, format_func=labels.__getitem__, key="capacity_forecast_group")
    history = cap.group_history(data["arrivals"], team)
    series = None if forecast is None else forecast.filter(forecast["team"] == team)
else:
    choices = cap.queue_sets(data["queues"].filter(data["queues"]["team"].is_in(scope)))[level]
    name = st.selectbox(LEVELS[level], options=list(choices), key=f"capacity_forecast_{level}")
    history = shell.fetch_or_stop(plans.capacity_series(as_of, list(choices[name])))["history"]
    series = charts.ready_or_pending(demand_forecasts.series_forecast_started(warehouse, as_of, f"{level}:{name}", history),
                                     "Its forecast is being fitted in the background; it appears here when ready.")
charts.forecast_chart(history, series, as_of, zone, key="capacity_forecast_chart")
st.caption("MSTL (daily and weekly seasonality, AutoETS level and trend) on the 6 weeks before 00:00 UTC today, "
           "with past spikes and holidays damped; the band is the 80 % prediction interval, calibrated on the "
           "model's own errors over the 14 days before that.")


@st.fragment(run_every=5)
def accuracy() -> None:
    backtest = demand_forecasts.group_backtest(warehouse, as_of, data["arrivals"], groups["team"].to_list())
    if not backtest.done():
        st.info("The backtest of the last 4 weeks is running in the background; it appears here when done.",
                icon=":material/hourglass_top:")
        return
    error = backtest.exception()
    if error is not None:
        st.error(f"The backtest could not be run: {plain.md(first_line(error))}")
        return
    per_group = backtest.result().filter(backtest.result()["team"].is_in(scope))
    summary = cap.backtest_summary(per_group)
    if summary["ratio"] is None:
        st.info("Not enough history for a backtest: it needs 12 weeks of arrivals.")
        return
    st.metric("Forecast error against seasonal naive", f"{1 - summary['ratio']:.1%} lower", border=True,
              help=f"Mean MASE {summary['model_mase']:.3f} against {summary['naive_mase']:.3f} for the seasonal-naive "
                   f"forecast (the same hour a week earlier), over {summary['groups']} groups and origins 28, 21 "
                   f"and 14 days ago, 14 days ahead each. {summary['coverage']:.0%} of arrivals fell inside the 80 % interval.")
    charts.backtest_table(per_group, groups, key="capacity_backtest_table")


st.subheader("Forecast accuracy, last 4 weeks", anchor=False)
accuracy()

if forecast is not None:
    st.subheader("Vendors: reviewer hours per week", anchor=False)
    st.caption("Each group's scheduled need split by its vendors' shares of its roster over the last 4 weeks, "
               "against the hours each vendor is contracted for per week.")
    charts.vendor_table(view.vendor_hours, as_of, key="capacity_vendor_table")

    st.subheader("Export", anchor=False)
    charts.plan_download(cap.plan_csv(view.frame), as_of, key="capacity_plan_csv")
