"""The watched series through the warehouse: the named queries (watched_series, the spike record's,
trends_spike_cases with a scope), the filters, and the Trends page and
Home (AppTest) showing a spike confined to one surface in one region.

The warehouse holds exactly the counts of test_watched_spikes.py, one case per row: impersonation
on chat and image_gen in AMER, APAC and EMEA, 10 cases per cell and hour for the 29 days before
2026-11-18 12:00, and 25 more an hour on image_gen x APAC at 06:00-08:00 on 11-18 (worked out
there: one alert, 'Impersonation · Image gen · APAC', 105 cases against 30 expected, found only
on the narrow series).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import polars as pl
import pytest

import queries
from queries import plans
from tests.app.conftest import app_for, errors, shown
from tests.conftest import pin_warehouse
from tests.unit import test_watched_spikes as hand
from watchfloor import summaries
from watchfloor import trends as tr
from watchfloor.filters import Filters
from watchfloor.home_figures import rising_categories
from watchfloor.warehouse import create_schema

RANGE = Filters(start=date(2026, 11, 16), end=date(2026, 11, 18))
WITHOUT_APAC = Filters(start=date(2026, 11, 16), end=date(2026, 11, 18), regions=("AMER", "EMEA"))
NO_SCOPE = {"regions": [], "verticals": [], "priorities": [], "vendors": []}
PERIOD_START, PERIOD_END = datetime(2026, 11, 16), datetime(2026, 11, 19)


def build(path) -> str:
    path = str(path)
    cases = (
        hand.cells(hand.NARROW)
        .with_columns(pl.int_ranges(0, pl.col("cases")).alias("i"))
        .explode("i")
        .with_row_index("n")
        .select(
            pl.format("C-{}", pl.col("n")).alias("case_id"),
            (pl.col("bucket") + pl.duration(minutes=pl.col("i"))).alias("created_at"),
            pl.lit("user_report").alias("source"), "surface", "category", pl.lit("P2").alias("priority"),
            "region", pl.lit("en").alias("language"), pl.format("q_{}", pl.col("region")).alias("queue_id"),
            pl.lit("resolved").alias("status"),
            (pl.col("bucket") + pl.duration(minutes=pl.col("i") + 10)).alias("first_action_at"),
            (pl.col("bucket") + pl.duration(minutes=pl.col("i") + 60)).alias("resolved_at"),
            pl.lit("non_violating").alias("decision"),
            (pl.col("bucket") + pl.duration(minutes=pl.col("i") + 60)).alias("updated_at"),
            pl.format("acct_{}", pl.col("n") % 500).alias("account_id"),
        )
    )
    con = duckdb.connect(path)
    try:
        create_schema(con)
        con.execute("INSERT INTO sla_policies (sla_policy_id, priority, first_action_target_min, resolution_target_min, "
                    "calendar, pause_on_pending, name) VALUES ('p2', 'P2', 480, 4320, '24x7', true, 'P2')").fetchall()
        con.executemany("INSERT INTO queues (queue_id, name, vertical, region, tier, sla_policy_id, timezone) "
                        "VALUES (?, ?, 'impersonation', ?, 'L1', 'p2', 'UTC')",
                        [(f"q_{r}", f"L1 impersonation {r}", r) for r in hand.REGIONS])
        con.register("generated", cases.to_arrow())
        con.execute("INSERT INTO cases BY NAME SELECT * FROM generated").fetchall()
        summaries.refresh(con)  # the pages read the summaries, as after a seed or a load
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> str:
    return build(tmp_path_factory.mktemp("watched") / "watched.duckdb")


@pytest.fixture
def env(monkeypatch, warehouse):
    return pin_warehouse(monkeypatch, warehouse, hand.AS_OF)


def with_makeup(frame: pl.DataFrame) -> pl.DataFrame:
    """The hand counts with what the queries add, worked out from how build() writes the cases:
    the i-th case of a cell-hour is created at minute i, so ten-minute slot k holds
    min(max(cases - 10 k, 0), 10); account ids repeat only every 500 cases, so no account has
    two cases in a cell-hour (top_account 1)."""
    return frame.with_columns(
        pl.lit(1, pl.Int64).alias("top_account"),
        *[pl.min_horizontal(pl.max_horizontal(pl.col("cases") - 10 * k, pl.lit(0)), pl.lit(10)).cast(pl.Int64)
          .alias(f"slot_{k}") for k in range(6)],
    )


def watched_cells(**scope) -> pl.DataFrame:
    call = plans.watched(hand.AS_OF)
    return queries.run(call.name, **{**call.params, **scope})


def test_watched_series_query_gives_the_hand_counts(env):
    cells = watched_cells()
    expected = hand.cells(hand.NARROW)
    # 2 surfaces x 3 regions x 696 hours, every case from 10-20 12:00 (after the record's start, nine weeks back)
    assert cells.height == expected.height == 6 * 29 * 24
    assert set(cells.rows()) == set(with_makeup(expected).rows())
    apac_narrow = cells.filter((pl.col("surface") == "image_gen") & (pl.col("region") == "APAC")
                               & (pl.col("bucket") == hand.at(6)))
    assert apac_narrow.select("cases", "top_account", *[f"slot_{k}" for k in range(6)]).rows() == [
        (35, 1, 10, 10, 10, 5, 0, 0)]
    without_apac = watched_cells(regions=["AMER", "EMEA"])
    assert set(without_apac["region"].unique()) == {"AMER", "EMEA"}
    assert without_apac.height == 4 * 29 * 24


def test_the_page_plan_fetches_the_watched_series(env):
    plan = {c.key: c for c in plans.trends(hand.AS_OF, RANGE)}
    assert plan["watched"].name == "watched_series"
    # the record's window: nine weeks before now snapped to the hour, whatever the period
    assert plan["watched"].params["history_start"] == datetime(2026, 11, 18, 12) - timedelta(weeks=9)
    assert plan["watched"].params["until"] == datetime(2026, 11, 18, 12)
    assert plans.trends(hand.AS_OF, Filters(start=date(2026, 9, 1), end=date(2026, 11, 18)))[1] == plan["watched"]
    data = plans.fetch(plans.trends(hand.AS_OF, RANGE))
    view = watched_view(data["watched"])
    # its busiest twenty minutes hold 20 - 2 x 10/6 = 16.7 beyond their share, far under half of
    # its 75 extra cases: a spike, not a batch
    assert view.alerts.select("label", "observed", "expected", "kind").rows() == [
        ("Impersonation · Image gen · APAC", 105.0, pytest.approx(30.0), "spike")]
    assert view.alerts["burst_cases"].to_list() == [0.0]
    filtered = plans.fetch(plans.trends(hand.AS_OF, WITHOUT_APAC))
    assert watched_view(filtered["watched"]).alerts.height == 0


def test_home_query_and_rising_categories(env):
    hourly = plans.fetch(plans.home(hand.AS_OF, RANGE))["watched"]
    assert set(hourly.rows()) == set(with_makeup(hand.cells(hand.NARROW)).rows())
    rising = rising_categories(plans.spike_record(hourly, hand.AS_OF), hourly, hand.AS_OF)
    assert rising.select("surface", "region", "cases", "last_24h", "week_before").rows() == [
        ("image_gen", "APAC", 105.0, 315, 240)]
    emea = watched_cells(regions=["EMEA"])
    assert rising_categories(plans.spike_record(emea, hand.AS_OF), emea, hand.AS_OF).height == 0


def watched_view(cells: pl.DataFrame) -> tr.WatchedView:
    return tr.watched_view(plans.spike_record(cells, hand.AS_OF), cells["category"].unique().to_list(),
                           PERIOD_START, PERIOD_END)


def spike_cases(surface, region, start=hand.at(6), end=hand.at(9), **scope) -> pl.DataFrame:
    call = plans.trends_spike_cases(Filters(start=date(2026, 11, 16), end=date(2026, 11, 18), **scope), "category",
                                    hand.CATEGORY, start, end, surface=surface, region=region)[0]
    return queries.run(call.name, **call.params)


def test_the_cases_behind_a_narrow_spike(env):
    # image_gen x APAC, 06:00-09:00: 3 x 35 = 105 cases, all shown (limit 200)
    narrow = spike_cases("image_gen", "APAC")
    assert narrow["total"][0] == 105 and narrow.height == 105
    assert set(narrow["surface"]) == {"image_gen"} and set(narrow["region"]) == {"APAC"}
    assert narrow["created_at"].max() == hand.at(8) + timedelta(minutes=34)  # newest first
    assert narrow["created_at"][0] == narrow["created_at"].max()
    # the surface alone: 3 x (35 + 10 + 10) = 165; the region alone: 3 x (35 + 10) = 135
    assert spike_cases("image_gen", None)["total"][0] == 165
    assert spike_cases(None, "APAC")["total"][0] == 135
    # the whole category: 3 x 85 = 255, 200 shown
    whole = spike_cases(None, None)
    assert (whole["total"][0], whole.height) == (255, 200)
    # the sidebar's region filter still applies, and a scope value is only ever compared
    assert spike_cases("image_gen", "APAC", regions=("EMEA",)).height == 0
    assert spike_cases("x' OR '1'='1", None).height == 0


# --------------------------------------------------------------------------- the pages (AppTest)


def run_page(page: str, role: str, filters: Filters | None = None):
    at = app_for(page, role=role)
    if filters is not None:
        at.session_state["filters"] = filters
    return at.run()


def spike_table(at) -> pl.DataFrame:
    return next(df.value for df in at.dataframe if "Spike in" in df.value.columns)


def test_trends_page_shows_the_narrow_spike(env):
    at = run_page("app_pages/trends.py", "analyst", RANGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Spikes in period"] == "1"
    assert metrics["Top spike"] == "3.5×"  # 105 / 30
    table = spike_table(at)
    assert list(table["Spike in"]) == ["Impersonation · Image gen · APAC"]
    assert list(table["Cases"]) == [105]
    assert list(table["Severity"]) == ["High"] and list(table["State"]) == ["Recent"]
    assert "1 spike," in " ".join(c.value for c in at.caption)


def test_trends_page_without_the_region(env):
    at = run_page("app_pages/trends.py", "analyst", WITHOUT_APAC)
    assert not at.exception, [e.value for e in at.exception]
    assert {m.label: m.value for m in at.metric}["Spikes in period"] == "0"
    assert "No spike in this period" in " ".join(i.value for i in at.info)


def test_trends_page_by_region_lists_both_kinds(env):
    """By region, the region series' own spike (APAC: 45 against 20, found with the defaults, see
    test_watched_spikes) is listed beside the watched alert; both carry 3 x 25 = 75 excess cases.
    APAC's: 135 cases over its three hours; the alert's: 105."""
    at = app_for("app_pages/trends.py", role="analyst")
    at.session_state["filters"] = RANGE
    at.session_state["trends_dimension"] = "region"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = spike_table(at)
    assert sorted(zip(table["Spike in"], table["Cases"])) == [
        ("Impersonation · Image gen · APAC", 105), ("Region: APAC", 135)]
    assert {m.label: m.value for m in at.metric}["Spikes in period"] == "2"


def test_home_shows_the_narrow_spike_with_its_scope(env):
    at = run_page("app_pages/home.py", "ops_lead")
    assert not at.exception, [e.value for e in at.exception]
    # Two lines a spike (a table scrolled sideways at 800 px), with the spike record's figures
    # written as every page writes them (tests/unit/test_spike_record.py).
    rising = [shown(m.value) for m in at.markdown if "Impersonation" in m.value]
    assert rising == ["**Impersonation · Image gen · APAC** · High · **3.5×** expected · **75** extra cases  \n"
                      ":gray[11-18 06:00 – 11-18 09:00 (UTC) · last 24 h 315 vs 240]"]
    assert not [df for df in at.dataframe if "Spike in" in df.value.columns]
    at = app_for("app_pages/home.py", role="ops_lead")
    at.session_state["filter_regions"] = ["AMER", "EMEA"]
    at.run()
    assert not at.exception
    assert "No category spiked in the last 24 hours" in " ".join(i.value for i in at.info)


def zoned(username: str, role: str, zone: str):
    """An AppTest user whose display time zone is `zone` (kept in the users file)."""
    from tests.app.conftest import signed_in_user
    from watchfloor import auth
    from watchfloor.config import load_settings

    signed_in_user(username, role)
    auth.set_time_zone(load_settings().users_file, username, zone)


def test_executive_lists_its_top_spike_in_two_readable_lines(env):
    """The Executive summary's Top spikes: each spike in two lines (its narrow column cut a table's
    "From – to" at 1440 px), the record's figures as every page writes them, times in the reader's
    zone with the zone named. Berlin is UTC+1 on 18 November: 06:00-09:00 UTC reads 07:00-10:00."""
    at = app_for("app_pages/executive.py", role="executive").run()
    assert not at.exception, [e.value for e in at.exception]
    lines = [m.value for m in at.markdown if "Impersonation" in m.value]
    assert len(lines) == 1
    first, second = lines[0].split("  \n")
    assert first == "**Impersonation · Image gen · APAC** · High · **3.5×** expected · **75** extra cases"
    assert second == ":gray[11-18 06:00 – 11-18 09:00 (UTC) · peak 11-18 06:00 (35 vs 10)]"
    assert not [df for df in at.dataframe if "From – to (UTC)" in df.value.columns]  # no table to cut
    zoned("exec_berlin", "executive", "Europe/Berlin")
    at = app_for("app_pages/executive.py", role="executive", username="exec_berlin").run()
    assert not at.exception, [e.value for e in at.exception]
    line = next(m.value for m in at.markdown if "Impersonation" in m.value)
    assert line.split("  \n")[0] == first  # the same figures
    assert shown(line.split("  \n")[1]) == ":gray[11-18 07:00 – 11-18 10:00 (Europe/Berlin) · peak 11-18 07:00 (35 vs 10)]"


def test_home_and_trends_show_the_spike_in_the_readers_zone(env):
    """New York is UTC-5 on 18 November: the spike of 06:00-09:00 UTC reads 01:00-04:00 there, the
    figures stay the record's, and the tables and captions name the zone."""
    zoned("ops_ny", "ops_lead", "America/New_York")
    at = app_for("app_pages/home.py", role="ops_lead", username="ops_ny").run()
    assert not at.exception, [e.value for e in at.exception]
    rising = [shown(m.value) for m in at.markdown if "Impersonation" in m.value]
    assert rising == ["**Impersonation · Image gen · APAC** · High · **3.5×** expected · **75** extra cases  \n"
                      ":gray[11-18 01:00 – 11-18 04:00 (America/New_York) · last 24 h 315 vs 240]"]
    assert any(" EST against the same 24 hours" in c.value for c in at.caption)
    at = app_for("app_pages/trends.py", role="ops_lead", username="ops_ny")
    at.session_state["filters"] = RANGE
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = spike_table(at)
    assert list(table["Onset (America/New_York)"]) == [datetime(2026, 11, 18, 1)]
    assert list(table["Until"]) == [datetime(2026, 11, 18, 4)] and list(table["Cases"]) == [105]
