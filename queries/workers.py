"""The query workers: a fixed number of threads that run the warehouse queries of every session.

Sessions take turns. Each session has its own line of queries; a free worker takes the next query
of the session that has waited longest since it was last served, and never runs more than
`per_session` queries of one session at a time. So one person's heavy view (ninety days of
vendor scorecards) keeps at most `per_session` workers busy, and everyone else's Home still gets
the next free one instead of queueing behind it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable

from watchfloor.config import load_settings


class Job:
    """One query waiting for, or running on, a worker."""

    def __init__(self, session: Hashable, run: Callable[[], None]):
        self.session = session
        self.run = run
        self.started = False
        self.cancelled = False


class QueryWorkers:
    def __init__(self, workers: int, per_session: int):
        if workers < 1 or per_session < 1:
            raise ValueError("query workers and queries per session must be at least 1")
        self.workers = workers
        self.per_session = min(per_session, workers)
        self._cond = threading.Condition()
        # Session -> its waiting jobs; the order of the keys is the order sessions are served in.
        self._lines: OrderedDict[Hashable, deque[Job]] = OrderedDict()
        self._running: dict[Hashable, int] = {}
        self._threads: list[threading.Thread] = []
        self.peak_running = 0

    def submit(self, session: Hashable, run: Callable[[], None]) -> Job:
        """Queue `run` (which must not raise) for `session`; a worker calls it when the session's turn comes."""
        job = Job(session, run)
        with self._cond:
            self._lines.setdefault(session, deque()).append(job)
            self._start_threads()
            self._cond.notify()
        return job

    def cancel(self, job: Job) -> bool:
        """Take a job that has not started out of its line; False if it has started already."""
        with self._cond:
            if job.started:
                return False
            line = self._lines.get(job.session)
            if line is not None and job in line:
                line.remove(job)
                if not line:
                    del self._lines[job.session]
            job.cancelled = True
            return True

    def waiting(self) -> int:
        """Queries queued and not started yet, of every session."""
        with self._cond:
            return sum(len(line) for line in self._lines.values())

    def others(self, session: Hashable) -> int:
        """Queries of other sessions running or queued: what `session`'s queries share the workers with."""
        with self._cond:
            return (sum(n for s, n in self._running.items() if s != session)
                    + sum(len(line) for s, line in self._lines.items() if s != session))

    def running(self) -> int:
        with self._cond:
            return sum(self._running.values())

    def _start_threads(self) -> None:
        while len(self._threads) < self.workers:
            thread = threading.Thread(target=self._work, name=f"watchfloor-query-{len(self._threads)}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _take(self) -> Job | None:
        """The next job by turn (under the lock), or None if every waiting session is at its limit."""
        for session, line in self._lines.items():
            if self._running.get(session, 0) < self.per_session:
                job = line.popleft()
                if line:
                    self._lines.move_to_end(session)  # its next query waits for the others' turns
                else:
                    del self._lines[session]
                return job
        return None

    def _work(self) -> None:
        while True:
            with self._cond:
                job = self._take()
                while job is None:
                    self._cond.wait()
                    job = self._take()
                job.started = True
                self._running[job.session] = self._running.get(job.session, 0) + 1
                self.peak_running = max(self.peak_running, sum(self._running.values()))
            try:
                job.run()
            finally:
                with self._cond:
                    self._running[job.session] -= 1
                    if not self._running[job.session]:
                        del self._running[job.session]
                    self._cond.notify_all()


_workers_instance: QueryWorkers | None = None
_workers_lock = threading.Lock()


def shared_workers() -> QueryWorkers:
    """The process's query workers, sized by the settings when first needed."""
    global _workers_instance
    with _workers_lock:
        if _workers_instance is None:
            settings = load_settings()
            _workers_instance = QueryWorkers(settings.query_workers, settings.session_queries)
        return _workers_instance
