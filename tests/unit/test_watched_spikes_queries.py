"""The watched series through the warehouse: the named queries (watched_series, the spike record's,
trends_spike_cases with a scope) and the filters, on a spike confined to one surface in one region
(the pages showing it: tests/app/test_watched_spikes_pages.py).

The warehouse holds exactly the counts of test_watched_spikes.py, one case per row: impersonation
on chat and image_gen in AMER, APAC and EMEA, 10 cases per cell and hour for the 29 days before
2026-11-18 12:00, and 25 more an hour on image_gen x APAC at 06:00-08:00 on 11-18 (worked out
there: one alert, 'Impersonation · Image gen · APAC', 105 cases against 30 expected, found only
on the narrow series).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
import pytest

import queries
from queries import plans
from tests.warehouses import watched_spikes as hand
from tests.warehouses.watched_spikes import RANGE, WITHOUT_APAC
from watchfloor import trends as tr
from watchfloor.filters import Filters
from watchfloor.home_figures import rising_categories

NO_SCOPE: dict[str, Any] = {"regions": [], "verticals": [], "priorities": [], "vendors": []}
PERIOD_START, PERIOD_END = datetime(2026, 11, 16), datetime(2026, 11, 19)


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


def test_watched_series_query_gives_the_hand_counts(watched_env):
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


def test_the_page_plan_fetches_the_watched_series(watched_env):
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


def test_home_query_and_rising_categories(watched_env):
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


SPIKE_START, SPIKE_END = hand.at(6), hand.at(9)  # the narrow spike's hours, and the hour after


def spike_cases(surface, region, start=SPIKE_START, end=SPIKE_END, **scope) -> pl.DataFrame:
    call = plans.trends_spike_cases(Filters(start=date(2026, 11, 16), end=date(2026, 11, 18), **scope), "category",
                                    hand.CATEGORY, start, end, surface=surface, region=region)[0]
    return queries.run(call.name, **call.params)


def test_the_cases_behind_a_narrow_spike(watched_env):
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
