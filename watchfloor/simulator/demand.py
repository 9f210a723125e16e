"""Demand: when cases arrive and what they are about.

Arrivals are a non-homogeneous Poisson process per (category, surface, region):
the expected count of every hour of the period follows the region's local daily
and weekly cycle (zoneinfo, so daylight-saving shifts are honoured) and a slow
growth trend; each hour's count is Poisson, and the arrival times are uniform
within the hour. Spikes add Poisson arrivals of their own on top, only inside
their window and scope. Attributes are drawn per case, vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np

from watchfloor.simulator import catalog as cat
from watchfloor.simulator.config import SimConfig, choose, expit, logit, pad_weights

N_CAT = len(cat.CATEGORIES)
N_SURF = len(cat.SURFACES)
N_REG = len(cat.REGIONS)


@dataclass
class TimeGrid:
    hours: int
    local_hour: np.ndarray   # (regions, hours) local hour of day at the middle of each hour
    local_dow: np.ndarray    # (regions, hours) local weekday, Monday=0


def time_grid(cfg: SimConfig) -> TimeGrid:
    hours = cfg.days * 24
    start = cfg.start.replace(tzinfo=timezone.utc)
    lh = np.zeros((N_REG, hours), dtype=np.int16)
    ld = np.zeros((N_REG, hours), dtype=np.int16)
    for r, region in enumerate(cat.REGIONS):
        tz = ZoneInfo(cat.REGION_TZ[region])
        for h in range(hours):
            local = (start + timedelta(hours=h, minutes=30)).astimezone(tz)
            lh[r, h] = local.hour
            ld[r, h] = local.weekday()
    return TimeGrid(hours, lh, ld)


def profile_matrix(grid: TimeGrid) -> np.ndarray:
    """(profiles, regions, hours) relative intensity, mean 1 over a typical week."""
    names = ("consumer", "business")
    out = np.zeros((len(names), N_REG, grid.hours))
    for i, name in enumerate(names):
        hourly = np.asarray(cat.HOURLY_PROFILE[name])
        weekly = np.asarray(cat.WEEKDAY_PROFILE[name])
        norm = (hourly[None, :] * weekly[:, None]).mean()
        out[i] = hourly[grid.local_hour] * weekly[grid.local_dow] / norm
    return out


def intensity(cfg: SimConfig, grid: TimeGrid) -> np.ndarray:
    """Expected base arrivals, shape (categories, surfaces, regions, hours); sums to days x cases_per_day."""
    prof = profile_matrix(grid)
    surf_profile = np.array([0 if cat.SURFACE_PROFILE[s] == "consumer" else 1 for s in cat.SURFACES])
    share = np.array([c.share for c in cat.CATEGORIES])
    surf = np.array([c.surfaces for c in cat.CATEGORIES])
    surf = surf / surf.sum(axis=1, keepdims=True)
    region = np.asarray(cat.REGION_SHARE)
    growth = (1.0 + cat.DAILY_GROWTH) ** (np.arange(grid.hours) / 24.0)
    lam = (share[:, None, None, None] * surf[:, :, None, None] * region[None, None, :, None]
           * prof[surf_profile][None, :, :, :] * growth[None, None, None, :])
    lam *= (cfg.cases_per_day * cfg.days) / lam.sum()
    return lam


@dataclass
class Arrivals:
    t: np.ndarray          # created, seconds since start, sorted
    category: np.ndarray
    surface: np.ndarray
    region: np.ndarray
    spike: np.ndarray      # spike index or -1


def draw_arrivals(cfg: SimConfig, lam: np.ndarray, spikes, rng: np.random.Generator) -> Arrivals:
    counts = rng.poisson(lam)
    flat = np.repeat(np.arange(counts.size, dtype=np.int64), counts.ravel())
    c, s, r, h = np.unravel_index(flat, lam.shape)
    t = (h + rng.random(len(flat))) * 3600.0
    spike_idx = np.full(len(flat), -1, dtype=np.int32)
    parts = [(t, c, s, r, spike_idx)]
    for k, sp in enumerate(spikes):
        h0 = int(sp.t0 // 3600)
        h1 = int(min(np.ceil(sp.t1 / 3600), lam.shape[3]))
        hs = np.arange(h0, h1)
        lo = np.maximum(hs * 3600.0, sp.t0)
        hi = np.minimum((hs + 1) * 3600.0, sp.t1)
        frac = np.clip((hi - lo) / 3600.0, 0, 1)
        sub = lam[sp.category][:, :, h0:h1] * sp.scope_mask()[:, :, None] * (sp.multiplier - 1) * frac
        k_counts = rng.poisson(sub)
        kf = np.repeat(np.arange(k_counts.size, dtype=np.int64), k_counts.ravel())
        ks, kr, kh = np.unravel_index(kf, sub.shape)
        kt = lo[kh] + rng.random(len(kf)) * (hi[kh] - lo[kh])
        parts.append((kt, np.full(len(kf), sp.category), ks, kr, np.full(len(kf), k, dtype=np.int32)))
    t = np.concatenate([p[0] for p in parts])
    c = np.concatenate([p[1] for p in parts]).astype(np.int16)
    s = np.concatenate([p[2] for p in parts]).astype(np.int16)
    r = np.concatenate([p[3] for p in parts]).astype(np.int16)
    k = np.concatenate([p[4] for p in parts]).astype(np.int32)
    t = np.minimum(t, cfg.horizon_s)
    order = np.lexsort((k, r, s, c, t))
    return Arrivals(t[order], c[order], s[order], r[order], k[order])


# --- attributes -----------------------------------------------------------------------

SUB_NAMES: list[str] = []
SUB_OFFSET = np.zeros(N_CAT, dtype=np.int32)
for _i, _c in enumerate(cat.CATEGORIES):
    SUB_OFFSET[_i] = len(SUB_NAMES)
    SUB_NAMES.extend(name for name, _ in _c.subcategories)
SUB_CATEGORY = np.repeat(np.arange(N_CAT), [len(c.subcategories) for c in cat.CATEGORIES])
CAT_VERTICAL = np.array([cat.VERTICAL_INDEX[c.vertical] for c in cat.CATEGORIES], dtype=np.int16)

LANGS: list[str] = sorted({lang for v in cat.REGION_LANGUAGES.values() for lang, _ in v})


@dataclass
class Cases:
    """Per-case attributes (arrays aligned with Arrivals, sorted by created time)."""

    t: np.ndarray
    category: np.ndarray
    surface: np.ndarray
    region: np.ndarray
    spike: np.ndarray
    subcategory: np.ndarray     # global index into SUB_NAMES
    priority: np.ndarray        # 0..3
    source: np.ndarray          # index into catalog.SOURCES
    language: np.ndarray        # index into LANGS
    classifier: np.ndarray      # index into catalog.CLASSIFIERS or -1
    score: np.ndarray           # NaN when no classifier
    violating: np.ndarray       # ground truth
    automated: np.ndarray
    account: np.ndarray         # int64 account number
    org: np.ndarray             # int64 org number or -1
    excerpt: np.ndarray         # index into excerpt_texts()
    routed_t: np.ndarray

    def __len__(self) -> int:
        return len(self.t)


def excerpt_texts() -> list[str]:
    """All excerpt bodies: two per subcategory (in SUB_NAMES order), then one per category for spikes."""
    from watchfloor.simulator import texts

    out = []
    for name in SUB_NAMES:
        variants = texts.EXCERPTS[name]
        out.extend([variants[0], variants[1 % len(variants)]])
    out.extend(texts.SPIKE_EXCERPTS[c.key] for c in cat.CATEGORIES)
    return out


def draw_attributes(cfg: SimConfig, arr: Arrivals, spikes, rngs: dict[str, np.random.Generator]) -> Cases:
    rng = rngs["attributes"]
    n = len(arr.t)
    c = arr.category.astype(np.int64)
    is_spike = arr.spike >= 0

    sub_w = pad_weights([tuple(w for _, w in cc.subcategories) for cc in cat.CATEGORIES])
    sub_local = choose(rng, c, sub_w)
    if is_spike.any():
        dom = np.array([sp.subcategory for sp in spikes], dtype=np.int32)
        take = is_spike & (rng.random(n) < 0.8)
        sub_local[take] = dom[arr.spike[take]]
    subcategory = SUB_OFFSET[c] + sub_local

    lang_w = np.zeros((N_REG, len(LANGS)))
    for r, region in enumerate(cat.REGIONS):
        for lang, w in cat.REGION_LANGUAGES[region]:
            lang_w[r, LANGS.index(lang)] = w
    language = choose(rng, arr.region.astype(np.int64), lang_w)

    source = choose(rng, c, np.array([cc.sources for cc in cat.CATEGORIES]))
    priority = choose(rng, c, np.array([cc.priorities for cc in cat.CATEGORIES]))
    urgent = np.isin(source, [cat.SOURCES.index(s) for s in cat.URGENT_SOURCES])
    priority = np.where(urgent, np.minimum(priority, 1), priority).astype(np.int8)

    # Classifier flags: which model, its score, and the precision that goes with it.
    clf_rows = []
    for cc in cat.CATEGORIES:
        row = np.zeros(len(cat.CLASSIFIERS))
        for name, w in cc.classifiers:
            row[cat.CLASSIFIER_INDEX[name]] = w
        clf_rows.append(row)
    is_clf = source == cat.SOURCES.index("classifier")
    classifier = np.where(is_clf, choose(rng, c, np.array(clf_rows)), -1).astype(np.int16)
    # Surface-specific detectors: image categories use the image model on image_gen.
    ba = np.array([k.beta_a for k in cat.CLASSIFIERS])
    bb = np.array([k.beta_b for k in cat.CLASSIFIERS])
    kidx = np.maximum(classifier, 0)
    score = 0.5 + 0.5 * rng.beta(ba[kidx], bb[kidx])
    score = np.where(is_clf, np.round(score, 4), np.nan)
    lo = logit([k.precision_lo for k in cat.CLASSIFIERS])
    hi = logit([k.precision_hi for k in cat.CLASSIFIERS])
    clf_p = expit(lo[kidx] + (np.nan_to_num(score, nan=0.5) - 0.5) / 0.5 * (hi[kidx] - lo[kidx]))
    src_p = logit([cat.SOURCE_PRECISION[s] for s in cat.SOURCES])
    adj = np.array([cc.violation_logit_adj for cc in cat.CATEGORIES])
    other_p = expit(src_p[source] + adj[c] + np.where(is_spike, 1.0, 0.0))
    p_viol = np.where(is_clf, clf_p, other_p)
    violating = rng.random(n) < p_viol
    thr = np.array([k.auto_threshold for k in cat.CLASSIFIERS])
    automated = is_clf & (np.nan_to_num(score, nan=0.0) >= thr[kidx])

    account, org = draw_accounts(cfg, arr, spikes, rngs["accounts"])

    variant = (rng.random(n) < 0.5).astype(np.int32)
    excerpt = subcategory * 2 + variant
    spike_share = is_spike & (rng.random(n) < 0.7)
    excerpt = np.where(spike_share, 2 * len(SUB_NAMES) + c, excerpt).astype(np.int32)

    routed_t = np.minimum(arr.t + rng.uniform(1.0, 20.0, n), cfg.horizon_s + 3600.0)
    return Cases(arr.t, arr.category, arr.surface, arr.region, arr.spike, subcategory.astype(np.int32),
                 priority, source.astype(np.int8), language.astype(np.int16), classifier, score,
                 violating, automated, account, org, excerpt, routed_t)


def draw_accounts(cfg: SimConfig, arr: Arrivals, spikes, rng: np.random.Generator):
    """Heavy-tailed account and organisation populations.

    Most consumer cases come from accounts seen once; a fifth come from a smaller pool
    of repeat accounts drawn with a power law, so a few accounts have many cases.
    Developer-surface cases (api, plugins) belong to organisations, themselves drawn
    with a power law, and to one of a handful of accounts of that organisation.
    Spike cases come from the campaign's own small cluster of accounts.
    """
    n = len(arr.t)
    total = max(n, 1)
    n_single = 3 * total
    n_repeat = max(total // 30, 50)
    n_org = max(total // 40, 30)
    u = rng.random(n)
    repeat = rng.random(n) < 0.2
    account = np.where(
        repeat,
        n_single + np.floor(n_repeat * rng.random(n) ** 2.2).astype(np.int64),
        np.floor(u * n_single).astype(np.int64),
    )
    org_surface = np.isin(arr.surface, [cat.SURFACES.index(s) for s in cat.ORG_SURFACES])
    org_rank = np.floor(n_org * rng.random(n) ** 2.0).astype(np.int64)
    member = np.floor(8 * rng.random(n) ** 2).astype(np.int64)
    base_org_accounts = n_single + n_repeat
    account = np.where(org_surface, base_org_accounts + org_rank * 8 + member, account)
    # A tenth of consumer accounts are enterprise seats of an organisation.
    enterprise = (~org_surface) & (rng.random(n) < 0.1)
    org = np.where(org_surface | enterprise, org_rank, -1)
    is_spike = arr.spike >= 0
    if is_spike.any():
        base_spike = base_org_accounts + n_org * 8
        sizes = np.array([sp.accounts for sp in spikes], dtype=np.int64)
        k = arr.spike[is_spike]
        pick = np.floor(sizes[k] * rng.random(is_spike.sum()) ** 1.5).astype(np.int64)
        account[is_spike] = base_spike + k.astype(np.int64) * 1000 + pick
        spike_org = np.array([n_org + i for i in range(len(spikes))], dtype=np.int64)
        org_sel = org_surface[is_spike]
        org_vals = org[is_spike]
        org_vals[org_sel] = spike_org[k[org_sel]]
        org[is_spike] = org_vals
    return account, org
