"""The simulator's routing behaviour behind the Automation & routing page: cases routed to the wrong
policy area and re-routed, escalations sent back down (loops), and classifiers whose scores drift in
the last weeks. Checked on the warehouse tables themselves, as the page's queries read them."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import polars as pl
import pytest

from watchfloor.simulator import catalog as cat
from watchfloor.simulator import demand
from watchfloor.simulator.config import SimConfig
from watchfloor.simulator.run import simulate

END = datetime(2026, 11, 18, 12, 0)
DAYS = 28


@pytest.fixture(scope="module")
def world() -> dict[str, pl.DataFrame]:
    return simulate(SimConfig(days=DAYS, cases_per_day=1500, seed=5, end=END))


def _routed(world) -> pl.DataFrame:
    queues = world["queues"].select("queue_id", "vertical", "tier")
    events = world["case_events"].filter(pl.col("queue_id").is_not_null()).sort("case_id", "occurred_at", "event_id")
    events = events.join(queues, on="queue_id", how="left").with_columns(
        pl.col("vertical").shift(1).over("case_id").alias("vertical_before"),
        pl.col("tier").shift(1).over("case_id").alias("tier_before"))
    return events.filter(pl.col("event_type") == "routed")


def test_misrouted_cases_are_rerouted_to_another_policy_area_at_the_same_tier(world):
    routed = _routed(world)
    reroutes = routed.filter(pl.col("detail") == "rerouted_wrong_policy_area")
    human_cases = world["cases"].filter(~pl.col("automated")).height
    # about 3 % of routed cases (8 % of user reports): a real share, not a trace
    assert 0.015 < reroutes.height / human_cases < 0.06
    assert (reroutes["tier"] == "L1").all() and (reroutes["tier_before"] == "L1").all()
    assert (reroutes["vertical"] != reroutes["vertical_before"]).all()
    rerouted = reroutes["case_id"].unique().implode()
    rate = dict(world["cases"].filter(~pl.col("automated"))
                .group_by("source").agg(pl.col("case_id").is_in(rerouted).mean()).iter_rows())
    assert rate["user_report"] > 2 * rate["classifier"]  # users pick the wrong reason most


def test_a_reroute_is_not_the_first_action(world):
    routed = _routed(world).filter(pl.col("detail") == "rerouted_wrong_policy_area")
    first = routed.group_by("case_id").agg(pl.col("occurred_at").min().alias("rerouted_at"))
    cases = world["cases"].join(first, on="case_id").filter(pl.col("first_action_at").is_not_null())
    assert cases.height > 0
    assert (cases["first_action_at"] > cases["rerouted_at"]).all()


def test_escalation_loops_send_cases_back_from_l2_to_l1(world):
    returns = _routed(world).filter(pl.col("detail").str.starts_with("returned_"))
    escalated = world["cases"].filter(pl.col("escalated")).height
    assert returns.height > 0
    assert (returns["tier"] == "L1").all() and (returns["tier_before"] == "L2").all()
    assert 0.04 < returns["case_id"].n_unique() / escalated < 0.2
    # some are escalated again after coming back
    events = world["case_events"]
    again = (events.filter(pl.col("event_type") == "escalated").group_by("case_id").len()
             .filter(pl.col("len") >= 2))
    assert again.join(returns.select("case_id").unique(), on="case_id").height > 0


def test_drifting_classifiers_move_their_scores_in_the_last_weeks(world):
    cases = world["cases"].filter(pl.col("classifier_name").is_not_null())
    start = cases["created_at"].min()
    first, last = start + (END - start) * 0.25, END - (END - start) * 0.15

    def mean(name: str, early: bool) -> float:
        rows = cases.filter((pl.col("classifier_name") == name)
                            & ((pl.col("created_at") < first) if early else (pl.col("created_at") >= last)))
        return float(rows["classifier_score"].mean())

    assert mean("toxicity-v6", False) > mean("toxicity-v6", True) + 0.04  # inflates
    assert mean("spam-v7", False) < mean("spam-v7", True) - 0.03  # deflates: evasion
    assert abs(mean("fraud-scam-v5", False) - mean("fraud-scam-v5", True)) < 0.02  # does not drift


def test_drift_ramp_and_transform_by_hand():
    cfg = SimConfig(days=DAYS, cases_per_day=10, seed=1, end=END)
    start = (DAYS - cat.DRIFT_DAYS_BEFORE_END) * 86400.0
    t = np.array([0.0, start, start + 2.5 * 86400.0, start + 10 * 86400.0])
    assert demand.drift_ramp(cfg, t).tolist() == [0.0, 0.0, 0.5, 1.0]
    short = SimConfig(days=10, cases_per_day=10, seed=1, end=END)  # starts half-way in a short period
    assert demand.drift_ramp(short, np.array([5 * 86400.0]))[0] == 0.0
    toxicity = cat.CLASSIFIER_INDEX["toxicity-v6"]
    other = cat.CLASSIFIER_INDEX["fraud-scam-v5"]
    score = np.array([0.75, 0.75, 0.75])
    out = demand.drifted(cfg, np.array([start + 10 * 86400.0] * 3), np.array([toxicity, other, -1]), score)
    assert out[0] == pytest.approx(round(0.5 + 0.5 * 0.5 ** 0.55, 4))
    assert out[1] == 0.75 and out[2] == 0.75


def test_same_seed_same_routing(world):
    again = simulate(SimConfig(days=DAYS, cases_per_day=1500, seed=5, end=END))
    assert again["case_events"].equals(world["case_events"])
    assert again["cases"].equals(world["cases"])
