"""Named channels and their apprise URLs, from WATCHFLOOR_ALERT_URLS or the secrets file.

Rules name channels (`ops`, `oncall`); the URLs behind a name (Slack, Teams, email, PagerDuty,
Opsgenie, a webhook: anything apprise takes) are secrets and live outside the repository:

- WATCHFLOOR_ALERT_URLS: comma-separated `name=URL` entries; an entry without `name=` belongs to
  the channel `default`. A name given here replaces the same name from the secrets file.
- the secrets file's `[alert_channels]` table: `name = "URL"` or `name = ["URL", "URL"]`.

A channel without URLs of its own uses `default`'s. URLs are never logged or shown: `mask` gives
the scheme and a short fingerprint to tell them apart.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT = "default"
TABLE = "alert_channels"
_NAMED = re.compile(r"^([a-z][a-z0-9_-]{0,31})=(.+)$", re.S)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def mask(url: str) -> str:
    """'slack://…#1a2b3c': the service and a fingerprint, never the secret parts of a URL."""
    match = _SCHEME.match(url)
    fingerprint = hashlib.sha256(url.encode("utf-8")).hexdigest()[:6]
    return f"{match.group(1).lower() if match else '?'}://…#{fingerprint}"


@dataclass(frozen=True)
class Channels:
    urls: dict[str, tuple[str, ...]] = field(default_factory=dict)
    problems: tuple[str, ...] = ()  # one line each, naming where, never a URL

    def targets(self, name: str) -> tuple[str, ...]:
        """The URLs a channel sends to: its own, else the default channel's."""
        return self.urls.get(name) or self.urls.get(DEFAULT, ())

    def describe(self, name: str) -> str:
        own = self.urls.get(name)
        if own:
            return ", ".join(mask(u) for u in own)
        if self.urls.get(DEFAULT):
            return "the default channel's: " + ", ".join(mask(u) for u in self.urls[DEFAULT])
        return "no URL: notices stay on the Alerts page"


def _from_env(text: str) -> tuple[dict[str, list[str]], list[str]]:
    urls: dict[str, list[str]] = {}
    problems = []
    for number, raw in enumerate(text.split(","), start=1):
        entry = raw.strip()
        if not entry:
            continue
        named = _NAMED.match(entry)
        name, url = (named.group(1), named.group(2).strip()) if named and "://" not in named.group(1) else (DEFAULT, entry)
        if not _SCHEME.match(url):
            problems.append(f"WATCHFLOOR_ALERT_URLS entry {number} is not a URL (service://...)")
            continue
        urls.setdefault(name, []).append(url)
    return urls, problems


def _from_secrets(path: Path) -> tuple[dict[str, list[str]], list[str]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeError, tomllib.TOMLDecodeError) as exc:
        return {}, [f"{path}: cannot be read as TOML ({type(exc).__name__})"]
    table = data.get(TABLE)
    if table is None:
        return {}, []
    if not isinstance(table, dict):
        return {}, [f"{path}: [{TABLE}] must be a table of name = URL"]
    urls: dict[str, list[str]] = {}
    problems = []
    for name, value in table.items():
        values = [value] if isinstance(value, str) else value
        if not re.match(r"^[a-z][a-z0-9_-]{0,31}$", str(name)) or not isinstance(values, list) \
                or any(not isinstance(v, str) or not _SCHEME.match(v.strip()) for v in values):
            problems.append(f"{path}: [{TABLE}] {str(name)[:32]!r} must be a channel name with a URL or a list of URLs")
            continue
        urls[name] = [v.strip() for v in values]
    return urls, problems


def load_channels(env_text: str, secrets_file: Path | None) -> Channels:
    from_secrets, problems = _from_secrets(Path(secrets_file)) if secrets_file else ({}, [])
    from_env, env_problems = _from_env(env_text or "")
    merged = {**from_secrets, **from_env}
    return Channels(urls={k: tuple(v) for k, v in merged.items()}, problems=tuple(problems + env_problems))
