"""Shared fixtures: the hand-built warehouse and a clean query cache for every test."""

from __future__ import annotations

import pytest

import queries
from tests import hand_warehouse


@pytest.fixture(scope="session")
def hand_warehouse_path(tmp_path_factory) -> str:
    return hand_warehouse.build(tmp_path_factory.mktemp("hand") / "hand.duckdb")


@pytest.fixture(autouse=True)
def _fresh_query_cache():
    queries.clear_cache()
    yield
    queries.clear_cache()
    queries.close_all()


def pin_warehouse(monkeypatch, warehouse: str, as_of) -> str:
    """Point the settings at `warehouse` with the dashboard's 'now' pinned to `as_of`."""
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", warehouse)
    monkeypatch.setenv("WATCHFLOOR_AS_OF", as_of.isoformat())
    return warehouse


@pytest.fixture
def receiver():
    """A real HTTP receiver on localhost for alert notices (tests/alert_receiver.py)."""
    from tests import alert_receiver

    running = alert_receiver.start()
    yield running
    running.server.shutdown()


@pytest.fixture
def hand_env(monkeypatch, hand_warehouse_path):
    """Settings pointing at the hand-built warehouse, with 'now' pinned to its AS_OF."""
    return pin_warehouse(monkeypatch, hand_warehouse_path, hand_warehouse.AS_OF)
