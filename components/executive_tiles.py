"""The executive summary's drawings: compact figure tiles with their change and the page behind
them, and the small tables (enforcement, severe incidents, rising categories, DSA notices).
Kept dense on purpose: the whole summary fits on one 1440 × 900 screen."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from components import plain, tables
from components.kpi import DeltaArrow, DeltaColour, page_link
from components.spike_lines import spike_list
from watchfloor import executive as ex
from watchfloor import roles
from watchfloor.compare import NO_CHANGE, Change, describe_relative_change
from watchfloor.formatting import coarse_duration, format_value
from watchfloor.labels import category_labels, humanised, texts_of

LINK_LABELS = {"trends": "Trends", "sla": "SLA", "incidents": "Incidents", "quality": "Quality",
               "queue_health": "Queue health", "vendors": "Vendors"}


# Only for this page: less empty space above the title and smaller figures, so the summary fits
# on one 1440 x 900 screen with the sidebar open; below 1100 px the three lists (enforcement,
# incidents and spikes, notices) one under the other, where side by side they cut their tables.
_COMPACT_CSS = """<style>
[data-testid=stMainBlockContainer] { padding: 1.5rem 2.5rem 1rem 2.5rem; }
[data-testid=stMainBlockContainer] [data-testid=stMetricValue] { font-size: 1.6rem; line-height: 1.2; }
[data-testid=stMainBlockContainer] [data-testid=stMetricLabel] p { font-size: 0.85rem; }
[data-testid=stMainBlockContainer] h1 { padding-top: 0; padding-bottom: 0; font-size: 2.2rem; }
[data-testid=stMainBlockContainer] [data-testid=stCaptionContainer] p { font-size: 0.78rem; line-height: 1.3; }
.st-key-executive_spikes [data-testid=stMarkdownContainer] p,
.st-key-executive_incidents [data-testid=stMarkdownContainer] p { font-size: 0.85rem; line-height: 1.35; margin-bottom: 0.3rem; }
@media (max-width: 1100px) {
  .st-key-executive_lists [data-testid=stHorizontalBlock] { flex-wrap: wrap; }
  .st-key-executive_lists [data-testid=stHorizontalBlock] > [data-testid=stColumn] { min-width: 100%; }
}
</style>"""
TILE_HEIGHT = 184


def list_columns() -> list:
    """The three columns of lists under the tiles (enforcement, incidents and spikes, notices): side
    by side on a wide screen, one under the other below 1100 px, where their tables would be cut."""
    with st.container(key="executive_lists"):
        return st.columns([1.1, 1.1, 1.65], gap="medium")


def compact_page() -> None:
    st.html(_COMPACT_CSS)


def period_kind() -> str:
    """Last 7 days (default), week, month, quarter or custom."""
    return st.segmented_control("Period", options=list(ex.PERIOD_KINDS), format_func=ex.PERIOD_KINDS.__getitem__,
                                default=ex.LAST_7_DAYS, required=True, key="executive_period_kind",
                                label_visibility="collapsed") or ex.LAST_7_DAYS


def period_details(kind: str, as_of) -> tuple:
    """The picker for a week, month, quarter or custom days, and a place for the caption beside it.
    Returns (caption container, (day, first, last)) for executive.period_for."""
    day = first = last = None
    if kind == ex.LAST_7_DAYS:
        return st.container(), (day, first, last)
    pick_column, caption_column = st.columns([1, 3.5], vertical_alignment="center")
    if kind in (ex.WEEK, ex.MONTH, ex.QUARTER):
        day = pick_column.selectbox(ex.PERIOD_KINDS[kind], options=ex.recent_periods(kind, as_of),
                                    format_func=lambda d: ex.calendar_period(kind, d, as_of).label.split(" (")[0],
                                    key=f"executive_period_{kind}", label_visibility="collapsed")
    else:
        picked = pick_column.date_input("Days (UTC)", value=(as_of.date().replace(day=1), as_of.date()),
                                        max_value=as_of.date(), format="YYYY-MM-DD", key="executive_custom_days",
                                        label_visibility="collapsed")
        picked = picked if isinstance(picked, tuple) else (picked,)
        first = picked[0] if picked else None
        # While only the first day is picked, it is a one-day period.
        last = picked[1] if len(picked) > 1 else first
    return caption_column, (day, first, last)


def export_buttons(stem: str, html_page: Callable[[], str], csv_bytes: Callable[[], bytes]) -> None:
    """The summary's downloads, written when a button is clicked (not on every run)."""
    with st.container(horizontal=True, gap="small", horizontal_alignment="right"):
        st.download_button("One page", html_page, file_name=f"{stem}.html", mime="text/html", icon=":material/download:",
                           key="executive_export_html", help="The summary as one self-contained page (HTML, prints on one page).",
                           on_click="ignore")
        st.download_button("CSV", csv_bytes, file_name=f"{stem}.csv", mime="text/csv", icon=":material/download:",
                           key="executive_export_csv", help="Every figure of the summary, this period and the one before.",
                           on_click="ignore")


def tile(figure: ex.Figure, role: str, compared_with: str, window: str) -> None:
    """One figure: value, change against the period before, its window right under the number, a
    short note and a link to its page."""
    delta = ex.describe_change(figure)
    colour: DeltaColour = "off" if figure.higher_is_better is None else ("normal" if figure.higher_is_better else "inverse")
    arrow: DeltaArrow = "auto"
    if delta == NO_CHANGE:
        colour, arrow = "off", "off"
    with st.container(border=True, gap=None, height=TILE_HEIGHT):
        st.metric(figure.label, format_value(figure.change.current, figure.kind), delta=delta,
                  delta_color=colour, delta_arrow=arrow, help=f"{figure.help} Compared with {compared_with}.")
        # the window right under the number, the note on the next line (one element: no gap between)
        st.caption(_unbroken(window) + (f"  \n{figure.note}" if figure.note else ""))
        page_link(figure.page, f"{LINK_LABELS.get(figure.page, figure.page)} →", role)


def _unbroken(window: str) -> str:
    """The window with its dates kept on one line (non-breaking hyphens and spaces): a narrow tile
    wraps after 'selected period:', never inside '11-28 – 12-05'."""
    head, sep, days = window.partition(": ")
    # an en dash is a break opportunity after it: a word joiner holds it to the next date
    days = days.replace("-", "\u2011").replace(" \u2013 ", "\u00a0\u2013\u2060\u00a0")
    return head + sep + days if sep else window


def heading(text: str, page: str, role: str, help: str) -> None:
    """A section title that is also the link to the page behind it (plain text if the role may not open it)."""
    if roles.can_view(role, page):
        page_link(page, f"{text} →", role)
    else:
        st.markdown(f"**{text}**", help=help)


def tiles(figures: list[ex.Figure], period: ex.Period, role: str, compared_with: str, per_row: int = 5) -> None:
    for first in range(0, len(figures), per_row):
        row = figures[first:first + per_row]
        for column, figure in zip(st.columns(per_row, gap="small"), row):
            with column:
                tile(figure, role, compared_with, ex.window_label(figure, period))


def _change_text(current: int | float | None, previous: int | float | None) -> str:
    # Short, for narrow table columns: an unchanged count reads "0%"; nothing to compare with, "–".
    if previous is None:
        return "–"
    text = describe_relative_change(Change(current, previous))
    return "0%" if text in ("+0%", "-0%") else text


def enforcement(table: pl.DataFrame, comparable: bool = True) -> None:
    if table.height == 0:
        st.info("No enforcement actions in either period.")
        return
    if not comparable:
        table = table.with_columns(pl.lit(None, pl.Int64).alias("previous"))
    tables.table(
        table.select(
            humanised("action").alias("Action"),
            pl.col("current").alias("Cases"),
            texts_of(table, _change_text, "current", "previous").alias("Change"),
        ),
        hide_index=True, key="executive_enforcement_table", height=35 * (table.height + 1) + 3,
        # Cases wide enough for a quarter's counts (seven digits with separators).
        column_config={"Action": st.column_config.TextColumn(width=150),
                       "Cases": st.column_config.NumberColumn(format="localized", width=68),
                       "Change": st.column_config.TextColumn(width=54, help="Against the period before.")},
    )


def severe_incidents(incidents: pl.DataFrame, previous_count: int, rows: int = 2) -> None:
    """Two lines per incident (incident_lines), most severe first; at most `rows` (the rest are
    counted, listed on the Incidents page and in the export)."""
    if incidents.height == 0:
        st.caption(f"No SEV0 or SEV1 incident started in the period ({previous_count} in the period before).")
        return
    shown = incidents.head(rows)
    # Two lines each (as the Top spikes beside them): a table cut the summary off at 1440 px.
    with st.container(key="executive_incidents", gap="small"):
        for row in shown.iter_rows(named=True):
            st.markdown(incident_lines(row))
    if incidents.height > rows:  # the tile above gives the count and its change
        st.caption(f"{incidents.height - rows} more on the Incidents page and in the export.")


def incident_lines(row: dict) -> str:
    """Markdown: '**SEV1** · INC-0005 · 1,204 cases', then, in grey, the title and the first
    sentence of the summary (data, so escaped)."""
    cases = row.get("linked_cases")
    first = [f"**{plain.md(row.get('severity') or '–')}**", plain.md(row.get("incident_id") or "–"),
             f"{cases:,} linked {'case' if cases == 1 else 'cases'}" if cases is not None else "no linked cases"]
    return " · ".join(first) + "  \n:gray[" + plain.md(one_line(row)) + "]"


def one_line(row: dict) -> str:
    """An incident in one line: its title and the first sentence of its summary."""
    first = (row.get("summary") or "").split(". ")[0].rstrip(".")
    return f"{row.get('title') or ''} — {first}" if first else (row.get("title") or "")


def top_spikes(spikes: pl.DataFrame, rising_table: pl.DataFrame, comparable: bool = True,
               note: str | None = None) -> None:
    """The spike record's spikes of the period (watchfloor.executive.top_spikes: the figures Trends,
    Home and Incidents show for them); when there are none, the largest rises against the period
    before. `note`: the record does not reach back to the period's start."""
    found = "The spike detector found no spike in the period."
    if note:
        st.caption(plain.md(note))
    if spikes.height == 0 and not comparable:
        st.caption(found)
        return
    if spikes.height == 0:
        st.caption(f"{found} Largest rises against the period before:")
        rising(rising_table)
        return
    # Two lines a spike, not a table: in this narrow column a table cut its "from – to" (and the
    # peak) off at 1440 px; lines wrap and keep every figure, as every page writes them (the
    # spike record's texts), with times in the reader's zone.
    spike_list(spikes, key="executive_spikes")


def rising(table: pl.DataFrame) -> None:
    if table.height == 0:
        st.caption("No category rose against the period before.")
    else:
        tables.table(
            table.select(
                category_labels("category").alias("Category"),
                pl.col("current").alias("Cases"),
                pl.col("previous").alias("Before"),
                texts_of(table, _change_text, "current", "previous").alias("Change"),
            ),
            hide_index=True, key="executive_rising_table", height=35 * (table.height + 1) + 3,
        )


def notices(table: pl.DataFrame, rows: int = 6, comparable: bool = True) -> None:
    """The counts an EU DSA transparency report asks for, per category (largest first)."""
    if table.height == 0:
        st.info("No notices or orders in the period.")
        return
    if not comparable:
        table = table.with_columns(pl.lit(None, pl.Int64).alias("previous_notices"))
    shown = table.head(rows)
    tables.table(
        shown.select(
            category_labels("category").alias("Category"),
            pl.col("notices").alias("Notices"),
            texts_of(shown, _change_text, "notices", "previous_notices").alias("Change"),
            pl.col("trusted_flagger_notices").alias("Flaggers"),
            pl.col("orders").alias("Orders"),
            pl.col("notices_actioned").alias("Actioned"),
            texts_of(shown, coarse_duration, "median_notice_time_to_action_s", skip_nulls=False).alias("Median"),
        ),
        hide_index=True, key="executive_notices_table", height=35 * (shown.height + 1) + 3,
        column_config={
            "Category": st.column_config.TextColumn(width=96),
            "Notices": st.column_config.NumberColumn(format="localized", width=54, help="User reports and trusted-flagger notices received (cases created) in the period."),
            "Change": st.column_config.TextColumn(width=48, help="Notices against the period before."),
            "Flaggers": st.column_config.NumberColumn(format="localized", width=56, help="Notices from trusted flaggers."),
            "Orders": st.column_config.NumberColumn(format="localized", width=46, help="Orders and requests from authorities (source law_enforcement)."),
            "Actioned": st.column_config.NumberColumn(format="localized", width=58, help="Notices resolved in the period with an enforcement action."),
            "Median": st.column_config.TextColumn(width=52, help="Median time from notice to action, over the notices actioned in the period."),
        },
    )
    if table.height > rows:
        st.caption(f"Top {rows} of {table.height} categories by notices; all of them are in the export.")
