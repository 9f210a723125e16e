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

`Queueing` runs the loop in time windows: stages are added as their cases are
created, `run_until` processes every event before the window's end, and
`release` hands back the trace of finished stages and forgets them, so the
state held stays the size of the open work, not of the period. Events are
processed in the same order whatever the windows, so the trace is the same.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

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


class Queueing:
    """The queueing loop with its state (queues, reviewers, shifts, pending events) kept between calls."""

    def __init__(self, horizon: float, n_teams: int, speed: np.ndarray, shift_rev: np.ndarray,
                 shift_team: np.ndarray, shift_start: np.ndarray, shift_end: np.ndarray,
                 shift_login: np.ndarray, team_aht: np.ndarray):
        self.horizon = horizon
        # per stage held (index: position in these lists)
        self.enq: list = []
        self.asg: list = []
        self.cmp: list = []
        self.who: list = []
        self.st_team: list = []
        self.st_next: list = []
        self.st_delay: list = []
        self.st_base: list = []
        self.st_esc: list = []
        self.st_key: list = []
        # arrivals (routed) not yet processed, sorted by time
        self.arr_t: list = []
        self.arr_sid: list = []
        self.ai = 0

        n_rev = len(speed)
        self.spd = speed.tolist()
        self.state = [_OFF] * n_rev
        self.rteam = [-1] * n_rev
        self.rcut = [0.0] * n_rev
        self.rend = [0.0] * n_rev
        self.waits: list[list] = [[] for _ in range(n_teams)]
        self.idle: list[deque] = [deque() for _ in range(n_teams)]

        self.s_rev = shift_rev.tolist()
        self.s_team = shift_team.tolist()
        s_start = (shift_start + shift_login).tolist()
        self.s_end = shift_end.tolist()
        self.s_act = list(self.s_end)
        self.ot_used = [0] * len(self.s_rev)
        self.on_shift = [0] * n_teams
        # overtime: a reviewer stays longer when the team's backlog needs more than this to clear
        self.ot_backlog = (cat.OVERTIME_BACKLOG_HOURS * 3600.0 / np.maximum(team_aht, 1.0)).tolist()
        events: list[tuple] = []
        for x in range(len(self.s_rev)):
            if self.s_team[x] < 0:
                continue  # QA shifts do not work queues
            # kinds: 0 completion, 1 re-entry, 2 shift end, 3 shift start
            events.append((s_start[x], 3, x))
            events.append((self.s_end[x], 2, x))
        heapq.heapify(events)
        self.events = events
        self.next_report = 86400.0

    @property
    def held(self) -> int:
        return len(self.st_team)

    def add(self, routed_t: np.ndarray, first: np.ndarray, team: np.ndarray, nxt: np.ndarray, delay: np.ndarray,
            base_s: np.ndarray, escalate: np.ndarray, key: np.ndarray) -> None:
        """Hold new stages (ids from `held` on; nxt already in those ids, -1 for none) and their cases'
        arrivals: routed_t and first stage per human case. Arrivals must not precede the last window's end."""
        nan = float("nan")
        k = len(team)
        self.enq.extend([nan] * k)
        self.asg.extend([nan] * k)
        self.cmp.extend([nan] * k)
        self.who.extend([-1] * k)
        self.st_team.extend(team.tolist())
        self.st_next.extend(nxt.tolist())
        self.st_delay.extend(delay.tolist())
        self.st_base.extend(base_s.tolist())
        self.st_esc.extend(escalate.tolist())
        self.st_key.extend(key.tolist())
        rest_t = np.asarray(self.arr_t[self.ai:], dtype=np.float64)
        rest_sid = np.asarray(self.arr_sid[self.ai:], dtype=np.int64)
        t = np.concatenate([rest_t, np.asarray(routed_t, dtype=np.float64)])
        sid = np.concatenate([rest_sid, np.asarray(first, dtype=np.int64)])
        order = np.argsort(t, kind="stable")
        self.arr_t = t[order].tolist()
        self.arr_sid = sid[order].tolist()
        self.ai = 0

    def run_until(self, end: float | None = None, progress: Callable[[float], None] | None = None) -> None:
        """Process every event before `end` (None: every event up to and including the horizon)."""
        horizon = self.horizon
        inf = float("inf")
        stop = inf if end is None else end
        enq, asg, cmp_, who = self.enq, self.asg, self.cmp, self.who
        st_team, st_next, st_delay = self.st_team, self.st_next, self.st_delay
        st_base, st_esc, st_key = self.st_base, self.st_esc, self.st_key
        arr_t, arr_sid = self.arr_t, self.arr_sid
        n_arr = len(arr_t)
        ai = self.ai
        spd, state, rteam, rcut, rend = self.spd, self.state, self.rteam, self.rcut, self.rend
        waits, idle, events = self.waits, self.idle, self.events
        s_rev, s_team, s_end, s_act = self.s_rev, self.s_team, self.s_end, self.s_act
        ot_used, on_shift, ot_backlog = self.ot_used, self.on_shift, self.ot_backlog
        wrap = cat.SHIFT_WRAP_UP_MIN * 60.0
        ot_len = cat.OVERTIME_HOURS * 3600.0
        ot_max = cat.OVERTIME_MAX_EXTENSIONS
        heappush = heapq.heappush
        heappop = heapq.heappop
        next_report = self.next_report

        # The two moves of the loop, written once. Bound through default arguments, so the loop's
        # own names stay plain locals (a name a nested function reads becomes slower to reach).
        def place(sid: int, p: int, t: float, enq=enq, asg=asg, who=who, cmp_=cmp_, st_base=st_base,
                  st_key=st_key, spd=spd, state=state, rcut=rcut, idle=idle, waits=waits, events=events,
                  heappush=heappush) -> None:
            """Case `sid` enters team p's queue at t: the first idle reviewer still taking cases gets
            it (those past their last pick are done for the shift), else it waits."""
            enq[sid] = t
            il = idle[p]
            while il:
                r2 = il.popleft()
                if rcut[r2] > t:
                    asg[sid] = t
                    who[sid] = r2
                    c = t + st_base[sid] * spd[r2]
                    cmp_[sid] = c
                    state[r2] = _BUSY
                    heappush(events, (c, 0, sid))
                    return
                state[r2] = _DONE
            heappush(waits[p], (st_key[sid] + t, sid))

        def take_next(r: int, p: int, t: float, asg=asg, who=who, cmp_=cmp_, st_base=st_base, spd=spd,
                      state=state, idle=idle, waits=waits, events=events, heappush=heappush,
                      heappop=heappop) -> bool:
            """Reviewer r takes team p's next waiting case at t (True), else goes idle (False). The
            caller marks r busy: one finishing a case keeps the state it has."""
            w = waits[p]
            if w:
                _, nsid = heappop(w)
                asg[nsid] = t
                who[nsid] = r
                c = t + st_base[nsid] * spd[r]
                cmp_[nsid] = c
                heappush(events, (c, 0, nsid))
                return True
            state[r] = _IDLE
            idle[p].append(r)
            return False

        while True:
            ta = arr_t[ai] if ai < n_arr else inf
            th = events[0][0] if events else inf
            if ta < th:
                t = ta
                if t > horizon or t >= stop:
                    break
                sid = arr_sid[ai]
                ai += 1
                kind = 1
            else:
                t = th
                if t > horizon or t >= stop:
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
                        place(nx, st_team[nx], t)  # escalated: enters the next team's queue now
                    else:
                        heappush(events, (t + st_delay[sid], 1, nx))
                # the reviewer takes the next case, if still taking cases
                if t < rcut[r]:
                    take_next(r, rteam[r], t)
                else:
                    state[r] = _OFF if t >= rend[r] else _DONE
            elif kind == 1:
                # a case enters its team's queue (routed, info received, reopened)
                place(sid, st_team[sid], t)
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
                if take_next(r, p, t):
                    state[r] = _BUSY
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
                        if take_next(r, p, t):
                            state[r] = _BUSY
                    continue
                on_shift[p] -= 1
                if st == _IDLE:
                    idle[rteam[r]].remove(r)
                    state[r] = _OFF
                elif st == _DONE:
                    state[r] = _OFF
                # busy reviewers finish the case in hand, then leave
        self.ai = ai
        self.next_report = next_report

    def finished(self, last: np.ndarray, end: float) -> np.ndarray:
        """Which of the stages `last` (ids held) completed before `end` (their completion was processed)."""
        c = np.asarray(self.cmp, dtype=np.float64)[last]
        return np.isfinite(c) & (c < end)

    def release(self, done: np.ndarray) -> Trace:
        """The trace of the stages marked in `done` (a mask over the stages held), which are then forgotten;
        the stages kept are renumbered in their order. Only stages with nothing pending may be released."""
        done = np.asarray(done, dtype=bool)
        out = Trace(np.array(self.enq)[done], np.array(self.asg)[done], np.array(self.cmp)[done],
                    np.array(self.who, dtype=np.int32)[done], np.array(self.s_act))
        if not done.any():
            return out
        keep = ~done
        new_id = np.cumsum(keep) - 1
        kept = np.flatnonzero(keep).tolist()
        for name in ("enq", "asg", "cmp", "who", "st_team", "st_delay", "st_base", "st_esc", "st_key"):
            old = getattr(self, name)
            setattr(self, name, [old[i] for i in kept])
        nxt = np.asarray(self.st_next, dtype=np.int64)[keep]
        self.st_next = np.where(nxt >= 0, new_id[np.maximum(nxt, 0)], -1).tolist()
        remap = new_id.tolist()
        # renumbering keeps the order of the ids, so the heaps stay heaps
        self.events = [(t, kind, remap[x] if kind <= 1 else x) for t, kind, x in self.events]
        self.waits = [[(k, remap[x]) for k, x in w] for w in self.waits]
        self.arr_sid = [remap[x] for x in self.arr_sid[self.ai:]]
        self.arr_t = self.arr_t[self.ai:]
        self.ai = 0
        return out

    def trace(self) -> Trace:
        """The trace of every stage held."""
        return Trace(np.array(self.enq), np.array(self.asg), np.array(self.cmp), np.array(self.who, dtype=np.int32),
                     np.array(self.s_act))


def stage_keys(scripts: Scripts, priority: np.ndarray) -> np.ndarray:
    """The queue order key of each stage: P0 waits before P1 ...; within a priority, earliest entry first."""
    return priority[scripts.case_of].astype(np.float64) * 1e10


def run(horizon: float, routed_t: np.ndarray, scripts: Scripts, priority: np.ndarray, n_teams: int,
        speed: np.ndarray, shift_rev: np.ndarray, shift_team: np.ndarray, shift_start: np.ndarray,
        shift_end: np.ndarray, shift_login: np.ndarray, team_aht: np.ndarray,
        progress: Callable[[float], None] | None = None) -> Trace:
    """The whole period in one window."""
    q = Queueing(horizon, n_teams, speed, shift_rev, shift_team, shift_start, shift_end, shift_login, team_aht)
    q.add(routed_t[scripts.human], scripts.first, scripts.team, scripts.next, scripts.delay, scripts.base_s,
          scripts.action == ESCALATE, stage_keys(scripts, priority))
    q.run_until(None, progress)
    return q.trace()
