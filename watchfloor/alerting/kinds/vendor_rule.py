"""Vendor rules on the Vendors page's scorecard: the page's named queries (queries/plans.vendors)
over the last N days and watchfloor.vendors.scorecard at the vendor level, with its green, amber
and red against each contract target. One alert per vendor, naming the figures that miss."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from queries import plans
from watchfloor import vendors as v
from watchfloor.alerting.findings import Context, Finding, link_params, scope_filters
from watchfloor.alerting.rules import Rule
from watchfloor.filters import Filters
from watchfloor.formatting import format_value

MISSES = {"amber": (v.AMBER, v.RED), "red": (v.RED,)}


def scorecards(rule: Rule, context: Context) -> tuple[pl.DataFrame, Filters]:
    end = context.as_of.date()
    filters = scope_filters(rule, end - timedelta(days=rule.params["days"] - 1), end)

    def compute() -> pl.DataFrame:
        data = plans.fetch(plans.vendors(context.as_of, filters), warehouse=context.warehouse)
        return v.scorecard(data["work"], data["quality"], data["outcomes"], data["contracts"], data["sla"], "vendor")

    return context.once(("scorecard", filters), compute), filters


def evaluate(rule: Rule, context: Context) -> list[Finding]:
    card, filters = scorecards(rule, context)
    misses = MISSES[rule.params["level"]]
    findings = []
    for row in card.iter_rows(named=True):
        missed = [v.FIGURES_BY_KEY[key] for key in rule.params["figures"] if row[f"{key}_status"] in misses]
        if not missed:
            continue
        parts = [f"{f.label} {format_value(row[f.key], f.kind)} against {format_value(row[f'{f.key}_target'], f.kind)} "
                 f"({row[f'{f.key}_status']})" for f in missed]
        findings.append(Finding(
            key=row["vendor_id"],
            title=f"{row['vendor']} below its contract on {len(missed)} figure{'s' if len(missed) > 1 else ''}",
            where=f"vendor {row['vendor']}, {filters.start:%Y-%m-%d} to {filters.end:%Y-%m-%d}",
            measure="; ".join(parts) + f" (grade {row['grade']})",
            since=None, page="vendors",
            link=link_params(filters, vendor=row["vendor_id"] if row["vendor_id"] not in filters.vendors else None)))
    return findings
