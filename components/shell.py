"""The frame every page lives in: who is logged in (checked again on every run), may they see this
page, is there data."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import queries
from components import plain, times
from queries import plans, prefetch
from watchfloor import audit, auth, roles
from watchfloor.config import Settings, load_settings
from watchfloor.server_warehouse import check_ready
from watchfloor.warehouse import SummariesMissing, WarehouseBusy, WarehouseEmpty, WarehouseError, WarehouseMissing


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
    times.remember(auth.time_zone_of(entry))  # where this user's pages show times
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


# Every page: less empty space above the title (Streamlit leaves room for a header bar the app does
# not use), tile figures that shrink with the window rather than being cut to "13…" at 800 px, a
# change's "vs a week ago" that moves under the change rather than being cut to "vs a week …", and
# below 1100 px tiles and side-by-side tables two to a row, side-by-side charts one to a row, and a
# title row (title, period buttons, exports) stacked.
_PAGE_CSS = """<style>
[data-testid=stMainBlockContainer] { padding-top: 2.5rem; }
[data-testid=stHeader] { background: transparent; height: 2.5rem; }
[data-testid=stMetricValue] { font-size: clamp(1.3rem, 2.3vw, 2.25rem); }
[data-testid=stMetricValue] > div { overflow: visible; text-overflow: clip; }
[data-testid=stMetricLabel] div, [data-testid=stMetricLabel] p { white-space: normal; overflow: visible;
  text-overflow: clip; word-break: normal; overflow-wrap: normal; }
h1 { word-break: normal; overflow-wrap: normal; }
[data-testid=stMetric] div:has(> [data-testid=stMetricDeltaDescription]) { flex-wrap: wrap; row-gap: 0.1rem; }
[data-testid=stMetricDeltaDescription] { flex: 0 0 auto; max-width: 100%; }
[data-testid=stMetricDeltaDescription] [data-testid=stCaptionContainer] { white-space: normal; text-overflow: clip; }
@media (max-width: 1100px) {
  [data-testid=stHorizontalBlock]:has(> [data-testid=stColumn] h1) { flex-wrap: wrap; }
  [data-testid=stHorizontalBlock]:has(> [data-testid=stColumn] h1) > [data-testid=stColumn] { min-width: 100%; }
  [data-testid=stHorizontalBlock]:has(> [data-testid=stColumn] [data-testid=stMetric]) { flex-wrap: wrap; }
  [data-testid=stHorizontalBlock] > [data-testid=stColumn]:has([data-testid=stMetric]) {
    min-width: calc(50% - 0.5rem); flex: 1 1 calc(50% - 0.5rem); }
  [data-testid=stHorizontalBlock]:has(> [data-testid=stColumn] [data-testid=stDataFrame]) { flex-wrap: wrap; }
  [data-testid=stHorizontalBlock] > [data-testid=stColumn]:has([data-testid=stDataFrame]) {
    min-width: calc(50% - 0.5rem); flex: 1 1 calc(50% - 0.5rem); }
  [data-testid=stHorizontalBlock]:has(> [data-testid=stColumn] [data-testid=stDateInput]) { flex-wrap: wrap; }
  [data-testid=stHorizontalBlock] > [data-testid=stColumn]:has([data-testid=stDateInput]) { min-width: calc(50% - 0.5rem); }
  [data-testid=stHorizontalBlock]:has(> [data-testid=stColumn] [data-testid=stDateInput]) > [data-testid=stColumn] {
    min-width: calc(50% - 0.5rem); }
  [data-testid=stHorizontalBlock]:has(> [data-testid=stColumn] [data-testid=stPlotlyChart]) { flex-wrap: wrap; }
  [data-testid=stHorizontalBlock] > [data-testid=stColumn]:has([data-testid=stPlotlyChart]) { min-width: 100%; }
}
</style>"""


def page_style() -> None:
    st.html(_PAGE_CSS)


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
    """The dashboard's 'now', snapped to the refresh interval so that everyone who opens a page
    within one interval shares its queries (watchfloor.config.dashboard_now); while the server runs
    the new interval's queries ahead of the pages, the previous interval's (queries/prefetch.py)."""
    return prefetch.page_now()


def warehouse_ready() -> bool:
    """True if the warehouse holds data; otherwise draws the 'no warehouse' page."""
    settings = load_settings()
    try:
        _cached_check(settings.warehouse)
        return True
    except WarehouseMissing:
        st.header("No warehouse yet")
        st.write(f"Watchfloor found no case warehouse at `{settings.warehouse}`.")
    except SummariesMissing as exc:
        st.header("The summaries are not built yet")
        st.write(plain.md(str(exc).capitalize() + "."))
        st.code(f"watchfloor refresh --warehouse {settings.warehouse}", language="bash")
        st.markdown("The summary tables are described in `docs/warehouse.md`.")
        return False
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
    # Checked at most every few seconds per process, by one session while the others wait for it:
    # cheap, but it opens the file.
    key = ("__ready__", warehouse)
    flight, leader = queries.cache.claim(key)
    if not leader:
        return flight.result()
    try:
        count = check_ready(warehouse)
    except BaseException as exc:
        queries.cache.crash(key, flight, exc)
        raise
    queries.cache.land(key, flight, count, ttl=5.0)
    return count


def show_query_error(exc: Exception) -> None:
    st.error(f"This part of the page could not be loaded: {plain.md(exc)}")


# How long a page waits quietly for its data before it says it is busy; how often the busy line
# is refreshed; and how many times a page retries a warehouse a writer holds past the lock wait.
BUSY_AFTER_SECONDS = 1.0
BUSY_EVERY_SECONDS = 0.5
LOCKED_TRIES = 3


def _session_id() -> str | None:
    """This browser session: its queries take turns with other sessions' on the query workers."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def busy_text(others: int, seconds: float, limit: float) -> str:
    """The one line a page shows while its data is late (`others`: other people's queries in progress)."""
    if others:
        return (f"Busy: the warehouse is also answering {others:,} {'query' if others == 1 else 'queries'} of other "
                f"pages; this page takes its turn ({seconds:.0f} s so far).")
    return (f"Busy: the warehouse is slow to answer; this page keeps waiting ({seconds:.0f} s so far, "
            f"a query is cancelled after {limit:g} s).")


def _wait_for(pending: dict[str, queries.Pending], session: str | None) -> dict[str, pl.DataFrame]:
    """The frames of a started plan; after BUSY_AFTER_SECONDS a busy line says what the page waits
    for. If the run ends early (the user moved on), queries nobody else waits for are dropped."""
    started = time.monotonic()
    status = None
    limit = load_settings().query_timeout_seconds
    try:
        while True:
            late = [p for p in pending.values() if not p.done()]
            if not late:
                break
            late[0].flight.wait(BUSY_EVERY_SECONDS)
            waited = time.monotonic() - started
            if waited >= BUSY_AFTER_SECONDS and not all(p.done() for p in late):
                status = status or st.empty()
                # Drawing is also where Streamlit ends a run the user has left.
                status.info(busy_text(queries.other_queries(session), waited, limit), icon="⏳")
        frames = {key: p.result() for key, p in pending.items()}
    except BaseException:
        for p in pending.values():
            p.leave()
        raise
    if status is not None:
        status.empty()
    return frames


def fetch_or_stop(plan: list[plans.QueryCall]) -> dict[str, pl.DataFrame]:
    """A page's frames. While the warehouse is busy the page says so in one line; a query that runs
    past the time limit is cancelled and the page says so; a warehouse a writer holds is retried;
    any other failure: a clear message, and the page stops."""
    if isinstance(plan, plans.Plan):
        prefetch.remember(plan)  # run ahead at the coming intervals while pages keep asking for it
    retrying = None
    for attempt in range(1, LOCKED_TRIES + 1):
        try:
            session = _session_id()
            frames = _wait_for(plans.start(plan, session=session), session)
        except queries.QueryTimeout as exc:
            st.warning(f"This page's data took too long: {exc}. Try a shorter date range or narrower filters.",
                       icon="⏱️")
            st.stop()
        except WarehouseBusy as exc:
            if attempt == LOCKED_TRIES:
                show_query_error(exc)
                st.stop()
            retrying = retrying or st.empty()
            retrying.info(f"Busy: a writer holds the warehouse; retrying ({attempt + 1} of {LOCKED_TRIES}).", icon="⏳")
            continue
        except (queries.QueryError, WarehouseError) as exc:
            show_query_error(exc)
            st.stop()
        if retrying is not None:
            retrying.empty()
        return frames
    st.stop()
