"""A real HTTP receiver on localhost for the alert tests: apprise's json:// posts land here.

`Receiver.url(path)` gives a json:// URL for a path; a path marked failing answers 500 (until
it is marked working again), every other path 200. Every post is recorded, failed ones too.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Post:
    path: str
    status: int
    payload: dict


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    posts: list[Post] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def delivered(self, path: str) -> list[dict]:
        """The payloads accepted (200) on a path, in arrival order."""
        with self.lock:
            return [p.payload for p in self.posts if p.path == "/" + path.lstrip("/") and p.status == 200]

    def tries(self, path: str) -> int:
        with self.lock:
            return sum(1 for p in self.posts if p.path == "/" + path.lstrip("/"))

    def titles(self, path: str) -> list[str]:
        return [p["title"] for p in self.delivered(path)]


def start() -> Receiver:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = self.path.split("?", 1)[0]
            status = 500 if path in receiver.failing else 200
            with receiver.lock:
                receiver.posts.append(Post(path, status, json.loads(body or b"{}")))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(server)
    threading.Thread(target=server.serve_forever, daemon=True, name="alert-receiver").start()
    return receiver
