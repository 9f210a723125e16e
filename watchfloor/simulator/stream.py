"""The simulation in time windows, for warehouses too large to hold in memory at once.

`simulate()` draws the whole period at once: its memory grows with the number of cases. `stream()`
runs the same model a window (a day) at a time and hands over the rows as they become final:

- The plan of the period is drawn first, as `simulate()` draws it, from the same streams: the
  intensity, launches, noise, spikes, bursts and the workforce. Workforce management plans from
  the period's planned work; a first pass over the windows draws their cases and paths only to
  add that up, and the second pass draws the same cases again (each window has its own streams).
- Each window's cases and their paths are drawn from that window's own streams (child streams of
  the same named streams), then the queueing core (`engine.Queueing`) runs to the window's end,
  carrying queues, reviewers and shifts across the boundary.
- The case events of the window are written in time order as the window closes (an event whose
  time falls in a later window waits for it), numbered on from the previous window.
- A case is settled once its last event has been written: its current state, QA review and
  appeal are worked out then (`outcomes.case_state`, `qa_reviews`, `appeals`, on just those
  cases), and its stages leave the queueing core. Cases rows are written at the end in creation
  order from compact arrays (about 90 bytes a case): apart from those and the warehouse's
  primary-key indexes (DuckDB keeps them in memory), memory does not grow with the period.

What differs from `simulate()` with the same seed: the cases and paths (each window draws from its
own streams) and so everything that follows from them; the account pools are sized from the
period's expected volume instead of the realised one. The plan (spikes, incidents, launches, noise,
bursts) is the same. tests/unit/test_simulator_stream.py compares both on the same options.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from types import SimpleNamespace
from typing import cast

import numpy as np
import polars as pl

from watchfloor.simulator import bursts as burst_module
from watchfloor.simulator import catalog as cat
from watchfloor.simulator import contract_frames, demand, engine, incidents, outcomes, routing, workforce, world
from watchfloor.simulator.config import STREAMS, SimConfig
from watchfloor.simulator.demand import Cases
from watchfloor.simulator.engine import Trace
from watchfloor.simulator.outcomes import AutoOutcome, CaseState, Decisions, EventLog
from watchfloor.simulator.routing import ESCALATE, Scripts

WINDOW_DAYS = 1
# Cases rows are built and handed over this many at a time at the end: two of DuckDB's row groups
# (122,880 rows), so that each insert runs on both cores (at 10M cases, frames of 100,000 took 45 s
# of the stream's end and 245,760 took 20-24 s; frames of 500,000, their Arrow copies and those
# queued took the seed past 4 GiB, 245,760 peaked at 3.9 GiB).
CASE_ROWS_PER_FRAME = 2 * 122_880

Progress = Callable[[str, float], None]
# None for an array field that the function given it never reads; the checker only sees the field's type.
_NOT_READ = cast(np.ndarray, None)


@dataclass
class _Plan:
    world: world.World
    burst_cases: tuple | None
    population: int


def _plan(cfg: SimConfig, rngs: dict[str, np.random.Generator]) -> _Plan:
    """simulate()'s plan of the period (watchfloor.simulator.world), the bursts' cases drawn at once,
    and the population the whole period is expected to bring."""
    planned = world.plan(cfg, rngs)
    grid, team_list, qt, lam, spikes, rate, burst_plan = planned
    burst_cases = burst_module.draw(list(burst_plan), rngs["bursts"]) if burst_plan else None
    expected = float(rate.sum())
    for sp in spikes:
        h0 = int(sp.t0 // 3600)
        h1 = int(min(np.ceil(sp.t1 / 3600), lam.shape[3]))
        expected += float((lam[sp.category][:, :, h0:h1] * sp.scope_mask()[:, :, None]).sum()) * (sp.multiplier - 1)
    expected += sum(b.cases for b in burst_plan)
    return _Plan(planned, burst_cases, max(int(round(expected)), 1))


def window_rngs(cfg: SimConfig, k: int) -> dict[str, np.random.Generator]:
    """Window k's streams: the k-th child of each named stream of the seed."""
    return {name: np.random.Generator(np.random.PCG64(np.random.SeedSequence(cfg.seed, spawn_key=(i, k))))
            for i, name in enumerate(STREAMS)}


def windows(cfg: SimConfig, window_days: int) -> list[tuple[int, int]]:
    """The windows as hour ranges [h0, h1) of the period."""
    hours = cfg.days * 24
    step = max(int(window_days), 1) * 24
    return [(h, min(h + step, hours)) for h in range(0, hours, step)]


def _window_cases(cfg: SimConfig, plan: _Plan, k: int, h0: int, h1: int) -> tuple[Cases, Scripts]:
    r = window_rngs(cfg, k)
    w = plan.world
    bc = None
    if plan.burst_cases is not None:
        bt = plan.burst_cases[0]
        sel = (bt >= h0 * 3600.0) & ((bt < h1 * 3600.0) | (h1 >= w.grid.hours))
        bc = tuple(a[sel] for a in plan.burst_cases)
    arr = demand.draw_arrivals(cfg, w.lam, w.spikes, r["arrivals"], w.rate, w.bursts, None,
                               hours=(h0, h1), burst_cases=bc)
    cases = demand.draw_attributes(cfg, arr, w.spikes, r, w.bursts, population=plan.population)
    scripts = routing.build_scripts(cfg, cases, w.qt, r["routing"], r["rerouting"])
    return cases, scripts


class _Columns:
    """Named arrays that grow as rows are appended (capacity doubles when full)."""

    def __init__(self, capacity: int):
        self.n = 0
        self.capacity = max(int(capacity), 16)
        self.cols: dict[str, np.ndarray] = {}

    def append(self, **arrays) -> None:
        k = len(next(iter(arrays.values())))
        if self.n + k > self.capacity:
            self.capacity = max(2 * self.capacity, self.n + k)
            for name, a in self.cols.items():
                grown = np.empty(self.capacity, dtype=a.dtype)
                grown[: self.n] = a[: self.n]
                self.cols[name] = grown
        for name, a in arrays.items():
            a = np.asarray(a)
            if name not in self.cols:
                self.cols[name] = np.empty(self.capacity, dtype=a.dtype)
            self.cols[name][self.n: self.n + k] = a
        self.n += k

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name][: self.n]


def _compact(a: np.ndarray) -> np.ndarray:
    """Account and organisation numbers are kept in 32 bits (they fit up to some 500 million cases)."""
    if a.dtype != np.int64:
        return a
    if len(a) and not (a.min() >= -2**31 and a.max() < 2**31):
        raise ValueError("account numbers beyond 32 bits: the period is too large to stream")
    return a.astype(np.int32)


def _subset(d: dict[str, np.ndarray], mask) -> dict[str, np.ndarray]:
    return {k: v[mask] for k, v in d.items()}


def _concat(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    if not a:
        return b
    return {k: np.concatenate([a[k], b[k]]) for k in a}


# Per case of the period, what the cases rows and the settling need (routed_t only the window's events).
CASE_FIELDS = tuple(f.name for f in fields(Cases) if f.name != "routed_t")
STATE_DTYPES = {"status": np.int8, "updated_t": np.float64, "queue": np.int32, "reviewer": np.int32,
                "first_action_t": np.float64, "resolved_t": np.float64, "decision": np.int8, "action": np.int8,
                "escalated": bool}


def stream(cfg: SimConfig, window_days: int = WINDOW_DAYS,
           progress: Progress | None = None) -> Iterator[tuple[str, pl.DataFrame]]:
    """Run the simulation window by window; yields (table, frame) pairs to append, every contract table
    included, case_events in time order as the windows close, the other tables at the end."""

    def report(step: str, frac: float = 1.0) -> None:
        if progress is not None:
            progress(step, frac)

    rngs = cfg.rngs()
    plan = _plan(cfg, rngs)
    w = plan.world
    horizon = cfg.horizon_s
    spans = windows(cfg, window_days)
    report("world")

    # First pass: the planned work workforce management staffs for (routing.planned_work and
    # team_handle_time over the whole period, added up window by window).
    n_cat, n_teams = len(cat.CATEGORIES), len(w.team_list)
    work_sum = np.zeros((n_cat, routing.N_REG, 3))
    base_count = np.zeros((n_cat, routing.N_REG))
    team_sum = np.zeros(n_teams)
    team_n = np.zeros(n_teams)
    for k, (h0, h1) in enumerate(spans):
        cases, sc = _window_cases(cfg, plan, k, h0, h1)
        not_spike = cases.spike < 0
        np.add.at(base_count, (cases.category[not_spike], cases.region[not_spike]), 1)
        sel = not_spike[sc.case_of]
        np.add.at(work_sum, (cases.category[sc.case_of][sel], cases.region[sc.case_of][sel], sc.tier[sel]),
                  sc.base_s[sel])
        team_sum += np.bincount(sc.team, weights=sc.base_s, minlength=n_teams)
        team_n += np.bincount(sc.team, minlength=n_teams)
        report("demand", (k + 1) / len(spans))
    work = work_sum / np.maximum(base_count, 1)[:, :, None]
    team_aht = np.where(team_n > 0, team_sum / np.maximum(team_n, 1), 300.0)
    need = workforce.requirements(cfg, w.lam, work, w.team_list)
    wf = workforce.build(cfg, w.grid, need, w.team_list, w.spikes, w.lam, work, rngs["workforce"])
    no_times = [np.zeros(0)] * len(w.spikes)
    incident_of = incidents.build_tables(cfg, w.spikes, no_times, wf.surge_per_spike)["_incident_of"]
    report("workforce")

    q = engine.Queueing(horizon, n_teams, wf.speed, wf.shift_rev, wf.shift_team, wf.shift_start, wf.shift_end,
                        wf.shift_login, team_aht)
    capacity = int(plan.population * 1.1) + 1024
    every = _Columns(capacity)                 # per case of the period: attributes, state, last event
    stages: dict[str, np.ndarray] = {}         # per stage held by the queueing core (same positions)
    human: dict[str, np.ndarray] = {}          # per human case not yet settled: case, first stage, count
    auto: dict[str, np.ndarray] = {}           # per automated case not yet settled
    carry = outcomes.EventRows()                          # events of a later window
    spike_times: list[list[np.ndarray]] = [[] for _ in w.spikes]
    qa_parts: list[dict] = []
    appeal_parts: list[dict] = []
    next_event_id = 1
    system = wf.n_reviewers
    rng_dec, rng_qa, rng_ap = rngs["decisions"], rngs["qa"], rngs["appeals"]

    for k, (h0, h1) in enumerate(spans):
        final = k == len(spans) - 1
        t0, t1 = h0 * 3600.0, h1 * 3600.0
        cases, sc = _window_cases(cfg, plan, k, h0, h1)
        n0 = every.n
        n_new = len(cases)
        # updated_t holds the time of the case's last event so far (case_state makes it the updated time).
        every.append(**{f: _compact(getattr(cases, f)) for f in CASE_FIELDS}, l1_queue=sc.l1_queue.astype(np.int32),
                     last_etype=np.full(n_new, -1, dtype=np.int8),
                     **{f: np.zeros(n_new, dtype=d) for f, d in STATE_DTYPES.items()})
        for s in range(len(w.spikes)):
            spike_times[s].append(cases.t[cases.spike == s])

        base = q.held
        nxt = np.where(sc.next >= 0, sc.next + base, -1)
        q.add(cases.routed_t[sc.human], sc.first + base, sc.team, nxt, sc.delay, sc.base_s, sc.action == ESCALATE,
              engine.stage_keys(sc, cases.priority))
        first_rev = np.zeros(len(sc.team), dtype=bool)
        first_rev[sc.first_review] = True
        m = len(sc.team)
        stages = _concat(stages, {
            "case": sc.case_of.astype(np.int64) + n0, "team": sc.team, "tier": sc.tier, "queue": sc.queue,
            "action": sc.action, "entry": sc.entry, "ordinal": sc.ordinal, "next": nxt, "first_rev": first_rev,
            "decision": np.full(m, -1, dtype=np.int8), "act": np.full(m, -1, dtype=np.int8),
            "enforce_t": np.full(m, np.nan), "resolve_t": np.full(m, np.nan), "completed": np.zeros(m, dtype=bool)})
        human = _concat(human, {"case": sc.human.astype(np.int64) + n0, "first": sc.first + base,
                                "count": sc.count.astype(np.int64)})
        au = outcomes.automate(cfg, cases, rng_dec)
        auto = _concat(auto, {"case": au.idx.astype(np.int64) + n0, "decided_t": au.decided_t, "action": au.action,
                              "enforce_t": au.enforce_t, "resolve_t": au.resolve_t})

        q.run_until(None if final else t1, progress=None)
        enq = np.asarray(q.enq, dtype=np.float64)
        asg = np.asarray(q.asg, dtype=np.float64)
        cmp_ = np.asarray(q.cmp, dtype=np.float64)
        who = np.asarray(q.who, dtype=np.int32)

        def in_window(x: np.ndarray, t0: float = t0, t1: float = t1, final: bool = final) -> np.ndarray:
            return (x >= t0) & ((x <= horizon) if final else (x < t1))

        # Decisions of the reviews completed in this window.
        done = in_window(cmp_)
        if done.any():
            sub = SimpleNamespace(team=stages["team"][done], action=stages["action"][done],
                                  case_of=stages["case"][done], tier=stages["tier"][done], entry=stages["entry"][done])
            view = SimpleNamespace(category=every["category"], violating=every["violating"], source=every["source"])
            dec = outcomes.decide(cfg, view, sub, SimpleNamespace(cmp=cmp_[done], reviewer=who[done]), wf, rng_dec)
            stages["decision"][done] = dec.decision
            stages["act"][done] = dec.action
            stages["enforce_t"][done] = dec.enforce_t
            stages["resolve_t"][done] = dec.resolve_t
            stages["completed"][done] = dec.completed

        ev = carry
        outcomes.new_case_events(ev, cases, sc, n0, horizon, system)
        outcomes.stage_events(ev, stages, enq, asg, cmp_, who, in_window, every["category"], every["source"],
                              system, rng_dec)
        a_new = auto["case"] >= n0
        outcomes.auto_events(ev, {k2: v[a_new] for k2, v in auto.items()}, every["classifier"], system)
        case, t, ordv, etype, actor, queue, detail = ev.columns()
        t_ms = np.floor(t * 1000.0).astype(np.int64)
        order = np.lexsort((ordv, case, t_ms))
        now = np.ones(len(t), dtype=bool) if final else (t[order] < t1)
        take, later = order[now], order[~now]
        carry = outcomes.EventRows()
        if len(later):
            carry.parts.append(tuple(col[later] for col in (case, t, ordv, etype, actor, queue, detail)))
        if len(take):
            log = EventLog(case[take], t[take], etype[take], actor[take], queue[take], detail[take])
            # The last event of each case so far (events come in time order, windows too).
            rev_case = log.case[::-1]
            uniq, first_from_end = np.unique(rev_case, return_index=True)
            last_pos = len(log.case) - 1 - first_from_end
            every.cols["last_etype"][uniq] = log.etype[last_pos]
            every.cols["updated_t"][uniq] = log.t[last_pos]
            yield "case_events", contract_frames.events_frame(cfg, log, None, w.qt, wf, first_id=next_event_id)
            next_event_id += len(take)
        del ev, case, t, ordv, etype, actor, queue, detail, t_ms, order

        # Settle the cases whose last event has been written.
        last_stage = human["first"] + human["count"] - 1
        settled_h = np.ones(len(last_stage), dtype=bool) if final else (
            stages["completed"][last_stage] & (stages["resolve_t"][last_stage] < t1))
        settled_a = np.ones(len(auto["case"]), dtype=bool) if final else (auto["resolve_t"] < t1)
        stage_done = np.repeat(settled_h, human["count"])
        tr = q.release(stage_done)
        batch_stages = _subset(stages, stage_done)
        stages = _subset(stages, ~stage_done)
        new_id = np.cumsum(~stage_done) - 1
        stages["next"] = np.where(stages["next"] >= 0, new_id[np.maximum(stages["next"], 0)], -1)
        batch_h = _subset(human, settled_h)
        human = _subset(human, ~settled_h)
        human["first"] = new_id[human["first"]] if len(human["first"]) else human["first"]
        batch_a = _subset(auto, settled_a)
        auto = _subset(auto, ~settled_a)
        qa, ap = _settle(cfg, every, batch_h, batch_stages, tr, batch_a, wf, rng_qa, rng_ap)
        qa_parts.append(qa)
        appeal_parts.append(ap)
        report("queueing", (k + 1) / len(spans))

    wf.shift_end = np.asarray(q.s_act)
    del q, stages, human, auto, carry
    yield from _final_tables(cfg, plan, wf, every, incident_of, spike_times, qa_parts, appeal_parts, report)


def _settle(cfg: SimConfig, every: _Columns, h: dict, st: dict, tr: Trace, a: dict, wf, rng_qa, rng_ap):
    """Current state, QA reviews and appeals of settled cases (outcomes' functions on just these cases)."""
    cases_g = np.sort(np.concatenate([h["case"], a["case"]]))
    n = len(cases_g)
    if n == 0:
        return {}, {}
    cases = Cases(**{f: every[f][cases_g] for f in CASE_FIELDS}, routed_t=_NOT_READ)
    count = h["count"]
    first = np.zeros(len(count), dtype=np.int64)
    if len(count):
        first[1:] = np.cumsum(count)[:-1]
    human_local = np.searchsorted(cases_g, h["case"])
    total = int(count.sum())
    nxt = np.arange(1, total + 1, dtype=np.int64)
    nxt[first + count - 1] = -1
    zeros = np.zeros(total)
    sc = Scripts(human_local, np.repeat(human_local, count), first, count, st["team"], st["tier"], st["queue"],
                 st["action"], st["entry"], zeros, zeros, nxt, st["ordinal"], every["l1_queue"][cases_g],
                 np.flatnonzero(st["first_rev"]))
    dec = Decisions(st["decision"], st["act"], st["enforce_t"], st["resolve_t"], st["completed"])
    au = AutoOutcome(np.searchsorted(cases_g, a["case"]), a["decided_t"], a["action"], a["enforce_t"],
                     a["resolve_t"])
    last = EventLog(np.arange(n), every["updated_t"][cases_g], every["last_etype"][cases_g], _NOT_READ, _NOT_READ, _NOT_READ)
    state = outcomes.case_state(cfg, cases, sc, tr, dec, au, last)
    for f in STATE_DTYPES:
        every.cols[f][cases_g] = getattr(state, f)
    qa = outcomes.qa_reviews(cfg, cases, sc, tr, dec, state, wf, rng_qa)
    qa["case"] = cases_g[qa["case"]]
    ap = outcomes.appeals(cfg, cases, state, rng_ap)
    ap["case"] = cases_g[ap["case"]]
    return qa, ap


def _final_tables(cfg, plan: _Plan, wf, every: _Columns, incident_of, spike_times, qa_parts, appeal_parts,
                  report) -> Iterator[tuple[str, pl.DataFrame]]:
    w = plan.world
    n = every.n
    for lo in range(0, n, CASE_ROWS_PER_FRAME):
        hi = min(lo + CASE_ROWS_PER_FRAME, n)
        cases = Cases(**{f: every[f][lo:hi] for f in CASE_FIELDS}, routed_t=_NOT_READ)
        state = CaseState(**{f: every[f][lo:hi] for f in STATE_DTYPES}, final_stage=_NOT_READ)
        yield "cases", contract_frames.cases_frame(cfg, cases, state, w.qt, wf, incident_of,
                                          contract_frames.case_id_series(np.arange(lo, hi)))
        report("tables", hi / max(n, 1))
    qa = _joined(qa_parts)
    if qa:
        order = np.lexsort((qa["case"], qa["reviewed_t"]))
        yield "qa_reviews", contract_frames.qa_frame(cfg, {k: v[order] for k, v in qa.items()}, None, wf)
    ap = _joined(appeal_parts)
    if ap:
        order = np.lexsort((ap["case"], ap["filed_t"]))
        yield "appeals", contract_frames.appeals_frame(cfg, {k: v[order] for k, v in ap.items()}, None)
    times = [np.sort(np.concatenate(p)) if p else np.zeros(0) for p in spike_times]
    inc = incidents.build_tables(cfg, w.spikes, times, wf.surge_per_spike)
    inc.pop("_incident_of")
    yield "sla_policies", contract_frames.sla_policies()
    yield "queues", contract_frames.queues(w.qt)
    yield "vendors", contract_frames.vendors(cfg)
    yield "reviewers", contract_frames.reviewers(cfg, wf)
    yield "shifts", contract_frames.shifts(cfg, wf, w.qt, w.team_list)
    for name in ("incidents", "incident_events", "sim_spikes"):
        yield name, inc[name]


def _joined(parts: list[dict]) -> dict:
    parts = [p for p in parts if p]
    if not parts:
        return {}
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
