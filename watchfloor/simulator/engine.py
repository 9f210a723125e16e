"""The queueing core: a discrete-event simulation of every team as a multi-server
queue whose servers are the reviewers currently on shift.

Events, in time order: a case enters a team's queue (routed, info received,
escalated, reopened), a review completes, a shift starts, a shift ends. A
reviewer who is on shift and free takes the waiting case with the highest
priority (FIFO within a priority); a free reviewer with nothing to do waits
for the next arrival. Reviewers take no new case in the last minutes of their
shift and finish the case in hand after the shift ends, so capacity thins at
shift changes. When a team's backlog would take more than two hours to clear at
the end of a shift, the reviewer works two hours of overtime (at most twice). Waiting times, backlogs and SLA breaches are therefore the
result of arrivals versus staffed capacity; nothing here draws a wait.

This loop is the only pure-Python part of the simulator: a heap of pending
events, per-team heaps of waiting cases and deques of idle reviewers.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass
from typing import Callable

import numpy as np

from watchfloor.simulator import catalog as cat
from watchfloor.simulator.routing import ESCALATE, Scripts

_OFF, _IDLE, _BUSY, _DONE = 0, 1, 2, 3


@dataclass
class Trace:
    """Per stage: when it entered its queue, was assigned, completed (NaN: not by the end)."""

    enq: np.ndarray
    asg: np.ndarray
    cmp: np.ndarray
    reviewer: np.ndarray
    shift_end: np.ndarray    # per shift: actual end, including overtime


def run(horizon: float, routed_t: np.ndarray, scripts: Scripts, priority: np.ndarray, n_teams: int,
        speed: np.ndarray, shift_rev: np.ndarray, shift_team: np.ndarray, shift_start: np.ndarray,
        shift_end: np.ndarray, shift_login: np.ndarray, team_aht: np.ndarray,
        progress: Callable[[float], None] | None = None) -> Trace:
    nan = float("nan")
    inf = float("inf")
    n_stages = len(scripts.team)
    enq = [nan] * n_stages
    asg = [nan] * n_stages
    cmp_ = [nan] * n_stages
    who = [-1] * n_stages

    st_team = scripts.team.tolist()
    st_next = scripts.next.tolist()
    st_delay = scripts.delay.tolist()
    st_base = scripts.base_s.tolist()
    st_esc = (scripts.action == ESCALATE).tolist()
    # priority key: P0 waits before P1 ...; within a priority, earliest entry first
    st_key = (priority[scripts.case_of].astype(np.float64) * 1e10).tolist()

    # initial arrivals (routed), sorted by time
    first = scripts.first
    rt = routed_t[scripts.human]
    order = np.argsort(rt, kind="stable")
    arr_t = rt[order].tolist()
    arr_sid = first[order].tolist()
    n_arr = len(arr_t)

    n_rev = len(speed)
    spd = speed.tolist()
    state = [_OFF] * n_rev
    rteam = [-1] * n_rev
    rcut = [0.0] * n_rev
    rend = [0.0] * n_rev

    waits: list[list] = [[] for _ in range(n_teams)]
    idle: list[deque] = [deque() for _ in range(n_teams)]

    wrap = cat.SHIFT_WRAP_UP_MIN * 60.0
    events: list[tuple] = []
    s_rev = shift_rev.tolist()
    s_team = shift_team.tolist()
    s_start = (shift_start + shift_login).tolist()
    s_end = shift_end.tolist()
    s_act = list(s_end)
    ot_used = [0] * len(s_rev)
    on_shift = [0] * n_teams
    # overtime: a reviewer stays longer when the team's backlog needs more than this to clear
    ot_backlog = (cat.OVERTIME_BACKLOG_HOURS * 3600.0 / np.maximum(team_aht, 1.0)).tolist()
    ot_len = cat.OVERTIME_HOURS * 3600.0
    ot_max = cat.OVERTIME_MAX_EXTENSIONS
    for x in range(len(s_rev)):
        if s_team[x] < 0:
            continue  # QA shifts do not work queues
        # kinds: 0 completion, 1 re-entry, 2 shift end, 3 shift start
        events.append((s_start[x], 3, x))
        events.append((s_end[x], 2, x))
    heapq.heapify(events)

    heappush = heapq.heappush
    heappop = heapq.heappop
    ai = 0
    next_report = 86400.0

    while True:
        ta = arr_t[ai] if ai < n_arr else inf
        th = events[0][0] if events else inf
        if ta < th:
            t = ta
            if t > horizon:
                break
            sid = arr_sid[ai]
            ai += 1
            kind = 1
        else:
            t = th
            if t > horizon:
                break
            _, kind, sid = heappop(events)
        if t >= next_report and progress is not None:
            progress(min(t, horizon))
            next_report += 86400.0

        if kind == 0:
            # a review completes
            r = who[sid]
            nx = st_next[sid]
            if nx >= 0:
                if st_esc[sid]:
                    # escalated: enters the next team's queue now
                    p = st_team[nx]
                    enq[nx] = t
                    il = idle[p]
                    placed = False
                    while il:
                        r2 = il.popleft()
                        if rcut[r2] > t:
                            asg[nx] = t
                            who[nx] = r2
                            c = t + st_base[nx] * spd[r2]
                            cmp_[nx] = c
                            state[r2] = _BUSY
                            heappush(events, (c, 0, nx))
                            placed = True
                            break
                        state[r2] = _DONE
                    if not placed:
                        heappush(waits[p], (st_key[nx] + t, nx))
                else:
                    heappush(events, (t + st_delay[sid], 1, nx))
            # the reviewer takes the next case, if still taking cases
            if t < rcut[r]:
                w = waits[rteam[r]]
                if w:
                    _, nsid = heappop(w)
                    asg[nsid] = t
                    who[nsid] = r
                    c = t + st_base[nsid] * spd[r]
                    cmp_[nsid] = c
                    heappush(events, (c, 0, nsid))
                else:
                    state[r] = _IDLE
                    idle[rteam[r]].append(r)
            else:
                state[r] = _OFF if t >= rend[r] else _DONE
        elif kind == 1:
            # a case enters its team's queue (routed, info received, reopened)
            p = st_team[sid]
            enq[sid] = t
            il = idle[p]
            placed = False
            while il:
                r2 = il.popleft()
                if rcut[r2] > t:
                    asg[sid] = t
                    who[sid] = r2
                    c = t + st_base[sid] * spd[r2]
                    cmp_[sid] = c
                    state[r2] = _BUSY
                    heappush(events, (c, 0, sid))
                    placed = True
                    break
                state[r2] = _DONE
            if not placed:
                heappush(waits[p], (st_key[sid] + t, sid))
        elif kind == 3:
            # shift start
            r = s_rev[sid]
            p = s_team[sid]
            rteam[r] = p
            rend[r] = s_end[sid]
            rcut[r] = s_end[sid] - wrap
            on_shift[p] += 1
            if t >= rcut[r]:
                state[r] = _DONE
                continue
            w = waits[p]
            if w:
                _, nsid = heappop(w)
                asg[nsid] = t
                who[nsid] = r
                c = t + st_base[nsid] * spd[r]
                cmp_[nsid] = c
                state[r] = _BUSY
                heappush(events, (c, 0, nsid))
            else:
                state[r] = _IDLE
                idle[p].append(r)
        else:
            # shift end
            r = s_rev[sid]
            p = s_team[sid]
            st = state[r]
            if ot_used[sid] < ot_max and len(waits[p]) > ot_backlog[p] * on_shift[p]:
                # backlog too large: overtime
                ot_used[sid] += 1
                ne = t + ot_len
                s_act[sid] = ne
                rend[r] = ne
                rcut[r] = ne - wrap
                heappush(events, (ne, 2, sid))
                if st == _DONE or st == _IDLE:
                    if st == _IDLE:
                        idle[p].remove(r)
                    w = waits[p]
                    if w:
                        _, nsid = heappop(w)
                        asg[nsid] = t
                        who[nsid] = r
                        c = t + st_base[nsid] * spd[r]
                        cmp_[nsid] = c
                        state[r] = _BUSY
                        heappush(events, (c, 0, nsid))
                    else:
                        state[r] = _IDLE
                        idle[p].append(r)
                continue
            on_shift[p] -= 1
            if st == _IDLE:
                idle[rteam[r]].remove(r)
                state[r] = _OFF
            elif st == _DONE:
                state[r] = _OFF
            # busy reviewers finish the case in hand, then leave

    return Trace(np.array(enq), np.array(asg), np.array(cmp_), np.array(who, dtype=np.int32), np.array(s_act))
