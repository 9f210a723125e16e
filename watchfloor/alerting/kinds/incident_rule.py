"""Incident rules on the Incidents page's list (queries/incident_list.sql): SEV0/SEV1 incidents
open now, or open and still not acknowledged N minutes after they were detected."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

import queries
from watchfloor.alerting.findings import Context, Finding, day_range, link_params
from watchfloor.alerting.rules import Rule
from watchfloor.filters import Filters
from watchfloor.formatting import format_duration
from watchfloor.labels import category_label


def open_incidents(context: Context) -> pl.DataFrame:
    """Incidents started by now and not resolved by now, milestones as known now."""
    def compute() -> pl.DataFrame:
        rows = queries.run("incident_list", warehouse=context.warehouse, as_of=context.as_of,
                           period_start=context.as_of, period_end=context.as_of + timedelta(seconds=1))
        return rows.filter(pl.col("resolved_at").is_null())
    return context.once("open_incidents", compute)


def evaluate(rule: Rule, context: Context) -> list[Finding]:
    wait = rule.params["unacknowledged_minutes"]
    findings = []
    for incident in open_incidents(context).iter_rows(named=True):
        if incident["severity"] not in rule.params["severities"]:
            continue
        # The acknowledgement clock runs from detection (from the start where detection is not recorded).
        since = incident["detected_at"] or incident["started_at"]
        waited = (context.as_of - since).total_seconds()
        if wait is not None and (incident["acknowledged_at"] is not None or waited < wait * 60):
            continue
        start, end = day_range(context.as_of, incident["started_at"])
        what = (f"not acknowledged for {format_duration(waited)}" if wait is not None
                else f"open for {format_duration((context.as_of - incident['started_at']).total_seconds())} "
                     f"({incident['status']})")
        findings.append(Finding(
            key=incident["incident_id"],
            title=f"{incident['severity']} incident {incident['incident_id']} {what}: {incident['title']}",
            where=f"incident {incident['incident_id']} ({category_label(incident['category'])}), commander "
                  f"{incident['commander'] or 'not named'}",
            measure=f"{incident['severity']}, {incident['status']}, {incident['linked_cases']:,} linked cases"
                    + (f"; no acknowledgement {format_duration(waited)} after detection (fires after {wait} min)"
                       if wait is not None else ""),
            since=since if wait is not None else incident["started_at"], page="incidents",
            link=link_params(Filters(start=start, end=end), incident=incident["incident_id"])))
    return findings
