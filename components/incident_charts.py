"""The Incidents page's drawings: response-time tiles, the Gantt timeline, the list, and the view of
one incident (its story, linked cases per hour with the milestones, and the spike behind it)."""

from __future__ import annotations

from datetime import datetime

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from components import case_link, plain, tables, times
from watchfloor import incidents as inc
from watchfloor import spike_record
from watchfloor.formatting import coarse_duration, count_of, format_count
from watchfloor.labels import category_label, category_labels, humanise, humanised, surface_labels, texts_of

SEVERITY_COLOURS = {"SEV0": "#c92a2a", "SEV1": "#e8590c", "SEV2": "#f59f00", "SEV3": "#868e96"}
MILESTONE_COLOURS = {"Started": "#495057", "Detected": "#1971c2", "Acknowledged": "#7048e8",
                     "Mitigated": "#2f9e44", "Resolved": "#087f5b"}


def _layout(fig: go.Figure, height: int, key: str, legend: bool = True) -> None:
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=30, b=10), showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, title_text="", font=dict(size=11)),
        plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)", hoverlabel=dict(namelength=-1),
    )
    st.plotly_chart(plain.figure(fig), key=key, config={"displayModeBar": False})


def response_tiles(summary: pl.DataFrame) -> None:
    """Incidents in the list and the median of each response time (all severities)."""
    overall = summary.filter(pl.col("severity") == "All").row(0, named=True)
    by_severity = summary.filter(pl.col("severity") != "All")
    columns = st.columns(5)
    with columns[0]:
        st.metric("Incidents", format_count(overall["incidents"]), border=True,
                  help="Incidents open at any time in the date range (after the severity and status filters).")
        st.caption(" · ".join(f"{plain.md(r['severity'])} {r['incidents']}" for r in by_severity.iter_rows(named=True)))
    helps = {
        "time_to_detect_s": "detected − started.",
        "time_to_acknowledge_s": "acknowledged − detected.",
        "time_to_mitigate_s": "mitigated − started.",
        "time_to_resolve_s": "resolved − started.",
    }
    for column, (key, label) in zip(columns[1:], inc.DURATIONS.items()):
        with column:
            st.metric(label, coarse_duration(overall[key]), border=True,
                      help=(f"The median over the {overall['resolved']:,} listed incidents already resolved (every "
                        "median over the same incidents, so they keep the milestones' order): " if overall["resolved"]
                        else "None of the listed incidents is resolved yet: the median over those that reached the "
                             "milestone: ") + helps[key])
            st.caption(" · ".join(f"{plain.md(r['severity'])} {coarse_duration(r[key])}"
                                  for r in by_severity.iter_rows(named=True)))


def gantt(bars: pl.DataFrame, period_start: datetime, period_end: datetime, as_of: datetime) -> None:
    """One bar per incident, start to resolution (or now, hatched while open), milestones as ticks."""
    fig = go.Figure()
    bars = times.local(bars, "started_at", "ends_at", *(col for col, _ in inc.MILESTONES))
    labels = [f"{r['incident_id']} · {r['title'][:38]}" for r in bars.iter_rows(named=True)]
    bars = bars.with_columns(pl.Series("label", labels))
    for sev in inc.SEVERITIES:
        rows = bars.filter(pl.col("severity") == sev)
        if rows.height == 0:
            continue
        starts = rows["started_at"].to_list()
        lengths = [(e - s).total_seconds() * 1000 for s, e in zip(starts, rows["ends_at"].to_list())]
        fig.add_trace(go.Bar(
            y=rows["label"].to_list(), x=lengths, base=starts, orientation="h", name=sev,
            marker=dict(color=SEVERITY_COLOURS[sev],
                        pattern=dict(shape=["/" if o else "" for o in rows["still_open"].to_list()], fillmode="overlay")),
            customdata=[[humanise(s)] for s in rows["status"].to_list()],
            hovertemplate="%{y}<br>%{base|%Y-%m-%d %H:%M} → %{x}<br>%{customdata[0]}<extra></extra>",
            width=0.5,
        ))
    for col, label in inc.MILESTONES[:3]:
        rows = bars.filter(pl.col(col).is_not_null())
        if rows.height:
            fig.add_trace(go.Scatter(
                y=rows["label"].to_list(), x=rows[col].to_list(), mode="markers", name=label,
                marker=dict(symbol="line-ns-open", size=14, line=dict(width=2, color=MILESTONE_COLOURS[label])),
                hovertemplate=f"{label} %{{x|%Y-%m-%d %H:%M}}<extra></extra>",
            ))
    fig.update_xaxes(type="date", range=[times.wall(period_start), times.wall(min(period_end, as_of))],
                     title=dict(text=times.titled("time"), font=dict(size=11)))
    fig.update_yaxes(autorange="reversed", title_text="")
    fig.update_layout(barmode="overlay")
    _layout(fig, height=max(180, 60 + 34 * bars.height), key="incidents_gantt")


def incident_list(incidents: pl.DataFrame) -> None:
    started = times.titled("Started")
    shown = times.local(inc.incident_table(incidents), "Started").with_columns(
        category_labels("category").alias("Category")).drop("category").rename({"Started": started})
    tables.table(
        shown.select("Incident", "Severity", "Status", "Title", "Category", "Commander", started, "Linked cases",
                     "To detect", "To acknowledge", "To mitigate", "To resolve"),
        hide_index=True, key="incidents_table",
        column_config={
            started: st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            "Title": st.column_config.TextColumn(width=230),
            "Category": st.column_config.TextColumn(width=110),
            "Linked cases": st.column_config.NumberColumn(format="localized"),
            "To detect": st.column_config.TextColumn(help="detected − started"),
            "To acknowledge": st.column_config.TextColumn(help="acknowledged − detected"),
            "To mitigate": st.column_config.TextColumn(help="mitigated − started"),
            "To resolve": st.column_config.TextColumn(help="resolved − started"),
        },
    )


def choose_incident(listed: pl.DataFrame) -> dict:
    """The incident to show: the one a link names (`?incident=`), else the most recent; its header."""
    ids = listed["incident_id"].to_list()
    asked = st.query_params.get("incident")
    if asked and asked not in ids:
        st.warning(f"Incident {plain.md(asked)} is not in this list (date range or filters); showing the most recent one "
                   "instead.")
    titles = dict(zip(ids, listed["title"].to_list()))
    selected = st.selectbox("Incident", options=ids, index=ids.index(asked) if asked in ids else 0,
                            key="incidents_selected", format_func=lambda i: f"{i} · {titles[i]}")
    incident = listed.filter(pl.col("incident_id") == selected).row(0, named=True)
    st.markdown(
        f"**{plain.md(incident['severity'])} · {plain.md(incident['title'])}** — "
        f"{plain.md(category_label(incident['category']))}, {plain.md(incident['status'])}, "
        f"commander {plain.md(incident['commander'] or 'not assigned')}"
    )
    # The summary is the incident's own free text: any figure in it is whoever wrote it; the
    # spike's measured figures are the record's, under "The spike that set it off".
    if incident["summary"]:
        st.caption(f"Summary, as written in the incident: {plain.md(incident['summary'])}")
    return incident


def story(rows: pl.DataFrame) -> None:
    if rows.height == 0:
        st.info("No milestones or notes recorded for this incident yet.")
        return
    when = times.titled("When")
    tables.table(
        times.local(rows, "occurred_at").select(
            pl.col("occurred_at").alias(when),
            texts_of(rows, coarse_duration, "since_start_s").alias("Since start"),
            humanised("kind").alias("What"),
            pl.col("note").fill_null("").alias("Note"),
            pl.col("actor").fill_null("").alias("By"),
        ),
        hide_index=True, key="incidents_story_table",
        column_config={when: st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                       "Since start": st.column_config.TextColumn(width=80),
                       "What": st.column_config.TextColumn(width=100),
                       "Note": st.column_config.TextColumn(width="large")},
    )


def hourly_chart(hourly: pl.DataFrame, incident: dict) -> None:
    """Linked cases per hour (bars) and the category's arrivals against the same hours a week earlier
    (lines), with the incident's milestones drawn as vertical lines."""
    if hourly.height == 0:
        st.info("No hourly data for this incident.")
        return
    hours = times.local(hourly, "hour")["hour"].to_list()
    fig = go.Figure()
    fig.add_trace(go.Bar(x=hours, y=hourly["linked_cases"].to_list(), name="Linked cases", marker_color="#3b5bdb",
                         hovertemplate="%{x|%m-%d %H:00}: %{y} linked<extra></extra>"))
    fig.add_trace(go.Scatter(x=hours, y=hourly["category_cases"].to_list(), mode="lines",
                             name=f"All {category_label(incident['category'])} cases", line=dict(color="#e8590c", width=2),
                             hovertemplate="%{x|%m-%d %H:00}: %{y} in the category<extra></extra>"))
    fig.add_trace(go.Scatter(x=hours, y=hourly["category_cases_week_before"].to_list(), mode="lines",
                             name="Same hours a week earlier", line=dict(color="#868e96", width=1.5, dash="dot"),
                             hovertemplate="%{x|%m-%d %H:00}: %{y} a week earlier<extra></extra>"))
    for n, (label, when) in enumerate(inc.milestones(incident)):
        when = times.wall(when)
        fig.add_shape(type="line", x0=when, x1=when, y0=0, y1=1, yref="paper",
                      line=dict(color=MILESTONE_COLOURS.get(label, "#495057"), width=1.5, dash="dash"))
        fig.add_annotation(x=when, y=1 - 0.09 * (n % 3), yref="paper", text=label, showarrow=False, xanchor="left",
                           font=dict(size=10, color=MILESTONE_COLOURS.get(label, "#495057")), bgcolor="rgba(255,255,255,0.8)")
    fig.update_yaxes(title_text="cases per hour", rangemode="tozero", tickformat=",d")
    fig.update_xaxes(type="date", title=dict(text=times.titled("hour"), font=dict(size=11)))
    _layout(fig, height=320, key="incidents_hourly_chart")


def detector_note(spike: dict | None, incident: dict) -> str:
    """The record's spike in one sentence (markdown-safe), with when the detector flagged it against
    when the incident was detected."""
    if spike is None:
        return ("The spike detector (as on Trends & spikes) found no spike in this category around the incident: "
                "what set it off did not stand out in the category's hourly arrivals.")
    flagged = spike["detected_at"] + inc.HOUR  # an hour is judged when it closes
    lead = ""
    if incident.get("detected_at") is not None:
        gap = (incident["detected_at"] - flagged).total_seconds()
        lead = (f", {coarse_duration(gap)} before the incident was detected" if gap > 0 else
                f", {coarse_duration(-gap)} after the incident was detected" if gap < 0 else ", as the incident was detected")
    shown = times.local_row(spike, *times.SPIKE_TIMES)
    return (f"Spike detector: {plain.md(spike_record.describe(shown, times.zone_abbreviation(spike['onset'])))}; "
            f"flagged at {times.at(flagged, '%m-%d %H:00')}{lead}.")


def spike_facts(spike: dict | None, found: inc.Spike, incident: dict, ground_truth: str | None = None,
                coverage: str | None = None) -> None:
    """The record's spike behind the incident (watchfloor.spike_record: the figures Trends, Home and
    the Executive summary show for it) in four figures and a sentence."""
    if spike is None:
        st.info(coverage or detector_note(None, incident))
    else:
        shown = times.spike_texts(pl.DataFrame([spike], schema=spike_record.RECORD_SCHEMA, orient="row")).row(0, named=True)
        columns = st.columns(4)
        with columns[0]:
            st.metric(times.titled("Spike from"), f"{times.wall(spike['onset']):%m-%d %H:00}", border=True,
                      help="From its onset to the end of its last elevated hour, in its scope: "
                           + plain.md(spike["label"]) + ".")
            st.caption(plain.md(shown["span_text"]))
        with columns[1]:
            st.metric("× expected", shown["multiplier_text"], border=True,
                      help="Cases of its scope over the spike ÷ the cases expected from the weeks before.")
            st.caption(f"{spike['observed']:,.0f} cases vs {spike['expected']:,.0f} expected")
        with columns[2]:
            st.metric("Extra cases", shown["excess_text"], border=True, help="Cases over the spike minus the expected cases.")
        with columns[3]:
            st.metric("Peak hour", f"{times.wall(spike['peak']):%m-%d %H:00}", border=True,
                      help="The hour with the highest score, its cases against its expected count.")
            st.caption(f"{spike['peak_observed']:,.0f} vs {spike['peak_expected']:,.0f} expected")
        st.markdown(detector_note(spike, incident))
    st.caption(f"{count_of(found.linked_cases, 'case')} linked to the incident in the charted hours.")
    if ground_truth:
        st.caption(plain.md(ground_truth))


def linked_cases(cases: pl.DataFrame, incident: dict, role: str) -> None:
    """The incident's linked cases, newest first; a selected row opens its case."""
    if cases.height == 0:
        st.info("No case is linked to this incident yet.")
        return
    total = int(cases["total"][0])
    shown = f"the {cases.height:,} newest of {total:,}" if total > cases.height else f"all {total:,}"
    st.caption(f"Cases linked to {plain.md(incident['incident_id'])}: {shown}.{case_link.select_hint(role)}")
    created = times.titled("Created")
    display = times.local(cases, "created_at").select(
        pl.col("case_id").alias("Case"),
        pl.col("created_at").alias(created),
        humanised("subcategory").alias("Subcategory"),
        surface_labels("surface").alias("Surface"),
        pl.col("region").alias("Region"),
        humanised("source").alias("Source"),
        pl.col("priority").alias("Priority"),
        humanised("status").alias("Status"),
        humanised("enforcement_action").alias("Enforcement"),
    )
    case_link.case_table(
        display, cases["case_id"].to_list(), key=f"incidents_cases_{incident['incident_id']}", role=role,
        on_stay=lambda row: st.info(f"Case {plain.md(cases['case_id'][row])}: the Case page is not available to your role."),
        column_config={"Case": st.column_config.TextColumn(pinned=True),
                       created: st.column_config.DatetimeColumn(format="MM-DD HH:mm")},
        height=min(38 + 35 * display.height, 390),
    )
