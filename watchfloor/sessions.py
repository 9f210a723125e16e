"""Sign-in sessions: the signed session token, the hand-over of that token to the browser as an
HttpOnly cookie, and the throttle on failed sign-ins. docs/security.md explains the design.

A token names the user, the user's *session nonce* at sign-in, when it was issued and when it
expires, signed with HMAC-SHA256 under the cookie key of the secrets file. It is valid while the
signature holds, it has not expired, the user is still in the users file and the user's nonce is
still the one in the token: signing out, a new password or an administrator's `watchfloor users
revoke` give the user a new nonce (watchfloor.auth), which ends every session and cookie of theirs.

Browser JavaScript never sees the token. The sign-in happens over Streamlit's websocket, which
cannot set cookies, so the run that signs a user in leaves the token here under a one-time
*ticket* (random, single use, two minutes); the page posts the ticket to `/_wf/session`
(watchfloor.web), whose response sets the cookie HttpOnly, SameSite=Strict, and Secure over HTTPS.

Nothing here imports Streamlit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

COOKIE_NAME = "watchfloor_session"
SESSION_SECONDS = 24 * 3600  # a sign-in lasts a day
TICKET_SECONDS = 120
TOKEN_VERSION = 1


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    username: str
    nonce: str
    issued_at: float
    expires_at: float


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: str, body: str) -> str:
    return _b64(hmac.new(key.encode("utf-8"), b"watchfloor-session." + body.encode("ascii"), hashlib.sha256).digest())


def issue(key: str, username: str, nonce: str, now: float | None = None,
          lifetime: float = SESSION_SECONDS) -> str:
    """A signed token for `username` with the user's current session nonce."""
    now = time.time() if now is None else now
    payload = {"v": TOKEN_VERSION, "u": username, "n": nonce, "iat": int(now), "exp": int(now + lifetime),
               "id": secrets.token_urlsafe(9)}
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{body}.{_mac(key, body)}"


def read(key: str, token: str | None, now: float | None = None) -> Token | None:
    """The token's content if its signature is right and it has not expired; None otherwise (whether
    the user and the nonce are still current is for the caller, who has the users file)."""
    if not token or not isinstance(token, str) or len(token) > 4096 or token.count(".") != 1:
        return None
    body, mac = token.split(".")
    if not hmac.compare_digest(mac, _mac(key, body)):
        return None
    try:
        payload = json.loads(_unb64(body))
        parsed = Token(username=str(payload["u"]), nonce=str(payload["n"]), issued_at=float(payload["iat"]),
                       expires_at=float(payload["exp"]))
    except (ValueError, KeyError, TypeError):
        return None
    now = time.time() if now is None else now
    if payload.get("v") != TOKEN_VERSION or parsed.expires_at <= now or parsed.issued_at > now + 300:
        return None
    return parsed


# --------------------------------------------------------------------------- tickets


class Tickets:
    """One-time tickets, each standing for one token, redeemed once within TICKET_SECONDS."""

    def __init__(self, lifetime: float = TICKET_SECONDS) -> None:
        self._lifetime = lifetime
        self._held: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def hold(self, token: str, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        ticket = secrets.token_urlsafe(32)
        with self._lock:
            self._held = {t: v for t, v in self._held.items() if v[0] > now}
            self._held[ticket] = (now + self._lifetime, token)
        return ticket

    def redeem(self, ticket: str | None, now: float | None = None) -> str | None:
        """The token for this ticket, once; None for an unknown, used or expired ticket."""
        if not ticket:
            return None
        now = time.monotonic() if now is None else now
        with self._lock:
            held = self._held.pop(ticket, None)
        if held is None or held[0] <= now:
            return None
        return held[1]


TICKETS = Tickets()


# --------------------------------------------------------------------------- the sign-in throttle


@dataclass(frozen=True)
class ThrottleRules:
    attempts_per_user: int = 5  # failed sign-ins under one user name within the window ...
    attempts_per_client: int = 20  # ... or from one client address, before it is locked out
    window_seconds: float = 15 * 60
    lockout_seconds: float = 15 * 60


@dataclass
class _Track:
    failures: deque = field(default_factory=deque)
    locked_until: float = 0.0


@dataclass(frozen=True)
class Verdict:
    """The throttle's answer for one attempt: allowed, or locked (and for how long, and by what)."""
    allowed: bool
    wait_seconds: float = 0.0
    by: str = ""  # "user" or "client"


class LoginThrottle:
    """Failed sign-ins counted per user name (as typed, lower-cased) and per client address over a
    sliding window; past the limit that name or client is locked out for the lockout time, and its
    attempts are refused before any password is checked. Kept in the server's memory: a restart
    forgets it (each failure is in the audit log)."""

    MAX_TRACKED = 50_000  # names and clients remembered at most (the oldest are forgotten first)

    def __init__(self, rules: ThrottleRules | None = None) -> None:
        self.rules = rules or ThrottleRules()
        self._users: dict[str, _Track] = {}
        self._clients: dict[str, _Track] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(username: str) -> str:
        return " ".join((username or "").split()).lower()[:200]

    def check(self, username: str, client: str, now: float | None = None) -> Verdict:
        now = time.monotonic() if now is None else now
        with self._lock:
            for by, table, key in (("user", self._users, self._key(username)), ("client", self._clients, client)):
                track = table.get(key)
                if track is not None and track.locked_until > now:
                    return Verdict(False, track.locked_until - now, by)
        return Verdict(True)

    def failed(self, username: str, client: str, now: float | None = None) -> Verdict:
        """Count a failed attempt; a Verdict that is not allowed when it has just locked something."""
        now = time.monotonic() if now is None else now
        rules = self.rules
        verdict = Verdict(True)
        with self._lock:
            for by, table, key, limit in (("user", self._users, self._key(username), rules.attempts_per_user),
                                          ("client", self._clients, client, rules.attempts_per_client)):
                track = table.pop(key, None) or _Track()
                table[key] = track  # most recently used last
                while track.failures and track.failures[0] <= now - rules.window_seconds:
                    track.failures.popleft()
                track.failures.append(now)
                if len(track.failures) >= limit:
                    track.locked_until = now + rules.lockout_seconds
                    track.failures.clear()
                    if verdict.allowed:
                        verdict = Verdict(False, rules.lockout_seconds, by)
                while len(table) > self.MAX_TRACKED:
                    table.pop(next(iter(table)))
        return verdict

    def succeeded(self, username: str) -> None:
        """A right password clears the name's failures (not the client's: one own account must not
        reset a client's count of guesses at others)."""
        with self._lock:
            self._users.pop(self._key(username), None)


THROTTLE = LoginThrottle()
