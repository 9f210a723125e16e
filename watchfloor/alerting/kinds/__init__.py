"""One adapter per rule kind: each turns the figures its page computes into findings.

An adapter calls the same named queries and the same functions as the page its alerts link to
(Queue health, SLA, Trends & spikes via Home's rising categories, Vendors, Incidents, the
freshness banner), so an alert and its page show the same numbers; when a page's functions
change, only its adapter changes. `evaluate(rule, context)` returns the rule's findings now: one
per thing it fires for (a queue, a category, a vendor, an incident, the warehouse).
"""

from __future__ import annotations

from collections.abc import Callable

from watchfloor.alerting.findings import Context, Finding
from watchfloor.alerting.kinds import attainment_rule, freshness_rule, incident_rule, queue_rules, spike_rule, vendor_rule
from watchfloor.alerting.rules import Rule

# The adapter of each rule kind.
ADAPTERS: dict[str, Callable[[Rule, Context], list[Finding]]] = {
    "spike": spike_rule.evaluate,
    "sla_cases": queue_rules.evaluate,
    "oldest_case": queue_rules.evaluate,
    "time_to_clear": queue_rules.evaluate,
    "attainment": attainment_rule.evaluate,
    "vendor": vendor_rule.evaluate,
    "incident": incident_rule.evaluate,
    "freshness": freshness_rule.evaluate,
}


def evaluate(rule: Rule, context: Context) -> list[Finding]:
    return ADAPTERS[rule.kind](rule, context)
