"""AppTest helpers: run one page with a logged-in user of a given role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from watchfloor import auth, roles
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
