"""One figure, one value: on a pinned simulated warehouse at a pinned moment, every figure that
appears on more than one page has the same value on each, and totals equal the sum of their parts.

Each page's figures are taken the way the page takes them: its plan (queries/plans.py) and the
functions it calls on the frames. tests/app/test_consistency_pages.py does the same through the
pages' renders.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest

import queries
from queries import plans
from watchfloor import executive as ex
from watchfloor import home_figures, metrics, sla_figures, spike_record
from watchfloor import incidents as inc
from watchfloor import queue_health as qh
from watchfloor import trends as tr
from watchfloor import vendors as v
from watchfloor.filters import Filters
from watchfloor.simulator import writer
from watchfloor.simulator.config import SimConfig

END = datetime(2026, 11, 18, 12, 0)
AS_OF = END - timedelta(hours=3, minutes=17)  # a moment inside the data, not on an hour
WEEK = Filters(start=date(2026, 11, 12), end=AS_OF.date())  # the date range ends today: [11-12, now)
SCOPES = {
    "all": {},
    "one region": {"regions": ("EMEA",)},
    "one vendor": {"vendors": ("cobalt",)},
    "one priority": {"priorities": ("P1",)},
}
# Queue health applies the region and priority filters to the queue (its region, its policy's
# priority), the other pages to the case (docs/metrics.md, "Queue health"): under those two
# filters its totals are compared with nothing.
QUEUE_HEALTH_COMPARABLE = ("all", "one vendor")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("consistency") / "sim.duckdb"
    # With the demo's showcase spike: a SEV0/SEV1 incident still open at the end, in the last days.
    writer.seed(str(path), SimConfig(days=21, cases_per_day=4000, seed=5, end=END, showcase_spike=True),
                   progress=False, demo=True)
    return str(path)


@pytest.fixture(scope="module")
def busy_warehouse(tmp_path_factory) -> str:
    """The same world without the demo's showcase: late cases spread over many queues, so the worst
    queues fill Home's table."""
    path = tmp_path_factory.mktemp("consistency_busy") / "sim.duckdb"
    writer.seed(str(path), SimConfig(days=21, cases_per_day=4000, seed=5, end=END), progress=False)
    return str(path)


def fetch(plan, warehouse):
    queries.clear_cache()
    return plans.fetch(plan, warehouse=warehouse)


def home_page_figures(warehouse, filters):
    data = fetch(plans.home(AS_OF, filters), warehouse)
    health = home_figures.summarise_day(data["flow"], data["sla"], data["sla_week_before"], data["incidents"],
                                        data["backlog"], data["now"])  # as Home works it out
    return health, data


def sla_page_figures(warehouse, filters):
    data = fetch(plans.sla(AS_OF, filters), warehouse)
    period = filters.period_params()
    return sla_figures.sla_figures(data["clocks"], AS_OF, period["period_start"], period["period_end"],
                           sla_figures.hourly_buckets(filters.start, filters.end))


def queue_table(warehouse, filters, by="queue"):
    data = fetch(plans.queue_health(AS_OF, filters), warehouse)
    return qh.health_table(data["queue_flow"], data["open_cases"], data["vendor_flow"], by)


@pytest.mark.parametrize("scope", list(SCOPES))
def test_now_figures_agree_on_home_sla_and_queue_health(warehouse, scope):
    filters = Filters(start=WEEK.start, end=WEEK.end, **SCOPES[scope])
    health, home = home_page_figures(warehouse, filters)
    now = sla_page_figures(warehouse, filters)["now"]
    table = queue_table(warehouse, filters)

    # Backlog: Home's tile is the sum of its bars, and Queue health's rows add up to it, whatever the grouping.
    assert health.backlog.current == sum(health.backlog_by_state.values()) == int(home["backlog"]["cases"].sum())
    assert health.backlog.current > 0
    # Breached and at risk now: open cases, a case once; per clock on Home and SLA alike.
    assert health.breached_now["any"] == now.breached_cases
    assert health.at_risk_now["any"] == now.at_risk_cases
    for clock in metrics.CLOCKS:
        assert health.breached_now[clock] == now.breached[clock]
        assert health.at_risk_now[clock] == now.at_risk[clock]
    if scope == "all":
        assert now.breached_cases > 0 and sum(now.warning.values()) > 0  # the comparison means something
    if scope not in QUEUE_HEALTH_COMPARABLE:
        return
    for by in ("queue", "vertical", "tier", "vendor"):
        assert queue_table(warehouse, filters, by)["backlog"].sum() == health.backlog.current, by
    assert table.select(*qh.STATES).sum_horizontal().sum() == health.backlog.current  # states add up too
    assert table["breached"].sum() == now.breached_cases
    assert table["at_risk"].sum() == now.at_risk_cases


def test_home_attainment_is_the_sla_pages_over_the_same_24_hours(warehouse):
    """Home's last 24 h and the SLA page's clocks for [now − 24 h, now): one figure. (The SLA page
    counts met clocks per hour bucket, so the window starts on an hour here, as its days do.)"""
    as_of = AS_OF.replace(minute=0)
    data = fetch(plans.home(as_of, WEEK), warehouse)
    health = home_figures.summarise_day(data["flow"], data["sla"], data["sla_week_before"], data["incidents"],
                                        data["backlog"], data["now"])  # as Home works it out
    params = {"as_of": as_of, "period_start": as_of - timedelta(hours=24), "period_end": as_of,
              "hourly": True, "row_limit": sla_figures.NEXT_TO_BREACH_LIMIT, **WEEK.sql_params()}
    queries.clear_cache()
    clocks = queries.run("sla_period_clocks", warehouse=warehouse, **params)
    attainment = sla_figures.attainment(clocks, as_of, params["period_start"], as_of, True)
    assert health.first_action_attainment.current == sla_figures.overall_attainment(attainment, sla_figures.FIRST_ACTION).share
    assert health.resolution_attainment.current == sla_figures.overall_attainment(attainment, sla_figures.RESOLUTION).share
    assert health.first_action_attainment.current is not None


def test_executive_attainment_is_the_sla_pages_over_the_same_days(warehouse):
    """The Executive summary's custom period of the SLA page's date range (cut at now, as the SLA
    page's is): the same attainment on both clocks."""
    sla = sla_page_figures(warehouse, WEEK)
    period = ex.custom_period(WEEK.start, WEEK.end, AS_OF)
    data = fetch(plans.executive(AS_OF, WEEK, period), warehouse)
    for clock in (sla_figures.FIRST_ACTION, sla_figures.RESOLUTION):
        page = sla_figures.overall_attainment(sla["attainment"], clock)
        assert ex.attainment(data["sla"], ex.CURRENT, clock) == page.share
        assert page.met + page.breached > 0
    figures = {f.key: f for f in ex.headline(data["cases"], data["sla"], data["escalations"], data["incidents"],
                                             data["appeals"])}
    assert figures["sla_attainment"].change.current == sla_figures.overall_attainment(sla["attainment"], sla_figures.FIRST_ACTION).share


def test_sla_totals_are_the_sum_of_their_parts(warehouse):
    sla = sla_page_figures(warehouse, WEEK)
    att = sla["attainment"]
    for clock in (sla_figures.FIRST_ACTION, sla_figures.RESOLUTION):
        overall = sla_figures.overall_attainment(att, clock)
        whole = att.filter(pl.col("bucket").is_null() & (pl.col("clock") == clock))
        for dimension in ("queue", "priority", "vendor", "region"):
            parts = whole.filter(pl.col("dimension") == dimension)
            assert (parts["met"].sum(), parts["breached"].sum()) == (overall.met, overall.breached), dimension
        buckets = att.filter(pl.col("bucket").is_not_null() & (pl.col("dimension") == "all") & (pl.col("clock") == clock))
        assert (buckets["met"].sum(), buckets["breached"].sum()) == (overall.met, overall.breached)
        # the breach list's count is the tile's breached count
        assert sla["breaches"].filter(pl.col("clock") == clock)["clock_breaches"].max() == overall.breached


def test_vendor_sla_is_the_sla_pages_vendor_breakdown(warehouse):
    """Vendor SLA adherence, both clocks, equals the SLA page's attainment by vendor; the units
    (region, site, week) add up to the vendor."""
    sla = sla_page_figures(warehouse, WEEK)
    data = fetch(plans.vendors(AS_OF, WEEK), warehouse)
    cards = v.vendor_figures(data["work"], data["quality"], data["outcomes"], data["contracts"], data["sla"])
    by_vendor = sla["attainment"].filter(pl.col("bucket").is_null() & (pl.col("dimension") == "vendor")
                                         & pl.col("value").is_not_null())  # cases no vendor holds are not a vendor's
    checked = 0
    for row in cards["vendor"].iter_rows(named=True):
        for clock, key in ((sla_figures.FIRST_ACTION, "first_action_sla"), (sla_figures.RESOLUTION, "sla_adherence")):
            part = by_vendor.filter((pl.col("clock") == clock) & (pl.col("value") == row["vendor_id"]))
            expected = metrics.attainment(part["met"].sum(), part["breached"].sum())
            assert row[key] == pytest.approx(expected), (row["vendor_id"], clock)
            checked += expected is not None
    assert checked >= 6
    # A vendor missing first-action targets shows it even with every resolution clock met.
    assert any(r["first_action_sla"] < r["sla_adherence"] for r in cards["vendor"].iter_rows(named=True))
    for level in ("region", "site", "week"):
        for clock in metrics.CLOCKS:
            met, breached = f"{clock}_met", f"{clock}_breached"
            assert data["sla"][met].sum() == by_vendor.filter(pl.col("clock") == clock)["met"].sum()
            assert data["sla"][breached].sum() == by_vendor.filter(pl.col("clock") == clock)["breached"].sum()
        assert cards[level].height >= cards["vendor"].height


def test_incident_times_and_counts_agree_on_incidents_and_executive(warehouse):
    """The SEV0 + SEV1 incidents that started in the Executive period are the ones the Incidents page
    lists for the same days with those severities, with the same response times."""
    period = ex.custom_period(date(2026, 10, 29), WEEK.end, AS_OF)
    executive = fetch(plans.executive(AS_OF, WEEK, period), warehouse)
    severe = ex.severe_incidents(executive["incidents"], ex.CURRENT)
    listed = fetch(plans.incidents(AS_OF, Filters(start=date(2026, 10, 29), end=WEEK.end)), warehouse)["incidents"]
    started = inc.filter_list(listed, ["SEV0", "SEV1"]).filter(
        (pl.col("started_at") >= period.start) & (pl.col("started_at") < period.end))
    assert sorted(severe["incident_id"].to_list()) == sorted(started["incident_id"].to_list())
    # Response medians keep the milestones' order for every severity (one set of incidents per row).
    for r in inc.response_summary(listed).iter_rows(named=True):
        if r["time_to_resolve_s"] is not None:
            assert r["time_to_mitigate_s"] <= r["time_to_resolve_s"]
            assert r["time_to_detect_s"] <= r["time_to_mitigate_s"]


@pytest.mark.parametrize("scope", QUEUE_HEALTH_COMPARABLE)
def test_homes_worst_queues_are_queue_healths_and_the_sla_pages_figures(busy_warehouse, scope):
    """The queues Home names, with their breached, at-risk, backlog and oldest-age figures, are the
    rows of Queue health's per-queue table at the same moment, the SLA page's running clocks of the
    queue count the same breached and at-risk cases, and the queue's history ends on the same
    backlog and oldest age."""
    filters = Filters(start=WEEK.start, end=WEEK.end, **SCOPES[scope])
    _, home = home_page_figures(busy_warehouse, filters)
    home_rows = qh.health_table(home["queue_flow"], home["open_cases"], None, "queue")
    by_sla, by_age = qh.worst_by_sla(home_rows), qh.worst_by_age(home_rows)
    assert by_age.height == qh.WORST_QUEUES
    if scope == "all":  # one vendor's open cases may have nothing late: then no queue is named, as here
        assert by_sla.height == qh.WORST_QUEUES
    page = queue_table(busy_warehouse, filters)
    rows = {r["group"]: r for r in page.iter_rows(named=True)}
    for r in by_sla.iter_rows(named=True):
        assert (r["breached"], r["at_risk"], r["backlog"]) == (
            rows[r["group"]]["breached"], rows[r["group"]]["at_risk"], rows[r["group"]]["backlog"])
    for r in by_age.iter_rows(named=True):
        assert r["oldest_age_seconds"] == rows[r["group"]]["oldest_age_seconds"]
    # Worst first: no queue left out is worse than the last one named.
    others = page.filter(~pl.col("group").is_in(by_sla["group"].to_list()))
    if by_sla.height == qh.WORST_QUEUES:
        assert others["breached"].max() <= by_sla["breached"].min()
    else:  # fewer named: no other queue has a case past or near a target
        assert (others["breached"] + others["at_risk"]).sum() == 0
    aged = page.filter(pl.col("oldest_age_seconds").is_not_null()).with_columns(
        (pl.col("oldest_age_seconds") / (pl.col("resolution_target_min") * 60)).alias("share"))
    assert by_age["age_of_target"].to_list() == aged["share"].sort(descending=True).head(qh.WORST_QUEUES).to_list()

    data = fetch(plans.sla(AS_OF, filters), busy_warehouse)
    for r in by_sla.iter_rows(named=True):
        now = sla_figures.now_counts(data["clocks"].filter(pl.col("queue_id") == r["group"]))
        assert (now.breached_cases, now.at_risk_cases) == (r["breached"], r["at_risk"]), r["group"]

    top = by_age.row(0, named=True)
    queries.clear_cache()
    history = plans.fetch(plans.queue_history(AS_OF, filters, top["group"], 14), warehouse=busy_warehouse)["history"]
    figures = qh.history_figures(history, qh.history_window(AS_OF, 14))
    assert figures["backlog_end"][-1] == rows[top["group"]]["backlog"]
    assert figures["oldest_age_hours"][-1] == pytest.approx(top["oldest_age_seconds"] / 3600)
    assert (figures["backlog_start"] + figures["inflow"] - figures["outflow"] == figures["backlog_end"]).all()


SPIKE_FIGURES = ("onset", "end", "until", "peak", "multiplier", "excess", "severity", "label")
SPIKE_TEXTS = tuple(spike_record.TEXT_COLUMNS)


def test_the_showcase_spike_is_one_record_on_every_page(warehouse):
    """The showcase spike (the demo's open SEV0/SEV1 incident and the spike behind it) has the same
    onset, end, peak, multiplier and excess cases on Trends, Incidents, Home and the Executive
    summary (a week and a quarter), each page fetching through its own plan and reading the spike
    record of its own frame; and those are the record's, built straight from the named query."""
    listed = fetch(plans.incidents(AS_OF, WEEK), warehouse)
    showcase = listed["incidents"].filter(pl.col("sim_spike_multiplier").is_not_null()
                                          & pl.col("resolved_at").is_null()
                                          & pl.col("severity").is_in(["SEV0", "SEV1"])).sort("started_at").row(-1, named=True)
    incident_spike = inc.detected_spike(plans.spike_record(listed["watched"], AS_OF), showcase, AS_OF)
    assert incident_spike is not None and incident_spike["kind"] == "spike"

    # The record itself, from the named query run on its own and the record's build.
    call = plans.watched(AS_OF)
    queries.clear_cache()
    record = spike_record.build(queries.run(call.name, warehouse=warehouse, **call.params), spike_record.hour_of(AS_OF))
    truth = record.spikes.filter(pl.col("spike_id") == incident_spike["spike_id"]).row(0, named=True)
    assert truth["category"] == showcase["category"]
    assert truth["multiplier"] > 2 and truth["excess"] > 100  # the showcase stands out

    seen = {"incidents": incident_spike}
    trends = fetch(plans.trends(AS_OF, WEEK), warehouse)
    period = WEEK.period_params()
    view = tr.spike_view(trends["series"], "category", period["period_start"], period["period_end"], AS_OF, True)
    watched = tr.watched_view(plans.spike_record(trends["watched"], AS_OF), trends["watched"]["category"].unique().to_list(),
                              period["period_start"], period["period_end"])
    rows = tr.spike_list(view, watched, "category").filter((pl.col("onset") == truth["onset"])
                                                          & (pl.col("category") == truth["category"]))
    seen["trends"] = rows.rename({"ratio": "multiplier"}).row(0, named=True)
    home = fetch(plans.home(AS_OF, WEEK), warehouse)
    rising = home_figures.rising_categories(plans.spike_record(home["watched"], AS_OF), home["watched"], AS_OF)
    seen["home"] = spike_record.texts(rising.filter(pl.col("spike_id") == truth["spike_id"])).row(0, named=True)
    for kind in (ex.WEEK, ex.QUARTER):
        chosen = ex.period_for(kind, AS_OF)
        data = fetch(plans.executive(AS_OF, WEEK, chosen), warehouse)
        top = ex.top_spikes(plans.spike_record(data["watched"], AS_OF), chosen)
        seen[f"executive {kind}"] = top.filter(pl.col("spike_id") == truth["spike_id"]).row(0, named=True)
    for page, spike in seen.items():
        assert {k: spike[k] for k in SPIKE_FIGURES} == {k: truth[k] for k in SPIKE_FIGURES}, page
    # Written the same where the pages write them.
    shown = spike_record.texts(record.spikes.filter(pl.col("spike_id") == truth["spike_id"])).row(0, named=True)
    for page in ("home", "executive week", "executive quarter"):
        assert {k: seen[page][k] for k in SPIKE_TEXTS} == {k: shown[k] for k in SPIKE_TEXTS}, page


def trends_breakdown_rows(warehouse, filters, dimension, hourly):
    """Trends' spike list for a breakdown, taken as the page takes it, keeping the breakdown's own rows."""
    data = fetch(plans.trends(AS_OF, filters, dimension=dimension, hourly=hourly), warehouse)
    period = filters.period_params()
    record = plans.spike_record(data["watched"], AS_OF)
    watched = tr.watched_view(record, data["watched"]["category"].unique().to_list(),
                              period["period_start"], period["period_end"])
    breakdown = tr.in_period(tr.breakdown_record(data["breakdown"], dimension, spike_record.hour_of(AS_OF)),
                             period["period_start"], period["period_end"])
    return tr.spike_list(breakdown, watched, dimension).filter(pl.col("source") == "breakdown"), record


BREAKDOWN_FIGURES = ("onset", "end", "until", "peak", "ratio", "excess", "severity", "label", "state")


@pytest.mark.parametrize("dimension", ["surface", "region", "language", "source"])
def test_breakdown_spikes_are_judged_on_the_spike_records_window(warehouse, dimension):
    """Trends' breakdown spikes (by surface, region, language, source) are judged on the spike
    record's window and grid, not the period's: a spike listed for a week reads the same when the
    page shows three days or the whole three weeks, hourly or daily; and the rows are those of the
    detector run straight on the named query over the record's window."""
    window = spike_record.query_params(AS_OF)
    call = next(c for c in plans.trends(AS_OF, WEEK, dimension=dimension) if c.key == "breakdown")
    watched_call = plans.watched(AS_OF, WEEK)
    assert (call.params["history_start"], call.params["period_end"]) == (window["history_start"], window["until"])
    assert (watched_call.params["history_start"], watched_call.params["until"]) == (window["history_start"], window["until"])
    assert call.params["hourly"] is True

    week, record = trends_breakdown_rows(warehouse, WEEK, dimension, hourly=True)
    days3 = Filters(start=AS_OF.date() - timedelta(days=2), end=AS_OF.date())
    whole = Filters(start=date(2026, 10, 28), end=AS_OF.date())
    short, _ = trends_breakdown_rows(warehouse, days3, dimension, hourly=True)
    long, _ = trends_breakdown_rows(warehouse, whole, dimension, hourly=False)
    by_onset = lambda frame: {(r["key"], r["onset"]): {k: r[k] for k in BREAKDOWN_FIGURES}  # noqa: E731
                              for r in frame.iter_rows(named=True)}
    week_rows, short_rows, long_rows = by_onset(week), by_onset(short), by_onset(long)
    assert week_rows, "the week has breakdown spikes to compare"
    assert set(short_rows) <= set(week_rows) <= set(long_rows)
    for key, figures in week_rows.items():
        assert long_rows[key] == figures, key
        if key in short_rows:
            assert short_rows[key] == figures, key
    # Every listed spike lies within the record's judged hours, and the detector run by hand on the
    # named query over the record's window finds the same.
    assert all(record.first <= onset and until <= record.last + spike_record.STEP
               for onset, until in week.select("onset", "until").iter_rows())
    queries.clear_cache()
    direct = queries.run("trends_series", warehouse=warehouse, history_start=window["history_start"],
                         period_end=window["until"], hourly=True, dimension=dimension, **WEEK.sql_params())
    period = WEEK.period_params()
    by_hand = tr.in_period(tr.breakdown_record(direct, dimension, spike_record.hour_of(AS_OF)),
                           period["period_start"], period["period_end"]).episodes
    assert sorted((r["key"], r["onset"], r["excess"]) for r in by_hand.iter_rows(named=True)) == \
        sorted((k[0], k[1], v["excess"]) for k, v in week_rows.items())
