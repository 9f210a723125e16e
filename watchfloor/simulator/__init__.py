"""The operations simulator: a discrete-event simulation of a Trust & Safety
operation that fills every table of the warehouse contract.

    simulate(SimConfig(...)) -> {table name: polars.DataFrame}      (pure, no I/O)
    stream.stream(SimConfig(...), window_days) -> (table, frame) pairs, a day at a time
    seed_warehouse(path, SimConfig(...), replace=False, progress=True, demo=False) -> {table: rows}

docs/simulator.md explains the model; docs/warehouse.md the tables.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from watchfloor.simulator.config import SimConfig

__all__ = ["SimConfig", "simulate", "seed_warehouse", "WarehouseNotEmpty", "TABLE_ORDER"]

# Tables in the order they are written (parents before children).
TABLE_ORDER = ("sla_policies", "queues", "vendors", "reviewers", "shifts", "incidents", "incident_events",
               "sim_spikes", "cases", "case_events", "qa_reviews", "appeals")

# Share of the total work each step represents, for the progress bar.
STEPS = (("world", 1), ("demand", 4), ("workforce", 3), ("queueing", 30), ("outcomes", 8), ("tables", 10))


def simulate(cfg: SimConfig, progress: Callable[[str, float], None] | None = None) -> dict[str, pl.DataFrame]:
    """Run the simulation; returns every contract table as a Polars frame (sorted as written).

    progress, if given, is called with (step name, fraction of that step done).
    """
    from watchfloor.simulator import contract_frames, demand, engine, incidents, outcomes, routing, workforce, world

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

    import numpy as np

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


def seed_warehouse(path, cfg: SimConfig, replace: bool = False, progress: bool = True,
                   demo: bool = False, window_days: int | None = None) -> dict[str, int]:
    """Simulate and write every contract table into the DuckDB file at path; returns row counts.

    Raises WarehouseNotEmpty (nothing touched) if the warehouse already holds cases and
    replace is false. With replace, all contract-table rows are replaced in one transaction. The
    summaries (watchfloor/summaries.py) are built by the writer before the seed becomes visible.
    window_days: None lets the writer choose (the whole period in memory up to
    writer.STREAM_ABOVE_CASES cases, else a day at a time), 0 the whole period, N > 0 windows of N days.
    """
    from watchfloor.simulator.writer import seed

    return seed(path, cfg, replace=replace, progress=progress, demo=demo, window_days=window_days)


def __getattr__(name: str):
    if name == "WarehouseNotEmpty":
        from watchfloor.simulator.writer import WarehouseNotEmpty

        return WarehouseNotEmpty
    raise AttributeError(name)
