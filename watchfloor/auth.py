"""The users store: a git-ignored YAML file of bcrypt hashes, plus the cookie key.

The file keeps the shape streamlit-authenticator reads (Watchfloor signs users in itself now;
docs/security.md says why)::

    credentials:
      usernames:
        jdoe:
          name: Jane Doe            # display name
          email: jdoe@example.com   # optional
          password: $2b$12$...      # bcrypt hash, never plain text
          roles: [ops_lead]         # decides the pages (watchfloor.roles)
          session_nonce: 3q2-...    # optional: changed to end every session of the user
          timezone: Europe/Berlin   # optional: where the pages show times (UTC when absent)

Only this module writes the file (for `watchfloor users` and for signing out), atomically, mode
0600, and under an exclusive lock on its folder so that two writers never lose each other's change.
"""

from __future__ import annotations

import copy
import fcntl
import os
import re
import secrets
import threading
import tomllib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import bcrypt
import yaml

from watchfloor import time_zone
from watchfloor.files import write_atomically
from watchfloor.roles import ROLE_LABELS, ROLES

BCRYPT_ROUNDS = 12  # tests lower this to 4
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_BYTES = 72  # bcrypt's limit; bcrypt 5 raises beyond it

SECRETS_SECTION = "watchfloor"
COOKIE_KEY_FIELD = "cookie_key"

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
BCRYPT_HASH_RE = re.compile(r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")

DEMO_PREFIX = "demo_"

_FILE_HEADER = (
    "# Watchfloor users: bcrypt hashes only, never plain-text passwords.\n"
    "# Manage with `watchfloor users` (add, list, remove, set-password, demo).\n"
)


class AuthError(ValueError):
    """Base class of this module's errors; str() is one line for the user."""


class UsersFileError(AuthError):
    """The users file cannot be read or has the wrong shape."""


class PlainTextPasswordError(UsersFileError):
    """The users file holds a password that is not a bcrypt hash."""

    def __init__(self, path: Path | str, username: str) -> None:
        self.path = Path(path)
        self.username = username
        super().__init__(
            f"{path}: user {username!r} has a plain-text password (the users file must hold "
            f"bcrypt hashes only); run `watchfloor users set-password {username}` to fix it"
        )


class UserError(AuthError):
    """A user operation was refused (bad name, role or password, unknown or duplicate user)."""


class UnknownUserError(UserError):
    pass


class DuplicateUserError(UserError):
    pass


class WeakPasswordError(UserError):
    pass


class SecretsFileError(AuthError):
    """The secrets TOML file cannot be read or updated."""


class UserInfo(NamedTuple):
    """What may be shown about a user: never the hash."""

    name: str
    display_name: str
    roles: tuple[str, ...]
    email: str | None = None


# --------------------------------------------------------------------------- passwords


def check_password_strength(password: str) -> None:
    """Raise WeakPasswordError unless the password is usable (12+ characters, <=72 bytes)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"password too short: use at least {MIN_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise WeakPasswordError("password must not be only whitespace")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise WeakPasswordError(f"password too long: at most {MAX_PASSWORD_BYTES} bytes (bcrypt's limit)")


def hash_password(password: str) -> str:
    """bcrypt hash of the password with BCRYPT_ROUNDS (12)."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def verify_password(password: str, hashed: str) -> bool:
    """True if the password matches the bcrypt hash; False for a wrong password or a bad hash."""
    try:
        return bcrypt.checkpw(password.encode("utf-8"), hashed.encode("ascii"))
    except (ValueError, TypeError, UnicodeError, AttributeError):
        return False


_unknown_user_hash: list[str] = []


def check_login(users: dict[str, Any], name: str, password: str) -> dict[str, Any] | None:
    """The user's entry if `password` is theirs, else None. An unknown name costs one bcrypt check
    too, so that the time taken does not tell which names exist."""
    entry = _users(users).get(name)
    if entry is None:
        if not _unknown_user_hash:
            _unknown_user_hash.append(hash_password(secrets.token_urlsafe(16)))
        verify_password(password, _unknown_user_hash[0])
        return None
    return entry if verify_password(password, entry.get("password") or "") else None


def is_bcrypt_hash(value: object) -> bool:
    return isinstance(value, str) and BCRYPT_HASH_RE.match(value) is not None


# --------------------------------------------------------------------------- validation


def validate_username(name: str) -> None:
    if not isinstance(name, str) or not USERNAME_RE.match(name):
        raise UserError(
            f"invalid user name {name!r}: use 2-32 characters, lower-case letters, digits and _ . -, "
            "starting with a letter or digit"
        )


def validate_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of: {', '.join(ROLES)}")


def _empty() -> dict[str, Any]:
    return {"credentials": {"usernames": {}}}


def _yaml_error(path: Path, exc: yaml.YAMLError) -> UsersFileError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "syntax error"
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return UsersFileError(f"{path}: not valid YAML{where}: {problem}")


def _validate(path: Path, data: Any, allow_plaintext: frozenset[str] = frozenset()) -> dict[str, Any]:
    if data is None:
        return _empty()
    if not isinstance(data, dict):
        raise UsersFileError(f"{path}: expected a mapping with 'credentials: usernames:', got {type(data).__name__}")
    creds = data.get("credentials")
    if not isinstance(creds, dict):
        raise UsersFileError(f"{path}: missing the 'credentials:' mapping (expected 'credentials: usernames: ...')")
    users = creds.get("usernames")
    if users is None:
        creds["usernames"] = users = {}
    if not isinstance(users, dict):
        raise UsersFileError(f"{path}: 'credentials.usernames' must be a mapping of user name to details")
    for name, entry in users.items():
        if not isinstance(name, str) or not USERNAME_RE.match(name):
            raise UsersFileError(
                f"{path}: invalid user name {name!r} (lower-case letters, digits and _ . -, 2-32 characters)"
            )
        if not isinstance(entry, dict):
            raise UsersFileError(f"{path}: user {name!r} must be a mapping with name, password and roles")
        password = entry.get("password")
        if password is None or password == "":
            raise UsersFileError(f"{path}: user {name!r} has no password; run `watchfloor users set-password {name}`")
        if not is_bcrypt_hash(password) and name not in allow_plaintext:
            raise PlainTextPasswordError(path, name)
        roles = entry.get("roles")
        if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
            raise UsersFileError(f"{path}: user {name!r} needs 'roles:' as a non-empty list, e.g. roles: [analyst]")
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise UsersFileError(
                f"{path}: user {name!r} has unknown role {unknown[0]!r}; known roles: {', '.join(ROLES)}"
            )
        display = entry.get("name")
        if display is not None and not isinstance(display, str):
            raise UsersFileError(f"{path}: user {name!r}: 'name' must be text")
        email = entry.get("email")
        if email is not None and not isinstance(email, str):
            raise UsersFileError(f"{path}: user {name!r}: 'email' must be text")
        nonce = entry.get("session_nonce")
        if nonce is not None and not isinstance(nonce, str):
            raise UsersFileError(f"{path}: user {name!r}: 'session_nonce' must be text")
        zone = entry.get("timezone")
        if zone is not None and not isinstance(zone, str):
            raise UsersFileError(f"{path}: user {name!r}: 'timezone' must be text, e.g. timezone: Europe/Berlin")
    return data


# The dashboard reads the users file on every page run: a parsed file is kept per path and
# reused while the file's identity and modification time stay the same (every write replaces it).
_parsed: dict[tuple[str, frozenset[str]], tuple[tuple[int, int, int], dict[str, Any]]] = {}
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the same safe loader, in C when built


def _read(path: Path | str, allow_plaintext: frozenset[str] = frozenset()) -> dict[str, Any]:
    path = Path(path)
    try:
        stat = path.stat()
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _empty()
    except IsADirectoryError:
        raise UsersFileError(f"{path}: is a directory, expected the users YAML file") from None
    except (OSError, UnicodeError) as exc:
        raise UsersFileError(f"{path}: cannot read the users file: {exc}") from None
    key, version = (str(path.resolve()), allow_plaintext), (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    known = _parsed.get(key)
    if known is not None and known[0] == version:
        return copy.deepcopy(known[1])  # callers may change what they get
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    valid = _validate(path, data, allow_plaintext)
    _parsed[key] = (version, copy.deepcopy(valid))
    return valid


# --------------------------------------------------------------------------- file I/O


@contextmanager
def _writing(path: Path | str):
    """Hold the users file's folder under an exclusive lock while it is read, changed and written."""
    folder = Path(path).parent
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def load_users(path: Path | str) -> dict[str, Any]:
    """The parsed users file; {'credentials': {'usernames': {}}} if it does not exist.

    Raises UsersFileError (one line, naming the file) for a malformed file and
    PlainTextPasswordError for a password that is not a bcrypt hash.
    """
    return _read(path)


_recent: dict[str, tuple[tuple[int, int, int], dict[str, Any]]] = {}
_recent_lock = threading.Lock()


def current_users(path: Path | str) -> dict[str, Any]:
    """load_users, parsed again only when the file has changed (checked on every dashboard run).
    Callers must not change what it returns."""
    path = Path(path)
    try:
        st = path.stat()
        signature = (st.st_mtime_ns, st.st_size, st.st_ino)
    except FileNotFoundError:
        return _empty()
    except OSError as exc:
        raise UsersFileError(f"{path}: cannot read the users file: {exc.strerror or exc}") from None
    key = str(path)  # not path.resolve(): its system calls were a tenth of a warm page run
    with _recent_lock:
        known = _recent.get(key)
    if known is not None and known[0] == signature:
        return known[1]
    data = _read(path)
    with _recent_lock:
        _recent[key] = (signature, data)
    return data


def save_users(path: Path | str, data: dict[str, Any]) -> None:
    """Write the users file atomically (temp file + os.replace), mode 0600, creating its directory."""
    path = Path(path)
    body = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)
    write_atomically(path, _FILE_HEADER + body)


# --------------------------------------------------------------------------- user operations


def _users(data: dict[str, Any]) -> dict[str, Any]:
    return data["credentials"]["usernames"]


def _info(name: str, entry: dict[str, Any]) -> UserInfo:
    return UserInfo(
        name=name,
        display_name=entry.get("name") or name,
        roles=tuple(entry.get("roles") or ()),
        email=entry.get("email"),
    )


def add_user(
    path: Path | str,
    name: str,
    role: str,
    password: str,
    display_name: str | None = None,
    *,
    email: str | None = None,
) -> UserInfo:
    """Add a user with one role; refuses a bad name, role or password and an existing user."""
    validate_username(name)
    validate_role(role)
    check_password_strength(password)
    hashed = hash_password(password)
    with _writing(path):
        data = load_users(path)
        users = _users(data)
        if name in users:
            raise DuplicateUserError(f"user {name!r} already exists in {path}")
        entry: dict[str, Any] = {"name": (display_name or "").strip() or name}
        if email:
            entry["email"] = email
        entry["password"] = hashed
        entry["roles"] = [role]
        entry["session_nonce"] = new_nonce()
        users[name] = entry
        save_users(path, data)
    return _info(name, entry)


def remove_user(path: Path | str, name: str) -> None:
    """Remove a user: their open sessions end at their next page view, their cookies stop working."""
    with _writing(path):
        data = load_users(path)
        users = _users(data)
        if name not in users:
            raise UnknownUserError(f"no user {name!r} in {path}")
        del users[name]
        save_users(path, data)


def set_password(path: Path | str, name: str, password: str) -> None:
    """Replace a user's password with a new hash (also repairs a plain-text password) and end
    every session the user has open."""
    check_password_strength(password)
    hashed = hash_password(password)
    with _writing(path):
        data = _read(path, allow_plaintext=frozenset({name}))
        users = _users(data)
        if name not in users:
            raise UnknownUserError(f"no user {name!r} in {path}")
        entry = users[name]
        entry["password"] = hashed
        entry["session_nonce"] = new_nonce()
        for leftover in ("failed_login_attempts", "logged_in"):  # streamlit-authenticator's, no longer used
            entry.pop(leftover, None)
        save_users(path, data)


def set_role(path: Path | str, name: str, role: str) -> None:
    """Give a user one role instead of the ones they have; open sessions follow at their next view."""
    validate_role(role)
    with _writing(path):
        data = load_users(path)
        entry = _users(data).get(name)
        if entry is None:
            raise UnknownUserError(f"no user {name!r} in {path}")
        entry["roles"] = [role]
        save_users(path, data)


def set_time_zone(path: Path | str, name: str, zone: str | None) -> str:
    """Remember the time zone the pages show a user's times in (an IANA name; None or 'UTC' for
    the default, UTC); returns the zone. An unknown name raises TimeZoneError (one line), and the
    file is left as it was. Sessions stay signed in."""
    chosen = time_zone.UTC if zone is None else time_zone.check(zone)
    with _writing(path):
        data = load_users(path)
        entry = _users(data).get(name)
        if entry is None:
            raise UnknownUserError(f"no user {name!r} in {path}")
        if chosen == time_zone.UTC:
            entry.pop("timezone", None)
        else:
            entry["timezone"] = chosen
        save_users(path, data)
    return chosen


def time_zone_of(entry: dict[str, Any]) -> str:
    """The zone a user's entry asks for, as stored ('UTC' when none)."""
    return entry.get("timezone") or time_zone.UTC


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


def session_nonce(entry: dict[str, Any]) -> str:
    """The user's session nonce ('' for a user added before there were nonces)."""
    return entry.get("session_nonce") or ""


def revoke_sessions(path: Path | str, name: str, unless_changed_from: str | None = None) -> bool:
    """End every session and cookie of the user by giving them a new session nonce. With
    `unless_changed_from`, only if the nonce is still that one (a sign-out racing a new password
    leaves the newer nonce alone). Returns whether the nonce was changed."""
    with _writing(path):
        data = load_users(path)
        entry = _users(data).get(name)
        if entry is None:
            return False
        if unless_changed_from is not None and session_nonce(entry) != unless_changed_from:
            return False
        entry["session_nonce"] = new_nonce()
        save_users(path, data)
    return True


def get_user(path: Path | str, name: str) -> UserInfo:
    """One user's details (no hash); UnknownUserError if absent. Tolerates that user's plain-text password."""
    data = _read(path, allow_plaintext=frozenset({name}))
    entry = _users(data).get(name)
    if entry is None:
        raise UnknownUserError(f"no user {name!r} in {path}")
    return _info(name, entry)


def list_users(path: Path | str) -> list[UserInfo]:
    """All users sorted by name: name, display name, roles, email -- never hashes."""
    users = _users(load_users(path))
    return [_info(name, users[name]) for name in sorted(users)]


def demo_username(role: str) -> str:
    return f"{DEMO_PREFIX}{role}"


def ensure_demo_users(path: Path | str) -> dict[str, str]:
    """Create demo_<role> for each role that lacks one; return {name: password} of those created only."""
    with _writing(path):
        data = load_users(path)
        users = _users(data)
        created: dict[str, str] = {}
        for role in ROLES:
            name = demo_username(role)
            if name in users:
                continue
            password = secrets.token_urlsafe(12)  # 16 characters
            users[name] = {
                "name": f"Demo {ROLE_LABELS[role].lower()}",
                "password": hash_password(password),
                "roles": [role],
                "session_nonce": new_nonce(),
            }
            created[name] = password
        if created:
            save_users(path, data)
    return created


# --------------------------------------------------------------------------- cookie key

_SECTION_HEADER_RE = re.compile(r"^[ \t]*\[[ \t]*" + re.escape(SECRETS_SECTION) + r"[ \t]*\][ \t]*(#.*)?$", re.M)


def _read_secrets(path: Path) -> tuple[str, dict[str, Any]] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeError) as exc:
        raise SecretsFileError(f"{path}: cannot read the secrets file: {exc}") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SecretsFileError(f"{path}: not valid TOML: {exc}") from None


def _existing_key(path: Path, parsed: dict[str, Any]) -> str | None:
    section = parsed.get(SECRETS_SECTION)
    if section is None:
        return None
    if not isinstance(section, dict):
        raise SecretsFileError(f"{path}: '{SECRETS_SECTION}' must be a table ([{SECRETS_SECTION}])")
    key = section.get(COOKIE_KEY_FIELD)
    if key is None:
        return None
    if not isinstance(key, str) or not key:
        raise SecretsFileError(f"{path}: [{SECRETS_SECTION}] {COOKIE_KEY_FIELD} must be a non-empty string")
    return key


def ensure_cookie_key(secrets_path: Path | str) -> str:
    """The [auth] cookie_key from the secrets TOML, generated and written (mode 0600) if missing.

    Other content of the file (keys, tables, comments) is kept.
    """
    path = Path(secrets_path)
    current = _read_secrets(path)
    if current is not None:
        key = _existing_key(path, current[1])
        if key is not None:
            return key
    key = secrets.token_urlsafe(48)
    line = f'{COOKIE_KEY_FIELD} = "{key}"\n'
    if current is None:
        text = f"# Generated by Watchfloor; keep this file private (git-ignored).\n[{SECRETS_SECTION}]\n{line}"
        try:
            write_atomically(path, text, exclusive=True)
        except FileExistsError:  # another process created it meanwhile: use theirs
            return ensure_cookie_key(path)
        return key
    text = current[0]
    match = _SECTION_HEADER_RE.search(text)
    if match:
        insert_at = match.end()
        new_text = text[:insert_at] + "\n" + line.rstrip("\n") + text[insert_at:]
        if insert_at == len(text):
            new_text += "\n"
    else:
        sep = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        new_text = f"{text}{sep}[{SECRETS_SECTION}]\n{line}"
    try:
        ok = tomllib.loads(new_text).get(SECRETS_SECTION, {}).get(COOKIE_KEY_FIELD) == key
    except tomllib.TOMLDecodeError:
        ok = False
    if not ok:  # e.g. 'auth' written as dotted keys or an inline table
        raise SecretsFileError(
            f"{path}: cannot add {COOKIE_KEY_FIELD} automatically; add a [{SECRETS_SECTION}] table with "
            f"{COOKIE_KEY_FIELD} = \"<random string>\" yourself"
        )
    write_atomically(path, new_text)
    return key
