"""The Automation & routing page's named queries (queries/routing_*.sql, queries/automation_*.sql) and
figures (watchfloor/automation.py) against a small warehouse built by hand below; every expected
figure is worked out in the comments.

AS_OF is Wednesday 2026-11-18 12:00 UTC. The page's range is 2026-11-16..2026-11-18: the period
[11-16 00:00, 11-19 00:00), up to AS_OF: 2.5 days.

Queues: q_fraud (L1, Fraud & spam, P2: first action 480 min, resolution 4320 min), q_hate (L1, Hate &
harassment, P1: 60 and 1440 min), q_fraud_l2 (L2, Fraud & spam, P2). All 24x7, UTC.

Cases of the period (times on day 16, 17 or 18 of November; the state after each event):
  a1 16 10:00 classifier fraud_scams clf-a 0.97 automated: decided, content_removed, resolved 10:00:36
     -> waiting 36 s; never routed ("Decided automatically" -> "Actioned: content removed")
  a2 16 08:00 user_report fraud_scams: routed q_hate 08:00 (the wrong queue), assigned 09:00,
     routed q_fraud 09:06 (a re-route), assigned 10:00, first action and decided non_violating 10:30
     -> waiting 3600, review 360 + 1800, rerouted 3240 s = 2.5 h; path re-routed; not violating
  a3 16 12:00 classifier fraud_scams clf-a 0.80: routed q_fraud 12:00, assigned 13:00, escalated to
     q_fraud_l2 13:30 (first action), assigned 14:00, routed back to q_fraud 14:30 (a return),
     assigned 15:00, decided violating (warning) 16:00
     -> waiting 3600, review 1800 + 1800 + 3600, escalated 1800, rerouted 1800 s = 4 h; path loop
  a4 17 09:00 user_report hate: routed q_hate 09:00, nobody picks it up
     -> waiting 27 h to AS_OF; first action 60 min and resolution 1440 min breached; open
  a5 17 10:00 classifier fraud_scams clf-a 0.90: routed q_fraud 10:00, assigned 10:10, pending_info
     10:20 (first action), info_received 14:20, assigned 15:00, decided non_violating 15:30
     -> waiting 600 + 2400, review 600 + 1800, pending 14400 s = 5.5 h; path direct
  a6 18 11:00 classifier fraud_scams clf-a 0.95: routed q_fraud 11:00, waiting at AS_OF (1 h)
Before the period (not in routing_cases; in the classifier's reference weeks and the stage hours):
  p1 15 10:00 classifier fraud_scams clf-a 0.60: routed, assigned 10:30, decided violating 11:00
  p2 15 20:00 user_report fraud_scams: routed q_fraud 20:00, assigned 16 02:00, decided violating 03:00
QA: a3 checked (not golden), QA says violating (agrees); a5 golden, QA says non_violating (agrees).
Appeals: a3 appealed 16 20:00, overturned 17 12:00.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest

import queries
from queries import plans
from tests.conftest import pin_warehouse
from tests.warehouses.automation import AS_OF, CASES, DAYS, END, RANGE, START
from watchfloor import automation as au
from watchfloor.filters import Filters
from watchfloor.trends import wilson_interval


@pytest.fixture
def data(monkeypatch, automation_warehouse) -> dict[str, pl.DataFrame]:
    pin_warehouse(monkeypatch, automation_warehouse, AS_OF)
    # the page's plan, and its cases one by one (the drill-down): the definition of its figures
    return plans.fetch([*plans.automation(AS_OF, RANGE), *plans.automation_cases(AS_OF, RANGE)])


def by_case(cases: pl.DataFrame) -> dict[str, dict]:
    return {row["case_id"]: row for row in cases.iter_rows(named=True)}


# --------------------------------------------------------------------------- routing_cases


def test_paths_and_stage_seconds_per_case(data):
    rows = by_case(data["cases"])
    assert sorted(rows) == ["a1", "a2", "a3", "a4", "a5", "a6"]  # p1, p2 were created before the period
    expected = {  # first vertical, reroutes, returns, escalations, waiting, review, pending, escalated, rerouted
        "a1": (None, 0, 0, 0, 36, 0, 0, 0, 0),
        "a2": ("Hate & harassment", 1, 0, 0, 3600, 2160, 0, 0, 3240),
        "a3": ("Fraud & spam", 0, 1, 1, 3600, 7200, 0, 1800, 1800),
        "a4": ("Hate & harassment", 0, 0, 0, 97200, 0, 0, 0, 0),
        "a5": ("Fraud & spam", 0, 0, 0, 3000, 2400, 14400, 0, 0),
        "a6": ("Fraud & spam", 0, 0, 0, 3600, 0, 0, 0, 0),
    }
    for case_id, values in expected.items():
        row = rows[case_id]
        got = (row["first_vertical"], row["reroutes"], row["returns"], row["escalations"], row["waiting_s"],
               row["review_s"], row["pending_s"], row["escalated_s"], row["rerouted_s"])
        assert got == values, case_id
    assert [c for c, r in rows.items() if r["breached"]] == ["a4"]
    assert [c for c, r in rows.items() if r["awaiting_first_action"]] == ["a4", "a6"]
    assert rows["a4"]["decision"] is None and rows["a3"]["enforcement_action"] == "warning"


def test_routing_rates(data):
    rates = au.routing_rates(data["cases"])
    assert (rates["cases"], rates["automated"], rates["routed"]) == (6, 1, 5)
    assert rates["reroute_rate"] == pytest.approx(1 / 5)  # a2 of a2..a6
    assert rates["escalation_rate"] == pytest.approx(1 / 5)  # a3
    assert rates["loop_rate"] == pytest.approx(1 / 1)  # a3 went back down
    assert rates["automated_share"] == pytest.approx(1 / 6)
    assert rates["breached"] == 1


def test_flow_links_counts_and_medians(data):
    flow = au.flow(data["cases"])
    links = {(r["from_label"], r["to_label"]): (r["cases"], r["median_hours"]) for r in flow.links.iter_rows(named=True)}
    assert links == {
        ("Classifier", "Decided automatically"): (1, pytest.approx(0.01)),
        ("Classifier", "Fraud & spam"): (3, pytest.approx(4.0)),  # a3 4 h, a5 5.5 h, a6 1 h
        ("User report", "Hate & harassment"): (2, pytest.approx((2.5 + 27) / 2)),  # a2, a4
        ("Hate & harassment", "Re-routed"): (1, pytest.approx(2.5)),
        ("Hate & harassment", "Decided where first routed"): (1, pytest.approx(27.0)),
        ("Fraud & spam", "Escalation loop (sent back down)"): (1, pytest.approx(4.0)),
        ("Fraud & spam", "Decided where first routed"): (2, pytest.approx(3.25)),  # a5, a6
        ("Re-routed", "Not violating"): (1, pytest.approx(2.5)),
        ("Escalation loop (sent back down)", "Actioned: warning"): (1, pytest.approx(4.0)),
        ("Decided where first routed", "Open"): (2, pytest.approx(14.0)),  # a4, a6
        ("Decided where first routed", "Not violating"): (1, pytest.approx(5.5)),  # a5
        ("Decided automatically", "Actioned: content removed"): (1, pytest.approx(0.01)),
    }
    # every band's ends are nodes of adjacent layers; the Sankey indexes point at them
    labels = flow.nodes["label"].to_list()
    for row in flow.links.iter_rows(named=True):
        assert labels[row["source"]] == row["from_label"] and labels[row["target"]] == row["to_label"]
    # "Decided where first routed" is both a path and... only a path: one node per (layer, label)
    assert flow.nodes.select("column", "label").is_unique().all()


def test_cases_behind_a_link(data):
    flow = au.flow(data["cases"])
    link = flow.links.filter((pl.col("from_label") == "Decided where first routed") & (pl.col("to_label") == "Open")).row(0, named=True)
    cases, total = au.link_cases(data["cases"], link)
    assert total == 2 and cases["case_id"].to_list() == ["a6", "a4"]  # newest first
    direct = flow.links.filter((pl.col("from_column") == "queue_node") & (pl.col("to_column") == "outcome_node")).row(0, named=True)
    cases, total = au.link_cases(data["cases"], direct)
    assert cases["case_id"].to_list() == ["a1"] and total == 1
    _, total = au.link_cases(data["cases"], link, limit=1)
    assert total == 2


def test_stage_times(data):
    stages = {r["stage"]: r for r in au.stage_times(data["cases"]).iter_rows(named=True)}
    total = 111036 + 11760 + 14400 + 1800 + 5040
    assert stages["waiting"]["cases"] == 6 and stages["waiting"]["median_hours"] == pytest.approx(1.0)
    assert stages["review"]["cases"] == 3 and stages["review"]["median_hours"] == pytest.approx(2400 / 3600)
    assert stages["pending"]["cases"] == 1 and stages["pending"]["median_hours"] == pytest.approx(4.0)
    assert stages["escalated"]["median_hours"] == pytest.approx(0.5)
    assert stages["rerouted"]["cases"] == 2 and stages["rerouted"]["median_hours"] == pytest.approx(2520 / 3600)
    assert stages["waiting"]["share"] == pytest.approx(111036 / total)
    assert sum(s["share"] for s in stages.values()) == pytest.approx(1.0)


def test_breach_stages_per_queue_group(data):
    groups = {r["group"]: r for r in au.breach_stages(data["cases"]).iter_rows(named=True)}
    assert groups["Hate & harassment"]["cases"] == 1 and groups["Hate & harassment"]["breached"] == 1
    assert groups["Hate & harassment"]["top_stage"] == "waiting" and groups["Hate & harassment"]["top_share"] == 1.0
    assert groups["Fraud & spam"]["cases"] == 5 and groups["Fraud & spam"]["breached"] == 0
    assert groups["Fraud & spam"]["top_stage"] is None
    assert list(groups) == ["Hate & harassment", "Fraud & spam"]  # most breaches first


# --------------------------------------------------------------------------- bottlenecks


def test_stage_hours_per_day(data):
    hours = {(r["day"].day, r["stage"]): r["hours"] for r in data["stage_hours"].iter_rows(named=True)}
    # day 16: p2 waits 00-02 and is reviewed 02-03; a1 36 s; a2 and a3 as in the docstring
    assert hours[(16, "waiting")] == pytest.approx(2 + 0.01 + 1 + 1)
    assert hours[(16, "review")] == pytest.approx(1 + 0.6 + 2.0)
    assert hours[(16, "escalated")] == pytest.approx(0.5)
    assert hours[(16, "rerouted")] == pytest.approx(0.9 + 0.5)
    # day 17: a4 waits 09-24; a5 waits 50 min, is reviewed 40 min and pending 4 h
    assert hours[(17, "waiting")] == pytest.approx(15 + 3000 / 3600)
    assert hours[(17, "review")] == pytest.approx(2400 / 3600)
    assert hours[(17, "pending")] == pytest.approx(4.0)
    # day 18 up to AS_OF: a4 12 h, a6 1 h
    assert hours[(18, "waiting")] == pytest.approx(13.0)
    assert (16, "pending") not in hours and (18, "review") not in hours


def test_bottlenecks_over_complete_days(data):
    daily = au.complete_days(data["stage_hours"], START, END, AS_OF)
    assert sorted({d.day for d in daily["day"].to_list()}) == [16, 17]  # the 18th is not over at AS_OF
    assert daily.filter((pl.col("stage") == "pending") & (pl.col("day").dt.day() == 16))["hours"].item() == 0.0
    trend = {r["stage"]: r for r in au.bottlenecks(daily).iter_rows(named=True)}
    waiting_16, waiting_17 = 4.01, 15 + 3000 / 3600
    assert trend["waiting"]["slope"] == pytest.approx(waiting_17 - waiting_16)  # two points: the line through them
    assert trend["waiting"]["mean_hours"] == pytest.approx((waiting_16 + waiting_17) / 2)
    assert trend["waiting"]["change"] == pytest.approx((waiting_17 - waiting_16) / ((waiting_16 + waiting_17) / 2))
    assert trend["pending"]["slope"] == pytest.approx(4.0)
    assert trend["review"]["slope"] == pytest.approx(2400 / 3600 - 3.6)
    assert au.bottlenecks(daily)["stage"].to_list()[0] == "waiting"  # grew most


def test_bottleneck_slope_is_least_squares():
    days = [datetime(2026, 11, d) for d in (1, 2, 3, 4)]
    daily = pl.DataFrame({"day": days, "stage": ["review"] * 4, "hours": [1.0, 3.0, 2.0, 6.0], "cases": [1] * 4})
    row = au.bottlenecks(daily).row(0, named=True)
    # x = 0..3, mean 1.5; y mean 3; slope = sum((x-1.5)(y-3)) / sum((x-1.5)^2) = (3 + 0 - 0.5 + 4.5) / 5
    assert row["slope"] == pytest.approx(7 / 5)
    assert row["change"] == pytest.approx(7 / 5 * 3 / 3)


# --------------------------------------------------------------------------- classifier feedback


def test_classifier_counts_by_band_and_day(data):
    rows = {(r["day"].day, r["band"]): r for r in data["classifier"].iter_rows(named=True)}
    assert set(rows) == {(15, 0.6), (16, 0.95), (16, 0.8), (17, 0.9), (18, 0.95)}
    assert rows[(16, 0.95)]["automated"] == 1 and rows[(16, 0.95)]["human_violating"] == 0  # a1
    assert rows[(16, 0.8)]["human_violating"] == 1 and rows[(16, 0.8)]["qa_violating"] == 1  # a3
    assert rows[(17, 0.9)]["human_non_violating"] == 1 and rows[(17, 0.9)]["golden_checked"] == 1  # a5
    assert rows[(17, 0.9)]["golden_violating"] == 0 and rows[(17, 0.9)]["qa_checked"] == 0
    assert rows[(18, 0.95)]["human_violating"] + rows[(18, 0.95)]["human_non_violating"] == 0  # a6 open
    decided = {(r["category"], r["day"].day): r["human_violating"] for r in data["category_decisions"].iter_rows(named=True)}
    assert decided == {("fraud_scams", 15): 2, ("fraud_scams", 16): 1}  # p1 and p2 (a user report); a3


def test_classifier_quality_against_people_qa_and_golden(data):
    row = au.classifier_quality(data["classifier"], data["category_decisions"], START, END).row(0, named=True)
    assert (row["classifier"], row["category"], row["cases"], row["automated"], row["decided"]) == \
        ("clf-a", "fraud_scams", 4, 1, 2)
    assert row["precision"] == pytest.approx(0.5)  # a3 violating, a5 not
    low, high = wilson_interval(1, 2)
    assert (row["precision_low"], row["precision_high"]) == (pytest.approx(low), pytest.approx(high))
    assert row["recall"] == 1.0  # a3 is the only case of the category a person decided violating in the period
    assert row["qa_precision"] == 1.0 and row["golden_precision"] == 0.0
    low, high = wilson_interval(0, 1)
    assert (row["golden_precision_low"], row["golden_precision_high"]) == (pytest.approx(low), pytest.approx(high))


def test_wilson_expressions_match_the_scalar_interval():
    frame = pl.DataFrame({"k": [0, 3, 7, 50, 0], "n": [5, 10, 7, 60, 0]})
    out = frame.with_columns(*au.wilson(pl.col("k"), pl.col("n"), "p"))
    for row in out.iter_rows(named=True):
        low, high = wilson_interval(row["k"], row["n"])
        assert row["p_low"] == (pytest.approx(low) if low is not None else None)
        assert row["p_high"] == (pytest.approx(high) if high is not None else None)


def test_classifier_weekly_windows_count_back_from_the_end(data):
    weekly = au.classifier_weekly(data["classifier"], data["category_decisions"], END)
    # weeks end on the period's end (11-19): 11-12..11-18 holds everything, p1 included
    assert weekly["week_start"].to_list() == [date(2026, 11, 12)]
    row = weekly.row(0, named=True)
    assert row["decided"] == 3 and row["precision"] == pytest.approx(2 / 3)  # p1, a3 violating; a5 not
    assert row["recall"] == pytest.approx(2 / 3)  # p1 and a3 of the category's violating decisions p1, p2, a3


def test_score_drift_psi_by_hand():
    # 100 cases before: 50 in band 0.5, 50 in 0.9; 100 now: 20 in 0.5, 80 in 0.9
    flags = pl.DataFrame({
        "classifier": ["m"] * 4, "category": ["spam"] * 4,
        "day": [date(2026, 11, 1), date(2026, 11, 1), date(2026, 11, 17), date(2026, 11, 17)],
        "band": [0.5, 0.9, 0.5, 0.9], "cases": [50, 50, 20, 80]})
    row = au.score_drift(flags, START, END).row(0, named=True)
    import math
    psi = (0.2 - 0.5) * math.log(0.2 / 0.5) + (0.8 - 0.5) * math.log(0.8 / 0.5)
    assert row["psi"] == pytest.approx(psi)  # 0.416: a shift
    assert row["verdict"] == "shift" and (row["total_before"], row["total_now"]) == (100, 100)
    assert row["noise"] == pytest.approx((2 - 1) * (1 / 100 + 1 / 100))  # 0.02: small enough to judge
    assert row["mean_score_before"] == pytest.approx(0.5 * 0.525 + 0.5 * 0.925)
    # a band empty on one side is floored at PSI_FLOOR, not infinite
    flags = flags.with_columns(pl.when(pl.col("cases") == 20).then(0).otherwise(pl.col("cases")).alias("cases"))
    row = au.score_drift(flags.filter(pl.col("cases") > 0), START, END).row(0, named=True)
    floor = au.PSI_FLOOR
    assert row["psi"] == pytest.approx((floor - 0.5) * math.log(floor / 0.5) + (1 - 0.5) * math.log(1 / 0.5))
    # too few cases in a window: no verdict
    small = pl.DataFrame({"classifier": ["m", "m"], "category": ["spam"] * 2,
                          "day": [date(2026, 11, 1), date(2026, 11, 17)], "band": [0.5, 0.5], "cases": [10, 10]})
    assert au.score_drift(small, START, END).row(0, named=True)["verdict"] == "too few cases"
    # 60 now and 250 before over ten bands: sampling alone gives 9 x (1/60 + 1/250) = 0.186 > 0.05
    bands = [0.5 + 0.05 * i for i in range(10)]
    noisy = pl.DataFrame({"classifier": ["m"] * 20, "category": ["spam"] * 20,
                          "day": [date(2026, 11, 1)] * 10 + [date(2026, 11, 17)] * 10,
                          "band": bands * 2, "cases": [25] * 10 + [6] * 10})
    row = au.score_drift(noisy, START, END).row(0, named=True)
    assert row["noise"] == pytest.approx(9 * (1 / 60 + 1 / 250)) and row["verdict"] == "too few cases"
    assert row["psi"] is None


def test_drift_thresholds_documented_values():
    assert (au.PSI_MODERATE, au.PSI_SHIFT) == (0.10, 0.25)


# --------------------------------------------------------------------------- threshold what-if


def test_threshold_what_if_by_hand(data):
    assert au.period_days(START, END, AS_OF) == DAYS
    assert au.current_threshold(data["cases"], "clf-a") == 0.97  # a1, the one automated flag
    curve = au.threshold_curve(data["cases"], "clf-a", DAYS)
    at = {round(r["threshold"], 2): r for r in curve.iter_rows(named=True)}
    # 0.85: a1 (automated today), a5 and a6 at or above; a5 and a6 move from people
    row = at[0.85]
    assert (row["automated_cases"], row["moved"], row["moved_decided"]) == (3, 2, 1)
    assert row["share_automated"] == pytest.approx(3 / 4)
    assert row["precision"] == 0.0  # a5 was not violating
    assert row["wrong_per_day"] == pytest.approx(2 / DAYS)
    assert row["hours_saved_per_day"] == pytest.approx(2400 / 3600 / DAYS)  # a5's review; a6 not reviewed yet
    assert (row["backlog_cleared"], row["backlog_breached_cleared"], row["returned"]) == (1, 0, 0)  # a6
    # 0.80: a3 joins (violating, 2 h of review)
    row = at[0.8]
    assert (row["moved"], row["precision"]) == (3, 0.5)
    assert row["wrong_per_day"] == pytest.approx(3 / DAYS * 0.5)
    assert row["hours_saved_per_day"] == pytest.approx((7200 + 2400) / 3600 / DAYS)
    # 0.97: what is automated today, nothing moved: no precision measured
    assert (at[0.97]["automated_cases"], at[0.97]["moved"], at[0.97]["precision"]) == (1, 0, None)
    # 0.98: a1 goes back to people
    assert (at[0.98]["automated_cases"], at[0.98]["returned"], at[0.98]["share_automated"]) == (0, 1, 0.0)
    assert au.threshold_point(curve, 0.855)["threshold"] == 0.85
    assert au.default_threshold(0.97) == 0.94 and au.default_threshold(None) == 0.95


def test_threshold_curve_for_an_unknown_classifier_is_empty_not_an_error(data):
    curve = au.threshold_curve(data["cases"], "no-such-model", DAYS)
    assert curve.height == len(au.THRESHOLDS) and curve["automated_cases"].sum() == 0
    assert curve["precision"].null_count() == curve.height


# --------------------------------------------------------------------------- automation candidates


def test_candidate_evidence_counts(data):
    rows = {(r["category"], r["source"]): r for r in data["candidates"].iter_rows(named=True)}
    row = rows[("fraud_scams", "classifier")]
    assert (row["cases"], row["automated"], row["human_violating"], row["human_non_violating"]) == (4, 1, 1, 1)
    assert (row["qa_checked"], row["qa_agreed"], row["appeals_decided"], row["appeals_overturned"]) == (2, 2, 1, 1)
    assert (rows[("fraud_scams", "user_report")]["human_non_violating"], rows[("hate", "user_report")]["cases"]) == (1, 1)


def test_candidates_ranked_by_safety_by_hand():
    evidence = pl.DataFrame({
        "category": ["spam", "spam", "hate", "ip"], "source": ["classifier", "user_report", "user_report", "classifier"],
        "cases": [100, 50, 40, 10], "automated": [20, 0, 0, 0],
        "human_violating": [76, 30, 20, 9], "human_non_violating": [4, 20, 20, 1],
        "qa_checked": [10, 0, 5, 0], "qa_agreed": [9, 0, 5, 0],
        "appeals_decided": [10, 0, 0, 0], "appeals_overturned": [1, 0, 0, 0]})
    cases = pl.DataFrame({"category": ["spam", "spam", "hate"], "source": ["classifier", "classifier", "user_report"],
                          "automated": [False, False, False], "review_s": [3600.0, 1800.0, 7200.0]})
    ranked = au.candidates(evidence, cases, 2.0)
    rows = {(r["category"], r["source"]): r for r in ranked.iter_rows(named=True)}
    spam = rows[("spam", "classifier")]
    low, _ = wilson_interval(76, 80)
    assert spam["safety"] == pytest.approx(low * 0.9 * (1 - 0.1))
    assert spam["review_hours_per_day"] == pytest.approx(1.5 / 2) and spam["cases_per_day"] == 50
    low_report, _ = wilson_interval(30, 50)
    assert rows[("spam", "user_report")]["safety"] == pytest.approx(low_report)  # no QA, no appeals
    assert rows[("ip", "classifier")]["rank"] is None  # 10 decisions: too few to rank
    assert ranked["rank"].to_list()[:3] == [1, 2, 3] and ranked.row(0, named=True)["category"] == "spam"
    assert ranked.row(-1, named=True)["category"] == "ip"
    text = au.evidence_text(spam)
    assert "76 of 80 human decisions violating" in text and "9 of 10 checks" in text and "1 of 10 appeals" in text


def test_empty_period_gives_empty_frames(monkeypatch, automation_warehouse):
    pin_warehouse(monkeypatch, automation_warehouse, AS_OF)
    quiet = Filters(start=date(2026, 11, 1), end=date(2026, 11, 3))
    data = plans.fetch([*plans.automation(AS_OF, quiet), *plans.automation_cases(AS_OF, quiet)])
    assert data["cases"].height == 0
    assert au.flow(data["cases"]).links.height == 0
    assert au.routing_rates(data["cases"])["reroute_rate"] is None
    assert au.bottlenecks(au.complete_days(data["stage_hours"], datetime(2026, 11, 1), datetime(2026, 11, 4), AS_OF)).height == 5


def test_filters_are_bound_not_formatted(monkeypatch, automation_warehouse):
    pin_warehouse(monkeypatch, automation_warehouse, AS_OF)
    hostile = Filters(start=RANGE.start, end=RANGE.end, verticals=("Fraud & spam'; DROP TABLE cases; --",))
    data = plans.fetch([*plans.automation(AS_OF, hostile), *plans.automation_cases(AS_OF, hostile)])
    assert data["cases"].height == 0
    assert queries.run_uncached("freshness")["cases"][0] == len(CASES)  # nothing was dropped
    assert "automation" in plans.PAGE_PLANS and timedelta(days=28) == au.DRIFT_REFERENCE


# --------------------------------------------------------------------------- routing_figures


def assert_figures_match_cases(figures: pl.DataFrame, cases: pl.DataFrame, candidates: pl.DataFrame,
                               days: float) -> None:
    """Every figure worked out in SQL (routing_figures.sql) equals the same figure worked out in
    Python from the cases one by one (routing_cases.sql, the definition)."""
    from polars.testing import assert_frame_equal

    def same(a: pl.DataFrame, b: pl.DataFrame) -> None:
        assert_frame_equal(a, b, check_dtypes=False, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)

    assert au.rates_of(figures) == au.routing_rates(cases)
    got, want = au.flow_of(figures), au.flow(cases)
    same(got.nodes, want.nodes)
    same(got.links, want.links)
    same(au.stage_times_of(figures), au.stage_times(cases))
    same(au.breach_stages_of(figures), au.breach_stages(cases))
    classifiers = cases["classifier_name"].drop_nulls().unique().sort().to_list()
    for name in [*classifiers, "no-such-model"]:
        assert au.current_threshold(au.lowest_automated(figures), name) == au.current_threshold(cases, name)
        same(au.threshold_curve(au.threshold_rows(figures), name, days), au.threshold_curve(cases, name, days))
    same(au.candidates(candidates, au.review_rows(figures), days), au.candidates(candidates, cases, days))


def test_figures_in_sql_equal_the_figures_of_the_cases(data):
    assert au.rates_of(data["figures"])["cases"] == 6  # a1..a6
    assert_figures_match_cases(data["figures"], data["cases"], data["candidates"], DAYS)


def test_figures_in_sql_equal_the_figures_of_the_cases_on_a_simulated_warehouse(monkeypatch, parity_warehouse):
    from tests.server_parity import AS_OF as SIM_AS_OF

    pin_warehouse(monkeypatch, parity_warehouse, SIM_AS_OF)
    narrow = Filters(start=SIM_AS_OF.date() - timedelta(days=6), end=SIM_AS_OF.date(), regions=("EMEA", "AMER"),
                     priorities=("P1", "P2"))
    for filters in (Filters(start=SIM_AS_OF.date() - timedelta(days=6), end=SIM_AS_OF.date()), narrow):
        data = plans.fetch([*plans.automation(SIM_AS_OF, filters), *plans.automation_cases(SIM_AS_OF, filters)])
        assert data["cases"].height > 500 and data["cases"]["breached"].any() and data["cases"]["automated"].any()
        period = filters.period_params()
        days = au.period_days(period["period_start"], period["period_end"], SIM_AS_OF)
        assert_figures_match_cases(data["figures"], data["cases"], data["candidates"], days)


def test_empty_period_gives_no_figures(monkeypatch, automation_warehouse):
    pin_warehouse(monkeypatch, automation_warehouse, AS_OF)
    data = plans.fetch(plans.automation(AS_OF, Filters(start=date(2026, 11, 1), end=date(2026, 11, 3))))
    assert au.rates_of(data["figures"])["cases"] == 0 and au.rates_of(data["figures"])["reroute_rate"] is None
    assert au.flow_of(data["figures"]).links.height == 0
    # the stage figure is one ungrouped aggregate in SQL: no case, no stage row (not five rows of zeros)
    assert data["figures"].filter(pl.col("figure") == "stage").height == 0
    assert au.threshold_curve(au.threshold_rows(data["figures"]), "clf-a", 1.0)["automated_cases"].sum() == 0
