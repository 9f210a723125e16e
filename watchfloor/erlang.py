"""Erlang C: how many reviewers a queue needs to answer a share of its cases within a target.

The queue is M/M/N: cases arrive at a rate λ, each takes AHT seconds of a reviewer, N reviewers
work in parallel. The offered load is A = λ × AHT (in Erlangs, reviewers' worth of work).
Every function works on numpy arrays (one element per queue group and hour) as well as on
plain numbers.

Erlang B comes from its recursion, B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), whose terms
stay in (0, 1], so the result is exact for thousands of Erlangs where the textbook formula's
A^N / N! would overflow. Then

    P(wait) = N·B(N) / (N − A·(1 − B(N)))            (Erlang C; 1 when N ≤ A)
    SL(t)   = 1 − P(wait)·exp(−(N − A)·t / AHT)       share answered within t (0 when N ≤ A)
    ASA     = P(wait)·AHT / (N − A)                   average wait (infinite when N ≤ A)
    occupancy = A / N

docs/metrics.md ("Capacity") has the definitions as the dashboard uses them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Above this load the recursion would take too long for an interactive answer.
MAX_ERLANGS = 100_000.0
_VECTOR_LIMIT = 200.0


@dataclass(frozen=True)
class Staffing:
    """Arrays of the same shape: reviewers on the floor and what they achieve."""

    reviewers: np.ndarray       # N (int)
    p_wait: np.ndarray
    service_level: np.ndarray
    asa_seconds: np.ndarray
    occupancy: np.ndarray


def offered_load(arrivals_per_hour, aht_seconds) -> np.ndarray:
    """A = λ × AHT in Erlangs (λ per hour, AHT in seconds)."""
    return np.asarray(arrivals_per_hour, dtype=float) * np.asarray(aht_seconds, dtype=float) / 3600.0


def erlang_b(n: int, load: float) -> float:
    """Blocking probability of N servers under load A (the recursion; exact for large A)."""
    b = 1.0
    for k in range(1, int(n) + 1):
        b = load * b / (k + load * b)
    return b


def _measures(n, load, b, aht, target):
    """P(wait), SL, ASA and occupancy from N, A and B(N); N ≤ A is an unstable queue."""
    n = np.asarray(n, dtype=float)
    stable = n > load
    safe_gap = np.where(stable, n - load, 1.0)
    p_wait = np.where(stable, n * b / np.where(stable, n - load * (1.0 - b), 1.0), 1.0)
    p_wait = np.where(load <= 0, 0.0, np.minimum(p_wait, 1.0))
    sl = np.where(stable, 1.0 - p_wait * np.exp(-safe_gap * target / aht), 0.0)
    sl = np.where(load <= 0, 1.0, sl)
    asa = np.where(stable, p_wait * aht / safe_gap, np.inf)
    asa = np.where(load <= 0, 0.0, asa)
    occupancy = np.where(n > 0, np.minimum(load / np.where(n > 0, n, 1.0), 1.0), 0.0)
    return p_wait, sl, asa, occupancy


def evaluate(reviewers, load, aht_seconds, target_seconds) -> Staffing:
    """What N reviewers achieve under load A (arrays broadcast together)."""
    n, a, aht, t = np.broadcast_arrays(np.asarray(reviewers), np.asarray(load, dtype=float),
                                       np.asarray(aht_seconds, dtype=float), np.asarray(target_seconds, dtype=float))
    n = np.maximum(np.floor(n).astype(np.int64), 0)
    b = np.ones(n.shape)
    big = n > _VECTOR_LIMIT
    for i in np.argwhere(big):
        b[tuple(i)] = erlang_b(int(n[tuple(i)]), float(a[tuple(i)]))
    small = np.where(big, 0, n)
    top = int(small.max()) if small.size else 0
    for k in range(1, top + 1):
        live = small >= k
        b = np.where(live, a * b / (k + a * b), b)
    p_wait, sl, asa, occ = _measures(n, a, b, aht, t)
    return Staffing(n, p_wait, sl, asa, occ)


def required(load, aht_seconds, target_seconds, service_level, max_occupancy=1.0) -> Staffing:
    """The fewest reviewers N meeting SL(target) ≥ service_level and A / N ≤ max_occupancy.

    No load needs no one (N = 0). Loads above MAX_ERLANGS raise ValueError.
    """
    a, aht, t, goal, cap = (np.asarray(x, dtype=float) for x in
                            np.broadcast_arrays(load, aht_seconds, target_seconds, service_level, max_occupancy))
    if a.size and float(np.nanmax(a, initial=0.0)) > MAX_ERLANGS:
        raise ValueError(f"offered load above {MAX_ERLANGS:,.0f} Erlangs")
    shape = a.shape
    a, aht, t, goal, cap = (x.ravel() for x in (a, aht, t, goal, cap))
    n_out = np.zeros(a.size, dtype=np.int64)
    b_out = np.ones(a.size)
    # Large loads step through thousands of k: plain floats beat numpy on a handful of elements.
    for i in np.flatnonzero(a > _VECTOR_LIMIT):
        n_out[i], b_out[i] = _required_one(a[i], aht[i], t[i], goal[i], cap[i])
    active = np.flatnonzero((a > 0) & (a <= _VECTOR_LIMIT))
    b = np.ones(active.size)
    k = 0
    while active.size:
        k += 1
        aa = a[active]
        b = aa * b / (k + aa * b)
        stable = k > aa
        gap = np.where(stable, k - aa, 1.0)
        p_wait = np.where(stable, k * b / np.where(stable, k - aa * (1.0 - b), 1.0), 1.0)
        sl = np.where(stable, 1.0 - p_wait * np.exp(-gap * t[active] / aht[active]), 0.0)
        done = stable & (sl >= goal[active]) & (aa / k <= cap[active])
        n_out[active[done]] = k
        b_out[active[done]] = b[done]
        active, b = active[~done], b[~done]
    p_wait, sl, asa, occ = _measures(n_out, a, b_out, aht, t)
    return Staffing(*(x.reshape(shape) for x in (n_out, p_wait, sl, asa, occ)))


def _required_one(a: float, aht: float, t: float, goal: float, cap: float) -> tuple[int, float]:
    b, k = 1.0, 0
    while True:
        k += 1
        b = a * b / (k + a * b)
        if k > a and a / k <= cap:
            p_wait = k * b / (k - a * (1.0 - b))
            if 1.0 - p_wait * math.exp(-(k - a) * t / aht) >= goal:
                return k, b


def scheduled_head_count(reviewers, shrinkage) -> np.ndarray:
    """Reviewers to schedule so that N are on the floor after shrinkage: ⌈N / (1 − shrinkage)⌉."""
    n = np.asarray(reviewers, dtype=float)
    # A hair below 1 absorbs float noise (14 / 0.7 must be 20, not 21).
    return np.ceil(n / (1.0 - np.asarray(shrinkage, dtype=float)) - 1e-9).astype(np.int64)
