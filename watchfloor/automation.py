"""Automation & routing: the page's figures, worked out from its named queries' frames.

- `flow`: the routing flow (source -> first queue -> path -> outcome) as Sankey nodes and links,
  each link with its cases and their median case-time; `link_cases` the cases behind one link.
- `routing_rates`: re-route, escalation and escalation-loop rates.
- `stage_times`: per stage, how many cases spent time in it and their median time there.
- `breach_stages`: per queue group, where the case-time of breached cases went, and the stage that
  contributes most.
- `bottlenecks`: hours of case-time per day and stage, and each stage's trend.
- `classifier_quality`, `classifier_weekly`: precision and recall against human decisions (and QA
  and golden-set precision) with 95 % Wilson intervals; `score_drift`: the population stability
  index of each classifier's scores against the four weeks before the period.
- `threshold_curve`, `threshold_point`: what an auto-action threshold would automate, at what
  precision, how many wrong actions and how many reviewer hours a day, and the backlog it clears.
- `candidates`: categories and sources ranked by how safely they could be automated, with evidence.

Everything is Polars expressions or plain Python on collected rows (no Python inside Polars).
Definitions: docs/metrics.md, "Automation & routing".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

import polars as pl

from watchfloor.labels import CATEGORY_LABELS, humanise

DRIFT_REFERENCE = timedelta(days=28)
Z95 = 1.96

# Stages a case passes through (queries/macros/routing.sql), in the order they are shown.
STAGES = {
    "waiting": "Waiting to be picked",
    "review": "In review",
    "pending": "Pending the user",
    "escalated": "Escalated (waiting at a higher tier)",
    "rerouted": "Waiting again after a re-route",
}
STAGE_COLUMNS = {stage: f"{stage}_s" for stage in STAGES}

PATHS = {
    "direct": "Decided where first routed",
    "rerouted": "Re-routed",
    "escalated": "Escalated",
    "loop": "Escalation loop (sent back down)",
}
AUTOMATED_NODE = "Decided automatically"
UNROUTED_NODE = "Not routed yet"
OUTCOME_OPEN = "Open"
DECISION_LABELS = {"non_violating": "Not violating", "insufficient_info": "Insufficient information"}
ACTION_LABELS = {
    "none": "Violating, no action",
    "warning": "Actioned: warning",
    "content_removed": "Actioned: content removed",
    "feature_restricted": "Actioned: feature restricted",
    "account_suspended": "Actioned: account suspended",
    "account_banned": "Actioned: account banned",
    "reported_to_authorities": "Actioned: reported to authorities",
}
SOURCE_LABELS = {"user_report": "User report", "classifier": "Classifier", "proactive": "Proactive",
                 "trusted_flagger": "Trusted flagger", "law_enforcement": "Law enforcement",
                 "internal_escalation": "Internal escalation"}
LINK_CASE_LIMIT = 200

# Score drift: the population stability index over score bands of 0.05, each band's share floored at
# PSI_FLOOR (an empty band would make the logarithm infinite). Below PSI_MODERATE the scores are
# stable, from PSI_MODERATE a moderate shift to watch, from PSI_SHIFT a shift to act on (the
# thresholds credit scoring has long used for this index).
PSI_FLOOR = 1e-4
PSI_MODERATE = 0.10
PSI_SHIFT = 0.25
DRIFT_MIN_CASES = 50  # fewer flagged cases in either window: too few to judge
# ... and so is a pair of windows whose sampling noise alone, (bands - 1) x (1/n_now + 1/n_before),
# exceeds this share of PSI_MODERATE: small samples make a stable model look like it moved.
PSI_NOISE_SHARE = 0.5

# The threshold what-if steps through these candidate thresholds.
THRESHOLDS = tuple(round(0.50 + 0.01 * i, 2) for i in range(51))
WHAT_IF_STEP_BELOW = 0.03

# Automation candidates: a category and source needs this many human decisions to be ranked.
CANDIDATE_MIN_DECIDED = 30


def history_start(period_start: datetime) -> datetime:
    """The classifier queries read the period and the four weeks before it (drift's reference)."""
    return period_start - DRIFT_REFERENCE


def period_days(period_start: datetime, period_end: datetime, as_of: datetime) -> float:
    """Days of the period up to now (at least one hour), for figures per day."""
    end = min(period_end, as_of)
    return max((end - period_start).total_seconds(), 3600.0) / 86400.0


# --------------------------------------------------------------------------- intervals


def wilson(successes: pl.Expr, trials: pl.Expr, name: str) -> list[pl.Expr]:
    """The proportion successes / trials as `name`, and its 95 % Wilson interval as `name`_low and
    `name`_high (null without trials): the expression form of watchfloor.trends.wilson_interval."""
    n = trials.cast(pl.Float64)
    p = successes.cast(pl.Float64) / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt() / (1 + z2 / n)
    has = trials > 0
    return [pl.when(has).then(p).alias(name),
            pl.when(has).then((centre - half).clip(0.0, 1.0)).alias(f"{name}_low"),
            pl.when(has).then((centre + half).clip(0.0, 1.0)).alias(f"{name}_high")]


# --------------------------------------------------------------------------- routing flow


def _case_time() -> pl.Expr:
    return pl.sum_horizontal([pl.col(c) for c in STAGE_COLUMNS.values()])


def path_of() -> pl.Expr:
    """A case's path after its first queue: the escalation loop first, then escalation, re-route."""
    return (pl.when(pl.col("returns") > 0).then(pl.lit("loop"))
            .when(pl.col("escalations") > 0).then(pl.lit("escalated"))
            .when(pl.col("reroutes") > 0).then(pl.lit("rerouted"))
            .otherwise(pl.lit("direct")))


def outcome_of() -> pl.Expr:
    """A case's outcome as of now: open, or its decision and, when violating, its enforcement."""
    decision = pl.col("decision")
    return (pl.when(decision.is_null()).then(pl.lit(OUTCOME_OPEN))
            .when(decision == "violating")
            .then(pl.col("enforcement_action").fill_null("none")
                  .replace_strict(ACTION_LABELS, default=pl.lit("Actioned: other"), return_dtype=pl.String))
            .otherwise(decision.replace_strict(DECISION_LABELS, default=pl.lit("Other decision"),
                                               return_dtype=pl.String)))


def with_nodes(cases: pl.DataFrame) -> pl.DataFrame:
    """The cases with their four flow nodes (source, first queue, path, outcome) and case-time."""
    first = (pl.when(pl.col("automated")).then(pl.lit(AUTOMATED_NODE))
             .when(pl.col("first_vertical").is_null()).then(pl.lit(UNROUTED_NODE))
             .otherwise(pl.col("first_vertical")))
    routed = pl.col("first_queue_id").is_not_null() & ~pl.col("automated")
    return cases.with_columns(
        pl.col("source").replace_strict(SOURCE_LABELS, default=pl.col("source"), return_dtype=pl.String)
        .alias("source_node"),
        first.alias("queue_node"),
        pl.when(routed).then(path_of().replace_strict(PATHS, return_dtype=pl.String)).alias("path_node"),
        outcome_of().alias("outcome_node"),
        (_case_time() / 3600.0).alias("case_hours"),
    )


# Layer of each node column; a link joins two columns of adjacent layers (a case that was never
# routed to a queue goes from its first node straight to its outcome).
NODE_COLUMNS = ("source_node", "queue_node", "path_node", "outcome_node")


@dataclass(frozen=True)
class Flow:
    nodes: pl.DataFrame   # node (layer, label), index
    links: pl.DataFrame   # link, from_column, from_label, to_column, to_label, layer (of from), source, target,
    #                       cases, share, median_hours


def flow(cases: pl.DataFrame) -> Flow:
    """The routing flow of the period's cases (routing_cases.sql) as Sankey nodes and links."""
    return _flow(link_counts(cases), cases.height)


def link_counts(cases: pl.DataFrame) -> pl.DataFrame:
    """Per link of the flow (a pair of nodes of adjacent layers): its cases and their median case-time."""
    staged = with_nodes(cases)
    parts = []
    pairs = (("source_node", "queue_node", None), ("queue_node", "path_node", pl.col("path_node").is_not_null()),
             ("path_node", "outcome_node", pl.col("path_node").is_not_null()),
             ("queue_node", "outcome_node", pl.col("path_node").is_null()))
    for left, right, keep in pairs:
        rows = staged if keep is None else staged.filter(keep)
        parts.append(rows.group_by(left, right).agg(
            pl.len().alias("cases"), pl.col("case_hours").median().alias("median_hours"),
        ).select(pl.lit(left).alias("from_column"), pl.col(left).alias("from_label"),
                 pl.lit(right).alias("to_column"), pl.col(right).alias("to_label"), "cases", "median_hours"))
    return pl.concat(parts)


def _flow(links: pl.DataFrame, total: int) -> Flow:
    links = links.sort(["from_column", "cases", "from_label", "to_label"], descending=[False, True, False, False])
    layer = {column: i for i, column in enumerate(NODE_COLUMNS)}
    ends = pl.concat([links.select(pl.col("from_column").alias("column"), pl.col("from_label").alias("label")),
                      links.select(pl.col("to_column").alias("column"), pl.col("to_label").alias("label"))]).unique()
    nodes = (ends.with_columns(pl.col("column").replace_strict(layer, return_dtype=pl.Int64).alias("layer"))
             .sort(["layer", "label"]).with_row_index("index").with_columns(pl.col("index").cast(pl.Int64)))
    index = nodes.select("column", "label", "index")
    links = (links
             .join(index.rename({"column": "from_column", "label": "from_label", "index": "source"}),
                   on=["from_column", "from_label"], how="left")
             .join(index.rename({"column": "to_column", "label": "to_label", "index": "target"}),
                   on=["to_column", "to_label"], how="left")
             .with_columns((pl.col("cases") / max(total, 1)).alias("share"),
                           pl.col("from_column").replace_strict(layer, return_dtype=pl.Int64).alias("layer"))
             .sort(["source", "cases"], descending=[False, True])
             .with_row_index("link").with_columns(pl.col("link").cast(pl.Int64)))
    return Flow(nodes.select("index", "layer", "column", "label"), links)


def link_cases(cases: pl.DataFrame, link: dict, limit: int = LINK_CASE_LIMIT) -> tuple[pl.DataFrame, int]:
    """The cases behind one link of `flow` (newest first, at most `limit`) and how many there are."""
    staged = with_nodes(cases).filter(
        (pl.col(link["from_column"]) == link["from_label"]) & (pl.col(link["to_column"]) == link["to_label"]))
    if link["from_column"] == "queue_node" and link["to_column"] == "outcome_node":
        staged = staged.filter(pl.col("path_node").is_null())
    return staged.sort(["created_at", "case_id"], descending=[True, False]).head(limit), staged.height


def routing_rates(cases: pl.DataFrame) -> dict:
    """Re-route rate = cases re-routed at least once ÷ cases routed to a queue; escalation rate =
    cases escalated at least once ÷ cases routed; loop rate = escalated cases sent back down at least
    once ÷ escalated cases; automated share = cases decided automatically ÷ all cases."""
    return _rates(cases.select(
        pl.len().alias("cases"),
        pl.col("automated").sum().alias("automated"),
        pl.col("first_queue_id").is_not_null().sum().alias("routed"),
        (pl.col("first_queue_id").is_not_null() & (pl.col("reroutes") > 0)).sum().alias("rerouted"),
        (pl.col("first_queue_id").is_not_null() & (pl.col("escalations") > 0)).sum().alias("escalated"),
        ((pl.col("escalations") > 0) & (pl.col("returns") > 0)).sum().alias("looped"),
        pl.col("breached").sum().alias("breached"),
    ).row(0, named=True))


RATE_COUNTS = ("cases", "automated", "routed", "rerouted", "escalated", "looped", "breached")


def _rates(counts: dict) -> dict:
    counted = {k: int(counts.get(k) or 0) for k in RATE_COUNTS}

    def rate(a: int, b: int) -> float | None:
        return a / b if b else None

    row: dict[str, int | float | None] = dict(counted)
    row.update(reroute_rate=rate(counted["rerouted"], counted["routed"]),
               escalation_rate=rate(counted["escalated"], counted["routed"]),
               loop_rate=rate(counted["looped"], counted["escalated"]), automated_share=rate(counted["automated"], counted["cases"]),
               breach_rate=rate(counted["breached"], counted["cases"]))
    return row


def _long_stages(cases: pl.DataFrame, *keep: str) -> pl.DataFrame:
    return (cases.select(*keep, *STAGE_COLUMNS.values())
            .unpivot(index=list(keep), on=list(STAGE_COLUMNS.values()), variable_name="column", value_name="seconds")
            .with_columns(pl.col("column").str.strip_suffix("_s").alias("stage")))


def stage_times(cases: pl.DataFrame) -> pl.DataFrame:
    """Per stage: cases that spent time in it, their median and total hours there, and the stage's
    share of all case-time of the period's cases."""
    long = _long_stages(cases, "case_id")
    total = float(long["seconds"].sum() or 0.0)
    spent = long.filter(pl.col("seconds") > 0).group_by("stage").agg(
        pl.len().alias("cases"), (pl.col("seconds").median() / 3600).alias("median_hours"),
        (pl.col("seconds").sum() / 3600).alias("hours"))
    return _stage_table(spent, total)


def _stage_table(spent: pl.DataFrame, total: float) -> pl.DataFrame:
    """The stage table from per-stage cases, median hours and hours, and all seconds of case-time."""
    spent = spent.select("stage", pl.col("cases").cast(pl.Int64), pl.col("median_hours").cast(pl.Float64),
                         pl.col("hours").cast(pl.Float64))
    base = pl.DataFrame({"stage": list(STAGES), "order": list(range(len(STAGES)))})
    return (base.join(spent, on="stage", how="left")
            .with_columns(pl.col("cases").fill_null(0).cast(pl.Int64), pl.col("hours").fill_null(0.0),
                          pl.col("stage").replace_strict(STAGES, return_dtype=pl.String).alias("label"))
            .with_columns((pl.col("hours") * 3600 / total if total else pl.lit(None, pl.Float64)).alias("share"))
            .sort("order").drop("order"))


def breach_stages(cases: pl.DataFrame) -> pl.DataFrame:
    """Per queue group (vertical of the case's current queue): cases, breached cases, and over the
    breached cases' case-time, each stage's share; `top_stage` is the stage with the largest share
    (ties: the earlier stage)."""
    groups = cases.group_by("current_vertical").agg(pl.len().alias("cases"), pl.col("breached").sum().alias("breached"))
    long = _long_stages(cases.filter(pl.col("breached")), "current_vertical")
    return _breach_table(groups, long.group_by("current_vertical", "stage").agg(pl.col("seconds").sum()))


def _breach_table(groups: pl.DataFrame, per: pl.DataFrame) -> pl.DataFrame:
    """The breach table from the cases and breached cases per group (current_vertical) and the
    breached cases' seconds per group and stage."""
    groups = groups.select("current_vertical", pl.col("cases").cast(pl.Int64), pl.col("breached").cast(pl.Int64))
    per = per.select("current_vertical", "stage", pl.col("seconds").cast(pl.Float64))
    per = per.with_columns((pl.col("seconds") / pl.col("seconds").sum().over("current_vertical")).alias("share"))
    order = {stage: i for i, stage in enumerate(STAGES)}
    top = (per.filter(pl.col("seconds") > 0)
           .with_columns(pl.col("stage").replace_strict(order, return_dtype=pl.Int64).alias("order"))
           .sort(["current_vertical", "share", "order"], descending=[False, True, False])
           .group_by("current_vertical", maintain_order=True).first()
           .select("current_vertical", pl.col("stage").alias("top_stage"), pl.col("share").alias("top_share")))
    wide = per.pivot(on="stage", index="current_vertical", values="share") if per.height else \
        pl.DataFrame({"current_vertical": []}, schema={"current_vertical": pl.String})
    for stage in STAGES:
        if stage not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(stage))
    wide = wide.select("current_vertical", *STAGES)  # the stages in workflow order, whatever the data
    out = (groups.join(top, on="current_vertical", how="left").join(wide, on="current_vertical", how="left")
           .with_columns((pl.col("breached") / pl.col("cases")).alias("breach_rate"),
                         pl.col("top_stage").replace_strict(STAGES, default=None, return_dtype=pl.String)
                         .alias("top_label")))
    return out.sort(["breached", "current_vertical"], descending=[True, False]).rename({"current_vertical": "group"})


# --------------------------------------------------------------------------- from routing_figures.sql


def figure_rows(figures: pl.DataFrame, figure: str, *columns: str | pl.Expr) -> pl.DataFrame:
    """One figure's rows of routing_figures.sql, with the columns it fills."""
    return figures.filter(pl.col("figure") == figure).select(*columns)


def rates_of(figures: pl.DataFrame) -> dict:
    """routing_rates, from routing_figures.sql's 'rates' row."""
    rows = figure_rows(figures, "rates", *RATE_COUNTS)
    return _rates(rows.row(0, named=True) if rows.height else {})


def _node_label(column: str) -> pl.Expr:
    """A flow node's label from its key in routing_figures.sql (the labels with_nodes gives)."""
    key = pl.col(column)
    after = key.str.split_exact(":", 1).struct.field("field_1")
    return (pl.when(pl.col(column.replace("_key", "_column")) == "source_node")
            .then(key.replace_strict(SOURCE_LABELS, default=key, return_dtype=pl.String))
            .when(key == "automated").then(pl.lit(AUTOMATED_NODE))
            .when(key == "unrouted").then(pl.lit(UNROUTED_NODE))
            .when(key.str.starts_with("vertical:")).then(after)
            .when(pl.col(column.replace("_key", "_column")) == "path_node")
            .then(key.replace_strict(PATHS, default=key, return_dtype=pl.String))
            .when(key == "open").then(pl.lit(OUTCOME_OPEN))
            .when(key.str.starts_with("violating:"))
            .then(after.replace_strict(ACTION_LABELS, default=pl.lit("Actioned: other"), return_dtype=pl.String))
            .otherwise(after.replace_strict(DECISION_LABELS, default=pl.lit("Other decision"), return_dtype=pl.String)))


def flow_of(figures: pl.DataFrame) -> Flow:
    """flow, from routing_figures.sql's 'link' rows."""
    links = figure_rows(figures, "link", "from_column", "from_key", "to_column", "to_key", "cases", "median_hours")
    links = links.select("from_column", _node_label("from_key").alias("from_label"), "to_column",
                         _node_label("to_key").alias("to_label"), pl.col("cases").cast(pl.UInt32),
                         pl.col("median_hours").cast(pl.Float64))
    return _flow(links, rates_of(figures)["cases"])


def stage_times_of(figures: pl.DataFrame) -> pl.DataFrame:
    """stage_times, from routing_figures.sql's 'stage' rows."""
    spent = figure_rows(figures, "stage", "stage", "cases", "median_hours", "hours")
    total = float(spent["hours"].sum() or 0.0) * 3600
    return _stage_table(spent.filter(pl.col("cases") > 0), total)


def breach_stages_of(figures: pl.DataFrame) -> pl.DataFrame:
    """breach_stages, from routing_figures.sql's 'breach' rows."""
    rows = figure_rows(figures, "breach", pl.col("grp").alias("current_vertical"), "cases", "breached",
                       *STAGE_COLUMNS.values())
    per = (rows.filter(pl.col("breached") > 0)
           .unpivot(index="current_vertical", on=list(STAGE_COLUMNS.values()), variable_name="column",
                    value_name="seconds")
           .select("current_vertical", pl.col("column").str.strip_suffix("_s").alias("stage"), "seconds"))
    return _breach_table(rows.select("current_vertical", "cases", "breached"), per)


def threshold_rows(figures: pl.DataFrame) -> pl.DataFrame:
    """The rows threshold_curve takes, from routing_figures.sql: the flagged cases per score band."""
    return figure_rows(figures, "threshold", "classifier_name", "classifier_score",
                       pl.col("was_automated").alias("automated"), "decision", "review_s", "awaiting_first_action",
                       pl.col("was_breached").alias("breached"), "cases")


def lowest_automated(figures: pl.DataFrame) -> pl.DataFrame:
    """The rows current_threshold takes, from routing_figures.sql: each classifier's lowest
    automated score."""
    return figure_rows(figures, "lowest_automated", "classifier_name", "classifier_score").with_columns(
        pl.lit(True).alias("automated"))


def review_rows(figures: pl.DataFrame) -> pl.DataFrame:
    """The rows candidates takes for reviewer hours, from routing_figures.sql's 'review' rows."""
    return figure_rows(figures, "review", "category", "source", "review_s").with_columns(pl.lit(False).alias("automated"))


# --------------------------------------------------------------------------- bottlenecks


def complete_days(stage_hours: pl.DataFrame, period_start: datetime, period_end: datetime,
                  as_of: datetime) -> pl.DataFrame:
    """Hours per stage and complete UTC day of the period (a day still running at as_of is left
    out), zero where a stage had no case-time."""
    first = period_start.replace(hour=0, minute=0, second=0, microsecond=0)
    end = min(period_end, as_of)
    days = []
    day = first
    while day + timedelta(days=1) <= end:
        days.append(day)
        day += timedelta(days=1)
    grid = pl.DataFrame({"day": days}, schema={"day": pl.Datetime("us")}).join(
        pl.DataFrame({"stage": list(STAGES)}), how="cross")
    hours = stage_hours.select(pl.col("day").cast(pl.Datetime("us")), "stage", "hours", "cases")
    return (grid.join(hours, on=["day", "stage"], how="left")
            .with_columns(pl.col("hours").fill_null(0.0), pl.col("cases").fill_null(0).cast(pl.Int64))
            .sort(["stage", "day"]))


def bottlenecks(daily: pl.DataFrame) -> pl.DataFrame:
    """Per stage over the complete days: mean hours a day, the least-squares trend in hours a day per
    day, the trend over the period as a share of the mean (slope x (days - 1) / mean), and first
    and last day's hours. Sorted by the trend, the stage that grew most first."""
    if daily.height == 0:
        return pl.DataFrame(schema={"stage": pl.String, "label": pl.String, "days": pl.Int64, "mean_hours": pl.Float64,
                                    "slope": pl.Float64, "change": pl.Float64, "first_hours": pl.Float64,
                                    "last_hours": pl.Float64})
    x = (pl.col("day") - pl.col("day").min()).dt.total_hours() / 24.0
    stats = daily.sort("day").group_by("stage").agg(
        pl.len().alias("days"),
        pl.col("hours").mean().alias("mean_hours"),
        (pl.cov(x, pl.col("hours")) / x.var()).alias("slope"),
        pl.col("hours").first().alias("first_hours"),
        pl.col("hours").last().alias("last_hours"),
    )
    return (stats.with_columns(
        pl.when(pl.col("days") < 2).then(None).otherwise(pl.col("slope")).alias("slope"))
        .with_columns(
            pl.when(pl.col("mean_hours") > 0).then(pl.col("slope") * (pl.col("days") - 1) / pl.col("mean_hours"))
            .alias("change"),
            pl.col("stage").replace_strict(STAGES, return_dtype=pl.String).alias("label"))
        .sort(["slope", "stage"], descending=[True, False], nulls_last=True)
        .select("stage", "label", "days", "mean_hours", "slope", "change", "first_hours", "last_hours"))


# --------------------------------------------------------------------------- classifier feedback


def _in_period(frame: pl.DataFrame, period_start: datetime, period_end: datetime) -> pl.DataFrame:
    return frame.filter((pl.col("day") >= period_start.date()) & (pl.col("day") < _end_day(period_end)))


def _end_day(period_end: datetime) -> date:
    return period_end.date() if period_end.time() == datetime.min.time() else period_end.date() + timedelta(days=1)


def _quality(flags: pl.DataFrame, decided: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    grouped = flags.group_by(keys).agg(
        pl.col("cases").sum(), pl.col("automated").sum(), pl.col("human_violating").sum(),
        pl.col("human_non_violating").sum(), pl.col("qa_checked").sum(), pl.col("qa_violating").sum(),
        pl.col("golden_checked").sum(), pl.col("golden_violating").sum())
    category_keys = [k for k in keys if k != "classifier"]
    totals = decided.group_by(category_keys).agg(pl.col("human_violating").sum().alias("category_violating"))
    decided_n = pl.col("human_violating") + pl.col("human_non_violating")
    return (grouped.join(totals, on=category_keys, how="left")
            .with_columns(decided_n.alias("decided"), pl.col("category_violating").fill_null(0))
            .with_columns(*wilson(pl.col("human_violating"), pl.col("decided"), "precision"),
                          *wilson(pl.col("human_violating"), pl.col("category_violating"), "recall"),
                          *wilson(pl.col("qa_violating"), pl.col("qa_checked"), "qa_precision"),
                          *wilson(pl.col("golden_violating"), pl.col("golden_checked"), "golden_precision")))


def classifier_quality(flags: pl.DataFrame, decided: pl.DataFrame, period_start: datetime,
                       period_end: datetime) -> pl.DataFrame:
    """Per classifier and category over the period (automation_classifier.sql and
    automation_category_decisions.sql): flagged and automated cases, human decisions, and with 95 %
    Wilson intervals: precision = human violating ÷ human decided among flagged cases; recall =
    flagged cases decided violating by a person ÷ all cases of the category decided violating by a
    person; QA precision and golden-set precision = violating ÷ checked among the flagged cases' QA
    (golden) checks."""
    out = _quality(_in_period(flags, period_start, period_end), _in_period(decided, period_start, period_end),
                   ["classifier", "category"])
    return out.with_columns(
        pl.col("category").replace_strict(CATEGORY_LABELS, default=pl.col("category"), return_dtype=pl.String)
        .alias("category_label")).sort(["cases", "classifier", "category"], descending=[True, False, False])


def classifier_weekly(flags: pl.DataFrame, decided: pl.DataFrame, period_end: datetime) -> pl.DataFrame:
    """Per classifier and week (seven-day windows counted back from the period's end, the oldest
    possibly partial), precision and recall over all its categories, with 95 % Wilson intervals."""
    end = _end_day(period_end)

    def week(frame: pl.DataFrame) -> pl.DataFrame:
        back = ((pl.lit(end) - pl.col("day")).dt.total_days() - 1) // 7
        return frame.with_columns((pl.lit(end) - pl.duration(days=(back + 1) * 7)).alias("week_start"))

    flags, decided = week(flags), week(decided)
    # recall over several categories: the denominator sums the categories the classifier flags
    served = flags.select("classifier", "category").unique()
    decided = decided.join(served, on="category", how="inner")
    grouped = flags.group_by("classifier", "week_start").agg(
        pl.col("cases").sum(), pl.col("human_violating").sum(), pl.col("human_non_violating").sum())
    totals = decided.group_by("classifier", "week_start").agg(pl.col("human_violating").sum().alias("category_violating"))
    return (grouped.join(totals, on=["classifier", "week_start"], how="left")
            .with_columns((pl.col("human_violating") + pl.col("human_non_violating")).alias("decided"),
                          pl.col("category_violating").fill_null(0))
            .with_columns(*wilson(pl.col("human_violating"), pl.col("decided"), "precision"),
                          *wilson(pl.col("human_violating"), pl.col("category_violating"), "recall"))
            .sort(["classifier", "week_start"]))


def score_drift(flags: pl.DataFrame, period_start: datetime, period_end: datetime) -> pl.DataFrame:
    """Per classifier: PSI = sum over score bands of (a - e) x ln(a / e), a the band's share of the
    period's flagged cases and e its share in the four weeks before (each floored at PSI_FLOOR);
    mean score in both windows; the PSI sampling alone would give, noise = (bands - 1) x (1/n_now +
    1/n_before), bands counted in either window; and the verdict: stable, moderate, shift, or too
    few cases (fewer than DRIFT_MIN_CASES in a window, or noise above PSI_NOISE_SHARE x PSI_MODERATE)."""
    ref_start = (period_start - DRIFT_REFERENCE).date()
    labelled = flags.with_columns(
        pl.when(pl.col("day") >= period_start.date()).then(pl.lit("now"))
        .when(pl.col("day") >= ref_start).then(pl.lit("before")).alias("window"))
    labelled = labelled.filter(pl.col("window").is_not_null() & (pl.col("day") < _end_day(period_end)))
    bands = labelled.group_by("classifier", "window", "band").agg(pl.col("cases").sum())
    totals = bands.group_by("classifier", "window").agg(pl.col("cases").sum().alias("total"),
                                                         ((pl.col("band") + 0.025) * pl.col("cases")).sum()
                                                         .alias("score_sum"))
    wide = (totals.with_columns((pl.col("score_sum") / pl.col("total")).alias("mean_score"))
            .pivot(on="window", index="classifier", values=["total", "mean_score"]))
    for column in ("total_now", "total_before", "mean_score_now", "mean_score_before"):
        if column not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(column))
    shares = bands.join(totals.select("classifier", "window", "total"), on=["classifier", "window"])
    shares = shares.with_columns((pl.col("cases") / pl.col("total")).alias("share"))
    pair = (shares.filter(pl.col("window") == "now").select("classifier", "band", pl.col("share").alias("a"))
            .join(shares.filter(pl.col("window") == "before").select("classifier", "band", pl.col("share").alias("e")),
                  on=["classifier", "band"], how="full", coalesce=True)
            .with_columns(pl.col("a").fill_null(0.0).clip(PSI_FLOOR, None), pl.col("e").fill_null(0.0).clip(PSI_FLOOR, None)))
    psi = pair.group_by("classifier").agg(((pl.col("a") - pl.col("e")) * (pl.col("a") / pl.col("e")).log()).sum().alias("psi"),
                                          pl.len().alias("bands"))
    # What sampling alone gives two windows of the same scores: (bands - 1) x (1/n_now + 1/n_before)
    # (PSI is close to the chi-square distance of the shares). A window too small for the verdict
    # thresholds to mean anything is "too few cases".
    noise = (pl.col("bands") - 1) * (1 / pl.col("total_now") + 1 / pl.col("total_before"))
    enough = ((pl.col("total_now").fill_null(0) >= DRIFT_MIN_CASES) & (pl.col("total_before").fill_null(0) >= DRIFT_MIN_CASES)
              & (pl.col("noise") <= PSI_NOISE_SHARE * PSI_MODERATE))
    return (wide.join(psi, on="classifier", how="left")
            .with_columns(pl.when((pl.col("total_now") > 0) & (pl.col("total_before") > 0)).then(noise).alias("noise"))
            .with_columns(pl.when(enough).then(pl.col("psi")).alias("psi"),
                          pl.col("total_now").fill_null(0).cast(pl.Int64), pl.col("total_before").fill_null(0).cast(pl.Int64))
            .with_columns(pl.when(~enough).then(pl.lit("too few cases"))
                          .when(pl.col("psi") >= PSI_SHIFT).then(pl.lit("shift"))
                          .when(pl.col("psi") >= PSI_MODERATE).then(pl.lit("moderate"))
                          .otherwise(pl.lit("stable")).alias("verdict"))
            .sort(["psi", "classifier"], descending=[True, False], nulls_last=True)
            .select("classifier", "total_before", "total_now", "mean_score_before", "mean_score_now", "psi", "noise",
                    "verdict"))


def score_bands(flags: pl.DataFrame, classifier: str, period_start: datetime, period_end: datetime) -> pl.DataFrame:
    """One classifier's share of flagged cases per score band, in the period and the four weeks before."""
    ref_start = (period_start - DRIFT_REFERENCE).date()
    rows = flags.filter((pl.col("classifier") == classifier) & (pl.col("day") >= ref_start)
                        & (pl.col("day") < _end_day(period_end)))
    rows = rows.with_columns(pl.when(pl.col("day") >= period_start.date()).then(pl.lit("This period"))
                             .otherwise(pl.lit("Four weeks before")).alias("window"))
    bands = rows.group_by("window", "band").agg(pl.col("cases").sum())
    return bands.with_columns((pl.col("cases") / pl.col("cases").sum().over("window")).alias("share")).sort(["window", "band"])


# --------------------------------------------------------------------------- threshold what-if


def current_threshold(cases: pl.DataFrame, classifier: str) -> float | None:
    """The lowest score at which the classifier's flags were decided automatically in the period (None:
    nothing automated), read from the data rather than from any configuration."""
    rows = cases.filter((pl.col("classifier_name") == classifier) & pl.col("automated"))
    value = cast(float | None, rows["classifier_score"].min()) if rows.height else None
    return float(value) if value is not None else None


def threshold_curve(cases: pl.DataFrame, classifier: str, days: float,
                    thresholds: tuple[float, ...] = THRESHOLDS) -> pl.DataFrame:
    """For each candidate auto-action threshold t over the classifier's flagged cases of the period
    (routing_cases.sql): the cases it would decide automatically (score >= t) and their share of its
    flagged cases, a day; the cases moved from people (score >= t, reviewed by a person today) a day;
    expected precision = human violating ÷ human decided among the moved cases (95 % Wilson
    interval); wrong automatic actions a day = moved a day x (1 - precision); reviewer hours saved a
    day = the moved cases' measured review time ÷ days; backlog cleared = moved cases waiting for a
    first action now, and how many of them have breached; returned to people a day = cases
    automated today with a score below t."""
    # Rows are cases, or (routing_figures.sql) cases counted together in `cases` per score band.
    weight = pl.col("cases") if "cases" in cases.columns else pl.lit(1, pl.Int64)
    rows = cases.filter(pl.col("classifier_name") == classifier).select(
        "classifier_score", "automated", "decision", "review_s", "awaiting_first_action", "breached",
        weight.cast(pl.Int64).alias("cases"))
    flagged = int(rows["cases"].sum() or 0)
    grid = pl.DataFrame({"threshold": list(thresholds)}, schema={"threshold": pl.Float64})
    at = pl.col("classifier_score") >= pl.col("threshold")
    moved = at & ~pl.col("automated")

    def count(where: pl.Expr) -> pl.Expr:
        return pl.col("cases").filter(where).sum()

    joined = grid.join(rows, how="cross") if rows.height else grid.with_columns(
        pl.lit(None, pl.Float64).alias("classifier_score"), pl.lit(None, pl.Boolean).alias("automated"),
        pl.lit(None, pl.String).alias("decision"), pl.lit(None, pl.Float64).alias("review_s"),
        pl.lit(None, pl.Boolean).alias("awaiting_first_action"), pl.lit(None, pl.Boolean).alias("breached"),
        pl.lit(None, pl.Int64).alias("cases"))
    out = joined.group_by("threshold").agg(
        count(at).alias("automated_cases"),
        count(moved).alias("moved"),
        count(moved & (pl.col("decision") == "violating")).alias("moved_violating"),
        count(moved & (pl.col("decision") == "non_violating")).alias("moved_non_violating"),
        pl.col("review_s").filter(moved).sum().alias("moved_review_s"),
        count(moved & pl.col("awaiting_first_action")).alias("backlog_cleared"),
        count(moved & pl.col("awaiting_first_action") & pl.col("breached")).alias("backlog_breached_cleared"),
        count(~at & pl.col("automated")).alias("returned"),
    ).sort("threshold")
    decided = pl.col("moved_violating") + pl.col("moved_non_violating")
    return (out.with_columns(pl.lit(flagged).alias("flagged"), decided.alias("moved_decided"))
            .with_columns(
                (pl.col("automated_cases") / pl.col("flagged")).alias("share_automated") if flagged
                else pl.lit(None, pl.Float64).alias("share_automated"),
                (pl.col("automated_cases") / days).alias("automated_per_day"),
                (pl.col("moved") / days).alias("moved_per_day"),
                *wilson(pl.col("moved_violating"), pl.col("moved_decided"), "precision"),
                (pl.col("moved_review_s") / 3600.0 / days).alias("hours_saved_per_day"),
                (pl.col("returned") / days).alias("returned_per_day"))
            .with_columns((pl.col("moved_per_day") * (1 - pl.col("precision"))).alias("wrong_per_day")))


def default_threshold(current: float | None) -> float:
    """Where the what-if starts: a little below today's automation (WHAT_IF_STEP_BELOW), so that it
    shows what lowering it would do; 0.95 for a classifier that automates nothing."""
    start = 0.95 if current is None else min(current, 1.0) - WHAT_IF_STEP_BELOW
    return min(THRESHOLDS, key=lambda t: (abs(t - start), t))


def threshold_point(curve: pl.DataFrame, threshold: float) -> dict | None:
    """The curve's row at a threshold (the nearest step at or below it)."""
    rows = curve.filter(pl.col("threshold") <= threshold + 1e-9)
    return rows.row(-1, named=True) if rows.height else None


# --------------------------------------------------------------------------- automation candidates


def candidates(evidence: pl.DataFrame, cases: pl.DataFrame, days: float) -> pl.DataFrame:
    """Categories and sources ranked by how safely they could be automated (automation_candidates.sql,
    with the measured review time from routing_cases.sql). Per category and source: cases a day, the
    share already automated, human decisions, precision = violating ÷ decided (95 % Wilson
    interval), QA agreement = QA checks agreeing with the reviewer ÷ checks, overturn rate =
    overturned ÷ decided appeals, reviewer hours a day. Safety = lower bound of precision x QA
    agreement (1 without checks) x (1 - overturn rate) (0 without appeals); ranked by safety, then
    hours, among those with at least CANDIDATE_MIN_DECIDED human decisions (the others last, unranked)."""
    hours = (cases.filter(~pl.col("automated")).group_by("category", "source")
             .agg((pl.col("review_s").sum() / 3600.0 / days).alias("review_hours_per_day")))
    decided = pl.col("human_violating") + pl.col("human_non_violating")
    out = (evidence.join(hours, on=["category", "source"], how="left")
           .with_columns(decided.alias("decided"), pl.col("review_hours_per_day").fill_null(0.0),
                         (pl.col("cases") / days).alias("cases_per_day"),
                         (pl.col("automated") / pl.col("cases")).alias("automated_share"))
           .with_columns(*wilson(pl.col("human_violating"), pl.col("decided"), "precision"),
                         pl.when(pl.col("qa_checked") > 0).then(pl.col("qa_agreed") / pl.col("qa_checked"))
                         .alias("qa_agreement"),
                         pl.when(pl.col("appeals_decided") > 0)
                         .then(pl.col("appeals_overturned") / pl.col("appeals_decided")).alias("overturn_rate"))
           .with_columns((pl.col("precision_low").fill_null(0.0) * pl.col("qa_agreement").fill_null(1.0)
                          * (1 - pl.col("overturn_rate").fill_null(0.0))).alias("safety"),
                         (pl.col("decided") >= CANDIDATE_MIN_DECIDED).alias("ranked"),
                         pl.col("category").replace_strict(CATEGORY_LABELS, default=pl.col("category"),
                                                           return_dtype=pl.String).alias("category_label"),
                         pl.col("source").replace_strict(SOURCE_LABELS, default=pl.col("source"),
                                                         return_dtype=pl.String).alias("source_label"))
           .sort(["ranked", "safety", "review_hours_per_day", "category", "source"],
                 descending=[True, True, True, False, False]))
    rank = pl.when(pl.col("ranked")).then(pl.col("ranked").cast(pl.Int64).cum_sum())
    return out.with_columns(rank.alias("rank"))


def evidence_text(row: dict) -> str:
    """One line of evidence for a candidate (plain Python on one collected row)."""
    parts = []
    if row.get("precision") is not None:
        parts.append(f"{row['human_violating']:,} of {row['decided']:,} human decisions violating "
                     f"({row['precision']:.1%}, at least {row['precision_low']:.1%})")
    else:
        parts.append("no human decisions yet")
    if row.get("qa_agreement") is not None:
        parts.append(f"QA agreed with {row['qa_agreed']:,} of {row['qa_checked']:,} checks")
    else:
        parts.append("no QA checks")
    if row.get("overturn_rate") is not None:
        parts.append(f"{row['appeals_overturned']:,} of {row['appeals_decided']:,} appeals overturned")
    else:
        parts.append("no decided appeals")
    return "; ".join(parts)


def source_label(source: str | None) -> str:
    return SOURCE_LABELS.get(source or "", humanise(source))


def finite(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))
