"""The spike record is kept per contents of the warehouse, not per cache entry (queries.plans.spike_record,
queries.by_contents): the watched series fetched again from an unchanged warehouse find the record
already built, and a write that changes the window's counts gives a new one. Checked by state (how
many times the record is built), never by time.

The warehouse is test_watched_spikes_queries' (one alert on image_gen x APAC at 06:00-08:00 on
11-18: 105 cases against 30 expected). The write copies the 35 cases of 06:00 on image_gen x APAC
three hours later: 09:00 then holds 45 against 10 expected, still elevated, so the alert runs
06:00-09:00 with 150 cases against 40.
"""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest
from polars.testing import assert_frame_equal

import queries
from queries import plans, refresh
from tests import hand_warehouse
from tests.conftest import pin_warehouse
from tests.unit.test_refresh import interval  # noqa: F401 - the refresher's clock, workers and state
from tests.unit import test_watched_spikes as hand
from tests.unit.test_watched_spikes_queries import build
from watchfloor import config, spike_record, summaries
from watchfloor.filters import default_filters

COPY_SIX_TO_NINE = """
INSERT INTO cases
SELECT * REPLACE ('late-' || case_id AS case_id, created_at + INTERVAL 3 HOUR AS created_at,
                  first_action_at + INTERVAL 3 HOUR AS first_action_at,
                  resolved_at + INTERVAL 3 HOUR AS resolved_at, updated_at + INTERVAL 3 HOUR AS updated_at)
FROM cases
WHERE surface = 'image_gen' AND region = 'APAC'
  AND created_at >= TIMESTAMP '2026-11-18 06:00:00' AND created_at < TIMESTAMP '2026-11-18 07:00:00'
"""


@pytest.fixture
def builds(monkeypatch) -> list:
    """The (hour, sensitivity) of every build of the record."""
    made = []
    real = spike_record.build

    def counted(cells, hour, sensitivity="normal"):
        made.append((hour, sensitivity))
        return real(cells, hour, sensitivity)

    monkeypatch.setattr(spike_record, "build", counted)
    return made


@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> str:
    return pin_warehouse(monkeypatch, build(tmp_path / "kept.duckdb"), hand.AS_OF)


def fetched_again():
    """The watched series as a page fetches them after their cache entry has gone (expired, or
    pushed out by other results): run again, a new frame."""
    queries.cache.clear()
    return plans.fetch([plans.watched(hand.AS_OF)])["watched"]


def test_an_unchanged_warehouse_keeps_its_record_and_a_write_makes_a_new_one(warehouse, builds):
    first = fetched_again()
    record = plans.spike_record(first, hand.AS_OF)
    alert = record.spikes.row(0, named=True)
    assert (record.spikes.height, alert["label"], alert["observed"], alert["expected"]) == (
        1, "Impersonation · Image gen · APAC", 105.0, 30.0)
    assert len(builds) == 1

    again = fetched_again()
    assert again is not first
    assert_frame_equal(again, first, check_row_order=False)
    assert plans.spike_record(again, hand.AS_OF) is record
    assert plans.rising_categories(again, hand.AS_OF).height == 1
    assert len(builds) == 1
    # Another sensitivity is another record.
    plans.spike_record(again, hand.AS_OF, "high")
    assert builds == [(hand.HOUR, "normal"), (hand.HOUR, "high")]

    queries.close_all()  # the readers let go of the file while it is written
    con = duckdb.connect(warehouse)
    try:
        con.execute("SET TimeZone = 'UTC'").fetchall()
        con.execute(COPY_SIX_TO_NINE).fetchall()
        summaries.refresh(con)
    finally:
        con.close()

    after = fetched_again()
    assert after.height == first.height  # 09:00 on image_gen x APAC had cases: one cell-hour holds more
    assert after["cases"].sum() == first["cases"].sum() + 35
    changed = plans.spike_record(after, hand.AS_OF)
    assert len(builds) == 3
    alert = changed.spikes.row(0, named=True)
    assert (changed.spikes.height, alert["end"], alert["observed"], alert["expected"]) == (
        1, hand.at(9), 150.0, 40.0)
    assert plans.spike_record(fetched_again(), hand.AS_OF) is changed
    assert len(builds) == 3


def test_the_same_rows_in_another_frame_share_the_record_and_other_rows_do_not(builds):
    frame = hand.cells(hand.NARROW)
    record = plans.spike_record(frame, hand.AS_OF)
    assert plans.spike_record(frame.clone(), hand.AS_OF) is record
    assert len(builds) == 1
    fewer = frame.filter(frame["bucket"] != hand.at(7))
    plans.spike_record(fewer, hand.AS_OF)
    assert len(builds) == 2
    # The same rows at another hour are another window.
    plans.spike_record(frame, hand.AS_OF - hand.H)
    assert len(builds) == 3


def test_the_contents_key_is_the_rows_in_any_order_with_their_types():
    frame = hand.cells(hand.NARROW)
    assert queries.contents_key(frame) == queries.contents_key(frame.clone())
    assert queries.contents_key(frame) == queries.contents_key(frame.sample(fraction=1.0, shuffle=True, seed=5))
    assert queries.contents_key(frame) != queries.contents_key(frame.head(frame.height - 1))
    assert queries.contents_key(frame) != queries.contents_key(frame.with_columns(frame["cases"].cast(float)))
    bumped = frame.with_columns((frame["cases"] + (frame["bucket"] == hand.at(3)).cast(int)).alias("cases"))
    assert queries.contents_key(frame) != queries.contents_key(bumped)


def test_the_record_is_the_same_for_the_rows_in_any_order():
    """The record is kept by its rows in any order (contents_key): it must not depend on it."""
    frame = hand.cells({**hand.NARROW, ("chat", "EMEA"): (hand.at(2), 4, 30)})
    hour = spike_record.hour_of(hand.AS_OF)
    record = spike_record.build(frame, hour)
    assert record.spikes.height == 2
    for seed in (1, 2):
        shuffled = spike_record.build(frame.sample(fraction=1.0, shuffle=True, seed=seed), hour)
        assert_frame_equal(shuffled.spikes, record.spikes, check_exact=True)
        assert (shuffled.first, shuffled.last) == (record.first, record.last)


def test_the_refresher_builds_the_record_of_a_new_hour_before_a_page_asks(interval, builds):
    """Running the pages' plans ahead (queries/refresh.py) also builds the spike record of the new
    hour's watched series, so the first page of that hour finds it built."""
    t0 = hand_warehouse.AS_OF
    filters = default_filters(t0.date())
    refresher = refresh.Refresher(clock=lambda: config.dashboard_now())
    refresh.publish(t0)
    page_plan = plans.home(refresh.page_now(), filters)
    refresh.remember(page_plan)
    plans.rising_categories(plans.fetch(page_plan)["watched"], t0)
    assert builds == [(spike_record.hour_of(t0), "normal")]

    interval["now"] = t0 + timedelta(hours=1, seconds=2)  # a new hour: another window
    refresher.run_once(config.dashboard_now())
    now = refresh.page_now()
    assert spike_record.hour_of(now) == spike_record.hour_of(t0) + timedelta(hours=1)
    assert builds == [(spike_record.hour_of(t0), "normal"), (spike_record.hour_of(now), "normal")]
    rising = plans.rising_categories(plans.fetch(plans.home(now, filters))["watched"], now)
    assert rising.columns and len(builds) == 2
