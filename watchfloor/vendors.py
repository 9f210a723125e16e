"""Vendor scorecards: each vendor's figures against its contract targets, a colour per figure and
an overall grade, per vendor, region, site or week.

No Streamlit here. The page's queries (queries/vendor_*.sql) return additive counts per
reviewer unit (vendor, region, site) and UTC week; `scorecard` adds them up for the grouping
asked for and derives every ratio. docs/metrics.md ("Vendor scorecards") defines each figure.

The reference rules of the SQL are here in plain Python too, so that tests can hold both to the
same hand-worked cases: `handlings` (handle time with pauses) and `clipped_seconds` (time
inside a period, e.g. shifts across midnight).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from watchfloor import metrics, quality

# --------------------------------------------------------------------------- reference rules

# A re-route or a resolution also takes the case from the reviewer's hands.
SESSION_ENDS = ("pending_info", "escalated", "decided", "routed", "resolved")
OUTCOMES = ("decided", "escalated")


@dataclass(frozen=True)
class Handling:
    reviewer_id: str
    handle_seconds: float
    outcome: str | None  # 'decided', 'escalated', or None while not finished (in review, pending)
    completed_at: datetime | None


def handlings(events: Sequence[tuple[datetime, str, str | None]], until: datetime) -> list[Handling]:
    """One case's handlings from its events (occurred_at, event_type, actor_id), in order.

    A session runs from 'assigned' to the case's next 'pending_info', 'escalated', 'decided',
    'routed' or 'resolved' (or `until`). A reviewer's sessions between two outcomes ('decided', 'escalated') of the
    case are one handling; the time a case waits for information between them is not handled.
    """
    out: dict[tuple[str, int], list] = {}
    order: list[tuple[str, int]] = []
    outcomes = 0
    open_session: tuple[str, datetime, int] | None = None
    for at, kind, actor in events:
        if at >= until:
            break
        if open_session and kind in SESSION_ENDS:
            reviewer, started, before = open_session
            entry = out[(reviewer, before)]
            entry[0] += (at - started).total_seconds()
            if kind in OUTCOMES:
                entry[1], entry[2] = kind, at
            open_session = None
        if kind == "assigned" and actor:
            if open_session:  # a re-assignment ends the session in hand
                reviewer, started, before = open_session
                out[(reviewer, before)][0] += (at - started).total_seconds()
            key = (actor, outcomes)
            if key not in out:
                out[key] = [0.0, None, None]
                order.append(key)
            open_session = (actor, at, outcomes)
        if kind in OUTCOMES:
            outcomes += 1
    if open_session:
        reviewer, started, before = open_session
        out[(reviewer, before)][0] += (until - started).total_seconds()
    return [Handling(k[0], out[k][0], out[k][1], out[k][2]) for k in order]


def average_handle_time(done: Iterable[Handling]) -> float | None:
    """Mean handle seconds of the finished handlings (a decision or an escalation)."""
    times = [h.handle_seconds for h in done if h.outcome in OUTCOMES]
    return sum(times) / len(times) if times else None


def clipped_seconds(intervals: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime) -> float:
    """Seconds of the intervals inside [start, end): a shift from 22:00 to 06:00 counts 2 h in
    the day it starts and 6 h in the next."""
    total = 0.0
    for a, b in intervals:
        lo, hi = max(a, start), min(b, end)
        if hi > lo:
            total += (hi - lo).total_seconds()
    return total


def occupancy(handled: Iterable[tuple[datetime, datetime]], shifts: Iterable[tuple[datetime, datetime]],
              start: datetime, end: datetime) -> float | None:
    """Handled time ÷ shift time, both inside [start, end); None without shift time."""
    staffed = clipped_seconds(shifts, start, end)
    return clipped_seconds(handled, start, end) / staffed if staffed else None


def overturn_rate(outcomes: Iterable[str]) -> float | None:
    """Overturned ÷ decided appeals; pending appeals are not decided and are left out."""
    seen = [o for o in outcomes if o in ("upheld", "overturned")]
    return sum(1 for o in seen if o == "overturned") / len(seen) if seen else None


# --------------------------------------------------------------------------- figures and targets


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: str  # 'count', 'share', 'rate', 'seconds', 'usd', 'kappa'
    direction: str | None  # 'higher', 'lower', 'near' (two-sided), or None: not graded
    target: str | None  # the vendors column holding the contract target
    weight: float  # in the overall grade
    amber: float  # how far past the target is amber (absolute for shares, relative for rates)
    help: str


FIGURES: tuple[Figure, ...] = (
    Figure("cases_handled", "Cases handled", "count", None, None, 0.0, 0.0,
           "Human decisions by the vendor's reviewers in the period."),
    Figure("throughput_per_hour", "Throughput / productive h", "rate", "higher", "target_throughput_per_hour", 0.15, 0.10,
           "Finished handlings (decisions and escalations) ÷ handled hours."),
    Figure("throughput_per_staffed_hour", "Decisions / staffed h", "rate", None, None, 0.0, 0.0,
           "Decisions ÷ shift hours."),
    Figure("aht_seconds", "AHT", "seconds", "lower", "target_aht_seconds", 0.10, 0.10,
           "Mean handle time of finished handlings; time waiting for information is not handled."),
    Figure("aht_p50_seconds", "Handle time p50", "seconds", None, None, 0.0, 0.0, "Median handle time."),
    Figure("aht_p90_seconds", "Handle time p90", "seconds", None, None, 0.0, 0.0, "90th percentile of handle time."),
    Figure("occupancy", "Occupancy", "share", "near", "target_occupancy", 0.10, 0.05,
           "Handled time ÷ shift time. Green within 5 points of the target either way (idle or overloaded)."),
    Figure("first_action_sla", "First-action SLA", "share", "higher", "target_sla_adherence", 0.125, 0.02,
           "First-action clocks of the vendor's cases: met ÷ (met + breached) in the period, as the SLA page "
           "counts them (met: stopped within target in the period; breached: crossed the target in it)."),
    Figure("sla_adherence", "Resolution SLA", "share", "higher", "target_sla_adherence", 0.125, 0.02,
           "Resolution clocks of the vendor's cases: met ÷ (met + breached) in the period, as the SLA page "
           "counts them."),
    Figure("qa_accuracy", "QA accuracy", "share", "higher", "target_accuracy", 0.20, 0.02,
           "QA-checked decisions the QA reviewer agreed with (golden items excluded)."),
    Figure("golden_accuracy", "Golden-set accuracy", "share", "higher", "target_accuracy", 0.10, 0.02,
           "Golden-set items decided as the known answer; held to the accuracy target."),
    Figure("kappa", "Agreement (κ)", "kappa", "higher", None, 0.0, 0.20,
           "Cohen's kappa of original against QA decisions. No contract target: green from 0.61 "
           "(substantial), amber from 0.41 (moderate)."),
    Figure("overturn_rate", "Appeal overturn rate", "share", "lower", "target_overturn_rate", 0.10, 0.02,
           "Overturned ÷ decided appeals (pending appeals left out)."),
    Figure("escalation_rate", "Escalation rate", "share", None, None, 0.0, 0.0,
           "Escalations ÷ finished handlings."),
    Figure("cost_per_case", "Cost per case", "usd", None, None, 0.0, 0.0,
           "Shift hours × hourly cost ÷ cases handled."),
    Figure("cost_per_correct", "Cost per correct decision", "usd", None, None, 0.0, 0.0,
           "Cost ÷ (cases handled × QA accuracy)."),
)
FIGURES_BY_KEY = {f.key: f for f in FIGURES}
KAPPA_FLOOR = 0.61  # substantial agreement: the house standard where contracts set none
EPSILON = 1e-9  # floating-point slack at the colour boundaries

GREEN, AMBER, RED, NONE = "green", "amber", "red", "none"
POINTS = {GREEN: 1.0, AMBER: 0.5, RED: 0.0}
GRADES = ((0.90, "A"), (0.75, "B"), (0.50, "C"), (0.0, "D"))

LEVELS = {"vendor": "Vendor", "region": "Vendor and region", "site": "Vendor and site", "week": "Vendor and week"}
LEVEL_KEYS = {"vendor": ["vendor_id"], "region": ["vendor_id", "region"], "site": ["vendor_id", "region", "site"],
              "week": ["vendor_id", "week_start"]}


def status(figure: Figure, value: float | None, target: float | None) -> str:
    """green, amber or red against the target; 'none' without a value or a target.

    higher: green at or above the target, amber within `amber` below it (relative for rates,
    absolute for shares), red further below. lower: the mirror image. near: green within
    `amber` of the target either way, amber within twice that, red further.
    """
    if figure.key == "kappa":
        target = KAPPA_FLOOR
    if value is None or target is None or figure.direction is None:
        return NONE
    slack = figure.amber * target if figure.kind in ("rate", "seconds", "usd") else figure.amber
    e = EPSILON  # a value exactly on a boundary (0.70 against 0.75 ± 0.05) is inside it
    if figure.direction == "higher":
        return GREEN if value >= target - e else AMBER if value >= target - slack - e else RED
    if figure.direction == "lower":
        return GREEN if value <= target + e else AMBER if value <= target + slack + e else RED
    gap = abs(value - target)
    return GREEN if gap <= slack + e else AMBER if gap <= 2 * slack + e else RED


def grade(statuses: dict[str, str]) -> tuple[float | None, str]:
    """Overall score = Σ weight × points ÷ Σ weight over the weighted figures that have a colour
    (green 1, amber ½, red 0); grade A ≥ 0.90, B ≥ 0.75, C ≥ 0.50, D below; '–' with none."""
    num = den = 0.0
    for f in FIGURES:
        s = statuses.get(f.key, NONE)
        if f.weight and s in POINTS:
            num += f.weight * POINTS[s]
            den += f.weight
    if not den:
        return None, "–"
    score = num / den
    return score, next(letter for floor, letter in GRADES if score >= floor - 1e-12)


# --------------------------------------------------------------------------- the scorecard

UNIT = ["vendor_id", "region", "site", "week_start"]
WORK_SUMS = ["decisions", "escalations", "handle_seconds", "productive_seconds", "staffed_seconds"]
OUTCOME_SUMS = ["appeals_decided", "appeals_overturned"]
SLA_SUMS = ["first_action_met", "first_action_breached", "resolution_met", "resolution_breached"]
QUALITY_SUMS = ["checks", "agreed", "golden_items", "golden_correct"]


def _div(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def scorecard(work: pl.DataFrame, quality_counts: pl.DataFrame, outcomes: pl.DataFrame,
              contracts: pl.DataFrame, sla: pl.DataFrame, level: str = "vendor") -> pl.DataFrame:
    """One row per group of `level` (vendor, region, site, week) with every figure, its target,
    its status and the overall score and grade. Vendors without any activity are left out."""
    keys = LEVEL_KEYS[level]
    units = work.filter(pl.col("kind") == "unit").select(UNIT + WORK_SUMS)
    spread = work.filter((pl.col("kind") == "spread") & (pl.col("grouping_level") == level))
    sums = units.group_by(keys).agg([pl.col(c).sum() for c in WORK_SUMS])
    if outcomes.height:
        sums = sums.join(outcomes.group_by(keys).agg([pl.col(c).sum() for c in OUTCOME_SUMS]),
                         on=keys, how="full", coalesce=True)
    if sla.height:
        sums = sums.join(sla.group_by(keys).agg([pl.col(c).sum() for c in SLA_SUMS]),
                         on=keys, how="full", coalesce=True)
    q = quality_counts
    if q.height:
        sums = sums.join(quality.accuracy_counts(q, keys).select(keys + QUALITY_SUMS), on=keys, how="full",
                         coalesce=True)
        kap = quality.kappa_by(q, keys).select(keys + ["kappa"])
        sums = sums.join(kap, on=keys, how="left")
    sums = sums.join(spread.select(keys + ["p50_seconds", "p90_seconds"]), on=keys, how="left")
    contract_cols = ["vendor_id", "name", "cost_per_hour_usd"] + sorted({f.target for f in FIGURES if f.target})
    sums = sums.join(contracts.select(contract_cols), on="vendor_id", how="left")
    # Sums arrive as integers or floats; ratios are taken in floats.
    numeric = [c for c in WORK_SUMS + OUTCOME_SUMS + SLA_SUMS + QUALITY_SUMS if c in sums.columns]
    sums = sums.with_columns(pl.col(numeric).cast(pl.Float64))
    rows = []
    for r in sums.iter_rows(named=True):
        g = lambda k, r=r: r.get(k) or 0  # noqa: E731 - a missing sum is zero
        finished = g("decisions") + g("escalations")
        cost = g("staffed_seconds") / 3600.0 * (r.get("cost_per_hour_usd") or 0.0)
        accuracy = _div(g("agreed"), g("checks"))
        values = {
            "cases_handled": float(g("decisions")),
            "throughput_per_hour": _div(finished, g("productive_seconds") / 3600.0),
            "throughput_per_staffed_hour": _div(g("decisions"), g("staffed_seconds") / 3600.0),
            "aht_seconds": _div(g("handle_seconds"), finished),
            "aht_p50_seconds": r.get("p50_seconds"),
            "aht_p90_seconds": r.get("p90_seconds"),
            "occupancy": _div(g("productive_seconds"), g("staffed_seconds")),
            "first_action_sla": metrics.attainment(g("first_action_met"), g("first_action_breached")),
            "sla_adherence": metrics.attainment(g("resolution_met"), g("resolution_breached")),
            "qa_accuracy": accuracy,
            "golden_accuracy": _div(g("golden_correct"), g("golden_items")),
            "kappa": r.get("kappa"),
            "overturn_rate": _div(g("appeals_overturned"), g("appeals_decided")),
            "escalation_rate": _div(g("escalations"), finished),
            "cost_per_case": _div(cost, g("decisions")) if g("staffed_seconds") else None,
            "cost_per_correct": _div(cost, g("decisions") * accuracy) if accuracy and g("staffed_seconds") else None,
        }
        statuses = {f.key: status(f, values[f.key], r.get(f.target) if f.target else None) for f in FIGURES}
        score, letter = grade(statuses)
        row = {k: r.get(k) for k in keys}
        row.update(vendor=r.get("name") or r["vendor_id"], cost_usd=cost)
        for f in FIGURES:
            row[f.key] = values[f.key]
            row[f"{f.key}_target"] = KAPPA_FLOOR if f.key == "kappa" else (r.get(f.target) if f.target else None)
            row[f"{f.key}_status"] = statuses[f.key]
        row.update(score=score, grade=letter)
        rows.append(row)
    schema = {**{k: (pl.Datetime("us") if k == "week_start" else pl.String) for k in keys},
              "vendor": pl.String, "cost_usd": pl.Float64}
    for f in FIGURES:
        schema.update({f.key: pl.Float64, f"{f.key}_target": pl.Float64, f"{f.key}_status": pl.String})
    schema.update(score=pl.Float64, grade=pl.String)
    if not rows:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(rows, schema=schema).sort(keys, nulls_last=True)


def kappa_by_category(quality_counts: pl.DataFrame) -> pl.DataFrame:
    """Per vendor and category: checks, kappa and its band (golden items excluded)."""
    return quality.kappa_by(quality_counts, ["vendor_id", "category"])


def vendor_figures(work: pl.DataFrame, quality_counts: pl.DataFrame, outcomes: pl.DataFrame,
                   contracts: pl.DataFrame, sla: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Everything the Vendors page draws: the scorecard at each level and kappa per category."""
    cards = {level: scorecard(work, quality_counts, outcomes, contracts, sla, level) for level in LEVELS}
    return {**cards, "kappa": kappa_by_category(quality_counts)}


def format_weight(weight: float) -> str:
    """A figure's weight in the grade: '15 %', '12.5 %' (never rounded to a wrong figure)."""
    return f"{weight * 100:g} %"


