"""Bursts that are not incidents: what analysts see every week and learn to shrug off.

- **Back-fill**: a classifier re-scans stored content and lands its flags as cases all at once,
  a sizeable share of a day's volume of one category on one surface within a couple of minutes.
- **Brigading**: many user reports against one account, on one surface in one region, over a
  few hours.

Neither is in `sim_spikes` (the spikes are the ground truth of abuse spikes): a detector that
alerts on one raises a false alert, as it would for a real team. None in the calm world.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from watchfloor.simulator import catalog as cat
from watchfloor.simulator.config import SimConfig, choose

BACKFILLS_PER_WEEK = 1.0
BACKFILL_SHARE = (0.08, 0.30)     # cases, as a share of a day's base volume (all categories)
BACKFILL_SECONDS = (60.0, 180.0)  # how long the batch takes to land
BRIGADES_PER_WEEK = 1.0
BRIGADE_SHARE = (0.01, 0.04)
BRIGADE_HOURS = (2.0, 8.0)
# Categories whose reports pile onto one account, and how often each is the one.
BRIGADE_CATEGORIES = {"harassment": 4.0, "hate": 2.0, "impersonation": 1.5, "election_integrity": 1.0,
                      "sexual_content": 1.0}
CONSUMER = tuple(cat.SURFACE_PROFILE[s] == "consumer" for s in cat.SURFACES)


@dataclass(frozen=True)
class Burst:
    kind: str       # "backfill" or "brigading"
    category: int
    surface: int
    region: int     # -1: every region, by its share
    t0: float       # seconds since the start of the period
    t1: float
    cases: int


def plan_bursts(cfg: SimConfig, rng: np.random.Generator) -> list[Burst]:
    """The period's back-fills and brigading, in start order (none in the calm world)."""
    if cfg.calm:
        return []
    horizon = cfg.horizon_s
    out: list[Burst] = []
    share = np.array([c.share for c in cat.CATEGORIES])
    for _ in range(int(rng.poisson(BACKFILLS_PER_WEEK * cfg.days / 7.0))):
        c = int(choose(rng, np.zeros(1, dtype=np.int64), share[None, :])[0])
        s = int(choose(rng, np.zeros(1, dtype=np.int64), np.array([cat.CATEGORIES[c].surfaces]))[0])
        t0 = float(rng.uniform(0.0, horizon))
        seconds = float(rng.uniform(*BACKFILL_SECONDS))
        cases = int(round(rng.uniform(*BACKFILL_SHARE) * cfg.cases_per_day))
        out.append(Burst("backfill", c, s, -1, t0, min(t0 + seconds, horizon), cases))
    keys = list(BRIGADE_CATEGORIES)
    weights = np.array([BRIGADE_CATEGORIES[k] for k in keys])
    for _ in range(int(rng.poisson(BRIGADES_PER_WEEK * cfg.days / 7.0))):
        c = cat.CATEGORY_INDEX[keys[int(choose(rng, np.zeros(1, dtype=np.int64), weights[None, :])[0])]]
        surface_w = np.array(cat.CATEGORIES[c].surfaces) * np.array(CONSUMER)
        s = int(choose(rng, np.zeros(1, dtype=np.int64), surface_w[None, :])[0])
        r = int(choose(rng, np.zeros(1, dtype=np.int64), np.array([cat.REGION_SHARE]))[0])
        t0 = float(rng.uniform(0.0, horizon))
        hours = float(rng.uniform(*BRIGADE_HOURS))
        cases = int(round(rng.uniform(*BRIGADE_SHARE) * cfg.cases_per_day))
        out.append(Burst("brigading", c, s, r, t0, min(t0 + hours * 3600.0, horizon), cases))
    out.sort(key=lambda b: b.t0)
    return out


def draw(bursts: list[Burst], rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Arrivals of the bursts: (t, category, surface, region, burst index), unsorted."""
    parts = []
    for k, b in enumerate(bursts):
        if b.cases <= 0:
            continue
        t = b.t0 + rng.random(b.cases) * (b.t1 - b.t0)
        region = (np.full(b.cases, b.region) if b.region >= 0
                  else choose(rng, np.zeros(b.cases, dtype=np.int64), np.array([cat.REGION_SHARE])))
        parts.append((t, np.full(b.cases, b.category), np.full(b.cases, b.surface), region, np.full(b.cases, k)))
    if not parts:
        empty = np.zeros(0)
        return empty, empty.astype(np.int64), empty.astype(np.int64), empty.astype(np.int64), empty.astype(np.int64)
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(5))
