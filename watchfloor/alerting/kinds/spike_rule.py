"""Spike rules on the spike record (watchfloor.spike_record, as every page shows it: the detector
watching every category on its own series and on each surface, region and surface x region, over
one fixed window before now), through Home's rising categories
(watchfloor.home_figures.rising_categories). A spike alert stays open while its spike is ongoing."""

from __future__ import annotations

import polars as pl

import queries
from queries import plans
from watchfloor.alerting.findings import Context, Finding, day_range, link_params, scope_filters
from watchfloor.alerting.rules import SEVERITY_RANK, Rule
from watchfloor.home_figures import rising_categories
from watchfloor.labels import category_label
from watchfloor.spike_record import multiplier_text

EVERY_CATEGORY = 1000  # Home lists the top three; an alert is wanted for each category


def spikes_now(rule: Rule, context: Context) -> pl.DataFrame:
    filters = scope_filters(rule, context.as_of.date(), context.as_of.date())

    def compute() -> pl.DataFrame:
        call = plans.watched(context.as_of, filters)
        cells = queries.run(call.name, warehouse=context.warehouse, **call.params)
        return rising_categories(plans.spike_record(cells, context.as_of), cells, context.as_of, EVERY_CATEGORY)

    return context.once(("rising", filters), compute)


def evaluate(rule: Rule, context: Context) -> list[Finding]:
    worst = SEVERITY_RANK[rule.params["min_severity"]]
    categories = rule.scope_values("category")
    findings = []
    for spike in spikes_now(rule, context).iter_rows(named=True):
        if spike["state"] != "ongoing" or SEVERITY_RANK.get(spike["severity"], len(SEVERITY_RANK)) > worst:
            continue
        if categories and spike["category"] not in categories:
            continue
        label = spike["label"]
        start, end = day_range(context.as_of, spike["onset"])
        filters = scope_filters(rule, start, end)
        findings.append(Finding(
            key=spike["category"],
            title=f"{spike['severity'].capitalize()} spike in {label}",
            where=label if spike["surface"] or spike["region"] else f"{category_label(spike['category'])}, every surface and region",
            measure=f"{spike['cases']:,.0f} cases against {spike['expected']:,.0f} expected since the onset"
                    f"{multiplier_text(spike['multiplier'])} ({spike['severity']}; fires from {rule.params['min_severity']}); last 24 h {spike['last_24h']:,} "
                    f"against {spike['week_before']:,} a week earlier",
            since=spike["onset"], page="trends",
            link=link_params(filters, region=spike["region"] if spike["region"] not in filters.regions else None)))
    return findings
