"""AppTest helpers: run one page with a logged-in user of a given role."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from watchfloor import audit, auth, roles
from watchfloor.config import load_settings

APP_ROOT = Path(__file__).resolve().parents[2]


def built_pages() -> list[roles.PageSpec]:
    return [spec for spec in roles.PAGES if (APP_ROOT / spec.path).is_file()]


def signed_in_user(username: str, role: str) -> str:
    """Put `username` with `role` into the users file the settings name (every run checks the
    signed-in user against it); returns the user's session nonce."""
    path = load_settings().users_file
    data = auth.load_users(path)
    entry = data["credentials"]["usernames"].setdefault(username, {"name": username.title(),
                                                                  "password": _TEST_HASH,
                                                                  "session_nonce": auth.new_nonce()})
    entry["roles"] = [role]
    auth.save_users(path, data)
    return auth.session_nonce(entry)


_TEST_HASH = "$2b$04$" + "a" * 53  # a well-formed bcrypt hash no password matches


def app_for(script: str, role: str | None = None, username: str = "tester") -> AppTest:
    """An AppTest of the script; with `role`, signed in as `username` (who is put into the users file)."""
    at = AppTest.from_file(str(APP_ROOT / script), default_timeout=60)
    if role is not None:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
        at.session_state["name"] = username.title()
        at.session_state["roles"] = [role]
        at.session_state["session_nonce"] = signed_in_user(username, role)
    return at


def table_with(at: AppTest, column: str):
    """The first table drawn with this column (tables without selection have no widget id)."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a column {column!r}")


def errors(at: AppTest) -> list[str]:
    """The error messages as a reader sees them."""
    return [shown(e.value) for e in at.error]


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """What a reader sees of markdown written with components.plain.md: the text without its
    backslash escapes and invisible word joiners."""
    return _ESCAPED.sub(r"\1", markdown).replace("\u2060", "")


@pytest.fixture
def users_env(tmp_path, monkeypatch):
    """A users file with one admin, in a temp dir."""
    users = tmp_path / "users.yaml"
    auth.add_user(users, "admin_one", "admin", "correct horse battery")
    monkeypatch.setenv("WATCHFLOOR_USERS_FILE", str(users))
    return users


# The audit log the Audit page and the display time zone tests read: four entries, written below;
# by hand, the page shows
#   all:            4 entries, 3 views, 1 reveal, 2 people (ana, ole), 3 cases (k1, k2, k3)
#   ana only:       3 entries (seq 1, 2, 4), 2 views, 1 reveal
#   reveals only:   1 entry (seq 2)
#   18 November:    2 entries (seq 1, 2)
ENTRIES = [
    ("ana", "analyst", audit.VIEW, "k1", "", datetime(2026, 11, 18, 9, 0)),
    ("ana", "analyst", audit.REVEAL, "k1", "ticket T-1 check wording", datetime(2026, 11, 18, 9, 5)),
    ("ole", "ops_lead", audit.VIEW, "k2", "", datetime(2026, 11, 19, 10, 0)),
    ("ana", "analyst", audit.VIEW, "k3", "", datetime(2026, 11, 20, 11, 0)),
]


@pytest.fixture
def audit_env(monkeypatch, tmp_path) -> Path:
    path = tmp_path / "audit.jsonl"
    monkeypatch.setenv("WATCHFLOOR_AUDIT_LOG", str(path))
    return path


@pytest.fixture
def filled(audit_env) -> Path:
    log = audit.AuditLog(audit_env)
    for user, role, action, case_id, reason, when in ENTRIES:
        log.append(user=user, role=role, action=action, case_id=case_id, reason=reason, when=when)
    return audit_env
