"""The one builder of the hand-built test warehouses: rows written out by hand, whose figures the
tests work out in their comments.

A warehouse is data: {table: rows}, each row a dict made by the helpers below (defaults for the
columns a test does not care about, keyword overrides for the rest) or, for many generated rows,
a Polars frame. `build(path, rows)` writes them into a new warehouse file and refreshes its
summaries, as a seed or a load would. The warehouses themselves are in `tests/warehouses/`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from watchfloor import summaries
from watchfloor.warehouse import create_schema

Row = dict[str, Any]
Rows = Mapping[str, "Sequence[Row] | pl.DataFrame"]

# The hand-built warehouses' "now": Wednesday 2026-11-18 12:00 UTC.
AS_OF = datetime(2026, 11, 18, 12, 0)
HIRED = datetime(2025, 1, 1)


def t(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment of November 2026."""
    return datetime(2026, 11, day, hour, minute, second)


def policy(sla_policy_id: str, priority: str, first_action_min: int, resolution_min: int, **over: Any) -> Row:
    return {"sla_policy_id": sla_policy_id, "priority": priority, "first_action_target_min": first_action_min,
            "resolution_target_min": resolution_min, "calendar": "24x7", "pause_on_pending": True, **over}


def queue(queue_id: str, name: str, vertical: str, region: str, sla_policy_id: str, **over: Any) -> Row:
    return {"queue_id": queue_id, "name": name, "vertical": vertical, "region": region, "tier": "L1",
            "sla_policy_id": sla_policy_id, "timezone": "UTC", **over}


def vendor(vendor_id: str, name: str, kind: str, cost_per_hour_usd: float, **over: Any) -> Row:
    return {"vendor_id": vendor_id, "name": name, "kind": kind, "cost_per_hour_usd": cost_per_hour_usd, **over}


def reviewer(reviewer_id: str, vendor_id: str, region: str, **over: Any) -> Row:
    return {"reviewer_id": reviewer_id, "vendor_id": vendor_id, "region": region, "languages": ["en"],
            "hired_at": HIRED, "active": True, **over}


def shift(reviewer_id: str, starts_at: datetime, ends_at: datetime, queue_id: str | None = None) -> Row:
    return {"reviewer_id": reviewer_id, "starts_at": starts_at, "ends_at": ends_at, "queue_id": queue_id}


def incident(incident_id: str, title: str, severity: str, category: str, status: str, started_at: datetime,
             **over: Any) -> Row:
    return {"incident_id": incident_id, "title": title, "severity": severity, "category": category,
            "status": status, "started_at": started_at, **over}


def incident_event(incident_id: str, occurred_at: datetime, kind: str, note: str | None = None,
                   actor: str | None = None) -> Row:
    return {"incident_id": incident_id, "occurred_at": occurred_at, "kind": kind, "note": note, "actor": actor}


def case(case_id: str, created_at: datetime, category: str, queue_id: str, **over: Any) -> Row:
    """A case reported by a user on chat, P2, AMER, English, queued, on account `acct_<case_id>`; last
    updated at its latest of creation, first action and resolution unless told."""
    row = {"case_id": case_id, "created_at": created_at, "source": "user_report", "surface": "chat",
           "category": category, "priority": "P2", "region": "AMER", "language": "en", "queue_id": queue_id,
           "status": "queued", "account_id": f"acct_{case_id}", **over}
    if "updated_at" not in row:
        row["updated_at"] = max(x for x in (created_at, row.get("first_action_at"), row.get("resolved_at")) if x)
    return row


def event(case_id: str, occurred_at: datetime, event_type: str, actor_id: str | None = None,
          queue_id: str | None = None, detail: str | None = None) -> Row:
    return {"case_id": case_id, "occurred_at": occurred_at, "event_type": event_type, "actor_id": actor_id,
            "queue_id": queue_id, "detail": detail}


def qa_review(qa_id: str, case_id: str, reviewer_id: str, qa_reviewer_id: str, reviewed_at: datetime,
              original_decision: str, qa_decision: str, is_golden: bool) -> Row:
    return {"qa_id": qa_id, "case_id": case_id, "reviewer_id": reviewer_id, "qa_reviewer_id": qa_reviewer_id,
            "reviewed_at": reviewed_at, "original_decision": original_decision, "qa_decision": qa_decision,
            "is_golden": is_golden}


def appeal(appeal_id: str, case_id: str, filed_at: datetime, resolved_at: datetime | None, outcome: str) -> Row:
    return {"appeal_id": appeal_id, "case_id": case_id, "filed_at": filed_at, "resolved_at": resolved_at,
            "outcome": outcome}


def numbered(events: Iterable[Row]) -> list[Row]:
    """Event rows with event_id 1, 2, ... in the order given."""
    return [{"event_id": n, **row} for n, row in enumerate(events, start=1)]


def histories(per_case: Mapping[str, Sequence[tuple]]) -> list[Row]:
    """Each case's history [(when, type, actor, queue[, detail])] as event rows, numbered in time
    order (ties: by case, then in the history's order)."""
    rows = sorted(((when, i, case_id, rest) for case_id, history in per_case.items()
                   for i, (when, *rest) in enumerate(history)), key=lambda r: (r[0], r[2], r[1]))
    return numbered(event(case_id, when, *rest) for when, _, case_id, rest in rows)


def build(path: str | Path, rows: Rows) -> str:
    """A new warehouse at `path` holding `rows`, its summaries refreshed; its path."""
    path = str(path)
    con = duckdb.connect(path)
    try:
        create_schema(con)
        for table, table_rows in rows.items():
            _insert(con, table, table_rows)
        summaries.refresh(con)  # the pages read the summaries, as after a seed or a load
    finally:
        con.close()
    return path


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Row] | pl.DataFrame) -> None:
    if isinstance(rows, pl.DataFrame):
        con.register("hand_rows", rows.to_arrow())
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM hand_rows").fetchall()
        con.unregister("hand_rows")
        return
    # rows naming the same columns go in together; a column a row leaves out takes the table's default
    by_columns: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        by_columns.setdefault(tuple(row), []).append(row)
    for columns, group in by_columns.items():
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        con.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", [list(r.values()) for r in group])
