"""The spike record is kept per contents of the warehouse, not per cache entry (queries.plans.spike_record,
queries.by_contents), and the writers keep the unfiltered one for the coming hours in the warehouse
(watchfloor.spike_record_summary): a page reads it when its series are the ones it was judged on,
the watched series fetched again from an unchanged warehouse find the record already built, and a
write that changes the window's counts gives a new one. Checked by state (how many times the
record is built, and against the detector run on the page's own series), never by time.

The warehouse is test_watched_spikes_queries' (one alert on image_gen x APAC at 06:00-08:00 on
11-18: 105 cases against 30 expected). The write copies the 35 cases of 06:00 on image_gen x APAC
three hours later: 09:00 then holds 45 against 10 expected, still elevated, so the alert runs
06:00-09:00 with 150 cases against 40."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import duckdb
import pytest
from polars.testing import assert_frame_equal

import queries
from queries import plans, prefetch
from tests.conftest import pin_warehouse
from tests.live_warehouse import seeded_then_live
from tests.warehouses import home
from tests.warehouses import watched_spikes as hand
from watchfloor import config, spike_record, summaries
from watchfloor.filters import default_filters
from watchfloor.simulator.config import SimConfig

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


def fetched_again():
    """The watched series as a page fetches them after their cache entry has gone (expired, or
    pushed out by other results): run again, a new frame."""
    queries.cache.clear()
    return plans.fetch([plans.watched(hand.AS_OF)])["watched"]


def write(warehouse: str, sql: str, case_ids: list[str] | None) -> None:
    """A writer's transaction: `sql`, then the summaries of `case_ids` (every case when None)."""
    queries.close_all()  # the readers let go of the file while it is written
    con = duckdb.connect(warehouse)
    try:
        con.execute("SET TimeZone = 'UTC'").fetchall()
        con.execute(sql).fetchall()
        summaries.refresh(con, case_ids)
    finally:
        con.close()


def judged_here(frame, sensitivity: str = "normal") -> spike_record.SpikeRecord:
    """The record of `frame` judged by the detector itself (an independent computation)."""
    return REAL_BUILD(frame, spike_record.hour_of(hand.AS_OF), sensitivity)


REAL_BUILD = spike_record.build


def assert_same_record(got: spike_record.SpikeRecord, want: spike_record.SpikeRecord) -> None:
    assert_frame_equal(got.spikes, want.spikes, check_exact=True)
    assert (got.first, got.last, got.sensitivity) == (want.first, want.last, want.sensitivity)


def test_a_page_reads_the_record_the_writers_kept_and_judges_only_other_series(own_watched_env, builds):
    """The writers keep the unfiltered record of the newest case's hour and the next
    (watchfloor.spike_record_summary): the page reads it, judging nothing, and gets what the
    detector gives for the series it fetched. Another sensitivity, or series no record was kept
    for, are judged on the page, once per contents."""
    first = fetched_again()
    record = plans.spike_record(first, hand.AS_OF)
    assert builds == []
    assert_same_record(record, judged_here(first))
    alert = record.spikes.row(0, named=True)
    assert (record.spikes.height, alert["label"], alert["observed"], alert["expected"]) == (
        1, "Impersonation · Image gen · APAC", 105.0, 30.0)

    again = fetched_again()
    assert again is not first
    assert plans.spike_record(again, hand.AS_OF) is record
    assert plans.rising_categories(again, hand.AS_OF).height == 1
    # Another sensitivity is another record, judged here.
    assert_same_record(plans.spike_record(again, hand.AS_OF, "high"), judged_here(again, "high"))
    assert builds == [(hand.HOUR, "high")]
    # So are series within filters.
    emea = plans.fetch([plans.watched(hand.AS_OF, replace(default_filters(hand.AS_OF.date()), regions=("EMEA",)))])["watched"]
    plans.spike_record(emea, hand.AS_OF)
    assert builds == [(hand.HOUR, "high"), (hand.HOUR, "normal")]


def test_a_write_to_past_hours_is_judged_on_the_page_until_the_writers_judge_again(own_watched_env, builds):
    """An incremental refresh keeps the kept records while the newest case's hour is the same: a
    write that changes a past hour's counts leaves them unmatched (the page's series have another
    key), so the page judges the new series itself, once; a full refresh keeps them anew."""
    first = fetched_again()
    record = plans.spike_record(first, hand.AS_OF)
    ids = [r[0] for r in duckdb.connect(own_watched_env, read_only=True).execute(
        "SELECT 'late-' || case_id FROM cases WHERE surface = 'image_gen' AND region = 'APAC' "
        "AND created_at >= TIMESTAMP '2026-11-18 06:00:00' AND created_at < TIMESTAMP '2026-11-18 07:00:00'").fetchall()]
    assert len(ids) == 35
    write(own_watched_env, COPY_SIX_TO_NINE, ids)
    assert builds == []  # the newest case's hour did not move: nothing judged by the writer

    after = fetched_again()
    assert after.height == first.height  # 09:00 on image_gen x APAC had cases: one cell-hour holds more
    assert after["cases"].sum() == first["cases"].sum() + 35
    changed = plans.spike_record(after, hand.AS_OF)
    assert builds == [(hand.HOUR, "normal")]
    assert_same_record(changed, judged_here(after))
    alert = changed.spikes.row(0, named=True)
    assert (changed.spikes.height, alert["end"], alert["observed"], alert["expected"]) == (
        1, hand.at(9), 150.0, 40.0)
    assert plans.spike_record(fetched_again(), hand.AS_OF) is changed
    assert record.spikes.row(0, named=True)["end"] != alert["end"]

    builds.clear()
    queries.clear_cache()
    write(own_watched_env, "SELECT 1", None)  # a full refresh judges the kept hours again
    kept_hours = [hand.HOUR - hand.H, hand.HOUR]  # the newest case's hour (11:00) and the next
    assert builds == [(h, "normal") for h in kept_hours]
    assert_same_record(plans.spike_record(fetched_again(), hand.AS_OF), changed)
    assert len(builds) == 2


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


@pytest.mark.parametrize("key", [queries.contents_key, spike_record.series_key], ids=["contents", "series"])
def test_the_contents_key_is_the_rows_in_any_order_with_their_types(key):
    frame = hand.cells(hand.NARROW)
    assert key(frame) == key(frame.clone())
    assert key(frame) == key(frame.sample(fraction=1.0, shuffle=True, seed=5))
    assert key(frame) != key(frame.head(frame.height - 1))
    assert key(frame) != key(frame.with_columns(frame["cases"].cast(float)))
    bumped = frame.with_columns((frame["cases"] + (frame["bucket"] == hand.at(3)).cast(int)).alias("cases"))
    assert key(frame) != key(bumped)


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
    """Running the pages' plans ahead (queries/prefetch.py) also builds the spike record of the new
    hour's watched series, so the first page of that hour finds it built."""
    t0 = home.AS_OF
    filters = default_filters(t0.date())
    refresher = prefetch.Refresher(clock=lambda: config.dashboard_now())
    prefetch.publish(t0)
    page_plan = plans.home(prefetch.page_now(), filters)
    prefetch.remember(page_plan)
    plans.rising_categories(plans.fetch(page_plan)["watched"], t0)
    assert builds == []  # the hour's record was kept by the writers

    interval["now"] = t0 + timedelta(hours=1, seconds=2)  # a new hour: another window
    refresher.run_once(config.dashboard_now())
    now = prefetch.page_now()
    assert spike_record.hour_of(now) == spike_record.hour_of(t0) + timedelta(hours=1)
    assert builds == [(spike_record.hour_of(now), "normal")]
    rising = plans.rising_categories(plans.fetch(plans.home(now, filters))["watched"], now)
    assert rising.columns and len(builds) == 1


def test_the_live_feed_keeps_the_record_of_each_new_hour_for_the_pages(tmp_path, monkeypatch, builds):
    """Seeded up to 12:00 (the writer keeps 11:00 and 12:00), then two hours of live batches ten
    minutes apart: the feed judges once per hour the newest case moves into (12:00 is already kept,
    13:00 is judged in the batch that reaches it), and a page within the newest case's hour reads
    the record kept for it, judging nothing: the detector's record of the very series it fetched
    (the batches since also wrote events of older cases: their hours' counts did not change)."""
    end = datetime(2026, 11, 18, 12, 0)
    path = str(tmp_path / "live.duckdb")
    last = seeded_then_live(path, SimConfig(days=3, cases_per_day=600, seed=5, end=end), feed_seed=13)
    assert builds[:2] == [(end - hand.H, "normal"), (end, "normal")]  # the seeder's full refresh
    assert builds[2:] == [(end + hand.H, "normal")]
    builds.clear()
    now = last - timedelta(minutes=1)  # the last batch (14:00) wrote no case of 14:00: 13:00 is the newest hour
    pin_warehouse(monkeypatch, path, now)
    series = plans.fetch([plans.watched(now)])["watched"]
    record = plans.spike_record(series, now)
    assert builds == []
    assert_same_record(record, REAL_BUILD(series, spike_record.hour_of(now)))
