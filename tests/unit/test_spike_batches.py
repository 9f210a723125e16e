"""The spike record's shortcuts change no number: the watched series placed on the grid at once
against a plain group-by per scope; what a later pass of the detector keeps from the one before
against working everything out again; and many series judged together against each alone.

The series: two categories on two surfaces and two regions, five weeks hourly, with a daily
cycle, spikes in the first two weeks (judged on the daily baseline) and later (judged on the
weekly one, replaced in later passes), repeated and out-of-grid rows, and a missing busiest
account.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest

from watchfloor import spike_detector, spike_record, watched_scopes

H = timedelta(hours=1)
START = datetime(2026, 10, 1)
HOURS = 5 * 7 * 24
END = START + (HOURS - 1) * H
CELLS = [(c, s, r) for c in ("spam", "fraud_scams") for s in ("chat", "api") for r in ("AMER", "EMEA")]


def cells_frame(seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    hours = np.arange(HOURS)
    rows = []
    for i, (category, surface, region) in enumerate(CELLS):
        level = (4.0, 12.0, 1.5, 30.0)[i % 4] * (1 + 0.5 * np.sin(2 * np.pi * hours / 24))
        cases = rng.poisson(level).astype(np.int64)
        if i % 3 == 0:
            cases[60 + i:66 + i] += 40  # day three: on the daily baseline
        if i % 2 == 0:
            cases[700 + 7 * i:712 + 7 * i] += 35 + 5 * i  # week five: on the weekly baseline, held later
        for h in np.flatnonzero(cases):
            slots = rng.multinomial(cases[h], [1 / 6] * 6)
            rows.append((category, surface, region, START + int(h) * H, int(cases[h]),
                         int(min(cases[h], 1 + rng.poisson(1))), *map(int, slots)))
    frame = pl.DataFrame(rows, orient="row", schema={
        "category": pl.String, "surface": pl.String, "region": pl.String, "bucket": pl.Datetime("us"),
        "cases": pl.Int64, "top_account": pl.Int64, **{c: pl.Int64 for c in watched_scopes.SLOT_COLUMNS}})
    # A repeated cell-hour (its cases add up; its busiest account and ten minutes: the largest),
    # one whose busiest account is unknown, and rows outside the grid (left out).
    repeated = frame.slice(100, 5).with_columns(pl.col("top_account") + 3, pl.col("slot_0") + 2)
    unknown = frame.slice(200, 1).with_columns(pl.lit(None, pl.Int64).alias("top_account"))
    outside = frame.slice(0, 3).with_columns(pl.col("bucket") - timedelta(days=2))
    return pl.concat([repeated, frame.slice(0, 200), unknown, frame.slice(201), outside])


def reference_series(frame: pl.DataFrame) -> dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(level, category, surface, region) -> (cases, busiest account, ten-minute counts) per hour
    of the grid, by a group-by per scope: cell-hours first (cases added, the rest the largest),
    then each scope's cells (cases and ten minutes added, the busiest account the largest)."""
    grid = pl.DataFrame({"bucket": pl.datetime_range(START, END, H, eager=True, time_unit="us")})
    cell_hours = frame.group_by("category", "surface", "region", "bucket").agg(
        pl.col("cases").sum(), pl.col("top_account").max(), *(pl.col(c).max() for c in watched_scopes.SLOT_COLUMNS))
    out = {}
    for level, dims in watched_scopes.SCOPE_LEVELS.items():
        by_scope = cell_hours.group_by("category", *dims, "bucket").agg(
            pl.col("cases").sum(), pl.col("top_account").max(), *(pl.col(c).sum() for c in watched_scopes.SLOT_COLUMNS))
        for scope in frame.select("category", *dims).unique().to_dicts():
            one = grid.join(by_scope.filter(*(pl.col(d) == v for d, v in scope.items())), on="bucket", how="left")
            name = (level, scope["category"], scope.get("surface"), scope.get("region"))
            out[name] = (one["cases"].fill_null(0).to_numpy().astype(float),
                         one["top_account"].fill_null(0).to_numpy().astype(float),
                         one.select(pl.col(c).fill_null(0) for c in watched_scopes.SLOT_COLUMNS).to_numpy().astype(float))
    return out


def test_the_watched_series_are_the_group_by_of_each_scope():
    frame = cells_frame()
    watched = watched_scopes.watched_series(frame, START, END)
    expected = reference_series(frame)
    keys = [(k["level"], k["category"], k["surface"], k["region"]) for k in watched.keys.iter_rows(named=True)]
    assert sorted(keys, key=str) == sorted(expected, key=str)
    assert len(keys) == 2 * (1 + 2 + 2 + 4)
    unknown = frame.filter(pl.col("top_account").is_null()).row(0, named=True)
    hour = int((unknown["bucket"] - START) / H)
    for row, key in enumerate(keys):
        cases, top, slots = expected[key]
        assert np.array_equal(watched.values[row], cases), key
        got_top, got_slots = watched.burst_columns(row, slice(0, HOURS))
        assert np.array_equal(got_slots, slots), key
        # A cell-hour whose busiest account is unknown leaves it unknown in every series holding
        # the cell (the group-by takes the other cells' instead).
        holds = key[1] == unknown["category"] and key[2] in (None, unknown["surface"]) and key[3] in (None, unknown["region"])
        assert np.isnan(got_top).tolist() == [holds and h == hour for h in range(HOURS)], key
        assert np.array_equal(np.delete(got_top, hour), np.delete(top, hour)), key


def test_the_record_is_the_same_with_everything_worked_out_again_in_every_pass(monkeypatch):
    """What a later pass keeps from the one before (the stand-in daily baseline, which reads only
    the first two weeks, never replaced; the weekly trimmed means of the points that read no
    replaced point; the scores of the points whose expected count and dispersion did not change):
    every number of the record is what working everything out again in every pass gives."""
    frame = cells_frame()
    hour = END + H
    plain_scores = spike_detector._scores

    def scores_afresh(*args, previous=None, **options):
        return plain_scores(*args, **options)

    for sensitivity in spike_detector.SENSITIVITIES:
        kept = spike_record.build(frame, hour, sensitivity)
        with monkeypatch.context() as m:
            m.setattr(spike_detector, "_daily_settled", lambda interval: False)
            m.setattr(spike_detector, "_weekly", lambda clean, lags, trim, memo: spike_detector._lagged_trimmed_mean(clean, lags, trim))
            m.setattr(spike_detector, "_scores", scores_afresh)
            afresh = spike_record.build(frame, hour, sensitivity)
        assert kept.spikes.height > 0
        assert kept.spikes.equals(afresh.spikes)
        assert (kept.first, kept.last) == (afresh.first, afresh.last)


@pytest.mark.parametrize("sensitivity", ["normal", "high"])
def test_the_watched_series_judged_together_are_each_judged_alone(sensitivity):
    """Every watched series through the batches (the category series and the narrower ones
    together, the series that cannot alert settled early) has the episodes, and the expected
    counts, of the same series judged alone with its level's settings."""
    watched = watched_scopes.watched_series(cells_frame(), START, END)
    params = spike_detector.SpikeParams.at(sensitivity)
    found = watched_scopes.judge_watched(watched, params, params.fine())
    assert len(found) >= 3
    # The weekly-baseline spikes are held and judged again: some series need several passes.
    for row, key in enumerate(watched.keys.iter_rows(named=True)):
        own = params if key["level"] == "category" else params.fine()
        alone = spike_detector.detect(watched.stamps, watched.values[row], own, interval=H)
        if row in found:
            assert found[row].episodes == alone.episodes, key
            assert np.array_equal(found[row].expected, alone.expected, equal_nan=True), key
        else:
            assert alone.episodes == [], key
