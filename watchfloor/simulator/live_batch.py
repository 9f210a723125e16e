"""One batch of the live feed (live.py): the state of the operation at the batch's start, read
from the warehouse, the simulation of the batch's stretch of time in small steps (arrivals,
assignments, decisions, escalations, requests for information, incidents), and its write in one
transaction with the summaries of the cases it touched."""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb
import polars as pl

from watchfloor import summaries
from watchfloor.schema import polars_schema, table_columns
from watchfloor.simulator.contract_frames import CASE_DIGITS, CASE_PREFIX, INCIDENT_DIGITS, INCIDENT_PREFIX
from watchfloor.simulator.live_profile import Profile, rows_of
from watchfloor.transactions import in_transaction

PRIORITY_ORDER = {"P0": 0, "P1": 1, "P2": 2, "P3": 3}
# Reviewers stop taking new cases this long before their shift ends.
LAST_PICK_SECONDS = 600
# The longest simulated stretch of one step inside a batch.
STEP_SECONDS = 30.0
# A batch reads and rewrites whole rows: every column schema.sql declares (an incident rewritten
# when it moves on keeps its spike_id, the spike that set it off).
CASE_COLUMNS = tuple(table_columns()["cases"])
EVENT_COLUMNS = tuple(table_columns()["case_events"])
INCIDENT_COLUMNS = tuple(table_columns()["incidents"])
COMMANDERS = ("a.okafor", "m.tanaka", "s.haddad", "j.lindqvist", "p.mehta", "l.brandt")
@dataclass
class BatchReport:
    start: datetime
    end: datetime
    new_cases: int = 0
    events: int = 0
    resolved: int = 0
    incidents_opened: int = 0
    newest_event: datetime | None = None
    case_ids: list[str] = field(default_factory=list)

    def line(self) -> str:
        newest = f", newest event {self.newest_event.isoformat(sep=' ')}" if self.newest_event else ""
        return (f"{self.end:%Y-%m-%d %H:%M:%S} +{self.new_cases} cases, +{self.events} events, "
                f"{self.resolved} resolved, {self.incidents_opened} incidents opened{newest}")


class LiveBatch:
    """The state of the operation at the batch's start, the simulation over it, and its writes."""

    def __init__(self, con: duckdb.DuckDBPyConnection, profile: Profile, rng: random.Random, speed: float,
                 start: datetime, end: datetime, numbers: tuple[int, int] | None = None):
        """speed multiplies arrivals, work and incidents; numbers: the next case and incident
        numbers, None to read them from the warehouse."""
        self.con, self.start, self.end = con, start, end
        self.p = profile
        self.rng = rng
        self.speed = speed
        self.next_event_id = (con.sql("SELECT max(event_id) FROM case_events").fetchall()[0][0] or 0) + 1
        # New ids continue the seeder's numbering (C-00000001, INC-0001), read under the write lock
        # for a first batch (a scan of every id: about 1 s at 10M cases) and carried on from the
        # last batch after that. Another writer's case with the next id fails the batch on the
        # primary key; the batch after it reads the numbers again.
        if numbers is None:
            numbers = (_last_number(con, "cases", "case_id", CASE_PREFIX) + 1,
                       _last_number(con, "incidents", "incident_id", INCIDENT_PREFIX) + 1)
        self.next_case_no, self.next_incident_no = numbers
        self._extend_roster()
        self.open = {r["case_id"]: r for r in rows_of(con, f"""
            SELECT {', '.join(CASE_COLUMNS)} FROM cases WHERE status IN ('new', 'queued', 'in_review', 'pending_info', 'escalated')""")}
        self.new_ids: set[str] = set()
        self.changed: set[str] = set()
        self.events: list[tuple] = []
        self.shifts = rows_of(con, """
            SELECT s.reviewer_id, s.starts_at, s.ends_at, s.queue_id FROM shifts s
            WHERE s.queue_id IS NOT NULL AND s.starts_at <= $end AND s.ends_at >= $start""",
                            {"start": start, "end": end})
        self.incidents = {r["incident_id"]: r for r in rows_of(con, f"""
            SELECT {', '.join(INCIDENT_COLUMNS)} FROM incidents WHERE status <> 'resolved'""")}
        self.new_incidents: set[str] = set()
        self.changed_incidents: set[str] = set()
        self.incident_events: list[tuple] = []
        self.report = BatchReport(start=start, end=end)

    # -- roster ------------------------------------------------------------------------------
    def _extend_roster(self) -> None:
        """Copy the shifts of one period earlier forward until the roster covers the batch."""
        latest = self.con.sql("SELECT max(starts_at) FROM shifts").fetchall()[0][0]
        if latest is None:
            return
        period = self.p.period
        while latest < self.end + timedelta(hours=1):
            frm, to = latest - period, latest - period + timedelta(days=1)
            self.con.sql("""
                INSERT INTO shifts (reviewer_id, starts_at, ends_at, queue_id)
                SELECT reviewer_id, starts_at + $p, ends_at + $p, queue_id FROM shifts
                WHERE starts_at > $frm AND starts_at <= $to""", params={"p": period, "frm": frm, "to": to})
            latest = latest + timedelta(days=1)

    # -- the simulation ----------------------------------------------------------------------
    def _event(self, case: dict, at: datetime, kind: str, actor: str | None, queue: str | None,
               detail: str | None = None) -> None:
        at = min(at, self.end)
        self.events.append((self.next_event_id, case["case_id"], at, kind, actor, queue, detail))
        self.next_event_id += 1
        case["updated_at"] = max(case["updated_at"], at)
        self.changed.add(case["case_id"])

    def _arrival_rate(self, t: datetime) -> float:
        """Cases per second at t: the count in the same hour of the week (or day) of the last period."""
        slot = t.isoweekday() * 24 + t.hour if self.p.period.days == 7 else t.hour
        return self.p.hourly.get(slot, 0) / 3600.0 * self.speed

    def simulate(self) -> None:
        t = self.start
        while t < self.end:
            h = min(STEP_SECONDS, (self.end - t).total_seconds())
            t_next = t + timedelta(seconds=h)
            self._arrivals(t, h)
            self._returns(t_next, h)
            self._completions(t_next, h)
            self._assignments(t_next)
            self._incidents(t_next, h)
            t = t_next

    def _poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam > 50:
            return max(0, int(round(self.rng.gauss(lam, math.sqrt(lam)))))
        k, p, limit = 0, 1.0, math.exp(-lam)
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def _arrivals(self, t: datetime, h: float) -> None:
        for _ in range(self._poisson(self._arrival_rate(t) * h)):
            at = t + timedelta(seconds=self.rng.uniform(0, h))
            tpl = self.rng.choice(self.p.templates)
            case_id = f"{CASE_PREFIX}{self.next_case_no:0{CASE_DIGITS}d}"
            self.next_case_no += 1
            case: dict[str, Any] = {c: None for c in CASE_COLUMNS}
            case.update({k: tpl[k] for k in ("source", "surface", "category", "subcategory", "priority", "region",
                                             "language", "queue_id", "account_id", "org_id", "classifier_name",
                                             "classifier_score", "content_excerpt")})
            case.update(case_id=case_id, created_at=at, updated_at=at, status="new", escalated=False,
                        automated=bool(tpl["automated"]))
            self.open[case_id] = case
            self.new_ids.add(case_id)
            self.report.new_cases += 1
            self.report.case_ids.append(case_id)
            self._event(case, at, "created", None, None, case["source"])
            step_end = t + timedelta(seconds=h)
            if case["automated"]:
                actor = f"auto:{tpl['classifier_name'] or 'policy-model'}"
                decision, action = tpl["decision"] or "violating", tpl["enforcement_action"] or "content_removed"
                done = min(at + timedelta(seconds=self.rng.uniform(0.5, 3)), self.end)
                case["first_action_at"] = done
                self._event(case, done, "first_action", actor, None)
                self._event(case, done, "decided", actor, None, decision)
                if action != "none":
                    self._event(case, done + timedelta(seconds=2), "enforced", "system", None, action)
                self._resolve(case, done + timedelta(seconds=4), actor, decision, action, queue=None)
            else:
                routed = min(at + timedelta(seconds=self.rng.uniform(1, 10)), step_end)
                self._event(case, routed, "routed", "system", case["queue_id"])
                case["status"] = "queued"

    def _resolve(self, case: dict, at: datetime, actor: str, decision: str, action: str, queue: str | None) -> None:
        at = min(at, self.end)
        self._event(case, at, "resolved", actor, queue)
        case.update(status="resolved", resolved_at=at, decision=decision,
                    enforcement_action=action if decision == "violating" else "none")
        self.report.resolved += 1

    def _returns(self, t: datetime, h: float) -> None:
        p = min(1.0, h / self.p.pending_seconds)
        for case in list(self.open.values()):
            if case["status"] == "new":  # opened but never routed
                self._event(case, t, "routed", "system", case["queue_id"])
                case["status"] = "queued"
            elif case["status"] == "pending_info" and self.rng.random() < p:
                self._event(case, t, "info_received", "system", case["queue_id"])
                case.update(status="queued", reviewer_id=None, vendor_id=None)

    def _completions(self, t: datetime, h: float) -> None:
        p = min(1.0, h * self.speed / self.p.handle_seconds)
        for case in list(self.open.values()):
            if case["status"] != "in_review" or self.rng.random() >= p:
                continue
            reviewer, queue = case["reviewer_id"], case["queue_id"]
            if case["first_action_at"] is None:
                case["first_action_at"] = t
                self._event(case, t, "first_action", reviewer, queue)
            roll = self.rng.random()
            target = self.p.escalation_target.get(queue)
            if target and roll < self.p.p_escalate:
                self._event(case, t, "escalated", reviewer, target, "severity")
                case.update(status="escalated", queue_id=target, reviewer_id=None, vendor_id=None, escalated=True)
            elif roll < self.p.p_escalate + self.p.p_pending:
                self._event(case, t, "pending_info", reviewer, queue, "account details")
                case["status"] = "pending_info"
            else:
                options = self.p.outcomes.get(case["category"]) or [("non_violating", "none"), ("violating", "warning")]
                decision, action = self.rng.choice(options)
                action = action if decision == "violating" else "none"
                self._event(case, t, "decided", reviewer, queue, decision)
                if action != "none":
                    self._event(case, t + timedelta(seconds=2), "enforced", "system", queue, action)
                self._resolve(case, t + timedelta(seconds=5), reviewer, decision, action, queue)

    def _assignments(self, t: datetime) -> None:
        busy = {c["reviewer_id"] for c in self.open.values() if c["status"] == "in_review" and c["reviewer_id"]}
        free: dict[str, list[str]] = defaultdict(list)
        for s in self.shifts:
            if s["starts_at"] <= t < s["ends_at"] - timedelta(seconds=LAST_PICK_SECONDS) and s["reviewer_id"] not in busy:
                team = self.p.team_of.get(s["queue_id"], s["queue_id"])
                if s["reviewer_id"] not in free[team]:
                    free[team].append(s["reviewer_id"])
                    busy.add(s["reviewer_id"])
        if not free:
            return
        waiting = sorted((c for c in self.open.values() if c["status"] in ("queued", "escalated")),
                         key=lambda c: (PRIORITY_ORDER.get(c["priority"], 9), c["created_at"]))
        for case in waiting:
            pool = free.get(self.p.team_of.get(case["queue_id"], case["queue_id"]))
            if not pool:
                continue
            reviewer = pool.pop(self.rng.randrange(len(pool)))
            self._event(case, t, "assigned", reviewer, case["queue_id"])
            case.update(status="in_review", reviewer_id=reviewer, vendor_id=self.p.vendor_of.get(reviewer))

    def _incidents(self, t: datetime, h: float) -> None:
        if self.rng.random() < self.p.incidents_per_second * h * self.speed:
            recent = [c for c in self.open.values() if c["case_id"] in self.new_ids] or self.p.templates
            tpl = self.rng.choice(recent)
            incident_id = f"{INCIDENT_PREFIX}{self.next_incident_no:0{INCIDENT_DIGITS}d}"
            self.next_incident_no += 1
            started = t - timedelta(minutes=self.rng.uniform(20, 90))
            commander = self.rng.choice(COMMANDERS)
            label = tpl["category"].replace("_", " ")
            inc = {"incident_id": incident_id, "title": f"Rising {label} reports on {tpl['surface']}",
                   "severity": self.rng.choice(self.p.severities), "category": tpl["category"], "status": "open",
                   "started_at": started, "detected_at": t, "acknowledged_at": None, "mitigated_at": None,
                   "resolved_at": None, "commander": commander,
                   "summary": f"{label.capitalize()} arrivals on {tpl['surface']} above their usual level.",
                   "spike_id": None}
            self.incidents[incident_id] = inc
            self.new_incidents.add(incident_id)
            self.report.incidents_opened += 1
            self.incident_events.append((incident_id, started, "started", f"{label.capitalize()} volume started rising", "system"))
            self.incident_events.append((incident_id, t, "detected", f"Alert: {label} arrivals above forecast", "spike-detector"))
        # Open incidents move on: acknowledged within ~15 min, mitigated within ~3 h, resolved ~6 h later.
        steps = (("open", "acknowledged", 900.0), ("acknowledged", "mitigated", 10800.0), ("mitigated", "resolved", 21600.0))
        for inc in self.incidents.values():
            for status, nxt, mean in steps:
                if inc["status"] == status and self.rng.random() < h / mean:
                    inc["status"] = nxt
                    inc[f"{nxt}_at"] = t
                    self.changed_incidents.add(inc["incident_id"])
                    self.incident_events.append((inc["incident_id"], t, nxt, f"Incident {nxt}", inc["commander"]))
                    break

    # -- writing -----------------------------------------------------------------------------
    def write(self) -> BatchReport:
        con = self.con
        with in_transaction(con):
            if self.new_incidents or self.changed_incidents:
                rows = [self.incidents[i] for i in sorted(self.new_incidents | self.changed_incidents)]
                frame = pl.DataFrame(rows, schema=polars_schema("incidents"), orient="row")
                con.register("_wf_live_incidents", frame)
                con.sql("DELETE FROM incidents WHERE incident_id IN (SELECT incident_id FROM _wf_live_incidents)")
                con.sql(f"INSERT INTO incidents ({', '.join(INCIDENT_COLUMNS)}) "
                        f"SELECT {', '.join(INCIDENT_COLUMNS)} FROM _wf_live_incidents")
                con.unregister("_wf_live_incidents")
            if self.incident_events:
                frame = pl.DataFrame(self.incident_events, schema=polars_schema("incident_events"), orient="row")
                con.register("_wf_live_inc_events", frame)
                con.sql("INSERT INTO incident_events SELECT * FROM _wf_live_inc_events ORDER BY occurred_at")
                con.unregister("_wf_live_inc_events")
            changed = [self.open[i] for i in sorted(self.changed | self.new_ids)]
            if changed:
                frame = pl.DataFrame(changed, schema=polars_schema("cases"), orient="row")
                con.register("_wf_live_cases", frame)
                old = [i for i in self.changed if i not in self.new_ids]
                if old:
                    con.sql("DELETE FROM cases WHERE case_id IN (SELECT unnest($ids))", params={"ids": old})
                con.sql(f"INSERT INTO cases ({', '.join(CASE_COLUMNS)}) SELECT {', '.join(CASE_COLUMNS)} "
                        f"FROM _wf_live_cases ORDER BY created_at")
                con.unregister("_wf_live_cases")
            if self.events:
                # event_id increases with occurred_at.
                base = self.events[0][0]
                ordered = sorted(self.events, key=lambda e: (e[2], e[0]))
                self.events = [(base + i, *e[1:]) for i, e in enumerate(ordered)]
                frame = pl.DataFrame(self.events, schema=polars_schema("case_events"), orient="row")
                con.register("_wf_live_events", frame)
                con.sql(f"INSERT INTO case_events ({', '.join(EVENT_COLUMNS)}) SELECT {', '.join(EVENT_COLUMNS)} "
                        f"FROM _wf_live_events ORDER BY event_id")
                con.unregister("_wf_live_events")
                self.report.newest_event = max(e[2] for e in self.events)
            con.execute("INSERT OR REPLACE INTO watchfloor_meta VALUES ('live_feed_at', ?)",
                        [self.end.isoformat(sep=" ")]).fetchall()
            # The summaries of the cases this batch wrote, in its transaction (readers see both or neither).
            summaries.refresh(con, self.changed | self.new_ids | {e[1] for e in self.events})
        self.report.events = len(self.events)
        return self.report


def _last_number(con, table: str, column: str, prefix: str) -> int:
    """The highest number among the ids `prefix` + digits of a table (0 without any): ids of
    another form are skipped."""
    found = con.sql(f"SELECT max(TRY_CAST(substr({column}, $skip) AS BIGINT)) FROM {table} "
                    f"WHERE starts_with({column}, $prefix) AND regexp_full_match({column}, $pattern)",
                    params={"skip": len(prefix) + 1, "prefix": prefix,
                            "pattern": re.escape(prefix) + "[0-9]+"}).fetchall()[0][0]
    return int(found or 0)

