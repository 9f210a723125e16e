"""The executive summary as a one-page, self-contained HTML document (inline styles, no scripts,
no external files; prints on one landscape A4 page) and as a CSV of its figures."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from watchfloor import executive as ex
from watchfloor.compare import Change, describe_relative_change
from watchfloor.export_safety import csv_bytes, html_text
from watchfloor.formatting import coarse_duration, format_count, format_value
from watchfloor.labels import category_label, humanise

_STYLE = """
@page { size: A4 landscape; margin: 10mm; }
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2933; margin: 0; font-size: 10.5px; }
h1 { font-size: 18px; margin: 0 0 2px 0; }
h2 { font-size: 12px; margin: 10px 0 4px 0; }
.sub { color: #52606d; margin-bottom: 8px; }
.tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 6px; }
.tile { border: 1px solid #d9e2ec; border-radius: 6px; padding: 6px 8px; }
.tile .label { color: #52606d; font-size: 10px; }
.tile .value { font-size: 17px; font-weight: 600; }
.tile .delta { font-size: 10px; color: #52606d; }
.tile .note { font-size: 9.5px; color: #7b8794; }
.cols { display: grid; grid-template-columns: 1fr 1.2fr 1.6fr; gap: 14px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 2px 4px; border-bottom: 1px solid #e4e7eb; }
td.n, th.n { text-align: right; }
ul { margin: 0; padding-left: 14px; }
.foot { margin-top: 8px; color: #7b8794; font-size: 9px; }
"""


def _e(text: object) -> str:
    return html_text(text)


def _table(headers: list[str], rows: list[list[object]], numeric: set[int]) -> str:
    head = "".join(f'<th class="n">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{_e(v)}</td>' if i in numeric else f"<td>{_e(v)}</td>"
                         for i, v in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(period: ex.Period, figures: list[ex.Figure], enforcement: pl.DataFrame, notices: pl.DataFrame,
            incidents: pl.DataFrame, previous_incidents: int, rising: pl.DataFrame, generated_at: datetime,
            scope: str = "", spikes: pl.DataFrame | None = None) -> str:
    """The whole summary as one HTML page; every value is escaped and formula-neutralised
    (watchfloor.export_safety)."""
    tiles = []
    for f in figures:
        delta = ex.describe_change(f) or "no comparison"
        tiles.append(
            f'<div class="tile"><div class="label">{_e(f.label)}</div>'
            f'<div class="value">{_e(format_value(f.change.current, f.kind))}</div>'
            f'<div class="delta">{_e(delta)} · before {_e(format_value(f.change.previous, f.kind))}</div>'
            + (f'<div class="note">{_e(f.note)}</div>' if f.note else "") + "</div>"
        )
    enforcement_html = _table(
        ["Action", "This period", "Before", "Change"],
        [[humanise(r["action"]), format_count(r["current"]), format_count(r["previous"]),
          describe_relative_change(Change(r["current"], r["previous"]))] for r in enforcement.iter_rows(named=True)],
        {1, 2, 3},
    ) if enforcement.height else "<p>No enforcement actions in either period.</p>"
    if incidents.height:
        items = "".join(
            f"<li><b>{_e(r['severity'])}</b> {_e(r['incident_id'])} · {_e(r['title'])} — "
            f"{_e((r['summary'] or '').split('. ')[0].rstrip('.'))} ({format_count(r['linked_cases'])} cases, {_e(r['status'])})</li>"
            for r in incidents.iter_rows(named=True))
        incidents_html = f"<ul>{items}</ul>"
    else:
        incidents_html = "<p>No SEV0 or SEV1 incident started in the period.</p>"
    incidents_html += f"<p>{previous_incidents} in the period before.</p>"
    rising_html = _table(
        ["Category", "This period", "Before", "Change"],
        [[category_label(r["category"]), format_count(r["current"]), format_count(r["previous"]),
          describe_relative_change(Change(r["current"], r["previous"]))] for r in rising.iter_rows(named=True)],
        {1, 2, 3},
    ) if rising.height else "<p>No category rose against the period before.</p>"
    spikes_html = _table(
        ["Spike in", "Level", "From – to (UTC)", "Peak", "× expected", "Extra cases"],
        [[r["label"], r["severity"], r["span_text"], r["peak_text"], r["multiplier_text"], r["excess_text"]]
         for r in spikes.iter_rows(named=True)],
        {4, 5},
    ) if spikes is not None and spikes.height else "<p>The spike detector found no spike in the period.</p>"
    notices_html = _table(
        ["Category", "Notices", "Before", "Trusted flaggers", "Orders", "Actioned", "Median to action"],
        [[category_label(r["category"]), format_count(r["notices"]), format_count(r["previous_notices"]),
          format_count(r["trusted_flagger_notices"]), format_count(r["orders"]), format_count(r["notices_actioned"]),
          coarse_duration(r["median_notice_time_to_action_s"])] for r in notices.iter_rows(named=True)],
        {1, 2, 3, 4, 5, 6},
    ) if notices.height else "<p>No notices or orders in the period.</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Executive summary · {_e(period.label)}</title>
<style>{_STYLE}</style></head>
<body>
<h1>Executive summary</h1>
<div class="sub">{_e(period.label)} against {_e(period.previous_label)} (UTC){_e(' · ' + scope if scope else '')}</div>
<div class="tiles">{''.join(tiles)}</div>
<div class="cols">
<div><h2>Enforcement by action</h2>{enforcement_html}<h2>Largest rises by category</h2>{rising_html}</div>
<div><h2>SEV0 and SEV1 incidents</h2>{incidents_html}<h2>Top spikes</h2>{spikes_html}</div>
<div><h2>Notices by category (EU DSA transparency counts)</h2>{notices_html}</div>
</div>
<div class="foot">Generated {generated_at:%Y-%m-%d %H:%M} UTC by Watchfloor. Definitions: docs/metrics.md, "Executive summary".</div>
</body></html>
"""


def to_csv(table: pl.DataFrame) -> bytes:
    """The figures table (executive.figures_table) as UTF-8 CSV, text cells formula-neutralised."""
    return csv_bytes(table)
