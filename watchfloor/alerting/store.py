"""The alert store: open alerts, their history and the delivery queue, in a small SQLite file of
its own beside the warehouse (the warehouse stays read-only for the app).

One open alert per rule and scope is enforced by the database itself (a unique index over the
open rows). The worker and every dashboard session open short connections of their own; writes
run in `BEGIN IMMEDIATE` transactions and readers see committed rows only (WAL), so the worker,
an acknowledgement and a snooze can happen at the same moment. The file is created with mode 0600.
Times are naive UTC, stored as ISO-8601 text.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any, overload

import polars as pl

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    rule_id TEXT NOT NULL,
    scope_key TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    where_text TEXT NOT NULL,
    measure TEXT NOT NULL,
    page TEXT NOT NULL,
    link_query TEXT NOT NULL,
    since TEXT,
    opened_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    notified_at TEXT,
    last_notified_at TEXT,
    notices INTEGER NOT NULL DEFAULT 0,
    acknowledged_at TEXT,
    acknowledged_by TEXT,
    snoozed_until TEXT,
    snoozed_by TEXT,
    snoozed_at TEXT,
    resolved_at TEXT,
    resolved_notified_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS alerts_one_open ON alerts (rule_id, scope_key) WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS alerts_by_rule ON alerts (rule_id, scope_key, id);
CREATE TABLE IF NOT EXISTS alert_events (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts (id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT,
    note TEXT
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER REFERENCES alerts (id),
    notice TEXT NOT NULL,
    channel TEXT NOT NULL,
    target INTEGER NOT NULL,
    target_label TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    notify_type TEXT NOT NULL,
    attachment TEXT,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    last_error TEXT,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (status, channel, target, id);
CREATE TABLE IF NOT EXISTS digest_runs (
    digest TEXT NOT NULL,
    due_at TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (digest, due_at)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

PENDING, SENT, FAILED, SKIPPED = "pending", "sent", "failed", "skipped"


class StoreError(RuntimeError):
    """The alert store cannot be opened or written; the message names the file."""


@overload
def stamp(moment: datetime) -> str: ...
@overload
def stamp(moment: None) -> None: ...
def stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(sep=" ", timespec="seconds")


@overload
def parse(text: str) -> datetime: ...
@overload
def parse(text: None) -> None: ...
def parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


@dataclass(frozen=True)
class Alert:
    id: int
    rule_id: str
    scope_key: str
    severity: str
    title: str
    where_text: str
    measure: str
    page: str
    link_query: str
    since: datetime | None
    opened_at: datetime
    last_seen_at: datetime
    notified_at: datetime | None
    last_notified_at: datetime | None
    notices: int
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    snoozed_until: datetime | None
    snoozed_by: str | None
    snoozed_at: datetime | None
    resolved_at: datetime | None
    resolved_notified_at: datetime | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Alert:
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = row[f.name]
            values[f.name] = parse(value) if "datetime" in str(f.type) else value
        return cls(**values)

    def snoozed(self, now: datetime) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > now


@dataclass(frozen=True)
class Delivery:
    id: int
    alert_id: int | None
    notice: str
    channel: str
    target: int
    target_label: str
    title: str
    body: str
    notify_type: str
    attachment: str | None
    attempts: int
    next_attempt_at: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Delivery:
        return cls(row["id"], row["alert_id"], row["notice"], row["channel"], row["target"], row["target_label"],
                   row["title"], row["body"], row["notify_type"], row["attachment"], row["attempts"],
                   parse(row["next_attempt_at"]))


@dataclass(frozen=True)
class Outgoing:
    """One notice to one channel target, ready to queue."""
    channel: str
    target: int
    target_label: str
    title: str
    body: str
    notify_type: str
    attachment: str | None = None


class AlertStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    # ------------------------------------------------------------------ connections

    def exists(self) -> bool:
        return self.path.exists()

    def _create(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        except OSError as exc:
            raise StoreError(f"cannot create the alert store {self.path}: {exc.strerror or exc}") from None

    @contextmanager
    def connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """A short connection; with `write`, one IMMEDIATE transaction committed on success."""
        if not self.path.exists():
            self._create()
        try:
            con = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the alert store {self.path}: {exc}") from None
        con.row_factory = sqlite3.Row
        try:
            con.execute("PRAGMA busy_timeout = 30000")
            if con.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                con.execute("PRAGMA journal_mode = WAL")
                con.executescript(_SCHEMA)
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if write:
                con.execute("BEGIN IMMEDIATE")
                try:
                    yield con
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
            else:
                yield con
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"the alert store {self.path} cannot be used: {exc}") from None
        finally:
            con.close()

    # ------------------------------------------------------------------ alerts

    def _alerts(self, where: str) -> list[Alert]:
        with self.connect() as con:
            rows = con.execute(f"SELECT * FROM alerts WHERE {where} ORDER BY id").fetchall()  # `where`: constants below
        return [Alert.from_row(r) for r in rows]

    def open_alerts(self) -> list[Alert]:
        return self._alerts("resolved_at IS NULL")

    def alert(self, alert_id: int) -> Alert | None:
        with self.connect() as con:
            row = con.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return None if row is None else Alert.from_row(row)

    def unsent_resolutions(self) -> list[Alert]:
        """Resolved alerts whose 'opened' notice went out and whose 'resolved' notice has not yet."""
        return self._alerts("resolved_at IS NOT NULL AND notified_at IS NOT NULL AND resolved_notified_at IS NULL")

    def last_notice(self, rule_id: str, scope_key: str, before_id: int) -> datetime | None:
        """When an earlier alert of this rule and scope last told anyone (its latest notice)."""
        with self.connect() as con:
            row = con.execute(
                "SELECT max(coalesce(resolved_notified_at, last_notified_at)) FROM alerts "
                "WHERE rule_id = ? AND scope_key = ? AND id < ? AND notified_at IS NOT NULL",
                (rule_id, scope_key, before_id)).fetchone()
        return parse(row[0])

    def record_findings(self, rule_id: str, severity: str, findings: list[dict], now: datetime) -> tuple[list[int], list[int]]:
        """Bring the rule's open alerts in line with what it finds now, in one transaction: a new
        alert for each finding without one, fresh figures for those that stay, and resolution of
        the open ones not found any more. Returns (ids opened, ids resolved)."""
        opened, resolved = [], []
        with self.connect(write=True) as con:
            current = {r["scope_key"]: r["id"] for r in con.execute(
                "SELECT id, scope_key FROM alerts WHERE rule_id = ? AND resolved_at IS NULL", (rule_id,))}
            seen = set()
            for f in findings:
                seen.add(f["scope_key"])
                values = (severity, f["title"], f["where_text"], f["measure"], f["page"], f["link_query"],
                          stamp(f["since"]))
                if f["scope_key"] in current:
                    con.execute("UPDATE alerts SET severity = ?, title = ?, where_text = ?, measure = ?, page = ?, "
                                "link_query = ?, since = coalesce(since, ?), last_seen_at = ? WHERE id = ?",
                                (*values, stamp(now), current[f["scope_key"]]))
                    continue
                cursor = con.execute(
                    "INSERT INTO alerts (rule_id, scope_key, severity, title, where_text, measure, page, link_query, "
                    "since, opened_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (rule_id, f["scope_key"], *values, stamp(now), stamp(now)))
                alert_id = cursor.lastrowid
                assert alert_id is not None  # set by the INSERT
                opened.append(alert_id)
                self._event(con, alert_id, now, "opened", None, f["measure"])
            for scope_key, alert_id in current.items():
                if scope_key not in seen:
                    con.execute("UPDATE alerts SET resolved_at = ? WHERE id = ?", (stamp(now), alert_id))
                    self._event(con, alert_id, now, "resolved", None, "the condition cleared")
                    resolved.append(alert_id)
        return opened, resolved

    def close_for_rules_gone(self, active_rule_ids: set[str], now: datetime) -> list[int]:
        """Close, without a notice, the open alerts of rules removed or disabled."""
        with self.connect(write=True) as con:
            rows = con.execute("SELECT id, rule_id FROM alerts WHERE resolved_at IS NULL").fetchall()
            closed = [r["id"] for r in rows if r["rule_id"] not in active_rule_ids]
            for alert_id in closed:
                con.execute("UPDATE alerts SET resolved_at = ?, resolved_notified_at = ? WHERE id = ?",
                            (stamp(now), stamp(now), alert_id))
                self._event(con, alert_id, now, "closed", None, "its rule was removed or disabled")
        return closed

    def queue_notice(self, alert_id: int | None, notice: str, outgoing: list[Outgoing], now: datetime) -> None:
        """Queue a notice for every target, and record on the alert that it was told (one transaction)."""
        with self.connect(write=True) as con:
            for out in outgoing:
                con.execute(
                    "INSERT INTO deliveries (alert_id, notice, channel, target, target_label, title, body, notify_type, "
                    "attachment, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (alert_id, notice, out.channel, out.target, out.target_label, out.title, out.body, out.notify_type,
                     out.attachment, stamp(now), stamp(now)))
            if alert_id is None:
                return
            if notice == "resolved":
                con.execute("UPDATE alerts SET resolved_notified_at = ? WHERE id = ?", (stamp(now), alert_id))
            else:
                con.execute("UPDATE alerts SET notified_at = coalesce(notified_at, ?), last_notified_at = ?, "
                            "notices = notices + 1 WHERE id = ?", (stamp(now), stamp(now), alert_id))
            channels = sorted({o.channel for o in outgoing})
            self._event(con, alert_id, now, f"notice: {notice}", None,
                        ("to " + ", ".join(channels)) if channels else "no channel: shown on the Alerts page only")

    # ------------------------------------------------------------------ people

    def acknowledge(self, alert_id: int, user: str, now: datetime) -> bool:
        """Acknowledge an open alert (no more reminders); False if it is not open or already acknowledged."""
        with self.connect(write=True) as con:
            done = con.execute("UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? "
                               "AND resolved_at IS NULL AND acknowledged_at IS NULL",
                               (stamp(now), user, alert_id)).rowcount == 1
            if done:
                self._event(con, alert_id, now, "acknowledged", user, None)
        return done

    def snooze(self, alert_id: int, user: str, until: datetime, now: datetime) -> bool:
        """Hold an open alert's reminders until `until`; False if it is not open."""
        with self.connect(write=True) as con:
            done = con.execute("UPDATE alerts SET snoozed_until = ?, snoozed_by = ?, snoozed_at = ? WHERE id = ? "
                               "AND resolved_at IS NULL", (stamp(until), user, stamp(now), alert_id)).rowcount == 1
            if done:
                self._event(con, alert_id, now, "snoozed", user, f"until {stamp(until)} UTC")
        return done

    @staticmethod
    def _event(con: sqlite3.Connection, alert_id: int, now: datetime, kind: str, actor: str | None, note: str | None) -> None:
        con.execute("INSERT INTO alert_events (alert_id, at, kind, actor, note) VALUES (?, ?, ?, ?, ?)",
                    (alert_id, stamp(now), kind, actor, note))

    # ------------------------------------------------------------------ deliveries

    def due_deliveries(self, now: datetime) -> list[Delivery]:
        """Pending deliveries to try now: per channel target, in the order they were queued, up to
        the first one still waiting for its next attempt (so a notice never overtakes an earlier one)."""
        with self.connect() as con:
            rows = con.execute("SELECT * FROM deliveries WHERE status = ? ORDER BY channel, target, id",
                               (PENDING,)).fetchall()
        due, blocked = [], set()
        for row in rows:
            delivery = Delivery.from_row(row)
            lane = (delivery.channel, delivery.target)
            if lane in blocked:
                continue
            if delivery.next_attempt_at > now:
                blocked.add(lane)
                continue
            due.append(delivery)
        return due

    def record_attempt(self, delivery_id: int, now: datetime, *, sent: bool = False, error: str | None = None,
                       retry_at: datetime | None = None, skipped: bool = False) -> None:
        """The outcome of one try: sent; failed, to be tried again at `retry_at`; failed for good
        (no `retry_at`); or skipped without a try (the channel has no URL)."""
        with self.connect(write=True) as con:
            if skipped:
                con.execute("UPDATE deliveries SET status = ?, last_error = ? WHERE id = ?", (SKIPPED, error, delivery_id))
            elif sent:
                con.execute("UPDATE deliveries SET attempts = attempts + 1, status = ?, sent_at = ?, last_error = NULL "
                            "WHERE id = ?", (SENT, stamp(now), delivery_id))
            elif retry_at is not None:
                con.execute("UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
                            "WHERE id = ?", (error, stamp(retry_at), delivery_id))
            else:
                con.execute("UPDATE deliveries SET attempts = attempts + 1, status = ?, last_error = ? WHERE id = ?",
                            (FAILED, error, delivery_id))

    # ------------------------------------------------------------------ digests and the worker's pulse

    def digest_claimed(self, digest: str, due_at: datetime) -> bool:
        with self.connect() as con:
            return con.execute("SELECT 1 FROM digest_runs WHERE digest = ? AND due_at = ?",
                               (digest, stamp(due_at))).fetchone() is not None

    def claim_digest(self, digest: str, due_at: datetime, now: datetime) -> bool:
        """Record that the digest due at `due_at` is being sent; False if it already was."""
        with self.connect(write=True) as con:
            return con.execute("INSERT OR IGNORE INTO digest_runs (digest, due_at, sent_at) VALUES (?, ?, ?)",
                               (digest, stamp(due_at), stamp(now))).rowcount == 1

    def set_meta(self, key: str, value: str) -> None:
        with self.connect(write=True) as con:
            con.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (key, value))

    def meta(self, key: str) -> str | None:
        if not self.exists():
            return None
        with self.connect() as con:
            row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    # ------------------------------------------------------------------ frames for the page

    def _frame(self, sql: str, params: tuple, schema: dict) -> pl.DataFrame:
        if not self.exists():
            return pl.DataFrame(schema=schema)
        with self.connect() as con:
            rows = con.execute(sql, params).fetchall()
        data = {name: [r[name] for r in rows] for name in schema}
        frame = pl.DataFrame(data, schema={k: (pl.String if v == pl.Datetime("us") else v) for k, v in schema.items()})
        times = [k for k, v in schema.items() if v == pl.Datetime("us")]
        return frame.with_columns(pl.col(times).str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False)) if times else frame

    ALERT_SCHEMA = {"id": pl.Int64, "rule_id": pl.String, "scope_key": pl.String, "severity": pl.String,
                    "title": pl.String, "where_text": pl.String, "measure": pl.String, "page": pl.String,
                    "link_query": pl.String, "since": pl.Datetime("us"), "opened_at": pl.Datetime("us"),
                    "last_seen_at": pl.Datetime("us"), "notified_at": pl.Datetime("us"),
                    "last_notified_at": pl.Datetime("us"), "notices": pl.Int64, "acknowledged_at": pl.Datetime("us"),
                    "acknowledged_by": pl.String, "snoozed_until": pl.Datetime("us"), "snoozed_by": pl.String,
                    "snoozed_at": pl.Datetime("us"), "resolved_at": pl.Datetime("us"),
                    "resolved_notified_at": pl.Datetime("us")}

    def alerts_frame(self, since: datetime | None = None) -> pl.DataFrame:
        """Every alert open now or opened since `since`, newest first."""
        return self._frame("SELECT * FROM alerts WHERE resolved_at IS NULL OR opened_at >= ? ORDER BY id DESC",
                           (stamp(since) or "",), self.ALERT_SCHEMA)

    EVENT_SCHEMA = {"alert_id": pl.Int64, "at": pl.Datetime("us"), "kind": pl.String, "actor": pl.String,
                    "note": pl.String}

    def events_frame(self, alert_id: int) -> pl.DataFrame:
        return self._frame("SELECT * FROM alert_events WHERE alert_id = ? ORDER BY id", (alert_id,), self.EVENT_SCHEMA)

    DELIVERY_SCHEMA = {"id": pl.Int64, "alert_id": pl.Int64, "notice": pl.String, "channel": pl.String,
                       "target": pl.Int64, "target_label": pl.String, "title": pl.String, "created_at": pl.Datetime("us"),
                       "attempts": pl.Int64, "next_attempt_at": pl.Datetime("us"), "status": pl.String,
                       "last_error": pl.String, "sent_at": pl.Datetime("us")}

    def deliveries_frame(self, since: datetime) -> pl.DataFrame:
        """Deliveries queued since `since` or still pending, newest first."""
        return self._frame("SELECT * FROM deliveries WHERE created_at >= ? OR status = ? ORDER BY id DESC",
                           (stamp(since), PENDING), self.DELIVERY_SCHEMA)
