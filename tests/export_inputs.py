"""What the export tests export: the Executive page's figures and a one-vendor scorecard."""

from __future__ import annotations

import polars as pl

from watchfloor import executive as ex
from watchfloor import vendors as v


def executive_parts(data: dict[str, pl.DataFrame]) -> tuple:
    """The Executive page's figures of `data`, as its export takes them."""
    figures = ex.headline(data["cases"], data["sla"], data["escalations"], data["incidents"], data["appeals"])
    return (figures, ex.enforcement_by_action(data["cases"]), ex.notices_by_category(data["cases"]),
            ex.severe_incidents(data["incidents"], ex.CURRENT), ex.top_rising_categories(data["cases"]))


def vendor_card() -> pl.DataFrame:
    """A one-vendor scorecard with every figure, target and colour filled in."""
    row = {"vendor_id": "v_a", "vendor": "Acme <Review>", "cost_usd": 100.0, "score": 0.8, "grade": "B"}
    for f in v.FIGURES:
        row[f.key] = 0.9 if f.kind == "share" else 100.0
        row[f"{f.key}_target"] = 0.95 if f.target else None
        row[f"{f.key}_status"] = "amber" if f.target else "none"
    return pl.DataFrame([row])
