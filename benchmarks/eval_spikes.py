"""`make eval-spikes`: score the spike detector against the simulator's ground truth (sim_spikes).

Two simulated 90-day warehouses of about 11,100 cases a day (1M cases): the settings are chosen
on seed 7 (`--tune` tries every pair of a small grid there: one setting for the category series,
one for the finer series) and reported on seed 11 (the page benchmark's warehouse). Results go
to benchmarks/spikes.md.

What is scored, for each warehouse (the same way for recall and false alerts):

- Watched series: for every category, the hourly case counts of the category, of each
  category x surface, of each category x region and of each category x surface x region that
  has cases (every scope the simulator can give a spike, see plan_spikes). They are chosen
  without the ground truth: a live system watching these series does not know which scope a
  spike will hit. The detector runs causally over each of them: over the category series with
  its defaults (`SpikeParams()`), over the finer series with
  its stricter `FINE_SCOPE` settings (some twenty finer series per category are watched at once,
  so each must fire less often for the category's alerts to stay within the target).
- Eligible spikes: multiplier >= 3 and lasting >= 3 hours, starting after the first 14 days
  (the detector's warm-up: it needs two weeks of history for its weekly baseline).
- A spike is found when an episode on any watched series of its category overlaps
  [start, end + 2 h] (an episode covers onset to the close of its last hour, end + 1 h); its
  delay is the close of the alert hour (detected_at + 1 h) of the earliest such episode minus
  the spike's start (0 if earlier).
- False alerts: for each category, the episodes of all its watched series that end after the
  warm-up, merged into one alert wherever they share an hour (an analyst sees one event, not
  the category and its surface firing separately); an alert is false when it overlaps no spike
  of that category (any scope, any size) extended by 6 hours after its end. Rate: false alerts
  per category per 30 days judged.
- For information, the same two figures on the category series alone (episodes of the other
  series left out). Home and the Trends page show the alerts of every watched series, merged
  as scored here (watchfloor.spikes.watched_alerts).

Detector speed: hourly counts of every category over the whole 90 days on the 1M warehouse,
fetched with the Trends page's named query and run through the detector, best of 3 runs; and
every watched series (category, x surface, x region, x surface x region) as the Trends page
watches them for its default week (the week plus 29 days of history) and as Home watches them
(29 days), fetched with their named queries and turned into alerts, each on a cold cache.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import queries  # noqa: E402
from watchfloor import spikes  # noqa: E402

WORK = ROOT / "benchmarks" / "work"
END = datetime(2026, 11, 20, 0, 0)
DAYS = 90
PER_DAY = 11100
TUNE_SEED = 7
REPORT_SEED = 11
WARM_UP = timedelta(days=14)
MATCH_AFTER = timedelta(hours=2)
FALSE_SLACK = timedelta(hours=6)
SPEED_TARGET_S = 2.0
TARGETS = {"recall": 0.9, "false_per_30d": 1.0, "median_delay_h": 2.0}


def warehouse_for(seed: int) -> Path:
    # Seed 11 is the page benchmark's warehouse: reuse it if it is there.
    return WORK / "bench_1m.duckdb" if seed == REPORT_SEED else WORK / f"spikes_seed{seed}.duckdb"


def ensure_warehouse(seed: int) -> Path:
    path = warehouse_for(seed)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"seeding {DAYS} days x {PER_DAY} cases/day, seed {seed}, into {path} ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "watchfloor", "seed", "--warehouse", str(path), "--days", str(DAYS),
         "--cases-per-day", str(PER_DAY), "--seed", str(seed), "--end", END.isoformat(), "--no-progress"],
        check=True, cwd=ROOT,
    )
    return path


@dataclass
class Truth:
    counts: pl.DataFrame  # category, surface, region, bucket, cases (hourly)
    spikes: pl.DataFrame  # sim_spikes
    start: datetime
    end: datetime


def load_truth(path: Path) -> Truth:
    con = duckdb.connect(str(path), read_only=True)
    try:
        counts = con.sql(
            "SELECT category, surface, region, date_trunc('hour', created_at) AS bucket, count(*) AS cases "
            "FROM cases GROUP BY ALL"
        ).pl()
        truth = con.sql("SELECT spike_id, category, surface, region, starts_at, ends_at, multiplier FROM sim_spikes").pl()
        start, end = con.sql("SELECT min(created_at), max(created_at) FROM cases").fetchall()[0]
    finally:
        con.close()
    start = start.replace(minute=0, second=0, microsecond=0)
    end = end.replace(minute=0, second=0, microsecond=0)
    return Truth(counts, truth.sort("starts_at"), start, end)


# The watched series, the detector over them and the merging of their episodes into alerts are
# the product's own (watchfloor.spikes, what Home and the Trends page show): what is scored here
# is what an analyst sees.
Watched = spikes.Watched
LEVELS = spikes.SCOPE_LEVELS
watched_series = spikes.watched_series
merge_alerts = spikes.merge_alerts

EPISODE_SCHEMA = {"category": pl.String, "surface": pl.String, "region": pl.String, "level": pl.String,
                  "onset": pl.Datetime("us"), "detected_at": pl.Datetime("us"), "end": pl.Datetime("us")}


def detect_watched(watched: Watched, params: spikes.SpikeParams, *, category_level: bool) -> pl.DataFrame:
    """The detector over the category series (category_level) or over the finer watched series:
    one row per episode, with its series."""
    levels = [level for level in LEVELS if (level == "category") == category_level]
    return spikes.watched_episodes(watched, params, params, levels=levels).select(list(EPISODE_SCHEMA))


def overlaps(a0, a1, b0, b1) -> bool:
    return a0 <= b1 and b0 <= a1


def score(episodes: pl.DataFrame, truth_spikes: pl.DataFrame, categories: list[str], judged_from: datetime,
          judged_to: datetime) -> dict:
    """Recall, delays and false alerts of a set of episodes against the ground truth.

    episodes: category, onset, detected_at, end (hour buckets), from the series being scored.
    """
    hour = timedelta(hours=1)
    eligible = truth_spikes.filter(
        (pl.col("multiplier") >= 3)
        & ((pl.col("ends_at") - pl.col("starts_at")) >= pl.duration(hours=3))
        & (pl.col("starts_at") >= judged_from)
    )
    by_category = {c: list(g.iter_rows(named=True)) for (c,), g in episodes.group_by("category")}
    rows = []
    for spike in eligible.iter_rows(named=True):
        hits = [e for e in by_category.get(spike["category"], [])
                if overlaps(e["onset"], e["end"] + hour, spike["starts_at"], spike["ends_at"] + MATCH_AFTER)]
        first = min(hits, key=lambda e: e["detected_at"]) if hits else None
        delay = None
        if first is not None:
            delay = max((first["detected_at"] + hour - spike["starts_at"]) / hour, 0.0)
        rows.append({**spike, "found": first is not None, "delay_h": delay, "found_by": first})
    false_alerts, alerts = [], 0
    for category in categories:
        windows = [(r["starts_at"], r["ends_at"] + FALSE_SLACK)
                   for r in truth_spikes.filter(pl.col("category") == category).iter_rows(named=True)]
        judged = [(e["onset"], e["end"]) for e in by_category.get(category, []) if e["end"] >= judged_from]
        for onset, end in merge_alerts(judged):
            alerts += 1
            if not any(overlaps(onset, end + hour, s, t) for s, t in windows):
                false_alerts.append((category, onset, end))
    judged_days = (judged_to - judged_from) / timedelta(days=1)
    found_delays = [r["delay_h"] for r in rows if r["found"]]
    found = sum(r["found"] for r in rows)
    return {
        "eligible": len(rows),
        "found": found,
        "recall": found / len(rows) if rows else float("nan"),
        "median_delay_h": statistics.median(found_delays) if found_delays else float("nan"),
        "p90_delay_h": float(np.percentile(found_delays, 90)) if found_delays else float("nan"),
        "alerts": alerts,
        "false_episodes": len(false_alerts),
        "false_alerts": false_alerts,
        "false_per_30d": len(false_alerts) / len(categories) / (judged_days / 30.0) if categories else float("nan"),
        "judged_days": judged_days,
        "rows": rows,
    }


def evaluate(truth: Truth, watched: Watched, params: spikes.SpikeParams, fine: spikes.SpikeParams,
             found: tuple[pl.DataFrame, pl.DataFrame] | None = None) -> dict:
    """The consistent scores (every watched series) and, for information, the category series' alone.

    `params` judge the category series, `fine` the finer ones; `found` passes their episodes when
    they are already known (the tuning grid)."""
    judged_from = truth.start + WARM_UP
    categories = sorted(truth.counts["category"].unique().to_list())
    if found is None:
        found = (detect_watched(watched, params, category_level=True),
                 detect_watched(watched, fine, category_level=False))
    on_category, on_finer = found
    return {
        "spikes": truth.spikes.height,
        "categories": len(categories),
        "series": watched.keys.height,
        "watched": score(pl.concat([on_category, on_finer]), truth.spikes, categories, judged_from, truth.end),
        "category": score(on_category, truth.spikes, categories, judged_from, truth.end),
    }


def objective(result: dict) -> tuple:
    """On the watched series: meet the false-alert target first, then the most recall; then the
    most recall on the category series alone (the widest view of each category), the fewest
    false alerts, the shortest delay."""
    r = result["watched"]
    meets_false = r["false_per_30d"] <= TARGETS["false_per_30d"]
    return (meets_false, round(r["recall"], 3), round(result["category"]["recall"], 3),
            -round(r["false_per_30d"], 3), -r["median_delay_h"])


GRID = {"alpha": (1e-6, 3e-6, 1e-5, 3e-5, 1e-4), "min_excess": (5.0, 10.0, 20.0), "min_ratio": (1.5, 2.0)}


def settings(p: spikes.SpikeParams) -> str:
    return f"alpha={p.alpha:g} min_excess={p.min_excess:g} min_ratio={p.min_ratio:g}"


def tune(truth: Truth, watched: Watched) -> tuple[spikes.SpikeParams, spikes.SpikeParams, dict]:
    """Every pair of grid settings (one for the category series, one for the finer series).

    Each setting runs once over each kind of series; the pairs only combine their episodes."""
    grid = [replace(spikes.SpikeParams(), alpha=a, min_excess=m, min_ratio=r) for a, m, r in itertools.product(*GRID.values())]
    on_category, on_finer = {}, {}
    for p in grid:
        on_category[p] = detect_watched(watched, p, category_level=True)
        on_finer[p] = detect_watched(watched, p, category_level=False)
        print(f"  {settings(p)}: {on_category[p].height} episodes on category series, "
              f"{on_finer[p].height} on finer series", flush=True)
    results = {(p, q): evaluate(truth, watched, p, q, (on_category[p], on_finer[q])) for p in grid for q in grid}
    best = max(results, key=lambda pq: objective(results[pq]))
    return best[0], best[1], results


def speed(path: Path) -> dict:
    """The Trends page's series query for every category, hourly, 90 days, plus the detector."""
    params = {"history_start": END - timedelta(days=DAYS), "period_end": END, "hourly": True,
              "dimension": "category", "regions": [], "verticals": [], "priorities": [], "vendors": []}
    fetch, detect = [], []
    for _ in range(3):
        start = time.perf_counter()
        frame = queries.run_uncached("trends_series", warehouse=str(path), **params)
        mid = time.perf_counter()
        spikes.detect_many(frame, "key", value_column="cases")
        done = time.perf_counter()
        fetch.append(mid - start)
        detect.append(done - mid)
    queries.close_all()
    return {"fetch_s": min(fetch), "detect_s": min(detect), "total_s": min(f + d for f, d in zip(fetch, detect)),
            "series": frame["key"].n_unique(), "points": frame.height}


WATCHED_TARGET_S = 0.5


def watched_speed(path: Path) -> dict:
    """Every watched series as the Trends page judges them for its default week (and 29 days of
    history) and as Home judges them (29 days), as of the page benchmark's 'now': the named
    query, cold (cache cleared), then the detector and the merging into alerts. Best of 3 runs."""
    from queries import plans
    from watchfloor import daily_health, trends
    from watchfloor.filters import default_filters

    as_of = END
    filters = default_filters(as_of.date())
    period = filters.period_params()
    calls = {"trends": next(c for c in plans.trends(as_of, filters) if c.key == "watched"),
             "home": next(c for c in plans.home(as_of, filters) if c.key == "rising")}
    judge = {"trends": lambda f: trends.watched_view(f, period["period_start"], period["period_end"], as_of),
             "home": lambda f: daily_health.rising_categories(f, as_of)}
    out = {}
    for page, call in calls.items():
        fetch, detect = [], []
        for _ in range(3):
            queries.clear_cache()
            start = time.perf_counter()
            frame = queries.run_uncached(call.name, warehouse=str(path), **call.params)
            mid = time.perf_counter()
            judge[page](frame)
            done = time.perf_counter()
            fetch.append(mid - start)
            detect.append(done - mid)
        hours = frame["bucket"].dt.truncate("1h")
        watched = spikes.watched_series(frame, hours.min(), hours.max())
        fine = watched.keys["level"] != "category"
        judged = int(spikes.could_alert(watched.values[~fine.to_numpy()], spikes.SpikeParams()).sum()
                     + spikes.could_alert(watched.values[fine.to_numpy()], spikes.FINE_SCOPE).sum())
        out[page] = {"fetch_s": min(fetch), "detect_s": min(detect), "series": watched.keys.height,
                     "judged": judged, "hours": len(watched.stamps), "cells": frame.height}
    queries.close_all()
    return out


def watched_speed_line(result: dict) -> str:
    return "; ".join(
        f"{page}: fetch {r['fetch_s']:.3f} s + detector {r['detect_s']:.3f} s for {r['series']} watched series "
        f"({r['judged']} could alert) over {r['hours']} hours (target detector <= {WATCHED_TARGET_S} s: "
        f"{verdict(r['detect_s'] <= WATCHED_TARGET_S)})" for page, r in result.items())


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def series_label(row: dict) -> str:
    return " · ".join([row["category"]] + [x for x in (row["surface"], row["region"]) if x])


def write_report(params, fine, tuned, tune_result, report_result, speed_result, cases_by_seed,
                 watched_result: dict | None = None) -> str:
    t, r = tune_result, report_result
    tw, rw, tc, rc = t["watched"], r["watched"], t["category"], r["category"]
    lines = [
        "# Spike detector evaluation",
        "",
        f"Run {datetime.now():%Y-%m-%d %H:%M} on {platform.node() or 'this machine'}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}. `make eval-spikes` writes this file (benchmarks/eval_spikes.py).",
        "",
        f"Warehouses: `watchfloor seed --days {DAYS} --cases-per-day {PER_DAY} --end {END:%Y-%m-%dT%H:%M}` with "
        f"seed {TUNE_SEED} ({cases_by_seed[TUNE_SEED]:,} cases; the defaults were chosen on it) and seed "
        f"{REPORT_SEED} ({cases_by_seed[REPORT_SEED]:,} cases; reported, never tuned on).",
        "",
        "How it is scored: the detector runs causally over the hourly counts of every *watched series*: "
        "for each category, the category, category x surface, category x region and category x surface x "
        f"region series (every scope a simulated spike can have; {r['series']} series on seed {REPORT_SEED}), "
        "chosen without looking at the ground truth. The category series are judged with the detector's "
        "defaults, the finer ones with its stricter `FINE_SCOPE` settings (a category has some twenty finer "
        "series watched at once). A spike counts if it is at least 3x, lasts at least 3 h "
        "and starts after the 14-day warm-up; it is found when an episode on any watched series of its "
        "category overlaps it (up to 2 h after its end). Delay: end of the alert hour of the first such "
        "episode minus the spike's start. False alerts: per category, the episodes of all its watched "
        "series after the warm-up, those sharing an hour merged into one alert (an analyst sees one event); "
        "an alert is false when it overlaps no spike of its category (any scope, any size, extended 6 h "
        "after its end); per category per 30 days. Recall and false alerts are measured on the same series.",
        "",
        "## Results",
        "",
        f"| measure (watched series) | seed {TUNE_SEED} (tuning) | seed {REPORT_SEED} (report) | target | |",
        "|---|---:|---:|---:|---|",
        f"| eligible spikes (>= 3x, >= 3 h) | {tw['eligible']} of {t['spikes']} | {rw['eligible']} of {r['spikes']} | | |",
        f"| recall | {tw['recall']:.2f} ({tw['found']}) | {rw['recall']:.2f} ({rw['found']}) | >= {TARGETS['recall']} | "
        f"{verdict(rw['recall'] >= TARGETS['recall'])} |",
        f"| false alerts per category per 30 days | {tw['false_per_30d']:.2f} ({tw['false_episodes']} of {tw['alerts']} "
        f"alerts in {tw['judged_days']:.0f} days) | {rw['false_per_30d']:.2f} ({rw['false_episodes']} of {rw['alerts']} "
        f"alerts in {rw['judged_days']:.0f} days) | <= {TARGETS['false_per_30d']} | "
        f"{verdict(rw['false_per_30d'] <= TARGETS['false_per_30d'])} |",
        f"| median detection delay (h) | {tw['median_delay_h']:.1f} | {rw['median_delay_h']:.1f} | "
        f"<= {TARGETS['median_delay_h']} | {verdict(rw['median_delay_h'] <= TARGETS['median_delay_h'])} |",
        f"| 90th percentile delay (h) | {tw['p90_delay_h']:.1f} | {rw['p90_delay_h']:.1f} | | |",
        "",
        f"For information, the {r['categories']} category series alone (Home and the Trends page show the alerts of "
        "every watched series above, merged as scored here), both figures on those series:",
        "",
        f"| measure (category series only) | seed {TUNE_SEED} | seed {REPORT_SEED} |",
        "|---|---:|---:|",
        f"| recall | {tc['recall']:.2f} ({tc['found']}) | {rc['recall']:.2f} ({rc['found']}) |",
        f"| false alerts per category per 30 days | {tc['false_per_30d']:.2f} ({tc['false_episodes']} of "
        f"{tc['alerts']}) | {rc['false_per_30d']:.2f} ({rc['false_episodes']} of {rc['alerts']}) |",
        f"| median detection delay (h) | {tc['median_delay_h']:.1f} | {rc['median_delay_h']:.1f} |",
        "",
        "## Detector speed",
        "",
        f"Hourly counts of every category over {DAYS} days on the 1M-case warehouse (seed {REPORT_SEED}): "
        f"{speed_result['series']} series, {speed_result['points']:,} non-empty points. Best of 3 runs.",
        "",
        "| step | seconds |",
        "|---|---:|",
        f"| fetch (named query trends_series) | {speed_result['fetch_s']:.3f} |",
        f"| detector (all series) | {speed_result['detect_s']:.3f} |",
        f"| total | {speed_result['total_s']:.3f} (target <= {SPEED_TARGET_S:.0f} s: {verdict(speed_result['total_s'] <= SPEED_TARGET_S)}) |",
        "",
    ]
    if watched_result:
        lines += [
            f"Every watched series, as the pages judge them on one view (as of {END:%Y-%m-%d %H:%M}, default filters; "
            "fetch cold, best of 3 runs). Series in which no two consecutive hours add up to the settings' "
            "`min_excess` cannot alert and are not run through the detector (`watchfloor.spikes.could_alert`).",
            "",
            "| page | watched series | could alert | hours | fetch (s) | detector and alerts (s) | target |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for page, w in watched_result.items():
            lines.append(f"| {page} | {w['series']} | {w['judged']} | {w['hours']} | {w['fetch_s']:.3f} | "
                         f"{w['detect_s']:.3f} | <= {WATCHED_TARGET_S} s: {verdict(w['detect_s'] <= WATCHED_TARGET_S)} |")
        lines.append("")
    lines += [
        "## Settings",
        "",
        "Category series: `watchfloor.spikes.SpikeParams()` defaults: "
        + ", ".join(f"{k}={getattr(params, k)!r}" for k in ("alpha", "min_excess", "min_ratio", "z_continue",
                                                            "end_after", "merge_gap", "weeks", "level_window", "shrink_cases")) + ".",
        f"Finer series: `watchfloor.spikes.FINE_SCOPE`: {settings(fine)} (the rest as the defaults).",
        "",
    ]
    if tuned:
        lines += [f"Chosen on seed {TUNE_SEED} from every pair of grid settings (one for the category series, one for "
                  "the finer series; alpha x min_excess x min_ratio = "
                  + " x ".join(str(len(v)) for v in GRID.values()) + " each): among the pairs meeting the "
                  "false-alert target on the watched series, the most recall; then the most recall on the "
                  "category series alone, the fewest false alerts, the shortest delay.", "",
                  f"Category-series settings, with the finer series at {settings(fine)}:", "",
                  "| alpha | min_excess | min_ratio | recall | false / cat / 30 d | median delay (h) | "
                  "recall, category series | false, category series |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for (p, q), res in tuned.items():
            if q != fine:
                continue
            w, c = res["watched"], res["category"]
            lines.append(f"| {p.alpha:g} | {p.min_excess:g} | {p.min_ratio:g} | {w['recall']:.2f} | "
                         f"{w['false_per_30d']:.2f} | {w['median_delay_h']:.1f} | {c['recall']:.2f} | {c['false_per_30d']:.2f} |")
        lines += ["", f"Finer-series settings, with the category series at {settings(params)}:", "",
                  "| alpha | min_excess | min_ratio | recall | false / cat / 30 d | median delay (h) |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for (p, q), res in tuned.items():
            if p != params:
                continue
            w = res["watched"]
            lines.append(f"| {q.alpha:g} | {q.min_excess:g} | {q.min_ratio:g} | {w['recall']:.2f} | "
                         f"{w['false_per_30d']:.2f} | {w['median_delay_h']:.1f} |")
        lines.append("")
    lines += [f"## Spikes of the report seed (seed {REPORT_SEED})", "",
              "| spike | category | scope | multiplier | hours | found | delay (h) | first found on | found on category series |",
              "|---|---|---|---:|---:|---|---:|---|---|"]
    on_category = {row["spike_id"]: row["found"] for row in rc["rows"]}
    for row in rw["rows"]:
        scope = " · ".join(x for x in (row["surface"], row["region"]) if x) or "all"
        hours = (row["ends_at"] - row["starts_at"]) / timedelta(hours=1)
        delay = f"{row['delay_h']:.1f}" if row["delay_h"] is not None else "–"
        by = series_label(row["found_by"]) if row["found_by"] else "–"
        lines.append(f"| {row['spike_id']} | {row['category']} | {scope} | {row['multiplier']:.2f} | {hours:.0f} | "
                     f"{'yes' if row['found'] else 'no'} | {delay} | {by} | {'yes' if on_category[row['spike_id']] else 'no'} |")
    lines += ["", f"## False alerts of the report seed (seed {REPORT_SEED})", "",
              "| category | onset | end |", "|---|---|---|"]
    for category, onset, end in rw["false_alerts"]:
        lines.append(f"| {category} | {onset:%Y-%m-%d %H:%M} | {end:%Y-%m-%d %H:%M} |")
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help=f"search a small grid on seed {TUNE_SEED} and report the best")
    parser.add_argument("--speed-only", action="store_true", help="only the detector-speed benchmark (printed)")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "spikes.md"))
    args = parser.parse_args()

    report_path = ensure_warehouse(REPORT_SEED)
    if args.speed_only:
        result = speed(report_path)
        print(f"detector speed: fetch {result['fetch_s']:.3f} s + detector {result['detect_s']:.3f} s = "
              f"{result['total_s']:.3f} s for {result['series']} category series over {DAYS} days "
              f"(target <= {SPEED_TARGET_S:.0f} s: {verdict(result['total_s'] <= SPEED_TARGET_S)}); watched series, "
              + watched_speed_line(watched_speed(report_path)))
        return 0
    tune_path = ensure_warehouse(TUNE_SEED)
    tune_truth, report_truth = load_truth(tune_path), load_truth(report_path)
    # The series do not depend on the detector's settings: built once per warehouse.
    tune_watched = watched_series(tune_truth.counts, tune_truth.start, tune_truth.end)
    report_watched = watched_series(report_truth.counts, report_truth.start, report_truth.end)
    params, fine, results = spikes.SpikeParams(), spikes.FINE_SCOPE, {}
    if args.tune:
        print(f"tuning on seed {TUNE_SEED} ({tune_watched.keys.height} watched series):")
        params, fine, results = tune(tune_truth, tune_watched)
    tune_result = results.get((params, fine)) or evaluate(tune_truth, tune_watched, params, fine)
    report_result = evaluate(report_truth, report_watched, params, fine)
    if (params, fine) != (spikes.SpikeParams(), spikes.FINE_SCOPE):
        print(f"NOTE: the code's settings differ from the chosen ones: set SpikeParams' defaults to "
              f"{settings(params)} and FINE_SCOPE to {settings(fine)} in watchfloor/spikes.py", flush=True)
    speed_result = speed(report_path)
    watched_result = watched_speed(report_path)
    cases = {TUNE_SEED: tune_truth.counts["cases"].sum(), REPORT_SEED: report_truth.counts["cases"].sum()}
    text = write_report(params, fine, results, tune_result, report_result, speed_result, cases, watched_result)
    Path(args.output).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
