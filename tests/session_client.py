"""A light client of a running dashboard that speaks Streamlit's own websocket protocol.

It does what a browser tab does on the wire, without drawing anything: it opens the session's
websocket (`/_stcore/stream`), asks for a run of a page (a `rerun_script` BackMsg with the page's
script hash, as the browser sends when a sidebar link is clicked), fills in and submits the login
form (the form's widget states and its submit button's trigger, as the browser sends on "Log in"),
and reads the server's ForwardMsgs until the run has finished. Many of them at once load the real
server path (login, the page scripts, the queries) far more cheaply than as many browsers, so the
stress test and the load benchmark can open dozens of sessions on two cores.

What it does not do: run the browser components (the login cookie is never written, which a
session that stays connected does not need; a session can instead be opened with a cookie it was
given) or request lazily loaded table chunks.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.typing import Subprotocol

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

FINISHED = ForwardMsg.ScriptFinishedStatus


def run_apart(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run the coroutine to the end on a thread of its own: in the whole suite the browser tests'
    Playwright may keep an event loop running on the calling thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class SessionError(RuntimeError):
    """The session could not do what was asked (no login form, no such page, connection lost)."""


@dataclass
class Run:
    """One page run as the client saw it: how long until it finished, and what it drew."""

    page: str
    seconds: float
    finished: bool  # False: the run did not finish within the client's time limit (a hang)
    exceptions: list[str] = field(default_factory=list)  # Streamlit exception boxes
    errors: list[str] = field(default_factory=list)  # st.error alerts
    notices: list[str] = field(default_factory=list)  # st.warning / st.info alerts
    texts: list[str] = field(default_factory=list)  # headings, markdown and captions, in order

    @property
    def ok(self) -> bool:
        return self.finished and not self.exceptions and not self.errors

    def shows(self, text: str) -> bool:
        return any(text in t for t in self.texts)


class Session:
    """One browser session: `await Session.open(url)`, then `login(...)` and `goto(page)`."""

    def __init__(self, base_url: str, timeout_s: float = 120.0):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._ws: ClientConnection | None = None
        self._pages: dict[str, str] = {}  # url path ("" for the default page) -> page script hash
        self._page_hash = ""
        self._widgets: dict[str, tuple[str, Any]] = {}  # id -> (kind, the widget's element), this run
        self._reader: asyncio.Task | None = None
        self._inbox: asyncio.Queue = asyncio.Queue()

    @classmethod
    async def open(cls, base_url: str, path: str = "", timeout_s: float = 120.0,
                   cookies: dict[str, str] | None = None) -> tuple[Session, Run]:
        """Connect as a new browser tab on `path` (a page's URL path, '' for the default page),
        sending `cookies` with the connection as a browser sends the ones it holds."""
        from websockets.asyncio.client import connect

        session = cls(base_url, timeout_s)
        ws_url = session.base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1) + "/_stcore/stream"
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else None
        session._ws = await connect(ws_url, subprotocols=[Subprotocol("streamlit")], max_size=None,
                                    open_timeout=timeout_s, ping_interval=None, additional_headers=headers)
        session._reader = asyncio.create_task(session._read())
        run = await session._run(f"open /{path}", page_name=path)
        return session, run

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()

    async def _read(self) -> None:
        assert self._ws is not None  # open() connects before it starts the reader
        try:
            async for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                await self._inbox.put(msg)
        except Exception as exc:  # the connection ended: whoever waits learns it
            await self._inbox.put(exc)
        else:
            await self._inbox.put(SessionError("the server closed the connection"))

    def _client_state(self, back: BackMsg, page_name: str = "") -> None:
        state = back.rerun_script
        state.query_string = ""
        state.page_script_hash = self._page_hash
        state.page_name = page_name
        state.context_info.url = f"{self.base_url}/{page_name}"
        state.context_info.timezone = "UTC"
        state.context_info.timezone_offset = 0
        state.context_info.locale = "en-GB"

    async def _run(self, label: str, page_name: str = "", widgets: list | None = None) -> Run:
        back = BackMsg()
        self._client_state(back, page_name)
        for widget in widgets or []:
            back.rerun_script.widget_states.widgets.append(widget)
        started = time.perf_counter()
        assert self._ws is not None  # open() connects before the first run
        await self._ws.send(back.SerializeToString())
        run = Run(page=label, seconds=0.0, finished=False)
        deadline = time.monotonic() + self.timeout_s
        self._widgets = {}
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                run.seconds = time.perf_counter() - started
                return run
            try:
                msg = await asyncio.wait_for(self._inbox.get(), timeout=remaining)
            except TimeoutError:
                continue
            if isinstance(msg, Exception):
                raise SessionError(f"connection lost while opening {label}: {msg}") from msg
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self._page_hash = msg.new_session.page_script_hash or self._page_hash
                self._widgets = {}
            elif kind == "navigation":
                self._pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
                self._page_hash = msg.navigation.page_script_hash or self._page_hash
            elif kind == "delta":
                self._take(msg.delta, run)
            elif kind == "script_finished":
                status = msg.script_finished
                if status in (FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_WITH_COMPILE_ERROR):
                    run.seconds = time.perf_counter() - started
                    run.finished = True
                    if status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                        run.exceptions.append("the page script did not compile")
                    return run
                # FINISHED_EARLY_FOR_RERUN: the script asked for another run (e.g. after the login);
                # fragment runs finish on their own. Either way, keep reading.

    def _take(self, delta, run: Run) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        elif kind == "alert":
            fmt = element.alert.format
            (run.errors if fmt == element.alert.ERROR else run.notices).append(element.alert.body)
        elif kind == "heading":
            run.texts.append(element.heading.body)
        elif kind == "markdown":
            run.texts.append(element.markdown.body)
        elif kind in ("text_input", "button"):
            widget = getattr(element, kind)
            self._widgets[widget.id] = (kind, widget)

    async def login(self, username: str, password: str) -> Run:
        """Fill in the login form of the page now shown and submit it."""
        fields = {w.label: w for kind, w in self._widgets.values() if kind == "text_input"}
        submit = next((w for kind, w in self._widgets.values() if kind == "button" and w.is_form_submitter), None)
        if "Username" not in fields or "Password" not in fields or submit is None:
            raise SessionError("no login form on the page")
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        states = [WidgetState(id=fields["Username"].id, string_value=username),
                  WidgetState(id=fields["Password"].id, string_value=password),
                  WidgetState(id=submit.id, trigger_value=True)]
        return await self._run("login", widgets=states)

    @property
    def pages(self) -> list[str]:
        """The URL paths of the pages this session may open ('' is the default page)."""
        return list(self._pages)

    async def goto(self, path: str) -> Run:
        """Open a page as a click on its sidebar link does (its URL path, e.g. 'sla')."""
        key = "" if path == "home" and "home" not in self._pages else path
        if key not in self._pages:
            raise SessionError(f"no page {path!r} in this session's navigation ({', '.join(self._pages)})")
        self._page_hash = self._pages[key]
        return await self._run(path, page_name=key)
