"""The Trends & spikes page (AppTest) on the hand-built warehouse of test_trends_queries.py, whose
figures are worked out there."""

from __future__ import annotations

from datetime import date

from tests.app.conftest import app_for, errors, shown
from tests.warehouses import trends as hand
from watchfloor import roles
from watchfloor.filters import Filters

PAGE = "app_pages/trends.py"


def run_page(role: str = "analyst", filters: Filters = hand.RANGE, **state):
    at = app_for(PAGE, role=role)
    at.session_state["filters"] = filters
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def test_who_may_see_it():
    assert {r for r in roles.ROLES if roles.can_view(r, "trends")} >= {"analyst", "admin"}


def test_hand_worked_figures(trends_env):
    at = run_page()
    assert not at.exception, [e.value for e in at.exception]
    assert not errors(at)
    assert [t.value for t in at.title] == ["Trends & spikes"]
    metrics = {m.label: m.value for m in at.metric}
    # nine single cases: no spike; fraud rose most (+2: 3 against 1, +200 %; spam's +2 ties, fraud comes first)
    assert metrics["Spikes in period"] == "0"
    assert shown(metrics["Top riser by category"]) == "Fraud & scams"
    captions = " ".join(c.value for c in at.caption)
    assert "+2 cases (+200%) vs previous period" in captions
    info = " ".join(i.value for i in at.info)
    assert "No spike in this period" in info
    movers = next(df.value for df in at.dataframe if "This period" in df.value.columns)
    assert list(movers["Category"]) == ["Fraud & scams", "Spam", "Hate"]
    assert list(movers["This period"]) == [3, 2, 1]


def test_breakdown_by_surface(trends_env):
    at = run_page(trends_dimension="surface")
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    # api: t1, t2 now, none before (+2); chat: t3 t4 t7 t5 = 4 now, p1 p2 p3 = 3 before (+1)
    assert metrics["Top riser by surface"] == "API"


def test_a_range_without_cases(trends_env):
    at = run_page(filters=Filters(start=date(2025, 1, 1), end=date(2025, 1, 7)))
    assert not at.exception, [e.value for e in at.exception]
    assert not errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Spikes in period"] == "0"
    info = " ".join(i.value for i in at.info)
    assert "No cases in this period" in info
    assert "No classifier-flagged case" in info


def test_refused_without_the_role(trends_env):
    denied = [r for r in roles.ROLES if not roles.can_view(r, "trends")]
    for role in denied:
        at = run_page(role=role)
        assert any("does not give access" in e for e in errors(at))
