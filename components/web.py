"""The dashboard's HTTP side, around Streamlit (asgi.py puts it together):

- `session_cookie`, the route where the page trades a one-time sign-in ticket for the HttpOnly
  session cookie, and where signing out clears it (watchfloor.sessions; docs/security.md);
- `Guard`, middleware that closes Streamlit's `/_stcore/metrics` and agent API (404), adds headers
  that keep pages out of other sites' frames and keep the page's address from being sent on, and
  blanks the script's path and the Streamlit, Python and OS versions in the websocket's NewSession
  message (the browser needs none of them).
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from watchfloor import sessions

ROOT = Path(__file__).resolve().parent.parent
SESSION_PATH = "/_wf/session"
CLOSED_PATHS = ("/_stcore/metrics", "/_stcore/agent")
# The NewSession message's field in a ForwardMsg: only those carry the script's path and versions.
_NEW_SESSION = ForwardMsg.DESCRIPTOR.fields_by_name["new_session"].number
HEADERS = [(b"x-frame-options", b"SAMEORIGIN"), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"same-origin")]


def _secure(request: Request) -> bool:
    """Cookies are Secure when the page came over HTTPS (as the server or the proxy in front of it on
    this host says), or always with WATCHFLOOR_SECURE_COOKIES=always."""
    return request.url.scheme == "https" or os.environ.get("WATCHFLOOR_SECURE_COOKIES", "").lower() == "always"


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    host = request.headers.get("host")
    if not origin or not host:
        return False
    return origin.split("://", 1)[-1] == host


async def session_cookie(request: Request) -> Response:
    """POST `sign-in <ticket>`: set the cookie holding the ticket's token; POST `sign-out`: clear it."""
    if not _same_origin(request):
        return Response(status_code=403)
    body = (await request.body())[:512].decode("ascii", errors="replace").split()
    response = Response(status_code=204, headers={"cache-control": "no-store"})
    if body[:1] == ["sign-in"] and len(body) == 2:
        token = sessions.TICKETS.redeem(body[1])
        if token is None:
            return Response(status_code=403)
        response.set_cookie(sessions.COOKIE_NAME, token, max_age=sessions.SESSION_SECONDS, path="/",
                            httponly=True, samesite="strict", secure=_secure(request))
    elif body == ["sign-out"]:
        response.delete_cookie(sessions.COOKIE_NAME, path="/", httponly=True, samesite="strict",
                               secure=_secure(request))
    else:
        return Response(status_code=400)
    return response


class Guard:
    """ASGI middleware: closed endpoints, plain security headers, and a quieter websocket."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            if scope["path"].rstrip("/").startswith(CLOSED_PATHS):
                await Response(status_code=404)(scope, receive, send)
                return

            async def send_with_headers(message) -> None:
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message.get("headers", []), *HEADERS]}
                await send(message)

            await self.app(scope, receive, send_with_headers)
        elif scope["type"] == "websocket":

            # Every message of every session passes here, on the one thread that sends them all:
            # only a NewSession is parsed, told by its tag, never by reading a table or chart through.
            async def send_quietly(message) -> None:
                data = message.get("bytes")
                if message["type"] == "websocket.send" and data and _is_new_session(data):
                    message = {**message, "bytes": _blank_new_session(data)}
                await send(message)

            await self.app(scope, receive, send_quietly)
        else:
            await self.app(scope, receive, send)


def _is_new_session(data: bytes) -> bool:
    """Whether a serialized ForwardMsg holds a NewSession, read from its top-level field tags (a
    ForwardMsg has three or so: its hash, its metadata and the one message it carries)."""
    i, end = 0, len(data)
    try:
        while i < end:
            tag, i = _varint(data, i)
            field, wire = tag >> 3, tag & 7
            if field == _NEW_SESSION:
                return True
            if wire == 0:
                _, i = _varint(data, i)
            elif wire == 1:
                i += 8
            elif wire == 2:
                length, i = _varint(data, i)
                i += length
            elif wire == 5:
                i += 4
            else:  # a group, which no ForwardMsg has: parse it to be sure
                return True
    except IndexError:  # cut short: parse it to be sure
        return True
    return i > end  # (cut short inside a field, likewise)


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


def _blank_new_session(data: bytes) -> bytes:
    """A NewSession message without the script's path and the server's versions and OS (the
    browser needs none of them)."""
    msg = ForwardMsg()
    msg.ParseFromString(data)
    if not msg.HasField("new_session"):
        return data
    msg.new_session.main_script_path = ""
    msg.new_session.initialize.environment_info.Clear()
    return msg.SerializeToString()


