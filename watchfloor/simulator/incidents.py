"""Abuse spikes (ground truth) and the incidents the larger ones open.

A spike multiplies the arrivals of one category, optionally only on one surface
and/or in one region, for hours to days. The spike ends when the incident's
mitigation lands (or at its planned end when no incident is opened). Spikes too
small to stand out in the data are widened (scope, then duration, then size)
until they add a visible number of cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from watchfloor.simulator import catalog as cat
from watchfloor.simulator import contract_frames, texts
from watchfloor.simulator.config import SimConfig, choose, to_datetime

SENSITIVE = ("child_safety", "cbrn", "violent_extremism", "self_harm")
MITIGATIONS = {
    "fraud_scams": "payment handles blocked and scam script added to the fraud classifier",
    "spam": "rate limits tightened for the linked accounts and sign-up cluster blocked",
    "harassment": "linked accounts restricted and reply limits applied to the target",
    "hate": "meme hashes added to the matching list",
    "violent_extremism": "propaganda hashes shared and matching enabled",
    "self_harm": "safety interstitial enabled for the trend's search terms",
    "child_safety": "accounts banned and reports filed with the authorities",
    "sexual_content": "prompt-trick blocked in the image safety filter",
    "cyber_abuse": "abusive API keys revoked and code-pattern filter deployed",
    "cbrn": "jailbreak pattern blocked and accounts suspended pending review",
    "election_integrity": "operation's accounts taken down and findings shared",
    "impersonation": "voice-clone filter tuned for the targeted brand",
    "privacy": "doxxing thread removed and targets' data masked",
    "ip": "batch processed with a template decision",
}


@dataclass
class Spike:
    category: int
    surface: int          # -1: all surfaces
    region: int           # -1: all regions
    t0: float
    t1: float             # end, seconds since start (may lie past the horizon)
    multiplier: float
    subcategory: int      # local index of the campaign's dominant subcategory
    accounts: int         # size of the campaign's account cluster
    excess: float = 0.0   # expected extra cases
    incident: bool = False
    severity: str = ""
    detected: float = np.nan
    acknowledged: float = np.nan
    mitigated: float = np.nan
    resolved: float = np.nan
    commander: str = ""
    updates: list = field(default_factory=list)

    def scope_mask(self) -> np.ndarray:
        m = np.zeros((len(cat.SURFACES), len(cat.REGIONS)))
        s = slice(None) if self.surface < 0 else self.surface
        r = slice(None) if self.region < 0 else self.region
        m[s, r] = 1.0
        return m


def _excess(lam: np.ndarray, sp: Spike) -> float:
    h0 = int(sp.t0 // 3600)
    h1 = int(min(np.ceil(sp.t1 / 3600), lam.shape[3]))
    if h1 <= h0:
        return 0.0
    hs = np.arange(h0, h1)
    frac = np.clip((np.minimum((hs + 1) * 3600.0, sp.t1) - np.maximum(hs * 3600.0, sp.t0)) / 3600.0, 0, 1)
    base = (lam[sp.category][:, :, h0:h1] * sp.scope_mask()[:, :, None]).sum(axis=(0, 1))
    return float((base * frac).sum() * (sp.multiplier - 1))


def plan_spikes(cfg: SimConfig, lam: np.ndarray, rng: np.random.Generator) -> list[Spike]:
    horizon = cfg.horizon_s
    n = int(rng.poisson(cfg.spikes_per_week * cfg.days / 7.0))
    if cfg.days >= 7:
        n = max(n, 1)
    if cfg.days < 1 or n == 0:
        return []
    weights = np.array([c.spike_weight for c in cat.CATEGORIES])
    cats = choose(rng, np.zeros(n, dtype=np.int64), weights[None, :])
    earliest = min(6 * 3600.0, horizon * 0.1)
    starts = np.sort(rng.uniform(earliest, max(horizon - 3600.0, earliest + 1), n))
    min_excess = _min_excess(cfg)
    spikes: list[Spike] = []
    for i in range(n):
        c = int(cats[i])
        cc = cat.CATEGORIES[c]
        duration_h = float(np.clip(rng.lognormal(np.log(10.0), 0.8), 2.0, 72.0))
        mult = float(2.0 + 8.0 * rng.beta(1.2, 3.0))
        surf = int(choose(rng, np.zeros(1, dtype=np.int64), np.array([cc.surfaces]))[0])
        reg = int(choose(rng, np.zeros(1, dtype=np.int64), np.array([cat.REGION_SHARE]))[0])
        use_surface = rng.random() < 0.6
        use_region = rng.random() < 0.5
        sub = int(choose(rng, np.zeros(1, dtype=np.int64), np.array([[w for _, w in cc.subcategories]]))[0])
        accounts = int(20 + 200 * rng.beta(1.0, 3.0))
        sp = Spike(c, surf if use_surface else -1, reg if use_region else -1, float(starts[i]),
                   float(starts[i] + duration_h * 3600.0), round(mult, 2), sub, accounts)
        _widen(lam, sp, min_excess)
        sp.excess = _excess(lam, sp)
        _plan_incident(cfg, sp, rng)
        spikes.append(sp)
    return spikes


def _min_excess(cfg: SimConfig) -> float:
    # A spike must add enough cases to stand out from Poisson noise (fewer in tiny simulations).
    return min(max(25.0, 0.002 * cfg.cases_per_day), 0.5 * cfg.cases_per_day)


def _widen(lam: np.ndarray, sp: Spike, min_excess: float, steps=("surface", "region", "duration", "multiplier")) -> None:
    """Widen a spike that would drown in the noise: scope first, then duration, then size."""
    for widen in steps:
        if _excess(lam, sp) >= min_excess:
            break
        if widen == "surface":
            sp.surface = -1
        elif widen == "region":
            sp.region = -1
        elif widen == "duration":
            sp.t1 = sp.t0 + 72 * 3600.0
        else:
            base = _excess(lam, sp) / (sp.multiplier - 1)
            if base > 0:
                sp.multiplier = round(float(min(10.0, 1 + min_excess / base)), 2)


def _plan_incident(cfg: SimConfig, sp: Spike, rng: np.random.Generator) -> None:
    key = cat.CATEGORIES[sp.category].key
    sensitive = key in SENSITIVE
    big = sp.excess >= 0.05 * cfg.cases_per_day
    sp.incident = sp.multiplier >= 4.0 or (sensitive and sp.multiplier >= 2.5) or big
    # Even spikes without an incident need a realistic end; incidents end them at mitigation.
    if not sp.incident:
        return
    sp.severity = _severity(cfg, sp)
    fast = sp.severity in ("SEV0", "SEV1")
    detect_min = max(5.0, rng.lognormal(np.log(60.0 * 3.0 / sp.multiplier), 0.6))
    sp.detected = sp.t0 + detect_min * 60.0
    sp.acknowledged = sp.detected + (2.0 + rng.exponential(5.0 if fast else 15.0)) * 60.0
    sp.t1 = max(sp.t1, sp.acknowledged + 20 * 60.0)
    sp.mitigated = sp.t1
    sp.resolved = sp.mitigated + max(45.0, rng.lognormal(np.log(6 * 60.0), 0.7)) * 60.0
    sp.commander = cat.COMMANDERS[int(rng.integers(len(cat.COMMANDERS)))]
    # Status updates every 2-4 hours while the incident is being worked.
    t = sp.acknowledged
    while True:
        t += rng.uniform(2.0, 4.0) * 3600.0
        if t >= sp.mitigated:
            break
        sp.updates.append(t)


def _severity(cfg: SimConfig, sp: Spike) -> str:
    """SEV0-SEV3 from the category's harm and the spike's size (multiplier and extra volume)."""
    key = cat.CATEGORIES[sp.category].key
    score = (2.0 if key in ("child_safety", "cbrn") else 1.5 if key in SENSITIVE else 0.0)
    score += 1.5 if sp.multiplier >= 6 else 1.0 if sp.multiplier >= 4 else 0.0
    score += 1.0 if sp.excess >= 0.1 * cfg.cases_per_day else 0.0
    return "SEV0" if score >= 3.5 else "SEV1" if score >= 2.5 else "SEV2" if score >= 1.5 else "SEV3"


# The showcase spike (SimConfig.showcase_spike, set by `seed --demo`): random spikes arrive about
# twice a week, so a fresh demo often has no incident in its last days. The showcase is one more
# spike, drawn from its own random stream so the random spikes stay exactly as they are, that
# starts SHOWCASE_START_H hours before the end, runs SHOWCASE_HOURS hours, opens a SEV1 or SEV0
# incident and is mitigated before the end, while its resolution (after a monitoring period)
# still lies after it: the incident is open, and its whole story up to mitigation is there.
SHOWCASE_START_H = (30.0, 40.0)
SHOWCASE_HOURS = (14.0, 22.0)
SHOWCASE_QUIET_H = 4.0        # mitigated at least this long before the end
SHOWCASE_MONITOR_H = (24.0, 48.0)  # mitigation to resolution: watching for a comeback
# Categories a showcase can hit, and its multiplier range: a sensitive category at 5-6x is SEV1
# or SEV0 by _severity at any volume; a large one needs 6x over the whole platform (its extra
# volume then passes 10 % of a day, another step of severity).
SHOWCASE_SENSITIVE = ("self_harm", "child_safety", "violent_extremism", "cbrn")
# In the noisy world a showcase confined to one region must still add this many cases, or it
# covers every region: the demo's story has to stand out of the day-to-day scatter.
SHOWCASE_MIN_EXCESS = 100.0
SHOWCASE_LARGE = ("fraud_scams", "spam", "harassment", "sexual_content")


def add_showcase(cfg: SimConfig, lam: np.ndarray, spikes: list[Spike], rng: np.random.Generator) -> list[Spike]:
    """The random spikes plus the showcase spike, in start order (see SHOWCASE_START_H above)."""
    horizon = cfg.horizon_s
    # Short periods: keep the same shape inside the period (start at most 80 % of it back).
    back = min(rng.uniform(*SHOWCASE_START_H) * 3600.0, 0.8 * horizon)
    t0 = horizon - back
    t1 = min(t0 + rng.uniform(*SHOWCASE_HOURS) * 3600.0, horizon - min(SHOWCASE_QUIET_H * 3600.0, 0.2 * back))
    # A category no random spike touches in the last days, so the story is the showcase's own.
    busy = {sp.category for sp in spikes if sp.t1 > t0 - 86400.0}
    keys = [k for k in SHOWCASE_SENSITIVE + SHOWCASE_LARGE if cat.CATEGORY_INDEX[k] not in busy] \
        or list(SHOWCASE_SENSITIVE + SHOWCASE_LARGE)
    weights = np.array([cat.CATEGORIES[cat.CATEGORY_INDEX[k]].spike_weight for k in keys])
    key = keys[int(choose(rng, np.zeros(1, dtype=np.int64), weights[None, :])[0])]
    c = cat.CATEGORY_INDEX[key]
    cc = cat.CATEGORIES[c]
    sensitive = key in SENSITIVE
    mult = round(float(rng.uniform(5.0, 6.0) if sensitive else rng.uniform(6.0, 6.5)), 2)
    # Every surface (a platform-wide campaign reads well on every page); a sensitive one may
    # stay in one region while it still adds a visible number of cases.
    reg = int(choose(rng, np.zeros(1, dtype=np.int64), np.array([cat.REGION_SHARE]))[0])
    use_region = sensitive and rng.random() < 0.5
    sub = int(choose(rng, np.zeros(1, dtype=np.int64), np.array([[w for _, w in cc.subcategories]]))[0])
    accounts = int(20 + 200 * rng.beta(1.0, 3.0))
    sp = Spike(c, -1, reg if use_region else -1, t0, t1, mult, sub, accounts)
    _widen(lam, sp, _min_excess(cfg) if cfg.calm else max(_min_excess(cfg), SHOWCASE_MIN_EXCESS), steps=("region",))
    sp.excess = _excess(lam, sp)
    if _severity(cfg, sp) not in ("SEV0", "SEV1"):
        # Only a large category in a period of a day or so can add too little: a sensitive
        # category's severity does not depend on volume.
        sp.category = cat.CATEGORY_INDEX["self_harm"]
        sp.multiplier = 5.0
        sp.subcategory = 0
        sp.excess = _excess(lam, sp)
    _plan_incident(cfg, sp, rng)
    # Mitigated before the end; resolved only after a monitoring period that outlasts the end.
    sp.resolved = max(sp.resolved, sp.mitigated + rng.uniform(*SHOWCASE_MONITOR_H) * 3600.0,
                      horizon + 3600.0)
    out = spikes + [sp]
    out.sort(key=lambda s: s.t0)
    return out


def spike_label(sp: Spike) -> str:
    where = []
    if sp.surface >= 0:
        where.append(f"on {texts.SURFACE_LABEL[cat.SURFACES[sp.surface]]}")
    if sp.region >= 0:
        where.append(f"in {cat.REGIONS[sp.region]}")
    return " ".join(where)


def build_tables(cfg: SimConfig, spikes: list[Spike], spike_case_times: list[np.ndarray],
                 surge_reviewers: list[int]) -> dict[str, Any]:
    """sim_spikes, incidents and incident_events (frames), and under "_incident_of" each spike's
    incident id or None (a list). Incidents detected after the end do not exist yet."""
    horizon = cfg.horizon_s
    start = cfg.start
    spike_rows, inc_rows, ev_rows = [], [], []
    inc_no = 0
    incident_of: list[str | None] = []
    for k, sp in enumerate(spikes):
        spike_id = f"SPK-{k + 1:04d}"
        incident_id = None
        cc = cat.CATEGORIES[sp.category]
        if sp.incident and sp.detected <= horizon:
            inc_no += 1
            incident_id = f"{contract_frames.INCIDENT_PREFIX}{inc_no:0{contract_frames.INCIDENT_DIGITS}d}"
            milestones = {"detected": sp.detected, "acknowledged": sp.acknowledged,
                          "mitigated": sp.mitigated, "resolved": sp.resolved}
            seen = {name: (t if t <= horizon else np.nan) for name, t in milestones.items()}
            status = ("resolved" if not np.isnan(seen["resolved"]) else
                      "mitigated" if not np.isnan(seen["mitigated"]) else
                      "acknowledged" if not np.isnan(seen["acknowledged"]) else "open")
            where = spike_label(sp)
            sub_name = cc.subcategories[sp.subcategory][0].replace("_", " ")
            title = f"{texts.SPIKE_TITLES[cc.key]}: {sub_name}" + (f" {where}" if where else "")
            vertical = next(v.name for v in cat.VERTICALS if v.key == cc.vertical)
            # Free text, as a commander writes it: what and where, never a figure. The size of the
            # spike is the spike record's (measured over the spike's hours); a multiplier written
            # here would be a second, different value of the same figure.
            summary = (f"{cc.label} arrivals rose well above the usual level"
                       + (f" {where}" if where else "") + f", driven by {sub_name}; "
                       f"{vertical} queues affected.")
            inc_rows.append({
                "incident_id": incident_id, "title": title, "severity": sp.severity, "category": cc.key,
                "status": status, "started_at": sp.t0, "detected_at": seen["detected"],
                "acknowledged_at": seen["acknowledged"], "mitigated_at": seen["mitigated"],
                "resolved_at": seen["resolved"], "commander": sp.commander, "summary": summary,
                "spike_id": spike_id,
            })
            times = spike_case_times[k]
            ev = [(sp.t0, "started", f"{cc.label} volume started rising" + (f" {where}" if where else "") + ".",
                   "system"),
                  (sp.detected, "detected",
                   f"Alert: {cc.label} arrivals" + (f" {where}" if where else "")
                   + " far above the same hour last week.", "spike-detector"),
                  (sp.acknowledged, "acknowledged",
                   f"{sp.commander} took command; paging the {vertical} on-call and WFM.", sp.commander)]
            for u in sp.updates:
                linked = int(np.searchsorted(times, u, side="right"))
                extra = surge_reviewers[k]
                note = f"{linked:,} linked cases so far."
                if extra:
                    note += f" Surge staffing: {extra} extra reviewers on the affected queues."
                ev.append((u, "update", note, sp.commander))
            ev.append((sp.mitigated, "mitigated",
                       f"Mitigated: {MITIGATIONS[cc.key]}. Arrivals back near baseline.", sp.commander))
            ev.append((sp.resolved, "resolved",
                       f"Resolved after {int(np.searchsorted(times, sp.resolved, side='right')):,} linked cases; "
                       "follow-ups tracked in the post-incident review.", sp.commander))
            for t, kind, note, actor in ev:
                if t <= horizon:
                    ev_rows.append({"incident_id": incident_id, "occurred_at": t, "kind": kind,
                                    "note": note, "actor": actor})
        incident_of.append(incident_id)
        spike_rows.append({
            "spike_id": spike_id, "category": cc.key,
            "surface": cat.SURFACES[sp.surface] if sp.surface >= 0 else None,
            "region": cat.REGIONS[sp.region] if sp.region >= 0 else None,
            "starts_at": sp.t0, "ends_at": min(sp.t1, horizon), "multiplier": float(sp.multiplier),
            "incident_id": incident_id,
        })

    def frame(rows, schema, time_cols):
        df = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
        for col in time_cols:
            vals = df[col].to_numpy().astype(np.float64) if len(df) else np.zeros(0)
            df = df.with_columns(pl.Series(col, to_datetime(start, vals), dtype=pl.Datetime("us")))
        return df

    f = pl.Float64
    s = pl.String
    spikes_df = frame(spike_rows, {"spike_id": s, "category": s, "surface": s, "region": s, "starts_at": f,
                                   "ends_at": f, "multiplier": f, "incident_id": s},
                      ["starts_at", "ends_at"])
    inc_df = frame(inc_rows, {"incident_id": s, "title": s, "severity": s, "category": s, "status": s,
                              "started_at": f, "detected_at": f, "acknowledged_at": f, "mitigated_at": f,
                              "resolved_at": f, "commander": s, "summary": s, "spike_id": s},
                   ["started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at"])
    ev_df = frame(ev_rows, {"incident_id": s, "occurred_at": f, "kind": s, "note": s, "actor": s},
                  ["occurred_at"])
    kind_order = {"started": 0, "detected": 1, "acknowledged": 2, "update": 3, "mitigated": 4, "resolved": 5}
    ev_df = (ev_df.with_columns(pl.col("kind").replace_strict(kind_order, return_dtype=pl.Int8).alias("_o"))
             .sort(["occurred_at", "incident_id", "_o"]).drop("_o"))
    return {"sim_spikes": spikes_df, "incidents": inc_df, "incident_events": ev_df,
            "_incident_of": incident_of}
