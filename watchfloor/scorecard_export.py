"""Vendor scorecard exports: the scorecard table as CSV, and one vendor's printable scorecard for a
period as a self-contained HTML page (inline CSS and an inline SVG chart; prints on A4).

No Streamlit here; the figures come from watchfloor.vendors.scorecard.
"""

from __future__ import annotations

import html
from datetime import date, datetime

import polars as pl

from watchfloor import vendors as v
from watchfloor.export_safety import csv_bytes, html_text
from watchfloor.formatting import format_value
from watchfloor.labels import category_label

STATUS_LABELS = {v.GREEN: "on target", v.AMBER: "near target", v.RED: "off target", v.NONE: ""}
STATUS_FILL = {v.GREEN: "#d6efd8", v.AMBER: "#fbdcb8", v.RED: "#f8d0cf", v.NONE: "#ffffff"}


def scorecard_csv(card: pl.DataFrame) -> bytes:
    """The scorecard as CSV: the group columns, vendor, grade and score, then per figure its value,
    target and status (green, amber, red, or empty). Shares are fractions (0–1), times seconds. Text
    cells are formula-neutralised (watchfloor.export_safety)."""
    groups = [c for c in ("vendor_id", "region", "site", "week_start") if c in card.columns]
    columns = groups + ["vendor", "grade", "score"]
    for f in v.FIGURES:
        columns += [f.key, f"{f.key}_target", f"{f.key}_status"]
    out = card.select(columns).with_columns(
        [pl.col(f"{f.key}_status").replace({v.NONE: None}) for f in v.FIGURES])
    if "week_start" in out.columns:
        out = out.with_columns(pl.col("week_start").dt.date())
    return csv_bytes(out)


def _fmt(figure: v.Figure, value: float | None) -> str:
    return html.escape(format_value(value, figure.kind))


def _svg_weekly_bars(weeks: pl.DataFrame, figure: v.Figure, width: int = 640, height: int = 180) -> str:
    """Bars of one figure per week with its target as a dashed line; empty weeks leave a gap."""
    rows = [r for r in weeks.iter_rows(named=True)]
    if not rows:
        return "<p class='muted'>No weeks in the period.</p>"
    values = [r[figure.key] for r in rows]
    target = next((r[f"{figure.key}_target"] for r in rows if r[f"{figure.key}_target"] is not None), None)
    top = max([x for x in values if x is not None] + ([target] if target is not None else []) + [1e-9])
    top *= 1.15
    left, bottom, right, upper = 40, 30, 10, 12
    plot_w, plot_h = width - left - right, height - bottom - upper
    step = plot_w / len(rows)
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
             f"viewBox='0 0 {width} {height}' role='img' aria-label='{html.escape(figure.label)} per week'>",
             f"<line x1='{left}' y1='{upper + plot_h}' x2='{width - right}' y2='{upper + plot_h}' stroke='#888'/>"]
    for i, (r, value) in enumerate(zip(rows, values)):
        x = left + i * step + step * 0.15
        label = html.escape(f"{r['week_start']:%d %b}")
        parts.append(f"<text x='{x + step * 0.35:.1f}' y='{height - 10}' font-size='11' text-anchor='middle'>{label}</text>")
        if value is None:
            continue
        h = plot_h * value / top
        colour = STATUS_FILL.get(r[f"{figure.key}_status"], "#ffffff")
        fill = "#4c78a8" if colour == "#ffffff" else colour
        parts.append(f"<rect x='{x:.1f}' y='{upper + plot_h - h:.1f}' width='{step * 0.7:.1f}' height='{h:.1f}' "
                     f"fill='{fill}' stroke='#555' stroke-width='0.5'/>")
        parts.append(f"<text x='{x + step * 0.35:.1f}' y='{upper + plot_h - h - 3:.1f}' font-size='11' "
                     f"text-anchor='middle'>{_fmt(figure, value)}</text>")
    if target is not None:
        y = upper + plot_h - plot_h * target / top
        parts.append(f"<line x1='{left}' y1='{y:.1f}' x2='{width - right}' y2='{y:.1f}' stroke='#1f2933' "
                     f"stroke-dasharray='5,4'/>")
        parts.append(f"<text x='{left - 4}' y='{y + 4:.1f}' font-size='10' text-anchor='end'>target</text>")
    parts.append("</svg>")
    return "".join(parts)


def scorecard_html(vendor_row: dict, weeks: pl.DataFrame, kappa: pl.DataFrame, start: date, end: date,
                   as_of: datetime, chart_figure: str = "qa_accuracy") -> str:
    """One vendor's printable scorecard: grade, every figure against its target, the chosen figure
    week by week (inline SVG), the weekly grades and agreement per category."""
    name = html_text(vendor_row.get("vendor") or vendor_row.get("vendor_id"))
    score = vendor_row.get("score")
    rows = []
    for f in v.FIGURES:
        s = vendor_row.get(f"{f.key}_status") or v.NONE
        target = vendor_row.get(f"{f.key}_target")
        target_text = _fmt(f, target) if target is not None else "–"
        rows.append(
            f"<tr><td>{html.escape(f.label)}</td><td class='num' style='background:{STATUS_FILL[s]}'>"
            f"{_fmt(f, vendor_row.get(f.key))}</td><td class='num'>{target_text}</td>"
            f"<td>{STATUS_LABELS[s]}</td><td class='muted'>{html.escape(f.help)}</td></tr>")
    week_rows = "".join(
        f"<tr><td>{r['week_start']:%Y-%m-%d}</td><td class='num'>{html_text(r['grade'])}</td>"
        f"<td class='num'>{_fmt(v.FIGURES_BY_KEY['cases_handled'], r['cases_handled'])}</td>"
        f"<td class='num'>{_fmt(v.FIGURES_BY_KEY['qa_accuracy'], r['qa_accuracy'])}</td>"
        f"<td class='num'>{_fmt(v.FIGURES_BY_KEY['first_action_sla'], r['first_action_sla'])}</td>"
        f"<td class='num'>{_fmt(v.FIGURES_BY_KEY['sla_adherence'], r['sla_adherence'])}</td>"
        f"<td class='num'>{_fmt(v.FIGURES_BY_KEY['aht_seconds'], r['aht_seconds'])}</td></tr>"
        for r in weeks.iter_rows(named=True))
    kappa_rows = "".join(
        f"<tr><td>{html_text(category_label(r['category']))}</td><td class='num'>{r['checks']:,}</td>"
        f"<td class='num'>{'–' if r['kappa'] is None else format(r['kappa'], '.2f')}</td>"
        f"<td>{html_text(r['band'] or '–')}</td></tr>"
        for r in kappa.iter_rows(named=True))
    figure = v.FIGURES_BY_KEY[chart_figure]
    weights = ", ".join(f"{f.label} {v.format_weight(f.weight)}" for f in v.FIGURES if f.weight)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Scorecard: {name}, {start:%Y-%m-%d} to {end:%Y-%m-%d}</title>
<style>
  @page {{ size: A4; margin: 14mm; }}
  body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; margin: 24px; font-size: 13px; }}
  h1 {{ font-size: 22px; margin: 0 0 4px; }} h2 {{ font-size: 16px; margin: 22px 0 6px; }}
  table {{ border-collapse: collapse; width: 100%; }}
  th, td {{ border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }}
  th {{ background: #f3f4f6; }} .num {{ text-align: right; white-space: nowrap; }}
  .muted {{ color: #667085; font-size: 11px; }} .grade {{ font-size: 40px; font-weight: 700; }}
  .head {{ display: flex; justify-content: space-between; align-items: center; }}
  tr {{ page-break-inside: avoid; }}
</style></head>
<body>
<div class="head"><div><h1>Vendor scorecard: {name}</h1>
<div>Period {start:%Y-%m-%d} to {end:%Y-%m-%d} (UTC), figures as of {as_of:%Y-%m-%d %H:%M} UTC</div></div>
<div><span class="grade">{html_text(vendor_row.get('grade') or '–')}</span>
<div class="muted">score {'–' if score is None else format(score, '.0%')}</div></div></div>
<h2>Against the contract</h2>
<table><tr><th>Figure</th><th class="num">Value</th><th class="num">Target</th><th>Status</th><th>Definition</th></tr>
{''.join(rows)}</table>
<p class="muted">Overall score: the weighted share of points over the graded figures (green 1, amber ½, red 0;
weights {html.escape(weights)}); grade A from 90 %, B from 75 %, C from 50 %, D below.</p>
<h2>{html.escape(figure.label)} week by week</h2>
{_svg_weekly_bars(weeks, figure)}
<h2>Weeks</h2>
<table><tr><th>Week starting</th><th class="num">Grade</th><th class="num">Cases handled</th><th class="num">QA accuracy</th>
<th class="num">First-action SLA</th><th class="num">Resolution SLA</th><th class="num">AHT</th></tr>{week_rows}</table>
<h2>Agreement with QA by category</h2>
<table><tr><th>Category</th><th class="num">QA checks</th><th class="num">Kappa</th><th>Band</th></tr>
{kappa_rows or "<tr><td colspan='4' class='muted'>No QA checks in the period.</td></tr>"}</table>
</body></html>
"""
