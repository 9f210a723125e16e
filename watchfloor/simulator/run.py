"""The whole period simulated at once, in memory: simulate(SimConfig(...)) returns every contract
table as a Polars frame, with no I/O. (stream.py simulates the same period a day at a time; writer.py
writes either into a warehouse.)"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from watchfloor.simulator import contract_frames, demand, engine, incidents, outcomes, routing, workforce, world
from watchfloor.simulator.config import SimConfig

# Tables in the order they are written (parents before children).
TABLE_ORDER = ("sla_policies", "queues", "vendors", "reviewers", "shifts", "incidents", "incident_events",
               "sim_spikes", "cases", "case_events", "qa_reviews", "appeals")

# Share of the total work each step represents, for the progress bar.
STEPS = (("world", 1), ("demand", 4), ("workforce", 3), ("queueing", 30), ("outcomes", 8), ("tables", 10))


def simulate(cfg: SimConfig, progress: Callable[[str, float], None] | None = None) -> dict[str, pl.DataFrame]:
    """Run the simulation; returns every contract table as a Polars frame (sorted as written).

    progress, if given, is called with (step name, fraction of that step done).
    """
    def report(step: str, frac: float = 1.0) -> None:
        if progress is not None:
            progress(step, frac)

    rngs = cfg.rngs()
    # lam: the expected arrivals (the forecast workforce management plans for, holidays and
    # launches included); rate: what actually arrives around it (lam itself in the calm world).
    grid, team_list, qt, lam, spikes, rate, burst_plan = world.plan(cfg, rngs)
    report("world")

    arrivals = demand.draw_arrivals(cfg, lam, spikes, rngs["arrivals"], rate, burst_plan, rngs["bursts"])
    del rate
    cases = demand.draw_attributes(cfg, arrivals, spikes, rngs, burst_plan)
    del arrivals
    scripts = routing.build_scripts(cfg, cases, qt, rngs["routing"], rngs["rerouting"])
    report("demand")

    work = routing.planned_work(cases, scripts)
    need = workforce.requirements(cfg, lam, work, team_list)
    wf = workforce.build(cfg, grid, need, team_list, spikes, lam, work, rngs["workforce"])
    report("workforce")

    horizon = cfg.horizon_s
    trace = engine.run(horizon, cases.routed_t, scripts, cases.priority, len(team_list), wf.speed,
                       wf.shift_rev, wf.shift_team, wf.shift_start, wf.shift_end, wf.shift_login,
                       routing.team_handle_time(scripts, len(team_list)),
                       progress=lambda t: report("queueing", t / horizon))
    wf.shift_end = trace.shift_end
    report("queueing")

    dec = outcomes.decide(cfg, cases, scripts, trace, wf, rngs["decisions"])
    auto = outcomes.automate(cfg, cases, rngs["decisions"])
    ev = outcomes.build_events(cfg, cases, scripts, trace, dec, auto, qt, wf.n_reviewers, rngs["decisions"])
    state = outcomes.case_state(cfg, cases, scripts, trace, dec, auto, ev)
    qa = outcomes.qa_reviews(cfg, cases, scripts, trace, dec, state, wf, rngs["qa"])
    ap = outcomes.appeals(cfg, cases, state, rngs["appeals"])
    report("outcomes")

    spike_times = []
    for k in range(len(spikes)):
        spike_times.append(np.sort(cases.t[cases.spike == k]))
    inc = incidents.build_tables(cfg, spikes, spike_times, wf.surge_per_spike)
    incident_of = inc.pop("_incident_of")

    case_ids = contract_frames.id_series(contract_frames.CASE_PREFIX, len(cases), contract_frames.CASE_DIGITS)
    out = {
        "sla_policies": contract_frames.sla_policies(),
        "queues": contract_frames.queues(qt),
        "vendors": contract_frames.vendors(cfg),
        "reviewers": contract_frames.reviewers(cfg, wf),
        "shifts": contract_frames.shifts(cfg, wf, qt, team_list),
        "incidents": inc["incidents"],
        "incident_events": inc["incident_events"],
        "sim_spikes": inc["sim_spikes"],
        "cases": contract_frames.cases_frame(cfg, cases, state, qt, wf, incident_of, case_ids),
        "case_events": contract_frames.events_frame(cfg, ev, case_ids, qt, wf),
        "qa_reviews": contract_frames.qa_frame(cfg, qa, case_ids, wf),
        "appeals": contract_frames.appeals_frame(cfg, ap, case_ids),
    }
    report("tables")
    return out
