"""AppTest helpers: run one page with a logged-in user of a given role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from watchfloor import auth, roles

APP_ROOT = Path(__file__).resolve().parents[2]


def built_pages() -> list[roles.PageSpec]:
    return [spec for spec in roles.PAGES if (APP_ROOT / spec.path).is_file()]


def app_for(script: str, role: str | None = None, username: str = "tester") -> AppTest:
    at = AppTest.from_file(str(APP_ROOT / script), default_timeout=60)
    if role is not None:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
        at.session_state["name"] = username.title()
        at.session_state["roles"] = [role]
        at.session_state["logout"] = None
    return at


def table_with(at: AppTest, column: str):
    """The first table drawn with this column (tables without selection have no widget id)."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a column {column!r}")


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """What a reader sees of markdown written with components.plain.md: the text without its
    backslash escapes and invisible word joiners."""
    return _ESCAPED.sub(r"\1", markdown).replace("\u2060", "")


@pytest.fixture
def users_env(tmp_path, monkeypatch):
    """A users file with one admin, and a secrets file, both in a temp dir."""
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    users = tmp_path / "users.yaml"
    auth.add_user(users, "admin_one", "admin", "correct horse battery")
    monkeypatch.setenv("WATCHFLOOR_USERS_FILE", str(users))
    monkeypatch.setenv("WATCHFLOOR_SECRETS_FILE", str(tmp_path / "secrets.toml"))
    return users
