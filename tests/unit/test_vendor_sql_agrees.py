"""The Vendors page's SQL against independent computations on simulator-seeded warehouses (business
hours, pauses, reopenings, escalations, overtime, shifts across midnight). SLA adherence reads the
sla_clocks macro itself (queries/vendor_sla.sql); tests/unit/test_consistency.py holds it to the
SLA page's figures.

- queries/vendor_work.sql's handlings and shift hours against the Python reference rules
  (watchfloor.vendors.handlings, clipped_seconds).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import duckdb
import polars as pl
import pytest

import queries
from watchfloor import vendors as v
from watchfloor.simulator import writer
from watchfloor.simulator.config import SimConfig

END = datetime(2026, 11, 18, 12, 0)


@pytest.fixture(scope="module", params=[5, 11])
def seeded(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("vendor_sim") / f"sim_{request.param}.duckdb"
    writer.seed(str(path), SimConfig(days=14, cases_per_day=1500, seed=request.param, end=END), progress=False)
    con = duckdb.connect(str(path), read_only=True)
    for name in ("vendor_work",):
        for setup in queries.macro_sql_for(name):
            con.execute(setup).fetchall()
    yield con
    con.close()


# A past period ending before the warehouse's end, so that later events exist and must be ignored.
A = datetime(2026, 11, 10)
B = datetime(2026, 11, 16, 6, 30)
SCOPE = {"as_of": B, "period_start": A, "period_end": datetime(2026, 11, 17), "regions": [], "verticals": [],
         "priorities": []}


def test_handlings_and_shift_hours_match_the_python_rules(seeded):
    params = {**SCOPE, "vendors": []}
    work = seeded.sql(queries.load("vendor_work").sql, params=params).pl().filter(pl.col("kind") == "unit")
    got = {r["vendor_id"]: r for r in work.group_by("vendor_id").agg(
        pl.col("decisions", "escalations", "handle_seconds", "staffed_seconds").sum()).to_dicts()}

    vendor_of = dict(seeded.sql("SELECT reviewer_id, vendor_id FROM reviewers").fetchall())
    rows = seeded.sql(
        """SELECT case_id, occurred_at, event_type, actor_id FROM case_events
           WHERE occurred_at < $b AND occurred_at >= $since ORDER BY case_id, occurred_at, event_id""",
        params={"b": B, "since": A - timedelta(days=1)}).fetchall()
    expected: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    by_case: dict[str, list] = defaultdict(list)
    for case_id, at, kind, actor in rows:
        by_case[case_id].append((at, kind, actor))
    for events in by_case.values():
        for h in v.handlings(events, until=B):
            if h.outcome and h.completed_at >= A and h.reviewer_id in vendor_of:
                e = expected[vendor_of[h.reviewer_id]]
                e[0 if h.outcome == "decided" else 1] += 1
                e[2] += h.handle_seconds
    assert set(got) == set(expected)
    for vendor, (decisions, escalations, handle) in expected.items():
        assert (got[vendor]["decisions"], got[vendor]["escalations"]) == (decisions, escalations), vendor
        assert got[vendor]["handle_seconds"] == pytest.approx(handle), vendor

    shifts = seeded.sql("SELECT r.vendor_id, s.starts_at, s.ends_at FROM shifts s JOIN reviewers r USING (reviewer_id) "
                        "WHERE s.queue_id IS NOT NULL").fetchall()
    staffed: dict[str, list] = defaultdict(list)
    for vendor, start, end in shifts:
        staffed[vendor].append((start, end))
    for vendor in got:
        assert got[vendor]["staffed_seconds"] == pytest.approx(v.clipped_seconds(staffed[vendor], A, B)), vendor
