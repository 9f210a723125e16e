"""The executive summary's export (watchfloor/executive_export.py): one self-contained HTML page and a CSV
of the figures, on the hand-built warehouse of tests/unit/test_executive_queries.py."""

from __future__ import annotations

import io

import polars as pl

from tests.export_inputs import executive_parts
from tests.warehouses.executive import AS_OF, fetch
from watchfloor import executive as ex
from watchfloor import executive_export as export


def test_csv_holds_every_figure_with_both_periods(exec_env):
    period = ex.last_7_days(AS_OF)
    figures, enforcement, notices, severe, rising = executive_parts(fetch())
    table = pl.read_csv(io.BytesIO(export.to_csv(ex.figures_table(period, figures, enforcement, notices, severe, rising))))
    values = {(r["section"], r["figure"]): (r["current"], r["previous"]) for r in table.iter_rows(named=True)}
    assert values[("headline", "Volume")] == (8.0, 6.0)
    assert values[("headline", "Median time to action (seconds)")] == (7200.0, 7200.0)
    assert values[("enforcement by action", "content_removed")] == (1.0, 2.0)
    assert values[("notices by category", "child_safety: orders from authorities")] == (1.0, None)
    assert values[("top rising categories", "child_safety")] == (3.0, 1.0)
    assert ("SEV0 and SEV1 incidents", "INC-1 SEV0: Child safety wave on image generation") in values
    assert set(table["period"]) == {period.label} and set(table["compared_with"]) == {period.previous_label}


def test_html_is_one_self_contained_page(exec_env):
    period = ex.last_7_days(AS_OF)
    figures, enforcement, notices, severe, rising = executive_parts(fetch())
    page = export.to_html(period, figures, enforcement, notices, severe, 1, rising, AS_OF, "region EMEA")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "http" not in page and "src=" not in page  # nothing to fetch
    assert "85.7%" in page and "+25.7 pp" in page and "Reported to authorities" in page and "region EMEA" in page
    assert "size: A4 landscape" in page


def test_html_escapes_what_it_shows(exec_env):
    period = ex.last_7_days(AS_OF)
    figures, enforcement, notices, severe, rising = executive_parts(fetch())
    hostile = severe.with_columns(pl.lit("<img src=x onerror=alert(1)>").alias("title"))
    page = export.to_html(period, figures, enforcement, notices, hostile, 0, rising, AS_OF)
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_spikes_in_the_export(exec_env):
    from datetime import datetime

    period = ex.last_7_days(AS_OF)
    figures, enforcement, notices, severe, rising = executive_parts(fetch())
    from watchfloor import spike_record

    # A spike record's row (one hour, 60 cases against 10 expected), as top_spikes gives it.
    hour = datetime(2026, 11, 15, 10)
    row = {"spike_id": "fraud_scams@2026-11-15T10", "category": "fraud_scams", "surface": None, "region": None,
           "level": "category", "label": "Fraud & scams", "onset": hour, "detected_at": hour, "peak": hour, "end": hour,
           "until": datetime(2026, 11, 15, 11), "hours": 1, "observed": 60.0, "expected": 10.0, "excess": 50.0,
           "multiplier": 6.0, "peak_observed": 60.0, "peak_expected": 10.0, "score": 7.0, "severity": "critical",
           "ongoing": False, "state": "earlier", "kind": "spike", "burst_cases": 0.0}
    spikes = spike_record.texts(pl.DataFrame([row], schema=spike_record.RECORD_SCHEMA, orient="row"))
    page = export.to_html(period, figures, enforcement, notices, severe, 1, rising, AS_OF, spikes=spikes)
    assert "Top spikes" in page and "11-15 10:00 – 11-15 11:00" in page and "critical" in page and "6.0×" in page
    table = ex.figures_table(period, figures, enforcement, notices, severe, rising, spikes)
    row = table.filter(pl.col("section") == "top spikes").row(0, named=True)
    assert (row["figure"], row["current"], row["previous"]) == (
        "Fraud & scams critical 11-15 10:00 – 11-15 11:00 UTC", 60.0, 10.0)
