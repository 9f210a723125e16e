"""The login gate (streamlit-authenticator) and the deep link that must survive it."""

from __future__ import annotations

from urllib.parse import urlparse

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities.exceptions import LoginError, LogoutError

from components import navigation
from components.shell import User, current_user
from watchfloor import auth, roles
from watchfloor.config import Settings

_ENTRY_PATH = "entry_page"
_ENTRY_QUERY = "entry_query"
_ENTRY_DONE = "entry_restored"
_AUTHENTICATOR = "_authenticator"


def remember_entry() -> None:
    """Keep the page and query the session was opened with, so a deep link survives the login."""
    if _ENTRY_PATH in st.session_state:
        return
    try:
        path = urlparse(st.context.url or "").path
    except Exception:  # st.context.url is unavailable outside a browser session
        path = ""
    st.session_state[_ENTRY_PATH] = path.rstrip("/").rsplit("/", 1)[-1]
    st.session_state[_ENTRY_QUERY] = {key: st.query_params.get_all(key) for key in st.query_params}


def entry_query() -> dict[str, list[str]]:
    return dict(st.session_state.get(_ENTRY_QUERY) or {})


def _authenticator(settings: Settings) -> stauth.Authenticate | None:
    try:
        users = auth.load_users(settings.users_file)
    except auth.AuthError as exc:
        st.error(f"Watchfloor cannot start: {exc}")
        return None
    if not users.get("credentials", {}).get("usernames"):
        st.error(
            f"No users are set up yet (users file: `{settings.users_file}`). "
            "Create one with `watchfloor users add NAME --role admin`."
        )
        return None
    try:
        cookie_key = auth.ensure_cookie_key(settings.secrets_file)
    except auth.AuthError as exc:
        st.error(f"Watchfloor cannot start: {exc}")
        return None
    return stauth.Authenticate(
        auth.credentials_for_authenticator(users),
        cookie_name=auth.COOKIE_NAME,
        cookie_key=cookie_key,
        cookie_expiry_days=auth.COOKIE_EXPIRY_DAYS,
        auto_hash=False,
        login_sleep_time=0,
    )


def login_gate(settings: Settings) -> User:
    """Draw the login form and stop the run until a user with a known role is logged in."""
    authenticator = _authenticator(settings)
    if authenticator is None:
        st.stop()
    st.session_state[_AUTHENTICATOR] = authenticator
    if not st.session_state.get("authentication_status"):
        left, middle, right = st.columns([1, 2, 1])
        with middle:
            st.title("Watchfloor")
            st.caption("Trust & Safety operations")
            try:
                authenticator.login(
                    location="main",
                    key="login",
                    fields={"Form name": "Log in", "Username": "Username", "Password": "Password", "Login": "Log in"},
                )
            except LoginError:
                # A cookie for a user who no longer exists: treat as logged out.
                st.session_state["authentication_status"] = None
            status = st.session_state.get("authentication_status")
            if status is False:
                # Never say which of the two was wrong.
                st.error("Username or password is incorrect.")
            if not status:
                navigation.register_for_visitor(st.session_state.get(_ENTRY_PATH) or "")
                st.stop()
    user = current_user()
    if user is None or not user.role:
        st.error("Your account has no Watchfloor role. Ask an administrator to give it one.")
        logout_button()
        st.stop()
    return user


def restore_entry(navigation_pages: dict[str, list[st.Page]], current_page: st.Page | None = None) -> None:
    """After login, go to the page the session was opened on, with its query parameters (when the
    navigation did not already land there)."""
    if st.session_state.get(_ENTRY_DONE):
        return
    st.session_state[_ENTRY_DONE] = True
    wanted = st.session_state.get(_ENTRY_PATH) or ""
    if not wanted or (current_page is not None and navigation.page_key_of(current_page) == wanted):
        return
    query = entry_query()
    for pages in navigation_pages.values():
        for page in pages:
            if navigation.page_key_of(page) == wanted:
                st.switch_page(page, query_params=query or None)


def logout_button() -> None:
    authenticator = st.session_state.get(_AUTHENTICATOR)
    if authenticator is None:
        return
    try:
        # Not key="logout": the authenticator keeps its own flag under that name.
        authenticator.logout("Log out", "sidebar", key="logout_button")
    except LogoutError:
        pass
    if st.session_state.get("logout"):
        for key in (_ENTRY_PATH, _ENTRY_QUERY, _ENTRY_DONE):
            st.session_state.pop(key, None)


def role_label(role: str) -> str:
    return roles.label(role)
