"""The spike evaluation's scoring (benchmarks/eval_spikes.py), on hand-worked episodes and spikes."""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

_spec = importlib.util.spec_from_file_location(
    "eval_spikes", Path(__file__).resolve().parents[2] / "benchmarks" / "eval_spikes.py")
ev = importlib.util.module_from_spec(_spec)
sys.modules["eval_spikes"] = ev  # dataclasses look their module up
_spec.loader.exec_module(ev)

T0 = datetime(2026, 9, 1)
H = timedelta(hours=1)


def at(day: int, hour: float) -> datetime:
    return T0 + timedelta(days=day, hours=hour)


def test_watched_series_add_up_every_scope():
    """Three hourly cells of category a: (chat, AMER) 2 at hour 0, (api, AMER) 3 at hour 0,
    (chat, EMEA) 4 at hour 2. By hand, hours 0..2:
    a: 5, 0, 4 · a x chat: 2, 0, 4 · a x api: 3, 0, 0 · a x AMER: 5, 0, 0 · a x EMEA: 0, 0, 4 ·
    a x chat x AMER: 2, 0, 0 · a x api x AMER: 3, 0, 0 · a x chat x EMEA: 0, 0, 4."""
    counts = pl.DataFrame({
        "category": ["a", "a", "a"], "surface": ["chat", "api", "chat"], "region": ["AMER", "AMER", "EMEA"],
        "bucket": [T0, T0, T0 + 2 * H], "cases": [2, 3, 4],
    })
    w = ev.watched_series(counts, T0, T0 + 2 * H)
    assert w.stamps == [T0, T0 + H, T0 + 2 * H]
    got = {(k["level"], k["surface"], k["region"]): list(v) for k, v in zip(w.keys.iter_rows(named=True), w.values)}
    assert got == {
        ("category", None, None): [5, 0, 4],
        ("category x surface", "chat", None): [2, 0, 4],
        ("category x surface", "api", None): [3, 0, 0],
        ("category x region", None, "AMER"): [5, 0, 0],
        ("category x region", None, "EMEA"): [0, 0, 4],
        ("category x surface x region", "chat", "AMER"): [2, 0, 0],
        ("category x surface x region", "api", "AMER"): [3, 0, 0],
        ("category x surface x region", "chat", "EMEA"): [0, 0, 4],
    }


def test_episodes_over_the_same_hours_are_one_alert():
    """10-12 and 11-11 overlap, 12-14 shares hour 12 with the first: one alert 10-14.
    15-15 only touches it (14 then 15): a second alert."""
    episodes = [(at(0, 12), at(0, 14)), (at(0, 10), at(0, 12)), (at(0, 11), at(0, 11)), (at(0, 15), at(0, 15))]
    assert ev.merge_alerts(episodes) == [(at(0, 10), at(0, 14)), (at(0, 15), at(0, 15))]
    assert ev.merge_alerts([]) == []


def test_scoring_by_hand():
    """Judged from day 14 for 30 days, categories a and b.

    Spikes: S1 a 3.5x 10:30-14:30 on day 15 (eligible); S2 a 2.5x day 20 10:00-20:00 (too small,
    but an episode over it is not false); S3 b 4x 2 h on day 16 (too short); S4 b 5x 5 h on
    day 10 (before the warm-up ends); S5 b 6x 4 h on day 30 (eligible, missed).
    Episodes: e1 a x chat 11-13, alerted at 12 -> finds S1, delay 12:00 + 1 h - 10:30 = 2.5 h;
    e2 a 13-15, alerted at 13 (later than e1: e1 gives the delay); e1 and e2 share hour 13: one
    alert, over S1. e3 a day 25: overlaps nothing, false. e4 a day 21 02:00: within S2's end + 6 h,
    not false. e5 b day 5: before the warm-up, not judged. e6 b x APAC day 40: false.
    Recall 1 of 2 = 0.5, median delay 2.5 h; alerts: a 3 (e1+e2, e3, e4), b 1 (e6) = 4; false 2;
    false per category per 30 days = 2 / 2 / (30 / 30) = 1.0.
    On the category series alone (level category: e2, e3, e4): S1 found by e2, delay
    13:00 + 1 h - 10:30 = 3.5 h; alerts 3, false 1 (e3): 1 / 2 / 1 = 0.5."""
    truth = pl.DataFrame({
        "spike_id": ["S1", "S2", "S3", "S4", "S5"], "category": ["a", "a", "b", "b", "b"],
        "surface": ["chat", None, None, None, None], "region": [None, None, None, None, "APAC"],
        "starts_at": [at(15, 10.5), at(20, 10), at(16, 3), at(10, 0), at(30, 8)],
        "ends_at": [at(15, 14.5), at(20, 20), at(16, 5), at(10, 5), at(30, 12)],
        "multiplier": [3.5, 2.5, 4.0, 5.0, 6.0],
    })
    rows = [
        ("a", "chat", None, "category x surface", at(15, 11), at(15, 12), at(15, 13)),  # e1
        ("a", None, None, "category", at(15, 13), at(15, 13), at(15, 15)),  # e2
        ("a", None, None, "category", at(25, 3), at(25, 3), at(25, 4)),  # e3
        ("a", None, None, "category", at(21, 2), at(21, 2), at(21, 2)),  # e4
        ("b", None, None, "category", at(5, 0), at(5, 0), at(5, 1)),  # e5
        ("b", None, "APAC", "category x region", at(40, 6), at(40, 6), at(40, 7)),  # e6
    ]
    episodes = pl.DataFrame(rows, schema=ev.EPISODE_SCHEMA, orient="row")
    judged_from, judged_to = at(14, 0), at(44, 0)

    result = ev.score(episodes, truth, ["a", "b"], judged_from, judged_to)
    assert [r["spike_id"] for r in result["rows"]] == ["S1", "S5"]
    assert [r["found"] for r in result["rows"]] == [True, False]
    assert result["recall"] == 0.5
    assert result["median_delay_h"] == pytest.approx(2.5)
    assert result["rows"][0]["found_by"]["level"] == "category x surface"
    assert result["alerts"] == 4
    assert result["false_alerts"] == [("a", at(25, 3), at(25, 4)), ("b", at(40, 6), at(40, 7))]
    assert result["false_per_30d"] == pytest.approx(1.0)

    category_only = ev.score(episodes.filter(pl.col("level") == "category"), truth, ["a", "b"], judged_from, judged_to)
    assert category_only["recall"] == 0.5
    assert category_only["median_delay_h"] == pytest.approx(3.5)
    assert category_only["alerts"] == 3
    assert category_only["false_per_30d"] == pytest.approx(0.5)
