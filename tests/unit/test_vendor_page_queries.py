"""The Vendors and Quality pages' named queries (queries/vendor_*.sql, quality_reviews.sql) and their
figures (watchfloor/vendors.py, watchfloor/quality.py) against a small warehouse built by hand below,
whose every figure is worked out in these comments.

AS_OF is Wednesday 2026-11-18 12:00 UTC; the date range 2026-11-12..2026-11-18 is the period
[a, b) = [11-12 00:00, 11-18 12:00) (cut at AS_OF). UTC weeks start on Mondays: 11-09 and 11-16.
One policy, P2 24x7: first action 8 h, resolution 24 h, pauses while pending info.

Vendors (contract targets: throughput, accuracy, SLA, AHT, occupancy, overturn):
  v_a "Acme Review" bpo, $30/h:  4.4/h, 0.81, 0.80, 600 s, none, 0.32
  v_b "Trust Ops" internal, $60/h: 3.0/h, 0.95, 0.95, 1500 s, 0.05, 0.05
Reviewers: r1 v_a AMER site Bogota; r2 v_a APAC site Manila; r3 v_b AMER site Austin; qa1 (QA, v_b).

Cases and handlings (a handling: one reviewer's sessions on a case up to a decision or an
escalation; a session runs from 'assigned' to the next pending_info / escalated / decided):
  c1 r1: assigned 16 10:10, pending_info 10:20, info_received 11:00, assigned r1 11:30, decided 11:36
         -> r1 decided, 10 min + 6 min = 960 s (the 40 min waiting for information is not handled)
  c2 r1: assigned 16 12:00, escalated 12:05 (to the L2 queue)   -> r1 escalated, 300 s
         r3: assigned 13:00, decided 13:20                        -> r3 decided, 1200 s
  c3 r2: assigned 13 23:55, decided 14 00:05 (across midnight)   -> r2 decided, 600 s (week 11-09)
  c4 r2: assigned 17 08:00, pending_info 08:15 (900 s, never finished by r2),
         info_received 09:00, r1 assigned 09:30, decided 09:40    -> r1 decided, 600 s
  c5 r1: assigned 18 11:50, still in review at AS_OF            -> 600 s handled, not finished
  c6 r3: assigned 11 23:40, decided 12 00:20 (began before the period)
         -> r3 decided 2400 s, finished in the period; 1200 s of it handled inside the period
  c7 r1: assigned 15 10:00 (Sunday), decided 10:05              -> r1 decided, 300 s (week 11-09)
  c8 r2: created 15 00:00, assigned 16 01:00, decided 01:10      -> r2 decided, 600 s; resolution 25 h 10 min: breached
  x1..x6: decided on 11-10, before the period (QA and appeal fodder only).

v_a: decisions c1 c3 c4 c7 c8 = 5, escalations 1 (c2), finished 6,
     handle = 960 + 300 + 600 + 600 + 300 + 600 = 3360 s -> AHT 560 s;
     sorted 300 300 600 600 600 960: p50 = 600, p90 at rank 4.5 = 600 + 0.5 × 360 = 780.
     handled in the period: 960 + 300 + 600 + 900 + 600 + 600 (c5) + 300 + 600 = 4860 s.
v_b: decisions c2 c6 = 2, handle 1200 + 2400 = 3600 -> AHT 1800; p50 1800, p90 1200 + 0.9 × 1200 = 2280.
     handled in the period 1200 + 1200 = 2400 s.

Shifts (the part inside [a, b) counts; a shift across midnight or across Sunday night is split):
  r1: 15 08-12 (4 h), 16 08-16 (8 h), 17 08-16 (8 h), 18 08-16 (4 h to AS_OF)        = 24 h
  r2: 11 20:00-12 04:00 (4 h after a), 13 20:00-14 04:00 (8 h), 15 22:00-16 06:00 (8 h:
      2 h in week 11-09, 6 h in week 11-16), 17 06-14 (8 h)                          = 28 h
  r3: 11 20:00-12 04:00 (4 h), 16 12-20 (8 h)                                          = 12 h
  qa1: a QA shift (no queue) does not count.
  v_a staffed 52 h = 187200 s; occupancy 4860 / 187200 = 0.025962; v_b 2400 / 43200 = 0.055556.
  v_a throughput 6 ÷ 1.35 h = 4.4444 / productive h; 5 decisions ÷ 52 h = 0.096154 / staffed h.
  v_b throughput 2 ÷ (2400 / 3600) h = 3.0; 2 ÷ 12 h = 0.166667 / staffed h.
  v_a week 11-09: decisions c3 c7 = 2, handle 900, handled 900, staffed r1 4 h + r2 4 + 8 + 2 h = 18 h.
  v_a week 11-16: decisions 3, escalations 1, handle 2460, handled 3960, staffed 8+8+4 + 6+8 = 34 h.

QA checks in the period (golden items excluded from accuracy and kappa), all category fraud_scams for
v_a: r1 (V,V)×3 (N,N)×2 (V,N)×1; r2 (V,V)×2 (N,N)×1 (N,V)×1
  -> 10 checks, 8 agreed: accuracy 0.8. Kappa: p_o = 0.8; reviewer V 6 N 4, QA V 6 N 4,
     p_e = (6·6 + 4·4) / 100 = 0.52; κ = (0.8 − 0.52) / 0.48 = 0.583333 (moderate).
  golden: r1 2 items on 11-13, both right; r2 2 items on 11-17, one wrong (V → N): 3 of 4 = 0.75.
v_b: r3 spam (V,V)×2 (N,N)×2, hate (V,V)×1: 5 checks, all agreed, accuracy 1.0; kappa spam 1.0
  (p_o 1, p_e 0.5), hate undefined (p_e = 1), overall: V 3 N 2 both sides, p_e = 0.52, κ = 1.0.
  One check on 11-10, before the period, is left out.

Appeals, by the reviewer who decided the case (pending appeals left out):
  v_a: c1 overturned 17, c3 upheld 16, c4 upheld 18 11:00, c7 pending, x1 overturned 11-10 (before)
       -> 1 of 3 = 0.333333.
  v_b: c2 overturned 17, c6 pending -> 1 of 1 = 1.0.
SLA adherence on both clocks, the SLA page's rule (the case's vendor; met: stopped in the period
within target; breached: crossed the target in the period; c5 still runs within target, the x cases
stopped before the period):
  first action (8 h): c1 20 min, c3 15 min, c4 15 min, c7 5 min met; c8 25 h 10 min, breached at
      15 08:00 -> v_a 4 of 5 = 0.8;  v_b c2 5 min, c6 50 min met (stopped 12 00:20, in the period) -> 1.0.
  resolution (24 h): v_a c1 c3 c4 c7 met, c8 breached at 16 00:00 -> 4 of 5 = 0.8;  v_b c2 c6 met -> 1.0.
Costs: v_a 52 h × $30 = $1560: per case 1560 / 5 = 312, per correct decision 1560 / (5 × 0.8) = 390.
       v_b 12 h × $60 = $720: per case 360, per correct 720 / (2 × 1.0) = 360.

Grades (green 1, amber ½, red 0; weights throughput .15, AHT .10, occupancy .10, first-action SLA
.125, resolution SLA .125, QA .20, golden .10, overturn .10; figures without a target or a value are left out):
  v_a: throughput 4.444 ≥ 4.4 green; AHT 560 ≤ 600 green; occupancy no target; both SLAs 0.8 ≥ 0.8 green;
       QA 0.8 within 2 points of 0.81 amber; golden 0.75 red; overturn 0.3333 within 2 points of 0.32 amber;
       kappa 0.583 amber (house floor 0.61, amber from 0.41; no weight).
       score = (.15 + .10 + .25 + .20 × ½ + 0 + .10 × ½) / .90 = .65 / .90 = 0.7222 -> C.
  v_b: throughput 3.0 green; AHT 1800 > 1500 × 1.1 red; occupancy 0.0556 within 5 points of 0.05 green;
       both SLAs 1.0 green; QA 1.0 green; golden none; overturn 1.0 red; kappa 1.0 green.
       score = (.15 + 0 + .10 + .25 + .20 + 0) / .90 = 0.7778 -> B.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

import queries
from queries import plans
from tests.warehouses.vendors import AS_OF, QA, W09, W16, WEEK, N, V
from watchfloor import quality as q
from watchfloor import vendors as v
from watchfloor.filters import Filters


@pytest.fixture(scope="module")
def fetched(vendors_warehouse):
    queries.clear_cache()
    data = plans.fetch(plans.vendors(AS_OF, WEEK), warehouse=vendors_warehouse)
    queries.close_all()
    return data


@pytest.fixture(scope="module")
def figures(fetched):
    return v.vendor_figures(fetched["work"], fetched["quality"], fetched["outcomes"], fetched["contracts"], fetched["sla"])


def card_row(card: pl.DataFrame, **keys) -> dict:
    rows = card.filter(*[pl.col(k) == val for k, val in keys.items()]).to_dicts()
    assert len(rows) == 1, (keys, card)
    return rows[0]


# ---------------------------------------------------------------------------- the queries


def test_work_units_add_up_to_the_hand_worked_sums(fetched):
    units = fetched["work"].filter(pl.col("kind") == "unit")
    per_vendor = {r["vendor_id"]: r for r in units.group_by("vendor_id").agg(
        pl.col("decisions", "escalations", "handle_seconds", "productive_seconds", "staffed_seconds").sum()).to_dicts()}
    assert per_vendor["v_a"]["decisions"] == 5 and per_vendor["v_a"]["escalations"] == 1
    assert per_vendor["v_a"]["handle_seconds"] == pytest.approx(3360)
    assert per_vendor["v_a"]["productive_seconds"] == pytest.approx(4860)
    assert per_vendor["v_a"]["staffed_seconds"] == pytest.approx(52 * 3600)
    assert per_vendor["v_b"]["decisions"] == 2 and per_vendor["v_b"]["escalations"] == 0
    assert per_vendor["v_b"]["handle_seconds"] == pytest.approx(3600)
    assert per_vendor["v_b"]["productive_seconds"] == pytest.approx(2400)
    assert per_vendor["v_b"]["staffed_seconds"] == pytest.approx(12 * 3600)  # the QA shift does not count


def test_work_splits_weeks_and_shifts_across_sunday_night(fetched):
    units = fetched["work"].filter((pl.col("kind") == "unit") & (pl.col("vendor_id") == "v_a"))
    weeks = {r["week_start"]: r for r in units.group_by("week_start").agg(
        pl.col("decisions", "escalations", "handle_seconds", "productive_seconds", "staffed_seconds").sum()).to_dicts()}
    assert weeks[W09]["decisions"] == 2 and weeks[W09]["handle_seconds"] == pytest.approx(900)
    assert weeks[W09]["productive_seconds"] == pytest.approx(900)
    assert weeks[W09]["staffed_seconds"] == pytest.approx(18 * 3600)  # r1 4 h, r2 4 + 8 + 2 h
    assert weeks[W16]["decisions"] == 3 and weeks[W16]["escalations"] == 1
    assert weeks[W16]["handle_seconds"] == pytest.approx(2460)
    assert weeks[W16]["productive_seconds"] == pytest.approx(3960)
    assert weeks[W16]["staffed_seconds"] == pytest.approx(34 * 3600)


def test_handle_time_percentiles(fetched):
    spread = fetched["work"].filter((pl.col("kind") == "spread") & (pl.col("grouping_level") == "vendor"))
    got = {r["vendor_id"]: (r["p50_seconds"], r["p90_seconds"]) for r in spread.to_dicts()}
    assert got["v_a"] == pytest.approx((600, 780))
    assert got["v_b"] == pytest.approx((1800, 2280))


def test_outcomes_count_decided_appeals(fetched):
    out = {r["vendor_id"]: r for r in fetched["outcomes"].group_by("vendor_id").agg(
        pl.col("appeals_decided", "appeals_overturned").sum()).to_dicts()}
    assert (out["v_a"]["appeals_decided"], out["v_a"]["appeals_overturned"]) == (3, 1)  # pending and x1 left out
    assert (out["v_b"]["appeals_decided"], out["v_b"]["appeals_overturned"]) == (1, 1)


def test_sla_counts_both_clocks(fetched):
    sums = pl.col("first_action_met", "first_action_breached", "resolution_met", "resolution_breached").sum()
    out = {r["vendor_id"]: r for r in fetched["sla"].group_by("vendor_id").agg(sums).to_dicts()}
    assert [out["v_a"][k] for k in v.SLA_SUMS] == [4, 1, 4, 1]  # c8 breached both clocks
    assert [out["v_b"][k] for k in v.SLA_SUMS] == [2, 0, 2, 0]
    # Per unit: c8's breaches are r2's (APAC, Manila), each in the week of its breach: first action
    # at 15 08:00 (a Sunday: the week of 11-09), resolution at 16 00:00 (the week of 11-16).
    apac = fetched["sla"].filter((pl.col("vendor_id") == "v_a") & (pl.col("region") == "APAC"))
    by_week = {r["week_start"]: (r["first_action_breached"], r["resolution_breached"]) for r in apac.iter_rows(named=True)}
    assert by_week[W09] == (1, 0) and by_week[W16] == (0, 1)


def test_quality_counts_leave_out_checks_before_the_period(fetched):
    counts = fetched["quality"]
    assert counts["checks"].sum() == len(QA) - 1
    assert counts.filter(pl.col("vendor_id") == "v_b")["checks"].sum() == 5


# ---------------------------------------------------------------------------- the scorecard


def test_vendor_scorecard_matches_the_hand_worked_figures(figures):
    a = card_row(figures["vendor"], vendor_id="v_a")
    assert a["vendor"] == "Acme Review"
    assert a["cases_handled"] == 5
    assert a["aht_seconds"] == pytest.approx(560)
    assert (a["aht_p50_seconds"], a["aht_p90_seconds"]) == pytest.approx((600, 780))
    assert a["throughput_per_hour"] == pytest.approx(6 / 1.35)
    assert a["throughput_per_staffed_hour"] == pytest.approx(5 / 52)
    assert a["occupancy"] == pytest.approx(4860 / 187200)
    assert a["sla_adherence"] == pytest.approx(0.8) and a["first_action_sla"] == pytest.approx(0.8)
    assert a["qa_accuracy"] == pytest.approx(0.8)
    assert a["golden_accuracy"] == pytest.approx(0.75)
    assert a["kappa"] == pytest.approx(0.28 / 0.48)
    assert a["overturn_rate"] == pytest.approx(1 / 3)
    assert a["escalation_rate"] == pytest.approx(1 / 6)
    assert a["cost_per_case"] == pytest.approx(312)
    assert a["cost_per_correct"] == pytest.approx(390)
    b = card_row(figures["vendor"], vendor_id="v_b")
    assert b["aht_seconds"] == pytest.approx(1800)
    assert b["throughput_per_hour"] == pytest.approx(3.0)
    assert b["occupancy"] == pytest.approx(2400 / 43200)
    assert b["qa_accuracy"] == 1.0 and b["golden_accuracy"] is None
    assert b["kappa"] == pytest.approx(1.0)
    assert b["overturn_rate"] == 1.0 and b["sla_adherence"] == 1.0
    assert (b["cost_per_case"], b["cost_per_correct"]) == pytest.approx((360, 360))


def test_colours_and_grades(figures):
    a = card_row(figures["vendor"], vendor_id="v_a")
    assert {f.key: a[f"{f.key}_status"] for f in v.FIGURES if a[f"{f.key}_status"] != v.NONE} == {
        "throughput_per_hour": "green", "aht_seconds": "green", "first_action_sla": "green", "sla_adherence": "green",
        "qa_accuracy": "amber",
        "golden_accuracy": "red", "overturn_rate": "amber", "kappa": "amber"}
    assert a["score"] == pytest.approx(0.65 / 0.90) and a["grade"] == "C"
    b = card_row(figures["vendor"], vendor_id="v_b")
    assert {f.key: b[f"{f.key}_status"] for f in v.FIGURES if b[f"{f.key}_status"] != v.NONE} == {
        "throughput_per_hour": "green", "aht_seconds": "red", "occupancy": "green", "first_action_sla": "green",
        "sla_adherence": "green", "qa_accuracy": "green", "overturn_rate": "red", "kappa": "green"}
    assert b["score"] == pytest.approx(0.70 / 0.90) and b["grade"] == "B"


def test_site_and_week_levels(figures):
    bogota = card_row(figures["site"], vendor_id="v_a", site="Bogota")
    # r1: decided c1 c4 c7, escalated c2: handle 960 + 600 + 300 + 300 = 2160 over 4
    assert bogota["cases_handled"] == 3 and bogota["aht_seconds"] == pytest.approx(540)
    # r1 handled 960 + 300 + 600 + 600 + 300 = 2760 s in 24 shift hours
    assert bogota["occupancy"] == pytest.approx(2760 / (24 * 3600))
    assert bogota["qa_accuracy"] == pytest.approx(5 / 6)
    manila = card_row(figures["region"], vendor_id="v_a", region="APAC")
    assert manila["cases_handled"] == 2  # c3, c8
    assert manila["sla_adherence"] == pytest.approx(0.5)  # c3 met, c8 breached
    week = card_row(figures["week"], vendor_id="v_a", week_start=W09)
    assert week["cases_handled"] == 2 and week["aht_seconds"] == pytest.approx(450)
    assert week["occupancy"] == pytest.approx(900 / (18 * 3600))


def test_kappa_per_category(figures):
    kappa = {(r["vendor_id"], r["category"]): (r["kappa"], r["band"]) for r in figures["kappa"].to_dicts()}
    assert kappa[("v_a", "fraud_scams")] == (pytest.approx(0.583333, abs=1e-6), "moderate")
    assert kappa[("v_b", "spam")] == (pytest.approx(1.0), "almost perfect")
    assert kappa[("v_b", "hate")] == (None, None)  # one label on both sides: undefined


def test_vendor_filter_keeps_one_vendor(vendors_warehouse):
    queries.clear_cache()
    only_b = Filters(start=WEEK.start, end=WEEK.end, vendors=("v_b",))
    data = plans.fetch(plans.vendors(AS_OF, only_b), warehouse=vendors_warehouse)
    queries.close_all()
    card = v.vendor_figures(data["work"], data["quality"], data["outcomes"], data["contracts"], data["sla"])["vendor"]
    assert card["vendor_id"].to_list() == ["v_b"]


def test_an_empty_period_gives_an_empty_scorecard(vendors_warehouse):
    queries.clear_cache()
    long_ago = Filters(start=date(2025, 1, 1), end=date(2025, 1, 7))
    data = plans.fetch(plans.vendors(AS_OF, long_ago), warehouse=vendors_warehouse)
    queries.close_all()
    figures = v.vendor_figures(data["work"], data["quality"], data["outcomes"], data["contracts"], data["sla"])
    assert figures["vendor"].height == 0 and figures["week"].height == 0


# ---------------------------------------------------------------------------- the quality page


@pytest.fixture(scope="module")
def reviews(vendors_warehouse):
    queries.clear_cache()
    data = plans.fetch(plans.quality(AS_OF, WEEK), warehouse=vendors_warehouse)
    queries.close_all()
    return data["reviews"]


def test_quality_page_figures(reviews):
    figures = q.quality_figures(reviews, WEEK.start, WEEK.end)
    s = figures["summary"]
    # 15 QA checks (10 v_a + 5 v_b), 13 agreed; golden 4 items, 3 right
    assert (s.checks, s.golden_items, s.reviewers) == (15, 4, 3)
    assert s.accuracy == pytest.approx(13 / 15) and s.golden_accuracy == pytest.approx(0.75)
    # all QA checks: reviewer V 6 + 3 = 9, N 4 + 2 = 6; QA V 6 + 3 = 9, N 6; agreed 13 of 15
    # p_e = (81 + 36) / 225 = 0.52, κ = (13/15 − 0.52) / 0.48
    assert s.kappa == pytest.approx((13 / 15 - 0.52) / 0.48)
    per = {r["reviewer_id"]: (r["checks"], r["matched"]) for r in figures["per_reviewer"].to_dicts()}
    assert per == {"r1": (8, 7), "r2": (6, 4), "r3": (5, 5)}
    golden = {r["bucket"]: (r["items"], r["correct"]) for r in figures["golden"].to_dicts()}
    assert golden[date(2026, 11, 13)] == (2, 2) and golden[date(2026, 11, 17)] == (2, 1)
    assert golden[date(2026, 11, 12)] == (0, 0) and len(golden) == 7
    errors = {(r["category"], r["error"]): r["checks"] for r in figures["errors"].to_dicts()}
    # r1 V→N, r2 N→V, r2's golden V→N
    assert errors == {("fraud_scams", "Violating → Not violating"): 2, ("fraud_scams", "Not violating → Violating"): 1}
    agreement = {r["category"]: r["band"] for r in figures["agreement"].to_dicts()}
    assert agreement == {"fraud_scams": "moderate", "spam": "almost perfect", "hate": None}


def test_calibration_ranks_by_the_sure_error_share(reviews):
    # r2: 2 errors in 6; r1: 1 in 8; r3: none (left out). Wilson lower bounds: r2 above r1.
    ranked = q.calibration_list(reviews, min_checks=5)
    assert ranked["reviewer_id"].to_list() == ["r2", "r1"]
    r2 = ranked.row(0, named=True)
    assert (r2["checks"], r2["errors"], r2["worst_category"], r2["worst_category_errors"]) == (6, 2, "fraud_scams", 2)
    lower, _ = q.wilson_interval(2, 6)
    assert r2["error_floor"] == pytest.approx(lower)
    # with the page's threshold of 10 checks, nobody here is ranked
    assert q.calibration_list(reviews).height == 0


def test_confusion_of_one_category(reviews):
    matrix = {r["original_decision"]: r for r in q.confusion(reviews, "fraud_scams").to_dicts()}
    # non-golden 5 V,V + 3 N,N + 1 V,N + 1 N,V; golden 3 V,V + 1 V,N
    assert (matrix[V][V], matrix[V][N], matrix[N][N], matrix[N][V]) == (8, 2, 3, 1)
    assert matrix["insufficient_info"]["insufficient_info"] == 0
