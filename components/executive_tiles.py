"""The executive summary's drawings: compact figure tiles with their change and the page behind
them, and the small tables (enforcement, severe incidents, rising categories, DSA notices).
Kept dense on purpose: the whole summary fits on one 1440 × 900 screen."""

from __future__ import annotations

import polars as pl
import streamlit as st

from components.kpi import page_link
from watchfloor import executive as ex
from watchfloor.compare import NO_CHANGE, Change, describe_relative_change
from watchfloor.labels import category_label, humanise

LINK_LABELS = {"trends": "Trends", "sla": "SLA", "incidents": "Incidents", "quality": "Quality",
               "queue_health": "Queue health", "vendors": "Vendors"}


def tile(figure: ex.Figure, role: str, compared_with: str) -> None:
    """One figure: value, change against the period before, a short note and a link to its page."""
    delta = ex.describe_change(figure)
    colour = "off" if figure.higher_is_better is None else ("normal" if figure.higher_is_better else "inverse")
    arrow = "auto"
    if delta == NO_CHANGE:
        colour, arrow = "off", "off"
    with st.container(border=True, gap=None):
        st.metric(figure.label, ex.format_value(figure.change.current, figure.kind), delta=delta,
                  delta_color=colour, delta_arrow=arrow, help=f"{figure.help} Compared with {compared_with}.")
        if figure.note:
            st.caption(figure.note)
        page_link(figure.page, f"{LINK_LABELS.get(figure.page, figure.page)} →", role)


def tiles(figures: list[ex.Figure], role: str, compared_with: str, per_row: int = 5) -> None:
    for first in range(0, len(figures), per_row):
        row = figures[first:first + per_row]
        for column, figure in zip(st.columns(per_row, gap="small"), row):
            with column:
                tile(figure, role, compared_with)


def _change_text(current: int | float | None, previous: int | float | None) -> str:
    text = describe_relative_change(Change(current, previous))
    return NO_CHANGE if text in ("+0%", "-0%") else text


def enforcement(table: pl.DataFrame) -> None:
    if table.height == 0:
        st.info("No enforcement actions in either period.")
        return
    st.dataframe(
        table.select(
            pl.col("action").map_elements(humanise, return_dtype=pl.String).alias("Action"),
            pl.col("current").alias("This period"),
            pl.col("previous").alias("Before"),
            pl.struct("current", "previous").map_elements(
                lambda r: _change_text(r["current"], r["previous"]), return_dtype=pl.String).alias("Change"),
        ),
        hide_index=True, key="executive_enforcement_table", height=35 * (table.height + 1) + 3,
    )


def severe_incidents(incidents: pl.DataFrame, previous_count: int, role: str) -> None:
    if incidents.height == 0:
        st.caption(f"No SEV0 or SEV1 incident started in the period ({previous_count} in the period before).")
    else:
        lines = []
        for r in incidents.iter_rows(named=True):
            summary = (r["summary"] or r["title"] or "").split(". ")[0].rstrip(".")
            lines.append(f"- **{r['severity']}** {r['incident_id']} · {r['title']} — {summary} "
                         f"({r['linked_cases']:,} cases, {humanise(r['status']).lower()})")
        st.markdown("\n".join(lines))
        st.caption(f"{previous_count} in the period before.")
    page_link("incidents", "Incidents →", role)


def rising(table: pl.DataFrame, role: str) -> None:
    if table.height == 0:
        st.caption("No category rose against the period before.")
    else:
        st.dataframe(
            table.select(
                pl.col("category").map_elements(category_label, return_dtype=pl.String).alias("Category"),
                pl.col("current").alias("This period"),
                pl.col("previous").alias("Before"),
                pl.struct("current", "previous").map_elements(
                    lambda r: _change_text(r["current"], r["previous"]), return_dtype=pl.String).alias("Change"),
            ),
            hide_index=True, key="executive_rising_table", height=35 * (table.height + 1) + 3,
        )
    page_link("trends", "Trends & spikes →", role)


def notices(table: pl.DataFrame, role: str, rows: int = 6) -> None:
    """The counts an EU DSA transparency report asks for, per category (largest first)."""
    if table.height == 0:
        st.info("No notices or orders in the period.")
        return
    shown = table.head(rows)
    st.dataframe(
        shown.select(
            pl.col("category").map_elements(category_label, return_dtype=pl.String).alias("Category"),
            pl.col("notices").alias("Notices"),
            pl.struct("notices", "previous_notices").map_elements(
                lambda r: _change_text(r["notices"], r["previous_notices"]), return_dtype=pl.String).alias("Change"),
            pl.col("trusted_flagger_notices").alias("Trusted flaggers"),
            pl.col("orders").alias("Orders"),
            pl.col("notices_actioned").alias("Actioned"),
            pl.col("median_notice_time_to_action_s").map_elements(ex.format_duration, return_dtype=pl.String,
                                                                   skip_nulls=False).alias("Median to action"),
        ),
        hide_index=True, key="executive_notices_table", height=35 * (shown.height + 1) + 3,
        column_config={
            "Notices": st.column_config.NumberColumn(help="User reports and trusted-flagger notices received (cases created) in the period."),
            "Orders": st.column_config.NumberColumn(help="Orders and requests from authorities (source law_enforcement)."),
            "Actioned": st.column_config.NumberColumn(help="Notices resolved in the period with an enforcement action."),
        },
    )
    if table.height > rows:
        st.caption(f"Top {rows} of {table.height} categories by notices; all of them are in the export.")
