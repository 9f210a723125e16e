"""Watched scopes: the spike detector (watchfloor.spike_detector) over every category of the
Trust & Safety taxonomy, and its episodes merged into alerts, spikes or bursts.

A category is watched on several series at once: the category itself and every
category x surface, category x region and category x surface x region series with cases
(every scope a spike can hit; a live system does not know which one the next spike will).
The category series are judged with `params`, the narrower ones with `fine` (by default
params.fine(): FINE_SCOPE at the normal sensitivity), and the episodes of one category that
share an hour are one alert (`watched_alerts`), labelled with its scope and told apart from a
burst (`burst_kind`). benchmarks/eval_spikes.py scores exactly these alerts, and Home and the
Trends page show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from watchfloor.spike_detector import ROW_SETTINGS, Detection, SpikeParams, episodes_frame, run_many, run_one, window_sums

SCOPE_LEVELS = {
    "category": (),
    "category x surface": ("surface",),
    "category x region": ("region",),
    "category x surface x region": ("surface", "region"),
}
# An alert is labelled with the narrowest of its series that carries at least this share of
# the largest excess among them: a spike on one surface everywhere reads "category · surface",
# not one of its surface x region series (which each hold a part of it), nor the category.
SCOPE_SHARE = 0.75


@dataclass
class Watched:
    """Every watched series of every category on one grid: row i of `values` is the series of `keys` row i."""

    keys: pl.DataFrame  # category, surface, region (null: all of them), level
    stamps: list[datetime]
    interval: timedelta
    values: np.ndarray  # series x points
    # For telling bursts from spikes (burst_kind), when the cells carry them: per cell
    # (category x surface x region) and point, the most cases of one account, and the cases in
    # each ten minutes (cells x points x 6); and the cells of each series. Only the few series
    # an alert is labelled with need them (burst_columns), so they are not summed for all.
    cell_top_account: np.ndarray | None = None
    cell_slots: np.ndarray | None = None
    cells: list[np.ndarray] | None = None

    def burst_columns(self, row: int, span: slice) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(top_account, slots) of series `row` over the points `span`: per point, the most cases
        of one account in one of its cells, and its cases in each ten minutes (points x 6);
        None when the cells did not carry them."""
        if self.cells is None:
            return None, None
        cells = self.cells[row]
        top = None if self.cell_top_account is None else self.cell_top_account[cells, span].max(axis=0)
        slots = None if self.cell_slots is None else self.cell_slots[cells, span].sum(axis=0)
        return top, slots


def watched_series(counts: pl.DataFrame, start: datetime, end: datetime,
                   interval: timedelta = timedelta(hours=1)) -> Watched:
    """The watched series from counts per (category, surface, region, bucket), on the grid from
    start to end (both included) every `interval`; missing buckets count as zero, buckets
    outside the grid are left out. Every scope with a case in `counts` has a series. When the
    cells also hold `top_account` and `slot_0` .. `slot_5` (the cases of the cell-hour's busiest
    account, and of each of its ten minutes, as the watched-series queries give them) the series
    carry them too."""
    points = int((end - start) // interval) + 1 if end >= start else 0
    step_us = interval // timedelta(microseconds=1)
    extra = [c for c in ("top_account", *SLOT_COLUMNS) if c in counts.columns]
    rows = counts.select(pl.col("category").cast(pl.String), pl.col("surface").cast(pl.String),
                         pl.col("region").cast(pl.String), pl.col("bucket").cast(pl.Datetime("us")),
                         pl.col("cases").cast(pl.Float64), *(pl.col(c).cast(pl.Float64) for c in extra))
    cell_keys = rows.select("category", "surface", "region").unique().with_row_index("cell")
    placed = (rows.lazy().join(cell_keys.lazy(), on=["category", "surface", "region"], nulls_equal=True)
              .select("cell", ((pl.col("bucket") - start).dt.total_microseconds() // step_us).alias("point"),
                      pl.col("cases").fill_null(0.0), *extra)
              .filter(pl.col("point").is_between(0, points - 1)).collect())
    # A cell's rows of one hour (the query gives one; a frame may repeat it) are added up, and
    # their busiest account and ten-minute counts are the largest given (nulls left out), on the
    # cells x points grid at once rather than grouped first.
    flat = placed["cell"].to_numpy().astype(np.int64) * points + placed["point"].to_numpy()
    size = cell_keys.height * points
    rows_at = np.bincount(flat, minlength=size)
    repeated = bool(rows_at.size) and rows_at.max() > 1
    by_cell: dict[str, np.ndarray] = {"cases": np.bincount(flat, weights=placed["cases"].to_numpy(), minlength=size)}
    for column in extra:
        values = placed[column].to_numpy()
        if repeated:
            largest = np.full(size, np.nan)
            np.fmax.at(largest, flat, values)
            values = np.where(rows_at > 0, largest, 0.0)
        else:
            values, at = np.zeros(size), values
            values[flat] = at
        by_cell[column] = values
    by_cell = {column: values.reshape(cell_keys.height, points) for column, values in by_cell.items()}
    # Every coarser series is a sum of cells (exact: counts are whole numbers), and so are its
    # ten-minute counts; its busiest account is the busiest of its cells' (Watched.burst_columns).
    key_parts, parts, cell_parts = [], [], []
    for level, dims in SCOPE_LEVELS.items():
        level_keys = cell_keys.select("category", *dims).unique().with_row_index("series")
        row_of_cell = (cell_keys.join(level_keys, on=["category", *dims], how="left", nulls_equal=True)
                       .sort("cell")["series"].to_numpy())
        # Cells grouped by their series (every series has at least one cell), each group
        # reduced at once.
        order = np.argsort(row_of_cell, kind="stable")
        firsts = np.flatnonzero(np.r_[True, np.diff(row_of_cell[order]) != 0]) if order.size else order
        parts.append(np.add.reduceat(by_cell["cases"][order], firsts, axis=0) if firsts.size else np.zeros((0, points)))
        cell_parts.extend(np.split(order, firsts[1:]) if firsts.size else [])
        key_parts.append(level_keys.select(
            "category",
            *(pl.col(d) if d in dims else pl.lit(None, pl.String).alias(d) for d in ("surface", "region")),
            pl.lit(level).alias("level")))
    keys = pl.concat(key_parts).with_row_index("row").sort("category", "level", "surface", "region", nulls_last=False)
    order = keys["row"].to_numpy()
    values = np.concatenate(parts)[order] if parts else np.zeros((0, points))
    stamps = [start + i * interval for i in range(points)]
    slots = (np.stack([by_cell[c] for c in SLOT_COLUMNS], axis=-1)
             if all(c in by_cell for c in SLOT_COLUMNS) else None)
    top = by_cell.get("top_account")
    cells = [cell_parts[i] for i in order] if top is not None or slots is not None else None
    return Watched(keys.drop("row"), stamps, interval, values, top, slots, cells)


def could_alert(values: np.ndarray, params: SpikeParams) -> np.ndarray:
    """Per series (row), whether it could open an episode at all.

    A hot point, or a hot run of up to `sustain` points, needs at least min_excess cases above
    an expected count that is never negative, so its count (or the run's sum) is at least
    min_excess; the first point is never judged. A series in which no `sustain` consecutive
    points add up to min_excess can never alert, and is not run through the detector (most narrow
    series of a quiet category)."""
    if values.ndim != 2 or values.shape[1] < 2:
        return np.zeros(values.shape[0] if values.ndim == 2 else 0, dtype=bool)
    k = min(max(params.scan, params.sustain, 1), values.shape[1])
    sums = window_sums(np.nan_to_num(values), k)
    return sums.max(axis=1) >= params.min_excess


def _params_for(level: str, params: SpikeParams, fine: SpikeParams) -> SpikeParams:
    return params if level == "category" else fine


def judge_watched(watched: Watched, params: SpikeParams | None = None, fine: SpikeParams | None = None,
                  levels: Sequence[str] | None = None) -> dict[int, Detection]:
    """The detector over every watched series (of `levels`, all by default) that could alert:
    the category series with `params` (the defaults), the narrower ones with `fine`. Returns the
    detections with at least one episode, by row of watched.keys."""
    params = params or SpikeParams()
    fine = fine or params.fine()
    wanted = set(levels) if levels is not None else set(SCOPE_LEVELS)
    found: dict[int, Detection] = {}
    if len(watched.stamps) < 2:
        return found
    level_of = watched.keys["level"].to_list()
    row_params = [_params_for(level, params, fine) for level in level_of]
    could = np.zeros(len(level_of), dtype=bool)
    for p in {params, fine}:
        at_level = np.flatnonzero([rp == p and level in wanted for rp, level in zip(row_params, level_of)])
        could[at_level] = could_alert(watched.values[at_level], p)
    judged = np.flatnonzero(could).tolist()
    together = replace(fine, **{k: getattr(params, k) for k in ROW_SETTINGS}) == params
    # The category series and the narrower ones differ only in what makes a point hot: judged
    # in one batch (else level by level).
    groups = [judged] if together else [[r for r in judged if row_params[r] == p] for p in {params, fine}]
    for rows in groups:
        if not rows:
            continue
        detections = run_many(watched.stamps, watched.interval, watched.values[rows], row_params[rows[0]],
                               episodes_only=True, row_params=[row_params[r] for r in rows])
        for row, detection in zip(rows, detections):
            if detection is not None and detection.episodes:
                found[int(row)] = detection
    return found


WATCHED_EPISODE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "series": pl.Int64, "category": pl.String, "surface": pl.String, "region": pl.String, "level": pl.String,
    **episodes_frame([]).schema,
}


def watched_episodes(watched: Watched, params: SpikeParams | None = None, fine: SpikeParams | None = None,
                     levels: Sequence[str] | None = None,
                     found: dict[int, Detection] | None = None) -> pl.DataFrame:
    """One row per episode of every watched series: its row (series), scope and Episode fields."""
    found = judge_watched(watched, params, fine, levels) if found is None else found
    keys = watched.keys.to_dicts()
    fields = episodes_frame([]).columns
    rows = []
    for series in sorted(found):
        for e in found[series].episodes:
            rows.append({"series": series, **keys[series], **{k: getattr(e, k) for k in fields}})
    return pl.DataFrame(rows, schema=WATCHED_EPISODE_SCHEMA, orient="row")


def alert_groups(spans: Sequence[tuple[datetime, datetime]]) -> list[list[int]]:
    """Episodes (onset, end: first and last point) of one category whose points overlap, as one
    alert: the indices of each alert's episodes, alerts in time order. An analyst watching all of
    a category's series sees one event when several fire over the same hours (the category and
    its surface, say); episodes that only touch (one ends at 14:00, the next starts at 15:00)
    stay apart."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], spans[i][1]))
    groups: list[list[int]] = []
    group_end = datetime.min  # read only once a group has begun
    for i in order:
        onset, end = spans[i]
        if groups and onset <= group_end:
            groups[-1].append(i)
            group_end = max(group_end, end)
        else:
            groups.append([i])
            group_end = end
    return groups


def merge_alerts(spans: Sequence[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The alerts of alert_groups as (first onset, last end)."""
    return [(min(spans[i][0] for i in g), max(spans[i][1] for i in g)) for g in alert_groups(spans)]


ALERT_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "category": pl.String, "surface": pl.String, "region": pl.String, "level": pl.String,
    "onset": pl.Datetime("us"), "detected_at": pl.Datetime("us"), "peak": pl.Datetime("us"),
    "end": pl.Datetime("us"), "points": pl.Int64, "observed": pl.Float64, "expected": pl.Float64,
    "peak_observed": pl.Float64, "peak_expected": pl.Float64, "score": pl.Float64, "severity": pl.String,
    "ongoing": pl.Boolean, "episodes": pl.Int64, "series": pl.Int64, "kind": pl.String, "burst_cases": pl.Float64,
}
# Bursts are not spikes. An alert is a *batch* when, in its scope's series, some twenty minutes
# (two ten-minute slots in a row) hold at least BURST_SHARE of its extra cases beyond their own
# expected share (a classifier back-fill lands thousands of cases within minutes; a spike spreads
# over hours), and *one account* when one account's cases beyond ACCOUNT_USUAL an hour (its
# busiest account per hour, summed over the alert's hours) do (reports piling onto one account).
# burst_cases: those cases. Home, the Trends page's spike counts and the evaluation count only
# kind 'spike'; the Trends list shows the others for what they are.
BURST_SHARE = 0.5
ACCOUNT_USUAL = 2  # cases of one account in an hour that say nothing
SLOT_COLUMNS = tuple(f"slot_{i}" for i in range(6))  # the ten minutes of an hour
ALERT_KINDS = ("spike", "batch", "one account")


def burst_kind(excess: float, account_cases: float, slot_cases: float) -> tuple[str, float]:
    """('batch' | 'one account' | 'spike', the cases that make it a burst) for an alert with
    `excess` extra cases, `slot_cases` extra cases in its busiest twenty minutes and
    `account_cases` cases of one account beyond the usual (see BURST_SHARE)."""
    if excess > 0 and slot_cases >= BURST_SHARE * excess:
        return "batch", slot_cases
    if excess > 0 and account_cases >= BURST_SHARE * excess:
        return "one account", account_cases
    return "spike", 0.0


def burst_cases(watched: Watched, row: int, span: slice, expected: np.ndarray) -> tuple[float, float]:
    """(account_cases, slot_cases) of a series over the points `span` (see burst_kind): the
    busiest account's cases beyond ACCOUNT_USUAL an hour, summed; and the most cases two
    ten-minute slots in a row hold beyond a third of their hour's expected count. 0 when the
    cells did not carry them."""
    account = 0.0
    top_account, slots = watched.burst_columns(row, span)
    if top_account is not None:
        account = float(np.maximum(top_account - ACCOUNT_USUAL, 0.0).sum())
    slot = 0.0
    if slots is not None:
        counts = slots.reshape(-1)
        share = np.repeat(np.nan_to_num(expected[span]) / len(SLOT_COLUMNS), len(SLOT_COLUMNS))
        if counts.size >= 2:
            slot = float(np.max(counts[:-1] + counts[1:] - share[:-1] - share[1:]))
        elif counts.size:
            slot = float(counts[0] - share[0])
    return account, max(slot, 0.0)


def _scope_of(episodes: list[dict]) -> dict:
    """The episode whose series labels the alert: the narrowest carrying at least SCOPE_SHARE of
    the largest excess (observed - expected) among the alert's episodes; then the larger excess."""
    excess = [e["observed"] - e["expected"] for e in episodes]
    top = max(excess)
    candidates = [i for i, x in enumerate(excess) if x >= SCOPE_SHARE * top] if top > 0 else range(len(episodes))
    best = max(candidates, key=lambda i: (len(SCOPE_LEVELS[episodes[i]["level"]]), excess[i]))
    return episodes[best]


def _spans(members: list[dict], ids: list[int]) -> list[tuple[datetime, datetime]]:
    return [(members[i]["onset"], members[i]["end"]) for i in ids]


def _judged(watched: Watched, detection: Detection, series: int, index: dict[datetime, int],
            merged: list[dict]) -> tuple[datetime, datetime, float, float, str, float]:
    """(onset, end, observed, expected, kind, burst cases) of episodes merged into one alert, on
    the counts of its scope's series (row `series`, judged as `detection`)."""
    onset = min(m["onset"] for m in merged)
    end = max(m["end"] for m in merged)
    span = slice(index[onset], index[end] + 1)
    observed = float(np.nansum(detection.observed[span]))
    expected = float(np.nansum(detection.expected[span]))
    account, slot = burst_cases(watched, series, span, detection.expected)
    return onset, end, observed, expected, *burst_kind(observed - expected, account, slot)


def watched_alerts(watched: Watched, params: SpikeParams | None = None, fine: SpikeParams | None = None,
                   found: dict[int, Detection] | None = None) -> pl.DataFrame:
    """The alerts of every category: its watched series' episodes merged where they share a point.

    Per alert: onset (first onset), detected_at (earliest alert), end (last end) and points
    over all its episodes; its scope (category, surface, region, level) is the series chosen by
    SCOPE_SHARE, and observed and expected are that series' counts summed over the alert's
    points [onset, end]; peak, peak counts, score and severity are that series' episode's;
    ongoing if any of its episodes is; episodes and series: how many episodes, and of how many
    series, it merges; kind and burst_cases: whether it is a spike or a burst (burst_kind). In
    time order."""
    found = judge_watched(watched, params, fine) if found is None else found
    episodes = watched_episodes(watched, params, fine, found=found)
    if episodes.height == 0:
        return pl.DataFrame(schema=ALERT_SCHEMA)
    index = {t: i for i, t in enumerate(watched.stamps)}
    rows = []
    for (category,), group in episodes.group_by("category", maintain_order=True):
        members = group.to_dicts()
        pending = alert_groups(_spans(members, list(range(len(members)))))
        while pending:
            ids = pending.pop(0)
            merged = [members[i] for i in ids]
            scope = _scope_of(merged)
            onset, end, observed, expected, kind, burst = _judged(watched, found[scope["series"]], scope["series"],
                                                                  index, merged)
            if kind != "spike":
                # A burst explains the cases of its own hours: episodes of the category entirely
                # before or after its scope's episode (chained to it only through a long episode
                # of a wider series) are alerts of their own, judged on their own.
                apart = [i for i in ids if members[i]["end"] < scope["onset"] or members[i]["onset"] > scope["end"]]
                if apart:
                    ids = [i for i in ids if i not in apart]
                    pending.extend([[apart[j] for j in g] for g in alert_groups(_spans(members, apart))])
                    merged = [members[i] for i in ids]
                    onset, end, observed, expected, kind, burst = _judged(watched, found[scope["series"]],
                                                                          scope["series"], index, merged)
            rows.append({
                "category": category, "surface": scope["surface"], "region": scope["region"],
                "level": scope["level"], "onset": onset, "detected_at": min(m["detected_at"] for m in merged),
                "peak": scope["peak"], "end": end, "points": index[end] - index[onset] + 1,
                "observed": observed, "expected": expected,
                "peak_observed": scope["peak_observed"], "peak_expected": scope["peak_expected"],
                "score": scope["score"], "severity": scope["severity"],
                "ongoing": any(m["ongoing"] for m in merged), "episodes": len(merged),
                "series": len({m["series"] for m in merged}), "kind": kind, "burst_cases": burst,
            })
    return pl.DataFrame(rows, schema=ALERT_SCHEMA, orient="row").sort("onset", "category")


def scope_detection(watched: Watched, category: str, surface: str | None, region: str | None,
                    params: SpikeParams | None = None, fine: SpikeParams | None = None) -> Detection | None:
    """The detection of one watched series (for its chart), with its level's settings; None if
    the scope is not watched (no case in it)."""
    params = params or SpikeParams()
    fine = fine or params.fine()
    keys = watched.keys.with_row_index("row").filter(
        (pl.col("category") == category)
        & (pl.col("surface").is_null() if surface is None else pl.col("surface") == surface)
        & (pl.col("region").is_null() if region is None else pl.col("region") == region))
    if keys.height == 0 or len(watched.stamps) < 2:
        return None
    row, level = keys["row"][0], keys["level"][0]
    return run_one(watched.stamps, watched.interval, watched.values[row], _params_for(level, params, fine))
