"""The figures that more than one page shows, each defined once: its window, its filters and its
formula, and the function that computes it. Home, SLA, Queue health, Executive, Vendors and
Incidents call these functions, so a figure has one value wherever it appears at one moment
(docs/metrics.md, "Figures shared across pages"; tests/unit/test_consistency.py holds the pages
to it)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

# Windows, as the pages label them right beside the number.
LAST_24H = "last 24 h"
PERIOD = "selected period"
NOW = "now"

CLOCKS = ("first_action", "resolution")


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    window: str
    filters: str
    formula: str
    pages: tuple[str, ...]


METRICS: tuple[Metric, ...] = (
    Metric("sla_attainment", "First-action SLA / Resolution SLA",
           "a period [a, b): Home the last 24 h, SLA the selected period, Executive its own period",
           "region, vertical, priority, vendor (of the clock's case)",
           "met ÷ (met + breached): clocks that stopped in [a, b) within target, clocks whose breach_at is in [a, b)",
           ("home", "sla", "executive")),
    Metric("backlog", "Backlog", NOW, "region, vertical, priority, vendor",
           "open cases: created_at ≤ now and not resolved by now (resolved_at null or later); "
           "the total is the sum of the cases by state",
           ("home", "queue_health")),
    Metric("breached_now", "Breached now", NOW, "region, vertical, priority, vendor",
           "open cases with a running clock past its target (a case counts once; per clock in the note)",
           ("home", "sla", "queue_health")),
    Metric("at_risk_now", "At risk now", NOW, "region, vertical, priority, vendor",
           "open cases with a running clock at ≥ 75 % of its target and no clock past it",
           ("home", "sla", "queue_health")),
    Metric("vendor_sla", "SLA adherence (first action, resolution)", PERIOD, "region, vertical, priority, vendor",
           "per vendor (cases.vendor_id) and clock: the SLA page's attainment over the period",
           ("vendors", "sla")),
    Metric("hours_to_clear", "Clears in", "last hour", "region, vertical, priority, vendor",
           "backlog ÷ (outflow − inflow) of the last hour; 'not clearing' when outflow ≤ inflow",
           ("queue_health",)),
)
METRICS_BY_KEY = {m.key: m for m in METRICS}


def attainment(met: int | None, breached: int | None) -> float | None:
    """met ÷ (met + breached); None with neither."""
    met, breached = int(met or 0), int(breached or 0)
    return met / (met + breached) if met + breached else None


@dataclass(frozen=True)
class NowCounts:
    """Open cases breached and at risk now, and per clock the running clocks by state."""
    breached_cases: int
    at_risk_cases: int
    breached: dict[str, int]  # clock -> running clocks past target
    at_risk: dict[str, int]  # clock -> running clocks at 75-100 % of target
    warning: dict[str, int]  # clock -> running clocks at 50-75 % of target
    running: int  # running clocks
    running_cases: int  # open cases (each has a running resolution clock)

    def note(self, counts: dict[str, int]) -> str:
        return f"first action {counts.get('first_action', 0):,} · resolution {counts.get('resolution', 0):,}"


def now_counts(running: pl.DataFrame) -> NowCounts:
    """From the running clocks (one row per open case and clock: case_id, clock, state): the
    definition; the pages read the same counts from queries/sla_now.sql (now_counts_of)."""
    if running.height == 0:
        zero = {c: 0 for c in CLOCKS}
        return NowCounts(0, 0, zero, dict(zero), dict(zero), 0, 0)
    per_case = running.group_by("case_id").agg(
        (pl.col("state") == "breached").any().alias("b"), (pl.col("state") == "at_risk").any().alias("r"))
    per_clock = running.group_by("clock").agg(
        (pl.col("state") == "breached").sum().alias("breached"),
        (pl.col("state") == "at_risk").sum().alias("at_risk"),
        (pl.col("state") == "warning").sum().alias("warning"))
    by = {row["clock"]: row for row in per_clock.iter_rows(named=True)}

    def column(name: str) -> dict[str, int]:
        return {c: int(by[c][name]) if c in by else 0 for c in CLOCKS}

    return NowCounts(
        breached_cases=int(per_case["b"].sum()),
        at_risk_cases=int((per_case["r"] & ~per_case["b"]).sum()),
        breached=column("breached"), at_risk=column("at_risk"), warning=column("warning"),
        running=running.height,
        running_cases=per_case.height,
    )


def now_counts_of(counted: pl.DataFrame) -> NowCounts:
    """The same figures as counted in SQL (queries/sla_now.sql: a row per clock and one for 'any')."""
    by = {row["clock"]: row for row in counted.iter_rows(named=True)}

    def column(name: str) -> dict[str, int]:
        return {c: int(by[c][name] or 0) if c in by else 0 for c in CLOCKS}

    cases = by.get("any", {})
    return NowCounts(
        breached_cases=int(cases.get("breached") or 0),
        at_risk_cases=int(cases.get("at_risk") or 0),
        breached=column("breached"), at_risk=column("at_risk"), warning=column("warning"),
        running=sum(column("running").values()),
        running_cases=int(cases.get("running") or 0),
    )


def backlog(by_state: pl.DataFrame) -> int:
    """The backlog is the sum of the open cases by state (Home's bars add up to its tile)."""
    return int(by_state["cases"].sum()) if by_state.height else 0


def hours_to_clear(backlog_now: float, inflow_per_hour: float, outflow_per_hour: float) -> float | None:
    """Hours until the backlog is gone if the last hour's flows hold: backlog ÷ (outflow − inflow),
    the constant-rate case of watchfloor.capacity.hours_to_clear; 0 without a backlog; None (not
    clearing) when outflow ≤ inflow."""
    if backlog_now <= 0:
        return 0.0
    net = outflow_per_hour - inflow_per_hour
    if net <= 0:
        return None
    return backlog_now / net
