"""The static world of the simulation: policy categories, verticals, regions,
surfaces, SLA policies, classifiers, vendors and their sites.

Everything here is plain data (tuples and small dataclasses) so the rest of the
simulator can turn it into numpy arrays. Order matters: indices into these
tuples are the codes used throughout the simulator, so never reorder entries
without thinking about determinism across versions.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- regions, surfaces, priorities, sources ------------------------------------------

REGIONS = ("AMER", "EMEA", "APAC")
REGION_TZ = {"AMER": "America/New_York", "EMEA": "Europe/Dublin", "APAC": "Asia/Singapore"}
REGION_SHARE = (0.45, 0.33, 0.22)

# Languages a case can be in, per region (weights sum to 1).
REGION_LANGUAGES = {
    "AMER": (("en", 0.70), ("es", 0.18), ("pt", 0.10), ("fr", 0.02)),
    "EMEA": (("en", 0.34), ("de", 0.12), ("fr", 0.12), ("es", 0.08), ("ar", 0.10),
             ("it", 0.07), ("tr", 0.06), ("pl", 0.05), ("nl", 0.06)),
    "APAC": (("en", 0.30), ("ja", 0.18), ("hi", 0.15), ("ko", 0.12), ("id", 0.12),
             ("zh", 0.08), ("vi", 0.05)),
}

SURFACES = ("chat", "api", "image_gen", "voice", "plugins")
# Surfaces used by organisations (developer platform); their cases carry an org_id.
ORG_SURFACES = ("api", "plugins")
SURFACE_PREFIX = {
    "chat": "Chat message: ",
    "api": "API request: ",
    "image_gen": "Image prompt: ",
    "voice": "Voice transcript: ",
    "plugins": "Plugin action: ",
}
# Consumer surfaces follow the evening-heavy consumer cycle, developer surfaces
# the office-hours cycle.
SURFACE_PROFILE = {"chat": "consumer", "api": "business", "image_gen": "consumer",
                   "voice": "consumer", "plugins": "business"}

# Relative arrivals by local hour of day (0..23); normalised over a week later.
HOURLY_PROFILE = {
    "consumer": (0.55, 0.42, 0.33, 0.28, 0.26, 0.30, 0.42, 0.60, 0.80, 0.95, 1.05, 1.12,
                 1.18, 1.20, 1.20, 1.22, 1.25, 1.30, 1.38, 1.45, 1.50, 1.42, 1.15, 0.82),
    "business": (0.35, 0.30, 0.28, 0.28, 0.30, 0.40, 0.60, 0.90, 1.30, 1.60, 1.75, 1.80,
                 1.70, 1.75, 1.80, 1.70, 1.50, 1.20, 0.90, 0.70, 0.60, 0.50, 0.45, 0.40),
}
# Relative arrivals by local weekday (Monday=0).
WEEKDAY_PROFILE = {
    "consumer": (0.97, 0.96, 0.97, 0.98, 1.02, 1.08, 1.05),
    "business": (1.08, 1.10, 1.10, 1.08, 1.02, 0.62, 0.58),
}
# Slow growth of the platform over the simulated period (per day, compounding).
DAILY_GROWTH = 0.001

PRIORITIES = ("P0", "P1", "P2", "P3")
SOURCES = ("user_report", "classifier", "proactive", "trusted_flagger", "law_enforcement",
           "internal_escalation")
# Base precision (share truly violating) of non-classifier sources.
SOURCE_PRECISION = {"user_report": 0.30, "classifier": 0.0, "proactive": 0.75,
                    "trusted_flagger": 0.70, "law_enforcement": 0.80, "internal_escalation": 0.65}
# Sources that raise a case to at least P1.
URGENT_SOURCES = ("law_enforcement",)

DECISIONS = ("violating", "non_violating", "insufficient_info")
ACTIONS = ("none", "warning", "content_removed", "feature_restricted", "account_suspended",
           "account_banned", "reported_to_authorities")
TIERS = ("L1", "L2", "SME")

# --- verticals (abuse areas) -------------------------------------------------------------


@dataclass(frozen=True)
class Vertical:
    key: str            # short code used in queue ids
    name: str           # queues.vertical
    sme_region: str     # home region of the vertical's SME team


VERTICALS = (
    Vertical("cs", "Child safety", "AMER"),
    Vertical("ve", "Violence & extremism", "EMEA"),
    Vertical("fs", "Fraud & spam", "AMER"),
    Vertical("hh", "Hate & harassment", "EMEA"),
    Vertical("sx", "Sexual content", "AMER"),
    Vertical("sh", "Self-harm", "AMER"),
    Vertical("dc", "Dangerous capabilities", "AMER"),
    Vertical("in", "Integrity", "EMEA"),
    Vertical("pi", "Privacy & IP", "EMEA"),
)

# --- categories --------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    vertical: str                      # Vertical.key
    share: float                       # base share of case volume
    surfaces: tuple[float, ...]        # weights over SURFACES
    priorities: tuple[float, ...]      # weights over PRIORITIES
    sources: tuple[float, ...]         # weights over SOURCES
    subcategories: tuple[tuple[str, float], ...]
    classifiers: tuple[tuple[str, float], ...]  # classifier name, weight among classifier cases
    violation_logit_adj: float         # shifts non-classifier source precision
    actions: tuple[float, ...]         # weights over ACTIONS for human 'violating' decisions
    auto_actions: tuple[float, ...]    # weights over ACTIONS for automated decisions
    handle_median_s: float             # median L1 handle time of the internal team
    difficulty: float                  # multiplies reviewer error rates
    pending_rate: float                # chance the first L1 review asks for more information
    escalation_rate: float             # chance an L1 review escalates to L2
    sme_rate: float                    # chance an L2 review escalates to the SME team
    spike_weight: float                # how often spikes hit this category


def _a(none=0.0, warning=0.0, content_removed=0.0, feature_restricted=0.0, account_suspended=0.0,
       account_banned=0.0, reported_to_authorities=0.0):
    return (none, warning, content_removed, feature_restricted, account_suspended, account_banned,
            reported_to_authorities)


CATEGORIES = (
    Category("fraud_scams", "Fraud & scams", "fs", 0.14,
             (0.35, 0.40, 0.05, 0.10, 0.10), (0.0, 0.15, 0.50, 0.35),
             (0.35, 0.40, 0.15, 0.06, 0.02, 0.02),
             (("phishing", 0.30), ("investment_scam", 0.20), ("romance_scam", 0.12),
              ("payment_fraud", 0.20), ("account_takeover", 0.18)),
             (("fraud-scam-v5", 1.0),), 0.3,
             _a(content_removed=0.20, feature_restricted=0.10, account_suspended=0.40, account_banned=0.30),
             _a(account_suspended=0.7, content_removed=0.3),
             240, 0.9, 0.05, 0.06, 0.15, 3.0),
    Category("spam", "Spam", "fs", 0.22,
             (0.15, 0.60, 0.05, 0.05, 0.15), (0.0, 0.0, 0.30, 0.70),
             (0.25, 0.65, 0.07, 0.02, 0.0, 0.01),
             (("bulk_messaging", 0.35), ("seo_spam", 0.20), ("fake_engagement", 0.20),
              ("access_resale", 0.10), ("automated_account_creation", 0.15)),
             (("spam-v7", 1.0),), 0.8,
             _a(warning=0.05, content_removed=0.45, feature_restricted=0.15, account_suspended=0.35),
             _a(content_removed=0.5, feature_restricted=0.2, account_suspended=0.3),
             90, 0.6, 0.02, 0.02, 0.10, 3.0),
    Category("harassment", "Harassment & bullying", "hh", 0.12,
             (0.70, 0.10, 0.10, 0.08, 0.02), (0.0, 0.15, 0.55, 0.30),
             (0.60, 0.30, 0.04, 0.04, 0.0, 0.02),
             (("targeted_harassment", 0.35), ("bullying", 0.25), ("threats", 0.20),
              ("sexual_harassment", 0.20)),
             (("toxicity-v6", 1.0),), -0.3,
             _a(warning=0.35, content_removed=0.40, feature_restricted=0.15, account_suspended=0.10),
             _a(warning=0.4, content_removed=0.6),
             180, 1.4, 0.05, 0.05, 0.15, 1.5),
    Category("hate", "Hateful conduct", "hh", 0.08,
             (0.65, 0.15, 0.12, 0.05, 0.03), (0.0, 0.15, 0.55, 0.30),
             (0.45, 0.40, 0.07, 0.06, 0.0, 0.02),
             (("slurs", 0.30), ("dehumanization", 0.30), ("hateful_imagery", 0.20),
              ("hate_symbols", 0.20)),
             (("toxicity-v6", 1.0),), -0.2,
             _a(warning=0.25, content_removed=0.45, account_suspended=0.20, account_banned=0.10),
             _a(content_removed=1.0),
             200, 1.5, 0.04, 0.07, 0.15, 1.0),
    Category("violent_extremism", "Violent extremism", "ve", 0.03,
             (0.60, 0.20, 0.15, 0.03, 0.02), (0.15, 0.45, 0.40, 0.0),
             (0.30, 0.35, 0.15, 0.12, 0.05, 0.03),
             (("terrorist_propaganda", 0.35), ("recruitment", 0.20), ("glorification", 0.30),
              ("attack_planning", 0.15)),
             (("violent-extremism-v2", 1.0),), 0.0,
             _a(content_removed=0.35, account_suspended=0.20, account_banned=0.35, reported_to_authorities=0.10),
             _a(content_removed=0.6, account_banned=0.4),
             300, 1.1, 0.03, 0.12, 0.20, 1.0),
    Category("self_harm", "Suicide & self-harm", "sh", 0.04,
             (0.85, 0.05, 0.03, 0.07, 0.0), (0.25, 0.50, 0.25, 0.0),
             (0.40, 0.40, 0.10, 0.05, 0.0, 0.05),
             (("suicidal_ideation", 0.50), ("self_injury_instructions", 0.25), ("eating_disorder", 0.25)),
             (("self-harm-v4", 1.0),), 0.2,
             _a(warning=0.30, content_removed=0.45, feature_restricted=0.25),
             _a(warning=1.0),
             300, 1.2, 0.03, 0.10, 0.15, 0.6),
    Category("child_safety", "Child safety", "cs", 0.03,
             (0.55, 0.10, 0.30, 0.05, 0.0), (0.30, 0.50, 0.20, 0.0),
             (0.25, 0.45, 0.15, 0.08, 0.04, 0.03),
             (("hash_match", 0.30), ("grooming_signals", 0.30), ("minor_sexualization", 0.25),
              ("minor_safety_other", 0.15)),
             (("csam-hashmatch", 0.45), ("child-safety-clf-v3", 0.55)), 0.3,
             _a(content_removed=0.10, account_banned=0.35, reported_to_authorities=0.55),
             _a(reported_to_authorities=1.0),
             360, 0.8, 0.03, 0.15, 0.30, 0.6),
    Category("sexual_content", "Sexual content", "sx", 0.12,
             (0.35, 0.15, 0.45, 0.03, 0.02), (0.0, 0.10, 0.50, 0.40),
             (0.30, 0.60, 0.06, 0.03, 0.0, 0.01),
             (("explicit_content", 0.55), ("non_consensual_imagery", 0.20), ("sexual_services", 0.25)),
             (("nsfw-image-v3", 0.6), ("sexual-text-v2", 0.4)), 0.0,
             _a(warning=0.15, content_removed=0.60, feature_restricted=0.15, account_suspended=0.10),
             _a(content_removed=0.85, feature_restricted=0.15),
             150, 1.1, 0.03, 0.04, 0.15, 1.2),
    Category("cyber_abuse", "Cyber abuse", "dc", 0.05,
             (0.35, 0.50, 0.0, 0.0, 0.15), (0.0, 0.30, 0.50, 0.20),
             (0.15, 0.45, 0.25, 0.08, 0.02, 0.05),
             (("malware_generation", 0.35), ("phishing_kits", 0.25), ("credential_stuffing", 0.20),
              ("exploit_development", 0.20)),
             (("cyber-abuse-v2", 1.0),), 0.0,
             _a(content_removed=0.10, feature_restricted=0.25, account_suspended=0.40, account_banned=0.25),
             _a(feature_restricted=1.0),
             420, 1.0, 0.04, 0.12, 0.20, 1.5),
    Category("cbrn", "CBRN weapons", "dc", 0.01,
             (0.60, 0.35, 0.03, 0.0, 0.02), (0.20, 0.50, 0.25, 0.05),
             (0.10, 0.55, 0.25, 0.02, 0.03, 0.05),
             (("chemical", 0.35), ("biological", 0.35), ("radiological", 0.15), ("nuclear", 0.15)),
             (("cbrn-uplift-v1", 1.0),), -0.8,
             _a(feature_restricted=0.20, account_suspended=0.30, account_banned=0.40, reported_to_authorities=0.10),
             _a(feature_restricted=1.0),
             600, 1.3, 0.03, 0.25, 0.40, 0.4),
    Category("election_integrity", "Election integrity", "in", 0.03,
             (0.40, 0.20, 0.25, 0.12, 0.03), (0.0, 0.35, 0.50, 0.15),
             (0.30, 0.35, 0.20, 0.10, 0.02, 0.03),
             (("voter_suppression", 0.20), ("candidate_deepfake", 0.25), ("coordinated_influence", 0.30),
              ("election_misinformation", 0.25)),
             (("civic-integrity-v1", 1.0),), -0.4,
             _a(warning=0.15, content_removed=0.50, feature_restricted=0.25, account_suspended=0.10),
             _a(content_removed=1.0),
             300, 1.5, 0.04, 0.12, 0.20, 1.2),
    Category("impersonation", "Impersonation", "in", 0.05,
             (0.25, 0.15, 0.20, 0.35, 0.05), (0.0, 0.20, 0.50, 0.30),
             (0.60, 0.20, 0.10, 0.05, 0.02, 0.03),
             (("public_figure", 0.30), ("voice_cloning", 0.30), ("brand_impersonation", 0.25),
              ("fake_profile", 0.15)),
             (("impersonation-v2", 0.5), ("voice-clone-v1", 0.5)), 0.0,
             _a(warning=0.20, content_removed=0.40, account_suspended=0.40),
             _a(content_removed=1.0),
             240, 1.0, 0.08, 0.06, 0.15, 1.0),
    Category("privacy", "Privacy", "pi", 0.04,
             (0.55, 0.25, 0.10, 0.05, 0.05), (0.0, 0.20, 0.50, 0.30),
             (0.70, 0.15, 0.05, 0.03, 0.04, 0.03),
             (("doxxing", 0.30), ("pii_exposure", 0.40), ("covert_tracking", 0.15),
              ("personal_data_request", 0.15)),
             (("pii-leak-v2", 1.0),), -0.2,
             _a(warning=0.15, content_removed=0.80, account_suspended=0.05),
             _a(content_removed=1.0),
             300, 1.1, 0.10, 0.08, 0.15, 0.5),
    Category("ip", "Intellectual property", "pi", 0.04,
             (0.30, 0.20, 0.45, 0.03, 0.02), (0.0, 0.0, 0.40, 0.60),
             (0.55, 0.30, 0.05, 0.10, 0.0, 0.0),
             (("copyright", 0.55), ("trademark", 0.25), ("counterfeit", 0.20)),
             (("ip-match-v3", 1.0),), 0.4,
             _a(warning=0.10, content_removed=0.85, account_suspended=0.05),
             _a(content_removed=1.0),
             200, 0.9, 0.10, 0.05, 0.10, 0.5),
)

# --- classifiers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Classifier:
    name: str
    beta_a: float           # flagged score = 0.5 + 0.5 * Beta(a, b)
    beta_b: float
    precision_lo: float     # P(violating) at score 0.5
    precision_hi: float     # P(violating) at score 1.0
    auto_threshold: float   # scores at or above are actioned automatically (> 1: never)


CLASSIFIERS = (
    Classifier("fraud-scam-v5", 2.2, 1.6, 0.40, 0.985, 0.93),
    Classifier("spam-v7", 3.0, 1.2, 0.55, 0.995, 0.90),
    Classifier("toxicity-v6", 1.6, 2.2, 0.25, 0.93, 0.96),
    Classifier("violent-extremism-v2", 1.8, 1.8, 0.30, 0.97, 0.97),
    Classifier("self-harm-v4", 1.8, 2.0, 0.35, 0.90, 2.0),
    Classifier("csam-hashmatch", 25.0, 1.0, 0.97, 0.999, 0.97),
    Classifier("child-safety-clf-v3", 1.5, 2.0, 0.20, 0.85, 2.0),
    Classifier("nsfw-image-v3", 3.0, 1.3, 0.50, 0.99, 0.92),
    Classifier("sexual-text-v2", 1.8, 2.0, 0.35, 0.93, 2.0),
    Classifier("cyber-abuse-v2", 1.8, 2.2, 0.30, 0.90, 2.0),
    Classifier("cbrn-uplift-v1", 1.5, 3.0, 0.10, 0.70, 2.0),
    Classifier("civic-integrity-v1", 1.6, 2.4, 0.20, 0.80, 2.0),
    Classifier("impersonation-v2", 1.8, 2.0, 0.30, 0.88, 2.0),
    Classifier("voice-clone-v1", 2.2, 1.6, 0.40, 0.97, 0.94),
    Classifier("pii-leak-v2", 2.2, 1.8, 0.45, 0.97, 0.95),
    Classifier("ip-match-v3", 3.5, 1.3, 0.60, 0.99, 0.92),
)
CLASSIFIER_INDEX = {c.name: i for i, c in enumerate(CLASSIFIERS)}

# Misrouting and escalation loops (routing.build_scripts). A case lands in the wrong L1 queue
# (another policy area of its region) with probability MISROUTE_RATE by source -- user reports pick
# their own reason, so they go astray most; the reviewer there re-routes it after a short look. An
# L2 review sends a case back to L1 (missing evidence, not in scope) with probability RETURN_RATE;
# L1 then decides, or escalates it again with probability RE_ESCALATE_RATE.
MISROUTE_RATE = {"user_report": 0.08, "classifier": 0.01, "proactive": 0.015, "trusted_flagger": 0.03,
                 "law_enforcement": 0.02, "internal_escalation": 0.015}
REROUTE_HANDLE_FACTOR = 0.35
RETURN_RATE = 0.12
RE_ESCALATE_RATE = 0.4


@dataclass(frozen=True)
class Drift:
    """A classifier whose scores drift in the last weeks of the period (demand.draw_attributes):
    from DRIFT_DAYS_BEFORE_END days before the end (or half-way, in a shorter period), over
    DRIFT_RAMP_DAYS, the flagged score's position u = (score - 0.5) / 0.5 becomes u ** gamma
    (gamma < 1: scores inflate; > 1: they deflate, as when abusers learn to evade the model).
    Whether a case truly violates still follows its undrifted score, so the drifted model's
    precision at a given score changes, and so does what its automation threshold lets through."""

    classifier: str
    gamma: float


DRIFTS = (Drift("toxicity-v6", 0.55), Drift("spam-v7", 1.8))
DRIFT_DAYS_BEFORE_END = 14.0
DRIFT_RAMP_DAYS = 5.0

# --- SLA policies ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaPolicy:
    sla_policy_id: str
    name: str
    priority: str
    first_action_target_min: int
    resolution_target_min: int
    calendar: str
    pause_on_pending: bool
    business_start_hour: int = 9
    business_end_hour: int = 17


SLA_POLICIES = (
    SlaPolicy("sla-p0-critical", "P0 critical, 24x7", "P0", 15, 240, "24x7", False),
    SlaPolicy("sla-p1-urgent", "P1 urgent, 24x7", "P1", 60, 1440, "24x7", True),
    SlaPolicy("sla-p2-standard", "P2 standard, 24x7", "P2", 240, 2880, "24x7", True),
    SlaPolicy("sla-p2-legal", "P2 legal & rights requests, business hours", "P2", 480, 2400, "business", True),
    SlaPolicy("sla-p3-business", "P3 low, business hours", "P3", 480, 2400, "business", True),
)


def policy_for(vertical_key: str, priority: str) -> str:
    """The SLA policy of a queue: priority decides, except Privacy & IP P2 (legal calendar)."""
    if priority == "P2" and vertical_key == "pi":
        return "sla-p2-legal"
    return {"P0": "sla-p0-critical", "P1": "sla-p1-urgent", "P2": "sla-p2-standard",
            "P3": "sla-p3-business"}[priority]


# --- workforce --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vendor:
    vendor_id: str
    name: str
    kind: str
    cost_per_hour_usd: float
    sites: tuple[tuple[str, str], ...]   # (site name, region)
    speed: float          # actual handle-time multiplier (1 = plan)
    error_rate: float     # base decision error rate
    fill_rate: float      # share of planned shifts actually worked
    target_throughput_per_hour: float
    target_accuracy: float
    target_sla_adherence: float
    target_aht_seconds: float
    target_occupancy: float
    target_overturn_rate: float


VENDORS = (
    Vendor("internal", "Trust Ops (internal)", "internal", 78.0,
           (("Austin", "AMER"), ("Dublin", "EMEA"), ("Singapore", "APAC")),
           1.00, 0.028, 0.98, 14.0, 0.96, 0.95, 260.0, 0.75, 0.05),
    Vendor("northstar", "Northstar CX", "bpo", 31.0,
           (("Bogota", "AMER"), ("Manila", "APAC")),
           0.95, 0.040, 0.96, 16.0, 0.94, 0.92, 225.0, 0.82, 0.07),
    Vendor("meridian", "Meridian Review Services", "bpo", 38.0,
           (("Lisbon", "EMEA"), ("Nairobi", "EMEA")),
           1.00, 0.035, 0.96, 15.0, 0.95, 0.92, 240.0, 0.80, 0.06),
    Vendor("cobalt", "Cobalt Moderation", "bpo", 24.0,
           (("Monterrey", "AMER"),),
           0.85, 0.090, 0.95, 18.0, 0.93, 0.90, 200.0, 0.85, 0.08),
    Vendor("lotus", "Lotus Digital Services", "bpo", 21.0,
           (("Hyderabad", "APAC"), ("Kuala Lumpur", "APAC")),
           1.10, 0.060, 0.82, 17.0, 0.93, 0.90, 210.0, 0.85, 0.08),
)
VENDOR_INDEX = {v.vendor_id: i for i, v in enumerate(VENDORS)}

# Reviewer-hours per week each vendor is contracted for, per 10,000 cases a day (the simulated
# roster's own hours, give or take: Meridian and Lotus are contracted a little short of them).
CONTRACTED_HOURS_PER_10K_CASES = {"internal": 3000.0, "northstar": 1400.0, "meridian": 1360.0,
                                  "cobalt": 840.0, "lotus": 880.0}

SENSITIVE_VERTICALS = ("cs", "ve", "sh", "dc")
# APAC L1 teams that Lotus staffs alone (its under-staffing shows there first).
LOTUS_EXCLUSIVE = ("fs", "hh", "sx")


def team_vendor_mix(tier: str, vertical_key: str, region: str) -> tuple[tuple[str, float], ...]:
    """Which vendors staff a team, and with what share of its shifts."""
    if tier == "SME":
        return (("internal", 1.0),)
    if tier == "L2":
        partner = {"AMER": "northstar", "EMEA": "meridian", "APAC": "northstar"}[region]
        return (("internal", 0.7), (partner, 0.3))
    sensitive = vertical_key in SENSITIVE_VERTICALS
    if region == "AMER":
        return (("internal", 0.6), ("northstar", 0.4)) if sensitive else \
            (("cobalt", 0.5), ("northstar", 0.35), ("internal", 0.15))
    if region == "EMEA":
        return (("internal", 0.6), ("meridian", 0.4)) if sensitive else \
            (("meridian", 0.8), ("internal", 0.2))
    if sensitive:
        return (("internal", 0.5), ("northstar", 0.3), ("lotus", 0.2))
    if vertical_key in LOTUS_EXCLUSIVE:
        return (("lotus", 1.0),)
    return (("lotus", 0.6), ("northstar", 0.3), ("internal", 0.1))


TIER_HANDLE_FACTOR = {"L1": 1.0, "L2": 2.4, "SME": 3.8}
TIER_ERROR_FACTOR = {"L1": 1.0, "L2": 0.6, "SME": 0.3}
L1_PRIORITY_HANDLE_FACTOR = (0.4, 0.75, 1.0, 1.0)   # by priority P0..P3
HANDLE_SIGMA = 0.55
SHIFT_HOURS = 8
SHIFT_WRAP_UP_MIN = 10.0        # reviewers take no new case in the last minutes of a shift
LOGIN_DELAY_MEAN_MIN = 6.0      # reviewers start a few minutes into their shift
MIN_REST_HOURS = 14.0
OVERTIME_HOURS = 2.0                # overtime comes in blocks of this length
OVERTIME_MAX_EXTENSIONS = 2         # at most this many blocks per shift
OVERTIME_BACKLOG_HOURS = 2.0        # ... when the team's backlog needs longer than this to clear
SHIFTS_PER_WEEK = 5
# Surge shifts per region and incident: at most this many per 10,000 base cases a day, and never
# fewer than SURGE_MIN_CAP (a cap that stays fixed would leave big worlds' spikes unstaffed).
SURGE_CAP_PER_10K_CASES = 30.0
SURGE_MIN_CAP = 30

# Made-up handles of incident commanders and QA leads.
COMMANDERS = ("m.okafor", "l.brandt", "s.nakamura", "r.alvarez", "j.whitfield", "a.kowalczyk",
              "p.raman", "e.lindqvist", "d.mensah", "c.moreau")

CATEGORY_INDEX = {c.key: i for i, c in enumerate(CATEGORIES)}
VERTICAL_INDEX = {v.key: i for i, v in enumerate(VERTICALS)}


def vertical_priorities(vertical_key: str) -> tuple[str, ...]:
    """Priorities a vertical's cases can have (one queue per priority per team)."""
    present: set[str] = set()
    for cat in CATEGORIES:
        if cat.vertical == vertical_key:
            present.update(p for p, w in zip(PRIORITIES, cat.priorities) if w > 0)
    present.add("P1")  # law-enforcement requests are at least P1
    return tuple(p for p in PRIORITIES if p in present)
