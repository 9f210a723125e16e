"""The Automation & routing page's drawings: routing flow (Sankey) with its links and the cases
behind them, stage times and breach stages, bottlenecks over time, classifier feedback, the
threshold what-if and the automation candidates. Figures come from watchfloor.automation."""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go
import polars as pl
import streamlit as st

import queries
from components import case_link, plain, tables, times
from components.charts import marked
from components.kpi import kpi_tile
from watchfloor import automation as au
from watchfloor.formatting import format_share
from watchfloor.labels import category_labels, humanised, texts_of

STAGE_COLOURS = {"waiting": "#4c78a8", "review": "#72b7b2", "pending": "#eeca3b", "escalated": "#e45756",
                 "rerouted": "#b279a2"}
LAYER_COLOURS = ("#9aa5b1", "#4c78a8", "#f58518", "#54a24b")
LINK_COLOUR = "rgba(76,120,168,0.25)"
DRIFT_MARKS = {"shift": "red", "moderate": "amber", "stable": "green"}  # too few cases: no mark


def _laid_out(fig: go.Figure, height: int, legend: bool = True) -> go.Figure:
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=40 if legend else 10, b=10), showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, title_text="", font=dict(size=11)),
        plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)", hoverlabel=dict(namelength=-1),
    )
    fig.update_yaxes(gridcolor="rgba(0,0,0,0.08)")
    return plain.figure(fig)


def _draw(fig: go.Figure, key: str) -> None:
    st.plotly_chart(fig, key=key, config={"displayModeBar": False})


def _hours(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 60:.0f} min" if value < 1.5 else f"{value:.1f} h"


# --------------------------------------------------------------------------- headline


def _tile_rows() -> list:
    """Five tiles as a row of three and a row of two: five in one row are unreadable at 800 px."""
    return [*st.columns(3), *st.columns(2)]


def headline(rates: dict, role: str) -> None:
    tiles = _tile_rows()
    with tiles[0]:
        kpi_tile("Cases", f"{rates['cases']:,}", note=f"{rates['routed']:,} routed to a queue", role=role,
                 help="Cases created in the period within the filters; routed: sent to a review queue.")
    with tiles[1]:
        kpi_tile("Automated", format_share(rates["automated_share"]), note=f"{rates['automated']:,} decided by a classifier",
                 role=role, help="Cases decided automatically ÷ all cases of the period.")
    with tiles[2]:
        kpi_tile("Re-route rate", format_share(rates["reroute_rate"]), note=f"{rates['rerouted']:,} cases bounced",
                 role=role, help="Routed cases sent on at least once to another queue of the same or a higher tier "
                                 "(a routing after the first) ÷ routed cases.")
    with tiles[3]:
        kpi_tile("Escalation rate", format_share(rates["escalation_rate"]), note=f"{rates['escalated']:,} escalated",
                 role=role, help="Routed cases escalated at least once ÷ routed cases.")
    with tiles[4]:
        kpi_tile("Escalation loop rate", format_share(rates["loop_rate"]),
                 note=f"{rates['looped']:,} sent back down", role=role,
                 help="Escalated cases that a higher tier sent back to a lower one at least once ÷ escalated cases.")


# --------------------------------------------------------------------------- routing flow


def sankey(flow: au.Flow) -> None:
    if flow.links.height == 0:
        st.info("No case in this period for these filters.")
        return
    _draw(queries.memo(flow.links, _sankey_figure, flow.nodes), key="automation_sankey")
    st.caption("Cases of the period from their source to the first queue group they were routed to, the path they "
               "took from there (the escalation loop counts first, then an escalation, then a re-route) and their "
               "outcome now. Hover a band for its cases and their median case-time; select a row of the table "
               "below to list the cases behind a band.")


# Characters a line of a node label: with the unseen column below, five columns share the chart's
# width, and a label this wide still fits between two of them at 800 px with the sidebar open.
LABEL_LINE = 18
CLEAR = "rgba(0,0,0,0)"


def _sankey_figure(links: pl.DataFrame, nodes: pl.DataFrame) -> go.Figure:
    # Plotly writes the last column's labels to the left of its nodes, over the labels of the column
    # before. An unseen column after the outcomes (each outcome's cases flowing on into one clear
    # node) makes the outcomes a middle column, labelled on the right in a gap of their own.
    outcomes = nodes.filter(pl.col("column") == "outcome_node")["index"]
    onward = (links.filter(pl.col("target").is_in(outcomes.implode())).group_by("target")
              .agg(pl.col("cases").sum()).sort("target"))
    edge = nodes.height
    labels = [textwrap.fill(label, LABEL_LINE) for label in nodes["label"].to_list()] + [""]
    colours = [LAYER_COLOURS[layer % len(LAYER_COLOURS)] for layer in nodes["layer"].to_list()] + [CLEAR]
    hover = [f"{c:,} cases · median case-time {_hours(h)}" for c, h in
             zip(links["cases"].to_list(), links["median_hours"].to_list())]
    band = "%{source.label} → %{target.label}<br>%{customdata}<extra></extra>"
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=labels, color=colours, pad=18, thickness=14, line=dict(width=0),
                  hovertemplate=["%{label}: %{value:,} cases<extra></extra>"] * nodes.height
                  + ["All outcomes: %{value:,} cases<extra></extra>"]),
        link=dict(source=links["source"].to_list() + onward["target"].to_list(),
                  target=links["target"].to_list() + [edge] * onward.height,
                  value=links["cases"].to_list() + onward["cases"].to_list(),
                  color=[LINK_COLOUR] * links.height + [CLEAR] * onward.height,
                  customdata=hover + [""] * onward.height,
                  hovertemplate=[band] * links.height + ["%{source.label}: %{value:,} cases<extra></extra>"] * onward.height),
    ))
    return _laid_out(fig, 600, legend=False)


LINK_COLUMNS = {"source_node": "Source", "queue_node": "First queue", "path_node": "Path", "outcome_node": "Outcome"}


def links_table(flow: au.Flow) -> dict | None:
    """The flow's bands as a table (largest first within each step); returns the selected band."""
    if flow.links.height == 0:
        return None
    links = flow.links.sort(["layer", "cases", "link"], descending=[False, True, False])
    step = (pl.col("from_column").replace_strict(LINK_COLUMNS, return_dtype=pl.String) + pl.lit(" → ")
            + pl.col("to_column").replace_strict(LINK_COLUMNS, return_dtype=pl.String))
    display = links.select(
        step.alias("Step"), pl.col("from_label").alias("From"), pl.col("to_label").alias("To"),
        pl.col("cases").alias("Cases"), (pl.col("share") * 100).alias("Share"),
        pl.col("median_hours").alias("Median case-time (h)"))
    event = tables.table(
        display, key="automation_links", on_select="rerun", selection_mode="single-row", hide_index=True,
        column_config={
            "Cases": st.column_config.NumberColumn(format="localized"),
            "Share": st.column_config.NumberColumn(format="%.1f%%", help="Cases of the band ÷ cases of the period."),
            "Median case-time (h)": st.column_config.NumberColumn(
                format="%.2f", help="Median over the band's cases of their time from creation to resolution (or now), "
                                    "time after a resolution left out."),
        },
        height=min(38 + 35 * display.height, 320),
    )
    row = case_link.selected_row(event)
    if row is None or row >= links.height:
        return None
    return links.row(row, named=True)


def link_cases(cases: pl.DataFrame, total: int, link: dict, role: str) -> None:
    """The cases behind one band of the flow (au.link_cases)."""
    shown = f"the {cases.height:,} newest of {total:,}" if total > cases.height else f"all {total:,}"
    st.caption(f"{plain.md(link['from_label'])} → {plain.md(link['to_label'])}: {shown} cases. "
               "Select a row to open the case.")
    created = times.titled("Created")
    display = times.local(cases, "created_at").select(
        pl.col("case_id").alias("Case"), pl.col("created_at").alias(created),
        category_labels("category").alias("Category"), pl.col("source_node").alias("Source"),
        pl.col("queue_node").alias("First queue"), pl.col("path_node").alias("Path"),
        pl.col("outcome_node").alias("Outcome"), pl.col("case_hours").alias("Case-time (h)"),
        pl.col("breached").alias("SLA breached"))
    case_link.case_table(
        display, cases["case_id"].to_list(), key=f"automation_link_cases_{link['link']}", role=role,
        on_stay=lambda row: st.info(f"Case {plain.md(cases['case_id'][row])}: the Case page is not available to your role."),
        column_config={"Case": st.column_config.TextColumn(pinned=True),
                       created: st.column_config.DatetimeColumn(format="MM-DD HH:mm"),
                       "Case-time (h)": st.column_config.NumberColumn(format="%.2f")},
        height=min(38 + 35 * display.height, 390),
    )


def stage_table(stages: pl.DataFrame) -> None:
    tables.table(
        stages.select(pl.col("label").alias("Stage"), pl.col("cases").alias("Cases in it"),
                      pl.col("median_hours").alias("Median time (h)"), pl.col("hours").alias("Case-hours"),
                      (pl.col("share") * 100).alias("Share of case-time")),
        key="automation_stage_table", hide_index=True,
        column_config={"Median time (h)": st.column_config.NumberColumn(format="%.2f", help="Median over the cases that "
                                                                                              "spent time in the stage."),
                       "Case-hours": st.column_config.NumberColumn(format="%.0f"),
                       "Share of case-time": st.column_config.NumberColumn(format="%.1f%%")},
    )


def breach_table(groups: pl.DataFrame) -> None:
    if groups.height == 0:
        st.info("No case in this period for these filters.")
        return
    top = pl.when(pl.col("top_label").is_null()).then(pl.lit("no breach")).otherwise(
        pl.col("top_label") + pl.lit(" (") + (pl.col("top_share") * 100).round(0).cast(pl.Int64).cast(pl.String)
        + pl.lit(" %)"))
    display = groups.select(
        pl.col("group").alias("Queue group"), pl.col("cases").alias("Cases"), pl.col("breached").alias("Breached"),
        (pl.col("breach_rate") * 100).alias("Breach rate"), top.alias("Stage contributing most"),
        *[(pl.col(stage) * 100).alias(label) for stage, label in au.STAGES.items()])
    tables.table(
        display, key="automation_breach_table", hide_index=True,
        column_config={"Breach rate": st.column_config.NumberColumn(format="%.1f%%"),
                       **{label: st.column_config.NumberColumn(format="%.0f%%") for label in au.STAGES.values()}},
    )


# --------------------------------------------------------------------------- bottlenecks


def bottleneck_chart(daily: pl.DataFrame) -> None:
    if daily.height == 0:
        st.info("No complete day in this period yet: bottlenecks are counted per complete UTC day.")
        return
    _draw(queries.memo(daily, _bottleneck_figure), key="automation_bottlenecks")


def _bottleneck_figure(daily: pl.DataFrame) -> go.Figure:
    fig = go.Figure()
    for stage, label in au.STAGES.items():
        rows = daily.filter(pl.col("stage") == stage).sort("day")
        fig.add_trace(go.Scatter(x=rows["day"].to_list(), y=rows["hours"].to_list(), mode="lines+markers", name=label,
                                 line=dict(color=STAGE_COLOURS[stage], width=1.8),
                                 hovertemplate="%{fullData.name}: %{y:,.0f} case-hours<extra></extra>"))
    fig.update_yaxes(title_text="case-hours a day", rangemode="tozero")
    fig.update_layout(hovermode="x unified")
    return _laid_out(fig, 340)


def bottleneck_table(trend: pl.DataFrame) -> None:
    if trend.height == 0:
        return
    tables.table(
        trend.select(pl.col("label").alias("Stage"), pl.col("mean_hours").alias("Case-hours a day"),
                     pl.col("slope").alias("Trend (h/day per day)"), (pl.col("change") * 100).alias("Trend over period"),
                     pl.col("first_hours").alias("First day"), pl.col("last_hours").alias("Last day")),
        key="automation_bottleneck_table", hide_index=True,
        column_config={"Case-hours a day": st.column_config.NumberColumn(format="%.0f"),
                       "Trend (h/day per day)": st.column_config.NumberColumn(
                           format="%+.1f", help="Least-squares slope of the daily case-hours."),
                       "Trend over period": st.column_config.NumberColumn(
                           format="%+.0f%%", help="Slope x (days - 1) ÷ mean: how much the fitted line rose over the "
                                                  "period, against the stage's mean."),
                       "First day": st.column_config.NumberColumn(format="%.0f"),
                       "Last day": st.column_config.NumberColumn(format="%.0f")},
    )


# --------------------------------------------------------------------------- classifier feedback


def classifier_table(quality: pl.DataFrame) -> None:
    if quality.height == 0:
        st.info("No classifier-flagged case in this period for these filters.")
        return

    def interval(name: str) -> pl.Expr:
        return pl.when(pl.col(name).is_null()).then(pl.lit("–")).otherwise(
            pl.format("{}% ({}–{}%)", (pl.col(name) * 100).round(1), (pl.col(f"{name}_low") * 100).round(1),
                      (pl.col(f"{name}_high") * 100).round(1)))

    tables.table(
        quality.select(pl.col("classifier").alias("Classifier"), pl.col("category_label").alias("Category"),
                       pl.col("cases").alias("Flagged"), pl.col("automated").alias("Automated"),
                       pl.col("decided").alias("Human decisions"), interval("precision").alias("Precision (95 % CI)"),
                       interval("recall").alias("Recall (95 % CI)"), interval("qa_precision").alias("QA precision"),
                       interval("golden_precision").alias("Golden-set precision")),
        key="automation_classifier_table", hide_index=True,
        column_config={"Precision (95 % CI)": st.column_config.TextColumn(
                           help="Human violating ÷ human decided among the flagged cases a person decided."),
                       "Recall (95 % CI)": st.column_config.TextColumn(
                           help="Flagged cases decided violating by a person ÷ all cases of the category a person "
                                "decided violating."),
                       "QA precision": st.column_config.TextColumn(help="Violating ÷ checked among QA checks (not golden) "
                                                                        "of the flagged cases."),
                       "Golden-set precision": st.column_config.TextColumn(help="Violating ÷ checked among golden-set "
                                                                                "checks of the flagged cases.")},
        height=min(38 + 35 * quality.height, 390),
    )


def classifier_trend(weekly: pl.DataFrame, classifier: str) -> None:
    rows = weekly.filter(pl.col("classifier") == classifier).sort("week_start")
    if rows.height == 0:
        st.info("No flagged case of this classifier in these weeks.")
        return
    _draw(queries.memo(weekly, _trend_figure, classifier), key=f"automation_trend_{classifier}")


def _trend_figure(weekly: pl.DataFrame, classifier: str) -> go.Figure:
    rows = weekly.filter(pl.col("classifier") == classifier).sort("week_start")
    weeks = rows["week_start"].to_list()
    fig = go.Figure()
    for name, colour, fill in (("precision", "#4c78a8", "rgba(76,120,168,0.18)"), ("recall", "#f58518", "rgba(245,133,24,0.18)")):
        fig.add_trace(go.Scatter(x=weeks, y=rows[f"{name}_low"].to_list(), mode="lines", line=dict(width=0),
                                 showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=weeks, y=rows[f"{name}_high"].to_list(), mode="lines", line=dict(width=0),
                                 fill="tonexty", fillcolor=fill, name=f"{name.title()} 95 % interval", hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=weeks, y=rows[name].to_list(), mode="lines+markers", name=name.title(),
                                 line=dict(color=colour, width=2),
                                 hovertemplate=f"week of %{{x|%m-%d}}: {name} %{{y:.1%}}<extra></extra>"))
    fig.update_yaxes(tickformat=".0%", range=[0, 1])
    fig.update_xaxes(title_text="week starting")
    fig.update_layout(hovermode="x unified")
    return _laid_out(fig, 320)


def drift_table(drift: pl.DataFrame) -> None:
    if drift.height == 0:
        st.info("No classifier-flagged case in this period or the four weeks before.")
        return
    verdict = pl.col("verdict").replace_strict(DRIFT_MARKS, default=None, return_dtype=pl.String)
    tables.table(
        drift.select(pl.col("classifier").alias("Classifier"),
                     marked(humanised("verdict"), verdict).alias("Drift"),
                     pl.col("psi").alias("PSI"), pl.col("noise").alias("Sampling noise"),
                     pl.col("mean_score_before").alias("Mean score before"),
                     pl.col("mean_score_now").alias("Mean score now"), pl.col("total_before").alias("Flagged before"),
                     pl.col("total_now").alias("Flagged now")),
        key="automation_drift_table", hide_index=True,
        column_config={"PSI": st.column_config.NumberColumn(format="%.3f", help=(
                           f"Population stability index of the score bands (0.05 wide), this period against the four weeks "
                           f"before: below {au.PSI_MODERATE} stable, from {au.PSI_MODERATE} moderate, from "
                           f"{au.PSI_SHIFT} a shift.")),
                       "Sampling noise": st.column_config.NumberColumn(format="%.3f", help=(
                           "The PSI two samples of unchanged scores of these sizes would show: (bands − 1) × "
                           "(1/n now + 1/n before). Above half the moderate threshold the verdict is 'too few cases'.")),
                       "Mean score before": st.column_config.NumberColumn(format="%.3f"),
                       "Mean score now": st.column_config.NumberColumn(format="%.3f")},
        height=min(38 + 35 * drift.height, 320),
    )


def score_band_chart(bands: pl.DataFrame, classifier: str) -> None:
    if bands.height == 0:
        return
    _draw(queries.memo(bands, _bands_figure, classifier), key=f"automation_bands_{classifier}")


def _bands_figure(bands: pl.DataFrame, classifier: str) -> go.Figure:
    fig = go.Figure()
    for window, colour in (("Four weeks before", "#9aa5b1"), ("This period", "#4c78a8")):
        rows = bands.filter(pl.col("window") == window).sort("band")
        fig.add_trace(go.Bar(x=[f"{b:.2f}" for b in rows["band"].to_list()], y=rows["share"].to_list(), name=window,
                             marker_color=colour, hovertemplate="score %{x}: %{y:.1%}<extra>" + window + "</extra>"))
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=".0%", title_text="share of flagged cases")
    fig.update_xaxes(title_text="score band", type="category")
    return _laid_out(fig, 280)


# --------------------------------------------------------------------------- threshold what-if


def threshold_tiles(point: dict | None, role: str) -> None:
    if point is None:
        return
    tiles = _tile_rows()
    with tiles[0]:
        kpi_tile("Would automate", format_share(point["share_automated"]),
                 note=f"{point['automated_per_day']:,.1f} cases a day", role=role,
                 help="Flagged cases at or above the threshold ÷ all the classifier's flagged cases of the period.")
    with tiles[1]:
        precision = point["precision"]
        kpi_tile("Precision", format_share(precision),
                 note=(f"95 % CI {point['precision_low']:.1%}–{point['precision_high']:.1%} over "
                       f"{point['moved_decided']:,} human decisions" if precision is not None
                       else "nothing people decide now is above it"), role=role,
                 help="Expected precision: human violating ÷ human decided among the cases at or above the "
                      "threshold that people reviewed in the period.")
    with tiles[2]:
        wrong = point["wrong_per_day"]
        kpi_tile("Wrong a day", "–" if wrong is None else f"{wrong:,.1f}",
                 note=f"of {point['moved_per_day']:,.1f} cases a day moved from people", higher_is_better=False, role=role,
                 help="Wrong automatic actions a day: cases moved from people a day x (1 − expected precision).")
    with tiles[3]:
        kpi_tile("Hours saved a day", f"{point['hours_saved_per_day']:,.1f} h", role=role,
                 note=(f"{point['returned_per_day']:,.1f} cases a day back to people" if point["returned"] else
                       "at the measured review time of those cases"),
                 help="Reviewer hours saved: the measured review time (assigned to the next step) of the cases "
                      "moved from people, a day. "
                      "Cases automated now below the threshold would go back to people.")
    with tiles[4]:
        kpi_tile("Backlog cleared", f"{point['backlog_cleared']:,}",
                 note=f"{point['backlog_breached_cleared']:,} of them breached", role=role,
                 help="SLA backlog cleared: cases moved from people that are waiting for a first action now; they "
                      "would leave the backlog.")


def threshold_chart(curve: pl.DataFrame, chosen: float, current: float | None, classifier: str) -> None:
    _draw(queries.memo(curve, _threshold_figure, chosen, current), key=f"automation_threshold_chart_{classifier}")


def _threshold_figure(curve: pl.DataFrame, chosen: float, current: float | None) -> go.Figure:
    x = curve["threshold"].to_list()
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=curve["precision_low"].to_list(), mode="lines", line=dict(width=0),
                             showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=curve["precision_high"].to_list(), mode="lines", line=dict(width=0), fill="tonexty",
                             fillcolor="rgba(84,162,75,0.18)", name="Precision 95 % interval", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=curve["precision"].to_list(), mode="lines", name="Expected precision",
                             line=dict(color="#54a24b", width=2), hovertemplate="precision %{y:.1%}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=curve["share_automated"].to_list(), mode="lines", name="Share automated",
                             line=dict(color="#4c78a8", width=2), hovertemplate="automated %{y:.1%}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=curve["wrong_per_day"].to_list(), mode="lines", name="Wrong actions a day",
                             yaxis="y2", line=dict(color="#e45756", width=1.6, dash="dot"),
                             hovertemplate="%{y:,.1f} wrong a day<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=curve["hours_saved_per_day"].to_list(), mode="lines", name="Reviewer hours saved a day",
                             yaxis="y2", line=dict(color="#9d755d", width=1.6, dash="dash"),
                             hovertemplate="%{y:,.1f} h saved a day<extra></extra>"))
    fig.add_vline(x=chosen, line=dict(color="#1f2933", width=1.5))
    if current is not None:
        fig.add_vline(x=current, line=dict(color="#9aa5b1", width=1, dash="dot"),
                      annotation_text="automates today from here", annotation_position="top left",
                      annotation_font_size=10)
    fig.update_layout(yaxis=dict(tickformat=".0%", range=[0, 1.02], title="share"),
                      yaxis2=dict(overlaying="y", side="right", rangemode="tozero", showgrid=False, title="a day",
                                  tickformat=",.0f"),
                      xaxis=dict(title="auto-action threshold (score at or above)"), hovermode="x unified")
    return _laid_out(fig, 360)


# --------------------------------------------------------------------------- automation candidates


def candidates_table(ranked: pl.DataFrame) -> None:
    if ranked.height == 0:
        st.info("No case in this period for these filters.")
        return
    evidence = texts_of(ranked, lambda *values: au.evidence_text(dict(zip(_EVIDENCE, values))), *_EVIDENCE,
                        skip_nulls=False)
    display = ranked.with_columns(evidence.alias("evidence")).select(
        pl.col("rank").alias("Rank"), pl.col("category_label").alias("Category"), pl.col("source_label").alias("Source"),
        (pl.col("safety") * 100).alias("Safety"), pl.col("cases_per_day").alias("Cases a day"),
        (pl.col("automated_share") * 100).alias("Automated now"),
        pl.col("review_hours_per_day").alias("Review hours a day"), pl.col("evidence").alias("Evidence"))
    tables.table(
        display, key="automation_candidates", hide_index=True,
        column_config={
            "Rank": st.column_config.NumberColumn(format="%d", help=f"Empty: fewer than {au.CANDIDATE_MIN_DECIDED} "
                                                                     "human decisions, too few to judge."),
            "Safety": st.column_config.ProgressColumn(format="%.0f", min_value=0, max_value=100, help=(
                "Lower 95 % bound of precision x QA agreement x (1 − appeal overturn rate).")),
            "Cases a day": st.column_config.NumberColumn(format="%.1f"),
            "Automated now": st.column_config.NumberColumn(format="%.0f%%"),
            "Review hours a day": st.column_config.NumberColumn(format="%.1f", help="Measured review time of the "
                                                                                   "people-reviewed cases, a day."),
            "Evidence": st.column_config.TextColumn(width="large"),
        },
        height=min(38 + 35 * display.height, 420),
    )


_EVIDENCE = ("human_violating", "decided", "precision", "precision_low", "qa_agreed", "qa_checked", "qa_agreement",
             "appeals_overturned", "appeals_decided", "overturn_rate")



def threshold_caption(classifier: str, current: float | None) -> None:
    """What the what-if assumes, under its chart (the classifier's name is data: plain text)."""
    st.caption(f"{plain.md(classifier)}: every flagged case of the period at or above the threshold decided "
               "automatically. " + (f"Today it automates from a score of {current:.2f}. " if current is not None
                                    else "Today it automates nothing. ")
               + "Precision comes from the human decisions on the cases people reviewed, so it is measured only "
               "below today's automation threshold.")
