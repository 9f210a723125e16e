"""The Capacity page's pieces: what-if controls, staffing-gap heatmap, backlog, forecast, vendors.

Names from the warehouse (groups, queues, vendors) reach the charts HTML-escaped, so plotly shows
them as plain text; tables show them as cell values.
"""

from __future__ import annotations

import html
from concurrent.futures import Future
from datetime import datetime, timedelta

import numpy as np
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from components import chart_style as style
from components import plain, tables, times
from watchfloor import capacity as cap
from watchfloor import palette as pal
from watchfloor.warehouse import first_line

UNDER, OVER, EVEN = pal.BRICK, pal.SEA_GREEN, pal.PALE_GREY
TILE_WIDTH = 230
FORECAST, ACTUAL, BAND = pal.THEME, pal.CHARCOAL, pal.translucent(pal.THEME, 0.18)


# --- forecasts fitted in the background -------------------------------------------------------

POLL_SECONDS = 2


def ready_or_pending(fit: Future, waiting: str) -> pl.DataFrame | None:
    """The frame of a background fit if it is done; otherwise None, with `waiting` shown and the whole
    page run again once the fit is done (checked every POLL_SECONDS), so the page never waits for it."""
    if fit.done():
        error = fit.exception()
        if error is not None:
            st.error(f"The forecast could not be fitted: {plain.md(first_line(error))}")
            return None
        return fit.result()
    st.info(waiting, icon=":material/hourglass_top:")
    _rerun_when_done(fit)
    return None


@st.fragment(run_every=POLL_SECONDS)
def _rerun_when_done(fit: Future) -> None:
    if fit.done():
        st.rerun()


# --- what-if -----------------------------------------------------------------------------------


def what_if(base: cap.Defaults, groups: pl.DataFrame) -> cap.Scenario:
    """The what-if controls (an expander); the page recomputes with what they say."""
    labels = dict(zip(groups["team"], groups["label"]))
    with st.expander("What if…", expanded=False, icon=":material/tune:"):
        left, middle, right = st.columns(3)
        arrivals = left.slider("Arrivals change (%)", -50, 200, 0, step=5, key="capacity_arrivals_change")
        aht = left.slider("Handle time change (%)", -50, 100, 0, step=5, key="capacity_aht_change")
        level = middle.slider("Service level (%)", 50, 99, int(round(base.service_level * 100)),
                              key="capacity_service_level",
                              help="Share of cases whose first action comes within the target.")
        target = middle.number_input("First-action target (min, 0: each queue's policy)", min_value=0,
                                     max_value=10_080, value=0, step=5, key="capacity_target_minutes")
        occupancy = right.slider("Maximum occupancy (%)", 50, 100, int(round(base.max_occupancy * 100)),
                                 key="capacity_max_occupancy")
        shrinkage = right.slider("Shrinkage (%)", 0, 60, int(round(base.shrinkage * 100)), key="capacity_shrinkage",
                                 help="Rostered time not spent on cases: breaks, wellness time, coaching, training.")
        st.markdown("**Spike scenario**")
        a, b, c, d = st.columns(4)
        options = ["", "*", *labels]
        group = a.selectbox("Queue group", options=options, key="capacity_spike_group",
                            format_func=lambda k: "No spike" if k == "" else ("Every group" if k == "*" else labels[k]))
        multiplier = b.number_input("Arrivals ×", min_value=1.0, max_value=20.0, value=3.0, step=0.5,
                                    key="capacity_spike_multiplier", disabled=group == "")
        start = c.number_input("Starting in (h)", min_value=0, max_value=cap.HORIZON_HOURS - 1, value=0,
                               key="capacity_spike_start", disabled=group == "")
        hours = d.number_input("Lasting (h)", min_value=1, max_value=cap.HORIZON_HOURS, value=6,
                               key="capacity_spike_hours", disabled=group == "")
    spike = None
    if group:
        spike = cap.Spike(float(multiplier), int(start), int(hours), None if group == "*" else group)
    return cap.Scenario(service_level=level / 100.0, max_occupancy=occupancy / 100.0, shrinkage=shrinkage / 100.0,
                        arrivals_change=arrivals / 100.0, aht_change=aht / 100.0,
                        target_minutes=float(target) if target else None, spike=spike)


def scenario_note(scenario: cap.Scenario, base: cap.Defaults) -> str | None:
    """One line saying what the what-if changed, or None for the plan itself."""
    parts = []
    if scenario.arrivals_change:
        parts.append(f"arrivals {scenario.arrivals_change:+.0%}")
    if scenario.aht_change:
        parts.append(f"handle time {scenario.aht_change:+.0%}")
    if scenario.service_level != base.service_level:
        parts.append(f"service level {scenario.service_level:.0%}")
    if scenario.target_minutes is not None:
        parts.append(f"target {scenario.target_minutes:g} min for every group")
    if scenario.max_occupancy != base.max_occupancy:
        parts.append(f"occupancy cap {scenario.max_occupancy:.0%}")
    if scenario.shrinkage != base.shrinkage:
        parts.append(f"shrinkage {scenario.shrinkage:.0%}")
    if scenario.spike is not None:
        parts.append(f"a spike ×{scenario.spike.multiplier:g} for {scenario.spike.hours} h from {scenario.spike.start_hour} h ahead")
    return "What-if: " + ", ".join(parts) + "." if parts else None


# --- tiles -------------------------------------------------------------------------------------


def tiles(outlook: cap.Outlook) -> None:
    """Four tiles that wrap two by two (or one by one) on a narrow screen."""
    now = outlook.now_row
    with st.container(horizontal=True, wrap=True):
        st.metric("Reviewers needed now", f"{now['needed_scheduled']:,.0f}", border=True, width=TILE_WIDTH,
                  help="Head count to schedule for the current hour (after shrinkage), all groups in scope.")
        st.metric("On the roster now", f"{now['rostered']:,.1f}", border=True, width=TILE_WIDTH,
                  delta=f"{now['rostered'] - now['needed_scheduled']:+,.1f} against the need", delta_color="normal",
                  help="Reviewer-hours on the roster in the current hour.")
        st.metric("Short group-hours, 7 days", f"{outlook.short_hours_week:,}", border=True, width=TILE_WIDTH,
                  help="Hours of the next 7 days, counted per queue group, whose roster is below the head count needed.")
        st.metric("Expected breaches, 48 h", f"{outlook.expected_breaches:,.0f}", border=True, width=TILE_WIDTH,
                  help="Cases expected to get their first action after their first-action target in the next 48 hours.")


# --- the staffing gap --------------------------------------------------------------------------


def gap_heatmap(cells: pl.DataFrame, by: str, zone: str, key: str) -> None:
    """Hours across, groups (or regions) down, coloured by roster − need: red under, green over.
    Rows with the largest shortfall first."""
    if cells.height == 0:
        st.info("No queue groups in scope.")
        return
    cells = times.in_zone(cells, ["hour"], zone)
    order = (cells.group_by(by).agg(pl.col("gap").clip(upper_bound=0).sum().alias("short"))
             .sort(["short", by]))
    rows = order[by].to_list()
    hours = sorted(set(cells["hour"].to_list()))
    pivot = (pl.DataFrame({by: rows}).join(pl.DataFrame({"hour": hours}), how="cross")
             .join(cells.select(by, "hour", "gap", "needed_scheduled", "rostered"), on=[by, "hour"], how="left"))
    z = pivot["gap"].to_numpy().reshape(len(rows), len(hours))
    need = pivot["needed_scheduled"].to_numpy().reshape(len(rows), len(hours))
    have = pivot["rostered"].to_numpy().reshape(len(rows), len(hours))
    top = float(np.nanmax(np.abs(z))) if z.size else 1.0
    top = max(top, 1.0)
    names = [html.escape(str(r)) for r in rows]
    fig = go.Figure(go.Heatmap(
        z=z, x=hours, y=names, zmin=-top, zmax=top, zmid=0,
        colorscale=[[0.0, UNDER], [0.5, EVEN], [1.0, OVER]],
        customdata=np.dstack([need, have]),
        hovertemplate="%{y}<br>%{x|%a %d %b %H:00}<br>needed %{customdata[0]:.0f}, rostered %{customdata[1]:.1f}"
                      "<br>gap %{z:+.1f}<extra></extra>",
        colorbar=dict(title=dict(text="roster − need", side="right"), thickness=12),
    ))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(tickformat="%a %d\n%H:00", automargin=True, title=dict(text=f"hour ({zone})", font=dict(size=11)))
    style.draw(style.framed(fig, min(120 + 22 * len(rows), 900)), key=key)


def worst_hours_table(worst: pl.DataFrame, zone: str, key: str) -> None:
    if worst.height == 0:
        st.success("No group is under-staffed in the next 7 days.")
        return
    shown = times.in_zone(worst, ["hour"], zone).select(
        pl.col("hour").dt.strftime("%a %Y-%m-%d %H:00").alias(f"Hour ({zone})"),
        pl.col("label").alias("Queue group"),
        pl.col("arrivals").round(1).alias("Arrivals"),
        pl.col("needed_on_floor").alias("Needed on floor"),
        pl.col("needed_scheduled").alias("Needed scheduled"),
        pl.col("rostered").round(1).alias("Rostered"),
        pl.col("gap").round(1).alias("Gap"),
        (pl.col("roster_service_level") * 100).round(1).alias("Service level with roster (%)"),
    )
    tables.table(shown, hide_index=True, key=key, height=min(38 + 35 * shown.height, 420),
                 column_config={c: st.column_config.NumberColumn(format="localized")
                                for c in ("Arrivals", "Needed on floor", "Needed scheduled", "Rostered", "Gap")})


# --- backlog -----------------------------------------------------------------------------------


def backlog_table(summary: pl.DataFrame, key: str) -> None:
    shown = summary.select(
        pl.col("label").alias("Queue group"),
        pl.col("backlog_now").cast(pl.Int64).alias("Waiting now"),
        pl.col("breached_now").cast(pl.Int64).alias("Past first-action target"),
        pl.col("backlog_peak").round(0).alias("Peak in 48 h"),
        pl.col("backlog_end").round(0).alias("Waiting in 48 h"),
        pl.col("expected_breaches").round(1).alias("Expected breaches"),
        pl.col("clears_in_hours").round(1).alias("Clears in (h)"),
    )
    tables.table(shown, hide_index=True, key=key, height=min(38 + 35 * shown.height, 420),
                 column_config={**{c: st.column_config.NumberColumn(format="localized")
                                   for c in ("Waiting now", "Past first-action target", "Peak in 48 h", "Waiting in 48 h",
                                             "Expected breaches")},
                                "Clears in (h)": st.column_config.NumberColumn(format="localized",
                     help="Hours until the waiting cases are worked off at the rostered capacity; empty: not "
                          "within the 14-day plan.")})


def backlog_chart(frame: pl.DataFrame, zone: str, key: str) -> None:
    """One group's projected backlog (line) and expected breaches per hour (bars)."""
    frame = times.in_zone(frame, ["hour"], zone)
    fig = go.Figure()
    fig.add_trace(go.Bar(x=frame["hour"].to_list(), y=frame["expected_breaches"].to_list(), name="expected breaches",
                         marker_color=UNDER, opacity=0.6, yaxis="y2",
                         hovertemplate="%{x|%a %H:00}: %{y:.1f} breaches<extra></extra>"))
    fig.add_trace(go.Scatter(x=frame["hour"].to_list(), y=frame["backlog"].to_list(), name="waiting cases",
                             mode="lines", line=dict(color=FORECAST, width=2.5),
                             hovertemplate="%{x|%a %H:00}: %{y:,.0f} waiting<extra></extra>"))
    fig.update_layout(yaxis=dict(title="waiting cases", rangemode="tozero"),
                      xaxis=dict(title=dict(text=f"hour ({zone})", font=dict(size=11))),
                      yaxis2=dict(title="breaches per hour", overlaying="y", side="right", showgrid=False,
                                  rangemode="tozero"),
                      legend=dict(orientation="h", y=1.12, x=0), hovermode="x unified")
    style.draw(style.framed(fig, 300), key=key)


# --- forecast ----------------------------------------------------------------------------------


def forecast_chart(history: pl.DataFrame, forecast: pl.DataFrame | None, now: datetime, zone: str, key: str) -> None:
    """Arrivals per hour: the last 14 days and today so far (grey), the forecast with its 80 %
    interval (blue band; none while the forecast is being prepared)."""
    if forecast is None:
        forecast = pl.DataFrame(schema={"hour": history.schema.get("hour", pl.Datetime("us")), "forecast": pl.Float64,
                                        "lower": pl.Float64, "upper": pl.Float64})
    since = now - timedelta(days=14)
    history = times.in_zone(history.filter(pl.col("hour") >= since), ["hour"], zone)
    forecast = times.in_zone(forecast.filter(pl.col("hour") >= since), ["hour"], zone)
    fig = go.Figure()
    hours = forecast["hour"].to_list()
    fig.add_trace(go.Scatter(x=hours + hours[::-1], y=forecast["upper"].to_list() + forecast["lower"].to_list()[::-1],
                             fill="toself", fillcolor=BAND, line=dict(width=0), name="80 % interval",
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=history["hour"].to_list(), y=history["arrivals"].to_list(), name="arrivals",
                             mode="lines", line=dict(color=ACTUAL, width=1.4),
                             hovertemplate="%{x|%a %d %b %H:00}: %{y:,.0f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=hours, y=forecast["forecast"].to_list(), name="forecast", mode="lines",
                             line=dict(color=FORECAST, width=2),
                             hovertemplate="%{x|%a %d %b %H:00}: %{y:,.1f} expected<extra></extra>"))
    fig.update_layout(yaxis=dict(title="arrivals per hour", rangemode="tozero"),
                      xaxis=dict(title=dict(text=f"hour ({zone})", font=dict(size=11))),
                      legend=dict(orientation="h", y=1.12, x=0), hovermode="x unified")
    style.draw(style.framed(fig, 320), key=key)


def backtest_table(per_group: pl.DataFrame, groups: pl.DataFrame, key: str) -> None:
    shown = per_group.join(groups.select("team", "label"), on="team", how="left").with_columns(
        (pl.col("model_mase") / pl.col("naive_mase")).alias("ratio"),
    ).sort("ratio", nulls_last=True).select(
        pl.col("label").alias("Queue group"),
        pl.col("model_mase").round(3).alias("MASE, forecast"),
        pl.col("naive_mase").round(3).alias("MASE, seasonal naive"),
        ((1 - pl.col("ratio")) * 100).round(1).alias("Error lower by (%)"),
        (pl.col("coverage") * 100).round(1).alias("Inside 80 % interval (%)"),
    )
    tables.table(shown, hide_index=True, key=key, height=min(38 + 35 * shown.height, 360))


# --- vendors and export ------------------------------------------------------------------------


def vendor_table(hours: pl.DataFrame, now: datetime, key: str) -> None:
    week_names = {1: f"{now:%d %b} – {now + timedelta(days=6):%d %b}",
                  2: f"{now + timedelta(days=7):%d %b} – {now + timedelta(days=13):%d %b}"}
    shown = hours.with_columns(pl.col("week").replace_strict(week_names, return_dtype=pl.String).alias("Week")).select(
        "Week",
        pl.col("name").alias("Vendor"),
        pl.col("needed_hours").round(0).alias("Hours needed"),
        pl.col("rostered_hours").round(0).alias("Hours rostered"),
        pl.col("contracted_hours_per_week").round(0).alias("Hours contracted"),
        pl.col("gap_hours").round(0).alias("Needed − contracted"),
        pl.col("cost_per_hour_usd").alias("Rate ($/h)"),
        pl.col("gap_cost_usd").round(0).alias("Cost of the gap ($)"),
    )
    counts = {c: st.column_config.NumberColumn(format="localized")
              for c in ("Hours needed", "Hours rostered", "Needed − contracted")}
    tables.table(shown, hide_index=True, key=key, column_config={
        **counts,
        "Hours contracted": st.column_config.NumberColumn(format="localized",
                                                          help="vendors.contracted_hours_per_week; empty: not on file."),
        "Cost of the gap ($)": st.column_config.NumberColumn(
            format="dollar", help="Positive: hours to buy beyond the contract; negative: contracted hours not needed."),
    })


def plan_download(csv: bytes, now: datetime, key: str) -> None:
    st.download_button("Download the staffing plan (CSV)", data=csv, file_name=f"staffing_plan_{now:%Y%m%d_%H%M}.csv",
                       mime="text/csv", key=key, icon=":material/download:", on_click="ignore")
