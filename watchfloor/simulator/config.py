"""SimConfig and small helpers shared by the simulator modules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from watchfloor import config as app_config

# Independent random streams, one per concern, so changing how one part draws
# does not shift the numbers of another. The names only document the order.
# New streams go at the end: stream i is the seed's i-th spawned child whatever the length.
STREAMS = ("spikes", "arrivals", "attributes", "routing", "workforce", "engine", "decisions",
           "qa", "appeals", "incidents", "accounts", "showcase", "noise", "launches", "bursts",
           "rerouting")


def floor_minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


@dataclass(frozen=True)
class SimConfig:
    """What to simulate.

    days, cases_per_day: length of the period and the base demand (spikes add on top).
    seed: the only source of randomness. end: naive UTC end of the period, floored to
    the minute (None: the current minute, fixed when the config is created).
    showcase_spike: also plan one recent spike whose SEV1/SEV0 incident is still open at the
    end (the demo's; incidents.add_showcase).
    """

    days: int = 90
    cases_per_day: int = 12000
    seed: int = 7
    end: datetime | None = None
    spikes_per_week: float = 2.0
    qa_rate: float = 0.05
    staffing_beta: float = 0.0          # square-root staffing safety margin
    staffing_level: float = 0.75        # share of the planned seats that are funded and filled
    showcase_spike: bool = False        # one recent incident, open at the end (seed --demo)
    calm: bool = False                  # plain Poisson demand (seed --calm); see demand.py

    def __post_init__(self) -> None:
        if int(self.days) < 1:
            raise ValueError("days must be at least 1")
        if int(self.cases_per_day) < 1:
            raise ValueError("cases_per_day must be at least 1")
        end = self.end
        if end is None:
            end = app_config.utc_now()
        if end.tzinfo is not None:

            end = end.astimezone(UTC).replace(tzinfo=None)
        object.__setattr__(self, "end", floor_minute(end))
        object.__setattr__(self, "days", int(self.days))
        object.__setattr__(self, "cases_per_day", int(self.cases_per_day))
        object.__setattr__(self, "seed", int(self.seed))

    @property
    def start(self) -> datetime:
        assert self.end is not None  # __post_init__ sets it
        return self.end - timedelta(days=self.days)

    @property
    def horizon_s(self) -> float:
        return float(self.days * 86400)

    def rngs(self) -> dict[str, np.random.Generator]:
        children = np.random.SeedSequence(self.seed).spawn(len(STREAMS))
        return {name: np.random.Generator(np.random.PCG64(ss)) for name, ss in zip(STREAMS, children)}


def cumulative(weights) -> np.ndarray:
    """Row-normalised cumulative weights of a 2-D (groups x options) array."""
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum(axis=-1, keepdims=True)
    c = np.cumsum(w, axis=-1)
    c[..., -1] = 1.0 + 1e-12
    return c


def choose(rng: np.random.Generator, groups: np.ndarray, weights) -> np.ndarray:
    """For each element, an option index drawn from weights[groups[i]] (vectorised)."""
    cum = cumulative(weights)
    if cum.ndim == 1:
        return np.searchsorted(cum, rng.random(len(groups)), side="right").astype(np.int32)
    u = rng.random(len(groups))
    rows = cum[groups]
    return (u[:, None] >= rows).sum(axis=1).astype(np.int32)


def pad_weights(rows: list[tuple[float, ...]]) -> np.ndarray:
    width = max(len(r) for r in rows)
    out = np.zeros((len(rows), width))
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


def logit(p):
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def expit(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def to_datetime(start: datetime, seconds: np.ndarray) -> np.ndarray:
    """Seconds since start (floats, NaN allowed) -> datetime64[us], floored to the millisecond."""
    base = np.datetime64(start, "ms")
    s = np.asarray(seconds, dtype=np.float64)
    ms = np.floor(np.nan_to_num(s, nan=0.0) * 1000.0).astype(np.int64)
    out = (base + ms.astype("timedelta64[ms]")).astype("datetime64[us]")
    if np.isnan(s).any():
        out[np.isnan(s)] = np.datetime64("NaT")
    return out
