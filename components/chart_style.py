"""Watchfloor's look for every chart and status: transparent background, tight margins, a legend above
the plot, full series names on hover, no mode bar; the series palette; the status marks. Colour values
come from watchfloor.palette."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from components import plain
from watchfloor import palette as pal

TRANSPARENT = "rgba(0,0,0,0)"
GRID = "rgba(0,0,0,0.08)"  # faint horizontal grid lines

# The series palette in its usual order; a chart whose series have their own order lists its own.
SERIES = (pal.BLUE, pal.ORANGE, pal.GREEN, pal.RED, pal.TEAL, pal.PURPLE, pal.YELLOW, pal.BROWN)

# A horizontal legend above the plot, from its left edge, without a title.
LEGEND_ABOVE = dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, title_text="")

# A status is one of four colour names, shown in a table cell as a coloured mark before its text.
# Cell colours would need a pandas Styler, and so converting the frame to pandas: Polars holds the
# interpreter lock while its threads do that, one half of the deadlock a Python callback in Polars
# completes.
RED, AMBER, YELLOW, GREEN = "red", "amber", "yellow", "green"
STATUS_MARKS = {RED: "🔴", AMBER: "🟠", YELLOW: "🟡", GREEN: "🟢"}


def mark(colour: str | None, text: str) -> str:
    """'🔴 breached': the text after its colour's mark (the text alone for no or an unknown colour)."""
    sign = STATUS_MARKS.get(colour or "")
    return f"{sign} {text}" if sign else text


def marked(text: pl.Expr, colour: pl.Expr) -> pl.Expr:
    """mark() as an expression: `text` after the mark of `colour` (named as `text` is)."""
    sign = colour.replace_strict(STATUS_MARKS, default=None, return_dtype=pl.String)
    return (pl.when(sign.is_not_null()).then(pl.concat_str(sign, pl.lit(" "), text)).otherwise(text)
            .alias(text.meta.output_name()))


def framed(fig: go.Figure, height: int, *, top: int = 10, right: int = 10) -> go.Figure:
    """The chart's height, its margins (10 px but `top` and `right`) and a transparent background;
    the rest of its layout is the chart's own."""
    fig.update_layout(height=height, margin=dict(l=10, r=right, t=top, b=10),
                      plot_bgcolor=TRANSPARENT, paper_bgcolor=TRANSPARENT)
    return fig


def laid_out(fig: go.Figure, height: int, *, legend: bool = True, top: int | None = None,
             legend_font: int | None = 11, legend_layout: dict | None = None, grid: bool = False,
             from_zero: bool = False, **layout: object) -> go.Figure:
    """The finished chart (components.plain.figure) in Watchfloor's layout: framed, the legend (if
    shown) above the plot in `legend_font` px plus `legend_layout`, full trace names on hover, faint
    grid lines with `grid`, y axes from zero with `from_zero`. The top margin is `top`, else room for the legend or 10 px; `layout` adds
    the chart's own settings."""
    legend_style: dict = dict(LEGEND_ABOVE)
    if legend_font is not None:
        legend_style["font"] = dict(size=legend_font)
    legend_style.update(legend_layout or {})
    framed(fig, height, top=top if top is not None else 40 if legend else 10)
    fig.update_layout(showlegend=legend, legend=legend_style, hoverlabel=dict(namelength=-1), **layout)
    if grid:
        fig.update_yaxes(gridcolor=GRID)
    if from_zero:
        fig.update_yaxes(rangemode="tozero")
    return plain.figure(fig)


def draw(fig: go.Figure, key: str) -> None:
    """Draw a chart (laid out, or finished with components.plain.figure) without Plotly's mode bar."""
    st.plotly_chart(fig, key=key, config={"displayModeBar": False})
