"""Every built page under every role: renders without exception, or is refused."""

from __future__ import annotations

import pytest

from tests.app.conftest import app_for, built_pages, errors
from watchfloor import roles

CASES = [(role, spec) for role in roles.ROLES for spec in built_pages()]


@pytest.mark.parametrize("role,spec", CASES, ids=[f"{r}-{s.key}" for r, s in CASES])
def test_page_renders_or_refuses_by_role(hand_env, role, spec):
    at = app_for(spec.path, role=role).run()
    assert not at.exception, [e.value for e in at.exception]
    if roles.can_view(role, spec.key):
        assert not any("does not give access" in e for e in errors(at))
        assert at.title, f"{spec.key} drew no title"
    else:
        assert any("does not give access" in e for e in errors(at))
        assert not at.title  # nothing of the page was drawn


@pytest.mark.parametrize("spec", built_pages(), ids=lambda s: s.key)
def test_pages_refuse_anyone_not_logged_in(hand_env, spec):
    at = app_for(spec.path).run()
    assert not at.exception
    assert any("log in" in e for e in errors(at))


def test_home_shows_the_hand_worked_figures(hand_env):
    at = app_for("app_pages/home.py", role="ops_lead").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Inflow · last 24 h"] == "5"
    assert metrics["Resolved · last 24 h"] == "3"
    assert metrics["Backlog now"] == "3"
    assert metrics["First-action SLA · last 24 h"] == "50.0%"
    assert metrics["Resolution SLA · last 24 h"] == "100.0%"
    assert metrics["Breached now"] == "1"
    assert metrics["At risk now"] == "1"
    assert metrics["Open incidents"] == "1"
    deltas = {m.label: m.delta for m in at.metric}
    assert deltas["Inflow · last 24 h"] == "+3 (+150%)"
    assert deltas["First-action SLA · last 24 h"] == "no change"  # 50 % both weeks


def test_home_applies_the_sidebar_filters(hand_env):
    at = app_for("app_pages/home.py", role="ops_lead")
    at.session_state["filter_regions"] = ["EMEA"]
    at.run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Inflow · last 24 h"] == "2"  # c3 and c4
    assert metrics["Backlog now"] == "2"


def test_queue_health_shows_the_hand_worked_backlog(hand_env):
    at = app_for("app_pages/queue_health.py", role="ops_lead").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # Open now: c3, c4 (child safety) and c5 (fraud); c3 breached, c4 at risk.
    assert (metrics["Backlog now"], metrics["Breached now"], metrics["At risk now"]) == ("3", "1", "1")
    table = at.dataframe[0].value
    assert list(table["label"]) == ["Child safety EMEA L1", "Fraud AMER L1"]  # the red queue first
    # Child safety: 1 of its 2 open cases past target (half: red). Fraud: nothing late, so green,
    # although no case left it in the last hour: "not clearing" is said in its own column.
    assert list(table["State"]) == ["🔴 behind", "🟢 on track"]
    assert list(table["clears_in"]) == ["not clearing", "not clearing"]
    assert "None" not in table.to_string() and "nan" not in table.to_string()


def test_queue_health_groups_by_region(hand_env):
    at = app_for("app_pages/queue_health.py", role="ops_lead")
    at.session_state["queue_health_group_by"] = "region"
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert sorted(table["label"]) == ["AMER", "EMEA"]


def test_a_refresh_within_the_minute_reuses_the_cached_results(hand_env):
    import queries

    at = app_for("app_pages/queue_health.py", role="ops_lead").run()
    misses = queries.cache.misses
    at.run()  # what the fragment's timer does: the same queries again, as of the same minute
    assert not at.exception
    assert queries.cache.misses == misses
    assert queries.cache.hits >= 4
