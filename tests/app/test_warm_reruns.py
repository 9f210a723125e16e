"""A warm rerun draws from what the first run built: the rows a page's tables and tiles show are
built once per result, for every rerun and session (a page run holds the interpreter lock every
other session waits for), and the rerun shows the same."""

from __future__ import annotations

import functools

import pytest

from components import queue_table, sla_charts, tables, trends_charts, vendor_charts
from queries import plans
from tests.app.conftest import app_for
from watchfloor import sla_figures

# (page, role, the builders its rerun must not call again)
PAGES = [
    ("app_pages/trends.py", "analyst", [(trends_charts, "_headline_counts"), (trends_charts, "_spike_rows"),
                                        (trends_charts, "_mover_rows"), (trends_charts, "_emerging_rows"),
                                        (plans, "_categories")]),
    ("app_pages/sla.py", "ops_lead", [(sla_figures, "overall_attainment"), (sla_figures, "in_percent"),
                                      (sla_figures, "policy_table"), (sla_figures, "any_whole_period"),
                                      (sla_charts, "_breach_rows")]),
    ("app_pages/queue_health.py", "ops_lead", [(queue_table, "_health_rows")]),
    ("app_pages/vendors.py", "vendor_manager", [(vendor_charts, "display_table"), (vendor_charts, "_tile_rows"),
                                                (vendor_charts, "_vendor_choices")]),
    ("app_pages/home.py", "ops_lead", [(plans, "_rising_categories")]),
]


@pytest.mark.parametrize("script,role,builders", PAGES, ids=[p[0].split("/")[-1][:-3] for p in PAGES])
def test_a_rerun_builds_no_row_twice(hand_env, monkeypatch, script, role, builders):
    calls: dict[str, int] = {}

    def counted(module, name):
        original = getattr(module, name)

        @functools.wraps(original)  # same name, so the memo knows it as the same figure
        def wrapper(*args, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    for module, name in builders:
        counted(module, name)
    counted(tables, "as_arrow")
    at = app_for(script, role=role).run()
    assert not at.exception, [e.value for e in at.exception]
    first = dict(calls)
    # (a builder of rows the test warehouse has none of, such as its spikes, is not called at all)
    assert any(first.get(name) for _, name in builders), f"no builder was used: {first}"
    shown = [df.value for df in at.dataframe]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert calls == first, f"the rerun built rows again: {first} -> {calls}"
    again = [df.value for df in at.dataframe]
    assert len(again) == len(shown) and all(a.equals(b) for a, b in zip(again, shown))
