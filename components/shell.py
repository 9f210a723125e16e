"""The frame every page lives in: who is logged in (checked again on every run), may they see this
page, is there data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl
import streamlit as st

import queries
from components import plain
from queries import plans
from watchfloor import audit, auth, roles
from watchfloor.config import Settings, load_settings, now
from watchfloor.warehouse import WarehouseEmpty, WarehouseError, WarehouseMissing, check_ready


@dataclass(frozen=True)
class User:
    username: str
    name: str
    role: str


# What a signed-in session holds (components/login.py sets them when a user signs in).
SESSION_KEYS = ("authentication_status", "username", "name", "roles", "session_nonce")


def current_user() -> User | None:
    """The signed-in user as the users file has them now, or None.

    Checked on every run (and every fragment run that calls guard): a user removed from the users
    file, or whose sessions were ended (signed out elsewhere, a new password, `watchfloor users
    revoke`), is signed out here at once; a changed role or name applies at once."""
    if not st.session_state.get("authentication_status"):
        return None
    username = st.session_state.get("username") or ""
    settings = load_settings()
    try:
        entry = auth.current_users(settings.users_file)["credentials"]["usernames"].get(username)
    except auth.AuthError:
        entry = None  # an unreadable users file signs nobody in
    if entry is None or auth.session_nonce(entry) != (st.session_state.get("session_nonce") or ""):
        role = next((r for r in st.session_state.get("roles") or [] if r in roles.ROLES), "")
        end_session(settings, User(username, username, role),
                    "the account was removed" if entry is None else "your sessions were ended (signed out "
                    "elsewhere, a new password, or by an administrator)", audit.SESSION_ENDED)
        return None
    user_roles = list(entry.get("roles") or [])
    st.session_state["roles"], st.session_state["name"] = user_roles, entry.get("name") or username
    role = next((r for r in user_roles if r in roles.ROLES), "")
    return User(username=username, name=entry.get("name") or username, role=role)


def end_session(settings: Settings, user: User, why: str, action: str) -> None:
    """Forget who is signed in to this session, and record why."""
    for key in SESSION_KEYS:
        st.session_state.pop(key, None)
    st.session_state["session_ended"] = why
    try:
        record(settings, user.username, user.role, action, why)
    except (audit.AuditError, OSError):
        pass  # the session ends whether or not the log can say so


def record(settings: Settings, username: str, role: str, action: str, detail: str) -> None:
    """One sign-in event in the audit log."""
    audit.AuditLog(settings.audit_log, key_file=settings.audit_key_file).append(
        user=username, role=role, action=action, case_id="", reason=detail)


def guard(page_key: str) -> User:
    """Stop the page unless a logged-in user whose role may see it is present."""
    user = current_user()
    if user is None:
        st.error("Please log in to see this page.")
        st.stop()
    if not roles.can_view(user.role, page_key):
        st.error(f"Your role ({roles.label(user.role)}) does not give access to this page.")
        st.stop()
    st.session_state[_PAGE_BEFORE] = st.session_state.get(_PAGE_NOW)
    st.session_state[_PAGE_NOW] = page_key
    return user


_PAGE_NOW, _PAGE_BEFORE = "shell_page_now", "shell_page_before"


def arrived(page_key: str) -> bool:
    """Whether this run opened the page from elsewhere (another page, a link, a reload, a new
    session) rather than rerunning it. Kept in plain session keys, which survive a run that a
    rerun request cuts short; widget state may not."""
    return st.session_state.get(_PAGE_BEFORE) != page_key


def as_of() -> datetime:
    """The dashboard's 'now', floored to the minute so that cached results can be reused."""
    return now(load_settings()).replace(second=0, microsecond=0)


def warehouse_ready() -> bool:
    """True if the warehouse holds data; otherwise draws the 'no warehouse' page."""
    settings = load_settings()
    try:
        _cached_check(settings.warehouse)
        return True
    except WarehouseMissing:
        st.header("No warehouse yet")
        st.write(f"Watchfloor found no case warehouse at `{settings.warehouse}`.")
    except WarehouseEmpty as exc:
        st.header("The warehouse is empty")
        st.write(plain.md(str(exc).capitalize() + "."))
    except WarehouseError as exc:
        st.header("The warehouse cannot be read")
        st.write(plain.md(exc))
    st.markdown("To build the demo warehouse, run:")
    st.code("make run            # or: watchfloor seed --demo", language="bash")
    st.markdown("To use your own data, create the tables, load your exports into them and point Watchfloor at the file:")
    st.code("watchfloor init --warehouse PATH\nwatchfloor serve --warehouse PATH   # or set WATCHFLOOR_WAREHOUSE=PATH", language="bash")
    st.markdown("The tables and columns are described in `docs/warehouse.md`.")
    return False


def _cached_check(warehouse: str) -> int:
    # Checked at most every few seconds per process: cheap, but it opens the file.
    key = ("__ready__", warehouse)
    hit = queries.cache.get(key)
    if hit is not None:
        return int(hit.item())
    count = check_ready(warehouse)
    queries.cache.put(key, pl.DataFrame({"cases": [count]}), ttl=5.0)
    return count


def show_query_error(exc: Exception) -> None:
    st.error(f"This part of the page could not be loaded: {plain.md(exc)}")


def fetch_or_stop(plan: list[plans.QueryCall]) -> dict[str, pl.DataFrame]:
    """A page's frames; if the warehouse or a query fails, a clear message and the page stops."""
    try:
        return plans.fetch(plan)
    except (queries.QueryError, WarehouseError) as exc:
        show_query_error(exc)
        st.stop()
