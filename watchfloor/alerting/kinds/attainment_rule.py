"""Attainment rules on the SLA page's figures: the page's clock query (sla_period_clocks) over the
last N hours, and watchfloor.sla_figures.attainment over those rows, overall or per group."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from queries import plans
from watchfloor import sla_figures
from watchfloor.alerting.findings import Context, Finding, link_params, scope_filters
from watchfloor.alerting.rules import Rule

BY_LINK = {"region": "region", "vendor": "vendor", "priority": "priority"}


def attainment_rows(rule: Rule, context: Context) -> pl.DataFrame:
    """Whole-window met, breached and attainment of the rule's clock, per value of its `by`."""
    p = rule.params
    start = context.as_of - timedelta(hours=p["hours"])
    filters = scope_filters(rule, start.date(), context.as_of.date())

    def compute() -> pl.DataFrame:
        # The SLA page's clock query (queries/plans.sla) with the window in hours instead of days.
        call = plans.QueryCall("clocks", "sla_period_clocks", {
            "as_of": context.as_of, "period_start": start, "period_end": context.as_of, "hourly": True,
            "row_limit": sla_figures.NEXT_TO_BREACH_LIMIT, **filters.sql_params()})
        clocks = plans.fetch([call], warehouse=context.warehouse)["clocks"]
        return sla_figures.attainment(clocks, context.as_of, start, context.as_of, hourly=True)

    rows = context.once(("attainment", p["hours"], filters), compute)
    return rows.filter((pl.col("clock") == p["clock"]) & (pl.col("dimension") == p["by"]) & pl.col("bucket").is_null())


def evaluate(rule: Rule, context: Context) -> list[Finding]:
    p = rule.params
    start = context.as_of - timedelta(hours=p["hours"])
    filters = scope_filters(rule, start.date(), context.as_of.date())
    clock = sla_figures.CLOCK_LABELS[p["clock"]].lower()
    findings = []
    for row in attainment_rows(rule, context).iter_rows(named=True):
        counted = row["met"] + row["breached"]
        if counted < p["min_clocks"] or row["attainment"] is None or row["attainment"] >= p["below"]:
            continue
        overall = p["by"] == "all"
        where = "all queues in scope" if overall else f"{sla_figures.BREAKDOWNS[p['by']].lower()} {row['label']}"
        extra = {BY_LINK[p["by"]]: row["value"]} if p["by"] in BY_LINK and row["value"] is not None else {}
        # A 24-hour window overall is Home's SLA tile; other windows show on the SLA page's hourly chart.
        page = "home" if overall and p["hours"] == 24 else "sla"
        findings.append(Finding(
            key=row["value"] or "all",
            title=f"{sla_figures.CLOCK_LABELS[p['clock']]} SLA at {row['attainment']:.1%} over the last {p['hours']} h"
                  + ("" if overall else f" in {row['label']}"),
            where=where,
            measure=f"{row['met']:,} met, {row['breached']:,} breached {clock} clocks: {row['attainment']:.1%} "
                    f"against {p['below']:.0%}",
            since=None, page=page, link=link_params(filters, **extra)))
    return findings
