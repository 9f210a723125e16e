"""Workforce: staffing plans, shifts and the reviewers who work them.

Workforce management (WFM) forecasts each team's offered load for every hour
(expected arrivals x planned handle time, from the demand model without spikes)
and asks for N = ceil(A + beta * sqrt(A)) reviewers (square-root staffing, at
least one). 8-hour shifts are laid greedily: whenever an hour is short of its
requirement, enough shifts start at that hour. The operation runs lean: only
`staffing_level` of the seats beyond a team's last one are funded. Each shift
goes to a vendor in the team's vendor mix, to the vendor site where it is
daytime if the vendor has one (follow the sun), and to a reviewer of that site
who has rested and has shifts left this week (else a new reviewer is hired).
Vendors miss a share of their shifts (fill rate; a team's last seat is covered,
by a BPO hours late), and reviewers work at their own speed.

Incidents bring surge shifts: once acknowledged, the affected L1 teams get extra
reviewers until a little after mitigation.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from watchfloor.simulator import catalog as cat
from watchfloor.simulator.config import SimConfig
from watchfloor.simulator.demand import CAT_VERTICAL, TimeGrid
from watchfloor.simulator.routing import N_REG, Team, l1_team, l2_team, sme_team

SHIFT_S = cat.SHIFT_HOURS * 3600.0


@dataclass
class Workforce:
    # reviewers
    reviewer_id: list[str]
    vendor: np.ndarray          # vendor index
    region: np.ndarray          # site region index
    site: list[str]
    languages: list[list[str]]
    hired_s: np.ndarray         # hired_at, seconds since start (negative: before)
    leaves_s: np.ndarray        # leaves, seconds since start (inf: stays)
    speed: np.ndarray           # handle-time multiplier
    error: np.ndarray           # decision error rate
    is_qa: np.ndarray
    # shifts (sorted by start, team, reviewer)
    shift_rev: np.ndarray
    shift_team: np.ndarray      # -1 for QA shifts
    shift_start: np.ndarray
    shift_end: np.ndarray
    shift_login: np.ndarray     # seconds after the start the reviewer begins taking cases
    surge_per_spike: list[int]

    @property
    def n_reviewers(self) -> int:
        return len(self.reviewer_id)


def offered_load(lam: np.ndarray, work: np.ndarray, team_list: list[Team]) -> np.ndarray:
    """Planned offered load (Erlangs: reviewers busy on average) per team and hour, without spikes."""
    hours = lam.shape[3]
    per_cr = lam.sum(axis=1)  # (categories, regions, hours)
    load = np.zeros((len(team_list), hours))
    for c in range(lam.shape[0]):
        v = int(CAT_VERTICAL[c])
        for r in range(N_REG):
            arr = per_cr[c, r]
            load[l1_team(v, r)] += arr * work[c, r, 0] / 3600.0
            load[l2_team(v, r)] += arr * work[c, r, 1] / 3600.0
            load[sme_team(v)] += arr * work[c, r, 2] / 3600.0
    # Smooth over the neighbouring hours: WFM plans in intervals, escalations lag arrivals.
    padded = np.concatenate([load[:, :1], load, load[:, -1:]], axis=1)
    return (padded[:, :-2] + 2 * padded[:, 1:-1] + padded[:, 2:]) / 4.0


def requirements(cfg: SimConfig, lam: np.ndarray, work: np.ndarray, team_list: list[Team]) -> np.ndarray:
    """Reviewers needed per team and hour (planned, without spikes)."""
    load = offered_load(lam, work, team_list)
    need = np.ceil(load + cfg.staffing_beta * np.sqrt(load) - 0.15)
    return np.maximum(need, 1).astype(np.int64)


def funded_share(cfg: SimConfig, load: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Share of each team-hour's planned seats that is funded: `staffing_level`, but never fewer
    seats than the offered load itself (a team funded below its load falls behind without bound)."""
    return np.maximum(cfg.staffing_level, np.minimum(1.0, load / need))


def _cover(need: np.ndarray, first: int) -> list[tuple[int, int]]:
    """Greedy shift starts (hour, count) covering `need`, starting at hour `first` (< 0: before the period)."""
    hours = len(need)
    length = cat.SHIFT_HOURS
    lead = -first
    ext = np.empty(hours + lead, dtype=np.int64)
    ext[lead:] = need
    src = np.arange(first, 0) + (24 * ((lead + 23) // 24) if hours >= 24 * ((lead + 23) // 24) else 0)
    ext[:lead] = need[np.clip(src, 0, hours - 1)]
    cov = np.zeros(hours + lead + length, dtype=np.int64)
    out = []
    for i in range(hours + lead):
        d = ext[i] - cov[i]
        if d > 0:
            cov[i:i + length] += d
            out.append((i - lead, int(d)))
    return out


def _first_hour(grid: TimeGrid, region: int) -> int:
    """Greedy start so that single-seat teams change shifts at 06:00, 14:00 and 22:00 local time."""
    for h in range(min(cat.SHIFT_HOURS, grid.hours)):
        if grid.local_hour[region, h] % cat.SHIFT_HOURS == 6 % cat.SHIFT_HOURS:
            return h - cat.SHIFT_HOURS
    return -cat.SHIFT_HOURS


def _site_for(vendor: cat.Vendor, team_region: int, local_hours: dict[int, int], pick: float) -> int:
    """Index into vendor.sites: follow the sun, preferring the team's own region.

    pick (uniform in [0, 1)) chooses among several equally suitable sites.
    """
    regions = [cat.REGIONS.index(reg) for _, reg in vendor.sites]
    day = [i for i, reg in enumerate(regions) if 5 <= local_hours[reg] <= 14]
    home_day = [i for i in day if regions[i] == team_region]
    for group in (home_day, day, [i for i, reg in enumerate(regions) if reg == team_region]):
        if group:
            return group[int(pick * len(group))]
    return min(range(len(regions)), key=lambda i: abs(local_hours[regions[i]] - 9))


class _Roster:
    """Reviewers of one (team, vendor, site): who has rested and has shifts left."""

    def __init__(self):
        self.heap: list[tuple[float, int]] = []

    def take(self, start: float, end: float, wf: _Builder) -> int:
        heap = self.heap
        while heap and heap[0][0] <= start:
            _, rid = heapq.heappop(heap)
            if wf.leaves[rid] <= start:
                continue
            self._release(rid, end, wf)
            return rid
        return -1

    def _release(self, rid: int, end: float, wf: _Builder) -> None:
        wf.worked[rid] += 1
        rest = cat.MIN_REST_HOURS * 3600.0
        if wf.worked[rid] % cat.SHIFTS_PER_WEEK == 0:
            rest += 48 * 3600.0  # two days off after a working week
        heapq.heappush(self.heap, (end + rest, rid))

    def add(self, rid: int, end: float, wf: _Builder) -> None:
        self._release(rid, end, wf)


class _Builder:
    def __init__(self, cfg: SimConfig, rng: np.random.Generator):
        self.cfg = cfg
        self.rng = rng
        self.ids: list[str] = []
        self.vendor: list[int] = []
        self.region: list[int] = []
        self.site: list[str] = []
        self.langs: list[list[str]] = []
        self.hired: list[float] = []
        self.leaves: list[float] = []
        self.worked: list[int] = []
        self.is_qa: list[bool] = []

    def hire(self, vendor_i: int, region_i: int, site: str, first_shift: float, qa: bool = False) -> int:
        rng = self.rng
        rid = len(self.ids)
        self.ids.append(f"R-{rid + 1:05d}")
        self.vendor.append(vendor_i)
        self.region.append(region_i)
        self.site.append(site)
        langs = cat.REGION_LANGUAGES[cat.REGIONS[region_i]]
        names = [lang for lang, _ in langs if lang != "en"]
        w = np.array([wt for lang, wt in langs if lang != "en"])
        k = int(rng.integers(0, 3))
        extra = list(rng.choice(names, size=min(k, len(names)), replace=False, p=w / w.sum())) if k else []
        self.langs.append(["en"] + sorted(str(x) for x in extra))
        if first_shift < 7 * 86400.0 or qa:
            hired = -float(rng.uniform(60, 1500)) * 86400.0
        else:
            hired = first_shift - float(rng.uniform(14, 35)) * 86400.0
        self.hired.append(hired)
        mean_stay = 1500.0 if cat.VENDORS[vendor_i].kind == "internal" else 600.0
        stay = float(rng.exponential(mean_stay)) * 86400.0
        leaves = max(hired, 0.0) + stay
        self.leaves.append(leaves if not qa else np.inf)
        self.worked.append(0)
        self.is_qa.append(qa)
        return rid


def build(cfg: SimConfig, grid: TimeGrid, need: np.ndarray, team_list: list[Team], spikes, lam: np.ndarray,
          work: np.ndarray, rng: np.random.Generator) -> Workforce:
    b = _Builder(cfg, rng)
    start_dt = cfg.start.replace(tzinfo=UTC)
    # Shifts start on the full UTC hour.
    offset = start_dt.minute * 60 + start_dt.second
    hours = grid.hours

    def local_hours(h: int) -> dict[int, int]:
        hh = h if h >= 0 else h + 24
        hh = min(max(hh, 0), hours - 1)
        return {r: int(grid.local_hour[r, hh]) for r in range(N_REG)}

    funded = funded_share(cfg, offered_load(lam, work, team_list), need)
    planned: list[tuple[float, int, int, int, int, float]] = []  # (start, team, vendor, site, seq, end)
    for team in team_list:
        mix = team.vendor_mix
        shares = np.array([s for _, s in mix])
        assigned = np.zeros(len(mix))
        for h, count in _cover(need[team.index], _first_hour(grid, team.region)):
            for _ in range(count):
                j = int(np.argmax(shares * (assigned.sum() + 1) - assigned))
                assigned[j] += 1
                vendor_i = cat.VENDOR_INDEX[mix[j][0]]
                vendor = cat.VENDORS[vendor_i]
                start = h * 3600.0 - offset
                end = start + SHIFT_S
                last_seat = need[team.index][max(h, 0)] <= 1
                if rng.random() >= funded[team.index][max(h, 0)] and not last_seat:
                    continue  # seat not funded: the operation runs leaner than the plan
                if rng.random() >= vendor.fill_rate:
                    if not last_seat:
                        continue  # seat not filled (absence, vacancy)
                    if vendor.kind == "bpo":
                        # a team's last seat is covered, but a vendor's replacement arrives hours late
                        start += float(rng.uniform(1.0, 3.0)) * 3600.0
                site = _site_for(vendor, team.region, local_hours(h), rng.random())
                planned.append((start, team.index, vendor_i, site, len(planned), end))

    surge_per_spike = _surge_shifts(cfg, spikes, lam, work, team_list, planned, offset, local_hours)

    planned.sort()
    rosters: dict[tuple[int, int, int], _Roster] = {}
    shift_rev, shift_team, shift_start, shift_end = [], [], [], []
    for start, team_i, vendor_i, site_i, _, end in planned:
        key = (team_i, vendor_i, site_i)
        roster = rosters.get(key)
        if roster is None:
            roster = rosters[key] = _Roster()
        rid = roster.take(start, end, b)
        if rid < 0:
            site_name, site_region = cat.VENDORS[vendor_i].sites[site_i]
            rid = b.hire(vendor_i, cat.REGIONS.index(site_region), site_name, start)
            roster.add(rid, end, b)
        shift_rev.append(rid)
        shift_team.append(team_i)
        shift_start.append(start)
        shift_end.append(end)

    _qa_staff(cfg, b, shift_rev, shift_team, shift_start, shift_end)

    n_rev = len(b.ids)
    vendor_of = np.array(b.vendor, dtype=np.int16)
    hired = np.array(b.hired)
    tenure_new = hired > -90 * 86400.0
    speed = (np.array([cat.VENDORS[v].speed for v in vendor_of]) * rng.lognormal(0.0, 0.12, n_rev)
             * np.where(tenure_new, 1.15, 1.0))
    error = (np.array([cat.VENDORS[v].error_rate for v in vendor_of]) * rng.lognormal(0.0, 0.3, n_rev)
             * np.where(tenure_new, 1.3, 1.0))
    order = np.lexsort((np.array(shift_rev), np.array(shift_team), np.array(shift_start)))
    n_shift = len(shift_rev)
    login = np.minimum(rng.exponential(cat.LOGIN_DELAY_MEAN_MIN * 60.0, n_shift), 30 * 60.0)
    return Workforce(
        reviewer_id=b.ids, vendor=vendor_of, region=np.array(b.region, dtype=np.int16), site=b.site,
        languages=b.langs, hired_s=hired, leaves_s=np.array(b.leaves), speed=speed, error=np.minimum(error, 0.4),
        is_qa=np.array(b.is_qa, dtype=bool),
        shift_rev=np.array(shift_rev, dtype=np.int32)[order], shift_team=np.array(shift_team, dtype=np.int32)[order],
        shift_start=np.array(shift_start)[order], shift_end=np.array(shift_end)[order],
        shift_login=login, surge_per_spike=surge_per_spike,
    )


def _surge_shifts(cfg, spikes, lam, work, team_list, planned, offset, local_hours) -> list[int]:
    """Extra shifts on the affected L1 teams from acknowledgement until after mitigation."""
    out = []
    horizon = cfg.horizon_s
    cap = max(cat.SURGE_MIN_CAP, int(cat.SURGE_CAP_PER_10K_CASES * cfg.cases_per_day / 10_000))
    for sp in spikes:
        if not sp.incident or not sp.acknowledged <= horizon:
            out.append(0)
            continue
        v = int(CAT_VERTICAL[sp.category])
        regions = [sp.region] if sp.region >= 0 else list(range(N_REG))
        h0 = int(sp.t0 // 3600)
        h1 = max(h0 + 1, int(min(np.ceil(sp.t1 / 3600), lam.shape[3])))
        scope = sp.scope_mask()
        total = 0
        begin = sp.acknowledged + 30 * 60.0
        finish = min(sp.mitigated + 2 * 3600.0, horizon + SHIFT_S)
        for r in regions:
            rate = (lam[sp.category][:, r, h0:h1] * scope[:, r][:, None]).sum(axis=0).mean()
            load = rate * (sp.multiplier - 1) * work[sp.category, r, 0] / 3600.0
            extra = int(min(cap, np.ceil(load * 1.1)))
            if extra <= 0:
                continue
            team = team_list[l1_team(v, r)]
            vendor_key = team.vendor_mix[0][0]
            if vendor_key == "lotus":
                vendor_key = "northstar"
            vendor_i = cat.VENDOR_INDEX[vendor_key]
            t = begin
            while t < finish:
                h = int((t + offset) // 3600)
                site = _site_for(cat.VENDORS[vendor_i], r, local_hours(h), 0.0)
                for _ in range(extra):
                    planned.append((t, team.index, vendor_i, site, len(planned), t + SHIFT_S))
                t += SHIFT_S
            total += extra
        out.append(total)
    return out


def _qa_staff(cfg, b: _Builder, shift_rev, shift_team, shift_start, shift_end) -> None:
    """Internal QA reviewers, working Monday to Friday 9-17 local in each region."""
    per_day = cfg.cases_per_day * 0.85 * cfg.qa_rate
    start_dt = cfg.start.replace(tzinfo=UTC)
    for r, region in enumerate(cat.REGIONS):
        share = cat.REGION_SHARE[r]
        count = max(2, int(np.ceil(per_day * share / 60.0 * 7 / 5)))
        site = cat.VENDORS[0].sites[r][0]
        tz = ZoneInfo(cat.REGION_TZ[region])
        local_start = start_dt.astimezone(tz)
        days = []
        for d in range(-1, cfg.days + 1):
            day = (local_start + timedelta(days=d)).date()
            if day.weekday() >= 5:
                continue
            s = datetime(day.year, day.month, day.day, 9, tzinfo=tz).astimezone(UTC)
            e = datetime(day.year, day.month, day.day, 17, tzinfo=tz).astimezone(UTC)
            ss = (s - start_dt).total_seconds()
            ee = (e - start_dt).total_seconds()
            if ee <= 0 or ss >= cfg.horizon_s:
                continue
            days.append((ss, ee))
        for _ in range(count):
            rid = b.hire(0, r, site, 0.0, qa=True)
            for ss, ee in days:
                shift_rev.append(rid)
                shift_team.append(-1)
                shift_start.append(ss)
                shift_end.append(ee)
