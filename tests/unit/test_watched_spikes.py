"""Watched series and their alerts (watchfloor.watched_scopes.watched_alerts), as Home, the Trends page and
the spike evaluation see them, on hand-worked counts.

One category, impersonation, on two surfaces (chat, image_gen) in three regions (AMER, APAC,
EMEA): six cells of exactly BASE = 10 cases an hour for the 29 days before HOUR (Wednesday
2026-11-18 12:00), so the watched series are: the category 60 an hour; chat and image_gen 30;
AMER, APAC and EMEA 20; each cell 10.

Why the expected counts are exactly these and the tails Poisson: every earlier value of a flat
series is the same, so the trimmed seasonal mean is the level itself, shrinkage pulls it to the
long-run mean (the same), and the level factor is 1 (it leaves out the 3 latest hours, and the
points of an episode are replaced by their expected counts in the detector's later passes). No
count lies above its Poisson quantile, so every needed dispersion is -1 and the dispersion is 0:
the tail is Poisson's.

The narrow spike: image_gen x APAC gets +25 an hour at 06:00, 07:00 and 08:00 on 11-18.
- category: 85 against 60 is below 1.5 x 60 = 90 (min_ratio): no hot point or run: nothing.
- image_gen: 55 against 30, APAC: 45 against 20, are below fine()'s min_ratio 2.5: nothing.
- image_gen x APAC: 35 against 10: ratio 3.5, excess 25 >= 20, P(X >= 35 | Poisson 10) = 1.6e-9
  <= 1e-5 (fine alpha): hot at 06:00; 07:00 and 08:00 stay elevated, 09:00 is back at 10: an
  episode 06:00-08:00, observed 105, expected 30, peak 06:00 (the first of three equal scores),
  peak ratio 3.5: 'high'.
One alert, of one episode, labelled image_gen x APAC: observed 105, expected 30.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from datetime import datetime, timedelta
from pathlib import Path
from statistics import NormalDist

import numpy as np
import polars as pl
import pytest

from tests.warehouses.watched_spikes import AS_OF, CATEGORY, HOUR, LAST, NARROW, START, H, at, cells
from watchfloor import spike_detector, spike_record, watched_scopes
from watchfloor import trends as tr
from watchfloor.home_figures import rising_categories


def record(frame: pl.DataFrame, sensitivity: str = "normal") -> spike_record.SpikeRecord:
    """The spike record of the cells at AS_OF (its window reaches back past START: the grid starts there)."""
    return spike_record.build(frame, spike_record.hour_of(AS_OF), sensitivity)


def rising(frame: pl.DataFrame, top_n: int = 3, sensitivity: str = "normal") -> pl.DataFrame:
    return rising_categories(record(frame, sensitivity), frame, AS_OF, top_n)


def watched_view(frame: pl.DataFrame, period_start: datetime, period_end: datetime) -> tr.WatchedView:
    return tr.watched_view(record(frame), frame["category"].unique().to_list(), period_start, period_end)


def watched(frame: pl.DataFrame) -> watched_scopes.Watched:
    return watched_scopes.watched_series(frame, START, LAST)


def test_the_watched_series_of_a_category():
    w = watched(cells(NARROW))
    # 1 category + 2 surfaces + 3 regions + 6 cells
    assert w.keys.height == 12
    assert len(w.stamps) == 29 * 24 and w.stamps[-1] == LAST
    by_scope = {(k["level"], k["surface"], k["region"]): v for k, v in zip(w.keys.iter_rows(named=True), w.values)}
    six = (29 * 24) - 6  # 06:00 is the sixth hour before 12:00
    assert by_scope[("category", None, None)][six] == 85  # 60 + 25
    assert by_scope[("category x surface", "image_gen", None)][six] == 55
    assert by_scope[("category x region", None, "APAC")][six] == 45
    assert by_scope[("category x surface x region", "image_gen", "APAC")][six] == 35
    assert by_scope[("category x surface x region", "chat", "APAC")][six] == 10


def test_a_series_burst_columns_are_its_cells_busiest_account_and_summed_ten_minutes():
    """Two cells of one category at one hour: chat x AMER (busiest account 4, ten-minute counts
    1, 2, 3, 0, 0, 0) and api x AMER (busiest account 7, counts 0, 5, 0, 0, 0, 1). The AMER series
    and the category's: busiest account max(4, 7) = 7, counts 1, 7, 3, 0, 0, 1; each cell's own
    series keeps its own; an hour without a case has 0 and 0."""
    hour = datetime(2026, 11, 2, 10)
    frame = pl.DataFrame({
        "category": ["spam", "spam"], "surface": ["chat", "api"], "region": ["AMER", "AMER"],
        "bucket": [hour, hour], "cases": [6, 6], "top_account": [4, 7],
        **{f"slot_{i}": [c, a] for i, (c, a) in enumerate(zip((1, 2, 3, 0, 0, 0), (0, 5, 0, 0, 0, 1)))},
    })
    w = watched_scopes.watched_series(frame, hour - timedelta(hours=1), hour)
    rows = {(k["surface"], k["region"]): i for i, k in enumerate(w.keys.iter_rows(named=True))}
    for scope in ((None, None), (None, "AMER")):
        top, slots = w.burst_columns(rows[scope], slice(0, 2))
        assert top.tolist() == [0.0, 7.0]
        assert slots.tolist() == [[0.0] * 6, [1.0, 7.0, 3.0, 0.0, 0.0, 1.0]]
    top, slots = w.burst_columns(rows[("chat", "AMER")], slice(1, 2))
    assert top.tolist() == [4.0] and slots.tolist() == [[1.0, 2.0, 3.0, 0.0, 0.0, 0.0]]
    # without the columns, there is nothing to tell bursts by
    bare = watched_scopes.watched_series(frame.select("category", "surface", "region", "bucket", "cases"),
                                 hour - timedelta(hours=1), hour)
    assert bare.burst_columns(0, slice(0, 2)) == (None, None)


def poisson_z(k: int, mu: float) -> float:
    """The standard-normal score of P(X >= k), X ~ Poisson(mu), summed term by term."""
    below = sum(math.exp(-mu + i * math.log(mu) - math.lgamma(i + 1)) for i in range(k))
    return -NormalDist().inv_cdf(1.0 - below)


def test_a_narrow_spike_unseen_on_the_category_series_is_found_on_its_own():
    w = watched(cells(NARROW))
    # the category series alone: nothing (85 < 1.5 x 60)
    assert watched_scopes.watched_episodes(w, levels=["category"]).height == 0
    episodes = watched_scopes.watched_episodes(w)
    assert sorted((e["level"], e["surface"], e["region"], e["onset"], e["end"], e["observed"])
                  for e in episodes.iter_rows(named=True)) == [
        ("category x surface x region", "image_gen", "APAC", at(6), at(8), 105.0),
    ]
    alerts = watched_scopes.watched_alerts(w)
    assert alerts.height == 1
    alert = alerts.row(0, named=True)
    assert (alert["category"], alert["surface"], alert["region"], alert["level"]) == (
        CATEGORY, "image_gen", "APAC", "category x surface x region")
    assert (alert["onset"], alert["detected_at"], alert["peak"], alert["end"], alert["points"]) == (
        at(6), at(6), at(6), at(8), 3)
    assert alert["observed"] == 105 and alert["expected"] == pytest.approx(30.0)
    assert alert["severity"] == "high" and alert["score"] == pytest.approx(poisson_z(35, 10.0), abs=0.05)
    assert (alert["episodes"], alert["series"], alert["ongoing"]) == (1, 1, False)
    assert (alert["kind"], alert["burst_cases"]) == ("spike", 0.0)


def test_an_overlapping_category_spike_is_one_alert():
    """chat x AMER also gets +50 an hour at 04:00-06:00, sharing 06:00 with the narrow spike.

    category: 110, 110, 135, 85, 85 at 04-08 against 60: 04:00 is hot (ratio 1.83 >= 1.5, excess
    50, P(X >= 110 | 60) ~ 1e-8 <= 1e-4); 07:00 and 08:00 stay elevated (P(X >= 85 | 60) = 0.0014:
    z = 3.00 >= 2.5); 09:00 is 60: the episode is 04:00-08:00, observed 525, expected 300 (excess
    225), peak 06:00 at 2.25x: medium.
    chat x AMER (60 against 10), chat (80 against 30: ratio 2.67 >= 2.5), AMER (70 against 20):
    04:00-06:00, excess 150 each. image_gen x APAC: 06:00-08:00, excess 75, as before.
    All five share hours with the category's: one alert 04:00-08:00 of 5 episodes on 5 series.
    Its scope: the narrowest with at least 0.75 x 225 = 168.75 excess: only the category."""
    w = watched(cells({**NARROW, ("chat", "AMER"): (at(4), 3, 50)}))
    alerts = watched_scopes.watched_alerts(w)
    assert alerts.height == 1
    alert = alerts.row(0, named=True)
    assert (alert["surface"], alert["region"], alert["level"]) == (None, None, "category")
    assert (alert["onset"], alert["end"], alert["peak"]) == (at(4), at(8), at(6))
    assert alert["observed"] == 525 and alert["expected"] == pytest.approx(300.0)
    assert alert["severity"] == "medium"
    assert poisson_z(85, 60.0) == pytest.approx(3.00, abs=0.01)
    assert (alert["episodes"], alert["series"]) == (5, 5)
    # the merging is the evaluation's own: the alerts are its merged spans
    episodes = watched_scopes.watched_episodes(w)
    spans = list(episodes.select("onset", "end").iter_rows())
    assert watched_scopes.merge_alerts(spans) == [(at(4), at(8))]
    assert eval_module().merge_alerts is watched_scopes.merge_alerts


def test_episodes_that_only_touch_stay_apart():
    """The narrow spike, and chat x AMER +50 at 09:00-10:00 (starting right after 08:00): the
    episodes touch but share no hour, so two alerts. The second: chat x AMER 60 against 10,
    chat 80/30, AMER 70/20 (each excess 100 over the two hours), category 110/60 (excess 100):
    the narrowest with >= 75 is chat x AMER."""
    w = watched(cells({**NARROW, ("chat", "AMER"): (at(9), 2, 50)}))
    alerts = watched_scopes.watched_alerts(w)
    assert alerts.select("onset", "end", "surface", "region").rows() == [
        (at(6), at(8), "image_gen", "APAC"), (at(9), at(10), "chat", "AMER")]
    assert alerts["ongoing"].to_list() == [False, True]  # 10:00 is one of the last 3 hours


def test_alert_groups_keep_their_episodes():
    spans = [(at(12), at(14)), (at(10), at(12)), (at(11), at(11)), (at(15), at(15))]
    assert watched_scopes.alert_groups(spans) == [[1, 2, 0], [3]]
    assert watched_scopes.merge_alerts(spans) == [(at(10), at(14)), (at(15), at(15))]
    assert watched_scopes.alert_groups([]) == []


def test_series_that_cannot_alert_are_skipped():
    """A hot point or run (of up to scan = 3 points) needs min_excess (20) cases above an
    expected count that is never below 0: [0, 19, 0, 0] has no three consecutive hours reaching
    20, [10, 10, 0, 0] has, [9, 0, 0, 9] has not."""
    values = np.array([[0, 19, 0, 0], [10, 10, 0, 0], [9, 0, 0, 9]], dtype=float)
    assert watched_scopes.could_alert(values, spike_detector.FINE_SCOPE).tolist() == [False, True, False]
    assert watched_scopes.could_alert(values, spike_detector.SpikeParams()).tolist() == [False, True, False]
    assert watched_scopes.could_alert(np.zeros((2, 1)), spike_detector.FINE_SCOPE).tolist() == [False, False]
    # The rule never hides an alert: sparse series (about 0.2 an hour, at most 9) with a burst of
    # 10 after 3 weeks of near-silence, so no three hours reach 20 and FINE_SCOPE never fires;
    # the same burst at 30 is judged, and found.
    rng = np.random.default_rng(5)
    stamps = [START + i * H for i in range(24 * 22)]
    for _ in range(10):
        series = np.minimum(rng.poisson(0.2, len(stamps)), 9).astype(float)
        series[-30] = 10
        assert not watched_scopes.could_alert(series[None, :], spike_detector.FINE_SCOPE)[0]
        assert spike_detector.detect(stamps, series, spike_detector.FINE_SCOPE).episodes == []
        series[-30] = 30
        assert watched_scopes.could_alert(series[None, :], spike_detector.FINE_SCOPE)[0]
        assert [e.onset for e in spike_detector.detect(stamps, series, spike_detector.FINE_SCOPE).episodes] == [stamps[-30]]


def test_many_series_at_once_give_the_numbers_of_each_alone():
    """The detector works out many series together (the watched series of a page); every number
    must be what the series gets alone: seasonal, sparse, with spikes, and with an episode that
    needs several passes."""
    rng = np.random.default_rng(11)
    stamps = [START + i * H for i in range(24 * 30)]
    hours = np.arange(len(stamps))
    rows = []
    for level in (0.3, 2.0, 15.0, 60.0):
        daily = level * (1 + 0.6 * np.sin(2 * np.pi * hours / 24))
        series = rng.poisson(daily).astype(float)
        series[600:606] += 8 * level + 25  # a spike in the last week
        rows.append(series)
    matrix = np.array(rows)
    for params in (spike_detector.SpikeParams(), spike_detector.FINE_SCOPE):
        together = spike_detector.run_many(stamps, H, matrix, params)
        for row, detection in zip(matrix, together):
            alone = spike_detector.detect(stamps, row, params)
            assert np.array_equal(detection.expected, alone.expected, equal_nan=True)
            assert np.array_equal(detection.upper, alone.upper, equal_nan=True)
            assert np.array_equal(detection.score, alone.score, equal_nan=True)
            assert detection.episodes == alone.episodes
        assert all(any(e.onset == stamps[600] or e.onset == stamps[601] for e in d.episodes) for d in together[1:])
        # When only the episodes are wanted, a series that cannot open one is settled early:
        # the others' detections are the same, and a series is left out only if it has none.
        # Their points' scores are exact wherever they could matter: in an episode, and wherever
        # the exact score reaches the lowest score that makes a point hot or elevated (the
        # ceiling); elsewhere a point whose tail is surely above that ceiling's is not scored
        # exactly, and its score stays below the ceiling, as the exact one is.
        screened = spike_detector.run_many(stamps, H, np.vstack([matrix, rng.poisson(1.0, (1, len(stamps)))]), params,
                                    episodes_only=True)
        assert screened[-1] is None
        ceiling = min(params.z_continue, params.z_single)
        for full, quick in zip(together, screened):
            if quick is None:
                assert full.episodes == []
            else:
                assert quick.episodes == full.episodes
                assert np.array_equal(quick.expected, full.expected, equal_nan=True)
                assert np.array_equal(quick.upper, full.upper, equal_nan=True)
                exact = full.in_episode | ~(full.score < ceiling)  # NaN (not judged) included
                assert np.array_equal(quick.score[exact], full.score[exact], equal_nan=True)
                assert (quick.score[~exact] < ceiling).all()
                assert (quick.score != full.score).any()  # some were left unscored


def test_the_filters_exclude_a_region():
    """Without APAC (a region filter of AMER and EMEA), the narrow spike is not there at all."""
    frame = cells(NARROW).filter(pl.col("region") != "APAC")
    assert watched_scopes.watched_alerts(watched(frame)).height == 0


def test_home_lists_the_narrow_spike_with_its_scope():
    """Last 24 hours [11-17 12:00, 11-18 12:00): image_gen x APAC holds 24 x 10 + 3 x 25 = 315
    cases; a week earlier 240."""
    found = rising(cells(NARROW))
    assert rising(cells(NARROW), 3, "low").height == 1  # 1.6e-9 passes every sensitivity
    assert found.select("category", "surface", "region", "state", "onset", "severity", "last_24h",
                         "week_before").rows() == [
        (CATEGORY, "image_gen", "APAC", "ended", at(6), "high", 315, 240)]
    assert found["cases"].to_list() == [105.0] and found["expected"].to_list() == pytest.approx([30.0])
    assert tr.scope_label(CATEGORY, "image_gen", "APAC") == "Impersonation · Image gen · APAC"
    assert tr.scope_label("fraud_scams", "api") == "Fraud & scams · API"
    assert tr.scope_label("spam", None, "EMEA") == "Spam · EMEA"
    assert rising(cells(NARROW, regions=("AMER", "EMEA"))).height == 0


def test_the_trends_page_lists_the_alert_and_draws_its_series():
    period_start, period_end = datetime(2026, 11, 16), datetime(2026, 11, 19)
    frame = cells(NARROW)
    view = watched_view(frame, period_start, period_end)
    assert view.alerts.select("label", "state", "onset", "end").rows() == [
        ("Impersonation · Image gen · APAC", "recent", at(6), at(8))]  # ended within 24 h of 12:00
    breakdown = tr.spike_view(frame.rename({"category": "key"}).group_by("key", "bucket").agg(pl.col("cases").sum()),
                              "category", period_start, period_end, AS_OF, hourly=True)
    assert breakdown.episodes.height == 0  # the category series alone sees nothing
    listed = tr.spike_list(breakdown, view, "category")
    row = listed.row(0, named=True)
    assert (listed.height, row["source"], row["key"], row["until"]) == (1, "watched", f"{CATEGORY}/image_gen/APAC", at(9))
    assert tr.spike_case_scope(row, "category") == {"dimension": "category", "key": CATEGORY,
                                                    "surface": "image_gen", "region": "APAC"}
    assert tr.spike_case_window(row, timedelta(days=1)) == (at(6), at(9))  # the alert's own hours
    points = tr.scope_points(frame, CATEGORY, "image_gen", "APAC", period_start, HOUR)
    assert points["bucket"].min() == period_start and points["bucket"].max() == LAST
    hot = points.filter(pl.col("in_episode"))
    assert hot.select("bucket", "observed", "expected").rows() == [(at(h), 35.0, 10.0) for h in (6, 7, 8)]
    # a scope with no case is not drawn
    assert tr.scope_points(frame, "spam", None, None, period_start, HOUR).height == 0


def test_a_breakdown_keeps_its_own_spikes_beside_the_watched_alerts():
    period_start, period_end = datetime(2026, 11, 16), datetime(2026, 11, 19)
    frame = cells(NARROW)
    by_region = frame.rename({"region": "key"}).group_by("key", "bucket").agg(pl.col("cases").sum())
    breakdown = tr.spike_view(by_region, "region", period_start, period_end, AS_OF, hourly=True)
    # APAC (all categories) 45 against 20 with the category settings (ratio 2.25 >= 1.5, excess 25,
    # P(X >= 45 | 20) ~ 1e-6): found on the breakdown too
    assert breakdown.episodes["key"].to_list() == ["APAC"]
    listed = tr.spike_list(breakdown, watched_view(frame, period_start, period_end), "region")
    assert sorted(listed.select("source", "label").rows()) == [
        ("breakdown", "Region: APAC"), ("watched", "Impersonation · Image gen · APAC")]
    assert tr.spike_case_scope(listed.filter(pl.col("source") == "breakdown").row(0, named=True), "region") == {
        "dimension": "region", "key": "APAC", "surface": None, "region": None}


def burst_cells(kind: str) -> pl.DataFrame:
    """The cells with their busiest account and their ten-minute counts (as the watched-series
    queries give them): normally 1 case for the busiest account and the ten minutes 2, 2, 2, 2,
    1, 1. In chat x EMEA on 11-18, 110 cases at 07:00 and 30 at 08:00 (100 and 20 extra): for a
    batch, 90 of the 07:00 cases land in its second ten minutes and 10 in the third; for one
    account, 80 at 07:00 and 20 at 08:00 are against one account and the minutes are even."""
    frame = cells()
    target = (pl.col("surface") == "chat") & (pl.col("region") == "EMEA")
    seven, eight = target & (pl.col("bucket") == at(7)), target & (pl.col("bucket") == at(8))
    frame = frame.with_columns(pl.when(seven).then(110).when(eight).then(30).otherwise(pl.col("cases")).alias("cases"))
    usual = (2, 2, 2, 2, 1, 1)
    if kind == "batch":
        at_seven, at_eight, accounts = (2, 90, 10, 2, 3, 3), (5, 5, 5, 5, 5, 5), (1, 1)
    else:
        at_seven, at_eight, accounts = (19, 19, 18, 18, 18, 18), (5, 5, 5, 5, 5, 5), (80, 20)
    columns = [pl.when(seven).then(at_seven[i]).when(eight).then(at_eight[i]).otherwise(usual[i]).alias(f"slot_{i}")
               for i in range(6)]
    account = pl.when(seven).then(accounts[0]).when(eight).then(accounts[1]).otherwise(1).alias("top_account")
    return frame.with_columns(account, *columns)


@pytest.mark.parametrize("kind,busiest", [("batch", 100 - 20 / 6), ("one account", 78.0 + 18.0)])
def test_bursts_are_shown_as_bursts(kind, busiest):
    """chat x EMEA: 110 and 30 against 10 at 07:00 and 08:00 (chat 130 and 50 against 30, EMEA
    120 and 40 against 20, each 120 extra; the category 160 against 60 at 07:00 only, 80 at 08:00
    not elevated: P(X >= 80 | 60) = 0.007, z = 2.45 < 2.5): one alert 07:00-08:00, labelled
    chat x EMEA (the narrowest with 0.75 x 120 of the extra cases): 140 cases against 20.
    A batch: the second and third ten minutes of 07:00 hold 100 cases, 100 - 2 x 10/6 beyond
    their share of the expected 10 an hour: 96.7 >= 60. One account: (80 - 2) + (20 - 2) = 96
    >= 60 beyond the usual 2 an hour. Home leaves it out; the Trends page counts it as a burst."""
    frame = burst_cells(kind)
    w = watched(frame)
    alerts = watched_scopes.watched_alerts(w)
    assert alerts.select("surface", "region", "onset", "end", "observed", "kind").rows() == [
        ("chat", "EMEA", at(7), at(8), 140.0, kind)]
    assert alerts["expected"][0] == pytest.approx(20.0) and alerts["burst_cases"][0] == pytest.approx(busiest)
    assert rising(frame).height == 0
    period_start, period_end = datetime(2026, 11, 16), datetime(2026, 11, 19)
    view = watched_view(frame, period_start, period_end)
    assert view.alerts["kind"].to_list() == [kind]
    row = view.rate.filter(pl.col("category") == CATEGORY).row(0, named=True)
    assert (row["spikes"], row["bursts"]) == (0, 1)


def test_a_spike_is_not_a_burst():
    """The same 120 extra cases spread evenly over each hour's minutes and over many accounts (the
    busiest 3 an hour): the busiest twenty minutes hold 19 + 19 - 2 x 10/6 = 34.7 beyond their
    share, the busiest account 1 + 1 beyond the usual, both under 60: a spike."""
    frame = burst_cells("one account").with_columns(
        pl.when(pl.col("top_account") > 1).then(3).otherwise(pl.col("top_account")).alias("top_account"))
    alerts = watched_scopes.watched_alerts(watched(frame))
    assert alerts["kind"].to_list() == ["spike"]
    assert rising(frame)["category"].to_list() == [CATEGORY]


def test_a_burst_does_not_swallow_an_earlier_spike_of_its_category():
    """The batch of chat x EMEA at 07:00-08:00 (test_bursts_are_shown_as_bursts) and the narrow
    spike of image_gen x APAC, here at 01:00-03:00 (35 against 10 an hour): two episodes hours
    apart, two alerts. Were a wider series of the category elevated from 01:00 to 08:00 (its
    episode added by hand), its episode would overlap both and merge them into one alert labelled
    with the batch (the most extra cases): a batch explains only its own hours, so the spike's
    episode, before the batch's, is an alert of its own, a spike; the batch stays a batch with the
    wide episode, from 01:00."""
    from dataclasses import replace

    frame = burst_cells("batch")
    narrow = (pl.col("surface") == "image_gen") & (pl.col("region") == "APAC") & pl.col("bucket").is_between(at(1), at(3))
    frame = frame.with_columns(pl.when(narrow).then(pl.col("cases") + 25).otherwise(pl.col("cases")).alias("cases"))
    w = watched(frame)
    found = watched_scopes.judge_watched(w)
    alone = watched_scopes.watched_alerts(w, found=found)
    assert alone.select("surface", "region", "onset", "end", "kind").rows() == [
        ("image_gen", "APAC", at(1), at(3), "spike"), ("chat", "EMEA", at(7), at(8), "batch")]
    # A wide series (the category x EMEA series) with one long episode 01:00-08:00.
    wide = w.keys.with_row_index("row").filter((pl.col("level") == "category x region") & (pl.col("region") == "EMEA"))["row"][0]
    detection = watched_scopes.scope_detection(w, CATEGORY, None, "EMEA")
    long = spike_detector.Episode(onset=at(1), detected_at=at(1), peak=at(7), end=at(8), points=8, observed=0.0, expected=0.0,
                          peak_observed=0.0, peak_expected=0.0, score=3.0, severity="low", ongoing=False)
    chained = {**found, int(wide): replace(detection, episodes=[long])}
    alerts = watched_scopes.watched_alerts(w, found=chained)
    assert alerts.select("surface", "region", "onset", "end", "kind", "episodes").rows() == [
        ("chat", "EMEA", at(1), at(8), "batch", 4), ("image_gen", "APAC", at(1), at(3), "spike", 1)]


def test_alerts_a_week_by_hand():
    """alert_rate over [day 0, day 14): the spike alerts and bursts starting in it, per category,
    divided by 2 weeks; a category without alerts has a row of zeros."""
    t0 = datetime(2026, 11, 1)
    alerts = pl.DataFrame({
        "category": ["spam", "spam", "spam", "hate", "spam"],
        "onset": [t0 + timedelta(days=1), t0 + timedelta(days=3), t0 + timedelta(days=5), t0 + timedelta(days=2),
                  t0 - timedelta(hours=1)],
        "kind": ["spike", "spike", "batch", "one account", "spike"],
    })
    rate = tr.alert_rate(alerts, ["hate", "ip", "spam"], t0, t0 + timedelta(days=14))
    assert rate.select("category", "label", "spikes", "bursts", "weeks", "spikes_per_week", "bursts_per_week").rows() == [
        ("spam", "Spam", 2, 1, 2.0, 1.0, 0.5), ("hate", "Hate", 0, 1, 2.0, 0.0, 0.5), ("ip", "Intellectual property", 0, 0, 2.0, 0.0, 0.0)]
    assert tr.alert_rate(alerts, ["spam"], t0, t0 + timedelta(hours=3)).height == 0


def eval_module():
    spec = importlib.util.spec_from_file_location(
        "eval_spikes", Path(__file__).resolve().parents[2] / "benchmarks" / "eval_spikes.py")
    module = sys.modules.get("eval_spikes")
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules["eval_spikes"] = module
        spec.loader.exec_module(module)
    return module


def test_the_page_keeps_the_spike_list_with_its_views():
    """queries.plans' kept spike list and breakdown are the ones worked out directly, and a rerun
    (or another session) with the same views gets the same frames back."""
    from queries import plans

    period_start, period_end = datetime(2026, 11, 16), datetime(2026, 11, 19)
    frame = cells(NARROW)
    by_region = frame.rename({"region": "key"}).group_by("key", "bucket").agg(pl.col("cases").sum())
    view = watched_view(frame, period_start, period_end)
    hour = spike_record.hour_of(AS_OF)
    kept = plans.breakdown_view(by_region, "region", hour, "normal", period_start, period_end)
    direct = tr.in_period(tr.breakdown_record(by_region, "region", hour, "normal"), period_start, period_end)
    assert kept.episodes.equals(direct.episodes) and kept.points.equals(direct.points)
    assert plans.breakdown_view(by_region, "region", hour, "normal", period_start, period_end) is kept
    listed = plans.spike_list(kept, view, "region")
    assert listed.equals(tr.spike_list(direct, view, "region"))
    assert plans.spike_list(kept, view, "region") is listed
    assert plans.spike_list(None, view, "category").equals(tr.spike_list(None, view, "category"))
