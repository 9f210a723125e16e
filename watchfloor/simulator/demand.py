"""Demand: when cases arrive and what they are about.

The expected count of every hour of the period and every (category, surface, region) follows
the region's local daily and weekly cycle (zoneinfo, so daylight-saving shifts are honoured), a
slow growth trend, the regions' public holidays and product launches (`intensity`). Real report
volumes scatter far more than Poisson around such a forecast, so by default each hour's count is
drawn from a noisy intensity (`noise`): a day-level and an hour-level random effect per category
(each an AR(1) on the log intensity) and a gamma factor per (category, surface, region, hour),
then Poisson: a gamma-Poisson (negative binomial) count whose busy and quiet hours and days come
in runs. `SimConfig.calm` keeps the plain Poisson world. docs/simulator.md gives the figures and
the evidence they were chosen on. Arrival times are uniform within the hour. Spikes add Poisson
arrivals of their own on top, only inside their window and scope; bursts (bursts.py) add
back-fills and brigading. Attributes are drawn per case, vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from watchfloor.simulator import bursts as burst_module
from watchfloor.simulator import catalog as cat
from watchfloor.simulator import texts
from watchfloor.simulator.config import SimConfig, choose, expit, logit, pad_weights

# Noise around the forecast, chosen from the hourly mention counts of real series (the
# index-of-dispersion study in docs/simulator.md): per category, a day-level effect with a
# log-scale standard deviation DAY_SD whose days follow one another with correlation DAY_AR, and
# an hour-level effect (DAY_SD's counterpart within the day) with HOUR_SD and lag-one correlation
# HOUR_AR; per (category, surface, region, hour) a gamma factor of variance CELL_ALPHA.
DAY_SD, DAY_AR = 0.11, 0.45
HOUR_SD, HOUR_AR = 0.19, 0.32
CELL_ALPHA = 0.05
# Holidays (local dates, per region): developer surfaces fall to HOLIDAY_BUSINESS of a working
# day, consumer surfaces rise to HOLIDAY_CONSUMER. Thanksgiving is the fourth Thursday of November.
HOLIDAYS = {
    "AMER": ((1, 1), (7, 4), "thanksgiving", (12, 25)),
    "EMEA": ((1, 1), (5, 1), (12, 25), (12, 26)),
    "APAC": ((1, 1), (5, 1), (8, 9), (12, 25)),
}
HOLIDAY_BUSINESS, HOLIDAY_CONSUMER = 0.45, 1.10
# Launches: about LAUNCHES_PER_30_DAYS a month, each on one surface (weights over SURFACES), in
# every category and region: volume rises over LAUNCH_RAMP_H hours by a factor 1 + U(LAUNCH_LIFT)
# and the lift decays with time constant LAUNCH_DECAY_H hours.
LAUNCHES_PER_30_DAYS = 1.0
LAUNCH_SURFACES = (0.10, 0.20, 0.35, 0.25, 0.10)
LAUNCH_LIFT = (0.3, 0.7)
LAUNCH_RAMP_H, LAUNCH_DECAY_H = 6.0, 72.0

N_CAT = len(cat.CATEGORIES)
N_SURF = len(cat.SURFACES)
N_REG = len(cat.REGIONS)


@dataclass
class TimeGrid:
    hours: int
    local_hour: np.ndarray   # (regions, hours) local hour of day at the middle of each hour
    local_dow: np.ndarray    # (regions, hours) local weekday, Monday=0
    holiday: np.ndarray      # (regions, hours) the local day is a public holiday of the region


def _is_holiday(day, region: str) -> bool:
    for entry in HOLIDAYS[region]:
        if entry == "thanksgiving":
            if day.month == 11 and day.weekday() == 3 and 22 <= day.day <= 28:
                return True
        elif (day.month, day.day) == entry:
            return True
    return False


def time_grid(cfg: SimConfig) -> TimeGrid:
    hours = cfg.days * 24
    start = cfg.start.replace(tzinfo=UTC)
    lh = np.zeros((N_REG, hours), dtype=np.int16)
    ld = np.zeros((N_REG, hours), dtype=np.int16)
    hol = np.zeros((N_REG, hours), dtype=bool)
    for r, region in enumerate(cat.REGIONS):
        tz = ZoneInfo(cat.REGION_TZ[region])
        for h in range(hours):
            local = (start + timedelta(hours=h, minutes=30)).astimezone(tz)
            lh[r, h] = local.hour
            ld[r, h] = local.weekday()
            hol[r, h] = _is_holiday(local.date(), region)
    return TimeGrid(hours, lh, ld, hol)


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


def intensity(cfg: SimConfig, grid: TimeGrid, launches: list[Launch] | None = None) -> np.ndarray:
    """Expected base arrivals, shape (categories, surfaces, regions, hours): the cycles and growth,
    scaled so that they sum to days x cases_per_day, times holidays and `launches` (not in the
    calm world, which has neither)."""
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
    if cfg.calm:
        return lam
    business = np.array([cat.SURFACE_PROFILE[s] == "business" for s in cat.SURFACES])
    holiday = np.where(business[:, None, None], HOLIDAY_BUSINESS, HOLIDAY_CONSUMER)  # (surfaces, 1, 1)
    lam *= np.where(grid.holiday[None, :, :], holiday, 1.0)[None]
    for launch in launches or ():
        lam[:, launch.surface, :, :] *= launch.factor(np.arange(grid.hours, dtype=float))[None, None, :]
    return lam


@dataclass(frozen=True)
class Launch:
    """A product launch on one surface: more cases in every category and region for some days."""

    surface: int
    t0_h: float   # hours since the start of the period
    lift: float   # extra volume at the top, as a share of the usual (0.5: 1.5x)

    def factor(self, hours: np.ndarray) -> np.ndarray:
        since = hours + 0.5 - self.t0_h
        ramp = np.clip(since / LAUNCH_RAMP_H, 0.0, 1.0)
        decay = np.exp(-np.maximum(since - LAUNCH_RAMP_H, 0.0) / LAUNCH_DECAY_H)
        return 1.0 + self.lift * ramp * decay


def plan_launches(cfg: SimConfig, rng: np.random.Generator) -> list[Launch]:
    """Product launches of the period (none in the calm world)."""
    if cfg.calm:
        return []
    n = int(rng.poisson(LAUNCHES_PER_30_DAYS * cfg.days / 30.0))
    surfaces = choose(rng, np.zeros(n, dtype=np.int64), np.array([LAUNCH_SURFACES]))
    starts = rng.uniform(0.0, cfg.days * 24.0, n)
    lifts = rng.uniform(*LAUNCH_LIFT, n)
    return [Launch(int(s), float(t), float(x)) for s, t, x in zip(surfaces, starts, lifts)]


def noise(cfg: SimConfig, lam: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The noisy intensity: lam times a day-level and an hour-level effect per category (each
    lognormal with mean 1, an AR(1) on the log scale) and a gamma factor (mean 1, variance
    CELL_ALPHA) per cell and hour. The calm world returns lam itself."""
    if cfg.calm:
        return lam
    n_cat, _, _, hours = lam.shape
    days = -(-hours // 24)
    day = _ar1(rng, (n_cat, days), DAY_SD, DAY_AR)
    hour = _ar1(rng, (n_cat, hours), HOUR_SD, HOUR_AR)
    log_effect = np.repeat(day, 24, axis=1)[:, :hours] + hour - 0.5 * (DAY_SD ** 2 + HOUR_SD ** 2)
    shape = 1.0 / CELL_ALPHA
    cell = rng.gamma(shape, 1.0 / shape, size=lam.shape)
    return lam * np.exp(log_effect)[:, None, None, :] * cell


def _ar1(rng: np.random.Generator, shape: tuple[int, int], sd: float, rho: float) -> np.ndarray:
    """Stationary AR(1) paths along the last axis with marginal standard deviation sd."""
    shocks = rng.standard_normal(shape) * sd
    out = np.empty(shape)
    out[:, 0] = shocks[:, 0]
    scale = np.sqrt(1.0 - rho * rho)
    for t in range(1, shape[1]):
        out[:, t] = rho * out[:, t - 1] + scale * shocks[:, t]
    return out


@dataclass
class Arrivals:
    t: np.ndarray          # created, seconds since start, sorted
    category: np.ndarray
    surface: np.ndarray
    region: np.ndarray
    spike: np.ndarray      # spike index or -1
    burst: np.ndarray      # burst index (bursts.Burst) or -1


def draw_arrivals(cfg: SimConfig, lam: np.ndarray, spikes, rng: np.random.Generator, rate: np.ndarray | None = None,
                  bursts=(), burst_rng: np.random.Generator | None = None, hours: tuple[int, int] | None = None,
                  burst_cases: tuple[np.ndarray, ...] | None = None) -> Arrivals:
    """Base arrivals drawn from `rate` (the noisy intensity; lam itself in the calm world), spike
    arrivals from the expected `lam` times (multiplier - 1), and the bursts' cases.

    hours: only the hours [h0, h1) of the period (a window of the streamed seeder); burst_cases:
    the bursts' cases already drawn (bursts.draw) for that window, instead of drawing them here."""
    h_lo, h_hi = (0, lam.shape[3]) if hours is None else hours
    src = lam if rate is None else rate
    counts = rng.poisson(src if hours is None else src[..., h_lo:h_hi])
    flat = np.repeat(np.arange(counts.size, dtype=np.int64), counts.ravel())
    c, s, r, h = np.unravel_index(flat, counts.shape)
    h = h + h_lo
    t = (h + rng.random(len(flat))) * 3600.0
    spike_idx = np.full(len(flat), -1, dtype=np.int32)
    parts = [(t, c, s, r, spike_idx)]
    for k, sp in enumerate(spikes):
        h0 = max(int(sp.t0 // 3600), h_lo)
        h1 = int(min(np.ceil(sp.t1 / 3600), lam.shape[3], h_hi))
        hs = np.arange(h0, max(h1, h0))
        lo = np.maximum(hs * 3600.0, sp.t0)
        hi = np.minimum((hs + 1) * 3600.0, sp.t1)
        frac = np.clip((hi - lo) / 3600.0, 0, 1)
        sub = lam[sp.category][:, :, h0:max(h1, h0)] * sp.scope_mask()[:, :, None] * (sp.multiplier - 1) * frac
        k_counts = rng.poisson(sub)
        kf = np.repeat(np.arange(k_counts.size, dtype=np.int64), k_counts.ravel())
        ks, kr, kh = np.unravel_index(kf, sub.shape)
        kt = lo[kh] + rng.random(len(kf)) * (hi[kh] - lo[kh])
        parts.append((kt, np.full(len(kf), sp.category), ks, kr, np.full(len(kf), k, dtype=np.int32)))
    burst_of = [np.full(len(p[0]), -1, dtype=np.int32) for p in parts]
    if bursts:
        if burst_cases is None:
            assert burst_rng is not None, "drawing the bursts' cases needs burst_rng"
            burst_cases = burst_module.draw(list(bursts), burst_rng)
        bt, bc, bs, br, bk = burst_cases
        parts.append((bt, bc, bs, br, np.full(len(bt), -1, dtype=np.int32)))
        burst_of.append(bk.astype(np.int32))
    t = np.concatenate([p[0] for p in parts])
    c = np.concatenate([p[1] for p in parts]).astype(np.int16)
    s = np.concatenate([p[2] for p in parts]).astype(np.int16)
    r = np.concatenate([p[3] for p in parts]).astype(np.int16)
    spike_of = np.concatenate([p[4] for p in parts]).astype(np.int32)
    b = np.concatenate(burst_of).astype(np.int32)
    t = np.minimum(t, cfg.horizon_s)
    order = np.lexsort((b, spike_of, r, s, c, t))
    return Arrivals(t[order], c[order], s[order], r[order], spike_of[order], b[order])


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
    out = []
    for name in SUB_NAMES:
        variants = texts.EXCERPTS[name]
        out.extend([variants[0], variants[1 % len(variants)]])
    out.extend(texts.SPIKE_EXCERPTS[c.key] for c in cat.CATEGORIES)
    return out


def draw_attributes(cfg: SimConfig, arr: Arrivals, spikes, rngs: dict[str, np.random.Generator],
                    bursts=(), population: int | None = None) -> Cases:
    """population: the period's number of cases, which sizes the account pools (default: len(arr))."""
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
    if len(bursts):
        # A back-fill is a classifier's flags; brigading is user reports.
        kinds = np.array([b.kind == "backfill" for b in bursts])
        in_burst = arr.burst >= 0
        backfill = in_burst & kinds[np.maximum(arr.burst, 0)]
        source = np.where(backfill, cat.SOURCES.index("classifier"),
                          np.where(in_burst, cat.SOURCES.index("user_report"), source)).astype(np.int32)
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
    score = drifted(cfg, arr.t, classifier, score)
    src_p = logit([cat.SOURCE_PRECISION[s] for s in cat.SOURCES])
    adj = np.array([cc.violation_logit_adj for cc in cat.CATEGORIES])
    other_p = expit(src_p[source] + adj[c] + np.where(is_spike, 1.0, 0.0))
    p_viol = np.where(is_clf, clf_p, other_p)
    violating = rng.random(n) < p_viol
    thr = np.array([k.auto_threshold for k in cat.CLASSIFIERS])
    automated = is_clf & (np.nan_to_num(score, nan=0.0) >= thr[kidx])

    account, org = draw_accounts(cfg, arr, spikes, rngs["accounts"], bursts, population)

    variant = (rng.random(n) < 0.5).astype(np.int32)
    excerpt = subcategory * 2 + variant
    spike_share = is_spike & (rng.random(n) < 0.7)
    excerpt = np.where(spike_share, 2 * len(SUB_NAMES) + c, excerpt).astype(np.int32)

    routed_t = np.minimum(arr.t + rng.uniform(1.0, 20.0, n), cfg.horizon_s + 3600.0)
    return Cases(arr.t, arr.category, arr.surface, arr.region, arr.spike, subcategory.astype(np.int32),
                 priority, source.astype(np.int8), language.astype(np.int16), classifier, score,
                 violating, automated, account, org, excerpt, routed_t)


def drift_ramp(cfg: SimConfig, t: np.ndarray) -> np.ndarray:
    """How far the classifiers' drift has gone at t (seconds since the start): 0 before it starts
    (catalog.DRIFT_DAYS_BEFORE_END days before the end, or half-way in a shorter period), 1 once
    catalog.DRIFT_RAMP_DAYS have passed."""
    start = max(cfg.horizon_s - cat.DRIFT_DAYS_BEFORE_END * 86400.0, cfg.horizon_s / 2)
    return np.clip((np.asarray(t, dtype=np.float64) - start) / (cat.DRIFT_RAMP_DAYS * 86400.0), 0.0, 1.0)


def drifted(cfg: SimConfig, t: np.ndarray, classifier: np.ndarray, score: np.ndarray) -> np.ndarray:
    """The scores the drifting classifiers (catalog.DRIFTS) report: u = (score - 0.5) / 0.5
    becomes u ** gamma, gamma moving from 1 to the drift's over the ramp. Draws nothing."""
    out = score.copy()
    ramp = drift_ramp(cfg, t)
    for drift in cat.DRIFTS:
        sel = classifier == cat.CLASSIFIER_INDEX[drift.classifier]
        if not sel.any():
            continue
        gamma = 1.0 + (drift.gamma - 1.0) * ramp[sel]
        u = np.clip((score[sel] - 0.5) / 0.5, 0.0, 1.0)
        out[sel] = np.round(0.5 + 0.5 * u ** gamma, 4)
    return out


def draw_accounts(cfg: SimConfig, arr: Arrivals, spikes, rng: np.random.Generator, bursts=(),
                  population: int | None = None):
    """Heavy-tailed account and organisation populations.

    Most consumer cases come from accounts seen once; a fifth come from a smaller pool
    of repeat accounts drawn with a power law, so a few accounts have many cases.
    Developer-surface cases (api, plugins) belong to organisations, themselves drawn
    with a power law, and to one of a handful of accounts of that organisation.
    Spike cases come from the campaign's own small cluster of accounts; the reports of a
    brigading are all against its one target account.
    """
    n = len(arr.t)
    total = max(n if population is None else population, 1)
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
    brigading = [k for k, b in enumerate(bursts) if b.kind == "brigading"]
    if brigading:
        target = base_org_accounts + n_org * 8 + len(spikes) * 1000 + np.arange(len(bursts), dtype=np.int64)
        hit = (arr.burst >= 0) & np.isin(arr.burst, brigading)
        account[hit] = target[arr.burst[hit]]
        org[hit] = -1
    return account, org
