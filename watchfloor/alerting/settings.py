"""Where the alerts keep their rules and state, and where their links point (docs/configuration.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from watchfloor.config import ConfigError, Settings, load_settings

DEFAULT_BASE_URL = "http://localhost:8501"
DEFAULT_INTERVAL_SECONDS = 60.0


@dataclass(frozen=True)
class AlertSettings:
    rules_file: Path  # the rules the worker follows and the Alerts page edits
    store: Path  # open alerts, history and deliveries (SQLite)
    base_url: str  # the dashboard's address, for the links in messages
    interval_seconds: float  # how often the worker evaluates every rule
    urls: str  # WATCHFLOOR_ALERT_URLS as given (channel URLs: never logged)
    secrets_file: Path  # may hold an [alert_channels] table
    digest_dir: Path  # copies of the digests sent (the weekly summary's HTML is attached from here)


def _beside_warehouse(warehouse: str, name: str) -> Path:
    """A file beside the warehouse file (data/NAME for a server warehouse), like the audit log."""
    if "://" in warehouse:
        return Path("data") / name
    return Path(warehouse).parent / name


def load_alert_settings(warehouse: str | None = None, settings: Settings | None = None) -> AlertSettings:
    settings = settings or load_settings(warehouse)
    raw_interval = os.environ.get("WATCHFLOOR_ALERT_INTERVAL_SECONDS", "").strip()
    try:
        interval = float(raw_interval) if raw_interval else DEFAULT_INTERVAL_SECONDS
    except ValueError:
        raise ConfigError(f"WATCHFLOOR_ALERT_INTERVAL_SECONDS must be a number, got {raw_interval!r}") from None
    if not 1 <= interval <= 86400:
        raise ConfigError("WATCHFLOOR_ALERT_INTERVAL_SECONDS must be between 1 and 86400")
    base_url = (os.environ.get("WATCHFLOOR_BASE_URL") or DEFAULT_BASE_URL).strip().rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"WATCHFLOOR_BASE_URL must start with http:// or https://, got {base_url!r}")
    return AlertSettings(
        rules_file=Path(os.environ.get("WATCHFLOOR_ALERT_RULES") or _beside_warehouse(settings.warehouse, "alert-rules.yaml")),
        store=Path(os.environ.get("WATCHFLOOR_ALERT_STORE") or _beside_warehouse(settings.warehouse, "alerts.sqlite")),
        base_url=base_url,
        interval_seconds=interval,
        urls=os.environ.get("WATCHFLOOR_ALERT_URLS", ""),
        secrets_file=settings.secrets_file,
        digest_dir=_beside_warehouse(settings.warehouse, "digests"),
    )
