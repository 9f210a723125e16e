"""What a simulation plans before it draws a single case: the time grid, the teams and their
queues, the expected arrivals (lam, what workforce management plans for) and what actually
arrives around them (rate), the spikes and the bursts. The in-memory simulation and the streamed
seed both start here, from the same streams in the same order, so a seed plans the same period
whichever way it is written."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from watchfloor.simulator import bursts, demand, incidents, routing
from watchfloor.simulator.config import SimConfig


class World(NamedTuple):
    grid: demand.TimeGrid
    team_list: list
    qt: routing.QueueTable
    lam: np.ndarray
    spikes: list
    rate: np.ndarray
    bursts: list


def plan(cfg: SimConfig, rngs: dict[str, np.random.Generator]) -> World:
    grid = demand.time_grid(cfg)
    team_list = routing.teams()
    qt = routing.queue_table(team_list)
    lam = demand.intensity(cfg, grid, demand.plan_launches(cfg, rngs["launches"]))
    spikes = incidents.plan_spikes(cfg, lam, rngs["spikes"])
    if cfg.showcase_spike:
        spikes = incidents.add_showcase(cfg, lam, spikes, rngs["showcase"])
    rate = demand.noise(cfg, lam, rngs["noise"])
    return World(grid, team_list, qt, lam, spikes, rate, bursts.plan_bursts(cfg, rngs["bursts"]))
