"""The Trends & spikes page's drawings: headline, spike list, volume chart with the expected band,
alerts a week per category at the sensitivity in force, cases behind a spike, top movers,
emerging patterns, classifier signal. Figures come from watchfloor.trends and watchfloor.spike_detector."""

from __future__ import annotations

from datetime import timedelta

import plotly.graph_objects as go
import polars as pl
import streamlit as st

import queries
from components import case_link, plain, tables, times
from components import chart_style as style
from components.kpi import kpi_tile
from watchfloor import palette as pal
from watchfloor import trends as tr
from watchfloor.formatting import count_of, format_count, signed_count
from watchfloor.labels import category_labels, humanised, surface_labels, texts_of

LINE_COLOURS = style.SERIES
OBSERVED_COLOUR = pal.INK
BAND_COLOUR = pal.translucent(pal.BLUE, 0.18)
EXPECTED_COLOUR = pal.BLUE
SPIKE_COLOUR = pal.RED
BURST_COLOUR = pal.SLATE_GREY
KIND_LABELS = {"spike": "Spike", "batch": "Batch", "one account": "One account"}
MIN_DECIDED = 5  # the heatmap leaves a band blank below this many human decisions
OVERVIEW_TOP_N = 8
ALL = "__all__"


def _laid_out(fig: go.Figure, height: int, legend: bool = True) -> go.Figure:
    """Trends' charts hover by time across series and count from zero."""
    return style.laid_out(fig, height, legend=legend, grid=True, from_zero=True, hovermode="x unified")


def _unit(step: timedelta) -> str:
    return "hour" if step == timedelta(hours=1) else "day"


def _zone_of(step: timedelta) -> str:
    """Hours are shown in the reader's time zone; days are the UTC days the queries count in."""
    return times.zone() if step == timedelta(hours=1) else times.UTC


# --------------------------------------------------------------------------- headline


def headline(episodes: pl.DataFrame, movers: pl.DataFrame, dimension: str, role: str) -> None:
    """`episodes` is watchfloor.trends.spike_list's frame (spikes first, then bursts)."""
    counts = queries.memo(episodes, _headline_counts)
    tiles = st.columns(4)
    name = tr.DIMENSIONS[dimension].lower()
    with tiles[0]:
        kpi_tile("Spikes in period", format_count(counts["spikes"]),
                 note=f"ongoing {counts['ongoing']:,} · last 24 h {counts['recent']:,} · bursts {counts['bursts']:,}",
                 help="Spikes touching the period: the alerts of every category, its surfaces, regions and "
                      "surface-region pairs, and the spikes of this breakdown's own series. Bursts (a batch landing "
                      "at once, reports piling onto one account) are listed but not counted as spikes.", role=role)
    with tiles[1]:
        worst = counts["worst"]
        ratio = worst["ratio"] if worst else None
        kpi_tile("Top spike", f"{ratio:.1f}×" if ratio else "–",
                 note=(f"{plain.md(worst['label'])} · {worst['severity']} · {worst['observed']:,.0f} cases vs "
                       f"{worst['expected']:,.0f} expected" if worst else "no spike in the period"),
                 help="The first spike of the list below (ongoing first, then by severity and excess cases): "
                      "its cases ÷ expected cases.", role=role)
    with tiles[2]:
        kpi_tile("Excess cases", format_count(counts["excess"]), note="observed − expected over all spikes",
                 help="Cases above the expected count, summed over the spike episodes in the list.", role=role)
    with tiles[3]:
        row = queries.memo(movers, tr.top_riser)
        if row is not None:
            share = f" ({row['change_share']:+.0%})" if row["change_share"] is not None else " (new)"
            kpi_tile(f"Top riser by {name}", plain.md(row["label"]), note=f"+{row['change']:,} cases{share} vs previous period",
                     help="The value with the largest rise in cases against the period of the same length before.",
                     role=role)
        else:
            kpi_tile(f"Top riser by {name}", "–", note="nothing rose against the previous period", role=role)


def _headline_counts(episodes: pl.DataFrame) -> dict:
    """The tiles' figures of a spike list, kept with it (built once for every rerun and session)."""
    spikes = episodes.filter(pl.col("kind") == "spike")
    return {"spikes": spikes.height, "bursts": episodes.height - spikes.height,
            "ongoing": spikes.filter(pl.col("state") == "ongoing").height,
            "recent": spikes.filter(pl.col("state") == "recent").height,
            "worst": spikes.row(0, named=True) if spikes.height else None,
            "excess": float(spikes["excess"].sum()) if spikes.height else 0.0}


# --------------------------------------------------------------------------- spike list


def spike_table(episodes: pl.DataFrame, dimension: str) -> dict | None:
    """The ranked spike list (watchfloor.trends.spike_list); returns the selected row (a dict) or None."""
    if episodes.height == 0:
        st.info("No spike in this period for these filters: every series stayed within its expected band.")
        return None
    unit = "bucket"
    onset_title = times.titled("Onset")
    display, burst_count = queries.memo(episodes, _spike_rows, times.zone(), onset_title)
    listed = count_of(episodes.height - burst_count, "spike") + (f" and {count_of(burst_count, 'burst')}" if burst_count else "")
    st.caption(f"{listed}, ongoing first, then by severity and excess cases: each "
               "category is watched hourly on its own series and on each of its surfaces, regions and surface-region "
               "pairs, and spikes of one category over the same hours are one alert, shown where it is (the narrowest "
               "series holding most of it)"
               + ("." if dimension == "category" else f"; and the spikes of each {tr.DIMENSIONS[dimension].lower()}.")
               + " Bursts come last: a batch (most of the extra cases landed within ten minutes, as a classifier "
               "back-fill does) or one account (most of them against a single account). Select one to draw its "
               "series and list its cases.")
    event = tables.table(
        display,
        key=f"trends_spike_table_{dimension}",
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        column_config={
            "Kind": st.column_config.TextColumn(help="Spike, or a burst that is not one: a batch (landed within "
                                                     "minutes) or one account (reports piling onto one account)."),
            "Spike in": st.column_config.TextColumn(pinned=True, help="Where the spike is: a category, or one surface "
                                                         "and/or region of it; or a value of the breakdown."),
            onset_title: st.column_config.DatetimeColumn(format="MM-DD HH:mm", help=f"First {unit} of the spike; "
                                                         f"onset, peak and until in {times.label()}."),
            "Peak": st.column_config.DatetimeColumn(format="MM-DD HH:mm", help=f"The {unit} with the highest score."),
            "Until": st.column_config.DatetimeColumn(format="MM-DD HH:mm",
                                                     help=f"End of the last elevated {unit} (so far, if ongoing)."),
            "Cases": st.column_config.NumberColumn(format="localized", help="Cases of its series over the spike."),
            "Expected": st.column_config.NumberColumn(format="localized", help="Expected cases over the same buckets."),
            "Extra cases": st.column_config.NumberColumn(format="localized", help="Cases − expected cases over the spike."),
            "× expected": st.column_config.NumberColumn(format="%.1f×", help="Cases ÷ expected over the spike."),
            "Score": st.column_config.NumberColumn(
                format="%.1f", help="Peak surprise as a standard-normal z: how unlikely the peak is without a spike."),
            "State": st.column_config.TextColumn(help="Ongoing: still elevated at the last complete bucket; recent: "
                                                      "ended in the last 24 hours."),
        },
        height=min(38 + 35 * display.height, 320),
    )
    row = case_link.selected_row(event)
    if row is None or row >= episodes.height:
        return None
    return episodes.row(row, named=True)


def _spike_rows(episodes: pl.DataFrame, zone: str, onset_title: str) -> tuple[pl.DataFrame, int]:
    """The spike list as the table shows it, and its bursts, kept with the list."""
    # Where, how big and since when first (what a narrow screen shows without scrolling), then the rest.
    display = times.in_zone(episodes, ("onset", "peak", "until"), zone).select(
        pl.col("label").alias("Spike in"),
        pl.col("ratio").alias("× expected"),
        pl.col("excess").round(0).alias("Extra cases"),
        pl.col("onset").alias(onset_title),
        humanised("severity").alias("Severity"),
        pl.col("kind").replace_strict(KIND_LABELS, default="Spike", return_dtype=pl.String).alias("Kind"),
        humanised("state").alias("State"),
        pl.col("peak").alias("Peak"),
        pl.col("until").alias("Until"),
        pl.col("observed").alias("Cases"),
        pl.col("expected").round(0).alias("Expected"),
        pl.col("score").alias("Score"),
    )
    return display, episodes.filter(pl.col("kind") != "spike").height


# --------------------------------------------------------------------------- alert rate


def sensitivity_cost(slot, rate: pl.DataFrame, sensitivity_label: str) -> None:
    """One line beside the sensitivity control, in `slot` (an st.empty()): the alerts a week it gives."""
    if rate.height == 0:
        slot.caption("Not enough history yet to count alerts a week.")
        return
    slot.caption(f"{sensitivity_label}: {float(rate['spikes_per_week'].sum()):.1f} spike alerts a week over all "
                 f"categories, and {float(rate['bursts_per_week'].sum()):.1f} bursts (see Alerts a week by category).")


def alert_rate_chart(rate: pl.DataFrame, sensitivity_label: str) -> None:
    """Alerts a week per category at the sensitivity in force (watchfloor.trends.alert_rate):
    spikes and bursts side by side, most spikes first."""
    if rate.height == 0:
        st.info("Not enough history yet to count alerts a week: the detector needs two weeks of data first.")
        return
    # Built once per rate frame (kept with the spike record), drawn on each run.
    style.draw(queries.memo(rate, _alert_rate_figure), key="trends_alert_rate_chart")
    weeks = float(rate["weeks"][0])
    spikes_total = float(rate["spikes_per_week"].sum())
    bursts_total = float(rate["bursts_per_week"].sum())
    st.caption(f"At {sensitivity_label.lower()} sensitivity: {spikes_total:.1f} spike alerts a week over all "
               f"categories and {bursts_total:.1f} bursts, counted over the last {weeks:.1f} weeks the detector judged "
               "(every category, its surfaces, regions and surface-region pairs, hourly; the first two weeks of data "
               "are its warm-up). Switch the sensitivity above to see what another setting would cost.")


def _alert_rate_figure(rate: pl.DataFrame) -> go.Figure:
    shown = rate.reverse()  # plotly draws the first bar at the bottom
    labels = shown["label"].to_list()
    fig = go.Figure()
    fig.add_trace(go.Bar(y=labels, x=shown["spikes_per_week"].to_list(), orientation="h", name="Spike alerts",
                         marker_color=SPIKE_COLOUR, hovertemplate="%{y}: %{x:.1f} spike alerts a week<extra></extra>"))
    fig.add_trace(go.Bar(y=labels, x=shown["bursts_per_week"].to_list(), orientation="h", name="Bursts",
                         marker_color=BURST_COLOUR, hovertemplate="%{y}: %{x:.1f} bursts a week<extra></extra>"))
    fig.update_layout(barmode="group", hovermode="closest")
    fig.update_xaxes(title_text="alerts a week", rangemode="tozero")
    return _laid_out(fig, 40 + 26 * rate.height)


# --------------------------------------------------------------------------- volume chart


def series_options(view: tr.SpikeView, dimension: str) -> dict[str, str]:
    """ALL, then the values by volume in the period (worked out once per detector view)."""
    return queries.memo(view.points, _series_options, dimension)


def _series_options(points: pl.DataFrame, dimension: str) -> dict[str, str]:
    totals = points.group_by("key").agg(pl.col("observed").sum()).sort(["observed", "key"], descending=[True, False])
    return {ALL: f"All {tr.DIMENSIONS[dimension].lower()} values (top {OVERVIEW_TOP_N})",
            **{key: tr.value_label(dimension, key) for key in totals["key"].to_list()}}


def volume_chart(view: tr.SpikeView, dimension: str, shown: str, selected: dict | None) -> None:
    points = view.points
    if points.height == 0:
        st.info("No complete time bucket in this period yet.")
        return
    unit = _unit(view.bucket)
    zone = _zone_of(view.bucket)
    if shown == ALL:
        # Built once per detector view (shared by every session that sees it), drawn on each run.
        style.draw(queries.memo(view.points, _overview_figure, view.episodes, dimension, zone),
              key=f"trends_overview_chart_{dimension}")
        st.caption(f"Cases per {unit} ({zone}) of the {OVERVIEW_TOP_N} biggest values; red dots mark the peak of each "
                   "spike. Choose one value to see its expected band.")
        return
    rows = times.in_zone(points.filter(pl.col("key") == shown).sort("bucket"), ["bucket"], zone)
    episodes = times.in_zone(view.episodes.filter(pl.col("key") == shown), ["onset", "end", "peak"], zone)
    fig = go.Figure()
    buckets = rows["bucket"].to_list()
    _band_traces(fig, rows)
    first = buckets[0] if buckets else None
    for episode in episodes.iter_rows(named=True):
        chosen = (selected is not None and selected["key"] == shown
                  and times.wall(selected["onset"], zone) == episode["onset"])
        fig.add_vrect(x0=max(episode["onset"], first) if first else episode["onset"], x1=episode["end"] + view.bucket,
                      fillcolor=SPIKE_COLOUR, opacity=0.22 if chosen else 0.1, line_width=0, layer="below")
    fig.update_xaxes(title=dict(text=f"{unit} ({zone})", font=dict(size=11)))
    style.draw(_laid_out(fig, 360), key=f"trends_volume_chart_{dimension}")
    st.caption(f"{plain.md(tr.value_label(dimension, shown))}: cases per {unit} ({zone}). The band runs from the expected count "
               "to where a count starts to stand out (the detector's continue threshold); shaded: spike episodes, "
               "the chosen one darker. The expected count uses only the weeks before each point.")


def scope_chart(points: pl.DataFrame, spike: dict) -> None:
    """One watched series (hourly) with its expected band, the chosen alert shaded."""
    if points.height == 0:
        st.info("No complete hour in this period yet.")
        return
    rows = times.local(points.sort("bucket"), "bucket")
    fig = go.Figure()
    _band_traces(fig, rows)
    fig.add_vrect(x0=max(times.wall(spike["onset"]), rows["bucket"][0]), x1=times.wall(spike["until"]),
                  fillcolor=SPIKE_COLOUR, opacity=0.22, line_width=0, layer="below")
    fig.update_xaxes(title=dict(text=times.titled("hour"), font=dict(size=11)))
    style.draw(_laid_out(fig, 360), key=f"trends_scope_chart_{spike['key']}")
    st.caption(f"{plain.md(spike['label'])}: cases per hour ({times.label()}). The band runs from the expected count to where a count "
               "starts to stand out (the detector's continue threshold); shaded: the chosen spike. The expected "
               "count uses only the weeks before each point.")


def _band_traces(fig: go.Figure, rows: pl.DataFrame) -> None:
    buckets = rows["bucket"].to_list()
    fig.add_trace(go.Scatter(x=buckets, y=rows["expected"].to_list(), name="Expected", mode="lines",
                             line=dict(color=EXPECTED_COLOUR, width=1, dash="dot"),
                             hovertemplate="expected %{y:.1f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=buckets, y=rows["upper"].to_list(), name="Expected band", mode="lines",
                             line=dict(width=0), fill="tonexty", fillcolor=BAND_COLOUR,
                             hovertemplate="band top %{y:.1f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=buckets, y=rows["observed"].to_list(), name="Cases", mode="lines",
                             line=dict(color=OBSERVED_COLOUR, width=1.6),
                             hovertemplate="%{y:,.0f} cases<extra></extra>"))
    hot = rows.filter(pl.col("in_episode"))
    fig.add_trace(go.Scatter(x=hot["bucket"].to_list(), y=hot["observed"].to_list(), name="In a spike",
                             mode="markers", marker=dict(color=SPIKE_COLOUR, size=6),
                             hovertemplate="spike: %{y:,.0f} cases<extra></extra>"))


def _overview_figure(points: pl.DataFrame, episodes: pl.DataFrame, dimension: str, zone: str = times.UTC) -> go.Figure:
    points = times.in_zone(points, ["bucket"], zone)
    episodes = times.in_zone(episodes, ["peak"], zone)
    totals = points.group_by("key").agg(pl.col("observed").sum()).sort(["observed", "key"], descending=[True, False])
    top = totals["key"].head(OVERVIEW_TOP_N).to_list()
    fig = go.Figure()
    for i, key in enumerate(top):
        rows = points.filter(pl.col("key") == key).sort("bucket")
        fig.add_trace(go.Scatter(x=rows["bucket"].to_list(), y=rows["observed"].to_list(), mode="lines",
                                 name=tr.value_label(dimension, key),
                                 line=dict(width=1.4, color=LINE_COLOURS[i % len(LINE_COLOURS)]),
                                 hovertemplate="%{fullData.name}: %{y:,.0f}<extra></extra>"))
    peaks = episodes.filter(pl.col("key").is_in(top))
    if peaks.height:
        fig.add_trace(go.Scatter(x=peaks["peak"].to_list(), y=peaks["peak_observed"].to_list(), mode="markers",
                                 name="Spike peak", marker=dict(color=SPIKE_COLOUR, size=9, line=dict(color="white", width=1)),
                                 customdata=peaks["label"].to_list(),
                                 hovertemplate="spike in %{customdata}: %{y:,.0f}<extra></extra>"))
    fig.update_xaxes(title=dict(text=f"time ({zone})", font=dict(size=11)))
    return _laid_out(fig, 360)


# --------------------------------------------------------------------------- cases behind a spike


def spike_cases(cases: pl.DataFrame, episode: dict, role: str) -> None:
    """The cases behind a row of watchfloor.trends.spike_list."""
    start, end = episode["onset"], episode["until"]
    if cases.height == 0:
        st.info("No case of this spike matches the current filters.")
        return
    total = int(cases["total"][0])
    shown = f"the {cases.height:,} newest of {total:,}" if total > cases.height else f"all {total:,}"
    st.caption(f"{plain.md(episode['label'])}, created {times.at(start, '%m-%d %H:%M')} to {times.at(end, '%m-%d %H:%M')}: "
               f"{shown} cases.{case_link.select_hint(role)}")
    created = times.titled("Created")
    display = times.local(cases, "created_at").select(
        pl.col("case_id").alias("Case"),
        pl.col("created_at").alias(created),
        category_labels("category").alias("Category"),
        humanised("subcategory").alias("Subcategory"),
        surface_labels("surface").alias("Surface"),
        pl.col("region").alias("Region"),
        pl.col("language").alias("Language"),
        humanised("source").alias("Source"),
        pl.col("priority").alias("Priority"),
        humanised("status").alias("Status"),
        pl.col("org_id").alias("Organisation"),
    )
    case_link.case_table(
        display, cases["case_id"].to_list(), key=f"trends_spike_cases_{episode['key']}_{episode['onset']:%Y%m%d%H}",
        role=role,
        on_stay=lambda row: st.info(f"Case {plain.md(cases['case_id'][row])}: the Case page is not available to your role."),
        column_config={"Case": st.column_config.TextColumn(pinned=True),
                       created: st.column_config.DatetimeColumn(format="MM-DD HH:mm")},
        height=min(38 + 35 * display.height, 390),
    )


# --------------------------------------------------------------------------- movers


def _mover_rows(movers: pl.DataFrame, title: str) -> pl.DataFrame:
    """The top movers as the table shows them, kept with the movers."""
    rows = movers.head(tr.MOVERS_TOP_N)
    return rows.select(
        pl.col("label").alias(title),
        pl.col("current").alias("This period"),
        pl.col("previous").alias("Period before"),
        texts_of(rows, signed_count, "change").alias("Change"),
        (pl.col("change_share") * 100).alias("Change %"),
    )


def movers_table(movers: pl.DataFrame, dimension: str, period_label: str) -> None:
    if movers.height == 0 or (movers["current"].sum() == 0 and movers["previous"].sum() == 0):
        st.info("No cases in this period or the one before for these filters.")
        return
    tables.table(
        queries.memo(movers, _mover_rows, tr.DIMENSIONS[dimension]),
        key=f"trends_movers_table_{dimension}",
        hide_index=True,
        column_config={
            "This period": st.column_config.NumberColumn(format="localized"),
            "Period before": st.column_config.NumberColumn(format="localized"),
            "Change": st.column_config.TextColumn(help="This period − period before."),
            "Change %": st.column_config.NumberColumn(format="%+.1f%%",
                                                      help="Change ÷ period before; empty where the period before had none."),
        },
    )
    st.caption(f"{period_label}; the {min(tr.MOVERS_TOP_N, movers.height)} largest changes in cases, up or down.")


# --------------------------------------------------------------------------- emerging patterns


def emerging_patterns(rising: pl.DataFrame) -> None:
    if rising.height == 0:
        st.info("No subcategory, language, surface or organisation gained share against the previous period.")
        return
    columns = st.columns(len(tr.EMERGING_DIMENSIONS))
    for column, (dimension, name) in zip(columns, tr.EMERGING_DIMENSIONS.items()):
        with column:
            st.markdown(f"**{name}**")
            rows = queries.memo(rising, _emerging_rows, dimension, name)
            if rows.height == 0:
                st.caption("None gained share.")
                continue
            tables.table(
                rows,
                key=f"trends_emerging_{dimension}",
                hide_index=True,
                column_config={
                    "Share": st.column_config.NumberColumn(format="%.1f%%", help="Share of all cases in scope, this period."),
                    "Rise": st.column_config.NumberColumn(format="+%.2f pt",
                                                          help="Share now − share in the period before, in points."),
                },
            )


def _emerging_rows(rising: pl.DataFrame, dimension: str, name: str) -> pl.DataFrame:
    """One dimension's rising values as its table shows them, kept with the result."""
    return rising.filter(pl.col("dimension") == dimension).select(
        tr.value_labels(dimension, "value").alias(name),
        (pl.col("share_now") * 100).alias("Share"),
        (pl.col("share_change") * 100).alias("Rise"),
    )


# --------------------------------------------------------------------------- classifier signal


def classifier_signal(table: pl.DataFrame, overall: pl.DataFrame, volume: pl.DataFrame, hourly: bool) -> None:
    if table.height == 0:
        st.info("No classifier-flagged case in this period for these filters.")
        return
    left, right = st.columns([3, 2])
    with left:
        # Both charts are built once per result (shared by every session), drawn on each run.
        style.draw(queries.memo(table, _precision_heatmap, overall), key="trends_classifier_heatmap")
        st.caption("Precision against human decisions: violating ÷ (violating + non-violating) among flagged cases "
                   "a person decided, per score band. Automated decisions are left out; "
                   f"blank: fewer than {MIN_DECIDED} human decisions. Hover for the 95 % interval.")
    with right:
        zone = times.zone() if hourly else times.UTC
        style.draw(queries.memo(volume, _flagged_volume, overall, zone), key="trends_classifier_volume")
        st.caption(f"Cases flagged per {'hour' if hourly else 'day'} ({zone}) by the "
                   f"{len(overall['classifier'].head(CLASSIFIERS_CHARTED))} busiest classifiers.")


CLASSIFIERS_CHARTED = 6


def _precision_heatmap(table: pl.DataFrame, overall: pl.DataFrame) -> go.Figure:
    classifiers = overall["classifier"].to_list()
    bands = sorted(table["band"].unique().to_list())
    lookup = {(r["classifier"], r["band"]): r for r in table.iter_rows(named=True)}
    z, text, hover = [], [], []
    for name in classifiers:
        z_row, t_row, h_row = [], [], []
        for band in bands:
            r = lookup.get((name, band))
            p = r["precision"] if r and r["decided"] >= MIN_DECIDED else None
            z_row.append(p)
            t_row.append("" if p is None else f"{p:.0%}")
            h_row.append(f"{r['decided'] if r else 0} human decisions: too few to judge" if p is None or r is None else
                         f"{p:.0%} of {r['decided']:,} decided (95 % CI {r['low']:.0%}–{r['high']:.0%}); "
                         f"{r['cases']:,} flagged, {r['automated']:,} automated")
        z.append(z_row)
        text.append(t_row)
        hover.append(h_row)
    fig = go.Figure(go.Heatmap(z=z, x=bands, y=classifiers, text=text, texttemplate="%{text}", customdata=hover,
                               colorscale="RdYlGn", zmin=0, zmax=1, colorbar=dict(title="", tickformat=".0%"),
                               hovertemplate="%{y}, score %{x}: %{customdata}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title_text="classifier score band", type="category")
    return plain.figure(style.framed(fig, 90 + 26 * len(classifiers)))


def _flagged_volume(volume: pl.DataFrame, overall: pl.DataFrame, zone: str = times.UTC) -> go.Figure:
    volume = times.in_zone(volume, ["bucket"], zone)
    fig = go.Figure()
    for i, name in enumerate(overall["classifier"].head(CLASSIFIERS_CHARTED).to_list()):
        rows = volume.filter(pl.col("classifier") == name).sort("bucket")
        fig.add_trace(go.Scatter(x=rows["bucket"].to_list(), y=rows["cases"].to_list(), mode="lines", name=name,
                                 line=dict(width=1.4, color=LINE_COLOURS[i % len(LINE_COLOURS)]),
                                 hovertemplate="%{fullData.name}: %{y:,.0f}<extra></extra>"))
    return _laid_out(fig, 90 + 26 * overall.height)
