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
assert _spec is not None and _spec.loader is not None, "benchmarks/eval_spikes.py is missing"
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
    """Judged from day 14 for 30 days, categories a and b; alerts as watched_alerts gives them.

    Spikes: S1 a 3.5x 10:30-14:30 on day 15 (eligible); S2 a 2.5x day 20 10:00-20:00 (too small,
    but an alert over it is not false); S3 b 4x 2 h on day 16 (too short); S4 b 5x 5 h on day 10
    (before the warm-up ends); S5 b 6x 4 h on day 30 (eligible).
    Bursts (the simulator's): a back-fill in b on day 30 at 09:10, brigading in a on day 33 05-08.
    Alerts: A1 a x chat 11-15 on day 15, detected at 12 -> finds S1, delay 12:00 + 1 h - 10:30 =
    2.5 h. A2 a day 25: overlaps nothing, false. A3 a day 21 02:00: within S2's end + 6 h, not
    false. A4 b day 5: before the warm-up, not judged. A5 b x APAC day 40: false. A6 b day 30
    09-10, a batch: over S5, but a burst neither finds a spike nor is a false alert; it is on the
    back-fill. A7 a day 33 06-07, a spike: false, and on the brigading.
    Recall 1 of 2 = 0.5 (S5 missed), median delay 2.5 h; spike alerts judged: a 4 (A1, A2, A3,
    A7), b 1 (A5) = 5; false 3 (A2, A5, A7), one of them on a burst; false per category per 30
    days = 3 / 2 / (30 / 30) = 1.5. Burst alerts 1 (A6), on a burst 1; bursts 2, recognised 1."""
    truth = pl.DataFrame({
        "spike_id": ["S1", "S2", "S3", "S4", "S5"], "category": ["a", "a", "b", "b", "b"],
        "surface": ["chat", None, None, None, None], "region": [None, None, None, None, "APAC"],
        "starts_at": [at(15, 10.5), at(20, 10), at(16, 3), at(10, 0), at(30, 8)],
        "ends_at": [at(15, 14.5), at(20, 20), at(16, 5), at(10, 5), at(30, 12)],
        "multiplier": [3.5, 2.5, 4.0, 5.0, 6.0],
    })
    schema = {"category": pl.String, "surface": pl.String, "region": pl.String, "level": pl.String,
              "onset": pl.Datetime("us"), "detected_at": pl.Datetime("us"), "end": pl.Datetime("us"), "kind": pl.String}
    rows = [
        ("a", "chat", None, "category x surface", at(15, 11), at(15, 12), at(15, 15), "spike"),  # A1
        ("a", None, None, "category", at(25, 3), at(25, 3), at(25, 4), "spike"),  # A2
        ("a", None, None, "category", at(21, 2), at(21, 2), at(21, 2), "spike"),  # A3
        ("b", None, None, "category", at(5, 0), at(5, 0), at(5, 1), "spike"),  # A4
        ("b", None, "APAC", "category x region", at(40, 6), at(40, 6), at(40, 7), "spike"),  # A5
        ("b", None, None, "category", at(30, 9), at(30, 9), at(30, 10), "batch"),  # A6
        ("a", None, None, "category", at(33, 6), at(33, 6), at(33, 7), "spike"),  # A7
    ]
    alerts = pl.DataFrame(rows, schema=schema, orient="row")
    bursts = [("backfill", "b", at(30, 9 + 10 / 60), at(30, 9 + 12 / 60)), ("brigading", "a", at(33, 5), at(33, 8))]
    judged_from, judged_to = at(14, 0), at(44, 0)

    result = ev.score(alerts, truth, ["a", "b"], judged_from, judged_to, bursts)
    assert [r["spike_id"] for r in result["rows"]] == ["S1", "S5"]
    assert [r["found"] for r in result["rows"]] == [True, False]
    assert result["recall"] == 0.5
    assert result["median_delay_h"] == pytest.approx(2.5)
    assert result["rows"][0]["found_by"]["level"] == "category x surface"
    assert result["alerts"] == 5
    assert [(a["category"], a["onset"]) for a in result["false_alerts"]] == [
        ("a", at(25, 3)), ("a", at(33, 6)), ("b", at(40, 6))]
    assert result["false_per_30d"] == pytest.approx(1.5)
    assert result["false_on_bursts"] == 1
    assert (result["burst_alerts"], result["burst_alerts_on_bursts"]) == (1, 1)
    assert (result["bursts"], result["bursts_recognised"]) == (2, 1)


def test_the_nab_scores_add_up_over_files_as_the_scorer_does():
    """normalised: 100 (raw - null) / (perfect - null) summed over files; leave-one-out picks,
    for each file, the tail best on the others (the one nearer 1e-4 on a tie)."""
    files = {"A": {"raw": 1.0, "null": -2.0, "perfect": 2.0}, "B": {"raw": -1.0, "null": -1.0, "perfect": 1.0}}
    assert ev.normalised(list(files.values())) == pytest.approx(100 * (0.0 + 3.0) / (3.0 + 3.0))
    by_alpha = {
        1e-4: {"files": {"A": {"raw": 1.0, "null": -2.0, "perfect": 2.0}, "B": {"raw": 0.0, "null": -1.0, "perfect": 1.0}}},
        1e-3: {"files": {"A": {"raw": 2.0, "null": -2.0, "perfect": 2.0}, "B": {"raw": -1.0, "null": -1.0, "perfect": 1.0}}},
    }
    loo = {row["file"]: row for row in ev.leave_one_out(by_alpha)}
    assert loo["A"]["alpha"] == 1e-4 and loo["A"]["held_out"] == pytest.approx(75.0)  # chosen on B: 50 vs 0
    assert loo["B"]["alpha"] == 1e-3 and loo["B"]["held_out"] == pytest.approx(0.0)  # chosen on A: 100 vs 75


def test_published_results_are_normalised_over_the_dev_files():
    """Twitter ADVec's raw scores (AAPL 0.169, AMZN 1.669, CRM 1.783, CVS 1.654, FB -0.147) over
    4 + 4 + 3 + 3 + 2 = 16 windows: 100 (5.126 + 16) / 32 = 66.0, as the dev set's README says."""
    windows = {"Twitter_volume_AAPL": 4, "Twitter_volume_AMZN": 4, "Twitter_volume_CRM": 3, "Twitter_volume_CVS": 3,
               "Twitter_volume_FB": 2}
    advec = ev.published(windows)["Twitter ADVec (results/twitterADVec)"]
    assert advec["ALL"] == pytest.approx(66.02, abs=0.01)
    assert advec["files"]["Twitter_volume_CRM"] == pytest.approx(100 * (1.78269616239 + 3) / 6)


def test_without_the_dev_set_the_real_series_are_not_run(tmp_path, monkeypatch):
    """No path and no WATCHFLOOR_NAB_DEV: part (b) is not run (None); a path that is not the dev
    set stops the run with a clear message before anything is seeded."""
    monkeypatch.delenv(ev.NAB_ENV, raising=False)
    assert ev.nab_folder(None) is None
    with pytest.raises(SystemExit, match="is not the dev set: missing"):
        ev.nab_folder(str(tmp_path))
    monkeypatch.setenv(ev.NAB_ENV, str(tmp_path))
    with pytest.raises(SystemExit, match="is not the dev set"):
        ev.nab_folder(None)


def test_seeded_warehouses_are_reused(tmp_path, monkeypatch):
    """--warehouses DIR: a warehouse already in DIR is used as it is (nothing is seeded); without
    reuse, or when it is missing, it is seeded there."""
    seeded = []
    monkeypatch.setattr(ev.subprocess, "run", lambda args, **kw: seeded.append(args))
    there = tmp_path / "spikes_seed7.duckdb"
    there.write_bytes(b"")
    assert ev.seed_warehouse(tmp_path, 7, reuse=True) == there and seeded == []
    assert ev.seed_warehouse(tmp_path, 11, reuse=True) == tmp_path / "spikes_seed11.duckdb"
    assert ev.seed_warehouse(tmp_path, 7) == there
    assert [a[a.index("--seed") + 1] for a in seeded] == ["11", "7"]
