"""Helpers for the browser tests: a Watchfloor server in a subprocess, and Streamlit-aware waits.

The warehouse a server runs on comes from one function, `build_warehouse`, so that the
hand-built test warehouse can later be swapped for a simulator-seeded one in one place.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from watchfloor import auth, roles, sessions

APP_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = APP_ROOT / "artifacts" / "screenshots"
HEALTH_TIMEOUT_S = 60.0
# Waits are for a state to appear, never a measure of speed: on a CI machine at load 20 a page that
# takes 3 s on a quiet one can take a minute.
WAIT_S = 120.0
LOG_TAIL_LINES = 60

APP_IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
EXCEPTION = "[data-testid=stException]"
NAV_LINK = "[data-testid=stSidebarNav] [data-testid=stSidebarNavLink]"


# --------------------------------------------------------------------------- warehouse


SIM_END = datetime(2026, 11, 18, 12, 0)  # the pinned 'now' of the small simulated warehouses
VENDOR_SIM_RANGE = "from=2026-11-02&to=2026-11-18"  # the Vendors and Quality pages' range on the vendor warehouse


def seed(path: Path, *, days: int, cases_per_day: int, seed: int, end: datetime) -> str:
    """A simulated warehouse at `path` (the simulator's default world); returns its path."""
    from watchfloor.simulator import writer
    from watchfloor.simulator.config import SimConfig

    writer.seed(str(path), SimConfig(days=days, cases_per_day=cases_per_day, seed=seed, end=end), progress=False)
    return str(path)


def build_warehouse(directory: Path) -> tuple[str, datetime]:
    """The hand-worked warehouse most browser tests run on (tests/warehouses/home.py); returns (path,
    the pinned 'now')."""
    from tests import hand_warehouse
    from tests.warehouses import home

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = hand_warehouse.build(directory / "hand.duckdb", home.ROWS)
    return path, home.AS_OF


# --------------------------------------------------------------------------- users


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    role: str


def make_users(path: Path) -> dict[str, Credentials]:
    """One user per role, with a random password, in a fresh users file (cheap bcrypt cost)."""
    auth.BCRYPT_ROUNDS = 4  # this process only; cost-4 hashes verify fine in the server
    users: dict[str, Credentials] = {}
    for role in roles.ROLES:
        creds = Credentials(username=f"e2e_{role}", password=secrets.token_urlsafe(18), role=role)
        auth.add_user(path, creds.username, role, creds.password, display_name=f"E2E {roles.label(role)}")
        users[role] = creds
    return users


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


def server_command(port: int, warehouse: str) -> list[str]:
    """`watchfloor serve`, as users start it (a CLI that fails to start fails the test)."""
    return [sys.executable, "-m", "watchfloor", "serve", "--port", str(port), "--warehouse", warehouse]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path
    command: list[str]
    env_overrides: dict[str, str] = field(default_factory=dict)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return f"(cannot read the server log {self.log_path}: {exc})"
        tail = "\n".join(text.splitlines()[-lines:])
        return f"--- last {lines} lines of {self.log_path} ---\n{tail or '(empty)'}"

    def stop(self) -> None:
        # The server runs in its own session: end its whole process group (serve -> streamlit).
        for sig, wait_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=wait_s)
            except subprocess.TimeoutExpired:
                continue
            # `serve` has ended; a streamlit child that ignored SIGTERM (a hung server) gets SIGKILL.
            time.sleep(0.5)


@contextlib.contextmanager
def serving(workdir: Path, warehouse: str, as_of: datetime | None, users_file: Path) -> Iterator[Server]:
    """A dashboard server on the warehouse for the duration of the block (a fixture's lifetime)."""
    server = start_server(workdir, warehouse, as_of, users_file)
    try:
        yield server
    finally:
        server.stop()


def start_server(workdir: Path, warehouse: str, as_of: datetime | None, users_file: Path) -> Server:
    """Start a dashboard server on a free port and wait until its health check answers 'ok'."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    overrides = {
        "WATCHFLOOR_WAREHOUSE": warehouse,
        "WATCHFLOOR_USERS_FILE": str(users_file),
        "WATCHFLOOR_SECRETS_FILE": str(workdir / "secrets.toml"),
        "WATCHFLOOR_CACHE_TTL_SECONDS": "60",
        # Other people edit the tree while the tests run: no reloads mid-test.
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    if as_of is not None:
        overrides["WATCHFLOOR_AS_OF"] = as_of.isoformat()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHFLOOR_")}
    env.update(overrides)
    command = server_command(port, warehouse)
    log_path = workdir / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=APP_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(url=f"http://localhost:{port}", process=process, log_path=log_path, command=command,
                    env_overrides=overrides)
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"the server exited with code {process.returncode} before answering its health check\n"
                f"command: {' '.join(command)}\n{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                body = response.read().decode("utf-8", errors="replace").strip()
            if body == "ok":
                return server
            last_error = f"answered {body!r}"
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            last_error = str(exc)
        time.sleep(0.25)
    server.stop()
    raise AssertionError(
        f"the server did not answer 'ok' at {server.url}/_stcore/health within {HEALTH_TIMEOUT_S:.0f} s "
        f"(last: {last_error})\ncommand: {' '.join(command)}\n{server.log_tail()}"
    )


# --------------------------------------------------------------------------- browser helpers


# Installed in every page before any script of the app runs: remembers every exception box and
# alert that was ever drawn, also those a later rerun removed within a fraction of a second, and
# counts the reruns the page asks the server for.
RECORDER_JS = """
(() => {
  window.__e2eSeen = {exceptions: [], alerts: []};
  const record = () => {
    for (const [selector, bucket] of [['[data-testid=stException]', 'exceptions'], ['[data-testid=stAlert]', 'alerts']]) {
      for (const el of document.querySelectorAll(selector)) {
        const text = (el.innerText || '').slice(0, 2000);
        if (text && !window.__e2eSeen[bucket].includes(text)) window.__e2eSeen[bucket].push(text);
      }
    }
  };
  new MutationObserver(record).observe(document, {childList: true, subtree: true});
  // Reruns this document asked the server for (see `a_run`): a BackMsg whose first field is
  // rerun_script (field 11, length-delimited: tag byte 0x5a), and whether the server has answered
  // since the last one. The app's running state alone misses a run shorter than a frame.
  window.__e2eDocument = Math.random().toString(36).slice(2);
  window.__e2eReruns = 0;
  window.__e2eAwaiting = false;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => { window.__e2eAwaiting = false; });
    }
    send(data) {
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
        : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
      if (bytes && bytes[0] === 0x5a) { window.__e2eReruns += 1; window.__e2eAwaiting = true; }
      return super.send(data);
    }
  };
})();
"""


def seen(page, bucket: str) -> list[str]:
    """Texts of every exception box ('exceptions') or alert ('alerts') drawn since the page loaded."""
    return list(page.evaluate(f"(window.__e2eSeen || {{}})[{bucket!r}] || []"))


@contextlib.contextmanager
def a_run(page, timeout_s: float = WAIT_S) -> Iterator[None]:
    """Around an action that makes the app run its script (a click, a choice, a page link): after
    it, wait until the browser has asked the server for the run and heard back, then for the app
    to finish and stay idle.

    Waiting for idle alone races: right after a click the app can still look idle, because the
    rerun the click asked for has not started yet."""
    document, before = page.evaluate("[window.__e2eDocument, window.__e2eReruns]")
    assert document is not None, "the page has no rerun counter (support.RECORDER_JS is not installed)"
    yield
    # Asked for and answered; a link that loads a new document starts a run of its own.
    page.wait_for_function(
        "([document, before]) => window.__e2eDocument !== document"
        " || (window.__e2eReruns > before && !window.__e2eAwaiting)", arg=[document, before],
        timeout=timeout_s * 1000)
    wait_for_app(page, timeout_s=timeout_s)


def wait_for_app(page, quiet_s: float = 0.5, timeout_s: float = WAIT_S) -> None:
    """Wait until the Streamlit script has finished and stayed finished for `quiet_s`.

    The quiet period covers the reruns that follow a run on their own (the
    authenticator's cookie component reports back and triggers another run).
    """
    deadline = time.monotonic() + timeout_s
    while True:
        remaining_ms = max(1000, int((deadline - time.monotonic()) * 1000))
        page.wait_for_selector(APP_IDLE, state="attached", timeout=remaining_ms)
        page.wait_for_timeout(quiet_s * 1000)
        if page.locator(APP_IDLE).count() == 1:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the app kept running for more than {timeout_s:.0f} s")


def body_text(page) -> str:
    return page.locator("body").inner_text()


def assert_no_exception(page, server: Server, where: str = "", *, transient: bool = True) -> None:
    """No exception box and no traceback on the page; with `transient`, none drawn at all since it loaded."""
    where = f" on {where}" if where else ""
    if transient:
        flashed = seen(page, "exceptions")
        if flashed:
            shown = "\n---\n".join(flashed)
            raise AssertionError(
                f"Streamlit drew an exception{where} ({page.url}), possibly for a moment only:\n{shown}\n"
                f"{server.log_tail()}"
            )
    exceptions = page.locator(EXCEPTION)
    if exceptions.count():
        shown = "\n---\n".join(exceptions.all_inner_texts())
        raise AssertionError(f"Streamlit shows an exception{where} ({page.url}):\n{shown}\n{server.log_tail()}")
    text = body_text(page)
    if "Traceback" in text:
        raise AssertionError(f"the page shows a traceback{where} ({page.url}):\n{text[-3000:]}\n{server.log_tail()}")


def new_context(browser, **options):
    """A fresh browser context (no shared cookies) whose waits last WAIT_S, with RECORDER_JS in
    every page."""
    context = browser.new_context(**options)
    context.set_default_timeout(WAIT_S * 1000)
    context.add_init_script(RECORDER_JS)
    return context


def click_nav(page, title: str) -> None:
    """Open a page from the sidebar's menu and wait for its run."""
    with a_run(page):
        page.locator(NAV_LINK).filter(has=page.locator(f"span[label='{title}']")).click()


def login_form_visible(page) -> bool:
    return page.locator("input[aria-label='Username']").count() > 0


def submit_login(page, username: str, password: str, server: Server | None = None) -> None:
    """Fill and submit the login form (labels 'Username' and 'Password', button 'Log in')."""
    wait_for_app(page)
    try:
        page.wait_for_selector("input[aria-label='Username']", timeout=WAIT_S * 1000)
    except Exception:
        raise AssertionError(
            f"no login form at {page.url}; the page shows:\n{body_text(page)[:1500]}"
            + (f"\n{server.log_tail()}" if server else "")
        ) from None
    page.locator("input[aria-label='Username']").fill(username)
    page.locator("input[aria-label='Password']").fill(password)
    with a_run(page):
        page.get_by_role("button", name="Log in", exact=True).click()


def login(page, server: Server, creds: Credentials) -> None:
    """Log in and wait until the signed-in shell (sidebar caption) has been drawn and the page has
    written the session cookie (after the shell: leaving the page before then would leave the
    browser without it, and the next page opened by URL would ask for the password again)."""
    submit_login(page, creds.username, creds.password, server)
    try:
        page.get_by_text("Signed in as").wait_for()
    except Exception as exc:  # playwright TimeoutError: say what the page shows instead
        raise AssertionError(
            f"login as {creds.username} ({creds.role}) did not reach the signed-in shell: {exc}\n"
            f"page text:\n{body_text(page)[:2000]}\n{server.log_tail()}"
        ) from None
    deadline = time.monotonic() + WAIT_S
    while sessions.COOKIE_NAME not in {c["name"] for c in page.context.cookies()}:
        if time.monotonic() > deadline:
            raise AssertionError(f"login as {creds.username} reached the signed-in shell, but the page never "
                                 f"wrote the session cookie\n{server.log_tail()}")
        page.wait_for_timeout(200)
    wait_for_app(page)


def open_logged_in(page, server: Server, creds: Credentials, path: str = "/") -> None:
    """Open a URL and log in (from the login form every fresh browser context starts with)."""
    page.goto(server.url + path)
    login(page, server, creds)


def nav_titles(page) -> list[str]:
    """The page titles in the sidebar navigation, in order (icons excluded)."""
    titles = []
    for link in page.locator(NAV_LINK).all():
        label = link.locator("span[label]")
        text = label.first.inner_text() if label.count() else link.inner_text()
        titles.append(text.strip())
    return titles


def click_and_wait(page, locator, expect: str | None = None, timeout_s: float = WAIT_S) -> None:
    """Click `locator`, wait until the app has started the run the click asks for and finished it
    (a_run), then, when given, until the text `expect` is on the page."""
    with a_run(page, timeout_s):
        locator.click()
    if expect is not None:
        page.get_by_text(expect).first.wait_for(timeout=timeout_s * 1000)


# A data grid's rows and its header are this tall (Streamlit's default row height).
GRID_ROW_PX = 35


def click_row(page, selector: str, key: str | None = None, expect: str | None = None) -> None:
    """Select the row of the selectable table inside `selector` (a container's CSS selector) that
    holds the cell `key` (None: the first row), and wait for the run it starts (then for `expect`).

    The grid draws on a canvas; the table it keeps for screen readers (the visible rows, each with
    its aria-rowindex, 1 being the header) says which row holds the key, and the click goes to that
    row's selector cell, the grid's first column."""
    grid = page.locator(f"{selector} [data-testid=stDataFrame]").first
    grid.scroll_into_view_if_needed()
    rows = grid.locator("table[role=grid] tbody tr[role=row]")
    if key is not None:
        # the accessible table is not drawn (the canvas is), so roles would count it hidden: CSS finds it
        rows = rows.filter(has=page.locator("td[role=gridcell]", has_text=re.compile(f"^{re.escape(key)}$")))
    rows.first.wait_for(state="attached")
    if key is not None and rows.count() != 1:
        raise AssertionError(f"{rows.count()} rows of {selector} hold {key!r}: {grid.locator('tbody').inner_text()!r}")
    index = int(rows.first.get_attribute("aria-rowindex"))
    box = grid.bounding_box()
    assert box is not None, f"the table in {selector} is not drawn"
    with a_run(page):
        page.mouse.click(box["x"] + 14, box["y"] + (index - 1) * GRID_ROW_PX + GRID_ROW_PX / 2)
    if expect is not None:
        page.get_by_text(expect).first.wait_for()


def screenshot(page, name: str) -> Path:
    """Save the whole page: Streamlit scrolls inside its main block, so grow the viewport to fit it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    size = page.viewport_size or {"width": 1440, "height": 900}
    content_height = page.evaluate(
        """() => Math.max(...['[data-testid=stMain]', '[data-testid=stMainBlockContainer]',
                              '[data-testid=stSidebarContent]']
            .map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight),
            document.documentElement.scrollHeight)"""
    )
    height = min(max(int(content_height) + 40, size["height"]), 8000)
    resize(page, {"width": size["width"], "height": height})
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


def resize(page, size: dict[str, int]) -> None:
    """Set the viewport and wait until the browser has laid the page out again and painted it (two
    animation frames) and the app is idle."""
    page.set_viewport_size(size)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    wait_for_app(page)
