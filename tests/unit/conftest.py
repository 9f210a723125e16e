"""Fixtures shared by unit modules."""

from __future__ import annotations

from datetime import timedelta

import pytest

import queries
from queries import prefetch
from queries.workers import QueryWorkers
from tests.warehouses import home
from watchfloor import config


@pytest.fixture
def interval(hand_env, monkeypatch):
    """The refresher's clock at the Home warehouse's AS_OF + 1 s, one-minute intervals, fresh
    workers, cache and refresher state."""
    monkeypatch.delenv("WATCHFLOOR_AS_OF")
    monkeypatch.setenv("WATCHFLOOR_REFRESH_SECONDS", "60")
    monkeypatch.setattr(queries.workers, "_workers_instance", QueryWorkers(3, 2))
    clock = {"now": home.AS_OF + timedelta(seconds=1)}
    monkeypatch.setattr(config, "utc_now", lambda: clock["now"])
    queries.clear_cache()
    prefetch.publish(None)
    with prefetch._lock:
        prefetch._recent.clear()
    yield clock
    prefetch.publish(None)
    with prefetch._lock:
        prefetch._recent.clear()
    queries.clear_cache()
