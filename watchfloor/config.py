"""Settings read from the environment, with documented defaults (docs/configuration.md)."""

from __future__ import annotations

import functools
import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from watchfloor.sessions import ThrottleRules

DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
DEFAULT_USERS_FILE = "data/users.yaml"
DEFAULT_SECRETS_FILE = ".streamlit/secrets.toml"
DEFAULT_AUDIT_LOG = "data/audit.jsonl"

REGIONS = ("AMER", "EMEA", "APAC")
PRIORITIES = ("P0", "P1", "P2", "P3")
TIERS = ("L1", "L2", "SME")
CASE_STATUSES = ("new", "queued", "in_review", "pending_info", "escalated", "resolved")
OPEN_STATUSES = ("new", "queued", "in_review", "pending_info", "escalated")
EVENT_TYPES = (
    "created", "routed", "assigned", "first_action", "pending_info", "info_received",
    "escalated", "decided", "enforced", "reopened", "resolved",
)
DECISIONS = ("violating", "non_violating", "insufficient_info")
ENFORCEMENT_ACTIONS = (
    "none", "warning", "content_removed", "feature_restricted", "account_suspended",
    "account_banned", "reported_to_authorities",
)
SOURCES = ("user_report", "classifier", "proactive", "trusted_flagger", "law_enforcement", "internal_escalation")
SEVERITIES = ("SEV0", "SEV1", "SEV2", "SEV3")


class ConfigError(ValueError):
    """A setting has a value Watchfloor cannot use."""


def _int_env(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def _positive_env(name: str, default: float) -> float:
    value = _float_env(name, default)
    if not value > 0:
        raise ConfigError(f"{name} must be above 0, got {value:g}")
    return value


def _count_env(name: str, default: int) -> int:
    value = _positive_env(name, default)
    if value != int(value):
        raise ConfigError(f"{name} must be a whole number, got {value:g}")
    return int(value)


# A DuckDB memory size: a number and a unit, or a share of the machine's memory ('25%').
_MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*(%|[KMGT]i?B)", re.IGNORECASE)


def _memory_env(name: str, default: str) -> str:
    value = (os.environ.get(name) or "").strip() or default
    if not _MEMORY_SIZE.fullmatch(value):
        raise ConfigError(f"{name} must be a size such as 4GB, 512MiB or 25%, got {value!r}")
    return value


def default_query_workers() -> int:
    """One more than the machine's cores: a query waits on disk or on its result's conversion part
    of the time, and DuckDB spreads each query over every core anyway."""
    return max(2, (os.cpu_count() or 1) + 1)


@dataclass(frozen=True)
class Settings:
    warehouse: str
    users_file: Path
    secrets_file: Path
    cache_ttl_seconds: float
    freshness_amber_minutes: float
    freshness_red_minutes: float
    as_of: datetime | None
    # The audit log of case views and reveals (watchfloor/audit.py); outside the warehouse.
    audit_log: Path = Path(DEFAULT_AUDIT_LOG)
    # The dashboard's "now" moves in steps of this many seconds (see dashboard_now).
    refresh_seconds: float = 60.0
    # A warehouse query running longer than this is cancelled.
    query_timeout_seconds: float = 30.0
    # Threads that run warehouse queries for every session, and how many of them one session may use.
    query_workers: int = 3
    session_queries: int = 2
    # Its key (read only) and its head (the newest entry, kept apart from the log).
    audit_key_file: Path = Path(".streamlit/audit.key")
    audit_head_file: Path = Path(".streamlit/audit-head.json")
    # Failed sign-ins allowed per user name and per client before a lock-out (watchfloor.sessions).
    login_throttle: ThrottleRules = field(default_factory=ThrottleRules)
    # DuckDB's memory for this process's reader connections (DuckDB's own default is 80 % of the
    # machine, for each process that reads: the server, the alert worker and a command at once
    # could take more than the machine has). Past it, queries spill to disk.
    reader_memory_limit: str = "25%"

    @property
    def warehouse_is_url(self) -> bool:
        return "://" in self.warehouse


def parse_time(text: str) -> datetime:
    """Parse an ISO-8601 time (or 'now') into a naive UTC datetime."""
    text = text.strip()
    if text.lower() == "now":
        return utc_now()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConfigError(f"not an ISO-8601 time: {text!r}") from exc
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def load_settings(warehouse: str | None = None) -> Settings:
    """Read settings; an explicit warehouse argument wins over WATCHFLOOR_WAREHOUSE.

    Every page run asks for them: they are read again only when one of VARIABLES or the working
    directory (relative paths) has changed."""
    environment = tuple(os.environ.get(name) for name in VARIABLES)  # not os.environ.items(): 50x slower
    return _read_settings(warehouse, environment, os.getcwd())


# Every environment variable the settings are read from (tests/unit/test_config_cache.py keeps
# this list complete).
VARIABLES = (
    "WATCHFLOOR_AS_OF", "WATCHFLOOR_AUDIT_HEAD_FILE", "WATCHFLOOR_AUDIT_KEY_FILE", "WATCHFLOOR_AUDIT_LOG",
    "WATCHFLOOR_CACHE_TTL_SECONDS", "WATCHFLOOR_FRESHNESS_AMBER_MINUTES", "WATCHFLOOR_FRESHNESS_RED_MINUTES",
    "WATCHFLOOR_LOGIN_ATTEMPTS", "WATCHFLOOR_LOGIN_CLIENT_ATTEMPTS", "WATCHFLOOR_LOGIN_LOCKOUT_MINUTES",
    "WATCHFLOOR_QUERY_TIMEOUT_SECONDS", "WATCHFLOOR_QUERY_WORKERS", "WATCHFLOOR_READER_MEMORY_LIMIT",
    "WATCHFLOOR_REFRESH_SECONDS",
    "WATCHFLOOR_SECRETS_FILE", "WATCHFLOOR_SESSION_QUERIES", "WATCHFLOOR_USERS_FILE", "WATCHFLOOR_WAREHOUSE",
)


@functools.lru_cache(maxsize=16)
def _read_settings(warehouse: str | None, _environment: tuple, _cwd: str) -> Settings:
    as_of_raw = os.environ.get("WATCHFLOOR_AS_OF", "").strip()
    amber = _float_env("WATCHFLOOR_FRESHNESS_AMBER_MINUTES", 15.0)
    red = _float_env("WATCHFLOOR_FRESHNESS_RED_MINUTES", 60.0)
    if red < amber:
        raise ConfigError("WATCHFLOOR_FRESHNESS_RED_MINUTES must not be below the amber threshold")
    workers = _count_env("WATCHFLOOR_QUERY_WORKERS", default_query_workers())
    session_queries = _count_env("WATCHFLOOR_SESSION_QUERIES", max(1, workers - 1))
    lockout = _float_env("WATCHFLOOR_LOGIN_LOCKOUT_MINUTES", 15.0) * 60
    throttle = ThrottleRules(attempts_per_user=_int_env("WATCHFLOOR_LOGIN_ATTEMPTS", 5),
                             attempts_per_client=_int_env("WATCHFLOOR_LOGIN_CLIENT_ATTEMPTS", 20),
                             window_seconds=max(lockout, 60.0), lockout_seconds=max(lockout, 60.0))
    log = audit_log_path(warehouse or os.environ.get("WATCHFLOOR_WAREHOUSE") or DEFAULT_WAREHOUSE)
    return Settings(
        warehouse=warehouse or os.environ.get("WATCHFLOOR_WAREHOUSE") or DEFAULT_WAREHOUSE,
        users_file=Path(os.environ.get("WATCHFLOOR_USERS_FILE") or DEFAULT_USERS_FILE),
        secrets_file=Path(os.environ.get("WATCHFLOOR_SECRETS_FILE") or DEFAULT_SECRETS_FILE),
        cache_ttl_seconds=_float_env("WATCHFLOOR_CACHE_TTL_SECONDS", 60.0),
        freshness_amber_minutes=amber,
        freshness_red_minutes=red,
        as_of=parse_time(as_of_raw) if as_of_raw else None,
        refresh_seconds=_positive_env("WATCHFLOOR_REFRESH_SECONDS", 60.0),
        query_timeout_seconds=_positive_env("WATCHFLOOR_QUERY_TIMEOUT_SECONDS", 30.0),
        query_workers=workers,
        session_queries=min(session_queries, workers),
        audit_log=log,
        audit_key_file=audit_key_path(),
        audit_head_file=audit_head_path(log),
        login_throttle=throttle,
        reader_memory_limit=_memory_env("WATCHFLOOR_READER_MEMORY_LIMIT", "25%"),
    )


def audit_log_path(warehouse: str) -> Path:
    """WATCHFLOOR_AUDIT_LOG, else audit.jsonl beside the warehouse file (a server warehouse:
    data/audit.jsonl), so each warehouse keeps the record of who looked at its cases."""
    explicit = os.environ.get("WATCHFLOOR_AUDIT_LOG", "").strip()
    if explicit:
        return Path(explicit)
    if "://" in warehouse:
        return Path(DEFAULT_AUDIT_LOG)
    return Path(warehouse).parent / "audit.jsonl"


def _secrets_folder() -> Path:
    return Path(os.environ.get("WATCHFLOOR_SECRETS_FILE") or DEFAULT_SECRETS_FILE).parent


def audit_key_path() -> Path:
    """WATCHFLOOR_AUDIT_KEY_FILE, else audit.key beside the secrets file (.streamlit/audit.key):
    apart from the log, which lives with the data."""
    explicit = os.environ.get("WATCHFLOOR_AUDIT_KEY_FILE", "").strip()
    return Path(explicit) if explicit else _secrets_folder() / "audit.key"


def audit_head_path(log: Path) -> Path:
    """WATCHFLOOR_AUDIT_HEAD_FILE, else a file beside the secrets file named after the log's full
    path (each log has its own head)."""
    explicit = os.environ.get("WATCHFLOOR_AUDIT_HEAD_FILE", "").strip()
    if explicit:
        return Path(explicit)
    tag = hashlib.sha256(str(Path(log).resolve()).encode("utf-8")).hexdigest()[:12]
    return _secrets_folder() / f"audit-head-{tag}.json"


def now(settings: Settings | None = None) -> datetime:
    """The dashboard's 'now': the pinned WATCHFLOOR_AS_OF if set, else the wall clock (UTC)."""
    settings = settings or load_settings()
    return settings.as_of or utc_now()


def snap(moment: datetime, seconds: float) -> datetime:
    """`moment` floored to a multiple of `seconds` since midnight UTC, 1 January 1970."""
    step = timedelta(seconds=seconds)
    epoch = datetime(1970, 1, 1)
    return epoch + ((moment - epoch) // step) * step


def dashboard_now(settings: Settings | None = None) -> datetime:
    """The 'now' pages ask the warehouse about: the wall clock snapped down to the refresh interval
    (WATCHFLOOR_REFRESH_SECONDS), so everyone who opens a page within one interval asks the same
    questions and shares one run of each query; a pinned WATCHFLOOR_AS_OF floored to the minute."""
    settings = settings or load_settings()
    if settings.as_of is not None:
        return settings.as_of.replace(second=0, microsecond=0)
    return snap(utc_now(), settings.refresh_seconds)
