"""Outcomes: decisions, enforcement, the event log, the cases' current state,
QA reviews and appeals. Everything here is vectorised over the engine's trace.

Decisions depend on who decided: each reviewer has an error rate (vendor base
rate x individual factor, higher for new hires), scaled by the category's
difficulty and lowered at L2/SME. The ground truth of every case is drawn
with its attributes, so QA disagreement and appeal overturns follow from the
errors actually made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from watchfloor.simulator import catalog as cat
from watchfloor.simulator import texts
from watchfloor.simulator.config import SimConfig, choose
from watchfloor.simulator.demand import Cases
from watchfloor.simulator.engine import Trace
from watchfloor.simulator.routing import (
    DECIDE,
    ENTRY_ESCALATED,
    ENTRY_INFO,
    ENTRY_REOPENED,
    ENTRY_RETURNED,
    ESCALATE,
    PEND,
    REROUTE,
    QueueTable,
    Scripts,
)
from watchfloor.simulator.workforce import Workforce

EVENT_TYPES = ("created", "routed", "assigned", "first_action", "pending_info", "info_received",
               "escalated", "decided", "enforced", "reopened", "resolved")
ET = {name: i for i, name in enumerate(EVENT_TYPES)}
# Case status after each event type (decided/enforced are always followed by resolved).
STATUS_AFTER = {"created": "new", "routed": "queued", "assigned": "in_review", "first_action": "in_review",
                "pending_info": "pending_info", "info_received": "queued", "escalated": "escalated",
                "decided": "in_review", "enforced": "in_review", "reopened": "queued", "resolved": "resolved"}

DETAILS: tuple[str, ...] = (cat.SOURCES + cat.DECISIONS + cat.ACTIONS + texts.PENDING_REASONS
                            + texts.ESCALATION_REASONS + texts.REOPEN_REASONS + texts.REROUTE_REASONS
                            + texts.RETURN_REASONS)
D_SOURCE = 0
D_DECISION = len(cat.SOURCES)
D_ACTION = D_DECISION + len(cat.DECISIONS)
D_PENDING = D_ACTION + len(cat.ACTIONS)
D_ESCALATION = D_PENDING + len(texts.PENDING_REASONS)
D_REOPEN = D_ESCALATION + len(texts.ESCALATION_REASONS)
D_REROUTE = D_REOPEN + len(texts.REOPEN_REASONS)
D_RETURN = D_REROUTE + len(texts.REROUTE_REASONS)


@dataclass
class Decisions:
    decision: np.ndarray     # per stage: decision code or -1
    action: np.ndarray       # per stage: action code or -1
    enforce_t: np.ndarray    # per stage: enforced time (NaN if none)
    resolve_t: np.ndarray    # per stage: resolved time (NaN if not a completed decision)
    completed: np.ndarray    # per stage: completed by the end


# What decide() reads of the cases, the stages and the trace: the live feed passes just these,
# for the reviews completed in its window (Cases, Scripts and Trace have them too).
class CaseTruth(Protocol):
    category: np.ndarray
    violating: np.ndarray
    source: np.ndarray


class ReviewStages(Protocol):
    team: np.ndarray
    action: np.ndarray
    case_of: np.ndarray
    tier: np.ndarray
    entry: np.ndarray


class ReviewTimes(Protocol):
    cmp: np.ndarray
    reviewer: np.ndarray


def decide(cfg: SimConfig, cases: CaseTruth, sc: ReviewStages, tr: ReviewTimes, wf: Workforce,
           rng: np.random.Generator) -> Decisions:
    horizon = cfg.horizon_s
    n = len(sc.team)
    completed = np.isfinite(tr.cmp) & (tr.cmp <= horizon)
    is_decide = (sc.action == DECIDE) & completed
    case = sc.case_of
    c = cases.category[case]
    truth = cases.violating[case]
    rev = np.maximum(tr.reviewer, 0)
    difficulty = np.array([k.difficulty for k in cat.CATEGORIES])[c]
    tier_f = np.array([cat.TIER_ERROR_FACTOR[t] for t in cat.TIERS])[sc.tier]
    p_err = np.minimum(wf.error[rev] * difficulty * tier_f, 0.45)
    wrong = rng.random(n) < p_err
    p_ins = 0.008 + np.where(cases.source[case] == cat.SOURCES.index("user_report"), 0.02, 0.0)
    p_ins = np.where(sc.entry == ENTRY_INFO, p_ins * 0.5, p_ins)
    insufficient = rng.random(n) < p_ins
    decided_viol = np.where(wrong, ~truth, truth)
    decision = np.where(insufficient, 2, np.where(decided_viol, 0, 1)).astype(np.int8)
    acts = np.array([k.actions for k in cat.CATEGORIES])
    action = np.where(decision == 0, choose(rng, c.astype(np.int64), acts), 0).astype(np.int8)
    decision = np.where(is_decide, decision, -1).astype(np.int8)
    action = np.where(is_decide, action, -1).astype(np.int8)
    e1 = rng.uniform(2.0, 30.0, n)
    e2 = rng.uniform(1.0, 10.0, n)
    enforce_t = np.where(is_decide & (action > 0), np.minimum(tr.cmp + e1, horizon), np.nan)
    resolve_t = np.where(is_decide, np.minimum(tr.cmp + np.where(action > 0, e1, 0.0) + e2, horizon), np.nan)
    return Decisions(decision, action, enforce_t, resolve_t, completed)


@dataclass
class AutoOutcome:
    idx: np.ndarray          # case indices of automated cases
    decided_t: np.ndarray
    action: np.ndarray
    enforce_t: np.ndarray
    resolve_t: np.ndarray


def automate(cfg: SimConfig, cases: Cases, rng: np.random.Generator) -> AutoOutcome:
    horizon = cfg.horizon_s
    idx = np.flatnonzero(cases.automated)
    m = len(idx)
    c = cases.category[idx].astype(np.int64)
    decided = np.minimum(cases.t[idx] + rng.uniform(0.3, 4.0, m), horizon)
    action = choose(rng, c, np.array([k.auto_actions for k in cat.CATEGORIES])).astype(np.int8)
    enforce = np.minimum(decided + rng.uniform(1.0, 8.0, m), horizon)
    resolve = np.minimum(enforce + rng.uniform(0.5, 3.0, m), horizon)
    return AutoOutcome(idx, decided, action, enforce, resolve)


@dataclass
class EventLog:
    case: np.ndarray
    t: np.ndarray
    etype: np.ndarray
    actor: np.ndarray        # code: reviewer index, or n_reviewers + k for system actors, -1 null
    queue: np.ndarray        # queue index or -1
    detail: np.ndarray       # index into DETAILS or -1


def system_actors() -> list[str]:
    return ["system"] + [f"auto:{k.name}" for k in cat.CLASSIFIERS]


class EventRows:
    """Event rows being put together: (case number, time, order within the time, type, actor, queue, detail)."""

    def __init__(self):
        self.parts: list[tuple] = []

    def add(self, case, t, ordv, etype, actor, queue, detail) -> None:
        k = len(case)
        if k == 0:
            return
        self.parts.append((np.asarray(case, dtype=np.int64), np.asarray(t, dtype=np.float64),
                           np.broadcast_to(np.asarray(ordv, dtype=np.int16), (k,)),
                           np.full(k, ET[etype], dtype=np.int8),
                           np.broadcast_to(np.asarray(actor, dtype=np.int32), (k,)),
                           np.broadcast_to(np.asarray(queue, dtype=np.int32), (k,)),
                           np.broadcast_to(np.asarray(detail, dtype=np.int16), (k,))))

    def columns(self) -> list[np.ndarray]:
        if not self.parts:
            return [np.zeros(0, dtype=d) for d in (np.int64, np.float64, np.int16, np.int8, np.int32, np.int32,
                                                   np.int16)]
        return [np.concatenate([p[i] for p in self.parts]) for i in range(7)]


def new_case_events(ev: EventRows, cases: Cases, sc: Scripts, n0: int, horizon: float, system: int) -> None:
    """created for every new case, routed for the human ones (routed within the period)."""
    n = len(cases)
    ev.add(np.arange(n) + n0, cases.t, 0, "created", -1, -1, D_SOURCE + cases.source.astype(np.int16))
    h = sc.human
    routed = cases.routed_t[h] <= horizon
    ev.add(h[routed] + n0, cases.routed_t[h][routed], 1, "routed", system, sc.l1_queue[h][routed], -1)


def stage_events(ev: EventRows, st: dict, enq, asg, cmp_, who, in_window, category_of, source_of, system: int,
                 rng: np.random.Generator) -> None:
    """The events of the reviews (st: per stage case, ordinal, queue, entry, action, next, first_rev and
    the decisions drawn) that entered their queue, were assigned or completed at times in_window
    accepts; category_of and source_of are indexed by case."""
    case = st["case"]
    base_ord = st["ordinal"].astype(np.int16) * 8
    queue = st["queue"]
    entered = in_window(enq)
    m = entered & (st["entry"] == ENTRY_INFO)
    ev.add(case[m], enq[m], base_ord[m] + 1, "info_received", system, queue[m], -1)
    m = entered & (st["entry"] == ENTRY_REOPENED)
    ev.add(case[m], enq[m], base_ord[m] + 1, "reopened", system, queue[m],
           D_REOPEN + rng.integers(0, len(texts.REOPEN_REASONS), m.sum()))
    m = in_window(asg)
    ev.add(case[m], asg[m], base_ord[m] + 2, "assigned", who[m], queue[m], -1)
    done = in_window(cmp_)
    action = st["action"]
    m = done & st["first_rev"]
    ev.add(case[m], cmp_[m], base_ord[m] + 3, "first_action", who[m], queue[m], -1)
    m = done & (action == PEND)
    category = category_of[case[m]]
    source = source_of[case[m]]
    pend_reason = np.where(np.isin(category, [cat.CATEGORY_INDEX["ip"]]), 2,
                           np.where(source == cat.SOURCES.index("law_enforcement"), 3,
                                    rng.integers(0, 2, m.sum())))
    ev.add(case[m], cmp_[m], base_ord[m] + 4, "pending_info", who[m], queue[m], D_PENDING + pend_reason)
    m = done & (action == ESCALATE)
    nxt = st["next"][m]
    ev.add(case[m], cmp_[m], base_ord[m] + 4, "escalated", who[m], queue[nxt],
           D_ESCALATION + rng.integers(0, len(texts.ESCALATION_REASONS), m.sum()))
    m = done & (action == REROUTE)
    nxt = st["next"][m]
    returned = st["entry"][nxt] == ENTRY_RETURNED
    reason = np.where(returned, D_RETURN + case[m] % len(texts.RETURN_REASONS), D_REROUTE)
    ev.add(case[m], cmp_[m], base_ord[m] + 4, "routed", who[m], queue[nxt], reason)
    m = done & (action == DECIDE)
    ev.add(case[m], cmp_[m], base_ord[m] + 4, "decided", who[m], queue[m], D_DECISION + st["decision"][m])
    me = m & (st["act"] > 0)
    ev.add(case[me], st["enforce_t"][me], base_ord[me] + 5, "enforced", system, queue[me], D_ACTION + st["act"][me])
    ev.add(case[m], st["resolve_t"][m], base_ord[m] + 6, "resolved", who[m], queue[m], -1)


def auto_events(ev: EventRows, a: dict, classifier_of, system: int) -> None:
    """The events of automated decisions (a: case, decided_t, action, enforce_t, resolve_t)."""
    actor = system + 1 + classifier_of[a["case"]].astype(np.int32)
    ev.add(a["case"], a["decided_t"], 3, "first_action", actor, -1, -1)
    ev.add(a["case"], a["decided_t"], 4, "decided", actor, -1, D_DECISION + 0)
    ev.add(a["case"], a["enforce_t"], 5, "enforced", system, -1, D_ACTION + a["action"])
    ev.add(a["case"], a["resolve_t"], 6, "resolved", actor, -1, -1)


def build_events(cfg: SimConfig, cases: Cases, sc: Scripts, tr: Trace, dec: Decisions, auto: AutoOutcome,
                 qt: QueueTable, n_reviewers: int, rng: np.random.Generator) -> EventLog:
    horizon = cfg.horizon_s
    ev = EventRows()
    new_case_events(ev, cases, sc, 0, horizon, n_reviewers)
    first_rev = np.zeros(len(sc.team), dtype=bool)
    first_rev[sc.first_review] = True
    stages = {"case": sc.case_of, "ordinal": sc.ordinal, "queue": sc.queue, "entry": sc.entry, "action": sc.action,
              "next": sc.next, "first_rev": first_rev, "decision": dec.decision, "act": dec.action,
              "enforce_t": dec.enforce_t, "resolve_t": dec.resolve_t}
    stage_events(ev, stages, tr.enq, tr.asg, tr.cmp, tr.reviewer, lambda x: np.isfinite(x) & (x <= horizon),
                 cases.category, cases.source, n_reviewers, rng)
    auto_events(ev, {"case": auto.idx, "decided_t": auto.decided_t, "action": auto.action,
                     "enforce_t": auto.enforce_t, "resolve_t": auto.resolve_t}, cases.classifier, n_reviewers)
    ev_case, ev_t, ev_ord, etype, actor, queue, detail = ev.columns()
    t_ms = np.floor(ev_t * 1000.0).astype(np.int64)
    span = (int(ev_case.max()) + 1) * 64 if len(ev_case) else 64
    if t_ms.max(initial=0) < (2**62) // span:
        key = t_ms * span + ev_case * 64 + ev_ord
        order = np.argsort(key, kind="stable")
    else:
        order = np.lexsort((ev_ord, ev_case, t_ms))
    return EventLog(ev_case[order], ev_t[order], etype[order], actor[order], queue[order], detail[order])


@dataclass
class CaseState:
    status: np.ndarray          # index into catalog status list
    updated_t: np.ndarray
    queue: np.ndarray
    reviewer: np.ndarray        # -1 when nobody holds it
    first_action_t: np.ndarray
    resolved_t: np.ndarray
    decision: np.ndarray        # -1 unless resolved
    action: np.ndarray
    escalated: np.ndarray
    final_stage: np.ndarray     # stage that decided the case (-1 if none / automated)


STATUSES = ("new", "queued", "in_review", "pending_info", "escalated", "resolved")


def case_state(cfg: SimConfig, cases: Cases, sc: Scripts, tr: Trace, dec: Decisions, auto: AutoOutcome,
               ev: EventLog) -> CaseState:
    n = len(cases)
    # last event of each case (events are in time order)
    order = np.argsort(ev.case, kind="stable")
    sorted_case = ev.case[order]
    last_pos = np.searchsorted(sorted_case, np.arange(n), side="right") - 1
    last = order[last_pos]
    status_of_type = np.array([STATUSES.index(STATUS_AFTER[e]) for e in EVENT_TYPES], dtype=np.int8)
    status = status_of_type[ev.etype[last]]
    updated = ev.t[last]

    queue = sc.l1_queue.astype(np.int32).copy()
    reviewer = np.full(n, -1, dtype=np.int32)
    first_action = np.full(n, np.nan)
    resolved = np.where(status == STATUSES.index("resolved"), updated, np.nan)
    decision = np.full(n, -1, dtype=np.int8)
    action = np.full(n, -1, dtype=np.int8)
    escalated = np.zeros(n, dtype=bool)
    final_stage = np.full(n, -1, dtype=np.int64)

    entered = np.isfinite(tr.enq)
    h = sc.human
    if len(h):
        n_entered = np.add.reduceat(entered.astype(np.int64), sc.first)
        has = n_entered > 0
        cur = sc.first + np.maximum(n_entered, 1) - 1
        queue[h[has]] = sc.queue[cur[has]]
        st = status[h]
        holding = has & np.isin(st, [STATUSES.index("in_review"), STATUSES.index("pending_info"),
                                     STATUSES.index("resolved")])
        reviewer[h[holding]] = tr.reviewer[cur[holding]]
        fa = dec.completed[sc.first_review]
        first_action[h[fa]] = tr.cmp[sc.first_review[fa]]
        res = st == STATUSES.index("resolved")
        decision[h[res]] = dec.decision[cur[res]]
        action[h[res]] = dec.action[cur[res]]
        final_stage[h[res]] = cur[res]
        esc = np.add.reduceat((entered & (sc.entry == ENTRY_ESCALATED)).astype(np.int64), sc.first) > 0
        escalated[h] = esc
    a = auto.idx
    first_action[a] = auto.decided_t
    ares = status[a] == STATUSES.index("resolved")
    decision[a[ares]] = 0
    action[a[ares]] = auto.action[ares]
    # an automated decision counts as a first action only once it has happened
    first_action[a[status[a] == STATUSES.index("new")]] = np.nan
    first_action[a] = np.where(auto.decided_t <= cfg.horizon_s, first_action[a], np.nan)
    return CaseState(status, updated, queue, reviewer, first_action, resolved, decision, action, escalated,
                     final_stage)


def qa_reviews(cfg: SimConfig, cases: Cases, sc: Scripts, tr: Trace, dec: Decisions, state: CaseState,
               wf: Workforce, rng: np.random.Generator) -> dict[str, np.ndarray]:
    horizon = cfg.horizon_s
    cand = np.flatnonzero(state.final_stage >= 0)
    pick = cand[rng.random(len(cand)) < cfg.qa_rate]
    stage = state.final_stage[pick]
    target = state.resolved_t[pick] + np.clip(rng.lognormal(np.log(20 * 3600.0), 0.8, len(pick)), 1800.0, None)
    region = cases.region[pick]
    reviewed = np.full(len(pick), np.nan)
    qa_rev = np.full(len(pick), -1, dtype=np.int32)
    qa_ids = np.flatnonzero(wf.is_qa)
    qa_shift = wf.shift_team < 0
    for r in range(len(cat.REGIONS)):
        staff = qa_ids[wf.region[qa_ids] == r]
        sel = np.flatnonzero(region == r)
        if len(staff) == 0 or len(sel) == 0:
            continue
        who = staff[rng.integers(0, len(staff), len(sel))]
        for q in staff:
            rows = sel[who == q]
            m = qa_shift & (wf.shift_rev == q)
            starts = wf.shift_start[m]
            ends = wf.shift_end[m]
            o = np.argsort(ends)
            starts, ends = starts[o], ends[o]
            if len(ends) == 0:
                continue
            i = np.searchsorted(ends, target[rows], side="right")
            ok = i < len(ends)
            ii = np.minimum(i, len(ends) - 1)
            begin = np.maximum(target[rows], starts[ii])
            when = begin + rng.random(len(rows)) * np.maximum(ends[ii] - begin, 0) * 0.9
            reviewed[rows] = np.where(ok, when, np.nan)
            qa_rev[rows] = q
    keep = np.isfinite(reviewed) & (reviewed <= horizon)
    pick, stage, reviewed, qa_rev = pick[keep], stage[keep], reviewed[keep], qa_rev[keep]
    m = len(pick)
    truth = np.where(cases.violating[pick], 0, 1)
    golden = rng.random(m) < 0.2
    difficulty = np.array([k.difficulty for k in cat.CATEGORIES])[cases.category[pick]]
    qa_wrong = (~golden) & (rng.random(m) < 0.012 * difficulty)
    qa_dec = np.where(qa_wrong, 1 - truth, truth)
    qa_dec = np.where((~golden) & (rng.random(m) < 0.005), 2, qa_dec)
    order = np.lexsort((pick, reviewed))
    return {"case": pick[order], "reviewer": tr.reviewer[stage][order], "qa_reviewer": qa_rev[order],
            "reviewed_t": reviewed[order], "original": state.decision[pick][order], "qa": qa_dec[order],
            "golden": golden[order]}


APPEAL_RATE = np.array([0.0, 0.03, 0.06, 0.10, 0.18, 0.25, 0.05])  # by action code


def appeals(cfg: SimConfig, cases: Cases, state: CaseState, rng: np.random.Generator) -> dict[str, np.ndarray]:
    horizon = cfg.horizon_s
    actioned = np.flatnonzero(state.action > 0)
    p = APPEAL_RATE[state.action[actioned]]
    pick = actioned[rng.random(len(actioned)) < p]
    filed = state.resolved_t[pick] + np.clip(rng.lognormal(np.log(2 * 86400.0), 0.8, len(pick)), 3600.0, None)
    keep = filed <= horizon
    pick, filed = pick[keep], filed[keep]
    m = len(pick)
    done_t = filed + np.clip(rng.lognormal(np.log(3 * 86400.0), 0.7, m), 7200.0, None)
    wrong = ~cases.violating[pick]
    p_over = np.where(wrong, np.where(cases.automated[pick], 0.75, 0.70), 0.04)
    over = rng.random(m) < p_over
    finished = done_t <= horizon
    outcome = np.where(finished, np.where(over, 1, 0), 2)  # upheld, overturned, pending
    order = np.lexsort((pick, filed))
    return {"case": pick[order], "filed_t": filed[order],
            "resolved_t": np.where(finished, done_t, np.nan)[order], "outcome": outcome[order]}
