"""Data fetched ahead of the pages at each refresh interval (queries/prefetch.py): pages keep the
previous interval's 'now' until the new interval's results of the plans they fetched have landed,
then find them in the cache. Checked by order, counts and state, never by elapsed time."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

import queries
from queries import plans, prefetch
from tests.warehouses import home
from watchfloor import config
from watchfloor.filters import default_filters

T0 = home.AS_OF  # the refresher's clock starts here (the `interval` fixture: tests/unit/conftest.py)
T1 = T0 + timedelta(minutes=1)


def counting(monkeypatch) -> list[tuple]:
    runs = []
    real = queries.run_uncached

    def run(name, warehouse=None, time_limit=None, **params):
        runs.append((name, params.get("as_of")))
        return real(name, warehouse=warehouse, time_limit=time_limit, **params)

    monkeypatch.setattr(queries.runner, "run_uncached", run)
    return runs


def test_pages_keep_the_previous_now_until_the_next_has_landed(interval, monkeypatch):
    filters = default_filters(T0.date())
    refresher = prefetch.Refresher(clock=lambda: config.dashboard_now())
    prefetch.publish(T0)  # what start() does
    assert prefetch.page_now() == T0
    page_plan = plans.home(prefetch.page_now(), filters)
    prefetch.remember(page_plan)
    plans.fetch(page_plan)
    runs = counting(monkeypatch)

    interval["now"] = T1 + timedelta(seconds=2)  # the next interval began; nothing ran ahead yet
    assert prefetch.page_now() == T0  # pages stay on the interval whose results they have
    assert refresher.run_once(config.dashboard_now()) == 1
    assert prefetch.page_now() == T1
    ahead = sorted(runs)
    # the plan's queries, and the spike record the writers kept for the new hour's series (plans.work_ahead)
    assert ahead == sorted([*((call.name, call.params.get("as_of")) for call in plans.home(T1, filters)),
                            ("kept_spike_record", None)])
    # the page of the new interval finds every result in the cache: nothing runs again
    frames = plans.fetch(plans.home(prefetch.page_now(), filters))
    assert sorted(runs) == ahead and set(frames) == {call.key for call in page_plan}


def test_a_result_with_the_same_key_is_run_again(interval, monkeypatch):
    """Queries whose parameters do not change with 'now' (the date range's) are run again as well.
    The same answer keeps the cached frame, and the figures derived from it; a new answer replaces it."""
    page_plan = plans.Plan(plans.shell(T0, default_filters(T0.date())),
                           lambda as_of, *a, **k: plans.shell(as_of, default_filters(T0.date())), (), {})
    prefetch.remember(page_plan)
    before = plans.fetch(page_plan)["freshness"]
    computed = []
    figure = queries.memo(before, lambda frame: computed.append(1) or frame.height)
    runs = counting(monkeypatch)
    interval["now"] = T1
    prefetch.Refresher(clock=lambda: config.dashboard_now()).run_once(T1)
    assert sorted(name for name, _ in runs) == ["filter_options", "freshness"]
    after = plans.fetch(page_plan)["freshness"]
    assert after is before  # the same answer: nothing derived from it is computed again
    assert queries.memo(after, lambda frame: computed.append(1) or frame.height) == figure and computed == [1]

    # a result that landed moments ago is not fetched again at the next interval ...
    runs.clear()
    prefetch.Refresher(clock=lambda: config.dashboard_now()).run_once(T1)
    assert runs == []
    # ... one that landed more than the cache TTL ago is, and a new answer replaces the old
    later = queries.result_cache.time.monotonic() + 61
    monkeypatch.setattr(queries.result_cache.time, "monotonic", lambda: later)
    real = queries.run_uncached
    monkeypatch.setattr(queries.runner, "run_uncached", lambda name, **kw: (
        real(name, **kw).with_columns(pl.lit(1).alias("changed")) if name == "freshness" else real(name, **kw)))
    prefetch.Refresher(clock=lambda: config.dashboard_now()).run_once(T1)
    changed = plans.fetch(page_plan)["freshness"]
    assert changed is not before and "changed" in changed.columns


def test_plans_nobody_fetched_lately_are_not_run_ahead(interval, monkeypatch):
    prefetch.remember(plans.home(T0, default_filters(T0.date())))
    clock = {"t": 1000.0}
    monkeypatch.setattr(prefetch.time, "monotonic", lambda: clock["t"])
    prefetch.remember(plans.home(T0, default_filters(T0.date())))  # fetched 'now'
    assert len(prefetch.recent_plans(180)) == 1
    clock["t"] += 181
    assert prefetch.recent_plans(180) == []


def test_with_nothing_running_ahead_pages_ask_for_the_current_interval(interval):
    assert prefetch.page_now() == T0
    interval["now"] = T1 + timedelta(seconds=5)
    assert prefetch.page_now() == T1
    prefetch.publish(T0)
    assert prefetch.page_now() == T0
    interval["now"] = T0 + timedelta(minutes=2, seconds=1)  # more than two intervals behind: not kept
    assert prefetch.page_now() == T0 + timedelta(minutes=2)


def test_plans_are_made_again_for_a_later_now():
    filters = default_filters(T0.date())
    plan = plans.trends(T0, filters, dimension="surface", hourly=True)
    assert plan.recipe == plans.trends(T1, filters, dimension="surface", hourly=True).recipe
    assert plan.at(T1) == plans.trends(T1, filters, dimension="surface", hourly=True)
    assert plans.home(T0, filters).at(T1) == plans.home(T1, filters)


def test_while_running_ahead_results_outlive_the_next_interval(interval, monkeypatch):
    """Pages stay on an interval until the next one's results have landed: what they fetched is kept
    one interval longer than the cache TTL while the server runs ahead (and only then)."""
    plan = plans.shell(T0, default_filters(T0.date()))
    plans.fetch(plan)
    runs = counting(monkeypatch)
    refresher = prefetch.Refresher(clock=lambda: T0)
    monkeypatch.setattr(refresher, "run", lambda: None)  # no thread of its own here
    refresher.start()
    try:
        assert queries.running_ahead()
        queries.clear_cache()
        plans.fetch(plan)  # landed now, kept for TTL + interval = 120 s
        later = queries.result_cache.time.monotonic() + 90
        monkeypatch.setattr(queries.result_cache.time, "monotonic", lambda: later)
        plans.fetch(plan)
        assert sorted(name for name, _ in runs) == ["filter_options", "freshness"]  # still cached at 90 s
    finally:
        refresher.stop()
    assert not queries.running_ahead()
