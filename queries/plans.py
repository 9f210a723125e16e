"""What each page fetches: a plan of named queries with their parameters.

Pages fetch through `fetch(plan)`, and the page benchmark times the very same
plans, cold and warm, against DuckDB running the same SQL directly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import polars as pl

import queries
from queries import demand_forecasts, runner
from watchfloor import automation as automation_figures
from watchfloor import capacity as capacity_plan
from watchfloor import case_figures, home_figures, sla_figures
from watchfloor import executive as executive_periods
from watchfloor import queue_health as queue_health_figures
from watchfloor import spike_record as records
from watchfloor import spike_record_summary as record_summary
from watchfloor import trends as trend_figures
from watchfloor.filters import MULTI_KEYS, Filters
from watchfloor.warehouse import WarehouseError


@dataclass(frozen=True)
class QueryCall:
    key: str  # what the page calls the frame
    name: str  # the named query
    params: dict[str, Any] = field(default_factory=dict)


class Plan(list):
    """A page's plan (a list of QueryCall) that remembers how it was made, so that the same plan can
    be made again for a later 'now' (queries/prefetch.py runs it ahead of the pages)."""

    def __init__(self, calls: list[QueryCall], build: Callable[..., Plan], args: tuple, options: dict):
        super().__init__(calls)
        self.build, self.args, self.options = build, args, options

    @property
    def recipe(self) -> tuple:
        return (self.build.__name__, self.args, tuple(sorted(self.options.items())))

    def at(self, as_of: datetime) -> Plan:
        return self.build(as_of, *self.args, **self.options)


def _page_plan(build: Callable[..., list[QueryCall]]) -> Callable[..., Plan]:
    """Marks a page's plan function (as_of first): its plans can be made again for a later 'now'."""
    @functools.wraps(build)
    def made(as_of: datetime, *args: Any, **options: Any) -> Plan:
        return Plan(build(as_of, *args, **options), made, args, options)
    return made


def watched(as_of: datetime, filters: Filters | None = None) -> QueryCall:
    """The spike record's series (watched_series): the record's fixed window before `as_of` snapped
    to the hour, within the filters' scope (none: every case). The same call on every page."""
    scope = filters.sql_params() if filters is not None else {attr: [] for attr in MULTI_KEYS.values()}
    return QueryCall("watched", "watched_series", {**records.query_params(as_of), **scope})


def spike_record(watched_frame: pl.DataFrame, as_of: datetime, sensitivity: str = "normal") -> records.SpikeRecord:
    """The spike record of a watched_series frame at the hour of `as_of` and the sensitivity: every
    page and the alert rules that ask for it at the same hour get the same record. Computed once per
    contents of the frame (queries.by_contents), so a frame fetched again from an unchanged
    warehouse (its cache entry expired, or pushed out) finds the record it had; a write that changes
    the window's counts gives other rows and a new record. The unfiltered record at the default
    sensitivity is usually read as the writers kept it, not judged here."""
    return queries.memo(watched_frame, _kept_record, records.hour_of(as_of), sensitivity)


def _kept_record(watched_frame: pl.DataFrame, hour: datetime, sensitivity: str) -> records.SpikeRecord:
    return queries.by_contents(watched_frame, _record_of, hour, sensitivity)


def _record_of(watched_frame: pl.DataFrame, hour: datetime, sensitivity: str) -> records.SpikeRecord:
    """The record the writers kept for these very series (watchfloor.spike_record_summary), else
    the series judged here. A warehouse without kept records (built by an older version, or a
    server warehouse without them) only means judging here."""
    try:
        rows = runner.run_uncached("kept_spike_record", hour=hour, sensitivity=sensitivity,
                                    series_key=records.series_key(watched_frame))
    except (queries.QueryError, WarehouseError):
        rows = pl.DataFrame()
    kept = record_summary.record_from_rows(rows, sensitivity)
    return kept if kept is not None else records.build(watched_frame, hour, sensitivity)


def work_ahead(call: QueryCall, frame: pl.DataFrame) -> None:
    """What is worth working out from a result before a page asks for it (queries/prefetch.py, which
    runs the pages' plans ahead): the spike record of the watched series at their hour, at the
    default sensitivity, so that no page waits for it when a new hour begins."""
    if call.name == "watched_series":
        spike_record(frame, call.params["until"])


def rising_categories(watched_frame: pl.DataFrame, as_of: datetime, sensitivity: str = "normal") -> pl.DataFrame:
    """Home's categories with a spike in the last 24 hours (watchfloor.home_figures), kept with the
    spike record's frame for the hour: every rerun and session gets the same rows back."""
    return queries.memo(watched_frame, _rising_categories, records.hour_of(as_of), sensitivity)


def _rising_categories(watched_frame: pl.DataFrame, hour: datetime, sensitivity: str) -> pl.DataFrame:
    return home_figures.rising_categories(spike_record(watched_frame, hour, sensitivity), watched_frame, hour)


def watched_view(record: records.SpikeRecord, watched_frame: pl.DataFrame, period_start: datetime,
                 period_end: datetime) -> trend_figures.WatchedView:
    """The Trends page's view of the spike record (watchfloor.trends.watched_view) for the categories
    of its series, kept with the record: every rerun and session that shows the same period gets the
    same frames back, and the charts drawn from them are built once."""
    categories = queries.memo(watched_frame, _categories)
    return queries.memo(record.spikes, _watched_view, record.first, record.last, record.sensitivity,
                           categories, period_start, period_end)


def _categories(watched_frame: pl.DataFrame) -> tuple[str, ...]:
    return tuple(sorted(watched_frame["category"].unique().to_list()))


def _watched_view(spikes: pl.DataFrame, first: datetime | None, last: datetime | None, sensitivity: str,
                  categories: tuple[str, ...], period_start: datetime, period_end: datetime) -> trend_figures.WatchedView:
    return trend_figures.watched_view(records.SpikeRecord(spikes, first, last, sensitivity), list(categories),
                                      period_start, period_end)


def breakdown_view(series: pl.DataFrame, dimension: str, hour: datetime, sensitivity: str, period_start: datetime,
                   period_end: datetime) -> trend_figures.SpikeView:
    """The Trends page's spikes of a breakdown's own series (watchfloor.trends.breakdown_record, on
    the spike record's window) in the period, kept with the fetched series."""
    return queries.memo(series, _breakdown_view, dimension, hour, sensitivity, period_start, period_end)


def _breakdown_view(series: pl.DataFrame, dimension: str, hour: datetime, sensitivity: str, period_start: datetime,
                    period_end: datetime) -> trend_figures.SpikeView:
    record = queries.memo(series, trend_figures.breakdown_record, dimension, hour, sensitivity)
    return trend_figures.in_period(record, period_start, period_end)


def spike_list(breakdown: trend_figures.SpikeView | None, watched: trend_figures.WatchedView,
               dimension: str) -> pl.DataFrame:
    """watchfloor.trends.spike_list, kept with the views it is made from (ranking them was a tenth
    of the Trends page's warm run)."""
    if breakdown is None:
        return queries.memo(watched.alerts, _spike_list, watched.rate, watched.sensitivity, None, None, None,
                               dimension)
    return queries.memo(watched.alerts, _spike_list, watched.rate, watched.sensitivity, breakdown.points,
                           breakdown.episodes, breakdown.bucket, dimension)


def _spike_list(alerts: pl.DataFrame, rate: pl.DataFrame, sensitivity: str, points: pl.DataFrame | None,
                episodes: pl.DataFrame | None, bucket: timedelta | None, dimension: str) -> pl.DataFrame:
    # points, episodes and bucket come together (a SpikeView's) or not at all
    breakdown = None if points is None or episodes is None or bucket is None \
        else trend_figures.SpikeView(points, episodes, bucket)
    return trend_figures.spike_list(breakdown, trend_figures.WatchedView(alerts, rate, sensitivity), dimension)


@_page_plan
def home(as_of: datetime, filters: Filters) -> list[QueryCall]:
    scope = filters.sql_params()
    return [
        QueryCall("flow", "home_flow", {"as_of": as_of, **scope}),
        QueryCall("sla", "home_sla", {"as_of": as_of, **scope}),
        QueryCall("now", "sla_now", {"as_of": as_of, **scope}),  # the SLA page's call too: one run for both
        QueryCall("sla_week_before", "home_sla_week_before", {"as_of": as_of, **scope}),
        QueryCall("incidents", "home_open_incidents", {"as_of": as_of}),
        QueryCall("backlog", "home_backlog_by_state", {"as_of": as_of, **scope}),
        # The worst queues: Queue health's own queries with its parameters (one run serves both pages).
        QueryCall("queue_flow", "queue_flow", {"as_of": as_of, **scope}),
        QueryCall("open_cases", "queue_open_cases", {"as_of": as_of, **scope}),
        watched(as_of, filters),
    ]


@_page_plan
def queue_health(as_of: datetime, filters: Filters) -> list[QueryCall]:
    scope = {"as_of": as_of, **filters.sql_params()}
    return [
        QueryCall("queue_flow", "queue_flow", scope),
        QueryCall("open_cases", "queue_open_cases", scope),
        QueryCall("vendor_flow", "queue_vendor_flow", scope),
        QueryCall("hourly", "queue_hourly_flow", scope),
    ]


def queue_history(as_of: datetime, filters: Filters, queue_id: str, days: int) -> list[QueryCall]:
    """Queue health's history of one queue over `days` (7: per hour; 14, 30, 90: per day), with the
    7 days before the range that its trailing averages need (watchfloor.queue_health.history_window).
    The vendor filter applies to the cases; the queue is one the other filters let through."""
    window = queue_health_figures.history_window(as_of, days)
    return [QueryCall("history", "queue_history", {
        "as_of": as_of, "queue_id": queue_id, "history_start": window.history_start, "hourly": window.hourly,
        "vendors": list(filters.vendors)})]


@_page_plan
def sla(as_of: datetime, filters: Filters) -> list[QueryCall]:
    """The SLA page: policies, the open cases breached and at risk now (sla_now, Home's call: one run
    for both pages), and the clocks of the date range and of now, evaluated once; every other figure
    is derived from them (watchfloor.sla_figures.sla_figures)."""
    return [
        QueryCall("policies", "sla_policies"),
        QueryCall("clocks", "sla_period_clocks", {
            "as_of": as_of, **filters.period_params(),
            "hourly": sla_figures.hourly_buckets(filters.start, filters.end),
            "row_limit": sla_figures.NEXT_TO_BREACH_LIMIT, **filters.sql_params(),
        }),
        QueryCall("now", "sla_now", {"as_of": as_of, **filters.sql_params()}),
    ]


@_page_plan
def incidents(as_of: datetime, filters: Filters) -> list[QueryCall]:
    """The Incidents page: incidents open at any time in the date range, their milestones and notes,
    and per hour their linked cases and their category's arrivals (for the per-incident view), and
    the spike record's series over every case (an incident spans the sidebar's scope)."""
    scope = {"as_of": as_of, **filters.period_params()}
    return [
        QueryCall("incidents", "incident_list", scope),
        QueryCall("events", "incident_events", scope),
        QueryCall("hourly", "incident_hourly", scope),
        watched(as_of),
    ]


def executive(as_of: datetime, filters: Filters, period: executive_periods.Period | None = None) -> list[QueryCall]:
    """The executive summary: a period (the last 7 days unless chosen) against the one before.
    The sidebar date range does not apply (the page picks its own period); the other filters do."""
    chosen = period or executive_periods.last_7_days(as_of)
    scope = {**chosen.sql_params(), **filters.sql_params()}
    return [
        QueryCall("sla", "executive_sla", scope),
        QueryCall("cases", "executive_cases", scope),
        QueryCall("escalations", "executive_escalations", scope),
        QueryCall("appeals", "executive_appeals", scope),
        QueryCall("incidents", "executive_incidents", chosen.sql_params()),
        watched(as_of, filters),
    ]


@_page_plan
def vendors(as_of: datetime, filters: Filters) -> list[QueryCall]:
    """The Vendors page: contracts, and the period's work, QA checks and outcomes (appeals, SLA)
    per reviewer unit and week, and SLA adherence on both clocks (the SLA page's rule); the
    scorecards are derived from them (watchfloor.vendors)."""
    scope = {"as_of": as_of, **filters.period_params(), **filters.sql_params()}
    return [
        QueryCall("contracts", "vendor_contracts"),
        QueryCall("work", "vendor_work", scope),
        QueryCall("quality", "vendor_quality", scope),
        QueryCall("outcomes", "vendor_outcomes", scope),
        QueryCall("sla", "vendor_sla", scope),
    ]


@_page_plan
def quality(as_of: datetime, filters: Filters) -> list[QueryCall]:
    """The Quality page: the period's QA checks per reviewer, category and day (watchfloor.quality)."""
    return [QueryCall("reviews", "quality_reviews", {"as_of": as_of, **filters.period_params(), **filters.sql_params()})]


def case(as_of: datetime, case_id: str) -> list[QueryCall]:
    """The Case page for one case as of `as_of`: the case, its events, QA reviews, appeals and the
    other cases of its account and organisation. The content excerpt is not part of it
    (case_excerpt, fetched only on a reveal). The sidebar filters do not apply."""
    one = {"case_id": case_id, "as_of": as_of}
    return [
        QueryCall("case", "case_detail", one),
        QueryCall("events", "case_timeline", one),
        QueryCall("qa_reviews", "case_qa_reviews", one),
        QueryCall("appeals", "case_appeals", one),
        QueryCall("related", "case_related", {**one, "row_limit": case_figures.RELATED_ROW_LIMIT}),
    ]


def case_search(as_of: datetime, term: str) -> list[QueryCall]:
    """The Case page's search box: cases whose case, account or organisation id is `term`."""
    return [QueryCall("matches", "case_search", {"term": term, "as_of": as_of, "row_limit": case_figures.SEARCH_ROW_LIMIT})]


def case_excerpt(case_id: str) -> list[QueryCall]:
    """A case's content excerpt, for a reveal (already written to the audit log)."""
    return [QueryCall("excerpt", "case_excerpt", {"case_id": case_id})]


# The page benchmark opens one case in the middle of the simulated warehouse's history
# (the simulator numbers its cases C-00000001, C-00000002, ...).
CASE_BENCHMARK_ID = "C-00500000"


def case_benchmark(as_of: datetime, filters: Filters) -> list[QueryCall]:
    return case(as_of, CASE_BENCHMARK_ID)


# The page benchmark draws the 90-day history of the simulator's busiest queue (fraud & spam, AMER, L1, P3).
QUEUE_BENCHMARK_ID = "fs-amer-l1-p3"


def queue_history_benchmark(as_of: datetime, filters: Filters) -> list[QueryCall]:
    return queue_history(as_of, filters, QUEUE_BENCHMARK_ID, max(queue_health_figures.HISTORY_DAYS))


def shell(as_of: datetime, filters: Filters) -> list[QueryCall]:
    """What the entry point fetches on every page: filter options and freshness."""
    return [QueryCall("filter_options", "filter_options"), QueryCall("freshness", "freshness")]


@_page_plan
def trends(as_of: datetime, filters: Filters, dimension: str = "category", hourly: bool | None = None) -> list[QueryCall]:
    """Trends & spikes: the series of the chosen breakdown with the detector's history before the
    period (the volume chart), the same breakdown hourly over the spike record's window (its own
    spikes, unless the breakdown is by category), the spike record's series (every watched
    series, the record's fixed window before now), the shares for emerging patterns, and the
    classifier signal (watchfloor.trends)."""
    tr = trend_figures
    period = filters.period_params()
    start, end = period["period_start"], period["period_end"]
    hourly = tr.default_hourly(start, end) if hourly is None else hourly
    scope = filters.sql_params()
    window = records.query_params(as_of)
    # The breakdown's own spikes are judged on the spike record's window (hourly, before now),
    # whatever the period: by category the record's watched alerts are the list.
    breakdown = [] if dimension == "category" else [QueryCall("breakdown", "trends_series", {
        "history_start": window["history_start"], "period_end": window["until"], "hourly": True,
        "dimension": dimension, **scope})]
    return [
        QueryCall("series", "trends_series", {"history_start": tr.history_start(start, end), "period_end": end,
                                              "hourly": hourly, "dimension": dimension, **scope}),
        *breakdown,
        watched(as_of, filters),
        QueryCall("shares", "trends_shares", {"previous_start": start - (end - start), **period,
                                              "min_org_cases": tr.MIN_ORG_CASES, **scope}),
        QueryCall("classifier", "trends_classifier", {**period, **scope}),
        QueryCall("classifier_volume", "trends_classifier_volume", {**period, "hourly": hourly, **scope}),
    ]


INCIDENT_CASE_LIMIT = 200


def incident_cases(as_of: datetime, incident_id: str) -> list[QueryCall]:
    """Incidents: the cases linked to the chosen incident (newest first, at most INCIDENT_CASE_LIMIT)."""
    return [QueryCall("cases", "incident_cases", {"as_of": as_of, "incident_id": incident_id,
                                                   "row_limit": INCIDENT_CASE_LIMIT})]


def trends_spike_cases(filters: Filters, dimension: str, key: str, spike_start: datetime,
                       spike_end: datetime, surface: str | None = None, region: str | None = None) -> list[QueryCall]:
    """Trends & spikes: the cases behind the chosen spike (of a breakdown's value, or of a watched
    scope: dimension 'category' with the category as key, and its surface and region if any)."""
    return [QueryCall("cases", "trends_spike_cases", {
        "spike_start": spike_start, "spike_end": spike_end, "dimension": dimension, "key": key,
        "surface": surface, "region": region,
        "row_limit": trend_figures.SPIKE_CASE_LIMIT, **filters.sql_params(),
    })]


@_page_plan
def capacity(as_of: datetime, filters: Filters) -> list[QueryCall]:
    """Capacity: hourly arrivals per queue group (history for the forecast and its backtest), the
    queues with their targets and handle times, the roster, the cases waiting now and the vendors'
    contracts. The sidebar filters choose groups on the page; the queries read every group, so
    the forecast is fitted once for all (queries.demand_forecasts)."""
    hour = capacity_plan.floor_hour(as_of)
    return [
        QueryCall("arrivals", "capacity_arrivals", {"history_start": demand_forecasts.history_start(as_of), "until": hour}),
        QueryCall("queues", "capacity_queues", {"aht_start": hour - timedelta(days=capacity_plan.AHT_DAYS), "until": hour}),
        QueryCall("roster", "capacity_roster", {
            "roster_start": hour - timedelta(days=capacity_plan.ROSTER_LOOKBACK_DAYS),
            "roster_end": hour + timedelta(hours=capacity_plan.HORIZON_HOURS)}),
        QueryCall("backlog", "capacity_backlog", {"as_of": as_of}),
        QueryCall("vendors", "capacity_vendors"),
    ]


def capacity_series(as_of: datetime, queue_ids: list[str]) -> list[QueryCall]:
    """Capacity: the hourly arrivals of one queue or group of queues, for its forecast chart."""
    return [QueryCall("history", "capacity_queue_arrivals", {
        "history_start": capacity_plan.forecast_origin(as_of) - timedelta(days=capacity_plan.FORECAST_HISTORY_DAYS),
        "until": capacity_plan.floor_hour(as_of), "queue_ids": sorted(queue_ids)})]


def automation(as_of: datetime, filters: Filters) -> list[QueryCall]:
    """Automation & routing: the figures of the period's cases (their paths, stage times, breaches,
    classifier scores; aggregated in SQL, so the rows do not grow with the range), the case-time per
    day and stage, the classifiers' flags with human and QA decisions over the period and the weeks
    before it (for drift and trends), the categories' human violating decisions (recall) and the
    evidence per category and source for automation candidates (watchfloor.automation)."""
    period = filters.period_params()
    scope = filters.sql_params()
    history = {"history_start": automation_figures.history_start(period["period_start"]),
               "period_end": period["period_end"], "as_of": as_of, **scope}
    return [
        QueryCall("figures", "routing_figures", {"as_of": as_of, **period, **scope}),
        QueryCall("stage_hours", "routing_stage_hours", {"as_of": as_of, **period, **scope}),
        QueryCall("classifier", "automation_classifier", history),
        QueryCall("category_decisions", "automation_category_decisions", history),
        QueryCall("candidates", "automation_candidates", {"as_of": as_of, **period, **scope}),
    ]


def automation_cases(as_of: datetime, filters: Filters) -> list[QueryCall]:
    """Automation & routing's cases one by one (routing_cases), read only to list the cases behind
    one band of the routing flow."""
    return [QueryCall("cases", "routing_cases", {"as_of": as_of, **filters.period_params(), **filters.sql_params()})]


PAGE_PLANS: dict[str, Callable[[datetime, Filters], list[QueryCall]]] = {
    "shell": shell,
    "home": home,
    "queue_health": queue_health,
    "queue_history": queue_history_benchmark,
    "sla": sla,
    "trends": trends,
    "vendors": vendors,
    "quality": quality,
    "incidents": incidents,
    "executive": executive,
    "case": case_benchmark,
    "capacity": capacity,
    "automation": automation,
}


def start(plan: list[QueryCall], warehouse: str | None = None, session: Any = None, ttl: float | None = None,
          refresh: bool = False) -> dict[str, queries.Pending]:
    """Ask for every query of a plan at once (cached, joined to a run in flight, or queued on the
    query workers under `session`); the page waits for them with `Pending.result()`."""
    return {call.key: queries.start(call.name, warehouse, ttl, session, refresh, **call.params) for call in plan}


def fetch(plan: list[QueryCall], warehouse: str | None = None, session: Any = None) -> dict[str, pl.DataFrame]:
    """Run every query of a plan (cached) and return the frames by key; the first error is raised."""
    pending = start(plan, warehouse, session)
    return {key: p.result() for key, p in pending.items()}
