"""The live feed: keeps a warehouse moving in real time from where it stands.

Every `interval` seconds the feed opens the warehouse for one batch, reads the open cases and
the staffing of the moment, simulates the operation from the newest event it wrote up to the
wall clock, writes the batch in one transaction and closes the file again (so a dashboard keeps
reading between batches; docs/architecture.md). In a batch, in small time steps:

* **arrivals** follow the warehouse's own pattern: the arrival rate in an hour of the week is the
  number of cases created in that hour of the week over the last week the warehouse holds (of the
  day, over the last day, when it holds less than a week), times `speed`; each new case copies
  the attributes of a recent case;
* **assignments**: reviewers on shift who hold no case take the waiting cases of their team's
  queues, most urgent priority first, then oldest;
* **decisions, escalations, requests for information**: a case in review is finished at the
  warehouse's own average handle time; the outcome follows the warehouse's own shares;
* **information received** after the warehouse's average wait;
* **incidents** open at the warehouse's own rate and move through acknowledged, mitigated and
  resolved.

The roster repeats itself: when the shifts run out, those of one period earlier are copied
forward. Events are never written later than the wall clock. A warehouse that lags the clock is
first caught up (at most `catch_up_hours`); an older gap stays a gap.
"""

from __future__ import annotations

import math
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import duckdb
import polars as pl

from watchfloor import summaries
from watchfloor.config import utc_now
from watchfloor.simulator.contract_frames import CASE_DIGITS, CASE_PREFIX, INCIDENT_DIGITS, INCIDENT_PREFIX
from watchfloor.warehouse import WarehouseBusy, WarehouseEmpty, WarehouseError, check_ready, first_line, open_for_writing

PRIORITY_ORDER = {"P0": 0, "P1": 1, "P2": 2, "P3": 3}
# Reviewers stop taking new cases this long before their shift ends.
LAST_PICK_SECONDS = 600
# The longest simulated stretch of one step inside a batch.
STEP_SECONDS = 30.0
# A batch covers at most this much simulated time (catching up runs batch after batch).
MAX_BATCH_SECONDS = 900.0
# Batches in a row the engine may fail before the feed stops (one is retried: an internal engine
# error seen once in a long run rolls its batch back and invalidates the connection, not the file).
MAX_FAILED_BATCHES = 3
CASE_COLUMNS = ("case_id", "created_at", "source", "surface", "category", "subcategory", "priority", "region",
                "language", "queue_id", "status", "account_id", "org_id", "vendor_id", "reviewer_id",
                "first_action_at", "resolved_at", "decision", "enforcement_action", "escalated", "incident_id",
                "classifier_name", "classifier_score", "content_excerpt", "updated_at", "automated")
EVENT_COLUMNS = ("event_id", "case_id", "occurred_at", "event_type", "actor_id", "queue_id", "detail")
# spike_id too: an incident rewritten when it moves on keeps the spike that set it off.
INCIDENT_COLUMNS = ("incident_id", "title", "severity", "category", "status", "started_at", "detected_at",
                    "acknowledged_at", "mitigated_at", "resolved_at", "commander", "summary", "spike_id")
COMMANDERS = ("a.okafor", "m.tanaka", "s.haddad", "j.lindqvist", "p.mehta", "l.brandt")


@dataclass
class LiveConfig:
    speed: float = 1.0            # multiplies arrivals, work and incidents
    interval: float = 10.0        # wall seconds between batches
    catch_up_hours: float = 24.0  # how much of a lag is filled in on start
    seed: int | None = None


@dataclass
class Profile:
    """The warehouse's own pace, read once at start."""
    period: timedelta
    hourly: dict[int, int]               # hour of the week (or day) -> cases created in it
    templates: list[dict]                # recent cases to copy attributes from
    outcomes: dict[str, list[tuple]]     # category -> [(decision, enforcement_action)]
    handle_seconds: float
    pending_seconds: float
    p_escalate: float
    p_pending: float
    incidents_per_second: float
    severities: list[str]
    escalation_target: dict[str, str]    # queue -> the queue an escalation sends it to
    team_of: dict[str, str]              # queue -> staffing pool
    vendor_of: dict[str, str]            # reviewer -> vendor


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


def _rows(con, sql: str, params: dict | None = None) -> list[dict]:
    return con.sql(sql, params=params).pl().to_dicts()


def read_profile(con, newest: datetime) -> Profile:
    span = con.sql("SELECT min(created_at), max(created_at) FROM cases").fetchall()[0]
    period = timedelta(days=7) if span[0] is not None and span[1] - span[0] >= timedelta(days=7) else timedelta(days=1)
    since = newest - period
    # Cases per hour of the week (or of the day) over the last period the warehouse holds.
    slot = "isodow(created_at) * 24 + hour(created_at)" if period.days == 7 else "hour(created_at)"
    hourly = {r["slot"]: r["n"] for r in _rows(con, f"""
        SELECT {slot} AS slot, count(*) AS n FROM cases
        WHERE created_at >= $since AND created_at < $newest GROUP BY 1""", {"since": since, "newest": newest})}
    templates = _rows(con, """
        SELECT source, surface, category, subcategory, priority, region, language, queue_id, account_id, org_id,
               classifier_name, classifier_score, content_excerpt, automated, decision, enforcement_action
        FROM cases WHERE created_at >= $since AND NOT escalated
        USING SAMPLE reservoir(5000 ROWS) REPEATABLE (7)""", {"since": since})
    if not templates:
        templates = _rows(con, """
            SELECT source, surface, category, subcategory, priority, region, language, queue_id, account_id, org_id,
                   classifier_name, classifier_score, content_excerpt, automated, decision, enforcement_action
            FROM cases USING SAMPLE reservoir(5000 ROWS) REPEATABLE (7)""")
    outcomes: dict[str, list[tuple]] = defaultdict(list)
    for t in templates:
        if t["decision"] is not None and not t["automated"]:
            outcomes[t["category"]].append((t["decision"], t["enforcement_action"]))
    stats = con.sql("""
        WITH ev AS (
            SELECT case_id, event_type, occurred_at, actor_id,
                   lag(occurred_at) OVER (PARTITION BY case_id ORDER BY occurred_at, event_id) AS prev_at,
                   lag(event_type) OVER (PARTITION BY case_id ORDER BY occurred_at, event_id) AS prev_type
            FROM case_events WHERE occurred_at >= $since)
        SELECT
            avg(epoch(occurred_at) - epoch(prev_at)) FILTER (WHERE event_type = 'first_action' AND prev_type = 'assigned'),
            avg(epoch(occurred_at) - epoch(prev_at)) FILTER (WHERE event_type = 'info_received' AND prev_type = 'pending_info'),
            count(*) FILTER (WHERE event_type = 'escalated'),
            count(*) FILTER (WHERE event_type = 'pending_info'),
            count(*) FILTER (WHERE event_type = 'decided' AND actor_id NOT LIKE 'auto:%')
        FROM ev""", params={"since": since}).fetchall()[0]
    handle, pending, n_esc, n_pend, n_dec = stats
    actions = (n_esc or 0) + (n_pend or 0) + (n_dec or 0)
    inc = con.sql("SELECT count(*), min(started_at), max(started_at) FROM incidents").fetchall()[0]
    days = max(1.0, (newest - inc[1]).total_seconds() / 86400) if inc[1] else 1.0
    severities = [r[0] for r in con.sql("SELECT severity FROM incidents").fetchall()] or ["SEV2", "SEV3"]
    queues = _rows(con, """SELECT q.queue_id, q.vertical, q.region, q.tier, q.sla_policy_id, q.team FROM queues q""")
    target: dict[str, str] = {}
    nxt = {"L1": "L2", "L2": "SME"}
    for q in queues:
        if q["tier"] not in nxt:
            continue
        same = [r for r in queues if r["tier"] == nxt[q["tier"]] and r["vertical"] == q["vertical"]
                and r["sla_policy_id"] == q["sla_policy_id"]]
        local = [r for r in same if r["region"] == q["region"]] or same
        if local:
            target[q["queue_id"]] = sorted(r["queue_id"] for r in local)[0]
    return Profile(
        period=period,
        hourly=hourly,
        templates=templates,
        outcomes=dict(outcomes),
        handle_seconds=float(handle or 600.0),
        pending_seconds=float(pending or 3600.0),
        p_escalate=(n_esc or 0) / actions if actions else 0.05,
        p_pending=(n_pend or 0) / actions if actions else 0.03,
        incidents_per_second=(inc[0] or 0) / (days * 86400) if inc[0] else 1 / (3 * 86400),
        severities=severities,
        escalation_target=target,
        team_of={q["queue_id"]: q["team"] or q["queue_id"] for q in queues},
        vendor_of={r[0]: r[1] for r in con.sql("SELECT reviewer_id, vendor_id FROM reviewers").fetchall()},
    )


class LiveFeed:
    """Writes the operation as it happens, one batch at a time (see the module docstring)."""

    def __init__(self, warehouse: str, cfg: LiveConfig | None = None, clock: Callable[[], datetime] = utc_now,
                 log: Callable[[str], None] | None = None):
        self.warehouse = warehouse
        self.cfg = cfg or LiveConfig()
        self.clock = clock
        self.log = log
        self.rng = random.Random(self.cfg.seed)
        self.profile: Profile | None = None
        self.sim_time: datetime | None = None
        # The next case and incident numbers after the last batch written; None: read them from the
        # warehouse (a first batch, or one after a failure, which may be another writer's ids).
        self.next_numbers: tuple[int, int] | None = None

    # -- the loop ----------------------------------------------------------------------------
    def run(self, duration: float | None = None, stop: Callable[[], bool] | None = None) -> list[BatchReport]:
        """Write batches until `duration` wall seconds have passed or `stop()` is true."""
        check_ready(self.warehouse, summaries=False)  # each batch builds them if missing
        started = time.monotonic()
        reports = []
        failed = 0
        while True:
            batch_started = time.monotonic()
            try:
                report = self.step()
                failed = 0
            except WarehouseBusy as exc:
                # Another writer held the file past the lock wait (a very large load): skip this
                # batch; the next one covers the time since.
                report = None
                if self.log:
                    self.log(f"batch skipped: {exc}")
            except duckdb.Error as exc:
                # The batch's transaction was rolled back and its connection closed: nothing of it
                # is stored, and the next batch simulates the same time again on a new connection.
                failed += 1
                reason = first_line(exc)
                if failed >= MAX_FAILED_BATCHES:
                    raise LiveFeedFailed(f"the live feed stopped: {failed} batches in a row failed in the "
                                         f"warehouse engine (last: {reason})") from exc
                report = None
                if self.log:
                    self.log(f"batch failed, tried again next time: {reason}")
            if report is not None:
                reports.append(report)
                if self.log:
                    self.log(report.line())
            if stop is not None and stop():
                break
            if duration is not None and time.monotonic() - started >= duration:
                break
            behind = self.sim_time is not None and (self.clock() - self.sim_time).total_seconds() > MAX_BATCH_SECONDS
            if not behind:  # catching up runs batch after batch
                wake = batch_started + self.cfg.interval
                if duration is not None:
                    wake = min(wake, started + duration)
                # In short naps, so a stop request is answered at once.
                while time.monotonic() < wake and not (stop is not None and stop()):
                    time.sleep(min(0.2, max(0.0, wake - time.monotonic())))
        return reports

    def step(self) -> BatchReport | None:
        """One batch: from where the warehouse stands up to the wall clock (at most MAX_BATCH_SECONDS)."""
        now = self.clock()
        with open_for_writing(self.warehouse) as con:
            con.sql("SET TimeZone = 'UTC'")
            newest = con.sql("SELECT greatest((SELECT max(occurred_at) FROM case_events), "
                             "(SELECT max(created_at) FROM cases))").fetchall()[0][0]
            if newest is None:
                raise WarehouseEmpty(f"warehouse {self.warehouse} holds no cases to continue from")
            if self.profile is None:
                self.profile = read_profile(con, newest)
            start = max(self.sim_time or newest, newest)
            if (now - start).total_seconds() > self.cfg.catch_up_hours * 3600:
                start = now - timedelta(hours=self.cfg.catch_up_hours)
            end = min(now, start + timedelta(seconds=MAX_BATCH_SECONDS))
            if end <= start:
                return None
            numbers, self.next_numbers = self.next_numbers, None
            batch = _Batch(self, con, start, end, numbers)
            batch.simulate()
            report = batch.write()
        self.sim_time = end
        self.next_numbers = (batch.next_case_no, batch.next_incident_no)
        return report


class _Batch:
    """The state of the operation at the batch's start, the simulation over it, and its writes."""

    def __init__(self, feed: LiveFeed, con, start: datetime, end: datetime, numbers: tuple[int, int] | None = None):
        self.feed, self.con, self.start, self.end = feed, con, start, end
        self.p = feed.profile
        self.rng = feed.rng
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
        self.open = {r["case_id"]: r for r in _rows(con, f"""
            SELECT {', '.join(CASE_COLUMNS)} FROM cases WHERE status IN ('new', 'queued', 'in_review', 'pending_info', 'escalated')""")}
        self.new_ids: set[str] = set()
        self.changed: set[str] = set()
        self.events: list[tuple] = []
        self.shifts = _rows(con, """
            SELECT s.reviewer_id, s.starts_at, s.ends_at, s.queue_id FROM shifts s
            WHERE s.queue_id IS NOT NULL AND s.starts_at <= $end AND s.ends_at >= $start""",
                            {"start": start, "end": end})
        self.incidents = {r["incident_id"]: r for r in _rows(con, f"""
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
        return self.p.hourly.get(slot, 0) / 3600.0 * self.feed.cfg.speed

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
            case = {c: None for c in CASE_COLUMNS}
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
        p = min(1.0, h * self.feed.cfg.speed / self.p.handle_seconds)
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
        if self.rng.random() < self.p.incidents_per_second * h * self.feed.cfg.speed:
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
        con.sql("BEGIN TRANSACTION")
        try:
            if self.new_incidents or self.changed_incidents:
                rows = [self.incidents[i] for i in sorted(self.new_incidents | self.changed_incidents)]
                frame = pl.DataFrame(rows, schema={c: _incident_type(c) for c in INCIDENT_COLUMNS}, orient="row")
                con.register("_wf_live_incidents", frame)
                con.sql("DELETE FROM incidents WHERE incident_id IN (SELECT incident_id FROM _wf_live_incidents)")
                con.sql(f"INSERT INTO incidents ({', '.join(INCIDENT_COLUMNS)}) "
                        f"SELECT {', '.join(INCIDENT_COLUMNS)} FROM _wf_live_incidents")
                con.unregister("_wf_live_incidents")
            if self.incident_events:
                frame = pl.DataFrame(self.incident_events, schema={"incident_id": pl.String, "occurred_at": pl.Datetime("us"),
                                                                   "kind": pl.String, "note": pl.String, "actor": pl.String},
                                     orient="row")
                con.register("_wf_live_inc_events", frame)
                con.sql("INSERT INTO incident_events SELECT * FROM _wf_live_inc_events ORDER BY occurred_at")
                con.unregister("_wf_live_inc_events")
            changed = [self.open[i] for i in sorted(self.changed | self.new_ids)]
            if changed:
                frame = pl.DataFrame(changed, schema={c: _case_type(c) for c in CASE_COLUMNS}, orient="row")
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
                frame = pl.DataFrame(self.events, schema={"event_id": pl.Int64, "case_id": pl.String,
                                                          "occurred_at": pl.Datetime("us"), "event_type": pl.String,
                                                          "actor_id": pl.String, "queue_id": pl.String,
                                                          "detail": pl.String}, orient="row")
                con.register("_wf_live_events", frame)
                con.sql(f"INSERT INTO case_events ({', '.join(EVENT_COLUMNS)}) SELECT {', '.join(EVENT_COLUMNS)} "
                        f"FROM _wf_live_events ORDER BY event_id")
                con.unregister("_wf_live_events")
                self.report.newest_event = max(e[2] for e in self.events)
            con.execute("INSERT OR REPLACE INTO watchfloor_meta VALUES ('live_feed_at', ?)",
                        [self.end.isoformat(sep=" ")]).fetchall()
            # The summaries of the cases this batch wrote, in its transaction (readers see both or neither).
            summaries.refresh(con, self.changed | self.new_ids | {e[1] for e in self.events})
            con.sql("COMMIT")
        except BaseException:
            try:
                con.sql("ROLLBACK")
            except Exception:
                pass
            raise
        self.report.events = len(self.events)
        return self.report


class LiveFeedFailed(WarehouseError):
    """Batches failed in the engine several times in a row: the feed stops with the last reason."""


def _last_number(con, table: str, column: str, prefix: str) -> int:
    """The highest number among the ids `prefix` + digits of a table (0 without any): ids of
    another form are skipped."""
    found = con.sql(f"SELECT max(TRY_CAST(substr({column}, $skip) AS BIGINT)) FROM {table} "
                    f"WHERE starts_with({column}, $prefix) AND regexp_full_match({column}, $pattern)",
                    params={"skip": len(prefix) + 1, "prefix": prefix,
                            "pattern": re.escape(prefix) + "[0-9]+"}).fetchall()[0][0]
    return int(found or 0)


def _case_type(column: str) -> pl.DataType:
    if column.endswith("_at"):
        return pl.Datetime("us")
    if column in ("escalated", "automated"):
        return pl.Boolean
    if column == "classifier_score":
        return pl.Float64
    return pl.String


def _incident_type(column: str) -> pl.DataType:
    return pl.Datetime("us") if column.endswith("_at") else pl.String
