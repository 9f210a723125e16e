"""A daemon thread of the server that works on a schedule of its own until the server stops."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from watchfloor.config import dashboard_now, load_settings


class Background:
    """`run()` on a daemon thread from `start()` until `stop()`. `clock` gives the dashboard's 'now'
    and `wait(seconds)` returns True once stopped; tests replace both to step through time."""

    thread_name = "watchfloor-background"

    def __init__(self, clock: Callable[[], datetime] | None = None):
        self.clock = clock or (lambda: dashboard_now(load_settings()))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wait(self, seconds: float) -> bool:
        return self._stop.wait(max(seconds, 0.0))

    def start(self):
        self._thread = threading.Thread(target=self.run, daemon=True, name=self.thread_name)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def stopped(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        raise NotImplementedError
