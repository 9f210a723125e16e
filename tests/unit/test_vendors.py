"""Vendor metric functions (watchfloor/vendors.py) against values worked out by hand: handle time with
pauses, occupancy with shifts across midnight, appeal overturn rate with pending appeals, the
contract colours and the overall grade; and the scorecard exports."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import polars as pl
import pytest

from tests.export_inputs import vendor_card
from watchfloor import scorecard_export
from watchfloor import vendors as v
from watchfloor.formatting import format_value


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute)


# ---------------------------------------------------------------------------- handle time


def test_handle_time_leaves_out_the_wait_for_information():
    # assigned 10:10, asks for information 10:20 (10 min), answer 11:00, picked up again by the
    # same reviewer 11:30, decided 11:36 (6 min): 16 min = 960 s, not the 86 min from 10:10 to 11:36.
    events = [(t(16, 10), "created", None), (t(16, 10), "routed", "system"), (t(16, 10, 10), "assigned", "r1"),
              (t(16, 10, 20), "first_action", "r1"), (t(16, 10, 20), "pending_info", "r1"),
              (t(16, 11), "info_received", "system"), (t(16, 11, 30), "assigned", "r1"),
              (t(16, 11, 36), "decided", "r1"), (t(16, 11, 36), "resolved", "r1")]
    got = v.handlings(events, until=t(18, 12))
    assert got == [v.Handling("r1", 960.0, "decided", t(16, 11, 36))]
    assert v.average_handle_time(got) == 960.0


def test_handle_time_when_another_reviewer_finishes_and_after_an_escalation():
    # r2 holds 08:00-08:15 and asks for information (900 s, never finished by r2); r1 takes the answered
    # case 09:30 and escalates it 09:40 (600 s); r3 in the higher tier 10:00-10:50 decides (3000 s).
    events = [(t(17, 8), "assigned", "r2"), (t(17, 8, 15), "pending_info", "r2"), (t(17, 9), "info_received", "system"),
              (t(17, 9, 30), "assigned", "r1"), (t(17, 9, 40), "escalated", "r1"), (t(17, 10), "assigned", "r3"),
              (t(17, 10, 50), "decided", "r3"), (t(17, 10, 50), "resolved", "r3")]
    got = v.handlings(events, until=t(18, 0))
    assert got == [v.Handling("r2", 900.0, None, None), v.Handling("r1", 600.0, "escalated", t(17, 9, 40)),
                   v.Handling("r3", 3000.0, "decided", t(17, 10, 50))]
    # AHT over the finished handlings: (600 + 3000) / 2
    assert v.average_handle_time(got) == 1800.0


def test_a_reopened_case_is_a_new_handling_and_a_held_case_runs_to_now():
    # r1 decides 08:00-08:05 (300 s); reopened, r1 again 12:00-12:20 (1200 s, a second handling);
    # reopened again, r1 holds it from 13:00 and is still at it at 13:30 (1800 s so far).
    events = [(t(17, 8), "assigned", "r1"), (t(17, 8, 5), "decided", "r1"), (t(17, 8, 5), "resolved", "r1"),
              (t(17, 11), "reopened", "system"), (t(17, 12), "assigned", "r1"), (t(17, 12, 20), "decided", "r1"),
              (t(17, 12, 20), "resolved", "r1"), (t(17, 12, 40), "reopened", "system"), (t(17, 13), "assigned", "r1")]
    got = v.handlings(events, until=t(17, 13, 30))
    assert [h.handle_seconds for h in got] == [300.0, 1200.0, 1800.0]
    assert [h.outcome for h in got] == ["decided", "decided", None]
    assert v.average_handle_time(got) == 750.0


def test_no_finished_handling_has_no_aht():
    assert v.average_handle_time([v.Handling("r1", 100.0, None, None)]) is None


# ---------------------------------------------------------------------------- occupancy


def test_shifts_across_midnight_count_in_each_day_by_their_part():
    shifts = [(t(13, 20), t(14, 4)), (t(14, 22), t(15, 6))]
    # day 14: 00:00-04:00 of the first shift (4 h) and 22:00-24:00 of the second (2 h)
    assert v.clipped_seconds(shifts, t(14, 0), t(15, 0)) == 6 * 3600
    # day 13: 20:00-24:00; day 15: 00:00-06:00
    assert v.clipped_seconds(shifts, t(13, 0), t(14, 0)) == 4 * 3600
    assert v.clipped_seconds(shifts, t(15, 0), t(16, 0)) == 6 * 3600


def test_occupancy_is_handled_time_over_shift_time_inside_the_period():
    shifts = [(t(13, 20), t(14, 4)), (t(14, 22), t(15, 6))]
    # handled on day 14: each 23:30-00:30 across midnight counts its 30 min inside day 14 (13th-14th:
    # 00:00-00:30; 14th-15th: 23:30-24:00), and 02:00-03:00 60 min: 120 min = 7200 s of the 6 h on shift = 1/3
    handled = [(t(13, 23, 30), t(14, 0, 30)), (t(14, 2), t(14, 3)), (t(14, 23, 30), t(15, 0, 30))]
    assert v.occupancy(handled, shifts, t(14, 0), t(15, 0)) == pytest.approx(7200 / 21600)
    # day 15: 00:00-00:30 handled of 00:00-06:00 on shift
    assert v.occupancy(handled, shifts, t(15, 0), t(16, 0)) == pytest.approx(1800 / 21600)
    assert v.occupancy(handled, [], t(14, 0), t(15, 0)) is None


# ---------------------------------------------------------------------------- appeals


def test_overturn_rate_leaves_pending_appeals_out():
    # 2 overturned of 5 decided; the 3 pending ones are neither upheld nor overturned
    outcomes = ["overturned", "upheld", "pending", "upheld", "overturned", "pending", "upheld", "pending"]
    assert v.overturn_rate(outcomes) == pytest.approx(2 / 5)
    assert v.overturn_rate(["pending", "pending"]) is None


# ---------------------------------------------------------------------------- colours and grade


@pytest.mark.parametrize("key, value, target, expected", [
    ("qa_accuracy", 0.95, 0.95, "green"),  # at the target
    ("qa_accuracy", 0.935, 0.95, "amber"),  # 1.5 points below: within 2
    ("qa_accuracy", 0.92, 0.95, "red"),
    ("throughput_per_hour", 13.5, 14.0, "amber"),  # within 10 % below
    ("throughput_per_hour", 12.5, 14.0, "red"),  # 12.6 is the amber floor
    ("aht_seconds", 280.0, 260.0, "amber"),  # up to 286 s
    ("aht_seconds", 290.0, 260.0, "red"),
    ("aht_seconds", 200.0, 260.0, "green"),
    ("overturn_rate", 0.065, 0.05, "amber"),
    ("occupancy", 0.70, 0.75, "green"),  # 5 points under
    ("occupancy", 0.84, 0.75, "amber"),  # 9 points over: overloaded
    ("occupancy", 0.60, 0.75, "red"),
    ("kappa", 0.65, None, "green"),  # the house floor 0.61 applies without a contract target
    ("kappa", 0.45, None, "amber"),
    ("kappa", 0.30, None, "red"),
    ("qa_accuracy", None, 0.95, "none"),
    ("qa_accuracy", 0.90, None, "none"),
    ("cost_per_case", 3.0, None, "none"),
])
def test_status_against_the_target(key, value, target, expected):
    assert v.status(v.FIGURES_BY_KEY[key], value, target) == expected


def test_grade_is_the_weighted_share_of_points():
    # all green but both SLAs red: 1 − 0.25 = 0.75 -> B; a missing figure is left out of the weights
    statuses = {f.key: "green" for f in v.FIGURES if f.weight}
    statuses["sla_adherence"] = statuses["first_action_sla"] = "red"
    assert v.grade(statuses) == (pytest.approx(0.75), "B")
    statuses["golden_accuracy"] = "none"  # weights now 0.90: 0.65 / 0.90 = 0.722 -> C
    assert v.grade(statuses) == (pytest.approx(0.65 / 0.90), "C")
    assert v.grade({f.key: "green" for f in v.FIGURES}) == (1.0, "A")
    assert v.grade({"qa_accuracy": "amber", "aht_seconds": "red"}) == (pytest.approx(0.1 / 0.3), "D")
    assert v.grade({}) == (None, "–")
    assert sum(f.weight for f in v.FIGURES) == pytest.approx(1.0)


def test_format_value():
    assert format_value(0.9234, v.FIGURES_BY_KEY["qa_accuracy"].kind) == "92.3%"
    assert format_value(250.0, v.FIGURES_BY_KEY["aht_seconds"].kind) == "250 s"
    assert format_value(900.0, v.FIGURES_BY_KEY["aht_seconds"].kind) == "15.0 min"
    assert format_value(3.456, v.FIGURES_BY_KEY["cost_per_case"].kind) == "$3.46"
    assert format_value(12345.0, v.FIGURES_BY_KEY["cases_handled"].kind) == "12,345"
    assert format_value(None, v.FIGURES_BY_KEY["kappa"].kind) == "–"


# ---------------------------------------------------------------------------- exports


def test_csv_export_has_values_targets_and_colours():
    text = scorecard_export.scorecard_csv(vendor_card()).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    assert rows[0]["vendor"] == "Acme <Review>" and rows[0]["grade"] == "B"
    assert rows[0]["qa_accuracy"] == "0.9" and rows[0]["qa_accuracy_target"] == "0.95"
    assert rows[0]["qa_accuracy_status"] == "amber" and rows[0]["cost_per_case_status"] == ""


def test_printable_scorecard_is_self_contained_and_escaped():
    card = vendor_card()
    weeks = card.with_columns(week_start=pl.lit(datetime(2026, 11, 16)))
    kappa = pl.DataFrame({"vendor_id": ["v_a"], "category": ["fraud_scams"], "checks": [10], "agreed": [8],
                          "accuracy": [0.8], "kappa": [0.5833], "band": ["moderate"]})
    page = scorecard_export.scorecard_html(card.row(0, named=True), weeks, kappa, date(2026, 11, 12),
                                           date(2026, 11, 18), datetime(2026, 11, 18, 12))
    assert page.startswith("<!DOCTYPE html>")
    assert "Acme &lt;Review&gt;" in page and "<Review>" not in page  # names are escaped
    assert "<svg" in page and "Fraud &amp; scams" in page and "0.58" in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")  # nothing fetched from elsewhere
    assert "2026-11-12 to 2026-11-18" in page


def test_metrics_doc_states_the_grade_weights_and_thresholds_of_the_code():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "metrics.md").read_text()
    section = text[text.index("## Vendor scorecards"):text.index("## Quality", text.index("## Vendor scorecards"))]
    weights = section[section.index("weights:"):section.index("grade = ")]
    documented = {name.strip().lower(): float(w) for name, w in
                  (part.rsplit(" ", 1) for part in " ".join(weights[len("weights:"):].split()).split(", "))}
    assert documented == {"first-action sla": 0.125, "resolution sla": 0.125, "qa accuracy": 0.20, "throughput": 0.15, "aht": 0.10,
                          "occupancy": 0.10, "golden-set accuracy": 0.10, "appeal overturn rate": 0.10}
    names = {"first-action sla": "first_action_sla", "resolution sla": "sla_adherence", "qa accuracy": "qa_accuracy", "throughput": "throughput_per_hour",
             "aht": "aht_seconds", "occupancy": "occupancy", "golden-set accuracy": "golden_accuracy",
             "appeal overturn rate": "overturn_rate"}
    assert {names[k]: w for k, w in documented.items()} == {f.key: f.weight for f in v.FIGURES if f.weight}
    assert "A if score ≥ 0.90, B if ≥ 0.75, C if ≥ 0.50, else D" in section
    assert v.GRADES == ((0.90, "A"), (0.75, "B"), (0.50, "C"), (0.0, "D"))


def test_a_re_route_ends_the_reviewers_session():
    """Assigned to A at 10:00, re-routed to another queue at 10:05, taken by B at 12:00 and decided
    at 12:10: A handled the case 5 minutes (no outcome), B 10 minutes (the decision). The two hours
    in the other queue's wait are nobody's work (they made occupancy read 300 % and more)."""
    events = [
        (datetime(2026, 11, 2, 10, 0), "assigned", "rev_a"),
        (datetime(2026, 11, 2, 10, 3), "first_action", "rev_a"),
        (datetime(2026, 11, 2, 10, 5), "routed", None),
        (datetime(2026, 11, 2, 12, 0), "assigned", "rev_b"),
        (datetime(2026, 11, 2, 12, 10), "decided", "rev_b"),
        (datetime(2026, 11, 2, 12, 10), "resolved", None),
    ]
    done = v.handlings(events, until=datetime(2026, 11, 3))
    assert [(h.reviewer_id, h.handle_seconds, h.outcome) for h in done] == [
        ("rev_a", 300.0, None), ("rev_b", 600.0, "decided")]
