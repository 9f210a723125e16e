"""The Quality page's drawings: headline tiles, reviewer accuracy distribution, the calibration list,
error types and confusion by category, golden-set results over time, agreement per category.
Figures come from watchfloor.quality."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from components import plain, tables
from components.charts import marked
from watchfloor import quality as q
from watchfloor.formatting import format_count, format_share
from watchfloor.labels import category_labels

BAND_COLOURS = {"poor": "red", "slight": "red", "fair": "amber", "moderate": "yellow", "substantial": "green",
                "almost perfect": "green"}
ERROR_COLOURS = ["#e45756", "#f58518", "#4c78a8", "#72b7b2", "#b279a2", "#9d755d"]


def _plotly(fig: go.Figure, height: int, key: str, legend: bool = False) -> None:
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=40 if legend else 10, b=10), showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, title_text=""),
        plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)", hoverlabel=dict(namelength=-1),
    )
    st.plotly_chart(plain.figure(fig), key=key, config={"displayModeBar": False})


def headline(summary: q.QualitySummary) -> None:
    tiles = st.columns(4)
    with tiles[0], st.container(border=True):
        st.metric("QA accuracy", format_share(summary.accuracy),
                  help="QA-checked decisions the QA reviewer agreed with (golden items excluded).")
        st.caption(f"{summary.checks:,} QA checks")
    with tiles[1], st.container(border=True):
        st.metric("Golden-set accuracy", format_share(summary.golden_accuracy),
                  help="Golden-set items decided as the known answer.")
        st.caption(f"{summary.golden_items:,} golden items")
    with tiles[2], st.container(border=True):
        st.metric("Agreement (κ)", "–" if summary.kappa is None else f"{summary.kappa:.2f}",
                  help="Cohen's kappa of the reviewers' decisions against QA's, golden items excluded.")
        st.caption(q.kappa_band(summary.kappa) or "no checks")
    with tiles[3], st.container(border=True):
        st.metric("Reviewers checked", format_count(summary.reviewers),
                  help="Reviewers with at least one QA check or golden item in the period.")
        st.caption("by reviewer id")


def accuracy_distribution(histogram: pl.DataFrame, key: str) -> None:
    if histogram.height == 0:
        st.info(f"No reviewer has {q.MIN_CHECKS_FOR_RANKING} or more checks in this period.")
        return
    lowers = histogram["lower"].to_list()
    labels = ["100%" if x >= 1.0 else f"{x:.0%}–{x + 0.02:.0%}" for x in lowers]
    fig = go.Figure(go.Bar(
        x=[x * 100 + (0 if x >= 1.0 else 1) for x in lowers], y=histogram["reviewers"].to_list(), width=1.8,
        marker_color=["#54a24b" if x >= 0.95 else "#4c78a8" if x >= 0.9 else "#e45756" for x in lowers],
        customdata=labels, hovertemplate="accuracy %{customdata}: %{y} reviewers<extra></extra>"))
    fig.update_xaxes(title_text="accuracy (%)", range=[max(0, min(lowers) * 100 - 4), 102], dtick=5)
    fig.update_yaxes(title_text="reviewers", tickformat=",d", rangemode="tozero")
    if max(histogram["reviewers"].to_list()) < 8:
        fig.update_yaxes(dtick=1)
    _plotly(fig, 280, key=key)
    st.caption(f"Reviewers with at least {q.MIN_CHECKS_FOR_RANKING} checks (QA and golden) in the period, by accuracy "
               "= matched ÷ checks, in 2-point bins. Red below 90 %, green from 95 %.")


def calibration(table: pl.DataFrame, key: str) -> None:
    if table.height == 0:
        st.info(f"No reviewer with {q.MIN_CHECKS_FOR_RANKING} or more checks made an error in this period.")
        return
    shown = table.drop("vendor_id").with_columns(
        (pl.col("error_share") * 100).alias("error_share"),
        (pl.col("error_floor") * 100).alias("error_floor"),
        category_labels("worst_category"),
    )
    tables.table(shown, key=key, hide_index=True, column_config={
        "reviewer_id": st.column_config.TextColumn("Reviewer", pinned=True),
        "vendor": st.column_config.TextColumn("Vendor"),
        "checks": st.column_config.NumberColumn("Checks", format="localized"),
        "errors": st.column_config.NumberColumn("Errors", format="localized"),
        "error_share": st.column_config.NumberColumn("Error share", format="%.1f%%"),
        "error_floor": st.column_config.NumberColumn(
            "At least", format="%.1f%%",
            help="Lower end of the 95 % Wilson interval of the error share: the error share we are fairly sure "
                 "the reviewer has. The list is ranked by it."),
        "worst_category": st.column_config.TextColumn("Most errors in"),
        "worst_category_errors": st.column_config.NumberColumn("Errors there", format="localized"),
    }, height=min(38 + 35 * table.height, 390))
    st.caption(f"Reviewers with at least {q.MIN_CHECKS_FOR_RANKING} checks, ranked by the error share they "
               f"surely have (lower end of the 95 % interval), so that a few unlucky checks do not put someone "
               f"on the list; the top {q.CALIBRATION_TOP_N}.")


def errors_by_category(errors: pl.DataFrame, key: str) -> None:
    if errors.height == 0:
        st.info("No disagreement between reviewers and QA in this period.")
        return
    totals = errors.group_by("category_label").agg(pl.col("checks").sum()).sort("checks")
    order = totals["category_label"].to_list()
    fig = go.Figure()
    for i, (kind, part) in enumerate(errors.group_by("error", maintain_order=True)):
        fig.add_trace(go.Bar(y=part["category_label"].to_list(), x=part["checks"].to_list(), name=kind[0],
                             orientation="h", marker_color=ERROR_COLOURS[i % len(ERROR_COLOURS)],
                             hovertemplate="%{y}: %{x} × %{fullData.name}<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(categoryorder="array", categoryarray=order)
    fig.update_xaxes(title_text="checks where QA decided otherwise", tickformat=",d")
    if totals["checks"].max() < 8:
        fig.update_xaxes(dtick=1)
    _plotly(fig, 120 + 24 * len(order), key=key, legend=True)


def confusion(matrix: pl.DataFrame, key: str) -> None:
    decisions = [c for c in matrix.columns if c != "original_decision"]
    z = [[row[c] for c in decisions] for row in matrix.iter_rows(named=True)]
    if not any(any(r) for r in z):
        st.info("No checks for this choice.")
        return
    label = lambda d: q.DECISION_LABELS.get(d, d)  # noqa: E731
    totals = [sum(r) or 1 for r in z]
    fig = go.Figure(go.Heatmap(
        z=[[n / t for n in r] for r, t in zip(z, totals)], zmin=0, zmax=1,
        x=[label(d) for d in decisions], y=[label(d) for d in matrix["original_decision"].to_list()],
        text=[[f"{n:,}" for n in r] for r in z], texttemplate="%{text}",
        colorscale=[[0, "#ffffff"], [1, "#4c78a8"]], showscale=False, xgap=2, ygap=2,
        hovertemplate="reviewer %{y}, QA %{x}: %{text} checks<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title_text="reviewer's decision")
    fig.update_xaxes(title_text="QA decision (golden: the known answer)", side="top")
    _plotly(fig, 260, key=key)
    st.caption("Checks by the reviewer's decision (rows) and QA's (columns); shading: share of the row. "
               "The diagonal is agreement.")


def golden_over_time(golden: pl.DataFrame, weekly: bool, key: str) -> None:
    if golden["items"].sum() == 0:
        st.info("No golden-set items were checked in this period.")
        return
    fig = go.Figure()
    fig.add_trace(go.Bar(x=golden["bucket"].to_list(), y=golden["items"].to_list(), name="golden items",
                         marker_color="#c9d6e8", yaxis="y2",
                         hovertemplate="%{x|%d %b}: %{y} items<extra></extra>"))
    fig.add_trace(go.Scatter(x=golden["bucket"].to_list(),
                             y=[None if a is None else a * 100 for a in golden["accuracy"].to_list()],
                             name="accuracy", mode="lines+markers", line=dict(color="#1f2933", width=2.5),
                             connectgaps=False, hovertemplate="%{x|%d %b}: %{y:.1f}%<extra></extra>"))
    fig.update_layout(
        yaxis=dict(title="accuracy (%)", range=[0, 102]),
        yaxis2=dict(title="items", overlaying="y", side="right", showgrid=False, rangemode="tozero",
                    tickmode="auto", nticks=5),
    )
    fig.update_xaxes(tickformat="%d %b")
    _plotly(fig, 300, key=key, legend=True)
    unit = "week (Monday to Sunday)" if weekly else "day"
    st.caption(f"Golden-set items checked per UTC {unit} and the share decided as the known answer; "
               "a gap: no golden items that day.")


def agreement_table(agreement: pl.DataFrame, key: str) -> None:
    if agreement.height == 0:
        st.info("No QA checks (golden items aside) in this period.")
        return
    counts = q.band_counts(agreement)
    st.caption(" · ".join(f"{band}: {n}" for band, n in counts.items() if n) + " categories")
    shown = agreement.select(
        pl.col("category_label").alias("Category"), pl.col("checks").alias("QA checks"),
        (pl.col("accuracy") * 100).alias("Accuracy"), pl.col("kappa").alias("Kappa"),
        marked(pl.col("band").fill_null("undefined"), pl.col("band").replace_strict(BAND_COLOURS, default=None, return_dtype=pl.String))
        .alias("Band"),
    ).sort("Kappa", nulls_last=True)
    tables.table(shown, key=key, hide_index=True, column_config={
        "QA checks": st.column_config.NumberColumn(format="localized"),
        "Accuracy": st.column_config.NumberColumn(format="%.1f%%"),
        "Kappa": st.column_config.NumberColumn(format="%.2f", help="Cohen's kappa, golden items excluded; "
                                               "empty when undefined (everyone gave one and the same decision)."),
        "Band": st.column_config.TextColumn(help="Landis & Koch: ≤ 0 poor, ≤ 0.20 slight, ≤ 0.40 fair, "
                                                 "≤ 0.60 moderate, ≤ 0.80 substantial, above: almost perfect. Undefined: "
                                                 "reviewers and QA all gave one and the same decision."),
    }, height=min(38 + 35 * shown.height, 560))
