"""Quality figures: QA accuracy, golden-set accuracy, agreement (Cohen's kappa) with its bands,
confusion of original against QA decisions, and the reviewers who most need calibration.

No Streamlit here. Everything is computed from QA check counts (queries/quality_reviews.sql,
queries/vendor_quality.sql): rows of (original_decision, qa_decision, checks) plus the columns
to group by. docs/metrics.md ("Quality") defines every figure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl

from watchfloor.labels import category_labels

DECISIONS = ("violating", "non_violating", "insufficient_info")
DECISION_LABELS = {"violating": "Violating", "non_violating": "Not violating", "insufficient_info": "Insufficient info"}

# Landis & Koch (1977): the usual words for a kappa. Upper bounds, inclusive.
KAPPA_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "poor"),  # no better than chance, or worse
    (0.20, "slight"),
    (0.40, "fair"),
    (0.60, "moderate"),
    (0.80, "substantial"),
    (1.0, "almost perfect"),
)
BAND_ORDER = tuple(label for _, label in KAPPA_BANDS)

MIN_CHECKS_FOR_RANKING = 10  # a reviewer needs this many checks before being ranked for calibration
CALIBRATION_TOP_N = 10
WILSON_Z = 1.96  # 95 %


# --------------------------------------------------------------------------- kappa


def cohen_kappa(pairs: Iterable[tuple[str, str, int]]) -> float | None:
    """Cohen's kappa of two raters from (rater A's label, rater B's label, count) rows.

    kappa = (p_o − p_e) ÷ (1 − p_e), with p_o the share of agreeing items and p_e the agreement
    expected by chance, Σ_k (A's share of k) × (B's share of k). None without items, and when
    p_e = 1 (both raters always gave one and the same label: agreement is certain, kappa is
    undefined).
    """
    total = 0
    agree = 0
    rows: dict[str, int] = {}
    cols: dict[str, int] = {}
    for a, b, n in pairs:
        if not n:
            continue
        total += n
        if a == b:
            agree += n
        rows[a] = rows.get(a, 0) + n
        cols[b] = cols.get(b, 0) + n
    if total == 0:
        return None
    p_o = agree / total
    p_e = sum(rows.get(k, 0) * cols.get(k, 0) for k in set(rows) | set(cols)) / (total * total)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1.0 - p_e)


def kappa_band(kappa: float | None) -> str | None:
    """The Landis & Koch word for a kappa: poor (≤ 0), slight (≤ 0.20), fair (≤ 0.40),
    moderate (≤ 0.60), substantial (≤ 0.80), almost perfect (above)."""
    if kappa is None or (isinstance(kappa, float) and math.isnan(kappa)):
        return None
    for upper, label in KAPPA_BANDS:
        if kappa <= upper:
            return label
    return KAPPA_BANDS[-1][1]


def kappa_by(counts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Kappa of original against QA decisions (golden items excluded) per group of `by`:
    columns `by`, checks, agreed, accuracy, kappa, band."""
    rows = counts.filter(~pl.col("is_golden")) if "is_golden" in counts.columns else counts
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        **{c: counts.schema[c] for c in by}, "checks": pl.Int64, "agreed": pl.Int64,
        "accuracy": pl.Float64, "kappa": pl.Float64, "band": pl.String}
    if rows.height == 0:
        return pl.DataFrame(schema=schema)
    out = []
    for key, group in rows.group_by(by, maintain_order=True):
        pairs = list(zip(group["original_decision"], group["qa_decision"], group["checks"]))
        checks = int(group["checks"].sum())
        agreed = sum(n for a, b, n in pairs if a == b)
        k = cohen_kappa(pairs)
        out.append({**dict(zip(by, key)), "checks": checks, "agreed": agreed,
                    "accuracy": agreed / checks if checks else None, "kappa": k, "band": kappa_band(k)})
    return pl.DataFrame(out, schema=schema).sort(by)


# --------------------------------------------------------------------------- accuracy


def share(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def accuracy_counts(counts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Per group: QA checks and agreed (golden excluded), golden items and correct ones, and the
    shares accuracy = agreed ÷ checks, golden_accuracy = golden correct ÷ golden items."""
    agreed = pl.col("original_decision") == pl.col("qa_decision")
    golden = pl.col("is_golden")
    out = counts.group_by(by).agg(
        checks=pl.col("checks").filter(~golden).sum(),
        agreed=pl.col("checks").filter(~golden & agreed).sum(),
        golden_items=pl.col("checks").filter(golden).sum(),
        golden_correct=pl.col("checks").filter(golden & agreed).sum(),
    )
    return out.with_columns(
        accuracy=pl.when(pl.col("checks") > 0).then(pl.col("agreed") / pl.col("checks")),
        golden_accuracy=pl.when(pl.col("golden_items") > 0).then(pl.col("golden_correct") / pl.col("golden_items")),
    ).sort(by)


def reviewer_accuracy(counts: pl.DataFrame) -> pl.DataFrame:
    """Per reviewer: all checks (QA and golden), those that matched, accuracy = matched ÷ checks."""
    if counts.height == 0:
        return pl.DataFrame(schema={"reviewer_id": pl.String, "vendor_id": pl.String, "checks": pl.Int64,
                                    "matched": pl.Int64, "accuracy": pl.Float64})
    agreed = pl.col("original_decision") == pl.col("qa_decision")
    return (counts.group_by("reviewer_id", "vendor_id")
            .agg(checks=pl.col("checks").sum(), matched=pl.col("checks").filter(agreed).sum())
            .with_columns(accuracy=pl.col("matched") / pl.col("checks"))
            .sort("reviewer_id"))


def wilson_interval(errors: int, n: int, z: float = WILSON_Z) -> tuple[float, float]:
    """The Wilson score interval (lower, upper) of an error share errors ÷ n."""
    if n == 0:
        return 0.0, 1.0
    p = errors / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denom = 1 + z * z / n
    return max(0.0, (centre - spread) / denom), min(1.0, (centre + spread) / denom)


def calibration_list(counts: pl.DataFrame, min_checks: int | None = None,
                     top_n: int = CALIBRATION_TOP_N) -> pl.DataFrame:
    """Reviewers who most need calibration: those with at least `min_checks` checks, ranked by the
    lower end of the 95 % Wilson interval of their error share (errors ÷ checks, QA and golden
    together), highest first, so that a few unlucky checks do not put a reviewer on the list.
    Also their worst category (most errors; ties by name) and its errors."""
    schema = pl.Schema({"reviewer_id": pl.String, "vendor_id": pl.String, "vendor": pl.String, "checks": pl.Int64,
                        "errors": pl.Int64, "error_share": pl.Float64, "error_floor": pl.Float64,
                        "worst_category": pl.String, "worst_category_errors": pl.Int64})
    min_checks = MIN_CHECKS_FOR_RANKING if min_checks is None else min_checks
    if counts.height == 0:
        return pl.DataFrame(schema=schema)
    if "vendor" not in counts.columns:  # the vendor's name, where the counts carry it
        counts = counts.with_columns(vendor=pl.col("vendor_id"))
    wrong = pl.col("original_decision") != pl.col("qa_decision")
    per = counts.group_by("reviewer_id", "vendor_id", "vendor").agg(
        checks=pl.col("checks").sum(), errors=pl.col("checks").filter(wrong).sum())
    per = per.filter(pl.col("checks") >= min_checks)
    worst = (counts.filter(wrong).group_by("reviewer_id", "category").agg(e=pl.col("checks").sum())
             .sort(["reviewer_id", "e", "category"], descending=[False, True, False])
             .group_by("reviewer_id", maintain_order=True).first())
    rows = []
    for r in per.iter_rows(named=True):
        low, _ = wilson_interval(r["errors"], r["checks"])
        rows.append({**r, "error_share": r["errors"] / r["checks"], "error_floor": low})
    if not rows:
        return pl.DataFrame(schema=schema)
    ranked = pl.DataFrame(rows).join(worst.rename({"category": "worst_category", "e": "worst_category_errors"}),
                                     on="reviewer_id", how="left")
    ranked = ranked.filter(pl.col("errors") > 0)
    return (ranked.sort(["error_floor", "errors", "reviewer_id"], descending=[True, True, False])
            .head(top_n).select(list(schema)).cast(schema))


# --------------------------------------------------------------------------- confusion, over time


def confusion(counts: pl.DataFrame, category: str | None = None) -> pl.DataFrame:
    """Original decision (rows) against QA decision (columns), golden items included (their QA
    decision is the known answer); one category or all. Columns: original_decision, then one
    column per decision in DECISIONS order, with counts."""
    rows = counts if category is None else counts.filter(pl.col("category") == category)
    table = {d: {e: 0 for e in DECISIONS} for d in DECISIONS}
    for a, b, n in zip(rows["original_decision"], rows["qa_decision"], rows["checks"]):
        table.setdefault(a, {e: 0 for e in DECISIONS})
        table[a][b] = table[a].get(b, 0) + int(n)
    columns = list(DECISIONS) + sorted({b for r in table.values() for b in r} - set(DECISIONS))
    return pl.DataFrame([{"original_decision": a, **{c: r.get(c, 0) for c in columns}} for a, r in table.items()])


def errors_by_category(counts: pl.DataFrame) -> pl.DataFrame:
    """Per category and kind of error (original → QA decision, disagreements only): checks."""
    wrong = counts.filter(pl.col("original_decision") != pl.col("qa_decision"))
    schema = pl.Schema({"category": pl.String, "category_label": pl.String, "error": pl.String, "checks": pl.Int64})
    if wrong.height == 0:
        return pl.DataFrame(schema=schema)
    out = (wrong.group_by("category", "original_decision", "qa_decision").agg(checks=pl.col("checks").sum())
           .with_columns(
               category_label=category_labels("category"),
               error=pl.concat_str(
                   pl.col("original_decision").replace_strict(DECISION_LABELS, default=pl.col("original_decision")),
                   pl.lit(" → "),
                   pl.col("qa_decision").replace_strict(DECISION_LABELS, default=pl.col("qa_decision")))))
    return out.select(list(schema)).cast(schema).sort(["category", "error"])


def bucket_start(day: date, weekly: bool) -> date:
    return day - timedelta(days=day.weekday()) if weekly else day


def golden_over_time(counts: pl.DataFrame, start: date, end: date, weekly: bool) -> pl.DataFrame:
    """Golden-set items and correct ones per bucket (UTC day, or week starting Monday when
    `weekly`) from start to end inclusive; accuracy = correct ÷ items, empty without items."""
    buckets: list[date] = []
    b = bucket_start(start, weekly)
    while b <= end:
        buckets.append(b)
        b += timedelta(days=7 if weekly else 1)
    golden = counts.filter(pl.col("is_golden"))
    items = {k: 0 for k in buckets}
    correct = {k: 0 for k in buckets}
    for day, a, q, n in zip(golden["day"], golden["original_decision"], golden["qa_decision"], golden["checks"]):
        d = day.date() if isinstance(day, datetime) else day
        k = bucket_start(d, weekly)
        if k not in items:
            continue
        items[k] += int(n)
        if a == q:
            correct[k] += int(n)
    return pl.DataFrame({
        "bucket": buckets,
        "items": [items[k] for k in buckets],
        "correct": [correct[k] for k in buckets],
        "accuracy": [share(correct[k], items[k]) for k in buckets],
    }, schema={"bucket": pl.Date, "items": pl.Int64, "correct": pl.Int64, "accuracy": pl.Float64})


def accuracy_histogram(per_reviewer: pl.DataFrame, min_checks: int | None = None,
                       width: float = 0.02) -> pl.DataFrame:
    """Reviewers with at least `min_checks` checks per accuracy bin [lower, lower + width);
    100 % has its own bin."""
    min_checks = MIN_CHECKS_FOR_RANKING if min_checks is None else min_checks
    ranked = per_reviewer.filter(pl.col("checks") >= min_checks)
    if ranked.height == 0:
        return pl.DataFrame(schema={"lower": pl.Float64, "reviewers": pl.Int64})
    lowers = [min(math.floor(a / width + 1e-9) * width, 1.0) for a in ranked["accuracy"]]
    return (pl.DataFrame({"lower": [round(x, 6) for x in lowers]}).group_by("lower")
            .agg(reviewers=pl.len().cast(pl.Int64)).sort("lower"))


@dataclass(frozen=True)
class QualitySummary:
    checks: int
    accuracy: float | None
    golden_items: int
    golden_accuracy: float | None
    kappa: float | None
    reviewers: int


def summary(counts: pl.DataFrame) -> QualitySummary:
    """Headline figures over all the checks given."""
    if counts.height == 0:
        return QualitySummary(0, None, 0, None, None, 0)
    acc = accuracy_counts(counts.with_columns(all=pl.lit(1)), ["all"]).row(0, named=True)
    qa = counts.filter(~pl.col("is_golden"))
    k = cohen_kappa(zip(qa["original_decision"], qa["qa_decision"], qa["checks"]))
    return QualitySummary(int(acc["checks"]), acc["accuracy"], int(acc["golden_items"]), acc["golden_accuracy"],
                          k, counts["reviewer_id"].n_unique() if "reviewer_id" in counts.columns else 0)


def quality_figures(counts: pl.DataFrame, start: date, end: date) -> dict[str, object]:
    """Everything the Quality page draws, from the quality_reviews counts."""
    weekly = (end - start).days + 1 > 31
    per_reviewer = reviewer_accuracy(counts)
    agreement = kappa_by(counts, ["category"])
    if agreement.height:
        agreement = agreement.with_columns(
            category_label=category_labels("category"))
    else:
        agreement = agreement.with_columns(category_label=pl.lit(None, dtype=pl.String))
    return {
        "summary": summary(counts),
        "per_reviewer": per_reviewer,
        "histogram": accuracy_histogram(per_reviewer),
        "errors": errors_by_category(counts),
        "golden": golden_over_time(counts, start, end, weekly),
        "weekly": weekly,
        "agreement": agreement,
        "calibration": calibration_list(counts),
    }


def band_counts(agreement: pl.DataFrame) -> Mapping[str, int]:
    """How many categories fall in each kappa band, in band order."""
    found = {label: 0 for label in BAND_ORDER}
    for band in agreement["band"].to_list() if agreement.height else []:
        if band:
            found[band] += 1
    return found
