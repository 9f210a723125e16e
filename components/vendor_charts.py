"""The Vendors page's drawings: grade tiles, the scorecard table in contract colours, weekly trends,
two vendors side by side, agreement per category, and the exports. Figures come from
watchfloor.vendors."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import plotly.graph_objects as go
import polars as pl
import streamlit as st

import queries
from components import plain, sidebar_filters, tables
from components.charts import mark
from watchfloor import scorecard_export
from watchfloor import vendors as v
from watchfloor.formatting import format_value
from watchfloor.labels import category_label

SERIES_COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756", "#72b7b2", "#9d755d"]
GROUP_LABELS = {"region": "Region", "site": "Site", "week_start": "Week starting"}


def _laid_out(fig: go.Figure, height: int, legend: bool = True) -> go.Figure:
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=40 if legend else 10, b=10), showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, title_text=""),
        plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)", hoverlabel=dict(namelength=-1),
    )
    return plain.figure(fig)


def _draw(fig: go.Figure, key: str) -> None:
    st.plotly_chart(fig, key=key, config={"displayModeBar": False})


def grade_tiles(card: pl.DataFrame) -> None:
    """One tile per vendor: its overall grade and how many figures are green, amber, red."""
    rows = queries.memo(card, _tile_rows)
    for start in range(0, len(rows), 5):
        for column, row in zip(st.columns(5), rows[start:start + 5]):
            statuses = [row[f"{f.key}_status"] for f in v.FIGURES]
            counts = {s: statuses.count(s) for s in (v.GREEN, v.AMBER, v.RED)}
            with column, st.container(border=True):
                st.metric(plain.md(row["vendor"]), f"Grade {plain.md(row['grade'])}")
                score = "–" if row["score"] is None else f"{row['score']:.0%}"
                st.caption(f"score {score} · {counts[v.GREEN]} green · {counts[v.AMBER]} amber · {counts[v.RED]} red")
    weights = ", ".join(f"{f.label} {v.format_weight(f.weight)}" for f in SHOWN_ORDER if f.weight)
    st.caption(f"Overall grade: the weighted share of points over the figures with a contract target (green 1, "
               f"amber ½, red 0; {weights}); A from 90 %, B from 75 %, C from 50 %, D below.")


def _tile_rows(card: pl.DataFrame) -> list[dict]:
    return card.sort("vendor").to_dicts()


# The figures that carry the grade first, heaviest first, so they are on screen at 1440 px; the
# figures without a target after them.
SHOWN_ORDER = sorted(v.FIGURES, key=lambda f: (f.direction is None, -f.weight))


def display_table(card: pl.DataFrame) -> pl.DataFrame:
    """The scorecard as text columns in the users' words (values formatted per figure, each after
    the mark of its contract colour)."""
    groups = [c for c in GROUP_LABELS if c in card.columns]
    data: dict[str, list] = {"Vendor": card["vendor"].to_list()}
    for g in groups:
        data[GROUP_LABELS[g]] = [f"{x:%Y-%m-%d}" if isinstance(x, (date, datetime)) else x for x in card[g].to_list()]
    data["Grade"] = card["grade"].to_list()
    for f in SHOWN_ORDER:
        data[f.label] = [mark(status, format_value(x, f.kind))
                         for x, status in zip(card[f.key].to_list(), card[f"{f.key}_status"].to_list())]
    return pl.DataFrame(data)


def scorecard_table(card: pl.DataFrame, key: str) -> None:
    if card.height == 0:
        st.info("No vendor work in this period for these filters.")
        return
    shown = queries.memo(card, display_table)  # built once per scorecard, for every rerun and session
    config = {"Vendor": st.column_config.TextColumn(pinned=True)}
    for f in v.FIGURES:
        rule = "" if f.direction is None else f" Marked 🟢 🟠 🔴 against the contract target ({f.target or 'house standard'})."
        config[f.label] = st.column_config.TextColumn(help=f.help + rule)
    tables.table(shown, key=key, hide_index=True, column_config=config,
                 height=min(38 + 35 * card.height, 460))
    st.caption("🟢 meets the contract target; 🟠 within the tolerance below it; 🔴 further off. "
               "Figures without a mark have no contract target.")


HALF_WEEK = timedelta(days=3.5)
# A date range shorter than this many weeks: the chart offers to show the last TREND_WEEKS_SHOWN.
TREND_WEEKS_AT_LEAST, TREND_WEEKS_SHOWN = 3, 8


def weekly_trend(weeks: pl.DataFrame, figure_key: str, period_start: date, period_end: date, key: str) -> None:
    figure = v.FIGURES_BY_KEY[figure_key]
    if weeks.filter(pl.col(figure_key).is_not_null()).height == 0:
        st.info(f"No {figure.label.lower()} in these weeks.")
        return
    _draw(queries.memo(weeks, _weekly_figure, figure_key), key=key)  # built once per result
    few = (period_end - period_start).days + 1 < TREND_WEEKS_AT_LEAST * 7
    st.caption("One point per UTC week (Monday to Sunday), cut to the date range. Dotted: each vendor's target."
               + (" A trend needs more weeks than the date range holds." if few else ""))
    if few:
        sidebar_filters.widen_period_button(TREND_WEEKS_SHOWN * 7, period_end, f"Show the last {TREND_WEEKS_SHOWN} weeks",
                                    key=f"{key}_widen")


def _weekly_figure(weeks: pl.DataFrame, figure_key: str) -> go.Figure:
    figure = v.FIGURES_BY_KEY[figure_key]
    data = weeks.filter(pl.col(figure_key).is_not_null())
    fig = go.Figure()
    scale = 100.0 if figure.kind == "share" else (1 / 60 if figure.kind == "seconds" else 1.0)
    unit = {"share": "%", "seconds": "minutes", "usd": "USD"}.get(figure.kind, "")
    for i, (vendor, part) in enumerate(data.sort("week_start").group_by("vendor", maintain_order=True)):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        name = vendor[0]
        fig.add_trace(go.Scatter(
            x=part["week_start"].to_list(), y=[x * scale for x in part[figure_key].to_list()], name=name,
            mode="lines+markers", line=dict(color=colour, width=2),
            hovertemplate="%{fullData.name}, week of %{x|%d %b}: %{y:,.2f}" + f" {unit}<extra></extra>"))
        targets = part[f"{figure_key}_target"].drop_nulls()
        if targets.len():
            # The target spans the weeks shown, half a week either side: with one week it is still a line.
            span = [part["week_start"].min() - HALF_WEEK, part["week_start"].max() + HALF_WEEK]
            fig.add_trace(go.Scatter(
                x=span, y=[targets[0] * scale] * 2, name=f"{name} target",
                mode="lines", line=dict(color=colour, width=1, dash="dot"), showlegend=False,
                hovertemplate="%{fullData.name}: %{y:,.2f}" + f" {unit}<extra></extra>"))
    # One tick per week, on its Monday (plotly's own weekly ticks fall on Sundays).
    mondays = sorted(data["week_start"].unique().to_list())
    fig.update_xaxes(tickvals=mondays, ticktext=[f"{m:%d %b}" for m in mondays], title_text="week starting (UTC)")
    # Shares and kappas sit close together near the top: let the axis zoom in; counts and costs start at zero.
    fig.update_yaxes(title_text=f"{figure.label} ({unit})" if unit else figure.label,
                     rangemode="normal" if figure.kind in ("share", "kappa") else "tozero")
    return _laid_out(fig, 320)


def side_by_side(card: pl.DataFrame, first: str, second: str, key: str) -> None:
    """Every figure of two vendors next to each other, with their targets, in contract colours."""
    table = queries.memo(card, _pair_rows, first, second)
    if table is None:
        st.info("Pick two vendors with work in this period.")
        return
    tables.table(table, key=key, hide_index=True,
                 height=38 + 35 * table.height)


def _pair_rows(card: pl.DataFrame, first: str, second: str) -> pl.DataFrame | None:
    """The side-by-side table of two vendors, kept with the scorecard; None if one has no row."""
    rows = {r["vendor_id"]: r for r in card.to_dicts()}
    if first not in rows or second not in rows:
        return None
    a, b = rows[first], rows[second]

    def column(row: dict, targets: bool) -> list[str]:
        if targets:
            return [""] + [format_value(row[f"{f.key}_target"], f.kind) if row[f"{f.key}_target"] is not None else ""
                           for f in v.FIGURES]
        return [row["grade"]] + [mark(row[f"{f.key}_status"], format_value(row[f.key], f.kind)) for f in v.FIGURES]

    name_a, name_b = a["vendor"], b["vendor"]
    if name_a == name_b:  # two vendors of the same name: tell them apart by id
        name_a, name_b = f"{name_a} ({first})", f"{name_b} ({second})"
    return pl.DataFrame({
        "Figure": ["Grade"] + [f.label for f in v.FIGURES],
        name_a: column(a, False), f"{name_a} target": column(a, True),
        name_b: column(b, False), f"{name_b} target": column(b, True),
    })


def kappa_heatmap(kappa: pl.DataFrame, names: dict[str, str], key: str) -> None:
    """Agreement with QA (Cohen's kappa) per vendor and category, coloured by band."""
    if kappa.filter(pl.col("kappa").is_not_null()).height == 0:
        st.info("No QA checks with a defined agreement in this period.")
        return
    # Built once per result (the names come from the same results).
    _draw(queries.memo(kappa, _kappa_figure, tuple(sorted(names.items()))), key=key)
    st.caption("Cohen's kappa of the reviewers' decisions against QA's (golden items excluded). Bands: "
               "≤ 0 poor, ≤ 0.20 slight, ≤ 0.40 fair, ≤ 0.60 moderate, ≤ 0.80 substantial, above: almost perfect. "
               "Few checks make a kappa uncertain: hover for the count.")


def _kappa_figure(kappa: pl.DataFrame, name_pairs: tuple[tuple[str, str], ...]) -> go.Figure:
    names = dict(name_pairs)
    data = kappa.filter(pl.col("kappa").is_not_null())
    vendors = sorted(data["vendor_id"].unique().to_list(), key=lambda x: names.get(x, x))
    categories = sorted(data["category"].unique().to_list(), key=category_label)
    lookup = {(r["vendor_id"], r["category"]): r for r in data.to_dicts()}
    z, text, hover = [], [], []
    for vendor in vendors:
        zr, tr, hr = [], [], []
        for c in categories:
            r = lookup.get((vendor, c))
            zr.append(None if r is None else r["kappa"])
            tr.append("" if r is None else f"{r['kappa']:.2f}")
            hr.append("no checks" if r is None else f"κ {r['kappa']:.2f}, {r['band']}, {r['checks']:,} checks")
        z.append(zr), text.append(tr), hover.append(hr)
    fig = go.Figure(go.Heatmap(
        z=z, x=[category_label(c) for c in categories], y=[names.get(x, x) for x in vendors], text=text,
        texttemplate="%{text}", customdata=hover, hovertemplate="%{y} · %{x}: %{customdata}<extra></extra>",
        zmin=0, zmax=1, colorscale=[[0, "#e45756"], [0.4, "#f2b447"], [0.6, "#f6e08a"], [0.8, "#9fd19f"], [1, "#2e8b57"]],
        colorbar=dict(title="κ", tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0]), xgap=2, ygap=2))
    fig.update_xaxes(tickangle=-35)
    fig.update_yaxes(autorange="reversed")  # vendors top-down in name order
    return _laid_out(fig, 120 + 42 * len(vendors), legend=False)


def _vendor_choices(vendor_cards: pl.DataFrame) -> tuple[list[str], dict[str, str]]:
    """The export's vendor choices (ids by name) and their names, kept with the scorecard."""
    return (vendor_cards.sort("vendor")["vendor_id"].to_list(),
            dict(zip(vendor_cards["vendor_id"], vendor_cards["vendor"])))


def exports(card: pl.DataFrame, level: str, weeks: pl.DataFrame, kappa: pl.DataFrame, start: date, end: date,
            as_of: datetime, vendor_cards: pl.DataFrame) -> None:
    """The two downloads; their files are written when the button is clicked (in a thread of the
    server, not in the page run every visitor waits for). A click must not rerun the page: the
    rerun replaces the button's file id, and the browser's request for the old one then fails."""
    left, right = st.columns(2)
    with left:
        st.markdown("**Scorecard table (CSV)**")
        st.caption(f"The table above, by {v.LEVELS[level].lower()}: values, targets and colours.")
        st.download_button("Download CSV", data=lambda: scorecard_export.scorecard_csv(card),
                           file_name=f"vendor_scorecards_{level}_{start:%Y%m%d}_{end:%Y%m%d}.csv",
                           mime="text/csv", key="vendors_export_csv", icon=":material/download:", on_click="ignore")
    with right:
        st.markdown("**Printable scorecard (HTML)**")
        options, names = queries.memo(vendor_cards, _vendor_choices)
        chosen = st.selectbox("Vendor", options=options, format_func=lambda x: names.get(x, x),
                              key="vendors_export_vendor")
        if chosen:
            row = vendor_cards.filter(pl.col("vendor_id") == chosen).row(0, named=True)
            page = lambda: scorecard_export.scorecard_html(  # noqa: E731 - built on the click, not every run
                row, weeks.filter(pl.col("vendor_id") == chosen).sort("week_start"),
                kappa.filter(pl.col("vendor_id") == chosen), start, end, as_of).encode("utf-8")
            st.download_button("Download scorecard", data=page,
                               file_name=f"scorecard_{chosen}_{start:%Y%m%d}_{end:%Y%m%d}.html",
                               mime="text/html", key="vendors_export_html", icon=":material/print:",
                               on_click="ignore")
            st.caption("A self-contained page: open it in a browser and print it (or save as PDF).")
