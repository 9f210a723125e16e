"""Quality metric functions (watchfloor/quality.py) against values worked out by hand: Cohen's kappa
on worked examples, its bands, the Wilson interval behind the calibration list, accuracy bins and
golden-set buckets."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from watchfloor import quality as q

V, N, I = "violating", "non_violating", "insufficient_info"  # noqa: E741 - the decisions' initials, as QA tables write them


def test_kappa_worked_example_two_labels():
    # 50 items. Both say violating 20, both not 15, reviewer V / QA N 5, reviewer N / QA V 10.
    # p_o = 35/50 = 0.70. Reviewer V 25, N 25; QA V 30, N 20.
    # p_e = (25·30 + 25·20) / 50² = (750 + 500) / 2500 = 0.50.  κ = (0.70 − 0.50) / 0.50 = 0.40
    pairs = [(V, V, 20), (N, N, 15), (V, N, 5), (N, V, 10)]
    assert q.cohen_kappa(pairs) == pytest.approx(0.40)


def test_kappa_worked_example_three_labels():
    # 100 items: diagonal V 40, N 30, I 5 (75 agree); off-diagonal V→N 10, N→V 10, V→I 3, N→I 2.
    # Reviewer: V 53, N 42, I 5. QA: V 50, N 40, I 10.
    # p_o = 0.75; p_e = (53·50 + 42·40 + 5·10) / 10000 = (2650 + 1680 + 50) / 10000 = 0.438
    # κ = (0.75 − 0.438) / 0.562 = 0.5552
    pairs = [(V, V, 40), (N, N, 30), (I, I, 5), (V, N, 10), (N, V, 10), (V, I, 3), (N, I, 2)]
    assert q.cohen_kappa(pairs) == pytest.approx(0.312 / 0.562)
    assert q.kappa_band(q.cohen_kappa(pairs)) == "moderate"


def test_kappa_edge_cases():
    assert q.cohen_kappa([]) is None
    assert q.cohen_kappa([(V, V, 7)]) is None  # one label on both sides: chance agreement is certain
    assert q.cohen_kappa([(V, V, 5), (N, N, 5)]) == 1.0
    # systematic disagreement: worse than chance. p_o = 0, p_e = 0.5 -> −1
    assert q.cohen_kappa([(V, N, 5), (N, V, 5)]) == -1.0
    assert q.cohen_kappa([(V, V, 0), (N, N, 3), (V, N, 3)]) == pytest.approx(0.0)  # p_o .5, p_e .5


@pytest.mark.parametrize("kappa, band", [
    (-0.2, "poor"), (0.0, "poor"), (0.1, "slight"), (0.2, "slight"), (0.21, "fair"), (0.4, "fair"),
    (0.5, "moderate"), (0.61, "substantial"), (0.8, "substantial"), (0.81, "almost perfect"), (1.0, "almost perfect"),
    (None, None), (math.nan, None),
])
def test_kappa_bands(kappa, band):
    assert q.kappa_band(kappa) == band


def test_wilson_interval_worked_example():
    # 2 errors in 10, z = 1.96: centre = 0.2 + 3.8416/20 = 0.39208; spread = 1.96·√(0.016 + 3.8416/400)
    # = 1.96·√0.025604 = 0.313625; denominator 1.38416 -> (0.05668, 0.50984)
    low, high = q.wilson_interval(2, 10)
    assert low == pytest.approx(0.05668, abs=1e-5)
    assert high == pytest.approx(0.50984, abs=1e-5)
    assert q.wilson_interval(0, 0) == (0.0, 1.0)


def test_calibration_prefers_sure_errors_over_few_unlucky_checks():
    # ra: 3 errors in 10 (30 %); rb: 20 errors in 100 (20 %), a lower share but far surer.
    # Wilson lower bounds: ra 0.1078, rb 0.1333 -> rb first.
    counts = pl.DataFrame({
        "reviewer_id": ["ra", "ra", "rb", "rb", "rc"],
        "vendor_id": ["v", "v", "v", "v", "v"],
        "category": ["spam", "spam", "hate", "hate", "spam"],
        "is_golden": [False] * 5,
        "original_decision": [V, V, V, N, V],
        "qa_decision": [V, N, V, V, V],
        "checks": [7, 3, 80, 20, 50],
    })
    ranked = q.calibration_list(counts, min_checks=10)
    assert ranked["reviewer_id"].to_list() == ["rb", "ra"]  # rc made no error
    assert ranked["error_floor"].to_list() == pytest.approx(
        [q.wilson_interval(20, 100)[0], q.wilson_interval(3, 10)[0]])
    assert ranked.row(0, named=True)["worst_category"] == "hate"


def test_accuracy_histogram_bins():
    per = pl.DataFrame({"reviewer_id": ["a", "b", "c", "d", "e"], "checks": [10, 20, 50, 10, 3],
                        "accuracy": [0.9, 0.91, 0.999, 1.0, 0.5]})
    hist = {round(r["lower"], 2): r["reviewers"] for r in q.accuracy_histogram(per).to_dicts()}
    # e has too few checks; 0.90 and 0.91 share the 90–92 bin; 0.999 is in 98–100; 1.0 has its own bin
    assert hist == {0.90: 2, 0.98: 1, 1.0: 1}


def test_golden_buckets_by_week():
    counts = pl.DataFrame({
        "reviewer_id": ["a"] * 3, "vendor_id": ["v"] * 3, "category": ["spam"] * 3,
        "day": [date(2026, 11, 3), date(2026, 11, 8), date(2026, 11, 10)],
        "is_golden": [True, True, True], "original_decision": [V, V, N], "qa_decision": [V, N, N], "checks": [4, 1, 5],
    })
    weeks = q.golden_over_time(counts, date(2026, 11, 1), date(2026, 11, 14), weekly=True)
    # weeks starting Mon 10-26 (holds 11-01), 11-02 (11-03 and 11-08: 4 of 5 right), 11-09 (5 of 5)
    assert weeks["bucket"].to_list() == [date(2026, 10, 26), date(2026, 11, 2), date(2026, 11, 9)]
    assert weeks["items"].to_list() == [0, 5, 5]
    assert weeks["accuracy"].to_list() == [None, 0.8, 1.0]


def test_kappa_by_group_leaves_golden_items_out():
    counts = pl.DataFrame({
        "category": ["spam"] * 4, "is_golden": [False, False, True, False],
        "original_decision": [V, N, V, V], "qa_decision": [V, N, N, N], "checks": [6, 3, 10, 1],
    })
    # non-golden: V,V 6; N,N 3; V,N 1 -> p_o 0.9; reviewer V 7 N 3; QA V 6 N 4;
    # p_e = (42 + 12) / 100 = 0.54; κ = 0.36 / 0.46 = 0.7826
    row = q.kappa_by(counts, ["category"]).row(0, named=True)
    assert (row["checks"], row["agreed"]) == (10, 9)
    assert row["kappa"] == pytest.approx(0.36 / 0.46) and row["band"] == "substantial"
