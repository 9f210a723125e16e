"""Warehouses of SLA cases for the clock tests: a small in-memory warehouse holding the contract
schema and the SLA macros, whose cases the Python reference (watchfloor/sla.py) replays too, and
random case histories to fill it."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from watchfloor.sla import Policy, clocks_for_case

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_SQL = (ROOT / "watchfloor" / "schema.sql").read_text(encoding="utf-8")
MACRO_SQL = (ROOT / "queries" / "macros" / "sla.sql").read_text(encoding="utf-8")


def t(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Warehouse:
    """A small in-memory warehouse with the contract schema and the SLA macros."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        self.con.execute(SCHEMA_SQL).fetchall()
        self.con.execute("SET TimeZone='UTC'").fetchall()
        self.con.execute(MACRO_SQL).fetchall()
        self.policies: dict[str, Policy] = {}
        self.queues: dict[str, tuple[str, str]] = {}
        self.cases: dict[str, dict] = {}
        self._event_id = 0
        self._new_cases: list[tuple] = []
        self._new_events: list[tuple] = []

    def policy(self, pid, fa_min, res_min, calendar="24x7", pause=True, start=9, end=17) -> str:
        self.con.execute(
            "INSERT INTO sla_policies VALUES (?, 'P1', ?, ?, ?, ?, ?, ?, ?)",
            [pid, fa_min, res_min, calendar, pause, start, end, pid],
        ).fetchall()
        self.policies[pid] = Policy(fa_min, res_min, calendar, pause, start, end)
        return pid

    def queue(self, qid, pid, tz) -> str:
        self.con.execute(
            "INSERT INTO queues (queue_id, name, vertical, region, tier, sla_policy_id, timezone) VALUES (?, ?, 'Fraud & spam', 'EMEA', 'L1', ?, ?)",
            [qid, qid, pid, tz],
        ).fetchall()
        self.queues[qid] = (pid, tz)
        return qid

    def case(self, case_id, queue, created, first_action=None, resolved=None, events=()):
        """events: (occurred_at, event_type) in the order they happened (event_id follows it)."""
        self._new_cases.append((case_id, created, queue, "resolved" if resolved else "in_review", first_action, resolved))
        for occurred_at, event_type in events:
            self._event_id += 1
            self._new_events.append((self._event_id, case_id, occurred_at, event_type))
        self.cases[case_id] = dict(queue=queue, created=created, first_action=first_action, resolved=resolved, events=list(events))

    def _flush(self) -> None:
        """Insert the buffered cases and events in bulk (row-by-row inserts are slow in DuckDB)."""
        if self._new_cases:
            frame = pl.DataFrame(self._new_cases, orient="row", schema={
                "case_id": pl.String, "created_at": pl.Datetime("us"), "queue_id": pl.String, "status": pl.String,
                "first_action_at": pl.Datetime("us"), "resolved_at": pl.Datetime("us")})
            self.con.register("new_cases", frame.to_arrow())
            self.con.execute(
                """INSERT INTO cases (case_id, created_at, source, surface, category, priority, region, language,
                       queue_id, status, vendor_id, first_action_at, resolved_at, updated_at)
                   SELECT case_id, created_at, 'user_report', 'chat', 'spam', 'P1', 'EMEA', 'en', queue_id, status, 'v1',
                          first_action_at, resolved_at, created_at
                   FROM new_cases"""
            ).fetchall()
            self.con.unregister("new_cases")
            self._new_cases = []
        if self._new_events:
            frame = pl.DataFrame(self._new_events, orient="row", schema={
                "event_id": pl.Int64, "case_id": pl.String, "occurred_at": pl.Datetime("us"), "event_type": pl.String})
            self.con.register("new_events", frame.to_arrow())
            self.con.execute("INSERT INTO case_events (event_id, case_id, occurred_at, event_type) SELECT * FROM new_events").fetchall()
            self.con.unregister("new_events")
            self._new_events = []

    def frame(self, as_of, since=None) -> pl.DataFrame:
        since = since if since is not None else as_of - timedelta(days=3650)
        self._flush()
        return self.con.sql("SELECT * FROM sla_clocks($as_of, $since)", params={"as_of": as_of, "since": since}).pl()

    def query(self, sql: str, params: dict):
        self._flush()
        return self.con.sql(sql, params=params)

    def sql(self, as_of, since=None) -> dict[tuple[str, str], dict]:
        return {(r["case_id"], r["clock"]): r for r in self.frame(as_of, since).iter_rows(named=True)}

    def python(self, case_id, as_of):
        c = self.cases[case_id]
        pid, tz = self.queues[c["queue"]]
        return clocks_for_case(c["created"], c["first_action"], c["resolved"], c["events"], self.policies[pid], tz, as_of)


TIMEZONES = ["America/New_York", "Europe/Dublin", "Asia/Singapore", "America/Los_Angeles", "Asia/Kolkata"]


def random_case(rng: random.Random, created: datetime):
    """A consistent random case history: (first_action_at, resolved_at, events)."""
    clock = created
    events = []
    first_action = None
    state = "open"
    resolved_at = None
    for _ in range(rng.randrange(0, 9)):
        clock += timedelta(seconds=rng.choice([rng.randrange(60, 4 * 3600), rng.randrange(3600, 4 * 86400)]))
        if first_action is None and rng.random() < 0.5:
            first_action = clock
            continue
        if state == "resolved":
            if rng.random() < 0.7:
                events.append((clock, "reopened"))
                state, resolved_at = "open", None
            continue
        kind = rng.choice(["pending_info", "pending_info", "info_received", "info_received", "resolved", "resolved", "noise"])
        if kind == "noise":
            events.append((clock, "escalated"))
        elif kind == "resolved":
            events.append((clock, "resolved"))
            state, resolved_at = "resolved", clock
        else:
            events.append((clock, kind))
    if rng.random() < 0.1:  # two events at the same instant
        events.append((clock, rng.choice(["pending_info", "info_received"])))
    return first_action, resolved_at, events
