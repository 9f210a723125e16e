"""Sign-in sessions (watchfloor.sessions) and the HTTP side around Streamlit (components/web.py):
signed tokens, one-time tickets, the sign-in throttle, the cookie's attributes, closed endpoints
and the quieter websocket. The browser tests (tests/e2e/test_sessions.py) try the same attacks
against a running server."""

from __future__ import annotations

import json

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from components import web
from tests.session_client import run_apart
from watchfloor import sessions

KEY = "k" * 40


def _run(coroutine_function) -> None:
    run_apart(coroutine_function())


# --------------------------------------------------------------------------- tokens


def test_a_token_reads_back_until_it_expires():
    token = sessions.issue(KEY, "ana", "n1", now=1_000_000)
    read = sessions.read(KEY, token, now=1_000_000 + 3600)
    assert (read.username, read.nonce, read.issued_at) == ("ana", "n1", 1_000_000)
    assert read.expires_at == 1_000_000 + sessions.SESSION_SECONDS
    assert sessions.read(KEY, token, now=1_000_000 + sessions.SESSION_SECONDS) is None


def test_a_changed_or_foreign_token_is_refused():
    token = sessions.issue(KEY, "ana", "n1", now=1_000_000)
    body, mac = token.split(".")
    forged_body = sessions._b64(json.dumps({"v": 1, "u": "admin", "n": "n1", "iat": 1_000_000,
                                            "exp": 9_999_999_999, "id": "x"}).encode())
    for bad in (f"{forged_body}.{mac}", f"{body}.{mac[:-2]}AA", sessions.issue("another key" * 4, "ana", "n1"),
                "", None, "a.b.c", "x" * 5000):
        assert sessions.read(KEY, bad, now=1_000_001) is None


def test_a_ticket_is_good_once_and_not_for_long():
    tickets = sessions.Tickets(lifetime=120)
    ticket = tickets.hold("TOKEN", now=0)
    assert len(ticket) >= 40
    assert tickets.redeem("not-a-ticket", now=1) is None
    assert tickets.redeem(ticket, now=1) == "TOKEN"
    assert tickets.redeem(ticket, now=2) is None
    late = tickets.hold("TOKEN", now=0)
    assert tickets.redeem(late, now=121) is None


# --------------------------------------------------------------------------- the throttle


def test_five_failures_lock_the_user_name_and_the_right_password_is_not_even_checked():
    throttle = sessions.LoginThrottle(sessions.ThrottleRules(attempts_per_user=5, attempts_per_client=20,
                                                             window_seconds=900, lockout_seconds=900))
    for i in range(4):
        assert throttle.failed("Ana ", "10.0.0.1", now=i).allowed
    verdict = throttle.failed("ana", "10.0.0.2", now=4)  # the name counts whatever the client
    assert (verdict.allowed, verdict.by, verdict.wait_seconds) == (False, "user", 900)
    assert throttle.check("ANA", "10.0.0.3", now=100) == sessions.Verdict(False, 804, "user")
    assert throttle.check("bob", "10.0.0.3", now=100).allowed  # other names are not locked
    assert throttle.check("ana", "10.0.0.3", now=905).allowed  # the lock-out ends


def test_failures_spread_over_more_than_the_window_do_not_lock():
    throttle = sessions.LoginThrottle(sessions.ThrottleRules(attempts_per_user=3, window_seconds=60,
                                                             lockout_seconds=60))
    for t in (0, 40, 80, 120):
        assert throttle.failed("ana", "c", now=t).allowed


def test_many_names_from_one_client_lock_the_client():
    throttle = sessions.LoginThrottle(sessions.ThrottleRules(attempts_per_user=5, attempts_per_client=20))
    verdicts = [throttle.failed(f"user{i}", "10.0.0.9", now=i) for i in range(20)]
    assert all(v.allowed for v in verdicts[:19]) and verdicts[19] == sessions.Verdict(False, 900, "client")
    assert throttle.check("someone_else", "10.0.0.9", now=30).by == "client"
    assert throttle.check("someone_else", "10.0.0.8", now=30).allowed


def test_a_right_password_clears_the_name_but_not_the_client():
    throttle = sessions.LoginThrottle(sessions.ThrottleRules(attempts_per_user=3, attempts_per_client=4))
    throttle.failed("ana", "c", now=0)
    throttle.failed("ana", "c", now=1)
    throttle.succeeded("ana")
    assert throttle.failed("ana", "c", now=2).allowed  # the name starts again ...
    assert not throttle.failed("bob", "c", now=3).allowed  # ... the client does not (4 in the window)


# --------------------------------------------------------------------------- the cookie route


def _call(handler, method="POST", path="/_wf/session", body=b"", headers=None, scheme="http"):
    headers = {"host": "wf.example", "origin": f"{scheme}://wf.example", **(headers or {})}
    scope = {"type": "http", "method": method, "path": path, "scheme": scheme, "server": ("wf.example", 80),
             "headers": [(k.encode(), v.encode()) for k, v in headers.items() if v is not None],
             "query_string": b"", "root_path": ""}
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async def run():
        from starlette.requests import Request

        response = await handler(Request(scope, receive))
        await response(scope, receive, send)

    _run(run)
    start = sent[0]
    return start["status"], [(k.decode(), v.decode()) for k, v in start["headers"]]


def _cookie(headers) -> str:
    return next(v for k, v in headers if k == "set-cookie")


def test_a_ticket_sets_an_httponly_strict_cookie_once(monkeypatch):
    monkeypatch.setattr(sessions, "TICKETS", sessions.Tickets())
    ticket = sessions.TICKETS.hold("TOKEN")
    status, headers = _call(web.session_cookie, body=f"sign-in {ticket}".encode())
    cookie = _cookie(headers)
    assert status == 204
    assert cookie.startswith("watchfloor_session=TOKEN;")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert f"Max-Age={sessions.SESSION_SECONDS}" in cookie and "Secure" not in cookie  # plain http here
    assert _call(web.session_cookie, body=f"sign-in {ticket}".encode())[0] == 403  # used up


def test_over_https_the_cookie_is_secure(monkeypatch):
    monkeypatch.setattr(sessions, "TICKETS", sessions.Tickets())
    ticket = sessions.TICKETS.hold("TOKEN")
    status, headers = _call(web.session_cookie, body=f"sign-in {ticket}".encode(), scheme="https")
    assert status == 204 and "Secure" in _cookie(headers)
    monkeypatch.setenv("WATCHFLOOR_SECURE_COOKIES", "always")
    ticket = sessions.TICKETS.hold("TOKEN")
    assert "Secure" in _cookie(_call(web.session_cookie, body=f"sign-in {ticket}".encode())[1])


def test_the_route_refuses_other_sites_and_anything_else(monkeypatch):
    monkeypatch.setattr(sessions, "TICKETS", sessions.Tickets())
    ticket = sessions.TICKETS.hold("TOKEN")
    assert _call(web.session_cookie, body=f"sign-in {ticket}".encode(),
                 headers={"origin": "http://attacker.example"})[0] == 403
    assert _call(web.session_cookie, body=f"sign-in {ticket}".encode(), headers={"origin": None})[0] == 403
    assert _call(web.session_cookie, body=b"sign-in nope")[0] == 403
    assert _call(web.session_cookie, body=b"make me admin")[0] == 400


def test_signing_out_clears_the_cookie():
    status, headers = _call(web.session_cookie, body=b"sign-out")
    cookie = _cookie(headers)
    assert status == 204 and cookie.startswith('watchfloor_session="";') and "Max-Age=0" in cookie


# --------------------------------------------------------------------------- the guard


async def _app(scope, receive, send):
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"streamlit"})
    else:
        msg = ForwardMsg()
        msg.new_session.main_script_path = str(web.ROOT / "Home.py")
        msg.new_session.initialize.environment_info.streamlit_version = "1.67.0"
        msg.new_session.initialize.environment_info.python_version = "3.11.9"
        msg.new_session.initialize.environment_info.server_os = "Linux"
        msg.new_session.name = "Home"
        await send({"type": "websocket.send", "bytes": msg.SerializeToString()})
        other = ForwardMsg()
        other.script_finished = 1
        await send({"type": "websocket.send", "bytes": other.SerializeToString()})


def _through_guard(scope):
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.disconnect"}

    async def run():
        await web.Guard(_app)(scope, receive, send)

    _run(run)
    return sent


@pytest.mark.parametrize("path", ["/_stcore/metrics", "/_stcore/metrics/", "/_stcore/agent/openapi.json",
                                  "/_stcore/agent/mcp"])
def test_metrics_and_the_agent_api_are_closed(path):
    sent = _through_guard({"type": "http", "path": path, "method": "GET", "headers": []})
    assert sent[0]["status"] == 404


def test_pages_get_the_protective_headers():
    sent = _through_guard({"type": "http", "path": "/", "method": "GET", "headers": []})
    headers = dict(sent[0]["headers"])
    assert sent[0]["status"] == 200
    assert headers[b"x-frame-options"] == b"SAMEORIGIN" and headers[b"referrer-policy"] == b"same-origin"
    assert headers[b"x-content-type-options"] == b"nosniff"


def test_the_websocket_does_not_tell_the_script_path_or_the_versions():
    sent = _through_guard({"type": "websocket", "path": "/_stcore/stream", "headers": []})
    first, second = ForwardMsg(), ForwardMsg()
    first.ParseFromString(sent[0]["bytes"])
    second.ParseFromString(sent[1]["bytes"])
    assert first.new_session.name == "Home" and first.new_session.main_script_path == ""
    assert first.new_session.initialize.environment_info.streamlit_version == ""
    assert first.new_session.initialize.environment_info.python_version == ""
    assert first.new_session.initialize.environment_info.server_os == ""
    assert b"Home.py" not in sent[0]["bytes"] and second.script_finished == 1


def test_only_the_new_session_message_is_read_through():
    """The guard tells a NewSession by its field tag: a table or chart message is passed on as it
    came, without being searched or parsed, whatever its text holds."""
    session = ForwardMsg()
    session.hash = "abc"
    session.metadata.delta_path[:] = [0, 1]
    session.new_session.name = "Home"
    assert web._is_new_session(session.SerializeToString())
    table = ForwardMsg()
    table.hash = "def"
    table.metadata.delta_path[:] = [0, 7]
    table.delta.new_element.markdown.body = str(web.ROOT / "Home.py") + " " + "x" * 300_000
    data = table.SerializeToString()
    assert not web._is_new_session(data)
    done = ForwardMsg()
    done.script_finished = 1
    assert not web._is_new_session(done.SerializeToString())
    # A message cut short is parsed, never let through unread.
    whole = session.SerializeToString()
    assert all(web._is_new_session(whole[:cut]) for cut in (2, 4, len(whole) - 3))

    sent = []

    async def app(scope, receive, send):
        await send({"type": "websocket.send", "bytes": data})

    async def send(message):
        sent.append(message)

    _run(lambda: web.Guard(app)({"type": "websocket", "path": "/_stcore/stream", "headers": []}, None, send))
    assert sent[0]["bytes"] is data
