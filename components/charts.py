"""Plotly charts in Watchfloor's look: compact, labelled, no chart junk."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st
from plotly.subplots import make_subplots

import queries
from components import chart_style as style
from components import plain, times
from watchfloor import palette as pal

STATE_COLOURS = {
    "new": pal.SLATE_GREY,
    "queued": pal.BLUE,
    "in_review": pal.TEAL,
    "pending_info": pal.YELLOW,
    "escalated": pal.RED,
}
STATE_LABELS = {
    "new": "New",
    "queued": "Queued",
    "in_review": "In review",
    "pending_info": "Pending info",
    "escalated": "Escalated",
}


def backlog_by_state_bar(backlog: pl.DataFrame, key: str) -> None:
    """Horizontal bars: open cases per state, in workflow order (built once per result)."""
    if backlog.height == 0:
        st.info("No open cases.")
        return
    style.draw(queries.memo(backlog, _backlog_figure), key=key)


def _backlog_figure(backlog: pl.DataFrame) -> go.Figure:
    states = backlog["status"].to_list()
    fig = go.Figure(
        go.Bar(
            x=backlog["cases"].to_list(),
            y=[STATE_LABELS.get(s, s) for s in states],
            orientation="h",
            marker_color=[STATE_COLOURS.get(s, "#888") for s in states],
            text=[f"{v:,}" for v in backlog["cases"].to_list()],
            textposition="auto",
            hovertemplate="%{y}: %{x:,} cases<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="open cases", tickformat=",d", rangemode="tozero")
    if max(backlog["cases"].to_list()) < 8:
        fig.update_xaxes(dtick=1)  # whole cases only
    return plain.figure(style.framed(fig, 220).update_layout(showlegend=False))


def backlog_and_flow_chart(hourly: pl.DataFrame, key: str) -> None:
    """Backlog at the end of each hour (line) over net flow per hour (bars: created - resolved),
    built once per result."""
    if hourly.height == 0:
        st.info("No cases in the last 48 hours.")
        return
    style.draw(queries.memo(hourly, _backlog_and_flow_figure, times.zone()), key=key)


def _backlog_and_flow_figure(hourly: pl.DataFrame, zone: str) -> go.Figure:
    hours = times.in_zone(hourly, ["hour_start"], zone)["hour_start"].to_list()
    net = hourly["net_flow"].to_list()
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=hours, y=net, name="net flow (created − resolved)", yaxis="y2", opacity=0.55,
            marker_color=[pal.RED if v > 0 else pal.GREEN for v in net],
            hovertemplate="%{x|%a %H:%M}: net %{y:+,}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=hours, y=hourly["backlog_at_end"].to_list(), name="backlog", mode="lines",
            line=dict(color=pal.THEME, width=2.5), hovertemplate="%{x|%a %H:%M}: backlog %{y:,}<extra></extra>",
        )
    )
    fig.update_layout(
        yaxis=dict(title="open cases", rangemode="tozero", tickformat=",d"),
        yaxis2=dict(title="net flow per hour", overlaying="y", side="right", showgrid=False, tickformat="+,d", zeroline=True),
        xaxis=dict(title=dict(text=f"hour ({zone})", font=dict(size=11))),
        legend=dict(orientation="h", y=1.12, x=0),
        hovermode="x unified",
    )
    # Whole cases only: with small counts, one tick per case instead of repeated rounded labels.
    if max(hourly["backlog_at_end"].to_list() or [0]) < 10:
        fig.update_layout(yaxis=dict(dtick=1))
    biggest_flow = max((abs(v) for v in net), default=0)
    if biggest_flow < 10:
        fig.update_layout(yaxis2=dict(dtick=1, range=[-max(biggest_flow, 1) - 0.5, max(biggest_flow, 1) + 0.5]))
    style.framed(fig, 320)
    fig.update_layout(showlegend=True)
    return plain.figure(fig)


# One queue's history: each figure against its trailing 7-day average (watchfloor.queue_health).
HISTORY_PANELS = (
    ("backlog_end", "Backlog (open at the end)", pal.THEME, "line", ",d"),
    ("inflow", "Inflow (cases created)", pal.BLUE, "bar", ",d"),
    ("outflow", "Outflow (cases resolved)", pal.GREEN, "bar", ",d"),
    ("oldest_age_hours", "Oldest open case (h)", pal.RED, "line", ",.0f"),
)
AVERAGE_COLOUR = pal.GREY


def queue_history_chart(history: pl.DataFrame, hourly: bool, target_hours: float | None, key: str) -> None:
    """Four small panels over the range: backlog, inflow, outflow and oldest age per hour or day,
    each with its trailing 7-day average (dashed); the bucket still running drawn faint."""
    if history.height == 0:
        st.info("No history for this queue.")
        return
    # Days are UTC days (the buckets the query counts in); hours are shown in the reader's zone.
    zone = times.zone() if hourly else times.UTC
    style.draw(queries.memo(history, _queue_history_figure, hourly, target_hours, zone), key=key)


def _queue_history_figure(history: pl.DataFrame, hourly: bool, target_hours: float | None,
                          zone: str = times.UTC) -> go.Figure:
    fig = make_subplots(rows=2, cols=2, shared_xaxes=True, vertical_spacing=0.14, horizontal_spacing=0.08,
                        subplot_titles=[title for _, title, _, _, _ in HISTORY_PANELS])
    x = times.in_zone(history, ["bucket_start"], zone)["bucket_start"].to_list()
    complete = history["complete"].to_list()
    when = "%a %d %b %H:00" if hourly else "%a %d %b"
    per = "hour" if hourly else "day"
    for i, (column, title, colour, kind, number) in enumerate(HISTORY_PANELS):
        row, col = divmod(i, 2)
        values = history[column].to_list()
        name = title.split(" (")[0].lower()
        hover = f"%{{x|{when}}}: {name} %{{y:{number}}}%{{customdata}}<extra></extra>"
        note = ["" if done else f" (this {per} so far)" for done in complete]
        if kind == "bar":
            fig.add_trace(go.Bar(x=x, y=values, marker_color=colour, marker_opacity=[1.0 if d else 0.4 for d in complete],
                                 customdata=note, hovertemplate=hover, showlegend=False), row=row + 1, col=col + 1)
        else:
            fig.add_trace(go.Scatter(x=x, y=values, mode="lines", line=dict(color=colour, width=2), customdata=note,
                                     hovertemplate=hover, showlegend=False), row=row + 1, col=col + 1)
        fig.add_trace(go.Scatter(
            x=x, y=history[f"{column}_avg"].to_list(), mode="lines", name="trailing 7-day average",
            line=dict(color=AVERAGE_COLOUR, width=1.5, dash="dash"),
            hovertemplate=f"%{{x|{when}}}: 7-day average %{{y:,.1f}}<extra></extra>", showlegend=i == 0,
        ), row=row + 1, col=col + 1)
        fig.update_yaxes(rangemode="tozero", tickformat=number, row=row + 1, col=col + 1)
        if max((v or 0) for v in values) < 5 and number == ",d":
            fig.update_yaxes(dtick=1, row=row + 1, col=col + 1)
    if target_hours:
        fig.add_hline(y=target_hours, line=dict(color=pal.RED, width=1, dash="dot"), row=2, col=2,
                      annotation_text=f"resolution target {target_hours:,.0f} h", annotation_position="top right",
                      annotation_font_size=11)
    style.framed(fig, 480)
    # The legend (the average's dash) above the panel titles, not over them.
    fig.update_layout(showlegend=True, legend=dict(orientation="h", yanchor="bottom", y=1.06, x=0),
                      margin=dict(t=50), hovermode="x", bargap=0.15)
    fig.update_annotations(font_size=12)
    fig.update_xaxes(title_text=f"{'hour' if hourly else 'day'} ({zone})", title_font_size=11, row=2)
    return plain.figure(fig)
