"""The SLA page's drawings: headline tiles, next-to-breach list, attainment charts and table,
breach causes, breach list with case details, policies. Figures come from watchfloor.sla_figures.
"""

from __future__ import annotations

from datetime import datetime

import plotly.graph_objects as go
import polars as pl
import streamlit as st

import queries
from components import case_link, plain, shell, tables, times
from components.charts import marked
from components.kpi import kpi_tile
from watchfloor import metrics, sla_figures
from watchfloor.formatting import format_count, format_duration, format_share, format_time_left
from watchfloor.labels import category_label, vendor_label
from watchfloor.warehouse import WarehouseError

LEVEL_COLOURS = {"breached": "red", "at_risk": "amber", "warning": "yellow", "on_track": "green"}
PART_COLOURS = {
    "Waiting in queue": "#4c78a8",
    "In review": "#72b7b2",
    "Pending info": "#eeca3b",
    "In escalation": "#e45756",
    "Closed, later reopened": "#9aa5b1",
}
SERIES_COLOURS = ["#f58518", "#54a24b", "#b279a2", "#e45756", "#72b7b2", "#9d755d"]
ALL_COLOUR = "#1f2933"


def _laid_out(fig: go.Figure, height: int, legend: bool = True, top: int = 40,
              legend_layout: dict | None = None) -> go.Figure:
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=top, b=10),
        showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, title_text="",
                    traceorder="normal", font=dict(size=11), **(legend_layout or {})),
        plot_bgcolor="rgba(0,0,0,0)",
        paper_bgcolor="rgba(0,0,0,0)",
        hoverlabel=dict(namelength=-1),
    )
    return plain.figure(fig)


def _draw(fig: go.Figure, key: str) -> None:
    st.plotly_chart(fig, key=key, config={"displayModeBar": False})


# --------------------------------------------------------------------------- headline


def headline(attainment: pl.DataFrame, now: metrics.NowCounts, role: str) -> None:
    first = queries.memo(attainment, sla_figures.overall_attainment, sla_figures.FIRST_ACTION)
    resolution = queries.memo(attainment, sla_figures.overall_attainment, sla_figures.RESOLUTION)
    window = f" · {metrics.PERIOD}"
    tiles = st.columns(5)
    with tiles[0]:
        kpi_tile("First-action SLA" + window, format_share(first.share),
                 note=f"{first.met:,} met · {first.breached:,} breached",
                 help="Met ÷ (met + breached) over first-action clocks that stopped within target or "
                      "crossed their target in the sidebar's date range.", role=role)
    with tiles[1]:
        kpi_tile("Resolution SLA" + window, format_share(resolution.share),
                 note=f"{resolution.met:,} met · {resolution.breached:,} breached",
                 help="Met ÷ (met + breached) over resolution clocks that stopped within target or "
                      "crossed their target in the sidebar's date range.", role=role)
    with tiles[2]:
        kpi_tile("Breaches" + window, format_count(first.breached + resolution.breached),
                 note=f"first action {first.breached:,} · resolution {resolution.breached:,}",
                 help="Clocks that crossed their target in the period, open or closed since.", role=role)
    with tiles[3]:
        kpi_tile("Breached now", format_count(now.breached_cases), note=now.note(now.breached),
                 help="Open cases with a running clock past its target, now (the date range does not apply). "
                      "A case counts once; the note gives the clocks past target.", role=role)
    with tiles[4]:
        kpi_tile("At risk now", format_count(now.at_risk_cases), note=now.note(now.at_risk),
                 help="Open cases with a running clock at 75 % of its target or more and none past it, now. "
                      "The note gives the clocks at risk.", role=role)


# --------------------------------------------------------------------------- next to breach


def next_to_breach(next_rows: pl.DataFrame, as_of: datetime, role: str) -> None:
    if next_rows.height == 0:
        st.info("No open case has a running SLA clock for these filters.")
        return
    counts = sla_figures.next_view_counts(next_rows)
    view = st.segmented_control(
        "Show", options=list(sla_figures.NEXT_VIEWS), key="sla_next_view", default=sla_figures.UPCOMING, required=True,
        format_func=lambda v: f"{sla_figures.NEXT_VIEWS[v]} ({counts[v]:,})",
    ) or sla_figures.UPCOMING
    rows = queries.memo(next_rows, sla_figures.next_view, view)
    if rows.height == 0:
        st.info("No running clock is overdue." if view == sla_figures.OVERDUE
                else "No running clock is at risk or warning (at 50 % of its target or more, not yet past it).")
        return
    order = ("most recently breached first" if view == sla_figures.OVERDUE
             else "at 50 % of the target or more, least time left first")
    shown = f"the {rows.height:,} of {counts[view]:,}" if counts[view] > rows.height else f"all {rows.height:,}"
    st.caption(f"Running clocks of open cases now, {order}: {shown}.{case_link.select_hint(role, True)}")
    display = queries.memo(rows, _next_to_breach_table)
    case_link.case_table(
        display,
        rows["case_id"].to_list(),
        key=f"sla_next_table_{view}",  # a selection belongs to one view
        role=role,
        on_stay=lambda row: case_details(rows.row(row, named=True), as_of),
        column_config={
            "Case": st.column_config.TextColumn(pinned=True),
            "Level": st.column_config.TextColumn(
                help="Warning from 50 % of the target, at risk from 75 %, breached past 100 %."),
            "Used": st.column_config.ProgressColumn(
                "Used", help="Share of the target used so far (elapsed ÷ target).",
                format="%.0f%%", min_value=0.0, max_value=100.0, color="auto-inverse", width=110),
            "Time left": st.column_config.TextColumn(
                help="Until the clock passes its target if no further pause occurs (a paused clock: as if it "
                     "resumed now)."),
            "Status": st.column_config.TextColumn(help="Pending info: waiting for an answer; the clock is paused "
                                                       "where the policy says so."),
        },
        height=min(38 + 35 * rows.height, 390),
    )


def _next_to_breach_table(rows: pl.DataFrame) -> pl.DataFrame:
    """The next-to-breach rows as shown, each level after the mark of its colour."""
    return sla_figures.next_to_breach_display(rows).with_columns(
        marked(pl.col("Level"), pl.lit(rows["state"]).replace_strict(LEVEL_COLOURS, default=None, return_dtype=pl.String))
        .alias("Level"))


# --------------------------------------------------------------------------- attainment


def _attainment_figure(attainment: pl.DataFrame, dimension: str, clock: str, zone: str = times.UTC) -> go.Figure:
    series = times.in_zone(sla_figures.chart_series(attainment, dimension, clock), ["bucket"], zone)
    fig = go.Figure()
    for i, (label, part) in enumerate(series.group_by("label", maintain_order=True)):
        label = label[0]
        is_all = label == "All"
        fig.add_trace(go.Scatter(
            x=part["bucket"].to_list(),
            y=part["attainment"].to_list(),
            customdata=list(zip(part["met"].to_list(), part["breached"].to_list())),
            name="All" if is_all else str(label),
            mode="lines+markers",
            line=dict(width=3 if is_all else 1.5, color=ALL_COLOUR if is_all else SERIES_COLOURS[(i - 1) % len(SERIES_COLOURS)]),
            marker=dict(size=5 if is_all else 4),
            hovertemplate="%{x}<br>%{fullData.name}: %{y:.1%} (%{customdata[0]} met, %{customdata[1]} breached)<extra></extra>",
        ))
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], dtick=0.2)
    fig.update_xaxes(title=dict(text=f"time ({zone})", font=dict(size=11)))
    # Two legend entries per row, so both charts keep the same plot height.
    return _laid_out(fig, 340, top=30, legend_layout=dict(entrywidth=0.5, entrywidthmode="fraction"))


def attainment_charts(attainment: pl.DataFrame, dimension: str, hourly: bool) -> None:
    if not queries.memo(attainment, sla_figures.any_whole_period):
        st.info("No SLA clock stopped or breached in this period for these filters.")
        return
    unit = "hour" if hourly else "day"
    zone = times.zone() if hourly else times.UTC  # days are the UTC days the query counts in
    columns = st.columns(2)
    for column, clock in zip(columns, sla_figures.CLOCKS):
        with column:
            st.markdown(f"**{sla_figures.CLOCK_LABELS[clock]} SLA**")
            _draw(queries.memo(attainment, _attainment_figure, dimension, clock, zone),
                  key=f"sla_attainment_chart_{clock}")
    st.caption(
        f"Met ÷ (met + breached) per {unit} ({zone}): a clock counts in the {unit} it stopped within target or "
        f"crossed its target. Black: all cases in scope; coloured: the {sla_figures.SERIES_TOP_N} "
        f"{sla_figures.BREAKDOWNS[dimension].lower()} values with most breaches. Gaps: nothing stopped or breached."
    )


def breakdown_table(attainment: pl.DataFrame, dimension: str) -> None:
    table = queries.memo(attainment, sla_figures.breakdown_table, dimension)
    if table.height == 0:
        return
    name = sla_figures.BREAKDOWNS[dimension]
    for column, clock in zip(st.columns(2), sla_figures.CLOCKS):
        with column:
            view = queries.memo(table, sla_figures.clock_view, clock)
            st.markdown(f"**{sla_figures.CLOCK_LABELS[clock]} SLA by {name.lower()}**, whole period")
            if view.height == 0:
                st.info(f"No {sla_figures.CLOCK_LABELS[clock].lower()} clock stopped or breached in this period.")
                continue
            tables.table(
                queries.memo(view, sla_figures.in_percent),
                key=f"sla_breakdown_table_{clock}",
                hide_index=True,
                column_config={
                    "label": st.column_config.TextColumn(name, width="medium"),
                    "met": st.column_config.NumberColumn("Met", format="localized"),
                    "breached": st.column_config.NumberColumn("Breached", format="localized"),
                    "attainment": st.column_config.NumberColumn("Attainment", format="%.1f%%",
                                                                help="Met ÷ (met + breached)."),
                },
                height=min(38 + 35 * view.height, 390),
            )


# --------------------------------------------------------------------------- breach causes


def breach_causes(causes: pl.DataFrame, dimension: str, clock: str) -> None:
    overall = queries.memo(causes, sla_figures.cause_split, clock, "all")
    if overall.height == 0:
        st.info(f"No {sla_figures.CLOCK_LABELS[clock].lower()} clock breached in this period for these filters.")
        return
    clocks = overall["breached_clocks"][0]
    shares = st.columns(len(sla_figures.CAUSE_PARTS))
    for column, row in zip(shares, overall.iter_rows(named=True)):
        with column:
            st.metric(plain.md(row["part"]), format_share(row["share"]),
                      help=f"{format_duration(row['seconds'])} in all over {clocks:,} breached clocks.")
    _draw(queries.memo(causes, _causes_figure, clock, dimension), key="sla_causes_chart")
    st.caption(
        f"Share of the wall time from creation to the clock's stop (or now) of the breached "
        f"{sla_figures.CLOCK_LABELS[clock].lower()} clocks of the period, per {sla_figures.BREAKDOWNS[dimension].lower()} "
        f"(breached clocks in brackets; the {sla_figures.CAUSES_TOP_N} with most), from the cases' events. Pending info "
        "counts here even where the policy pauses the clock."
    )


def _causes_figure(causes: pl.DataFrame, clock: str, dimension: str) -> go.Figure:
    split = sla_figures.cause_split(causes, clock, dimension)
    labels = list(dict.fromkeys(split["label"].to_list()))
    fig = go.Figure()
    for part, colour in PART_COLOURS.items():
        rows = split.filter(pl.col("part") == part)
        shares_by_label = dict(zip(rows["label"].to_list(), rows["share"].to_list()))
        hours_by_label = dict(zip(rows["label"].to_list(), rows["seconds"].to_list()))
        fig.add_trace(go.Bar(
            y=labels,
            x=[shares_by_label.get(label) or 0 for label in labels],
            customdata=[format_duration(hours_by_label.get(label)) for label in labels],
            name=part,
            orientation="h",
            marker_color=colour,
            hovertemplate="%{y}<br>" + part + ": %{x:.0%} (%{customdata})<extra></extra>",
        ))
    counts = dict(zip(split["label"].to_list(), split["breached_clocks"].to_list()))
    fig.update_layout(barmode="stack", bargap=0.35)
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(autorange="reversed", tickvals=labels,
                     ticktext=[f"{label} ({counts[label]:,})" for label in labels], automargin=True)
    return _laid_out(fig, 110 + 34 * len(labels), top=40)


# --------------------------------------------------------------------------- breach list


def breach_list(breaches: pl.DataFrame, clock_choice: str, as_of: datetime, role: str) -> None:
    chosen = queries.memo(breaches, sla_figures.select_breaches, clock_choice)
    if chosen.total == 0:
        st.info("No SLA breach in this period for these filters.")
        return
    if chosen.truncated:
        st.caption(f"Showing the {chosen.rows.height:,} newest of {chosen.total:,} breaches. "
                   "Narrow the date range or the filters to see older ones.")
    else:
        st.caption(f"{chosen.total:,} breaches, newest first.{case_link.select_hint(role, True)}")
    rows = chosen.rows
    created, breached_at = times.titled("Created"), times.titled("Breached at")
    case_link.case_table(
        queries.memo(rows, _breach_rows, times.zone(), created, breached_at),
        rows["case_id"].to_list(),
        key=f"sla_breach_table_{clock_choice}",  # a selection belongs to one list
        role=role,
        on_stay=lambda row: case_details(rows.row(row, named=True), as_of),
        column_config={
            "Case": st.column_config.TextColumn(pinned=True),
            created: st.column_config.DatetimeColumn(format="MM-DD HH:mm"),
            breached_at: st.column_config.DatetimeColumn(format="MM-DD HH:mm",
                                                         help="When the counted time passed the target."),
            "Elapsed / target": st.column_config.TextColumn(
                help="Counted time to the clock's stop or now (pauses, and closed hours of business calendars, "
                     "excluded) against the target."),
            "Still open": st.column_config.CheckboxColumn("Open", help="The case is not resolved now."),
        },
        height=min(38 + 35 * rows.height, 390),
    )


def _breach_rows(rows: pl.DataFrame, zone: str, created: str, breached_at: str) -> pl.DataFrame:
    """The breach list as shown, its times in the user's zone, kept with the list."""
    return times.in_zone(sla_figures.breach_display(rows), ("Created", "Breached at"), zone).rename(
        {"Created": created, "Breached at": breached_at})


def case_details(row: dict, as_of: datetime) -> None:
    """The key facts of a selected case, shown while the Case page is not available."""
    case_id = row["case_id"]
    with st.expander(f"Case {plain.md(case_id)}", expanded=True, icon=":material/description:"):
        facts = {
            "Clock": sla_figures.CLOCK_LABELS.get(row["clock"], row["clock"]),
            "Queue": row.get("queue_name") or row.get("queue_id"),
            "Priority": row["priority"],
            "Vendor": vendor_label(row.get("vendor_id"), row.get("vendor_name")),
            "Region": row["region"],
            "Category": category_label(row["category"]),
            "Created": times.at(row["created_at"]),
            "Elapsed / target": f"{format_duration(row['elapsed_seconds'])} of {format_duration(row['target_seconds'])}"
                                f" ({format_share(row['used_share'])})",
            "Paused": format_duration(row.get("paused_seconds")),
        }
        if row.get("breach_at") is not None:
            facts["Breached at"] = times.at(row["breach_at"])
        if "case_open" in row:
            facts["Still open"] = "yes" if row["case_open"] else "no"
        if "seconds_left" in row:
            facts["Time left"] = format_time_left(row["seconds_left"])
        left, right = st.columns([1, 2])
        with left:
            st.markdown("\n".join(f"- **{name}:** {plain.md(value)}" for name, value in facts.items()))
        with right:
            try:
                events = queries.run("sla_case_events", case_id=case_id, created_at=row["created_at"], as_of=as_of)
            except (queries.QueryError, WarehouseError) as exc:
                shell.show_query_error(exc)
                return
            if events.height == 0:
                st.info("No events recorded for this case.")
            else:
                when = times.titled("When")
                tables.table(times.local(sla_figures.timeline_display(events), "When").rename({"When": when}), hide_index=True,
                             key=f"sla_case_events_{case_id}",
                             column_config={when: st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})
        st.caption("The Case page will show the full case; until then, these are its key facts.")


# --------------------------------------------------------------------------- policies


def policies(frame: pl.DataFrame) -> None:
    if frame.height == 0:
        st.info("The warehouse has no SLA policies.")
        return
    table = queries.memo(frame, sla_figures.policy_table)
    tables.table(
        table,
        key="sla_policies_table",
        hide_index=True,
        column_config={
            "First action": st.column_config.TextColumn(help="First-action target"),
            "Resolution": st.column_config.TextColumn(help="Resolution target"),
            "Calendar": st.column_config.TextColumn(
                help="24×7: every hour counts. Business hours are read in each queue's own time zone."),
            "Pending info": st.column_config.TextColumn(help="Whether time waiting for information counts."),
            "Queues": st.column_config.NumberColumn(format="%d", help="Queues using the policy."),
            "Queue names": st.column_config.ListColumn("Queues using it", width="large"),
        },
    )
    st.caption("All policies and queues; the sidebar filters do not apply. A case's targets are those of "
               "its current queue's policy.")
