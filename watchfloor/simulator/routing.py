"""Teams, queues and each case's path through them.

A team (staffing pool) is, at L1, one vertical in one region; at L2, a group of
verticals in one region; at SME, a group of verticals worldwide (homed in one
region). A team works one queue per vertical and priority, so a queue's SLA
policy always matches the priority of every case in it; the team's reviewers
take the highest-priority waiting case of any of its queues first, and
first-in-first-out within a priority.

Each human-reviewed case gets a script: the sequence of reviews (stages) it
will need if nothing runs out of time. The first L1 review may ask for more
information (the case leaves the queue until the answer arrives), the final L1
review either decides or escalates to L2, an L2 review may escalate to the SME
team or send the case back to L1 (which decides or escalates it again: an escalation
loop), and a small share of decided cases is reopened later and decided again. Some
cases are first routed to the wrong policy area's L1 queue, whose reviewer re-routes
them after a short look (catalog.MISROUTE_RATE); a re-route is not a first action.
Whether and when each stage happens is left to the queueing engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from watchfloor.simulator import catalog as cat
from watchfloor.simulator.config import SimConfig
from watchfloor.simulator.demand import CAT_VERTICAL, Cases

DECIDE, PEND, ESCALATE, REROUTE = 0, 1, 2, 3
ENTRY_ROUTED, ENTRY_INFO, ENTRY_ESCALATED, ENTRY_REOPENED, ENTRY_REROUTED, ENTRY_RETURNED = 0, 1, 2, 3, 4, 5
N_VERT = len(cat.VERTICALS)
N_REG = len(cat.REGIONS)


@dataclass(frozen=True)
class Team:
    index: int
    tier: int                   # 0 L1, 1 L2, 2 SME
    verticals: tuple[int, ...]  # verticals whose queues the team works
    region: int                 # home region (queues.region)
    name: str
    vendor_mix: tuple[tuple[str, float], ...]


# L2 and SME teams are shared by a group of verticals: escalations are rarer, and a
# team of one or two per vertical would sit idle most of the day.
GROUPS = (("Critical harms", ("cs", "ve", "sh", "dc"), "AMER"),
          ("Platform abuse", ("fs", "hh", "sx", "in", "pi"), "EMEA"))
VERT_GROUP = np.array([next(g for g, (_, keys, _) in enumerate(GROUPS) if v.key in keys)
                       for v in cat.VERTICALS], dtype=np.int64)
N_GROUP = len(GROUPS)


def teams() -> list[Team]:
    out: list[Team] = []
    for v, vert in enumerate(cat.VERTICALS):
        for r, region in enumerate(cat.REGIONS):
            out.append(Team(len(out), 0, (v,), r, f"L1 · {vert.name} · {region}",
                            cat.team_vendor_mix("L1", vert.key, region)))
    for gname, keys, _ in GROUPS:
        verts = tuple(cat.VERTICAL_INDEX[k] for k in keys)
        for r, region in enumerate(cat.REGIONS):
            out.append(Team(len(out), 1, verts, r, f"L2 · {gname} · {region}",
                            cat.team_vendor_mix("L2", keys[0], region)))
    for gname, keys, home in GROUPS:
        verts = tuple(cat.VERTICAL_INDEX[k] for k in keys)
        out.append(Team(len(out), 2, verts, cat.REGIONS.index(home), f"SME · {gname} (global)",
                        cat.team_vendor_mix("SME", keys[0], home)))
    return out


def l1_team(vertical, region):
    return vertical * N_REG + region


def l2_team(vertical, region):
    return N_VERT * N_REG + VERT_GROUP[vertical] * N_REG + region


def sme_team(vertical):
    return N_VERT * N_REG + N_GROUP * N_REG + VERT_GROUP[vertical]


@dataclass
class QueueTable:
    queue_id: list[str]
    name: list[str]
    vertical: list[str]
    region: list[str]
    tier: list[str]
    sla_policy_id: list[str]
    timezone: list[str]
    team: list[str]
    team_index: list[int]
    priority: list[int]
    lookup: np.ndarray      # (teams, verticals, priorities) -> queue index or -1


def queue_table(team_list: list[Team]) -> QueueTable:
    q = QueueTable([], [], [], [], [], [], [], [], [], [],
                   np.full((len(team_list), N_VERT, 4), -1, dtype=np.int32))
    for t in team_list:
        region = cat.REGIONS[t.region]
        tier = cat.TIERS[t.tier]
        for v in t.verticals:
            vert = cat.VERTICALS[v]
            for p in cat.vertical_priorities(vert.key):
                pi = cat.PRIORITIES.index(p)
                where = region.lower() if tier != "SME" else "global"
                q.lookup[t.index, v, pi] = len(q.queue_id)
                q.queue_id.append(f"{vert.key}-{where}-{tier.lower()}-{p.lower()}")
                q.name.append(f"{vert.name} · {region if tier != 'SME' else 'global'} · {tier} · {p}")
                q.vertical.append(vert.name)
                q.region.append(region)
                q.tier.append(tier)
                q.sla_policy_id.append(cat.policy_for(vert.key, p))
                q.timezone.append(cat.REGION_TZ[region])
                q.team.append(t.name)
                q.team_index.append(t.index)
                q.priority.append(pi)
    return q


@dataclass
class Scripts:
    human: np.ndarray        # case indices of human-reviewed cases (ascending)
    case_of: np.ndarray      # per stage: case index
    first: np.ndarray        # per human case (aligned with `human`): first stage id
    count: np.ndarray        # per human case: number of stages
    team: np.ndarray         # per stage
    tier: np.ndarray
    queue: np.ndarray
    action: np.ndarray
    entry: np.ndarray        # how the case entered this stage's queue
    delay: np.ndarray        # seconds from this stage's completion to the next stage's entry
    base_s: np.ndarray       # planned handle time at speed 1.0
    next: np.ndarray         # next stage id or -1
    ordinal: np.ndarray      # stage number within its case
    l1_queue: np.ndarray     # per case (all cases): the queue it is first routed to
    first_review: np.ndarray  # per human case: the first stage that acts on the case (not a re-route)


def _wrong_vertical(v: np.ndarray, r: np.ndarray, p: np.ndarray, qt: QueueTable,
                    rng: np.random.Generator) -> np.ndarray:
    """For misrouted cases: another vertical whose L1 queue of the case's region has the case's
    priority (every vertical has P1, so one always exists)."""
    out = v.copy()
    draw = rng.random(len(v))
    for vi in range(N_VERT):
        for pi in range(4):
            sel = np.flatnonzero((v == vi) & (p == pi))
            if not len(sel):
                continue
            for ri in np.unique(r[sel]):
                rows = sel[r[sel] == ri]
                options = [w for w in range(N_VERT) if w != vi and qt.lookup[l1_team(w, ri), w, pi] >= 0]
                out[rows] = np.asarray(options)[np.minimum((draw[rows] * len(options)).astype(np.int64),
                                                           len(options) - 1)]
    return out


def build_scripts(cfg: SimConfig, cases: Cases, qt: QueueTable, rng: np.random.Generator,
                  loop_rng: np.random.Generator) -> Scripts:
    """Each human case's stages, in order: [misrouted L1 review, re-routes] [pending-info L1 review]
    final L1 review [L2 review [returned: L1 review again [L2 again]] | [SME review]] [reopened].
    `rng` draws what the world without re-routes drew (pending, escalations, reopens, handle times);
    `loop_rng` the misroutes and escalation loops."""
    c = cases.category.astype(np.int64)
    v = CAT_VERTICAL[c].astype(np.int64)
    r = cases.region.astype(np.int64)
    prio = cases.priority.astype(np.int64)
    l1_queue = qt.lookup[l1_team(v, r), v, prio]
    human = np.flatnonzero(~cases.automated)
    hc = c[human]
    hv = v[human]
    hr = r[human]
    hp = prio[human]
    src = cases.source[human]
    m = len(human)

    pending_rate = np.array([k.pending_rate for k in cat.CATEGORIES])[hc]
    pending_rate = pending_rate * np.where(src == cat.SOURCES.index("user_report"), 1.5, 1.0)
    esc_rate = np.array([k.escalation_rate for k in cat.CATEGORIES])[hc]
    esc_rate = esc_rate * np.array([1.5, 1.2, 1.0, 0.8])[hp]
    sme_rate = np.array([k.sme_rate for k in cat.CATEGORIES])[hc] * np.array([1.3, 1.1, 1.0, 0.8])[hp]
    pend = rng.random(m) < np.minimum(pending_rate, 0.5)
    esc1 = rng.random(m) < esc_rate
    esc2 = esc1 & (rng.random(m) < sme_rate)
    reopen = rng.random(m) < np.where(src == cat.SOURCES.index("user_report"), 0.016, 0.01)
    misroute_rate = np.array([cat.MISROUTE_RATE[s] for s in cat.SOURCES])[src]
    mis = loop_rng.random(m) < misroute_rate
    loop = esc1 & ~esc2 & (loop_rng.random(m) < cat.RETURN_RATE)
    again = loop & (loop_rng.random(m) < cat.RE_ESCALATE_RATE)
    wrong_v = _wrong_vertical(hv[mis], hr[mis], hp[mis], qt, loop_rng)
    count = 1 + mis.astype(np.int64) + pend + esc1 + esc2 + reopen + loop + again
    first = np.zeros(m, dtype=np.int64)
    if m:
        first[1:] = np.cumsum(count)[:-1]
    total = int(count.sum())

    team = np.zeros(total, dtype=np.int32)
    tier = np.zeros(total, dtype=np.int8)
    action = np.zeros(total, dtype=np.int8)
    entry = np.zeros(total, dtype=np.int8)
    delay = np.zeros(total, dtype=np.float64)
    vert = np.repeat(hv, count)  # the vertical whose queue a stage is in
    case_of = np.repeat(human, count)
    stage_cat = np.repeat(hc, count)

    pos = first.copy()
    t1 = l1_team(hv, hr)
    # misrouted: a short look in another policy area's L1 queue, then re-routed to the right one
    idx = pos[mis]
    team[idx] = l1_team(wrong_v, hr[mis])
    vert[idx] = wrong_v
    tier[idx] = 0
    action[idx] = REROUTE
    entry[idx] = ENTRY_ROUTED
    pos = pos + mis
    # optional pending-info review at L1
    idx = pos[pend]
    team[idx] = t1[pend]
    tier[idx] = 0
    action[idx] = PEND
    entry[idx] = np.where(mis[pend], ENTRY_REROUTED, ENTRY_ROUTED)
    delay[idx] = np.clip(rng.lognormal(np.log(16 * 3600.0), 1.0, pend.sum()), 600.0, 10 * 86400.0)
    pos = pos + pend
    # final L1 review
    idx = pos
    team[idx] = t1
    tier[idx] = 0
    action[idx] = np.where(esc1, ESCALATE, DECIDE)
    entry[idx] = np.where(pend, ENTRY_INFO, np.where(mis, ENTRY_REROUTED, ENTRY_ROUTED))
    pos = pos + 1
    # L2: decides, escalates to SME, or sends the case back to L1
    idx = pos[esc1]
    team[idx] = l2_team(hv, hr)[esc1]
    tier[idx] = 1
    action[idx] = np.where(esc2[esc1], ESCALATE, np.where(loop[esc1], REROUTE, DECIDE))
    entry[idx] = ENTRY_ESCALATED
    pos = pos + esc1
    # returned to L1: decided there, or escalated to L2 again
    idx = pos[loop]
    team[idx] = t1[loop]
    tier[idx] = 0
    action[idx] = np.where(again[loop], ESCALATE, DECIDE)
    entry[idx] = ENTRY_RETURNED
    pos = pos + loop
    idx = pos[again]
    team[idx] = l2_team(hv, hr)[again]
    tier[idx] = 1
    action[idx] = DECIDE
    entry[idx] = ENTRY_ESCALATED
    pos = pos + again
    # SME
    idx = pos[esc2]
    team[idx] = sme_team(hv)[esc2]
    tier[idx] = 2
    action[idx] = DECIDE
    entry[idx] = ENTRY_ESCALATED
    pos = pos + esc2
    # reopened: decided again by the team that decided it
    idx = pos[reopen]
    prev = idx - 1
    team[idx] = team[prev]
    tier[idx] = tier[prev]
    action[idx] = DECIDE
    entry[idx] = ENTRY_REOPENED
    delay[prev] = np.clip(rng.lognormal(np.log(36 * 3600.0), 0.9, reopen.sum()), 3600.0, 20 * 86400.0)

    ordinal = (np.arange(total) - np.repeat(first, count)).astype(np.int8)
    nxt = np.arange(1, total + 1, dtype=np.int64)
    last = first + count - 1
    nxt[last] = -1

    median = np.array([k.handle_median_s for k in cat.CATEGORIES])[stage_cat]
    tier_f = np.array([cat.TIER_HANDLE_FACTOR[t] for t in cat.TIERS])[tier]
    act_f = np.array([1.0, 0.6, 0.85, cat.REROUTE_HANDLE_FACTOR])[action]
    reopen_f = np.where(entry == ENTRY_REOPENED, 1.2, 1.0)
    # Urgent cases get a fast triage first: an L1 reviewer acts on a P0 within minutes.
    stage_prio = np.repeat(hp, count)
    prio_f = np.where(tier == 0, np.array(cat.L1_PRIORITY_HANDLE_FACTOR)[stage_prio], 1.0)
    base = median * tier_f * act_f * reopen_f * prio_f * rng.lognormal(0.0, cat.HANDLE_SIGMA, total)
    base = np.clip(base, 20.0, 4 * 3600.0)
    queue = qt.lookup[team, vert, stage_prio]
    routed_first = l1_queue.copy()
    routed_first[human] = queue[first]
    return Scripts(human, case_of, first, count, team, tier, queue, action, entry, delay, base, nxt,
                   ordinal, routed_first, first + mis)


def planned_work(cases: Cases, scripts: Scripts) -> np.ndarray:
    """Mean planned review seconds per base (non-spike) case, by (category, region, tier).

    This is what workforce management knows from history: average handle time per
    category times the usual pending, escalation and reopen rates.
    """
    n_cat = len(cat.CATEGORIES)
    out = np.zeros((n_cat, N_REG, 3))
    base_case = cases.spike < 0
    counts = np.zeros((n_cat, N_REG))
    np.add.at(counts, (cases.category[base_case], cases.region[base_case]), 1)
    sel = base_case[scripts.case_of]
    cc = cases.category[scripts.case_of][sel]
    rr = cases.region[scripts.case_of][sel]
    np.add.at(out, (cc, rr, scripts.tier[sel]), scripts.base_s[sel])
    return out / np.maximum(counts, 1)[:, :, None]


def team_handle_time(scripts: Scripts, n_teams: int) -> np.ndarray:
    """Mean planned handle time (seconds) of each team's reviews."""
    total = np.bincount(scripts.team, weights=scripts.base_s, minlength=n_teams)
    count = np.bincount(scripts.team, minlength=n_teams)
    return np.where(count > 0, total / np.maximum(count, 1), 300.0)
