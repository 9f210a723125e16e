"""The audit log: who looked at which case, who revealed its content and why, and who signed in.

An append-only JSON-lines file outside the warehouse (docs/security.md, "Audit log"). Each line
is one entry: seq, at (UTC), user, role, action, case_id, reason, prev, hash, v, key. `hash` is an
HMAC-SHA256 of the entry's other fields under the *audit key*, and `prev` is the hash of the entry
before it (sixty-four zeros for the first), so the entries form a chain that only a holder of the
key can extend or rewrite: changing, removing, inserting or reordering an entry breaks it.

The key lives in its own file (WATCHFLOOR_AUDIT_KEY_FILE), apart from the log; Watchfloor only
reads it (`watchfloor audit init-key`, or `watchfloor serve` on first start, creates it, mode 0400).
The *head* -- the number and hash of the newest entry, with its own HMAC -- is written to another
file after every entry (WATCHFLOOR_AUDIT_HEAD_FILE), so that cutting entries off the end, or
emptying the log, shows as a log shorter than its head.

Logs written before the key existed hold entries hashed with plain SHA-256 (no `v`). They are
kept as they are: the first keyed entry chains to the last of them, so changing them afterwards
breaks that link, and `verify` says how many there are.

This module gives the log no way to change or delete an entry: `AuditLog` can only append,
read, count a user's recent reveals, and verify. The file is opened for appending only, under an
exclusive lock, so two processes or sessions writing at once keep one unbroken chain.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from watchfloor import config
from watchfloor.export_safety import csv_bytes
from watchfloor.files import write_atomically

VIEW = "view"
REVEAL = "reveal"
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOCKED_OUT = "locked_out"
LOGOUT = "logout"
SESSION_ENDED = "session_ended"
ALERT_RULES = "alert_rules"  # a change to the alert rules (case_id names what changed; reason says how)
CASE_ACTIONS = (VIEW, REVEAL)
SIGN_IN_ACTIONS = (LOGIN, LOGIN_FAILED, LOCKED_OUT, LOGOUT, SESSION_ENDED)
ACTIONS = CASE_ACTIONS + SIGN_IN_ACTIONS + (ALERT_RULES,)
ACTION_LABELS = {VIEW: "Viewed the case", REVEAL: "Revealed the content", LOGIN: "Signed in",
                 LOGIN_FAILED: "Failed sign-in", LOCKED_OUT: "Locked out", LOGOUT: "Signed out",
                 SESSION_ENDED: "Session ended", ALERT_RULES: "Changed the alert rules"}

GENESIS = "0" * 64
KEYED = 2  # the entry version hashed with the audit key
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


# --------------------------------------------------------------------------- the key


@dataclass(frozen=True)
class AuditKey:
    secret: bytes
    path: Path

    @property
    def key_id(self) -> str:
        """A short name for the key (part of its SHA-256): tells entries signed with another key."""
        return hashlib.sha256(self.secret).hexdigest()[:16]

    def mac(self, text: str) -> str:
        return hmac.new(self.secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


def create_key(path: str | Path) -> bool:
    """Write a new random audit key to `path` (mode 0400, its folder created 0700) unless one is
    there. Returns whether it created one. Never overwrites: a new key would break the chain."""
    path = Path(path)
    if path.exists():
        return False
    try:
        write_atomically(path, secrets.token_hex(32) + "\n", mode=0o400, exclusive=True)
    except FileExistsError:  # another process created it meanwhile: theirs stays
        return False
    return True


def load_key(path: str | Path) -> AuditKey:
    """The audit key, or AuditError saying what is wrong with its file."""
    path = Path(path)
    try:
        info = path.stat()
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise AuditError(f"no audit key at {path}: create one with `watchfloor audit init-key` "
                         "(docs/security.md)") from None
    except (OSError, UnicodeError) as exc:
        raise AuditError(f"cannot read the audit key {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise AuditError(f"the audit key {path} may be written by others (mode {stat.S_IMODE(info.st_mode):o}); "
                         "make it read-only (chmod 0400, or 0440 for a group)")
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < 16:
        raise AuditError(f"the audit key {path} is not a key (expected 64 hexadecimal characters)")
    return AuditKey(secret, path)


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
    v: int = 1  # 1: plain SHA-256 (written before the log was keyed); 2: HMAC with the audit key
    key: str = ""  # the id of the key of a keyed entry

    def to_line(self) -> str:
        body = {name: getattr(self, name) for name in FIELDS}
        if self.v >= KEYED:
            body.update(v=self.v, key=self.key)
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Verification:
    entries: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)
    unkeyed: int = 0  # entries written before the log was keyed
    notes: list[str] = field(default_factory=list)  # worth knowing, not tampering

    @property
    def intact(self) -> bool:
        return not self.problems


def _canonical(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_hash(seq: int, at: str, user: str, role: str, action: str, case_id: str, reason: str, prev: str) -> str:
    """SHA-256 over the canonical JSON of an entry's fields other than its own hash (unkeyed entries)."""
    body = {"seq": seq, "at": at, "user": user, "role": role, "action": action,
            "case_id": case_id, "reason": reason, "prev": prev}
    return hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()


def keyed_hash(key: AuditKey, seq: int, at: str, user: str, role: str, action: str, case_id: str, reason: str,
               prev: str) -> str:
    """HMAC-SHA256 under the audit key over the canonical JSON of a keyed entry's other fields."""
    body = {"seq": seq, "at": at, "user": user, "role": role, "action": action, "case_id": case_id,
            "reason": reason, "prev": prev, "v": KEYED, "key": key.key_id}
    return key.mac(_canonical(body))


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
    when = when or datetime.now(UTC)
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
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


# --------------------------------------------------------------------------- the head


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    key: str
    mac: str


def _head_text(seq: int, entry_hash_: str) -> str:
    return f"watchfloor-audit-head|{seq}|{entry_hash_}"


def _write_head(path: Path, key: AuditKey, entry: Entry, log_path: Path) -> None:
    body = {"log": str(log_path.resolve()), "seq": entry.seq, "hash": entry.hash, "key": key.key_id,
            "mac": key.mac(_head_text(entry.seq, entry.hash))}
    write_atomically(path, json.dumps(body) + "\n")


def _read_head(path: Path) -> Head | None | str:
    """The head, None if there is none, or a string saying why it cannot be read."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Head(seq=int(raw["seq"]), hash=str(raw["hash"]), key=str(raw["key"]), mac=str(raw["mac"]))
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot read the head file {path}: {exc.strerror or exc}"
    except (ValueError, KeyError, TypeError):
        return f"the head file {path} is not a head (it was changed)"


def _check_head(result: Verification, head: Head | None | str, last: Entry | None, by_seq: dict[int, str],
                key: AuditKey, head_path: Path, unreadable_tail: int = 0) -> None:
    """Compare the log's end with the head kept apart from it: what was cut, or what is not anchored."""
    if isinstance(head, str):
        result.problems.append(head)
        return
    last_seq = last.seq if last else 0
    if head is None:
        if last is not None and last.v >= KEYED:
            result.problems.append(f"no head file at {head_path}: whether entries were cut off the end cannot "
                                   "be told (it was deleted, or the log was moved without it)")
        return
    if head.key != key.key_id or not hmac.compare_digest(head.mac, key.mac(_head_text(head.seq, head.hash))):
        result.problems.append(f"the head file {head_path} does not carry this key's signature "
                               "(it was changed, or it belongs to another key)")
        return
    if last is None:
        result.problems.append(f"the log is empty (or gone) but its head records {head.seq} entries: "
                               "all of them were removed")
    elif head.seq > last_seq and head.seq - last_seq <= unreadable_tail:
        pass  # the newest entries are there but damaged: already reported line by line
    elif head.seq > last_seq:
        result.problems.append(f"the log ends at entry {last_seq} but its head records entry {head.seq}: "
                               f"entries {last_seq + 1}-{head.seq} were cut off the end "
                               "(or the log was replaced by an older copy)")
    elif by_seq.get(head.seq) != head.hash:
        result.problems.append(f"entry {head.seq} is not the one the head recorded "
                               "(the end of the log was rewritten)")
    elif head.seq < last_seq:
        result.problems.append(f"entries {head.seq + 1}-{last_seq} come after the head: written without "
                               "updating it (a write cut short, or entries added outside Watchfloor)")


# --------------------------------------------------------------------------- the log


class AuditLog:
    """The audit log at `path`: append, read and verify; nothing else.

    `key_file` and `head_file` default to the settings (WATCHFLOOR_AUDIT_KEY_FILE,
    WATCHFLOOR_AUDIT_HEAD_FILE; see watchfloor.config). Reading entries needs no key; appending and
    verifying do."""

    _locks: dict[str, threading.Lock] = {}
    _locks_guard = threading.Lock()

    def __init__(self, path: str | Path, key_file: str | Path | None = None, head_file: str | Path | None = None):
        self.path = Path(path)
        self.key_file = Path(key_file) if key_file else config.audit_key_path()
        self.head_file = Path(head_file) if head_file else config.audit_head_path(self.path)

    def _thread_lock(self) -> threading.Lock:
        key = str(self.path.resolve())
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    def append(self, *, user: str, role: str, action: str, case_id: str = "", reason: str = "",
               when: datetime | None = None) -> Entry:
        """Write one entry at the end of the chain, then the head; return the entry (AuditError if
        either fails)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}; known: {', '.join(ACTIONS)}")
        if not user or (action in CASE_ACTIONS and not case_id):
            raise ValueError("an audit entry needs a user, and a case for a view or a reveal")
        key = load_key(self.key_file)
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
                                  hash=keyed_hash(key, seq, at, user, role, action, case_id, reason, prev),
                                  v=KEYED, key=key.key_id)
                    handle.write((entry.to_line() + "\n").encode("utf-8"))
                    handle.flush()
                    os.fsync(handle.fileno())
                    try:
                        _write_head(self.head_file, key, entry, self.path)
                    except OSError as exc:
                        raise AuditError(f"entry {seq} was written but the audit head {self.head_file} could "
                                         f"not be updated: {exc.strerror or exc}") from exc
                except OSError as exc:
                    raise AuditError(f"cannot write to the audit log {self.path}: {exc.strerror or exc}") from exc
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
        return entry

    def _read(self) -> tuple[bytes, Head | None | str]:
        """The whole file and the head, read under a shared lock so that a write in progress is never
        seen half done."""
        try:
            with open(self.path, "rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_SH)
                try:
                    return handle.read(), _read_head(self.head_file)
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
        except FileNotFoundError:
            return b"", _read_head(self.head_file)
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
        """Every well-formed entry in file order (lines that are not entries are skipped; verify names
        them). Needs no key."""
        checker = _Checker(None)
        checker.feed(self._read()[0])
        return checker.entries

    def verify(self) -> Verification:
        """Check every line (an entry, numbered in order, chained to the one before, its MAC right
        under the audit key) and the end of the log against the head kept apart from it."""
        checker = _Checker(load_key(self.key_file))
        data, head = self._read()
        checker.feed(data)
        return checker.result(head, self.head_file)

    def snapshot(self) -> Snapshot:
        """The check and the entries as a frame (newest first), for the Audit page.

        Kept per file in this process: when the file still starts with the bytes read last time
        (checked by their SHA-256), only the lines appended since are parsed and checked; any
        other change to the file means a full check."""
        key = load_key(self.key_file)
        data, head = self._read()
        cache_key = (str(self.path.resolve()), key.key_id)
        with _snapshots_lock:
            known = _snapshots.get(cache_key)
        if known is not None and len(data) >= known.size and hashlib.sha256(data[:known.size]).digest() == known.digest:
            base, checker, frame = known.size, known.checker.copy(), known.frame
        else:
            base, checker, frame = 0, _Checker(key), None
        new = data[base:]
        consumed = new.rfind(b"\n") + 1  # a last line without its newline is judged now but read again next time
        before = len(checker.entries)
        checker.feed(new[:consumed])
        added = to_frame(checker.entries[before:])
        frame = added if frame is None else pl.concat([added, frame])
        size = base + consumed
        with _snapshots_lock:
            _snapshots[cache_key] = _Read(size=size, digest=hashlib.sha256(data[:size]).digest(), checker=checker,
                                          frame=frame)
        if new[consumed:].strip():
            partial = checker.copy()
            partial.feed(new[consumed:])
            return Snapshot(size=size, digest=b"", checker=partial, frame=frame,
                            verification=partial.result(head, self.head_file))
        return Snapshot(size=size, digest=b"", checker=checker, frame=frame,
                        verification=checker.result(head, self.head_file))


class _Checker:
    """Reads lines in order, keeps the entries and checks the chain as it goes (with `key`; without
    one it only parses)."""

    def __init__(self, key: AuditKey | None) -> None:
        self.key = key
        self.entries: list[Entry] = []
        self.problems: list[str] = []
        self.line_number = 0
        self.expected_prev = GENESIS
        self.expected_seq = 1
        self.unkeyed = 0
        self.keyed_seen = False
        self.hashes: dict[int, str] = {}
        self.unreadable_tail = 0  # lines after the last entry that are not entries

    def copy(self) -> _Checker:
        twin = _Checker(self.key)
        twin.entries, twin.problems, twin.hashes = list(self.entries), list(self.problems), dict(self.hashes)
        twin.line_number, twin.expected_prev, twin.expected_seq = self.line_number, self.expected_prev, self.expected_seq
        twin.unkeyed, twin.keyed_seen, twin.unreadable_tail = self.unkeyed, self.keyed_seen, self.unreadable_tail
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
            version = raw.get("v", 1)
            entry = Entry(**{name: raw[name] for name in FIELDS}, v=version, key=raw.get("key", ""))
            if (type(entry.seq) is not int or type(version) is not int or version not in (1, KEYED)
                    or not all(isinstance(getattr(entry, name), str) for name in (*FIELDS[1:], "key"))):
                raise TypeError("wrong field types")
        except (ValueError, KeyError, TypeError, AttributeError):
            self.problems.append(f"line {number}: not an audit entry")
            self.expected_seq += 1
            self.unreadable_tail += 1
            return
        self.unreadable_tail = 0
        self.entries.append(entry)
        self.hashes[entry.seq] = entry.hash
        if self.key is None:
            return
        if entry.seq != self.expected_seq:
            self.problems.append(f"line {number}: entry number {entry.seq}, expected {self.expected_seq} "
                                 "(an entry was removed or inserted)")
        if entry.prev != self.expected_prev:
            self.problems.append(f"line {number}: does not follow the entry before it "
                                 "(an entry before it was changed, removed or moved)")
        fields = (entry.seq, entry.at, entry.user, entry.role, entry.action, entry.case_id, entry.reason, entry.prev)
        if entry.v >= KEYED:
            self.keyed_seen = True
            if entry.key != self.key.key_id:
                self.problems.append(f"line {number}: signed with another audit key (key {entry.key}, this one is "
                                     f"{self.key.key_id})")
            elif not hmac.compare_digest(keyed_hash(self.key, *fields), entry.hash):
                self.problems.append(f"line {number}: its content does not match its hash (the entry was changed)")
        else:
            self.unkeyed += 1
            if self.keyed_seen:
                self.problems.append(f"line {number}: an entry without the audit key's signature after signed ones "
                                     "(added by someone who does not have the key)")
            elif entry_hash(*fields) != entry.hash:
                self.problems.append(f"line {number}: its content does not match its hash (the entry was changed)")
        self.expected_prev, self.expected_seq = entry.hash, entry.seq + 1

    def result(self, head: Head | None | str = None, head_path: Path | None = None) -> Verification:
        last = self.entries[-1] if self.entries else None
        result = Verification(entries=len(self.entries), head=last.hash if last else GENESIS,
                              problems=list(self.problems), unkeyed=self.unkeyed)
        if self.key is not None and head_path is not None:
            _check_head(result, head, last, self.hashes, self.key, head_path, self.unreadable_tail)
        if self.unkeyed:
            sealed = "sealed by the first signed entry after them" if self.keyed_seen else (
                "not sealed yet: the next entry written seals them")
            result.notes.append(f"{self.unkeyed} entries were written before the log was keyed (plain SHA-256, "
                                f"which anyone can recompute); {sealed}")
        return result


@dataclass
class _Read:
    """What snapshot() keeps per file between calls."""
    size: int  # bytes of the file read and checked
    digest: bytes  # their SHA-256
    checker: _Checker
    frame: pl.DataFrame


@dataclass
class Snapshot(_Read):
    verification: Verification


_snapshots: dict[tuple[str, str], _Read] = {}
_snapshots_lock = threading.Lock()


# --------------------------------------------------------------------------- the Audit page's figures

SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "seq": pl.Int64, "at": pl.Datetime("us"), "user": pl.String, "role": pl.String,
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
    failed_sign_ins: int = 0


def summary(frame: pl.DataFrame) -> AuditSummary:
    """Counts over the entries shown: entries, views, reveals, distinct people (user names typed
    into a failed sign-in are not people) and cases, failed sign-ins."""
    typed = frame["action"].is_in([LOGIN_FAILED, LOCKED_OUT])
    return AuditSummary(
        entries=frame.height,
        views=int((frame["action"] == VIEW).sum()),
        reveals=int((frame["action"] == REVEAL).sum()),
        users=frame.filter(~typed)["user"].n_unique(),
        cases=frame.filter(pl.col("case_id") != "")["case_id"].n_unique(),
        failed_sign_ins=int((frame["action"] == LOGIN_FAILED).sum()),
    )


CSV_COLUMNS = ("seq", "at", "user", "role", "action", "case_id", "reason", "hash")


def to_csv(frame: pl.DataFrame) -> bytes:
    """The entries as CSV (UTF-8, header row, times as ISO-8601 UTC), as they are shown; a cell a
    spreadsheet would run as a formula is neutralised (watchfloor.export_safety)."""
    return csv_bytes(frame.select(CSV_COLUMNS).with_columns(pl.col("at").dt.strftime("%Y-%m-%dT%H:%M:%SZ")))
