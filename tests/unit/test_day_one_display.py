"""Small display rules behind the day-one defects: counts with separators, one spelling of a
surface, target lines in a one-week chart, pages a role may not open registered where they answer."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from watchfloor.formatting import versus
from watchfloor.labels import SURFACE_LABELS, surface_labels


def test_counts_side_by_side_have_separators():
    assert versus(13038, 2346) == "13,038 vs 2,346"
    assert versus(13038.4, None) == "13,038 vs –"


def test_surfaces_have_one_spelling():
    frame = pl.DataFrame({"surface": ["api", "image_gen", "chat", None]})
    assert frame.select(surface_labels("surface"))["surface"].to_list() == ["API", "Image gen", "Chat", None]
    assert SURFACE_LABELS["api"] == "API"


def test_a_one_week_chart_still_draws_each_vendors_target():
    from components import vendor_charts

    weeks = pl.DataFrame({"vendor": ["Acme", "Beta"], "week_start": [datetime(2026, 11, 16)] * 2,
                          "qa_accuracy": [0.9, 0.8], "qa_accuracy_target": [0.95, 0.85]})
    fig = vendor_charts._weekly_figure(weeks, "qa_accuracy")
    targets = [t for t in fig.data if t.name.endswith("target")]
    assert len(targets) == 2
    for trace in targets:
        assert len(trace.x) == 2 and trace.x[0] < datetime(2026, 11, 16) < trace.x[1]  # a line, not a dot


def test_pages_a_role_may_not_open_are_registered_hidden(monkeypatch):
    from components import navigation
    from watchfloor import roles

    # Record what the navigation registers (a Page needs a running app to be built for real).
    monkeypatch.setattr(navigation.st, "Page", lambda page, **kw: {"page": page, **kw})
    pages = [p for group in navigation.pages_by_group("vendor_manager").values() for p in group]
    hidden = {p["url_path"] for p in pages if p.get("visibility") == "hidden"}
    shown = {p["url_path"] for p in pages if p.get("visibility") != "hidden"}
    built = {s.key for s in roles.PAGES}
    assert hidden == {k for k in built if not roles.can_view("vendor_manager", k)}
    assert {"audit", "case", "queue_health"} <= hidden
    assert shown == {k for k in built if roles.can_view("vendor_manager", k)}
    assert all(callable(p["page"]) for p in pages if p.get("visibility") == "hidden")
