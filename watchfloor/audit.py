"""The audit log: who looked at which case, and who revealed its content, and why.

An append-only JSON-lines file outside the warehouse (docs/configuration.md, "Audit log").
Each line is one entry: seq, at (UTC), user, role, action, case_id, reason, prev, hash.
`hash` is the SHA-256 of the entry's other fields (canonical JSON) and `prev` is the hash of the
entry before it (sixty-four zeros for the first), so the entries form a chain: changing,
removing, inserting or reordering any entry breaks every hash after it, and `verify` finds it.

This module gives the log no way to change or delete an entry: `AuditLog` can only append,
read, count a user's recent reveals, and verify. The file is opened for appending only, under an exclusive lock, so two
processes or sessions writing at once keep one unbroken chain.

What the chain cannot show on its own: that the newest entries were cut off the end. `verify`
reports the count and the newest hash (the head); writing the head down elsewhere (a ticket,
a daily report) lets a later check show that nothing was cut since.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import json
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import polars as pl

VIEW = "view"
REVEAL = "reveal"
ALERT_RULES = "alert_rules"  # a change to the alert rules (case_id names what changed; reason says how)
ACTIONS = (VIEW, REVEAL, ALERT_RULES)
ACTION_LABELS = {VIEW: "Viewed the case", REVEAL: "Revealed the content", ALERT_RULES: "Changed the alert rules"}

GENESIS = "0" * 64
FIELDS = ("seq", "at", "user", "role", "action", "case_id", "reason", "prev", "hash")
REASON_MIN_CHARS = 8
REASON_MAX_CHARS = 500
# Reviewer wellness: past this many reveals within the window, the Case page suggests a break.
EXPOSURE_WINDOW_MINUTES = 60
EXPOSURE_BREAK_AFTER = 10
_TAIL_CHUNK = 64 * 1024


class AuditError(RuntimeError):
    """The audit log cannot be read or written; the message says which file and why."""


class ReasonError(ValueError):
    """A reveal reason that cannot be accepted; the message says what is wrong."""


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str  # ISO-8601 UTC, seconds precision, e.g. '2026-11-18T12:00:05Z'
    user: str
    role: str
    action: str
    case_id: str
    reason: str
    prev: str
    hash: str

    def to_line(self) -> str:
        return json.dumps({name: getattr(self, name) for name in FIELDS}, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Verification:
    entries: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def entry_hash(seq: int, at: str, user: str, role: str, action: str, case_id: str, reason: str, prev: str) -> str:
    """SHA-256 over the canonical JSON of an entry's fields other than its own hash."""
    body = {"seq": seq, "at": at, "user": user, "role": role, "action": action,
            "case_id": case_id, "reason": reason, "prev": prev}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def clean_reason(text: str | None) -> str:
    """A reveal reason, trimmed; ReasonError if it is too short or too long to mean anything."""
    reason = " ".join((text or "").split())
    if len(reason) < REASON_MIN_CHARS:
        raise ReasonError(f"Give a reason of at least {REASON_MIN_CHARS} characters (for example the ticket "
                          "or the question you are answering).")
    if len(reason) > REASON_MAX_CHARS:
        raise ReasonError(f"Keep the reason under {REASON_MAX_CHARS} characters.")
    return reason


def _utc_stamp(when: datetime | None) -> str:
    when = when or datetime.now(timezone.utc)
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _last_line(handle) -> bytes:
    """The last non-empty line of a file opened in binary mode, read from its end."""
    handle.seek(0, os.SEEK_END)
    end = handle.tell()
    buffer = b""
    position = end
    while position > 0:
        step = min(_TAIL_CHUNK, position)
        position -= step
        handle.seek(position)
        buffer = handle.read(step) + buffer
        stripped = buffer.rstrip(b"\n")
        if b"\n" in stripped:
            return stripped.rsplit(b"\n", 1)[1]
    return buffer.rstrip(b"\n")


class AuditLog:
    """The audit log at `path`: append, read and verify; nothing else."""

    _locks: dict[str, threading.Lock] = {}
    _locks_guard = threading.Lock()

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def _thread_lock(self) -> threading.Lock:
        key = str(self.path.resolve())
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    def append(self, *, user: str, role: str, action: str, case_id: str, reason: str = "",
               when: datetime | None = None) -> Entry:
        """Write one entry at the end of the chain and return it (AuditError if that fails)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}; known: {', '.join(ACTIONS)}")
        if not user or not case_id:
            raise ValueError("an audit entry needs a user and a case")
        with self._thread_lock():
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # Opened for appending only: every write lands at the end whatever the offset.
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            except OSError as exc:
                raise AuditError(f"cannot open the audit log {self.path}: {exc.strerror or exc}") from exc
            with os.fdopen(fd, "r+b") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX)
                    last = _last_line(handle)
                    if last:
                        try:
                            previous = json.loads(last)
                            seq, prev = int(previous["seq"]) + 1, str(previous["hash"])
                        except (ValueError, KeyError, TypeError) as exc:
                            raise AuditError(f"the audit log {self.path} ends in a line that is not an entry; "
                                             "run `watchfloor audit verify`") from exc
                    else:
                        seq, prev = 1, GENESIS
                    at = _utc_stamp(when)
                    entry = Entry(seq=seq, at=at, user=user, role=role, action=action, case_id=case_id,
                                  reason=reason, prev=prev,
                                  hash=entry_hash(seq, at, user, role, action, case_id, reason, prev))
                    handle.write((entry.to_line() + "\n").encode("utf-8"))
                    handle.flush()
                    os.fsync(handle.fileno())
                except OSError as exc:
                    raise AuditError(f"cannot write to the audit log {self.path}: {exc.strerror or exc}") from exc
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
        return entry

    def _read(self) -> bytes:
        """The whole file, read under a shared lock so a write in progress is never seen half done."""
        try:
            with open(self.path, "rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_SH)
                try:
                    return handle.read()
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
        except FileNotFoundError:
            return b""
        except OSError as exc:
            raise AuditError(f"cannot read the audit log {self.path}: {exc.strerror or exc}") from exc

    def _lines_from_end(self) -> Iterator[bytes]:
        """The file's lines, last first, read in chunks from the end (old entries are never read
        when only recent ones are wanted)."""
        try:
            handle = open(self.path, "rb")
        except FileNotFoundError:
            return
        except OSError as exc:
            raise AuditError(f"cannot read the audit log {self.path}: {exc.strerror or exc}") from exc
        with handle:
            handle.seek(0, os.SEEK_END)
            position = handle.tell()
            rest = b""
            while position > 0:
                step = min(_TAIL_CHUNK, position)
                position -= step
                handle.seek(position)
                parts = (handle.read(step) + rest).split(b"\n")
                rest = parts[0]  # may be the end of a line that starts in the chunk before
                for line in reversed(parts[1:]):
                    if line.strip():
                        yield line
            if rest.strip():
                yield rest

    def reveals_since(self, user: str, since: datetime) -> int:
        """How many reveals `user` made at or after `since` (naive UTC): reviewer wellness, how much
        disturbing content one person has looked at lately. Reads back from the end only as far
        as `since`."""
        cutoff = _utc_stamp(since)
        count = 0
        for line in self._lines_from_end():
            try:
                raw = json.loads(line)
                at, action, who = str(raw["at"]), raw["action"], raw["user"]
            except (ValueError, KeyError, TypeError):
                continue
            if at < cutoff:  # ISO-8601 stamps of one format sort as text
                break
            if action == REVEAL and who == user:
                count += 1
        return count

    def entries(self) -> list[Entry]:
        """Every well-formed entry in file order (lines that are not entries are skipped; verify names them)."""
        checker = _Checker()
        checker.feed(self._read())
        return checker.entries

    def verify(self) -> Verification:
        """Check every line: an entry, numbered in order, chained to the one before, hash intact."""
        checker = _Checker()
        checker.feed(self._read())
        return checker.result()

    def snapshot(self) -> "Snapshot":
        """The check and the entries as a frame (newest first), for the Audit page.

        Kept per file in this process: when the file still starts with the bytes read last time
        (checked by their SHA-256), only the lines appended since are parsed and checked; any
        other change to the file means a full check."""
        data = self._read()
        key = str(self.path.resolve())
        with _snapshots_lock:
            known = _snapshots.get(key)
        if known is not None and len(data) >= known.size and hashlib.sha256(data[:known.size]).digest() == known.digest:
            base, checker, frame = known.size, known.checker.copy(), known.frame
        else:
            base, checker, frame = 0, _Checker(), None
        new = data[base:]
        consumed = new.rfind(b"\n") + 1  # a last line without its newline is judged now but read again next time
        before = len(checker.entries)
        checker.feed(new[:consumed])
        added = to_frame(checker.entries[before:])
        frame = added if frame is None else pl.concat([added, frame])
        size = base + consumed
        with _snapshots_lock:
            _snapshots[key] = Snapshot(size=size, digest=hashlib.sha256(data[:size]).digest(), checker=checker,
                                       frame=frame)
        if new[consumed:].strip():
            partial = checker.copy()
            partial.feed(new[consumed:])
            return Snapshot(size=size, digest=b"", checker=partial, frame=frame, verification=partial.result())
        return Snapshot(size=size, digest=b"", checker=checker, frame=frame, verification=checker.result())


class _Checker:
    """Reads lines in order, keeps the entries and checks the chain as it goes."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.problems: list[str] = []
        self.line_number = 0
        self.expected_prev = GENESIS
        self.expected_seq = 1

    def copy(self) -> "_Checker":
        twin = _Checker()
        twin.entries, twin.problems = list(self.entries), list(self.problems)
        twin.line_number, twin.expected_prev, twin.expected_seq = self.line_number, self.expected_prev, self.expected_seq
        return twin

    def feed(self, data: bytes) -> None:
        pieces = data.split(b"\n")
        if pieces and pieces[-1] == b"":
            pieces.pop()  # the nothing after the last newline
        for raw_line in pieces:
            self.line_number += 1
            if raw_line.strip():
                self._line(self.line_number, raw_line)

    def _line(self, number: int, line: bytes) -> None:
        try:
            raw = json.loads(line)
            entry = Entry(*(raw[name] for name in FIELDS))
            if type(entry.seq) is not int or not all(isinstance(getattr(entry, name), str) for name in FIELDS[1:]):
                raise TypeError("wrong field types")
        except (ValueError, KeyError, TypeError):
            self.problems.append(f"line {number}: not an audit entry")
            self.expected_seq += 1
            return
        if entry.seq != self.expected_seq:
            self.problems.append(f"line {number}: entry number {entry.seq}, expected {self.expected_seq} "
                                 "(an entry was removed or inserted)")
        if entry.prev != self.expected_prev:
            self.problems.append(f"line {number}: does not follow the entry before it "
                                 "(an entry before it was changed, removed or moved)")
        recomputed = entry_hash(entry.seq, entry.at, entry.user, entry.role, entry.action,
                                entry.case_id, entry.reason, entry.prev)
        if recomputed != entry.hash:
            self.problems.append(f"line {number}: its content does not match its hash (the entry was changed)")
        self.expected_prev, self.expected_seq = entry.hash, entry.seq + 1
        self.entries.append(entry)

    def result(self) -> Verification:
        return Verification(entries=len(self.entries), head=self.entries[-1].hash if self.entries else GENESIS,
                            problems=list(self.problems))


@dataclass
class Snapshot:
    size: int  # bytes of the file read and checked
    digest: bytes  # their SHA-256
    checker: _Checker
    frame: pl.DataFrame
    verification: Verification | None = None


_snapshots: dict[str, Snapshot] = {}
_snapshots_lock = threading.Lock()


# --------------------------------------------------------------------------- the Audit page's figures

SCHEMA = {"seq": pl.Int64, "at": pl.Datetime("us"), "user": pl.String, "role": pl.String,
          "action": pl.String, "case_id": pl.String, "reason": pl.String, "hash": pl.String}


def to_frame(entries: list[Entry]) -> pl.DataFrame:
    """The entries as a frame, newest first, with `at` as a naive UTC datetime."""
    if not entries:
        return pl.DataFrame(schema=SCHEMA)
    frame = pl.DataFrame(
        {name: [getattr(e, name) for e in entries] for name in SCHEMA},
        schema={**SCHEMA, "at": pl.String},
    )
    return (frame.with_columns(pl.col("at").str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%SZ", strict=False))
            .sort("seq", descending=True))


@dataclass(frozen=True)
class AuditFilter:
    start: datetime | None = None  # inclusive, naive UTC
    end: datetime | None = None  # exclusive, naive UTC
    users: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    case_id: str = ""


def filter_entries(frame: pl.DataFrame, chosen: AuditFilter) -> pl.DataFrame:
    """The entries in [start, end), by any of the users and actions chosen (none chosen: all),
    about the case id given (exact, ignoring surrounding spaces)."""
    condition = pl.lit(True)
    if chosen.start is not None:
        condition &= pl.col("at") >= chosen.start
    if chosen.end is not None:
        condition &= pl.col("at") < chosen.end
    if chosen.users:
        condition &= pl.col("user").is_in(list(chosen.users))
    if chosen.actions:
        condition &= pl.col("action").is_in(list(chosen.actions))
    if chosen.case_id.strip():
        condition &= pl.col("case_id") == chosen.case_id.strip()
    return frame.filter(condition)


@dataclass(frozen=True)
class AuditSummary:
    entries: int
    views: int
    reveals: int
    users: int
    cases: int


def summary(frame: pl.DataFrame) -> AuditSummary:
    """Counts over the entries shown: entries, views, reveals, distinct users and cases."""
    return AuditSummary(
        entries=frame.height,
        views=int((frame["action"] == VIEW).sum()),
        reveals=int((frame["action"] == REVEAL).sum()),
        users=frame["user"].n_unique(),
        cases=frame["case_id"].n_unique(),
    )


CSV_COLUMNS = ("seq", "at", "user", "role", "action", "case_id", "reason", "hash")


def to_csv(frame: pl.DataFrame) -> bytes:
    """The entries as CSV (UTF-8, header row, times as ISO-8601 UTC), as they are shown.

    Cells that a spreadsheet would run as a formula (starting with = + - @) get a leading
    apostrophe, so an exported reason cannot execute anything when the file is opened."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in frame.select(CSV_COLUMNS).iter_rows(named=True):
        cells = []
        for name in CSV_COLUMNS:
            value = row[name]
            if isinstance(value, datetime):
                value = value.strftime("%Y-%m-%dT%H:%M:%SZ")
            value = "" if value is None else str(value)
            if value[:1] in ("=", "+", "-", "@") and name in ("user", "case_id", "reason", "role"):
                value = "'" + value
            cells.append(value)
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")
