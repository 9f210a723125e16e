"""The sign-in gate, signing out, the session cookie, and the deep link that must survive the sign-in.

A visitor with a valid session cookie is signed in from it; anyone else gets the sign-in form,
throttled per user name and per client (watchfloor.sessions). Signing in, failures, lock-outs and
signing out go to the audit log. Whether a signed-in user is still who they were is checked on
every run by shell.current_user. docs/security.md describes the whole design.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlparse

import streamlit as st

from components import navigation, plain
from components.shell import User, current_user, end_session, record
from watchfloor import audit, auth, roles, sessions
from watchfloor.config import Settings, load_settings

_ENTRY_PATH = "entry_page"
_ENTRY_QUERY = "entry_query"
_ENTRY_DONE = "entry_restored"
_COOKIE_TODO = "session_cookie_todo"  # (id, request body) for the page to post to /_wf/session
_FAILED = "Username or password is incorrect."

# Runs in the page: posts the one-time ticket (or the sign-out) to the server, whose answer sets
# or clears the HttpOnly cookie, and reports back so that it is done once.
_COOKIE_JS = """
const sent = new Set();
export default function (component) {
  const { data, setStateValue } = component;
  if (!data || !data.body || sent.has(data.id)) return;
  sent.add(data.id);
  fetch(data.path, { method: "POST", body: data.body, credentials: "same-origin", cache: "no-store" })
    .then((answer) => setStateValue("sent", data.id + ":" + answer.status))
    .catch(() => setStateValue("sent", data.id + ":failed"));
}
"""
_cookie_writer = st.components.v2.component("watchfloor_session_cookie", js=_COOKIE_JS)


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


def _users(settings: Settings) -> dict | None:
    try:
        users = auth.current_users(settings.users_file)
    except auth.AuthError as exc:
        st.error(f"Watchfloor cannot start: {plain.md(exc)}")
        return None
    if not users["credentials"]["usernames"]:
        st.error(
            f"No users are set up yet (users file: `{settings.users_file}`). "
            "Create one with `watchfloor users add NAME --role admin`."
        )
        return None
    return users


def _cookie_key(settings: Settings) -> str | None:
    try:
        return auth.ensure_cookie_key(settings.secrets_file)
    except auth.AuthError as exc:
        st.error(f"Watchfloor cannot start: {plain.md(exc)}")
        return None


def _client() -> str:
    """The client's address as the server sees it (behind a proxy on this host: as the proxy says)."""
    try:
        address = st.context.ip_address
    except Exception:  # no browser session (a test run)
        address = None
    return address if isinstance(address, str) and address else "localhost"


def _signed_in(username: str, entry: dict, how: str, settings: Settings) -> bool:
    """Start the session for `username`; False (and a message) if it cannot be recorded."""
    user_roles = list(entry.get("roles") or [])
    role = next((r for r in user_roles if r in roles.ROLES), "")
    try:
        record(settings, username, role, audit.LOGIN, f"{how}; client {_client()}")
    except (audit.AuditError, OSError) as exc:
        st.error(f"Signing in is not possible now: it could not be recorded in the audit log ({plain.md(exc)}).")
        return False
    st.session_state.update({
        "authentication_status": True, "username": username, "name": entry.get("name") or username,
        "roles": user_roles, "session_nonce": auth.session_nonce(entry),
    })
    return True


def _from_cookie(users: dict, key: str, settings: Settings) -> bool:
    token = sessions.read(key, st.context.cookies.get(sessions.COOKIE_NAME))
    if token is None:
        return False
    entry = users["credentials"]["usernames"].get(token.username)
    if entry is None or auth.session_nonce(entry) != token.nonce:
        _clear_cookie()  # a revoked cookie: the browser may as well forget it
        return False
    return _signed_in(token.username, entry, "from the session cookie", settings)


def _attempt(username: str, password: str, users: dict, key: str, settings: Settings) -> None:
    """One press of "Log in": throttled, checked, recorded."""
    client = _client()
    name = " ".join((username or "").split())[:64]
    throttle = sessions.THROTTLE
    throttle.rules = settings.login_throttle
    verdict = throttle.check(name, client)
    if not verdict.allowed:
        # Refused before the password is looked at; not recorded again (the lock-out was).
        st.error(_locked_message(verdict))
        return
    entry = auth.check_login(users, name, password or "")
    if entry is not None:
        throttle.succeeded(name)
        if _signed_in(name, entry, "with a password", settings):
            token = sessions.issue(key, name, auth.session_nonce(entry))
            ticket = sessions.TICKETS.hold(token)
            st.session_state[_COOKIE_TODO] = (ticket[:12], f"sign-in {ticket}")
            st.session_state.pop("session_cookie_cleared", None)  # a new cookie, to be cleared at sign-out
            st.rerun()
        return
    verdict = throttle.failed(name, client)
    try:
        record(settings, name or "(empty)", "", audit.LOGIN_FAILED, f"client {client}")
        if not verdict.allowed:
            record(settings, name or "(empty)", "", audit.LOCKED_OUT,
                   f"{'user name' if verdict.by == 'user' else 'client ' + client} locked for "
                   f"{round(verdict.wait_seconds / 60)} min")
    except (audit.AuditError, OSError):
        pass  # the attempt failed anyway; the form says nothing about the log
    st.error(_locked_message(verdict) if not verdict.allowed else _FAILED)


def _locked_message(verdict: sessions.Verdict) -> str:
    minutes = max(1, round(verdict.wait_seconds / 60))
    return (f"Too many failed sign-ins: signing in is locked for {minutes} minute{'s' if minutes != 1 else ''}. "
            "Try again later or ask an administrator.")


def login_gate(settings: Settings) -> User:
    """Stop the run until a signed-in user with a known role is there; draw the sign-in form meanwhile."""
    user = current_user()  # first: a session whose user is gone ends even if no user is left
    users = _users(settings)
    key = _cookie_key(settings) if users is not None else None
    if users is None or key is None:
        st.stop()
    if user is None and _from_cookie(users, key, settings):
        user = current_user()
    if user is None:
        left, middle, right = st.columns([1, 2, 1])
        with middle:
            st.title("Watchfloor")
            st.caption("Trust & Safety operations")
            ended = st.session_state.pop("session_ended", None)
            if ended:
                st.info(f"You have been signed out: {plain.md(ended)}.")
            with st.form("login", clear_on_submit=True):
                st.subheader("Log in", anchor=False)
                username = st.text_input("Username", autocomplete="username")
                password = st.text_input("Password", type="password", autocomplete="current-password")
                pressed = st.form_submit_button("Log in")
            if pressed:
                _attempt(username, password, users, key, settings)
            cookie_writer()
        navigation.register_for_visitor(st.session_state.get(_ENTRY_PATH) or "")
        st.stop()
    if not user.role:
        st.error("Your account has no Watchfloor role. Ask an administrator to give it one.")
        logout_button()
        st.stop()
    return user


def cookie_writer() -> None:
    """Hand the session cookie to the browser (or clear it) when a sign-in or sign-out left that to
    do; drawn on every run until the page reports it done."""
    todo = st.session_state.get(_COOKIE_TODO)
    if not todo:
        return
    todo_id, body = todo
    result = _cookie_writer(key="session_cookie_writer", data={"id": todo_id, "body": body,
                                                               "path": "/_wf/session"},
                            height=0, on_sent_change=lambda: None)
    sent = getattr(result, "sent", None) or ""
    if sent.startswith(todo_id + ":"):
        st.session_state.pop(_COOKIE_TODO, None)


def _clear_cookie() -> None:
    """Have the page clear the session cookie (once a session: the cookies a session sees are the
    ones its browser sent when it connected)."""
    if not st.session_state.get("session_cookie_cleared"):
        st.session_state["session_cookie_cleared"] = True
        st.session_state[_COOKIE_TODO] = (secrets.token_urlsafe(9), "sign-out")


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
    """Sign out: every session and cookie of the user ends (on every device), and this browser's
    cookie is cleared."""
    user = current_user()
    if user is None:
        return
    if not st.sidebar.button("Log out", key="logout_button"):
        return
    settings = load_settings()
    try:
        auth.revoke_sessions(settings.users_file, user.username,
                             unless_changed_from=st.session_state.get("session_nonce") or "")
    except (auth.AuthError, OSError) as exc:
        st.sidebar.error(f"Signing out failed: {plain.md(exc)}")
        return
    end_session(settings, user, "signed out", audit.LOGOUT)
    st.session_state.pop("session_ended", None)  # signing out is no news to the one who did it
    for key in (_ENTRY_PATH, _ENTRY_QUERY, _ENTRY_DONE):
        st.session_state.pop(key, None)
    _clear_cookie()
    st.rerun()


def role_label(role: str) -> str:
    return roles.label(role)

