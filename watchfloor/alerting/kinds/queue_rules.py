"""Queue rules (sla_cases, oldest_case, time_to_clear) on the Queue health page's own table:
the page's named queries (queries/plans.queue_health) summarised per queue by
watchfloor.queue_health.health_table, exactly as the page's 'Queue' view shows them."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from queries import plans
from watchfloor.alerting.findings import Context, Finding, link_params, scope_filters
from watchfloor.alerting.rules import Rule
from watchfloor.formatting import count_of, format_duration
from watchfloor.queue_health import health_table

TARGET_COLUMNS = {"first_action": "first_action_target_min", "resolution": "resolution_target_min"}
TARGET_LABELS = {"first_action": "first-action", "resolution": "resolution"}
STATE_WORDS = {"breached": "breached", "at_risk": "at-risk", "breached_or_at_risk": "breached or at-risk"}


def queue_table(rule: Rule, context: Context) -> tuple[pl.DataFrame, object]:
    """The Queue health table by queue for the rule's scope, with each queue's vertical, region,
    priority and resolution target (from the page's queue_flow frame)."""
    filters = scope_filters(rule, context.as_of.date(), context.as_of.date())

    def compute() -> pl.DataFrame:
        # The page's plan without its 48-hour chart: the same queries and parameters, so the same results.
        plan = [call for call in plans.queue_health(context.as_of, filters) if call.key != "hourly"]
        data = plans.fetch(plan, warehouse=context.warehouse)
        table = health_table(data["queue_flow"], data["open_cases"], data["vendor_flow"], "queue")
        queues = data["queue_flow"].select(pl.col("queue_id").alias("group"), "resolution_target_min")
        return table.join(queues, on="group", how="left")

    table = context.once(("queue_table", filters), compute)
    wanted = rule.scope_values("queue")
    if wanted:
        table = table.filter(pl.col("group").is_in(wanted))
    return table, filters


def _where(row: dict) -> str:
    return f"queue {row['label']}"


def _link(filters, row: dict) -> dict[str, list[str]]:
    # Queue health has no queue filter: the queue's vertical, region and priority narrow it to its tiers.
    narrowed = type(filters)(start=filters.start, end=filters.end, regions=(row["region"],),
                             verticals=(row["vertical"],), priorities=(row["priority"],), vendors=filters.vendors)
    return link_params(narrowed)


def evaluate(rule: Rule, context: Context) -> list[Finding]:
    table, filters = queue_table(rule, context)
    return [f for row in table.iter_rows(named=True) if (f := _judge(rule, context, row, filters)) is not None]


def _judge(rule: Rule, context: Context, row: dict, filters) -> Finding | None:
    p = rule.params
    if rule.kind == "sla_cases":
        count = {"breached": row["breached"], "at_risk": row["at_risk"],
                 "breached_or_at_risk": row["breached"] + row["at_risk"]}[p["state"]]
        if count < p["at_least"]:
            return None
        words = STATE_WORDS[p["state"]]
        return Finding(
            key=row["group"], title=f"{count_of(count, f'{words} case')} in {row['label']}",
            where=_where(row),
            measure=f"{count_of(count, f'open {words} case')} of {row['backlog']:,} in the backlog "
                    f"(fires at {p['at_least']:,} or more)",
            since=None, page="queue_health", link=_link(filters, row))
    target_min = row[TARGET_COLUMNS[p["target"]]]
    if target_min is None:
        return None
    target = TARGET_LABELS[p["target"]]
    if rule.kind == "oldest_case":
        age = row["oldest_age_seconds"]
        if age is None:
            return None
        share = age / (target_min * 60.0)
        if share < p["share"]:
            return None
        return Finding(
            key=row["group"],
            title=f"Oldest case in {row['label']} has waited {format_duration(age)}",
            where=_where(row),
            measure=f"case {row['oldest_case_id']}: {share:.0%} of the {format_duration(target_min * 60)} {target} "
                    f"target (fires at {p['share']:.0%})",
            since=context.as_of - timedelta(seconds=age), page="queue_health", link=_link(filters, row))
    # time_to_clear
    if row["backlog"] < p["min_backlog"]:
        return None
    hours = row["projected_hours_to_clear"]
    if hours is not None and hours * 60.0 <= target_min:
        return None
    how = (f"projected to clear in {format_duration(hours * 3600)}" if hours is not None
           else f"not clearing: {row['outflow_1h']:,} out against {row['inflow_1h']:,} in over the last hour")
    return Finding(
        key=row["group"],
        title=f"Backlog of {row['backlog']:,} in {row['label']} will not clear within its {target} target",
        where=_where(row),
        measure=f"{how}; {target} target {format_duration(target_min * 60)}",
        since=None, page="queue_health", link=_link(filters, row))
